import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from credentials.models import OutboxMessage
from payments.models import InvoiceStatus, Payment, PaymentStatus
from payments.services import payments as payment_services
from renewal_portal.composition.renewal_steps import renewal_steps
from tests.factories import InvoiceFactory, PaymentFactory
from tests.payments.helpers import (
    CARD_3D_SECURE,
    CARD_DECLINED_AT_CHARGE,
    CARD_DECLINED_AT_SETUP,
    deliver_succeeded_webhook,
    pay_by_card,
    post_event,
    set_up_card,
)


@pytest.fixture
def invoice(holder):
    return InvoiceFactory(renewal__holder=holder, total_cents=27500)


def test_a_card_payment_waits_for_stripes_webhook_before_the_invoice_is_paid(
    localstripe, invoice, holder
):
    attempt = pay_by_card(localstripe, invoice, holder)

    invoice.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.PROCESSING
    assert attempt.payment.stripe_payment_intent.startswith("pi_")
    assert invoice.status == InvoiceStatus.OPEN


def test_the_succeeded_webhook_marks_the_invoice_paid_and_step_2_done(
    client, localstripe, invoice, holder
):
    attempt = pay_by_card(localstripe, invoice, holder)

    deliver_succeeded_webhook(client, localstripe, attempt.payment)

    invoice.refresh_from_db()
    attempt.payment.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.SUCCEEDED
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_at is not None
    assert renewal_steps(invoice.renewal)["payment"].done


def test_the_charge_uses_the_invoice_amount_currency_and_names_the_invoice(
    localstripe, invoice, holder
):
    attempt = pay_by_card(localstripe, invoice, holder)

    (intent,) = [
        i
        for i in localstripe.payment_intents(customer=attempt.payment.stripe_customer)
        if i["id"] == attempt.payment.stripe_payment_intent
    ]
    assert intent["amount"] == 27500
    assert intent["currency"] == "usd"
    assert intent["metadata"] == {"invoice": invoice.number, "payment": str(attempt.payment.pk)}


def test_a_paid_invoice_emails_a_receipt_with_the_pdf(
    client, localstripe, invoice, holder, django_capture_on_commit_callbacks
):
    attempt = pay_by_card(localstripe, invoice, holder)

    with django_capture_on_commit_callbacks(execute=True):
        deliver_succeeded_webhook(client, localstripe, attempt.payment)

    message = OutboxMessage.objects.get(kind="payment_received")
    assert message.to_email == holder.email
    assert invoice.number in message.subject
    (sent,) = mail.outbox
    filename, content, mimetype = sent.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert invoice.number in filename


def test_a_card_declined_at_charge_fails_with_the_cards_message_and_leaves_the_invoice_unpaid(
    localstripe, invoice, holder
):
    attempt = pay_by_card(localstripe, invoice, holder, CARD_DECLINED_AT_CHARGE)

    invoice.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.FAILED
    assert attempt.payment.failure_message == "Your card was declined."
    assert invoice.status == InvoiceStatus.OPEN


def test_the_failed_webhook_after_a_decline_leaves_the_invoice_unpaid(
    client, localstripe, invoice, holder
):
    attempt = pay_by_card(localstripe, invoice, holder, CARD_DECLINED_AT_CHARGE)
    failed = [
        e
        for e in localstripe.events("payment_intent.payment_failed")
        if e["data"]["object"]["metadata"].get("payment") == str(attempt.payment.pk)
    ]

    response = post_event(client, failed[0])

    invoice.refresh_from_db()
    assert response.status_code == 200
    assert invoice.status == InvoiceStatus.OPEN
    assert Payment.objects.get(pk=attempt.payment.pk).status == PaymentStatus.FAILED


def test_a_card_declined_when_set_up_never_reaches_the_portal(localstripe, invoice, holder):
    attempt = payment_services.start_card_payment(invoice, holder)

    status, body = localstripe.confirm_setup_intent(
        attempt.setup_client_secret, CARD_DECLINED_AT_SETUP
    )

    assert status == 402 and body["error"]["message"] == "Your card was declined."
    attempt.payment.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.PENDING
    assert not attempt.payment.stripe_payment_intent


def test_after_a_decline_the_next_attempt_is_a_new_payment(localstripe, invoice, holder):
    declined = pay_by_card(localstripe, invoice, holder, CARD_DECLINED_AT_CHARGE)

    second = pay_by_card(localstripe, invoice, holder)

    assert second.payment.pk != declined.payment.pk
    assert second.payment.status == PaymentStatus.PROCESSING


def test_reloading_the_pay_page_reuses_the_open_attempt(localstripe, invoice, holder):
    first = payment_services.start_card_payment(invoice, holder)
    second = payment_services.start_card_payment(invoice, holder)

    assert first.payment.pk == second.payment.pk
    assert invoice.payments.count() == 1


@pytest.mark.postgres  # locking and unique constraints: run on PostgreSQL too
def test_confirming_the_same_attempt_twice_charges_once(localstripe, invoice, holder):
    attempt = pay_by_card(localstripe, invoice, holder)
    again = payment_services.start_card_payment(invoice, holder)

    assert again.payment.pk == attempt.payment.pk
    assert not again.setup_client_secret  # nothing left to set up: it is being charged
    intents = localstripe.payment_intents(customer=attempt.payment.stripe_customer)
    assert [i["id"] for i in intents] == [attempt.payment.stripe_payment_intent]


def test_a_3d_secure_card_hands_the_authentication_back_to_stripe_js(localstripe, invoice, holder):
    attempt = pay_by_card(localstripe, invoice, holder, CARD_3D_SECURE)

    assert attempt.payment.status == PaymentStatus.REQUIRES_ACTION
    assert attempt.intent_client_secret.startswith(attempt.payment.stripe_payment_intent)


def test_paying_an_invoice_that_is_already_paid_is_refused(localstripe, holder, staff):
    invoice = InvoiceFactory(renewal__holder=holder)
    payment_services.record_offline_payment(
        invoice, invoice.total_cents, "1042", timezone.localdate(), by=staff
    )

    with pytest.raises(payment_services.PaymentError, match="already paid"):
        payment_services.start_card_payment(invoice, holder)


def test_a_holder_cannot_start_paying_another_holders_invoice(localstripe, invoice, other_holder):
    with pytest.raises(payment_services.PaymentError):
        payment_services.start_card_payment(invoice, other_holder)
    assert not invoice.payments.exists()


def test_a_succeeded_charge_for_the_wrong_amount_is_flagged_and_pays_nothing(
    client, localstripe, invoice
):
    card = localstripe._request(
        "POST",
        "/v1/payment_methods",
        {
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
    )[1]
    intent = localstripe.create_payment_intent(
        amount=100,
        currency="usd",
        payment_method=card["id"],
        confirm="true",
        **{"metadata[invoice]": invoice.number},
    )
    event = localstripe.event_for("payment_intent.succeeded", intent["id"])

    post_event(client, event)

    payment = Payment.objects.get(stripe_payment_intent=intent["id"])
    invoice.refresh_from_db()
    assert payment.status == PaymentStatus.FLAGGED
    assert "$1.00" in payment.flag_reason and "$275.00" in payment.flag_reason
    assert invoice.status == InvoiceStatus.OPEN


@pytest.mark.postgres  # locking and unique constraints: run on PostgreSQL too
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_attempts_to_pay_the_same_invoice_make_one_charge(localstripe, holder):
    invoice = InvoiceFactory(renewal__holder=holder)
    attempt = payment_services.start_card_payment(invoice, holder)
    setup_intent_id = set_up_card(localstripe, attempt)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def pay():
        try:
            barrier.wait()
            results.append(
                payment_services.confirm_card_payment(attempt.payment, setup_intent_id, by=holder)
            )
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    attempt.payment.refresh_from_db()
    assert errors == [] and len(results) == 2
    # Both requests answer with the same PaymentIntent: one was created, one charge made.
    assert {r.payment.stripe_payment_intent for r in results} == {
        attempt.payment.stripe_payment_intent
    }
    intents = localstripe.payment_intents(customer=attempt.payment.stripe_customer)
    assert [i["id"] for i in intents] == [attempt.payment.stripe_payment_intent]


def test_an_attempt_stripe_no_longer_knows_is_closed_and_a_new_one_started(
    localstripe, invoice, holder
):
    lost = PaymentFactory(
        invoice=invoice, status=PaymentStatus.PROCESSING, stripe_payment_intent="pi_gone"
    )

    attempt = payment_services.start_card_payment(invoice, holder)

    lost.refresh_from_db()
    assert lost.status == PaymentStatus.FAILED
    assert attempt.payment.pk != lost.pk and attempt.setup_client_secret
