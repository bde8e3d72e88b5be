"""The card payment provider the portal uses, chosen by settings.PAYMENT_PROVIDER (a dotted
path; Stripe by default). See payments.providers.base for what a provider does."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from payments.providers.base import (  # noqa: F401  (the names services and views use)
    CardDetails,
    CardForm,
    CardSetup,
    Charge,
    ChargeOutcome,
    Declined,
    Disputed,
    DisputeStage,
    DomainEvent,
    InvalidWebhook,
    NotFound,
    PaymentProvider,
    Processing,
    ProviderError,
    ProviderEvent,
    Refunded,
    RefundIssued,
    RequiresAction,
    Succeeded,
)

DEFAULT = "payments.providers.stripe.StripeProvider"
_instances: dict[str, PaymentProvider] = {}


def get_provider() -> PaymentProvider:
    """The configured provider (one instance per dotted path)."""
    path = getattr(settings, "PAYMENT_PROVIDER", "") or DEFAULT
    if path not in _instances:
        _instances[path] = import_string(path)()
    return _instances[path]
