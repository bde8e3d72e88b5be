"""Paying a renewal invoice (step 2): card payments through the provider, cheques staff
record. Every change of an invoice's or a payment's state happens here (or, for money
that goes back, in payments.services.reversals), in one transaction that holds the
invoice's row lock, so a retry storm or two browser tabs can never pay an invoice twice
(the partial unique constraint one_successful_payment_per_invoice backs this up).

A card payment goes: start_card_payment (a Payment row per attempt, a customer and a card
set-up at the provider for the card form) -> the card form sets the card up -> the
browser posts its reference back -> confirm_card_payment (one charge per attempt) -> the
provider's webhook -> record_payment / record_failure. The provider (payments.providers)
is only ever called outside a transaction: no row lock is held during a network call.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from credentials import roles
from credentials.notifications import queue_message
from credentials.services import steps
from payments.models import Invoice, InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from payments.providers import (
    CardSetup,
    Charge,
    ChargeOutcome,
    Declined,
    NotFound,
    ProviderError,
    RequiresAction,
    Succeeded,
    get_provider,
)
from payments.receipts import issue_receipt
from payments.selectors import payments_of
from renewal_portal.infra.history import save_with_history
from renewal_portal.infra.money import format_cents

logger = logging.getLogger(__name__)

# A second confirmation of an attempt that is being charged waits this long for the
# first one's answer (a double click, two tabs), then reports the attempt as it stands.
CHARGE_WAIT_SECONDS = 20
# A charge request with no answer after this long died with its process: the attempt
# is closed when the pay page opens again (a charge it made after all comes by webhook).
CHARGE_REQUEST_STALE = dt.timedelta(minutes=2)

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
    never starts a second charge), with its card set-up for the card form (also reused
    while it can take a card: 50 loads of the page make one). The provider is called
    after the attempt is committed, never under the invoice's lock."""
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

    provider = get_provider()
    if payment.stripe_payment_intent:
        # A charge was already made: let the provider say where it stands.
        try:
            payment = refresh_card_payment(payment)
        except NotFound:
            record_failure(payment, "The payment processor has no record of this attempt.")
            return start_card_payment(invoice, holder)
        if payment.status not in (PaymentStatus.PENDING,):
            return _attempt_as_it_stands(payment)
    elif payment.charge_requested_at:
        if not _charge_request_is_stale(payment):
            return CardAttempt(payment=payment)  # being charged right now
        # The request never came back (the process stopped): close it; a charge it made
        # after all is recorded by its webhook (and flagged if the invoice is paid).
        record_failure(payment, "The payment processor did not answer; please pay again.")
        return start_card_payment(invoice, holder)

    if not payment.stripe_customer:
        customer = _known_customer(holder) or provider.create_customer(
            email=holder.email, name=holder.get_full_name() or holder.email, holder_id=holder.pk
        )
        Payment.objects.filter(pk=payment.pk, stripe_customer="").update(stripe_customer=customer)
        payment.refresh_from_db()
    setup = _open_card_setup(payment)
    if setup is None:
        setup = provider.create_card_setup(
            customer=payment.stripe_customer, invoice_number=invoice.number, payment_id=payment.pk
        )
        Payment.objects.filter(pk=payment.pk).update(stripe_setup_intent=setup.reference)
        payment.stripe_setup_intent = setup.reference
    return CardAttempt(payment=payment, setup_client_secret=setup.client_secret)


def _open_card_setup(payment: Payment) -> CardSetup | None:
    """The attempt's card set-up if the card form can still use it (loading the pay page
    again must not create another one at the provider); None when a new one is needed."""
    if not payment.stripe_setup_intent:
        return None
    try:
        setup = get_provider().card_setup(payment.stripe_setup_intent)
    except NotFound:
        return None
    if setup.customer != payment.stripe_customer or not setup.open:
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


def _charge_request_is_stale(payment: Payment) -> bool:
    return timezone.now() - payment.charge_requested_at > CHARGE_REQUEST_STALE


def confirm_card_payment(payment: Payment, setup_reference: str, *, by) -> CardAttempt:
    """Charge the card the holder just set up, once per attempt, without holding any lock
    while the provider answers:

    (a) a short transaction locks the invoice and the attempt, checks the invoice is
        payable and records that a charge was requested (a second click or tab meanwhile
        charges nothing: it waits for the first's answer);
    (b) the provider is called outside any transaction;
    (c) a short transaction locks again and records the outcome, unless the webhook
        told us first (its record stands).

    The result is processing (the webhook will say succeeded), requires_action, or
    failed with the card's message."""
    provider = get_provider()
    if not provider.is_card_setup_reference(setup_reference):
        raise PaymentError("The card details did not reach us; please enter them again.")
    try:
        setup = provider.card_setup(setup_reference)
    except NotFound:
        raise PaymentError("The card details did not reach us; please enter them again.") from None
    if setup.customer != payment.stripe_customer or not payment.stripe_customer:
        raise PaymentError("The card details did not reach us; please enter them again.")
    if not setup.ready:
        raise PaymentError("The card is not set up yet; please enter it again.")

    with transaction.atomic():  # (a)
        invoice = _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        charged = bool(payment.stripe_payment_intent)
        under_way = (
            not charged
            and payment.charge_requested_at is not None
            and payment.status in OPEN_ATTEMPT
            and not _charge_request_is_stale(payment)
        )
        if not (charged or under_way):
            if payment.status not in OPEN_ATTEMPT:
                raise PaymentError("This payment attempt is closed; please start again.")
            _check_payable(invoice)
            payment.charge_requested_at = timezone.now()
            save_with_history(payment, by=by, why="Card charge requested")
    if charged:
        # Another request charged this attempt already: report it, charge nothing.
        return _attempt_as_it_stands(payment)
    if under_way:
        return _attempt_as_it_stands(_wait_for_charge(payment))

    try:  # (b)
        outcome = provider.charge_card(
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            customer=payment.stripe_customer,
            card=setup.card,
            invoice_number=invoice.number,
            payment_id=payment.pk,
            idempotency_key=f"aasc-payment-{payment.pk}",
        )
    except ProviderError:
        _withdraw_charge_request(payment, by=by)
        raise
    return _record_charge(payment, outcome, by=by)  # (c)


def _wait_for_charge(payment: Payment) -> Payment:
    """The attempt once the request charging it has recorded its answer (or after
    CHARGE_WAIT_SECONDS, still being charged). Reads committed rows; holds no lock."""
    deadline = time.monotonic() + CHARGE_WAIT_SECONDS
    while True:
        payment = Payment.objects.get(pk=payment.pk)
        done = (
            payment.stripe_payment_intent
            or payment.status not in OPEN_ATTEMPT
            or payment.charge_requested_at is None
        )
        if done or time.monotonic() >= deadline:
            return payment
        time.sleep(0.1)


def _attempt_as_it_stands(payment: Payment) -> CardAttempt:
    """The attempt as recorded; when the bank wants the holder to authenticate, with
    what the card form needs for it (asked of the provider, outside any transaction)."""
    if payment.status == PaymentStatus.REQUIRES_ACTION and payment.stripe_payment_intent:
        outcome = get_provider().charge(payment.stripe_payment_intent)
        if isinstance(outcome, RequiresAction):
            return CardAttempt(payment=payment, intent_client_secret=outcome.client_secret)
    return CardAttempt(payment=payment)


def _withdraw_charge_request(payment: Payment, *, by=None):
    """The provider could not be reached: the attempt may be charged again (with the
    same idempotency key, so a charge the provider did make is not made twice)."""
    with transaction.atomic():
        _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.stripe_payment_intent or payment.charge_requested_at is None:
            return
        payment.charge_requested_at = None
        save_with_history(
            payment, by=by, why="Card charge request failed: the processor did not answer"
        )


def _record_charge(payment: Payment, outcome: ChargeOutcome, *, by=None) -> CardAttempt:
    """What the provider answered to the charge, recorded under the lock unless the
    webhook (or a refresh) recorded the charge first."""
    if isinstance(outcome, Declined):
        payment = record_failure(payment, outcome.message, intent_id=outcome.reference, by=by)
        return CardAttempt(payment=payment)
    with transaction.atomic():
        _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if not payment.stripe_payment_intent and payment.status in OPEN_ATTEMPT:
            payment.stripe_payment_intent = outcome.reference
            _apply_charge(payment, outcome, by=by)
    if isinstance(outcome, RequiresAction) and payment.status == PaymentStatus.REQUIRES_ACTION:
        return CardAttempt(payment=payment, intent_client_secret=outcome.client_secret)
    return CardAttempt(payment=payment)


def _apply_charge(payment: Payment, outcome: ChargeOutcome, *, by=None):
    """The attempt's state while the provider has not confirmed it by webhook."""
    if isinstance(outcome, RequiresAction):
        payment.status = PaymentStatus.REQUIRES_ACTION
        reason = "Card needs authentication"
    elif isinstance(outcome, Declined):
        payment.status = PaymentStatus.FAILED
        payment.failure_message = outcome.message[:300]
        reason = "Card payment failed"
    else:
        # succeeded or processing: the invoice is marked paid when the webhook says so.
        payment.status = PaymentStatus.PROCESSING
        reason = "Card charged; waiting for the processor's confirmation"
    save_with_history(payment, by=by, why=reason)


def refresh_card_payment(payment: Payment) -> Payment:
    """Ask the provider where an open attempt stands and record it through the same
    services the webhook uses; for when the webhook is late or the holder came back from
    3-D Secure. The provider is asked before any transaction begins."""
    if payment.status not in OPEN_ATTEMPT or not payment.stripe_payment_intent:
        return payment
    outcome = get_provider().charge(payment.stripe_payment_intent)
    if isinstance(outcome, Succeeded):
        return record_payment(payment.invoice, outcome)
    if isinstance(outcome, Declined):
        return record_failure(payment, outcome.message, intent_id=outcome.reference)
    if isinstance(outcome, RequiresAction) and payment.status != PaymentStatus.REQUIRES_ACTION:
        with transaction.atomic():
            _lock_invoice(payment.invoice_id)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.status in OPEN_ATTEMPT:
                _apply_charge(payment, outcome)
    return payment


# How long after asking the provider to charge a card its notices about an unknown charge
# are answered "try again later": long enough for the success notice of a charge whose
# request died mid-way to arrive, short enough that a stranger's charge is not retried
# for days.
CHARGE_IN_FLIGHT_WINDOW = dt.timedelta(hours=1)


def charge_in_flight(now=None) -> bool:
    """A card charge of ours has been asked of the provider and its reference is not
    recorded yet: a refund or dispute notice about a charge we do not know may be about
    it, so it must wait until the charge is recorded (SPEC rule 11)."""
    now = now or timezone.now()
    return (
        Payment.objects.filter(
            method=PaymentMethod.CARD,
            status__in=OPEN_ATTEMPT,
            charge_requested_at__gte=now - CHARGE_IN_FLIGHT_WINDOW,
        )
        .filter(Q(stripe_payment_intent__isnull=True) | Q(stripe_payment_intent=""))
        .exists()
    )


def payment_for_charge(charge: Charge) -> Payment | None:
    """Our payment row for a provider's charge: by its reference, or by the payment the
    charge was made for when it failed before we learnt the reference."""
    payment = Payment.objects.filter(stripe_payment_intent=charge.reference).first()
    if payment is None and charge.payment_id is not None:
        payment = Payment.objects.filter(
            pk=charge.payment_id,
            method=PaymentMethod.CARD,
            invoice__number=charge.invoice_number,
        ).first()
    return payment


def record_payment(invoice: Invoice, charge: Charge, *, by=None) -> Payment:
    """The provider says the card was charged: mark the invoice paid, once. A charge whose
    amount or currency differs from the invoice, or that arrives for an invoice already
    settled, is flagged for staff and pays nothing."""
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        payment = payment_for_charge(charge)
        if payment is not None:
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.invoice_id != invoice.pk:
                raise PaymentError(f"Payment {payment.pk} does not belong to {invoice}.")
        else:
            # A charge the pay page did not start (made in the provider's dashboard, say).
            payment = Payment(invoice=invoice, method=PaymentMethod.CARD)
        if payment.status in SETTLED:
            return payment
        payment.stripe_payment_intent = charge.reference
        payment.stripe_customer = payment.stripe_customer or charge.customer
        payment.amount_cents = charge.amount_cents
        payment.currency = charge.currency
        payment.failure_message = ""

        problem = _mismatch(invoice, charge)
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


def _mismatch(invoice: Invoice, charge: Charge) -> str:
    if charge.currency != invoice.currency.lower() or charge.amount_cents != invoice.total_cents:
        return (
            f"The card was charged {format_cents(charge.amount_cents, charge.currency)} "
            f"({charge.currency.upper()}) but invoice {invoice.number} is for "
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
