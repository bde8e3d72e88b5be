"""A holder pays the renewal invoice by card on the pay page, against a real localstripe:
Stripe.js's card element, a server-side charge, and Stripe's webhook posted to the live
server before step 2 turns done."""

import datetime as dt

import pytest

from credentials import rules
from credentials.services.renewals import issue_renewal_for
from payments.models import InvoiceStatus, Payment, PaymentStatus, WebhookEvent
from tests.browser.conftest import sign_in
from tests.factories import CredentialFactory, HolderFactory
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def stripe_webhooks_to_live_server(localstripe, live_server):
    localstripe.register_webhook(f"{live_server.url}/payments/stripe/webhook/")
    yield localstripe
    localstripe.forget_webhook()


@pytest.fixture
def renewal():
    year = rules.renewal_year_on(dt.date.today())
    holder = HolderFactory(email="card.payer@example.org", first_name="Carla", last_name="Payer")
    CredentialFactory(holder=holder, valid_through=dt.date(year - 1, 12, 31))
    return issue_renewal_for(holder, year)


def card_form(page):
    """The card form, in its own frame on the pay page (Stripe.js runs there only)."""
    return page.frame_locator("iframe.card-frame")


def type_card(page, number):
    card = card_form(page).locator("#card-element")
    card.locator("input[placeholder=number]").press_sequentially(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("80903")


def open_pay_page(page, live_server):
    sign_in(page, live_server, "card.payer@example.org", PASSWORD)
    page.goto(f"{live_server.url}/renewal/")
    page.locator("[data-step=payment]").get_by_role("link", name="by card").click()
    page.wait_for_load_state()


def test_holder_pays_the_invoice_with_a_test_card_and_sees_step_2_done(
    page, live_server, stripe_webhooks_to_live_server, renewal, screenshot
):
    invoice = renewal.invoice
    open_pay_page(page, live_server)
    assert (
        page.get_by_test_id("pay-total").inner_text() == "$" + f"{invoice.total_cents / 100:,.2f}"
    )
    type_card(page, "4242 4242 4242 4242".replace(" ", ""))
    screenshot(page, "card-payment-1-pay-page")

    card_form(page).get_by_role("button", name="Pay").click()

    status = page.get_by_test_id("payment-status")
    status.and_(page.locator("[data-status=succeeded]")).wait_for(timeout=20_000)
    assert page.get_by_role("heading", name="Payment received").is_visible()
    screenshot(page, "card-payment-2-received")
    page.get_by_role("link", name="Back to my renewal").click()
    payment_step = page.locator("[data-step=payment]")
    assert "Done" in payment_step.inner_text()
    screenshot(page, "card-payment-3-step-2-done")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Payment.objects.filter(invoice=invoice, status=PaymentStatus.SUCCEEDED).count() == 1
    # Stripe's webhook, posted by localstripe to the live server, is what marked it paid.
    assert WebhookEvent.objects.filter(type="payment_intent.succeeded").count() == 1


def test_a_declined_card_shows_the_decline_and_leaves_the_invoice_unpaid(
    page, live_server, stripe_webhooks_to_live_server, renewal, screenshot
):
    open_pay_page(page, live_server)
    type_card(page, "4000000000000341")

    card_form(page).get_by_role("button", name="Pay").click()

    page.get_by_test_id("failure-message").wait_for()
    assert page.get_by_test_id("failure-message").inner_text() == "Your card was declined."
    screenshot(page, "card-payment-declined")
    renewal.invoice.refresh_from_db()
    assert renewal.invoice.status == InvoiceStatus.OPEN


def test_a_card_refused_when_entered_shows_the_message_on_the_pay_page(
    page, live_server, stripe_webhooks_to_live_server, renewal, screenshot
):
    open_pay_page(page, live_server)
    type_card(page, "4000000000000002")

    card_form(page).get_by_role("button", name="Pay").click()

    error = card_form(page).get_by_test_id("card-error")
    error.wait_for()
    assert error.inner_text() == "Your card was declined."
    screenshot(page, "card-payment-refused-on-entry")
    assert not Payment.objects.filter(invoice=renewal.invoice).exclude(status="pending").exists()
