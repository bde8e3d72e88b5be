"""Money that goes back undoes what it paid for (SPEC rule 11): refunds and disputes.

A full refund, or a dispute (a chargeback) opened or lost, puts the invoice back to
unpaid ("refunded", or "disputed" while the bank decides), reopens step 2 and, when the
renewal had completed, undoes it: the credentials it extended go back to their previous
dates (credentials.services.steps.payment_reversed). A dispute won restores the payment,
and the renewal completes again if every other step is still done. A partial refund is
recorded on the payment and flagged for staff to decide; the invoice stays paid. The
holder and the office are told by email each time, once per event (unique outbox keys).

The provider tells us in any order and more than once: each function checks the
payment's state under the invoice's row lock and does nothing when the event changes
nothing. The provider itself is called only outside any transaction (refund_payment).
"""

from __future__ import annotations

import logging
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credentials.models import OfficeContact
from credentials.notifications import queue_message
from credentials.services import steps
from payments.models import InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from payments.providers import Disputed, DisputeStage, Refunded, get_provider
from payments.services.payments import (
    OPEN_ATTEMPT,
    PAYABLE,
    PaymentError,
    _lock_invoice,
    _mark_paid,
    check_not_own_invoice,
)
from renewal_portal.infra.history import save_with_history
from renewal_portal.infra.money import format_cents

logger = logging.getLogger(__name__)

Stage = DisputeStage


# --- refunds ----------------------------------------------------------------------------


def refund_payment(payment: Payment, *, by) -> Payment:
    """Refund a card payment in full (or the rest of it, after a partial refund) through
    the provider (staff, from admin). The provider also tells by webhook; whichever comes
    first records the refund, the other changes nothing.

    (a) a short transaction checks, under the invoice's lock, that the payment can be
    refunded by this person; (b) the provider is called outside any transaction; (c)
    record_refund records it under the lock again."""
    with transaction.atomic():
        _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_related("invoice__renewal").get(pk=payment.pk)
        if payment.method != PaymentMethod.CARD or not payment.stripe_payment_intent:
            raise PaymentError("Only card payments can be refunded through the card processor.")
        if payment.status != PaymentStatus.SUCCEEDED:
            raise PaymentError(f"Payment {payment.pk} is {payment.get_status_display().lower()}.")
        check_not_own_invoice(payment.invoice, by)
    refund = get_provider().refund(
        payment.stripe_payment_intent,
        idempotency_key=f"aasc-refund-{payment.pk}-{payment.amount_refunded_cents}",
    )
    # The provider refunds what is left: after a partial refund, that is the rest.
    return record_refund(
        Refunded(
            charge=payment.stripe_payment_intent,
            amount_cents=payment.amount_cents,
            amount_refunded_cents=min(
                payment.amount_cents, payment.amount_refunded_cents + refund.amount_cents
            ),
        ),
        by=by,
    )


def record_refund(notice: Refunded, *, by=None) -> Payment | None:
    """The charge was refunded. In full: the payment and the invoice become refunded,
    step 2 reopens and a completed renewal is undone. In part: the amount is recorded and
    the payment flagged for staff; the invoice stays paid. None if the charge is not ours."""
    payment = Payment.objects.filter(stripe_payment_intent=notice.charge).first()
    if payment is None:
        return None
    with transaction.atomic():
        invoice = _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status not in (PaymentStatus.SUCCEEDED, *OPEN_ATTEMPT):
            return payment  # already refunded, or disputed (the provider refuses those refunds)
        if notice.amount_refunded_cents <= payment.amount_refunded_cents:
            return payment  # an older or repeated notice
        payment.amount_refunded_cents = notice.amount_refunded_cents
        refunded = format_cents(notice.amount_refunded_cents, payment.currency)
        if notice.amount_refunded_cents < payment.amount_cents:
            payment.flag_reason = (
                f"Partly refunded: {refunded} of "
                f"{format_cents(payment.amount_cents, payment.currency)}. Invoice "
                f"{invoice.number} stays paid and the renewal unchanged; decide whether to "
                "refund the rest."
            )[:300]
            save_with_history(payment, by=by, why=f"Partial refund of {refunded}: left for staff")
            logger.warning("Partial refund of %s on payment %s", refunded, payment.pk)
            ref = str(notice.amount_refunded_cents)
            _tell(payment, "partial_refund", ref=ref, office_only=True)
            return payment
        if payment.status in OPEN_ATTEMPT:
            # The provider told of the refund before it told of the payment: the charge never
            # pays the invoice (its success, when it is told, changes nothing).
            payment.status = PaymentStatus.REFUNDED
            payment.refunded_at = timezone.now()
            save_with_history(payment, by=by, why="Refunded before its payment was confirmed")
            _tell(payment, "refund")
            return payment
        payment.status = PaymentStatus.REFUNDED
        payment.refunded_at = timezone.now()
        save_with_history(payment, by=by, why="Refunded")
        if invoice.status == InvoiceStatus.PAID:
            invoice.status = InvoiceStatus.REFUNDED
            save_with_history(invoice, by=by, why="Refunded: step 2 open again")
            reversal = steps.payment_reversed(invoice.renewal, why="Payment refunded", by=by)
            _tell(payment, "refund", reversal=reversal)
    return payment


def record_cheque_refund(payment: Payment, *, by, reason: str) -> Payment:
    """The office gave a cheque's money back (staff, from admin): like a full card refund,
    the invoice becomes refunded, step 2 reopens and a completed renewal is undone; the
    holder and the office are told. A reason is required; a refund happens once."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PaymentError("Give the reason for the refund (it goes into the history).")
    if payment.method != PaymentMethod.CHEQUE:
        raise PaymentError("Card payments are refunded through the card processor.")
    with transaction.atomic():
        invoice = _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.SUCCEEDED:
            raise PaymentError(f"This cheque is {payment.get_status_display().lower()}.")
        check_not_own_invoice(invoice, by)
        payment.status = PaymentStatus.REFUNDED
        payment.amount_refunded_cents = payment.amount_cents
        payment.refunded_at = timezone.now()
        save_with_history(payment, by=by, why=f"Cheque refunded: {reason}")
        reversal = None
        if invoice.status == InvoiceStatus.PAID:
            invoice.status = InvoiceStatus.REFUNDED
            save_with_history(invoice, by=by, why="Refunded: step 2 open again")
            reversal = steps.payment_reversed(invoice.renewal, why="Cheque refunded", by=by)
        _tell(payment, "refund", reversal=reversal)
    return payment


# --- disputes ---------------------------------------------------------------------------


def record_dispute(notice: Disputed, *, by=None) -> Payment | None:
    """A dispute was opened on the charge, or closed won or lost (see the module's
    docstring). None if the charge is not ours."""
    payment = Payment.objects.filter(stripe_payment_intent=notice.charge).first()
    if payment is None:
        return None
    with transaction.atomic():
        invoice = _lock_invoice(payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if notice.stage == Stage.OPENED:
            _dispute_opened(invoice, payment, notice, by=by)
        elif notice.stage == Stage.WON:
            _dispute_won(invoice, payment, notice, by=by)
        elif notice.stage == Stage.LOST:
            _dispute_lost(invoice, payment, notice, by=by)
    return payment


def _dispute_opened(invoice, payment, notice, *, by):
    if payment.status in OPEN_ATTEMPT:
        # Disputed before the provider told us the payment succeeded: it pays nothing meanwhile.
        payment.status = PaymentStatus.DISPUTED
        payment.stripe_dispute = notice.dispute
        save_with_history(payment, by=by, why="Disputed before its payment was confirmed")
        _tell(payment, "dispute_opened", ref=notice.dispute)
        return
    if payment.status != PaymentStatus.SUCCEEDED:
        return  # already disputed, refunded or settled otherwise: nothing left to take back
    payment.status = PaymentStatus.DISPUTED
    payment.stripe_dispute = notice.dispute
    save_with_history(payment, by=by, why="Disputed by the cardholder: chargeback open")
    if invoice.status == InvoiceStatus.PAID:
        invoice.status = InvoiceStatus.DISPUTED
        save_with_history(invoice, by=by, why="Payment disputed: step 2 open again")
        reversal = steps.payment_reversed(invoice.renewal, why="Payment disputed", by=by)
        _tell(payment, "dispute_opened", ref=notice.dispute, reversal=reversal)


def _dispute_won(invoice, payment, notice, *, by):
    if payment.status != PaymentStatus.DISPUTED:
        return  # never recorded as disputed (an inquiry, or an event we missed)
    if invoice.payments.filter(status=PaymentStatus.SUCCEEDED).exclude(pk=payment.pk).exists():
        # Disputed before it was confirmed, and the invoice was paid another way meanwhile:
        # the office keeps this money too, so it pays nothing and staff refund it.
        payment.status = PaymentStatus.FLAGGED
        payment.flag_reason = (
            f"Dispute won, but invoice {invoice.number} was already paid by another payment; "
            "refund this one."
        )[:300]
        save_with_history(
            payment, by=by, why="Dispute won on an invoice already paid: left for staff"
        )
        _tell(payment, "dispute_won", ref=notice.dispute, office_only=True)
        return
    payment.status = PaymentStatus.SUCCEEDED
    save_with_history(payment, by=by, why="Dispute won: the payment stands")
    if invoice.status == InvoiceStatus.DISPUTED:
        invoice.status = InvoiceStatus.PAID
        save_with_history(invoice, by=by, why="Dispute won: paid again")
        # The renewal completes again if every other step is still done.
        steps.invoice_paid(invoice.renewal, by=by)
    elif invoice.status in PAYABLE and payment.amount_cents == invoice.total_cents:
        # Disputed before it was ever recorded as paid: it pays the invoice now.
        _mark_paid(invoice, payment, by=by)
    _tell(payment, "dispute_won", ref=notice.dispute)


def _dispute_lost(invoice, payment, notice, *, by):
    if payment.status == PaymentStatus.SUCCEEDED:
        # The opening was never recorded (a missed event): undo what the payment paid for.
        _dispute_opened(invoice, payment, notice, by=by)
    if payment.status != PaymentStatus.DISPUTED:
        return
    payment.status = PaymentStatus.CHARGED_BACK
    save_with_history(payment, by=by, why="Dispute lost: the money went back to the cardholder")
    if invoice.status == InvoiceStatus.DISPUTED:
        invoice.status = InvoiceStatus.OPEN
        save_with_history(invoice, by=by, why="Dispute lost: unpaid, step 2 open")
    _tell(payment, "dispute_lost", ref=notice.dispute)


# --- telling the holder and the office --------------------------------------------------


def office_email() -> str:
    """Where the office reads about money that went back: the office contact's address,
    or the address the portal sends from."""
    email = (
        OfficeContact.objects.exclude(email="").order_by("pk").values_list("email", flat=True)
    ).first()
    return email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _tell(payment, event: str, *, ref: str = "", reversal=None, office_only=False):
    """Email the holder and the office that money went back (or a dispute ended)."""
    invoice = payment.invoice
    renewal = invoice.renewal
    context = {
        "event": event,
        "invoice": invoice,
        "payment": payment,
        "amount": format_cents(payment.amount_cents, payment.currency),
        "refunded": format_cents(payment.amount_refunded_cents, payment.currency),
        "was_complete": bool(reversal and reversal.was_complete),
        "restored": [
            {"credential": credential, "valid_through": before}
            for credential, before, _ in (reversal.restored if reversal else [])
        ],
        "renewal_url": reverse("credentials:renewal"),
        "invoice_url": reverse("payments:invoice", args=[invoice.number]),
        "admin_url": reverse("admin:payments_payment_change", args=[payment.pk]),
    }
    key = f"{event}:{payment.pk}:{ref}"
    if not office_only:
        queue_message(
            holder=renewal.holder,
            kind="money_returned",
            dedupe_key=f"money_returned:{key}"[:200],
            renewal=renewal,
            context=context,
        )
    queue_message(
        holder=renewal.holder,
        kind="money_returned_office",
        dedupe_key=f"money_returned_office:{key}"[:200],
        renewal=renewal,
        context=context,
        to_email=office_email(),
    )
