"""Issue 16 item 6: the provider is called outside any database transaction and never
under the invoice's row lock (on SQLite that lock is the whole database's write lock), on
every path that calls it: paying, following a payment, refunding, receipts. The services
get the provider's outcomes in the portal's words and record them idempotently (the
webhook may arrive before the portal hears back from its own call).

These tests commit for real (transaction=True): inside the usual test transaction every
call would look like one made in a transaction."""

import pytest

from payments.models import InvoiceStatus, Payment, PaymentStatus
from payments.providers import Declined, RequiresAction, Succeeded, get_provider
from payments.services import payments as payment_services
from payments.services import reversals
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def fake(settings):
    settings.PAYMENT_PROVIDER = "tests.payments.fake_provider.FakeProvider"
    provider = get_provider()
    provider.reset()
    return provider


@pytest.fixture
def invoice(holder):
    return InvoiceFactory(renewal__holder=holder, total_cents=27500)


def pay(fake, invoice, holder):
    attempt = payment_services.start_card_payment(invoice, holder)
    card = fake.set_up_card(attempt.payment.stripe_setup_intent)
    return payment_services.confirm_card_payment(attempt.payment, card, by=holder)


def succeeded(charge):
    """What the provider's webhook says once the charge went through."""
    return Succeeded(
        reference=charge.reference,
        amount_cents=charge.amount_cents,
        currency=charge.currency,
        customer=charge.customer,
        invoice_number=charge.invoice_number,
        payment_id=charge.payment_id,
    )


def test_paying_by_card_calls_the_provider_outside_any_transaction(fake, invoice, holder):
    attempt = pay(fake, invoice, holder)

    assert attempt.payment.status == PaymentStatus.PROCESSING
    assert [name for name, _ in fake.calls] == [
        "create_customer",
        "create_card_setup",
        "card_setup",
        "charge_card",
    ]
    assert fake.calls_in_a_transaction == []


def test_a_card_that_needs_authentication_is_followed_outside_any_transaction(
    fake, invoice, holder
):
    fake.outcome = RequiresAction
    attempt = pay(fake, invoice, holder)
    again = payment_services.confirm_card_payment(
        attempt.payment, attempt.payment.stripe_setup_intent, by=holder
    )  # a second click: answered from the charge already made
    reloaded = payment_services.start_card_payment(invoice, holder)
    refreshed = payment_services.refresh_card_payment(reloaded.payment)

    assert attempt.payment.status == PaymentStatus.REQUIRES_ACTION
    assert attempt.intent_client_secret == again.intent_client_secret
    assert reloaded.intent_client_secret == attempt.intent_client_secret
    assert refreshed.status == PaymentStatus.REQUIRES_ACTION
    assert [name for name, _ in fake.calls].count("charge_card") == 1
    assert fake.calls_in_a_transaction == []


def test_a_declined_card_fails_the_attempt_with_the_cards_message(fake, invoice, holder):
    fake.outcome = Declined
    attempt = pay(fake, invoice, holder)

    invoice.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.FAILED
    assert attempt.payment.failure_message == "Your card was declined."
    assert invoice.status == InvoiceStatus.OPEN
    assert fake.calls_in_a_transaction == []


def test_the_webhook_arriving_before_the_charge_returns_is_not_undone(fake, invoice, holder):
    fake.before_charge = lambda charge: payment_services.record_payment(invoice, succeeded(charge))

    attempt = pay(fake, invoice, holder)

    invoice.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.SUCCEEDED
    assert Payment.objects.get(pk=attempt.payment.pk).status == PaymentStatus.SUCCEEDED
    assert invoice.status == InvoiceStatus.PAID
    assert fake.calls_in_a_transaction == []


def test_a_second_confirmation_while_the_first_is_charging_charges_nothing(
    fake, invoice, holder, monkeypatch
):
    monkeypatch.setattr(payment_services, "CHARGE_WAIT_SECONDS", 0.2)
    attempt = payment_services.start_card_payment(invoice, holder)
    card = fake.set_up_card(attempt.payment.stripe_setup_intent)
    seconds = []
    fake.before_charge = lambda charge: seconds.append(
        payment_services.confirm_card_payment(attempt.payment, card, by=holder)
    )

    first = payment_services.confirm_card_payment(attempt.payment, card, by=holder)

    assert [name for name, _ in fake.calls].count("charge_card") == 1
    assert seconds[0].payment.pk == first.payment.pk
    assert not seconds[0].payment.stripe_payment_intent  # still being charged
    assert first.payment.status == PaymentStatus.PROCESSING
    assert fake.calls_in_a_transaction == []


def test_the_receipts_card_details_are_fetched_outside_any_transaction(fake, invoice, holder):
    attempt = pay(fake, invoice, holder)

    payment_services.record_payment(
        invoice, succeeded(fake.charges[attempt.payment.stripe_payment_intent])
    )

    payment = Payment.objects.get(pk=attempt.payment.pk)
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert "card_of_charge" in [name for name, _ in fake.calls]
    assert fake.calls_in_a_transaction == []


def test_a_refund_calls_the_provider_outside_any_transaction(fake, invoice, holder, staff):
    attempt = pay(fake, invoice, holder)
    charge = fake.charges[attempt.payment.stripe_payment_intent]
    payment = payment_services.record_payment(invoice, succeeded(charge))

    refunded = reversals.refund_payment(payment, by=staff)

    invoice.refresh_from_db()
    assert refunded.status == PaymentStatus.REFUNDED
    assert invoice.status == InvoiceStatus.REFUNDED
    assert "refund" in [name for name, _ in fake.calls]
    assert fake.calls_in_a_transaction == []
