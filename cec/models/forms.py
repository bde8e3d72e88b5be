import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from simple_history.models import HistoricalRecords

from cec.evidence_types import extension_for


class ActivityType(models.TextChoices):
    EXPO_CLASS = "expo_class", "Expo class"
    COMMITTEE = "committee", "Committee service"
    VOLUNTEERING = "volunteering", "Volunteering"
    OTHER = "other", "Other"


class FormState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent to AASC"
    RETURNED = "returned", "Returned to holder"
    VERIFIED = "verified", "Verified and signed"


@deconstructible
class TextLimit:
    """At most `settings.<setting>` characters (read when validating, so a deployer can
    change the limit without a migration): what one holder can make the portal store and
    render is bounded (issue 15 item 7)."""

    def __init__(self, setting: str):
        self.setting = setting

    def limit(self) -> int:
        return getattr(settings, self.setting)

    def __call__(self, value):
        limit = self.limit()
        if value is not None and len(value) > limit:
            raise ValidationError(
                "Keep this to at most %(limit)s characters (it has %(length)s).",
                code="max_length",
                params={"limit": f"{limit:,}", "length": f"{len(value):,}"},
            )

    def __eq__(self, other):
        return isinstance(other, TextLimit) and other.setting == self.setting


FORM_TEXT_LIMIT = TextLimit("REPORTING_FORM_TEXT_MAX_CHARS")


class ReportingForm(models.Model):
    """A CEC Reporting Form for activity outside AASC classes (SPEC rule 7).

    draft -> sent -> verified (signed by AASC staff) or returned (editable again).
    Every transition is a service in cec.services.forms and leaves a history record.
    """

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reporting_forms"
    )
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    title = models.CharField(max_length=200)
    organiser = models.CharField(max_length=200)
    started_on = models.DateField("date")
    ended_on = models.DateField("last date", null=True, blank=True)
    hours_claimed = models.DecimalField("hours claimed", max_digits=5, decimal_places=2)
    description = models.TextField(blank=True, validators=[FORM_TEXT_LIMIT])
    state = models.CharField(max_length=10, choices=FormState.choices, default=FormState.DRAFT)
    in_network = models.BooleanField(
        default=False, help_text="Set by AASC staff when verifying (e.g. an AASC Expo class)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signature_note = models.TextField(blank=True, validators=[FORM_TEXT_LIMIT])
    return_reason = models.TextField(blank=True, validators=[FORM_TEXT_LIMIT])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("verify_reportingform", "Can verify and sign CEC Reporting Forms")]
        constraints = [
            models.CheckConstraint(condition=Q(hours_claimed__gt=0), name="form_claims_hours"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="form_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_activity_type_display()}: {self.title} ({self.holder})"

    @property
    def is_editable(self):
        return self.state in (FormState.DRAFT, FormState.RETURNED)


def evidence_path(instance, filename):
    # The stored name is ours, never the uploader's: no path tricks, no collisions, and
    # the extension follows the checked content, not the name the file came with.
    suffix = extension_for(instance.content_type) or PurePosixPath(filename).suffix.lower()[:6]
    return f"evidence/{instance.form.holder_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file that supports a Reporting Form (PDF, JPEG or PNG, checked by content)."""

    form = models.ForeignKey(ReportingForm, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size_bytes = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name
