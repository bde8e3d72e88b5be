import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .catalog import CredentialType


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RENEWAL_DUE = "renewal_due", "Renewal due"
    IN_GRACE = "in_grace", "In grace"
    LAPSED = "lapsed", "Lapsed"


class Credential(models.Model):
    """A credential a holder earned. Its status on a date follows from `valid_through`
    and the requirement set's calendar (see rules.credential_status_on); only the lapse
    itself is recorded, so the holder and staff can see when and why it happened."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials"
    )
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="credentials"
    )
    number = models.CharField("credential number", max_length=30, unique=True)
    earned_on = models.DateField()
    valid_through = models.DateField(
        null=True, blank=True, help_text="Blank for lifetime credentials."
    )
    lapsed_on = models.DateField(null=True, blank=True)
    lapse_reason = models.CharField(max_length=300, blank=True)
    # Open Badges (issue 20): the holder's stable opaque identifier in the credential
    # (never the email), and the credential's bit in the suspension status list.
    badge_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status_index = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["holder", "credential_type__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "credential_type"], name="one_credential_of_a_type_per_holder"
            )
        ]

    def __str__(self):
        return f"{self.credential_type.code} {self.number} ({self.holder})"
