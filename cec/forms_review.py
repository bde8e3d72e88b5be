"""Django forms for the CEC submission (holder) and the NAAEI review queue (reviewer)."""

from django import forms
from django.core.exceptions import ValidationError

from cec.models import LedgerEntry, Submission, SubmissionState
from cec.selectors.submissions import AGE_CHOICES
from credentials.models import CredentialType
from renewal_portal.infra.ids import IdModelMultipleChoiceField


class EntryChoiceField(IdModelMultipleChoiceField):
    def label_from_instance(self, entry):
        return f"{entry.earned_on:%b %-d, %Y} · {entry.title} · {entry.hours} CEC"


class SubmissionForm(forms.Form):
    """The holder picks (by default: keeps) the countable entries to submit."""

    entries = EntryChoiceField(
        queryset=LedgerEntry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the CEC entries to submit.",
            "invalid_choice": "That entry cannot be submitted for this renewal.",
            "invalid_pk_value": "That entry cannot be submitted for this renewal.",
        },
    )

    def __init__(self, *args, countable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = LedgerEntry.objects.filter(
            pk__in=[entry.pk for entry in countable]
        )
        self.fields["entries"].initial = [entry.pk for entry in countable]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the rejection (the holder reads this)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the holder the reason for the rejection."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Give the holder the reason for the rejection.")
        return reason


class QueueFilterForm(forms.Form):
    """Filters of the review queue; bad values are ignored field by field."""

    state = forms.ChoiceField(
        required=False,
        choices=[("", "Waiting for review")]
        + [(value, label) for value, label in SubmissionState.choices if value != "submitted"]
        + [("all", "All")],
    )
    year = forms.IntegerField(label="Renewal year", required=False, min_value=2000, max_value=2100)
    credential = forms.ChoiceField(required=False)
    age = forms.ChoiceField(label="Age", required=False, choices=AGE_CHOICES)

    def __init__(self, *args, credential_types=None, **kwargs):
        """`credential_types`: (code, name) of every credential type by code, if read
        already (credentials.catalog_reads)."""
        super().__init__(*args, **kwargs)
        codes = credential_types
        if codes is None:
            codes = CredentialType.objects.order_by("code").values_list("code", "name")
        self.fields["credential"].choices = [("", "Any credential")] + [
            (code, f"{code} – {name}") for code, name in codes
        ]

    def filters(self):
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        state = data.get("state") or "submitted"
        return {
            "state": None if state == "all" else state,
            "year": data.get("year"),
            "credential": data.get("credential") or None,
            "older_than_days": data.get("age") or None,
        }


class BulkApproveForm(forms.Form):
    submissions = IdModelMultipleChoiceField(
        queryset=Submission.objects.filter(state=SubmissionState.SUBMITTED),
        error_messages={
            "required": "Tick the submissions to approve.",
            "invalid_choice": "One of the ticked submissions is no longer waiting for review.",
            "invalid_pk_value": "Tick the submissions to approve.",
        },
    )
