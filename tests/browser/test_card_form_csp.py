"""Issue 16 item 6: the card form's own Content Security Policy (django-csp's csp_update on
its view) lets the provider's script load and mount the card element, at desktop and
phone widths, while the pay page around it keeps the site's policy. The `new_page`
fixture fails the test on any CSP violation reported in the console."""

import datetime as dt
from pathlib import Path

import pytest

from credentials import rules
from credentials.services.renewals import issue_renewal_for
from tests.browser.conftest import sign_in
from tests.factories import CredentialFactory, HolderFactory
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "a"


@pytest.fixture
def renewal():
    year = rules.renewal_year_on(dt.date.today())
    holder = HolderFactory(email="csp.payer@example.org", first_name="Cass", last_name="Payer")
    CredentialFactory(holder=holder, valid_through=dt.date(year - 1, 12, 31))
    return issue_renewal_for(holder, year)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_card_form_loads_the_providers_script_under_its_own_policy(
    new_page, live_server, localstripe, renewal, width
):
    page = new_page(viewport={"width": width, "height": 900})
    sign_in(page, live_server, "csp.payer@example.org", PASSWORD)

    response = page.goto(f"{live_server.url}/payments/pay/{renewal.invoice.number}/")
    frame = page.frame_locator("iframe.card-frame")
    frame.locator("#card-element input").first.wait_for()

    assert localstripe.url not in response.headers["content-security-policy"]
    assert frame.get_by_role("button", name="Pay").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"pay-page-card-form-{width}.png"), full_page=True)
