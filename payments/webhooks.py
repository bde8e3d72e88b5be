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
        handler = HANDLERS.get(event["type"])
        data_object = (event.get("data") or {}).get("object") or {}
        outcome = handler(data_object) if handler else "ignored: not an event the portal uses"
        record.processed_at = timezone.now()
        record.outcome = outcome[:300]
        record.save(update_fields=["processed_at", "outcome"])
    logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return outcome


def _intent(data_object) -> provider.IntentState | None:
    if not isinstance(data_object, dict) or not str(data_object.get("id", "")).startswith("pi_"):
        return None
    try:
        return provider.intent_from_event_object(data_object)
    except (KeyError, TypeError, ValueError):
        return None


def _invoice_for(intent: provider.IntentState) -> Invoice | None:
    payment = payment_services.payment_for_intent(intent)
    if payment is not None:
        return payment.invoice
    number = intent.metadata.get("invoice")
    if not isinstance(number, str) or not number:
        return None
    return Invoice.objects.filter(number=number).first()


def payment_intent_succeeded(data_object) -> str:
    intent = _intent(data_object)
    if intent is None:
        return "ignored: no payment intent in the event"
    invoice = _invoice_for(intent)
    if invoice is None:
        return f"ignored: {intent.id} names no invoice of ours"
    payment = payment_services.record_payment(invoice, intent)
    return f"payment {payment.pk} for invoice {invoice.number}: {payment.status}"


def payment_intent_payment_failed(data_object) -> str:
    intent = _intent(data_object)
    if intent is None:
        return "ignored: no payment intent in the event"
    payment = payment_services.payment_for_intent(intent)
    if payment is None:
        return f"ignored: {intent.id} is no payment of ours"
    payment = payment_services.record_failure(
        payment, intent.error_message or "The card was declined.", intent_id=intent.id
    )
    return f"payment {payment.pk}: {payment.status}"


def charge_refunded(data_object) -> str:
    if not isinstance(data_object, dict):
        return "ignored: no charge in the event"
    intent_id = data_object.get("payment_intent")
    if isinstance(intent_id, dict):
        intent_id = intent_id.get("id")
    amount_refunded = data_object.get("amount_refunded")
    if not isinstance(intent_id, str) or not isinstance(amount_refunded, int):
        return "ignored: the charge names no payment intent or refunded amount"
    payment = payment_services.record_refund(intent_id, amount_refunded_cents=amount_refunded)
    if payment is None:
        return f"ignored: {intent_id} is no payment of ours"
    return f"payment {payment.pk}: {payment.status}"


HANDLERS = {
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_payment_failed,
    "charge.refunded": charge_refunded,
}
