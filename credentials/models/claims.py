from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ClaimState(models.TextChoices):
    WAITING = "waiting", "Waiting for the AASC office"
    CONFIRMED = "confirmed", "Confirmed"
    REFUSED = "refused", "Refused"
    NO_MATCH = "no_match", "No matching record"


class Claim(models.Model):
    """A signed-in holder's claim to a record the office keeps (typically imported):
    the credential number, last name and ZIP code they typed. A claim that matches waits
    for the office to confirm it; one that does not is kept for staff to see. The holder
    gets the same answer either way, so claiming never tells whether a number exists."""

    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    typed_number = models.CharField("credential number typed", max_length=60)
    typed_last_name = models.CharField("last name typed", max_length=150)
    typed_postal_code = models.CharField("ZIP code typed", max_length=20)
    credential = models.ForeignKey(
        "credentials.Credential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims",
        help_text="The credential the number matched, when it matched.",
    )
    record = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims_on_record",
        help_text="The holder record the claim is for (the credential's holder when typed).",
    )
    state = models.CharField(max_length=10, choices=ClaimState.choices, default=ClaimState.WAITING)
    staff_note = models.CharField(
        max_length=300, blank=True, help_text="Why it did not match, or the office's decision."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("decide_claim", "Can confirm or refuse a holder's claim to a record")]
        indexes = [models.Index(fields=["claimant", "created_at"])]

    def __str__(self):
        return f"Claim by {self.claimant} to {self.typed_number}"


class HolderMerge(models.Model):
    """Staff merged two records of one person: everything of `source` moved to `into`.

    The row is the merge's own record (who, when, why, what moved); each moved row also
    has a history record saying so."""

    source = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="merge this record",
    )
    into = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="into this record",
    )
    reason = models.CharField(max_length=100)
    moved = models.TextField(blank=True, help_text="What moved, counted by kind.")
    claim = models.OneToOneField(
        Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="merge"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = "merge of holder records"
        verbose_name_plural = "merges of holder records"

    def __str__(self):
        return f"{self.source} merged into {self.into}"
