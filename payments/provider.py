"""The one module that speaks Stripe (pretix keeps each payment provider behind one class;
here it is one module). Everything else talks about invoices and payments and gets plain
dataclasses back from these functions.

Each call builds a client from settings, so the keys and the API base can differ per
environment: api.stripe.com in production, a local localstripe server in development and
tests, with the same calls either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import stripe
from django.conf import settings


class ProviderError(Exception):
    """Stripe could not be reached or refused the request (not the card's fault)."""


class NotFound(ProviderError):
    """Stripe knows no such object (a local test server restarted without its state)."""


class CardDeclined(Exception):
    """The card was refused; `message` is the issuer's reason, fit to show the holder."""

    def __init__(self, message, intent_id=""):
        super().__init__(message)
        self.message = message
        self.intent_id = intent_id


class InvalidWebhook(Exception):
    """The webhook's payload or signature does not check out."""


@dataclass(frozen=True)
class SetupState:
    id: str
    status: str
    customer: str
    payment_method: str
    client_secret: str

    @property
    def card_is_set_up(self) -> bool:
        return self.status == "succeeded" and bool(self.payment_method)

    @property
    def can_take_a_card(self) -> bool:
        """Still waiting for a card (not yet used, not canceled): the pay page may reuse it."""
        return self.status in (
            "requires_payment_method",
            "requires_confirmation",
            "requires_action",
        )


@dataclass(frozen=True)
class IntentState:
    """What Stripe says about a PaymentIntent, in our words."""

    id: str
    status: str  # Stripe's: succeeded, processing, requires_action, requires_payment_method …
    amount_cents: int
    currency: str
    customer: str = ""
    client_secret: str = ""
    error_message: str = ""
    metadata: dict = field(default_factory=dict)

    @property
    def succeeded(self):
        return self.status == "succeeded"

    @property
    def needs_action(self):
        return self.status == "requires_action"

    @property
    def failed(self):
        # A PaymentIntent that wants a new payment method after a confirmation has failed.
        return self.status in ("requires_payment_method", "canceled")


@dataclass(frozen=True)
class RefundState:
    id: str
    status: str
    amount_cents: int
    payment_intent: str


@dataclass(frozen=True)
class RefundNotice:
    """Stripe says money of a charge went back to the card (charge.refunded)."""

    payment_intent: str
    amount_cents: int
    amount_refunded_cents: int

    @property
    def in_full(self) -> bool:
        return self.amount_refunded_cents >= self.amount_cents


class DisputeOutcome:
    """Where a dispute (a chargeback the cardholder asked their bank for) stands."""

    OPEN = "open"  # the bank has taken the money back while it decides
    WON = "won"  # decided for us (or an inquiry closed): the money stays with us
    LOST = "lost"  # decided for the cardholder: the money is gone


@dataclass(frozen=True)
class DisputeNotice:
    """Stripe says a charge is disputed, or how its dispute ended."""

    id: str
    payment_intent: str
    amount_cents: int
    outcome: str  # a DisputeOutcome
    reason: str = ""


class Notice:
    """What a webhook event tells the portal, in its words (the event types we use)."""

    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_CLOSED = "dispute_closed"


EVENT_NOTICES = {
    "payment_intent.succeeded": Notice.PAYMENT_SUCCEEDED,
    "payment_intent.payment_failed": Notice.PAYMENT_FAILED,
    "charge.refunded": Notice.REFUNDED,
    "charge.dispute.created": Notice.DISPUTE_OPENED,
    "charge.dispute.closed": Notice.DISPUTE_CLOSED,
}


def notice_of(event: dict) -> str:
    """The Notice an event carries, or '' for an event the portal does not use."""
    return EVENT_NOTICES.get(event.get("type", ""), "")


def _client() -> stripe.StripeClient:
    options = {}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2, **options)


def _id(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else getattr(value, "id", "") or ""


def _intent_state(intent) -> IntentState:
    data = intent.to_dict() if hasattr(intent, "to_dict") else dict(intent)
    error = data.get("last_payment_error") or {}
    return IntentState(
        id=data["id"],
        status=data.get("status") or "",
        amount_cents=int(data.get("amount") or 0),
        currency=(data.get("currency") or "").lower(),
        customer=_id(data.get("customer")),
        client_secret=data.get("client_secret") or "",
        error_message=(error.get("message") or "") if isinstance(error, dict) else "",
        metadata=dict(data.get("metadata") or {}),
    )


def intent_from_event_object(obj) -> IntentState | None:
    """A webhook's data.object for a payment_intent.* event, in our words; None when it
    is no PaymentIntent."""
    if not isinstance(obj, dict) or obj.get("object", "payment_intent") != "payment_intent":
        return None
    if not str(obj.get("id", "")).startswith("pi_"):
        return None
    try:
        return _intent_state(obj)
    except (KeyError, TypeError, ValueError):
        return None


def _intent_id(value) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value.startswith("pi_") else ""


def refund_from_event_object(obj) -> RefundNotice | None:
    """A charge.refunded event's charge, in our words; None when it names no
    PaymentIntent or amounts."""
    if not isinstance(obj, dict):
        return None
    intent_id = _intent_id(obj.get("payment_intent"))
    amount, refunded = obj.get("amount"), obj.get("amount_refunded")
    if not intent_id or not isinstance(refunded, int) or isinstance(refunded, bool):
        return None
    if not isinstance(amount, int) or isinstance(amount, bool):
        return None
    return RefundNotice(
        payment_intent=intent_id, amount_cents=amount, amount_refunded_cents=refunded
    )


# Stripe's dispute statuses: warning_* are inquiries (no money moved), the others are
# chargebacks; "won" and "warning_closed" leave the money with us.
_DISPUTE_CLOSED_FOR_US = ("won", "warning_closed")
_DISPUTE_CLOSED_AGAINST_US = ("lost",)


def dispute_from_event_object(obj, *, closed: bool) -> DisputeNotice | None:
    """A charge.dispute.* event's dispute, in our words; None when it names no
    PaymentIntent or, for a closed dispute, no known outcome."""
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return None
    intent_id = _intent_id(obj.get("payment_intent"))
    if not intent_id:
        return None
    status = obj.get("status") or ""
    if not closed:
        outcome = DisputeOutcome.OPEN
    elif status in _DISPUTE_CLOSED_FOR_US:
        outcome = DisputeOutcome.WON
    elif status in _DISPUTE_CLOSED_AGAINST_US:
        outcome = DisputeOutcome.LOST
    else:
        return None
    amount = obj.get("amount")
    return DisputeNotice(
        id=obj["id"][:100],
        payment_intent=intent_id,
        amount_cents=amount if isinstance(amount, int) and not isinstance(amount, bool) else 0,
        outcome=outcome,
        reason=str(obj.get("reason") or "")[:100],
    )


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        intent = getattr(getattr(exc, "error", None), "payment_intent", None)
        raise CardDeclined(exc.user_message or "Your card was declined.", _id(intent)) from exc
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            raise NotFound(exc.user_message or str(exc)) from exc
        raise ProviderError(exc.user_message or str(exc)) from exc
    except stripe.StripeError as exc:
        raise ProviderError(exc.user_message or str(exc) or type(exc).__name__) from exc


def create_customer(*, email: str, name: str, metadata: dict) -> str:
    customer = _call(
        _client().v1.customers.create,
        params={"email": email, "name": name, "metadata": metadata},
    )
    return customer.id


def create_setup_intent(*, customer: str, metadata: dict) -> SetupState:
    """A SetupIntent that Stripe.js confirms with the card element: the card number goes
    from the browser to Stripe, never through the portal."""
    intent = _call(
        _client().v1.setup_intents.create,
        params={
            "customer": customer,
            "usage": "on_session",
            "payment_method_types": ["card"],
            "metadata": metadata,
        },
    )
    return _setup_state(intent)


def is_setup_intent_id(value) -> bool:
    """Whether a value the browser posted back can be a SetupIntent's id."""
    return isinstance(value, str) and value.startswith("seti_") and len(value) <= 100


def retrieve_setup_intent(setup_intent_id: str) -> SetupState:
    return _setup_state(_call(_client().v1.setup_intents.retrieve, setup_intent_id))


def _setup_state(intent) -> SetupState:
    return SetupState(
        id=intent.id,
        status=intent.status,
        customer=_id(intent.customer),
        payment_method=_id(intent.payment_method),
        client_secret=intent.client_secret or "",
    )


def charge_card(
    *,
    amount_cents: int,
    currency: str,
    customer: str,
    payment_method: str,
    metadata: dict,
    idempotency_key: str,
) -> IntentState:
    """Create and confirm a PaymentIntent with a card the holder has just set up. Returns
    its state (succeeded, processing or requires_action); raises CardDeclined."""
    intent = _call(
        _client().v1.payment_intents.create,
        params={
            "amount": amount_cents,
            "currency": currency,
            "customer": customer,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": metadata,
        },
        # Real Stripe returns the same intent for a repeated key; localstripe ignores it,
        # which is why services keep one intent per payment row themselves.
        options={"idempotency_key": idempotency_key},
    )
    return _intent_state(intent)


def retrieve_payment_intent(intent_id: str) -> IntentState:
    return _intent_state(_call(_client().v1.payment_intents.retrieve, intent_id))


@dataclass(frozen=True)
class CardDetails:
    """The card a PaymentIntent charged, as a receipt names it."""

    brand: str  # Stripe's: visa, mastercard, amex …
    last4: str


def card_of_payment_intent(intent_id: str) -> CardDetails | None:
    """The brand and last four digits of the card a PaymentIntent charged (None when it
    charged no card)."""
    client = _client()
    intent = _call(client.v1.payment_intents.retrieve, intent_id)
    payment_method_id = _id(getattr(intent, "payment_method", None))
    if not payment_method_id:
        return None
    method = _call(client.v1.payment_methods.retrieve, payment_method_id)
    data = method.to_dict() if hasattr(method, "to_dict") else dict(method)
    card = data.get("card") or {}
    if not card.get("last4"):
        return None
    return CardDetails(brand=str(card.get("brand") or "")[:20], last4=str(card["last4"])[-4:])


def refund_payment_intent(intent_id: str, *, idempotency_key: str) -> RefundState:
    refund = _call(
        _client().v1.refunds.create,
        params={"payment_intent": intent_id},
        options={"idempotency_key": idempotency_key},
    )
    return RefundState(
        id=refund.id,
        status=refund.status or "",
        amount_cents=int(refund.amount or 0),
        payment_intent=_id(refund.payment_intent) or intent_id,
    )


def parse_webhook(payload: bytes, signature_header: str) -> dict:
    """The event in a webhook request, once its Stripe-Signature proves it came from
    Stripe with our endpoint secret; raises InvalidWebhook otherwise."""
    if not signature_header:
        raise InvalidWebhook("No Stripe-Signature header.")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature_header, settings.STRIPE_WEBHOOK_SECRET
        )
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidWebhook(str(exc)) from exc
    data = event.to_dict(for_json=True)
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise InvalidWebhook("The event has no id or type.")
    return data
