"""Django forms for CEC Reporting Forms: the holder's form and AASC staff's decisions."""

import datetime as dt
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from cec.models import ReportingForm
from cec.models.forms import FORM_TEXT_LIMIT
from cec.selectors.forms import drafts_left, too_many_drafts_message
from cec.uploads import check_evidence, check_room_for, max_files_per_form, max_megabytes
from credentials import rules

MAX_HOURS_PER_FORM = Decimal("100")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files at once, each checked by content and size before anything
    is stored; cleans to a list of cec.uploads.CheckedUpload."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
        )
        # Empty files are refused by check_evidence, with the file's name in the message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > max_files_per_form():
            raise ValidationError(
                f"A form can carry at most {max_files_per_form()} evidence files: "
                f"choose at most {max_files_per_form()}."
            )
        checked, errors = [], []
        for upload in files:
            try:
                super().clean(upload, initial)
                checked.append(check_evidence(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


def _refuse_control_characters(form, cleaned):
    for name, value in list(cleaned.items()):
        if isinstance(value, str) and any(ord(ch) < 32 and ch not in "\r\n\t" for ch in value):
            form.add_error(name, "Remove the control characters from this field.")


class ReportingFormForm(forms.ModelForm):
    """What the holder reports: activity, dates, hours, description and evidence."""

    evidence = EvidenceField(label="Evidence files")

    class Meta:
        model = ReportingForm
        fields = [
            "activity_type",
            "title",
            "organiser",
            "started_on",
            "ended_on",
            "hours_claimed",
            "description",
        ]
        labels = {
            "title": "Title of the activity",
            "organiser": "Organiser",
            "started_on": "Date",
            "ended_on": "Last date (if it ran over several days)",
            "hours_claimed": "Hours claimed",
        }
        help_texts = {
            "activity_type": "Committee service and volunteering count as participation "
            "(at most 2 CECs a year count).",
            "hours_claimed": "One CEC is one hour of education; leave out meals and breaks.",
        }
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ended_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "hours_claimed": forms.NumberInput(attrs={"step": "0.25", "min": "0.25"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, sending=False, holder=None, **kwargs):
        self.sending = sending
        super().__init__(*args, **kwargs)
        self.holder = holder if holder is not None else getattr(self.instance, "holder", None)
        self.fields["evidence"].help_text = (
            f"Certificate, agenda, letter or photo: PDF, JPEG or PNG, at most {max_megabytes()} "
            f"MB each, {max_files_per_form()} files a form. You can choose several files."
        )
        text_limit = settings.REPORTING_FORM_TEXT_MAX_CHARS
        description = self.fields["description"]
        description.max_length = text_limit
        description.widget.attrs["maxlength"] = str(text_limit)
        description.help_text = (
            f"At most {text_limit:,} characters; attach anything longer as an evidence file."
        )
        self.fields["activity_type"].choices = [("", "Choose the kind of activity")] + list(
            self.fields["activity_type"].choices
        )[1:]
        self.helper = FormHelper()
        self.helper.form_tag = False
        year = rules.renewal_year_on(timezone.localdate())
        self.fields["started_on"].help_text = rules.window_help(year)

    def clean_started_on(self):
        started = self.cleaned_data["started_on"]
        if started > timezone.localdate():
            raise ValidationError("The date cannot be in the future: report activity once done.")
        if started < dt.date(2000, 1, 1):
            raise ValidationError("Enter a date from 2000 on.")
        return started

    def clean_hours_claimed(self):
        hours = self.cleaned_data["hours_claimed"]
        if hours <= 0:
            raise ValidationError("Enter the hours, more than 0.")
        if hours > MAX_HOURS_PER_FORM:
            raise ValidationError(
                f"One form can claim at most {MAX_HOURS_PER_FORM:f} hours; "
                "file a form per activity."
            )
        return hours

    def clean(self):
        cleaned = super().clean()
        _refuse_control_characters(self, cleaned)
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended:
            if ended < started:
                self.add_error("ended_on", "The last date cannot be before the first.")
            elif ended.year != started.year:
                self.add_error(
                    "ended_on",
                    "CECs count for the year they are earned in: file one form per year.",
                )
            elif ended > timezone.localdate():
                self.add_error("ended_on", "The last date cannot be in the future.")
        if self.instance.pk is None and self.holder is not None and not drafts_left(self.holder):
            self.add_error(None, too_many_drafts_message())
        if cleaned.get("evidence") and self.holder is not None:
            try:
                check_room_for(self.holder.pk, self.instance, cleaned["evidence"])
            except ValidationError as exc:
                self.add_error("evidence", exc)
        has_evidence = bool(cleaned.get("evidence")) or (
            self.instance.pk is not None and self.instance.evidence.exists()
        )
        if self.sending and not has_evidence and "evidence" not in self.errors:
            self.add_error(
                "evidence", "Attach at least one evidence file before sending the form to AASC."
            )
        return cleaned

    def editable_values(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class VerifyForm(forms.Form):
    """AASC staff verify and sign a form; they may correct the hours, saying why in the
    note (otherwise the note is optional)."""

    hours = forms.DecimalField(
        label="Hours verified",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_HOURS_PER_FORM,
        help_text="What the holder claimed; correct it if the evidence shows otherwise.",
    )
    in_network = forms.BooleanField(
        label="In-network CECs",
        required=False,
        help_text="Tick for activity that counts as in-network (an AASC or NAAEI-approved "
        "class, the national conference).",
    )
    note = forms.CharField(
        label="Note (needed if you change the hours)",
        required=False,
        validators=[FORM_TEXT_LIMIT],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, claimed: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claimed = claimed
        self.fields["hours"].initial = claimed
        self.fields["hours"].required = False  # left empty: the hours claimed stand

    def clean(self):
        cleaned = super().clean()
        hours = cleaned.get("hours")
        changed = hours is not None and self.claimed is not None and hours != self.claimed
        if changed and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say why the hours were changed (the holder reads this).")
        return cleaned


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the holder reads this)",
        validators=[FORM_TEXT_LIMIT],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell the holder why the form is returned."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Tell the holder why the form is returned.")
        return reason
