from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from credentials import rules

from .catalog import CredentialType
from .holdings import Credential


class Renewal(models.Model):
    """A holder's renewal for one year: the credentials it renews and what it owes.

    The CEC numbers and dates are copied from the requirement sets when the renewal is
    issued, so the invoice keeps telling the same number whatever the catalog says later.
    The four steps are derived from the records they depend on (see credentials.selectors).
    """

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="renewals"
    )
    year = models.PositiveSmallIntegerField("renewal year")
    credentials = models.ManyToManyField(
        Credential, through="RenewalCredential", related_name="renewals"
    )
    cecs_owed = models.DecimalField("CECs owed", max_digits=5, decimal_places=2)
    in_network_min = models.DecimalField("minimum in-network CECs", max_digits=5, decimal_places=2)
    participation_cap = models.DecimalField(
        "cap on participation CECs", max_digits=5, decimal_places=2, null=True, blank=True
    )
    governing_type = models.ForeignKey(
        CredentialType,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The credential whose requirement sets the CECs owed.",
    )
    due_on = models.DateField()
    grace_ends_on = models.DateField()
    reinstatement = models.BooleanField(
        default=False, help_text="A lapsed credential is being reinstated (adds the fee)."
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    contact_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Steps 2 and 4 are recorded by payments and cec; each tells the core through
    # credentials.services.steps, which stamps them here, so the core decides "renewal
    # complete" from its own record without reading the apps above it.
    paid_at = models.DateTimeField("invoice paid at", null=True, blank=True)
    cec_status_seen_at = models.DateTimeField("CEC status checked at", null=True, blank=True)
    cecs_approved_at = models.DateTimeField("CECs approved at", null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "holder"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "year"], name="one_renewal_per_holder_year"),
        ]
        indexes = [models.Index(fields=["year", "completed_at"])]

    def __str__(self):
        return f"{self.year} renewal of {self.holder}"

    @property
    def earning_year(self):
        return rules.earning_year(self.year)

    @property
    def requirement(self) -> rules.Requirement:
        """The numbers the renewal copied from its requirement sets when it was issued."""
        return rules.Requirement(
            cecs_owed=self.cecs_owed,
            in_network_min=self.in_network_min,
            participation_cap=self.participation_cap,
            code=self.governing_type.code if self.governing_type_id else "",
        )

    @property
    def requirement_text(self) -> str:
        """'8 CECs, at least 5 of them in-network; participation counts for at most 2'"""
        return rules.describe(self.requirement)


class RenewalCredential(models.Model):
    """One credential on a renewal, with the requirement and fee in force when issued."""

    renewal = models.ForeignKey(Renewal, on_delete=models.CASCADE, related_name="items")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="+")
    cecs_owed = models.DecimalField("CECs owed", max_digits=5, decimal_places=2)
    in_network_min = models.DecimalField("minimum in-network CECs", max_digits=5, decimal_places=2)
    participation_cap = models.DecimalField(
        "cap on participation CECs", max_digits=5, decimal_places=2, null=True, blank=True
    )
    fee_cents = models.PositiveIntegerField("renewal fee")
    reinstatement_fee_cents = models.PositiveIntegerField(
        "reinstatement fee",
        default=0,
        help_text="Charged only when the credential had lapsed when the renewal was issued.",
    )
    # Kept when the renewal completes, so a payment that goes back (SPEC rule 11) can
    # return the credential to the dates it had before.
    previous_valid_through = models.DateField(null=True, blank=True)
    previous_lapsed_on = models.DateField(null=True, blank=True)
    previous_lapse_reason = models.CharField(max_length=300, blank=True)
    extended_through = models.DateField(
        null=True,
        blank=True,
        help_text="The valid-through date this renewal gave the credential when it completed.",
    )

    class Meta:
        ordering = ["credential__credential_type__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["renewal", "credential"], name="credential_once_per_renewal"
            )
        ]

    def __str__(self):
        return f"{self.credential.credential_type.code} on {self.renewal}"
