import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from credentials import rules


class Source(models.TextChoices):
    AASC_CLASS = "aasc_class", "AASC class"
    EXPO_CLASS = "expo_class", "Expo class"
    COMMITTEE = "committee", "Committee service"
    VOLUNTEERING = "volunteering", "Volunteering"
    OTHER = "other", "Other"
    IMPORTED = "imported", "Imported from the office's records"


class EntryState(models.TextChoices):
    """A ledger entry's state; which of them earn and which can be submitted is
    credentials.rules (EARNING_STATES, SUBMITTABLE_STATES)."""

    CREDITED = rules.CREDITED, "Credited"
    PENDING_VERIFICATION = rules.PENDING_VERIFICATION, "Pending verification"
    VERIFIED = rules.VERIFIED, "Verified"
    SUBMITTED = rules.SUBMITTED, "Submitted to NAAEI"
    APPROVED = rules.APPROVED, "Approved"
    REJECTED = rules.REJECTED, "Rejected"
    WITHDRAWN = rules.WITHDRAWN, "Withdrawn"


class LedgerEntry(models.Model):
    """CEC hours a holder earned, from an AASC class or a verified Reporting Form."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_entries"
    )
    earned_on = models.DateField()
    hours = models.DecimalField("CEC hours", max_digits=5, decimal_places=2)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=Source.choices)
    in_network = models.BooleanField(default=False)
    participation = models.BooleanField(
        default=False, help_text="Committee, board, volunteering or unpaid instructing (capped)."
    )
    state = models.CharField(max_length=25, choices=EntryState.choices, default=EntryState.CREDITED)
    attendance = models.OneToOneField(
        "cec.Attendance",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entry",
    )
    reporting_form = models.ForeignKey(
        "cec.ReportingForm",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    certificate_number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    # For CEC history imported from the office's records: who gave the CECs, and the
    # reference of the evidence the office holds (a certificate number, a file name).
    provider = models.CharField(max_length=200, blank=True)
    evidence_reference = models.CharField(max_length=200, blank=True)
    verification_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-earned_on", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["holder", "earned_on"])]

    def __str__(self):
        return f"{self.hours} CEC – {self.title} ({self.earned_on})"

    @property
    def credit_kind(self) -> rules.CreditKind:
        """In-network, participation or other (credentials.rules.credit_kind)."""
        return rules.credit_kind(self.in_network, self.participation)

    @property
    def renewal_year(self) -> int:
        """The renewal this entry's CECs count for."""
        return rules.renewal_year_of_entry(self.earned_on)
