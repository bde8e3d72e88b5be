"""Issue 16 item 6: the card form's page, the one page that loads the provider's script,
allows the provider's origins in its Content Security Policy (django-csp's csp_update on
its view); every other page, the pay page around it included, keeps the site's policy."""

import pytest
from django.urls import reverse

from payments.providers.stripe import StripeProvider
from tests.factories import InvoiceFactory
from tests.payments.helpers import pay_by_card


@pytest.fixture
def invoice(holder):
    return InvoiceFactory(renewal__holder=holder, total_cents=27500)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_the_card_form_allows_localstripes_origin_for_its_script_frames_and_calls(
    holder_client, localstripe, invoice
):
    response = holder_client.get(reverse("payments:card_frame", args=[invoice.number]))

    policy = directives(response)
    assert response.status_code == 200
    for directive in ("script-src", "frame-src", "connect-src"):
        assert localstripe.url in policy[directive], directive
        assert "'self'" in policy[directive]
    assert policy["frame-ancestors"] == ["'self'"]  # framed by the pay page only


@pytest.mark.parametrize(
    "page",
    [
        lambda invoice, payment: reverse("payments:pay", args=[invoice.number]),
        lambda invoice, payment: reverse("payments:invoice", args=[invoice.number]),
        lambda invoice, payment: reverse("payments:status", args=[invoice.number, payment.pk]),
        lambda invoice, payment: reverse("credentials:home"),
        lambda invoice, payment: reverse("credentials:profile"),
    ],
    ids=["pay page", "invoice", "payment status", "home", "profile"],
)
def test_other_holder_pages_do_not_allow_the_providers_origins(
    holder_client, localstripe, invoice, holder, page
):
    payment = pay_by_card(localstripe, invoice, holder).payment

    response = holder_client.get(page(invoice, payment))

    assert response.status_code == 200
    assert localstripe.url not in response["Content-Security-Policy"]
    assert directives(response)["script-src"] == ["'self'"]


def test_in_production_the_card_form_allows_stripes_own_origins(settings):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = ""

    assert StripeProvider().csp_sources() == {
        "script-src": ["https://js.stripe.com"],
        "frame-src": ["https://js.stripe.com"],
        "connect-src": ["https://js.stripe.com", "https://api.stripe.com"],
    }
