import datetime as dt

import factory

from payments.models import Invoice, InvoiceLine, LineKind, Payment, PaymentMethod, PaymentStatus

from .credentials import RenewalFactory

__all__ = ["InvoiceFactory", "InvoiceLineFactory", "PaymentFactory"]


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An open renewal invoice with one renewal-fee line for its whole total."""

    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    renewal = factory.SubFactory(RenewalFactory)
    # Far from the numbers the real sequence hands out, so both can live in one test.
    number = factory.Sequence(lambda n: f"T{n:06d}")
    issued_on = dt.date(2026, 11, 15)
    currency = "usd"
    total_cents = 25000
    line = factory.RelatedFactory(
        "tests.factories.payments.InvoiceLineFactory",
        "invoice",
        amount_cents=factory.SelfAttribute("..total_cents"),
    )


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory, line=None)
    kind = LineKind.RENEWAL_FEE
    description = "CAM Certified Apartment Manager: 2027 renewal"
    cecs_owed = 8
    amount_cents = 25000
    position = 1


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    method = PaymentMethod.CARD
    status = PaymentStatus.PENDING
    amount_cents = factory.SelfAttribute("invoice.total_cents")
    currency = "usd"
