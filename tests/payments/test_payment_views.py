import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import InvoiceStatus, Payment, PaymentStatus
from payments.providers.stripe import StripeProvider
from payments.services.payments import record_offline_payment
from tests.factories import InvoiceFactory, PaymentFactory
from tests.payments.helpers import (
    CARD_DECLINED_AT_CHARGE,
    deliver_succeeded_webhook,
    pay_by_card,
    set_up_card,
)


@pytest.fixture
def invoice(holder):
    return InvoiceFactory(renewal__holder=holder, total_cents=27500)


def test_the_pay_page_frames_the_card_form_and_loads_no_card_script(
    holder_client, localstripe, invoice
):
    response = holder_client.get(reverse("payments:pay", args=[invoice.number]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<iframe class="card-frame" src="/payments/pay/{invoice.number}/card/"' in html
    assert localstripe.js_url not in html  # Stripe.js runs in the frame only
    assert "$275.00" in html


def test_the_pay_page_makes_no_call_to_stripe(holder_client, invoice, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # unreachable: a call would fail

    response = holder_client.get(reverse("payments:pay", args=[invoice.number]))

    assert response.status_code == 200


def test_the_card_frame_mounts_the_card_element_from_stripe_js(holder_client, localstripe, invoice):
    response = holder_client.get(reverse("payments:card_frame", args=[invoice.number]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert f'<script src="{localstripe.js_url}"></script>' in html
    assert 'data-publishable-key="pk_test_portal_tests"' in html
    assert 'data-setup-secret="seti_' in html
    assert "Pay $275.00" in html
    assert "bootstrap.bundle" not in html  # nothing for the card script to break


@pytest.mark.parametrize("name", ["payments:pay", "payments:card_frame"])
def test_the_pay_page_and_its_frame_have_no_inline_script(
    holder_client, localstripe, invoice, name
):
    html = holder_client.get(reverse(name, args=[invoice.number])).content.decode()

    assert "<script>" not in html


@pytest.mark.parametrize(
    "name, args",
    [
        ("payments:pay", lambda p: [p.invoice.number]),
        ("payments:card_frame", lambda p: [p.invoice.number]),
        ("payments:status", lambda p: [p.invoice.number, p.pk]),
        ("payments:receipt", lambda p: [p.invoice.number, p.pk]),
        ("payments:receipt_pdf", lambda p: [p.invoice.number, p.pk]),
    ],
)
def test_another_holders_invoice_is_404(other_holder_client, holder, localstripe, name, args):
    payment = PaymentFactory(invoice__renewal__holder=holder, status=PaymentStatus.SUCCEEDED)

    response = other_holder_client.get(reverse(name, args=args(payment)))

    assert response.status_code == 404


def test_charging_another_holders_payment_is_404_and_charges_nothing(
    other_holder_client, localstripe, invoice, holder
):
    from payments.services.payments import start_card_payment

    attempt = start_card_payment(invoice, holder)
    setup_intent_id = set_up_card(localstripe, attempt)

    response = other_holder_client.post(
        reverse("payments:confirm", args=[invoice.number, attempt.payment.pk]),
        {"setup_intent": setup_intent_id},
    )

    attempt.payment.refresh_from_db()
    assert response.status_code == 404
    assert not attempt.payment.stripe_payment_intent


def test_the_pay_page_needs_a_signed_in_holder(client, invoice):
    response = client.get(reverse("payments:pay", args=[invoice.number]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_confirm_charges_the_card_and_answers_where_to_follow_it(
    holder_client, localstripe, invoice, holder
):
    from payments.services.payments import start_card_payment

    attempt = start_card_payment(invoice, holder)
    setup_intent_id = set_up_card(localstripe, attempt)

    response = holder_client.post(
        reverse("payments:confirm", args=[invoice.number, attempt.payment.pk]),
        {"setup_intent": setup_intent_id},
    )

    assert response.status_code == 200
    assert response.json() == {
        "status": "processing",
        "status_url": reverse("payments:status", args=[invoice.number, attempt.payment.pk]),
    }


@pytest.mark.parametrize("setup_intent", ["", "seti_doesnotexist", "not-a-seti", "x" * 500])
def test_confirm_with_a_bad_setup_intent_answers_with_a_message_not_a_500(
    holder_client, localstripe, invoice, holder, setup_intent
):
    from payments.services.payments import start_card_payment

    attempt = start_card_payment(invoice, holder)

    response = holder_client.post(
        reverse("payments:confirm", args=[invoice.number, attempt.payment.pk]),
        {"setup_intent": setup_intent},
    )

    assert response.status_code in (400, 409, 503)
    assert response.json()["message"]
    attempt.payment.refresh_from_db()
    assert attempt.payment.status == PaymentStatus.PENDING


def test_the_status_page_shows_processing_and_refreshes_until_the_webhook(
    holder_client, client, localstripe, invoice, holder
):
    attempt = pay_by_card(localstripe, invoice, holder)
    url = reverse("payments:status", args=[invoice.number, attempt.payment.pk])

    waiting = holder_client.get(url).content.decode()
    deliver_succeeded_webhook(client, localstripe, attempt.payment)
    done = holder_client.get(url).content.decode()

    assert "Processing your payment" in waiting and 'http-equiv="refresh"' in waiting
    assert "Payment received" in done and 'http-equiv="refresh"' not in done


def test_the_status_page_shows_the_cards_decline_message(
    holder_client, localstripe, invoice, holder
):
    attempt = pay_by_card(localstripe, invoice, holder, CARD_DECLINED_AT_CHARGE)

    html = holder_client.get(
        reverse("payments:status", args=[invoice.number, attempt.payment.pk])
    ).content.decode()

    assert "The payment did not go through" in html
    assert "Your card was declined." in html
    assert "still unpaid" in html


def test_a_late_webhook_is_not_waited_for_forever(holder_client, localstripe, invoice, holder):
    attempt = pay_by_card(localstripe, invoice, holder)
    Payment.objects.filter(pk=attempt.payment.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=1)
    )

    holder_client.get(reverse("payments:status", args=[invoice.number, attempt.payment.pk]))

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_the_card_form_says_so_when_stripe_is_unreachable(holder_client, settings, invoice):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    response = holder_client.get(reverse("payments:card_frame", args=[invoice.number]))

    assert response.status_code == 503
    assert "Card payments are unavailable" in response.content.decode()


def test_the_pay_page_for_a_paid_invoice_sends_the_holder_back(holder_client, invoice, staff):
    record_offline_payment(invoice, 27500, "4711", dt.date(2026, 11, 20), by=staff)

    response = holder_client.get(reverse("payments:pay", args=[invoice.number]), follow=True)

    assert "is already paid" in response.content.decode()


def test_the_receipt_page_and_pdf(holder_client, invoice, staff):
    payment = record_offline_payment(invoice, 27500, "4711", dt.date(2026, 11, 20), by=staff)

    page = holder_client.get(reverse("payments:receipt", args=[invoice.number, payment.pk]))
    pdf = holder_client.get(reverse("payments:receipt_pdf", args=[invoice.number, payment.pk]))

    assert "Cheque no. 4711" in page.content.decode()
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_receipt_pdf_states_the_amount_and_invoice(invoice, staff):
    import io

    from pypdf import PdfReader

    from payments.receipts import receipt_attachment

    payment = record_offline_payment(invoice, 27500, "4711", dt.date(2026, 11, 20), by=staff)

    filename, content, mimetype = receipt_attachment(payment.pk)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert filename == f"AASC-receipt-{payment.receipt_number}-invoice-{invoice.number}.pdf"
    assert "$275.00" in text and invoice.number in text and "4711" in text


def test_there_is_no_receipt_for_an_unpaid_attempt(holder_client, invoice):
    payment = PaymentFactory(invoice=invoice, status=PaymentStatus.FAILED)

    response = holder_client.get(reverse("payments:receipt", args=[invoice.number, payment.pk]))

    assert response.status_code == 404


def _setup_secret(html):
    return html.split('data-setup-secret="', 1)[1].split('"', 1)[0]


def _count_setup_intents_created(monkeypatch):
    created = []
    real = StripeProvider.create_card_setup

    def counting(self, **kwargs):
        setup = real(self, **kwargs)
        created.append(setup.reference)
        return setup

    monkeypatch.setattr(StripeProvider, "create_card_setup", counting)
    return created


def test_loading_the_card_form_twice_makes_one_setup_intent(
    holder_client, localstripe, invoice, monkeypatch
):
    created = _count_setup_intents_created(monkeypatch)
    url = reverse("payments:card_frame", args=[invoice.number])

    first = holder_client.get(url).content.decode()
    second = holder_client.get(url).content.decode()

    assert len(created) == 1
    assert _setup_secret(first) == _setup_secret(second)
    assert _setup_secret(first).startswith(created[0])
    payment = Payment.objects.get(invoice=invoice)
    assert payment.stripe_setup_intent == created[0]


def test_a_setup_intent_that_took_a_card_is_not_reused(
    holder_client, localstripe, invoice, holder, monkeypatch
):
    from payments.services.payments import start_card_payment

    created = _count_setup_intents_created(monkeypatch)
    set_up_card(localstripe, start_card_payment(invoice, holder))  # used, never charged

    url = reverse("payments:card_frame", args=[invoice.number])
    html = holder_client.get(url).content.decode()

    assert len(created) == 2
    assert _setup_secret(html).startswith(created[1])
