"""The payment provider's webhook: each delivery is verified and read by the provider
(payments.providers), stored once, and its domain event handed to a payment service.
Nothing here knows the provider's event names or ids.

The event row and what the event changes commit together: a duplicate delivery hits the
unique event id and changes nothing, and a delivery whose handling fails leaves no row,
so the provider's retry handles it again.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import Invoice, WebhookEvent
from payments.providers import (
    Declined,
    Disputed,
    InvalidWebhook,
    Refunded,
    Succeeded,
    get_provider,
)
from payments.services import payments as payment_services
from payments.services import reversals

logger = logging.getLogger(__name__)

__all__ = ["InvalidWebhook", "RetryLater", "handle_webhook"]


class RetryLater(Exception):
    """This notice cannot be handled yet; the endpoint answers 503 so the provider sends
    it again later (nothing of it is stored meanwhile)."""


def _not_ours_yet(charge_reference: str) -> str:
    """What to do with a refund or dispute of a charge we do not know: if a charge of ours
    is in flight (asked of the provider, its reference not recorded yet), it may be that
    one, so wait for it; otherwise it is not ours."""
    if payment_services.charge_in_flight():
        raise RetryLater(
            f"{charge_reference} may be a charge of ours still being recorded: try again later"
        )
    return f"ignored: {charge_reference} is no payment of ours"


def handle_webhook(payload: bytes, headers) -> str:
    """Verify, store once and handle one delivery; returns what was done (for the log and
    the response). Raises InvalidWebhook for a bad or missing signature."""
    delivery = get_provider().parse_webhook(payload, headers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    event_id=delivery.id, type=delivery.type, payload=delivery.payload
                )
        except IntegrityError:
            return "duplicate: already received"
        if delivery.event is None:
            outcome = f"ignored: {delivery.ignored}"
        else:
            outcome = HANDLERS[type(delivery.event)](delivery.event)
        record.processed_at = timezone.now()
        record.outcome = outcome[:300]
        record.save(update_fields=["processed_at", "outcome"])
    logger.info("Payment event %s (%s): %s", delivery.id, delivery.type, outcome)
    return outcome


def _invoice_for(charge: Succeeded) -> Invoice | None:
    payment = payment_services.payment_for_charge(charge)
    if payment is not None:
        return payment.invoice
    if not charge.invoice_number:
        return None
    return Invoice.objects.filter(number=charge.invoice_number).first()


def payment_succeeded(charge: Succeeded) -> str:
    invoice = _invoice_for(charge)
    if invoice is None:
        return f"ignored: {charge.reference} names no invoice of ours"
    payment = payment_services.record_payment(invoice, charge)
    return f"payment {payment.pk} for invoice {invoice.number}: {payment.status}"


def payment_failed(charge: Declined) -> str:
    payment = payment_services.payment_for_charge(charge)
    if payment is None:
        return f"ignored: {charge.reference} is no payment of ours"
    payment = payment_services.record_failure(payment, charge.message, intent_id=charge.reference)
    return f"payment {payment.pk}: {payment.status}"


def refunded(notice: Refunded) -> str:
    payment = reversals.record_refund(notice)
    if payment is None:
        return _not_ours_yet(notice.charge)
    return (
        f"payment {payment.pk}: {payment.status}, "
        f"{payment.amount_refunded_cents} cents refunded of {payment.amount_cents}"
    )


def disputed(notice: Disputed) -> str:
    payment = reversals.record_dispute(notice)
    if payment is None:
        return _not_ours_yet(notice.charge)
    return f"payment {payment.pk}: dispute {notice.stage}, payment {payment.status}"


# Keyed by the domain event the provider read, not by the provider's event names.
HANDLERS = {
    Succeeded: payment_succeeded,
    Declined: payment_failed,
    Refunded: refunded,
    Disputed: disputed,
}
