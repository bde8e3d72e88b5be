"""Stripe: the one module that knows Stripe's ids, status strings and event types.

Each call builds a client from settings, so the keys and the API base can differ per
environment: api.stripe.com in production, a local localstripe server in development and
tests, with the same calls either way. What Stripe answers is turned into the portal's
words (payments.providers.base) before it leaves this module.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import stripe
from django.conf import settings

from payments.providers.base import (
    CardDetails,
    CardForm,
    CardSetup,
    ChargeOutcome,
    Declined,
    Disputed,
    DisputeStage,
    InvalidWebhook,
    NotFound,
    Processing,
    ProviderError,
    ProviderEvent,
    Refunded,
    RefundIssued,
    RequiresAction,
    Succeeded,
)

# A SetupIntent still waiting for a card: the pay page may reuse it.
_SETUP_OPEN = ("requires_payment_method", "requires_confirmation", "requires_action")
# A PaymentIntent that wants a new payment method after a confirmation failed.
_INTENT_FAILED = ("requires_payment_method", "canceled")
# Stripe's dispute statuses: warning_* are inquiries (no money moved), the others are
# chargebacks; "won" and "warning_closed" leave the money with us.
_DISPUTE_CLOSED_FOR_US = ("won", "warning_closed")
_DISPUTE_CLOSED_AGAINST_US = ("lost",)
DECLINED = "Your card was declined."  # when the issuer gave no reason at the charge
FAILED = "The card was declined."  # when a failed intent carries no reason


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _id(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else getattr(value, "id", "") or ""


def _as_dict(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _intent_id(value) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value.startswith("pi_") else ""


def _cents(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _charge(data: dict) -> ChargeOutcome:
    """A PaymentIntent in the portal's words."""
    metadata = data.get("metadata") or {}
    payment = str(metadata.get("payment", ""))
    invoice = metadata.get("invoice")
    fields = {
        "reference": data["id"],
        "amount_cents": int(data.get("amount") or 0),
        "currency": (data.get("currency") or "").lower(),
        "customer": _id(data.get("customer")),
        "invoice_number": invoice if isinstance(invoice, str) else "",
        "payment_id": int(payment) if payment.isdigit() else None,
    }
    status = data.get("status") or ""
    if status == "succeeded":
        return Succeeded(**fields)
    if status == "requires_action":
        return RequiresAction(**fields, client_secret=data.get("client_secret") or "")
    if status in _INTENT_FAILED:
        error = data.get("last_payment_error") or {}
        message = (error.get("message") or "") if isinstance(error, dict) else ""
        return Declined(**fields, message=message or FAILED)
    return Processing(**fields)


def _setup(intent) -> CardSetup:
    card = _id(intent.payment_method)
    return CardSetup(
        reference=intent.id,
        customer=_id(intent.customer),
        card=card,
        client_secret=intent.client_secret or "",
        ready=intent.status == "succeeded" and bool(card),
        open=intent.status in _SETUP_OPEN,
    )


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            raise NotFound(exc.user_message or str(exc)) from exc
        raise ProviderError(exc.user_message or str(exc)) from exc
    except stripe.CardError:
        raise
    except stripe.StripeError as exc:
        raise ProviderError(exc.user_message or str(exc) or type(exc).__name__) from exc


# --- webhook events ----------------------------------------------------------------------


def _succeeded_or_failed(obj, *, failed: bool):
    if not isinstance(obj, dict) or obj.get("object", "payment_intent") != "payment_intent":
        return None
    if not str(obj.get("id", "")).startswith("pi_"):
        return None
    try:
        charge = _charge(obj)
    except (KeyError, TypeError, ValueError):
        return None
    fields = {k: getattr(charge, k) for k in _CHARGE_FIELDS}
    if failed:
        message = charge.message if isinstance(charge, Declined) else FAILED
        return Declined(**fields, message=message)
    return Succeeded(**fields)


_CHARGE_FIELDS = (
    "reference",
    "amount_cents",
    "currency",
    "customer",
    "invoice_number",
    "payment_id",
)


def _refunded(obj) -> Refunded | None:
    if not isinstance(obj, dict):
        return None
    intent_id = _intent_id(obj.get("payment_intent"))
    amount, refunded = _cents(obj.get("amount")), _cents(obj.get("amount_refunded"))
    if not intent_id or amount is None or refunded is None:
        return None
    return Refunded(charge=intent_id, amount_cents=amount, amount_refunded_cents=refunded)


def _disputed(obj, *, closed: bool) -> Disputed | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return None
    intent_id = _intent_id(obj.get("payment_intent"))
    if not intent_id:
        return None
    status = obj.get("status") or ""
    if not closed:
        stage = DisputeStage.OPENED
    elif status in _DISPUTE_CLOSED_FOR_US:
        stage = DisputeStage.WON
    elif status in _DISPUTE_CLOSED_AGAINST_US:
        stage = DisputeStage.LOST
    else:
        return None
    return Disputed(
        dispute=obj["id"][:100],
        charge=intent_id,
        amount_cents=_cents(obj.get("amount")) or 0,
        stage=stage,
        reason=str(obj.get("reason") or "")[:100],
    )


# Stripe's event types the portal uses: how each is read, and why it may be ignored.
_EVENTS = {
    "payment_intent.succeeded": (
        lambda obj: _succeeded_or_failed(obj, failed=False),
        "no payment intent in the event",
    ),
    "payment_intent.payment_failed": (
        lambda obj: _succeeded_or_failed(obj, failed=True),
        "no payment intent in the event",
    ),
    "charge.refunded": (
        _refunded,
        "the charge names no payment intent or refunded amount",
    ),
    "charge.dispute.created": (
        lambda obj: _disputed(obj, closed=False),
        "the dispute names no payment intent or known outcome",
    ),
    "charge.dispute.closed": (
        lambda obj: _disputed(obj, closed=True),
        "the dispute names no payment intent or known outcome",
    ),
}


class StripeProvider:
    """Card payments through Stripe (PaymentIntents confirmed with a SetupIntent's card)."""

    def _client(self) -> stripe.StripeClient:
        options = {}
        if settings.STRIPE_API_BASE:
            options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2, **options)

    # --- the card form ---------------------------------------------------------------

    def card_form(self) -> CardForm:
        return CardForm(
            script_url=settings.STRIPE_JS_URL, publishable_key=settings.STRIPE_PUBLISHABLE_KEY
        )

    def csp_sources(self) -> dict[str, list[str]]:
        """Stripe.js's origin (its script and the frames it opens) and the API it calls;
        read from settings per response, so localstripe and Stripe both work."""
        js = _origin(settings.STRIPE_JS_URL)
        api = _origin(settings.STRIPE_API_BASE) or "https://api.stripe.com"
        return {
            "script-src": [o for o in (js,) if o],
            "frame-src": [o for o in (js,) if o],
            "connect-src": list(dict.fromkeys(o for o in (js, api) if o)),
        }

    # --- customers and cards ------------------------------------------------------------

    def create_customer(self, *, email: str, name: str, holder_id: int) -> str:
        customer = _call(
            self._client().v1.customers.create,
            params={"email": email, "name": name, "metadata": {"holder": str(holder_id)}},
        )
        return customer.id

    def create_card_setup(self, *, customer: str, invoice_number: str, payment_id: int):
        """A SetupIntent that Stripe.js confirms with the card element."""
        intent = _call(
            self._client().v1.setup_intents.create,
            params={
                "customer": customer,
                "usage": "on_session",
                "payment_method_types": ["card"],
                "metadata": {"invoice": invoice_number, "payment": str(payment_id)},
            },
        )
        return _setup(intent)

    def is_card_setup_reference(self, value) -> bool:
        return isinstance(value, str) and value.startswith("seti_") and len(value) <= 100

    def card_setup(self, reference: str) -> CardSetup:
        return _setup(_call(self._client().v1.setup_intents.retrieve, reference))

    # --- charges ------------------------------------------------------------------------

    def charge_card(
        self,
        *,
        amount_cents: int,
        currency: str,
        customer: str,
        card: str,
        invoice_number: str,
        payment_id: int,
        idempotency_key: str,
    ) -> ChargeOutcome:
        """Create and confirm a PaymentIntent with the card the holder has just set up."""
        try:
            intent = _call(
                self._client().v1.payment_intents.create,
                params={
                    "amount": amount_cents,
                    "currency": currency,
                    "customer": customer,
                    "payment_method": card,
                    "payment_method_types": ["card"],
                    "confirm": True,
                    "metadata": {"invoice": invoice_number, "payment": str(payment_id)},
                },
                # Real Stripe returns the same intent for a repeated key; localstripe
                # ignores it, which is why services keep one intent per payment row.
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            intent = getattr(getattr(exc, "error", None), "payment_intent", None)
            return Declined(
                reference=_id(intent),
                amount_cents=amount_cents,
                currency=currency,
                customer=customer,
                invoice_number=invoice_number,
                payment_id=payment_id,
                message=exc.user_message or DECLINED,
            )
        return _charge(_as_dict(intent))

    def charge(self, reference: str) -> ChargeOutcome:
        return _charge(_as_dict(_call(self._client().v1.payment_intents.retrieve, reference)))

    def card_of_charge(self, reference: str) -> CardDetails | None:
        client = self._client()
        intent = _call(client.v1.payment_intents.retrieve, reference)
        payment_method_id = _id(getattr(intent, "payment_method", None))
        if not payment_method_id:
            return None
        card = (
            _as_dict(_call(client.v1.payment_methods.retrieve, payment_method_id)).get("card") or {}
        )
        if not card.get("last4"):
            return None
        return CardDetails(brand=str(card.get("brand") or "")[:20], last4=str(card["last4"])[-4:])

    def refund(self, charge: str, *, idempotency_key: str) -> RefundIssued:
        refund = _call(
            self._client().v1.refunds.create,
            params={"payment_intent": charge},
            options={"idempotency_key": idempotency_key},
        )
        return RefundIssued(reference=refund.id, amount_cents=int(refund.amount or 0))

    # --- webhooks -----------------------------------------------------------------------

    def parse_webhook(self, payload: bytes, headers) -> ProviderEvent:
        """The event in a webhook request, once its Stripe-Signature proves it came from
        Stripe with our endpoint secret (and recently: Stripe's tolerance of 5 minutes)."""
        signature = headers.get("Stripe-Signature", "")
        if not signature:
            raise InvalidWebhook("No Stripe-Signature header.")
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, settings.STRIPE_WEBHOOK_SECRET
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidWebhook(str(exc)) from exc
        data = event.to_dict(for_json=True)
        if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
            raise InvalidWebhook("The event has no id or type.")
        base = {"id": data["id"][:100], "type": data["type"][:100], "payload": data}
        reader = _EVENTS.get(data["type"])
        if reader is None:
            return ProviderEvent(**base, ignored="not an event the portal uses")
        read, why_not = reader
        obj = (data.get("data") or {}).get("object") or {}
        event = read(obj)
        return ProviderEvent(**base, event=event, ignored="" if event else why_not)
