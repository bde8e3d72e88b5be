import json
import time

import pytest
from django.urls import reverse

from payments.models import InvoiceStatus, Payment, PaymentStatus, WebhookEvent
from tests.factories import InvoiceFactory
from tests.payments.helpers import pay_by_card, post_event
from tests.support.localstripe import sign


@pytest.fixture
def invoice(holder):
    return InvoiceFactory(renewal__holder=holder)


@pytest.fixture
def succeeded_event(localstripe, invoice, holder):
    attempt = pay_by_card(localstripe, invoice, holder)
    return localstripe.event_for("payment_intent.succeeded", attempt.payment.stripe_payment_intent)


@pytest.mark.postgres  # locking and unique constraints: run on PostgreSQL too
def test_webhook_replay_of_the_same_event_100_times_records_one_payment(
    client, invoice, succeeded_event
):
    responses = [post_event(client, succeeded_event) for _ in range(100)]

    assert {r.status_code for r in responses} == {200}
    assert Payment.objects.filter(invoice=invoice, status=PaymentStatus.SUCCEEDED).count() == 1
    assert WebhookEvent.objects.filter(event_id=succeeded_event["id"]).count() == 1
    assert responses[1].json()["outcome"].startswith("duplicate")


def test_a_forged_signature_is_refused_with_400_and_changes_nothing(
    client, invoice, succeeded_event
):
    response = post_event(client, succeeded_event, secret="whsec_not_ours")

    invoice.refresh_from_db()
    assert response.status_code == 400
    assert invoice.status == InvoiceStatus.OPEN
    assert not WebhookEvent.objects.exists()


def test_a_missing_signature_is_refused_with_400_and_changes_nothing(
    client, invoice, succeeded_event
):
    response = post_event(client, succeeded_event, signature="")

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert not Payment.objects.filter(status=PaymentStatus.SUCCEEDED).exists()


def test_a_tampered_payload_with_the_original_signature_is_refused(
    client, invoice, succeeded_event
):
    header = sign(json.dumps(succeeded_event).encode())
    succeeded_event["data"]["object"]["amount"] = 1

    response = post_event(client, succeeded_event, signature=header)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_an_old_signature_replayed_later_is_refused(client, invoice, succeeded_event):
    payload = json.dumps(succeeded_event).encode()
    header = sign(payload, timestamp=time.time() - 3600)

    response = post_event(client, succeeded_event, signature=header)

    assert response.status_code == 400


def test_a_body_that_is_not_json_is_refused_with_400(client, localstripe):
    payload = b"\xff not json"
    response = client.post(
        reverse("payments:stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )

    assert response.status_code == 400


def test_the_webhook_answers_only_post(client):
    assert client.get(reverse("payments:stripe_webhook")).status_code == 405


def test_an_event_the_portal_does_not_use_is_stored_and_ignored(client, localstripe, db):
    event = {"id": "evt_other", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}

    response = post_event(client, event)

    stored = WebhookEvent.objects.get(event_id="evt_other")
    assert response.status_code == 200
    assert stored.outcome.startswith("ignored") and stored.processed_at is not None


def test_a_payment_for_no_invoice_of_ours_is_acknowledged_and_changes_nothing(
    client, localstripe, db
):
    event = {
        "id": "evt_stranger",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_stranger", "amount": 100, "currency": "usd", "metadata": {}}},
    }

    response = post_event(client, event)

    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_a_payment_whose_currency_differs_from_the_invoice_is_flagged(
    client, localstripe, invoice, succeeded_event
):
    succeeded_event["data"]["object"]["currency"] = "eur"

    post_event(client, succeeded_event)

    invoice.refresh_from_db()
    payment = invoice.payments.get()
    assert payment.status == PaymentStatus.FLAGGED
    assert "EUR" in payment.flag_reason
    assert invoice.status == InvoiceStatus.OPEN


@pytest.mark.postgres  # locking and unique constraints: run on PostgreSQL too
def test_a_card_payment_arriving_after_a_cheque_paid_the_invoice_is_flagged_not_paid_twice(
    client, localstripe, invoice, succeeded_event, staff
):
    import datetime as dt

    from payments.services.payments import record_offline_payment

    record_offline_payment(invoice, invoice.total_cents, "1001", dt.date(2026, 11, 20), by=staff)

    post_event(client, succeeded_event)

    card = invoice.payments.get(method="card")
    assert card.status == PaymentStatus.FLAGGED
    assert invoice.payments.filter(status=PaymentStatus.SUCCEEDED).count() == 1
