from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from renewal_portal.infra.money import format_cents


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"
    DISPUTED = "disputed", "Disputed (chargeback open)"
    VOID = "void", "Void"


class InvoiceNumberSequence(models.Model):
    """The last invoice number used in a year; locked while a number is taken, so numbers
    are sequential and never reused."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class ReceiptNumberSequence(models.Model):
    """The last receipt number used in a calendar year (the year the money came in);
    locked while a number is taken, like invoice numbers."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Invoice(models.Model):
    """A renewal invoice: one line per credential fee (plus reinstatement), and the CECs
    owed for the year (SPEC rule 4). Lines and total are fixed when it is issued."""

    renewal = models.OneToOneField(
        "credentials.Renewal", on_delete=models.PROTECT, related_name="invoice"
    )
    number = models.CharField(max_length=20, unique=True)
    issued_on = models.DateField()
    currency = models.CharField(max_length=3, default="usd")
    total_cents = models.PositiveIntegerField("total")
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-number"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"Invoice {self.number}"

    @property
    def is_paid(self):
        return self.status == InvoiceStatus.PAID


class LineKind(models.TextChoices):
    RENEWAL_FEE = "renewal_fee", "Renewal fee"
    REINSTATEMENT_FEE = "reinstatement_fee", "Reinstatement fee"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    description = models.CharField(max_length=200)
    credential = models.ForeignKey(
        "credentials.Credential", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cecs_owed = models.DecimalField(
        "CECs owed", max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount_cents = models.PositiveIntegerField("amount")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.description


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card (Stripe)"
    CHEQUE = "cheque", "Cheque"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the card"
    PROCESSING = "processing", "Processing"
    REQUIRES_ACTION = "requires_action", "Needs card authentication"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"
    DISPUTED = "disputed", "Disputed (chargeback open)"
    CHARGED_BACK = "charged_back", "Charged back (dispute lost)"
    FLAGGED = "flagged", "Flagged for staff (amount mismatch)"


class Payment(models.Model):
    """Money toward an invoice: a card payment through Stripe or a cheque staff recorded."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    amount_cents = models.PositiveIntegerField("amount")
    currency = models.CharField(max_length=3, default="usd")
    # The SetupIntent the pay page's card element confirms: reused on every load of the
    # page while it can still take a card, so reloading creates nothing new at Stripe.
    stripe_setup_intent = models.CharField(max_length=100, blank=True)
    stripe_payment_intent = models.CharField(
        "Stripe PaymentIntent", max_length=100, unique=True, null=True, blank=True
    )
    stripe_customer = models.CharField("Stripe customer", max_length=100, blank=True)
    # When the portal asked the provider to charge this attempt (outside any transaction):
    # a second confirmation meanwhile charges nothing. Cleared if the request failed.
    charge_requested_at = models.DateTimeField(null=True, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    flag_reason = models.CharField(max_length=300, blank=True)
    cheque_number = models.CharField(max_length=40, blank=True)
    # What the receipt names: its own number in the year's sequence (set when the money
    # is received) and, for a card, the brand and last four digits Stripe reports.
    receipt_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField("card's last 4 digits", max_length=4, blank=True)
    received_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # Money that went back: refunds (in full or in part) and the open or last dispute.
    amount_refunded_cents = models.PositiveIntegerField(default=0)
    stripe_dispute = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("record_offline_payment", "Can record a cheque payment"),
            ("refund_payment", "Can refund a card payment"),
        ]
        constraints = [
            # However often the provider retries, an invoice is paid once.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="succeeded"),
                name="one_successful_payment_per_invoice",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {format_cents(self.amount_cents)} for {self.invoice}"


class WebhookEvent(models.Model):
    """A Stripe event, stored once by its id (a unique constraint, not a look-up)."""

    event_id = models.CharField("event ID", max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"
