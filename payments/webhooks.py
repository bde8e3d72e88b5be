"""Stripe's webhook: each event is checked, stored once, and handed to a payment service.

The event row and what the event changes commit together: a duplicate delivery hits the
unique event id and changes nothing, and a delivery whose handling fails leaves no row,
so Stripe's retry handles it again.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments import provider
from payments.models import Invoice, WebhookEvent
from payments.services import payments as payment_services
from payments.services import reversals

logger = logging.getLogger(__name__)

InvalidWebhook = provider.InvalidWebhook


def handle_stripe_webhook(payload: bytes, signature_header: str) -> str:
    """Verify, store once and handle one delivery; returns what was done (for the log and
    the response). Raises InvalidWebhook for a bad or missing signature."""
    event = provider.parse_webhook(payload, signature_header)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    event_id=event["id"][:100], type=event["type"][:100], payload=event
                )
        except IntegrityError:
            return "duplicate: already received"
        handler = HANDLERS.get(provider.notice_of(event))
        data_object = (event.get("data") or {}).get("object") or {}
        outcome = handler(data_object) if handler else "ignored: not an event the portal uses"
        record.processed_at = timezone.now()
        record.outcome = outcome[:300]
        record.save(update_fields=["processed_at", "outcome"])
    logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return outcome


def _invoice_for(intent: provider.IntentState) -> Invoice | None:
    payment = payment_services.payment_for_intent(intent)
    if payment is not None:
        return payment.invoice
    number = intent.metadata.get("invoice")
    if not isinstance(number, str) or not number:
        return None
    return Invoice.objects.filter(number=number).first()


def payment_succeeded(data_object) -> str:
    intent = provider.intent_from_event_object(data_object)
    if intent is None:
        return "ignored: no payment intent in the event"
    invoice = _invoice_for(intent)
    if invoice is None:
        return f"ignored: {intent.id} names no invoice of ours"
    payment = payment_services.record_payment(invoice, intent)
    return f"payment {payment.pk} for invoice {invoice.number}: {payment.status}"


def payment_failed(data_object) -> str:
    intent = provider.intent_from_event_object(data_object)
    if intent is None:
        return "ignored: no payment intent in the event"
    payment = payment_services.payment_for_intent(intent)
    if payment is None:
        return f"ignored: {intent.id} is no payment of ours"
    payment = payment_services.record_failure(
        payment, intent.error_message or "The card was declined.", intent_id=intent.id
    )
    return f"payment {payment.pk}: {payment.status}"


def refunded(data_object) -> str:
    notice = provider.refund_from_event_object(data_object)
    if notice is None:
        return "ignored: the charge names no payment intent or refunded amount"
    payment = reversals.record_refund(notice)
    if payment is None:
        return f"ignored: {notice.payment_intent} is no payment of ours"
    return (
        f"payment {payment.pk}: {payment.status}, "
        f"{payment.amount_refunded_cents} cents refunded of {payment.amount_cents}"
    )


def _dispute(data_object, *, closed: bool) -> str:
    notice = provider.dispute_from_event_object(data_object, closed=closed)
    if notice is None:
        return "ignored: the dispute names no payment intent or known outcome"
    payment = reversals.record_dispute(notice)
    if payment is None:
        return f"ignored: {notice.payment_intent} is no payment of ours"
    return f"payment {payment.pk}: dispute {notice.outcome}, payment {payment.status}"


def dispute_opened(data_object) -> str:
    return _dispute(data_object, closed=False)


def dispute_closed(data_object) -> str:
    return _dispute(data_object, closed=True)


# Keyed by what the event tells us (provider.Notice), not by Stripe's event names.
HANDLERS = {
    provider.Notice.PAYMENT_SUCCEEDED: payment_succeeded,
    provider.Notice.PAYMENT_FAILED: payment_failed,
    provider.Notice.REFUNDED: refunded,
    provider.Notice.DISPUTE_OPENED: dispute_opened,
    provider.Notice.DISPUTE_CLOSED: dispute_closed,
}
