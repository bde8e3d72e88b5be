"""Paying a renewal invoice (step 2): card payments through the provider, cheques staff
record. Every change of an invoice's or a payment's state happens here (or, for money
that goes back, in payments.services.reversals), in one transaction that holds the
invoice's row lock, so a retry storm or two browser tabs can never pay an invoice twice
(the partial unique constraint one_successful_payment_per_invoice backs this up).

A card payment goes: start_card_payment (a Payment row per attempt, a Stripe customer and
a SetupIntent for the card element) -> Stripe.js confirms the SetupIntent -> the browser
posts it back -> confirm_card_payment (one PaymentIntent per attempt, created and
confirmed with that card) -> Stripe's webhook -> record_payment / record_failure.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from credentials import roles
from credentials.services import steps
from payments import provider
from payments.models import Invoice, InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from payments.money import format_cents
from payments.receipts import issue_receipt
from payments.selectors import payments_of
from renewal_portal.infra.history import save_with_history

logger = logging.getLogger(__name__)

PAYABLE = (InvoiceStatus.OPEN, InvoiceStatus.REFUNDED)
OPEN_ATTEMPT = (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING)
# A payment that has been recorded for good: later notices about it change nothing.
SETTLED = (
    PaymentStatus.SUCCEEDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.DISPUTED,
    PaymentStatus.CHARGED_BACK,
    PaymentStatus.FLAGGED,
)


class PaymentError(Exception):
    """A payment step that is not allowed now; the message is fit to show the person."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CardAttempt:
    payment: Payment
    setup_client_secret: str = ""
    intent_client_secret: str = ""  # set when the bank wants the holder to authenticate


# --- locking --------------------------------------------------------------------------


def _lock_invoice(invoice_id) -> Invoice:
    """The invoice, locked until the transaction ends. SQLite has no FOR UPDATE, so a
    no-op UPDATE takes its database write lock first (a no-op itself when transactions
    already begin IMMEDIATE), which serialises writers just the same."""
    if connection.vendor == "sqlite":
        Invoice.objects.filter(pk=invoice_id).update(status=F("status"))
    return Invoice.objects.select_for_update().select_related("renewal__holder").get(pk=invoice_id)


def payable_problem(invoice: Invoice) -> str:
    """Why the invoice cannot be paid now ('' if it can)."""
    if invoice.status == InvoiceStatus.PAID:
        return f"Invoice {invoice.number} is already paid."
    if invoice.status not in PAYABLE:
        return f"Invoice {invoice.number} is {invoice.get_status_display().lower()}."
    if invoice.total_cents <= 0:
        return f"Invoice {invoice.number} has nothing to pay."
    return ""


def _check_payable(invoice: Invoice):
    problem = payable_problem(invoice)
    if problem:
        raise PaymentError(problem)


# --- card payments ----------------------------------------------------------------------


def start_card_payment(invoice: Invoice, holder) -> CardAttempt:
    """The holder's open card attempt on the invoice (reused, so reloading the pay page
    never starts a second charge), with its SetupIntent for the card element (also
    reused while it can take a card: 50 loads of the page make one SetupIntent)."""
    if invoice.renewal.holder_id != holder.pk:
        raise PaymentError("This invoice is not yours.")
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        _check_payable(invoice)
        payment = (
            invoice.payments.filter(method=PaymentMethod.CARD, status__in=OPEN_ATTEMPT)
            .order_by("-created_at")
            .first()
        )
        if payment is None:
            payment = Payment(
                invoice=invoice,
                method=PaymentMethod.CARD,
                amount_cents=invoice.total_cents,
                currency=invoice.currency,
            )
            save_with_history(payment, by=holder, why="Card payment started")

    if payment.stripe_payment_intent:
        # A charge was already attempted: let Stripe say where it stands.
        try:
            payment = refresh_card_payment(payment)
        except provider.NotFound:
            record_failure(payment, "The payment processor has no record of this attempt.")
            return start_card_payment(invoice, holder)
        if payment.status == PaymentStatus.REQUIRES_ACTION:
            intent = provider.retrieve_payment_intent(payment.stripe_payment_intent)
            return CardAttempt(payment=payment, intent_client_secret=intent.client_secret)
        if payment.status not in (PaymentStatus.PENDING,):
            return CardAttempt(payment=payment)

    if not payment.stripe_customer:
        customer = _known_customer(holder) or provider.create_customer(
            email=holder.email,
            name=holder.get_full_name() or holder.email,
            metadata={"holder": str(holder.pk)},
        )
        Payment.objects.filter(pk=payment.pk, stripe_customer="").update(stripe_customer=customer)
        payment.refresh_from_db()
    setup = _open_setup_intent(payment)
    if setup is None:
        setup = provider.create_setup_intent(
            customer=payment.stripe_customer,
            metadata={"invoice": invoice.number, "payment": str(payment.pk)},
        )
        Payment.objects.filter(pk=payment.pk).update(stripe_setup_intent=setup.id)
        payment.stripe_setup_intent = setup.id
    return CardAttempt(payment=payment, setup_client_secret=setup.client_secret)


def _open_setup_intent(payment: Payment) -> provider.SetupState | None:
    """The attempt's SetupIntent if the card element can still use it (loading the pay
    page again must not create another one at Stripe); None when a new one is needed."""
    if not payment.stripe_setup_intent:
        return None
    try:
        setup = provider.retrieve_setup_intent(payment.stripe_setup_intent)
    except provider.NotFound:
        return None
    if setup.customer != payment.stripe_customer or not setup.can_take_a_card:
        return None
    return setup


def _known_customer(holder) -> str:
    return (
        payments_of(holder)
        .exclude(stripe_customer="")
        .values_list("stripe_customer", flat=True)
        .order_by("-created_at")
        .first()
        or ""
    )


def confirm_card_payment(payment: Payment, setup_intent_id: str, *, by) -> CardAttempt:
    """Charge the card the holder just set up: one PaymentIntent per attempt, created
    under the invoice's lock, so two tabs or a double click charge once. The result is
    processing (the webhook will say succeeded), requires_action, or failed."""
    if not provider.is_setup_intent_id(setup_intent_id):
        raise PaymentError("The card details did not reach us; please enter them again.")
    try:
        setup = provider.retrieve_setup_intent(setup_intent_id)
    except provider.NotFound:
        raise PaymentError("The card details did not reach us; please enter them again.") from None
    if setup.customer != payment.stripe_customer or not payment.stripe_customer:
        raise PaymentError("The card details did not reach us; please enter them again.")
    if not setup.card_is_set_up:
        raise PaymentError("The card is not set up yet; please enter it again.")

    declined = None
    with transaction.atomic():
        invoice = _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.stripe_payment_intent:
            # Another request charged this attempt already: report it, charge nothing.
            intent = provider.retrieve_payment_intent(payment.stripe_payment_intent)
            return CardAttempt(payment=payment, intent_client_secret=intent.client_secret)
        if payment.status not in OPEN_ATTEMPT:
            raise PaymentError("This payment attempt is closed; please start again.")
        _check_payable(invoice)
        try:
            intent = provider.charge_card(
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                customer=payment.stripe_customer,
                payment_method=setup.payment_method,
                metadata={"invoice": invoice.number, "payment": str(payment.pk)},
                idempotency_key=f"aasc-payment-{payment.pk}",
            )
        except provider.CardDeclined as exc:
            declined = exc
        else:
            payment.stripe_payment_intent = intent.id
            _apply_intent(payment, intent, by=by)
    if declined is not None:
        payment = record_failure(payment, declined.message, intent_id=declined.intent_id, by=by)
        return CardAttempt(payment=payment)
    return CardAttempt(payment=payment, intent_client_secret=intent.client_secret)


def _apply_intent(payment: Payment, intent: provider.IntentState, *, by=None):
    """The attempt's state while Stripe has not confirmed it by webhook."""
    if intent.needs_action:
        payment.status = PaymentStatus.REQUIRES_ACTION
        reason = "Card needs authentication"
    elif intent.failed:
        payment.status = PaymentStatus.FAILED
        payment.failure_message = (intent.error_message or "The card was declined.")[:300]
        reason = "Card payment failed"
    else:
        # succeeded or processing: the invoice is marked paid when the webhook says so.
        payment.status = PaymentStatus.PROCESSING
        reason = "Card charged; waiting for Stripe's confirmation"
    save_with_history(payment, by=by, why=reason)


def refresh_card_payment(payment: Payment) -> Payment:
    """Ask Stripe where an open attempt stands and record it through the same services
    the webhook uses; for when the webhook is late or the holder came back from 3-D
    Secure."""
    if payment.status not in OPEN_ATTEMPT or not payment.stripe_payment_intent:
        return payment
    intent = provider.retrieve_payment_intent(payment.stripe_payment_intent)
    if intent.succeeded:
        return record_payment(payment.invoice, intent)
    if intent.failed:
        return record_failure(
            payment,
            intent.error_message or "The card payment did not go through.",
            intent_id=intent.id,
        )
    if intent.needs_action and payment.status != PaymentStatus.REQUIRES_ACTION:
        with transaction.atomic():
            _lock_invoice(payment.invoice_id)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.status in OPEN_ATTEMPT:
                _apply_intent(payment, intent)
    return payment


def payment_for_intent(intent: provider.IntentState) -> Payment | None:
    """Our payment row for a Stripe PaymentIntent: by its id, or by the payment named in
    its metadata when the charge failed before we learnt the id."""
    payment = Payment.objects.filter(stripe_payment_intent=intent.id).first()
    if payment is None:
        payment_pk = str(intent.metadata.get("payment", ""))
        if payment_pk.isdigit():
            payment = Payment.objects.filter(
                pk=int(payment_pk),
                method=PaymentMethod.CARD,
                invoice__number=intent.metadata.get("invoice", ""),
            ).first()
    return payment


def record_payment(invoice: Invoice, intent: provider.IntentState, *, by=None) -> Payment:
    """Stripe says the card was charged: mark the invoice paid, once. A charge whose amount
    or currency differs from the invoice, or that arrives for an invoice already settled,
    is flagged for staff and pays nothing."""
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        payment = payment_for_intent(intent)
        if payment is not None:
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.invoice_id != invoice.pk:
                raise PaymentError(f"Payment {payment.pk} does not belong to {invoice}.")
        else:
            # An intent the pay page did not start (made in Stripe's dashboard, say).
            payment = Payment(invoice=invoice, method=PaymentMethod.CARD)
        if payment.status in SETTLED:
            return payment
        payment.stripe_payment_intent = intent.id
        payment.stripe_customer = payment.stripe_customer or intent.customer
        payment.amount_cents = intent.amount_cents
        payment.currency = intent.currency
        payment.failure_message = ""

        problem = _mismatch(invoice, intent)
        if problem:
            payment.status = PaymentStatus.FLAGGED
            payment.flag_reason = problem[:300]
            save_with_history(payment, by=by, why=f"Flagged: {problem}")
            logger.warning("Card payment %s flagged: %s", payment.pk, problem)
            return payment

        payment.status = PaymentStatus.SUCCEEDED
        save_with_history(payment, by=by, why="Card payment succeeded")
        _mark_paid(invoice, payment, by=by)
    return payment


def _mismatch(invoice: Invoice, intent: provider.IntentState) -> str:
    if intent.currency != invoice.currency.lower() or intent.amount_cents != invoice.total_cents:
        return (
            f"Stripe charged {format_cents(intent.amount_cents, intent.currency)} "
            f"({intent.currency.upper()}) but invoice {invoice.number} is for "
            f"{format_cents(invoice.total_cents, invoice.currency)} "
            f"({invoice.currency.upper()}); the invoice was not marked paid."
        )
    if invoice.status not in PAYABLE:
        return (
            f"Invoice {invoice.number} was already {invoice.get_status_display().lower()} "
            "when this card payment succeeded; refund it."
        )
    return ""


def record_failure(payment: Payment, message: str, *, intent_id="", by=None) -> Payment:
    """The card was refused: the attempt fails with the card's message; the invoice stays
    as it was."""
    with transaction.atomic():
        _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status not in OPEN_ATTEMPT:
            return payment
        if intent_id and not payment.stripe_payment_intent:
            payment.stripe_payment_intent = intent_id
        payment.status = PaymentStatus.FAILED
        payment.failure_message = (message or "The card was declined.")[:300]
        save_with_history(payment, by=by, why="Card payment failed")
    return payment


def _mark_paid(invoice: Invoice, payment: Payment, *, by=None):
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = timezone.now()
    save_with_history(invoice, by=by, why=f"Paid ({payment.get_method_display()})")
    steps.invoice_paid(invoice.renewal, by=by)
    issue_receipt(payment)  # its number now; the card's brand and last 4 after commit
    _queue_receipt(payment)


def _queue_receipt(payment: Payment):
    from credentials.notifications import queue_message

    invoice = payment.invoice
    renewal = invoice.renewal
    queue_message(
        holder=renewal.holder,
        kind="payment_received",
        dedupe_key=f"payment-received-{payment.pk}",
        renewal=renewal,
        context={
            "invoice": invoice,
            "payment": payment,
            "receipt_path": reverse("payments:receipt", args=[invoice.number, payment.pk]),
        },
        attachments=[{"document": "receipt_pdf", "id": payment.pk}],
    )


# --- cheques ----------------------------------------------------------------------------


# A cheque may arrive before its invoice (a holder paying early), not years before.
CHEQUE_EARLIEST_BEFORE_INVOICE = dt.timedelta(days=366)


def check_not_own_invoice(invoice: Invoice, by, *, field=None) -> None:
    """Separation of duties: money on an invoice is recorded or refunded by someone else
    than its holder (staff may hold credentials too)."""
    if roles.settles_own_invoice(by, invoice.renewal.holder):
        raise PaymentError(roles.OWN_MONEY_REFUSED, field=field)


def record_offline_payment(
    invoice: Invoice, amount_cents: int, cheque_number: str, received_on: dt.date, by
) -> Payment:
    """Staff record a cheque for the invoice's full amount: step 2 completes the same way
    a card payment completes it."""
    cheque_number = (cheque_number or "").strip()
    if not cheque_number:
        raise PaymentError("Enter the cheque number.", field="cheque_number")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise PaymentError("Enter the amount of the cheque.", field="amount")
    if received_on is None or received_on > timezone.localdate():
        raise PaymentError("The date received cannot be in the future.", field="received_on")
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        try:
            _check_payable(invoice)
        except PaymentError as exc:
            exc.field = "invoice"
            raise
        check_not_own_invoice(invoice, by, field="invoice")
        earliest = invoice.issued_on - CHEQUE_EARLIEST_BEFORE_INVOICE
        if received_on < earliest:
            # A typo such as 0001-01-01 would number the receipt in year 1.
            raise PaymentError(
                f"The date received cannot be before {earliest:%B %-d, %Y} "
                f"(invoice {invoice.number} was issued on {invoice.issued_on:%B %-d, %Y}).",
                field="received_on",
            )
        if amount_cents != invoice.total_cents:
            raise PaymentError(
                f"The cheque must cover the invoice total of "
                f"{format_cents(invoice.total_cents, invoice.currency)} "
                f"(you entered {format_cents(amount_cents, invoice.currency)}).",
                field="amount",
            )
        payment = Payment(
            invoice=invoice,
            method=PaymentMethod.CHEQUE,
            status=PaymentStatus.SUCCEEDED,
            amount_cents=amount_cents,
            currency=invoice.currency,
            cheque_number=cheque_number,
            received_on=received_on,
            recorded_by=by,
        )
        save_with_history(payment, by=by, why=f"Cheque {cheque_number} recorded")
        _mark_paid(invoice, payment, by=by)
    return payment
