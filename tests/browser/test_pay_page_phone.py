"""The pay page on a phone (issue 17 item 14): the card script (Stripe.js, or
localstripe's stand-in, which declares a global `Element` class that breaks Bootstrap) is
isolated from the page, so the page's own menu works and no script error reaches the
console; the page itself answers fast, the card form follows in its frame."""

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from credentials import rules
from credentials.services.renewals import issue_renewal_for
from tests.browser.conftest import sign_in
from tests.factories import CredentialFactory, HolderFactory
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "c"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def renewal():
    year = rules.renewal_year_on(dt.date.today())
    holder = HolderFactory(email="phone.payer@example.org", first_name="Pat", last_name="Phone")
    CredentialFactory(holder=holder, valid_through=dt.date(year - 1, 12, 31))
    return issue_renewal_for(holder, year)


def watch_errors(page):
    """Script errors and error messages on the console of the page and its frames."""
    errors = []
    # The portal has no favicon; the browser's request for one is no script error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    return errors


def open_pay_page(page, live_server, renewal):
    """Open the pay page the first time (the attempt and its SetupIntent are made now);
    returns milliseconds until the page's DOM was ready and until the card form was."""
    sign_in(page, live_server, "phone.payer@example.org", PASSWORD)
    started = time.monotonic()
    page.goto(f"{live_server.url}/payments/pay/{renewal.invoice.number}/", wait_until="commit")
    page.wait_for_load_state("domcontentloaded")
    page_ready = (time.monotonic() - started) * 1000
    page.frame_locator("iframe.card-frame").locator("#card-element input").first.wait_for()
    card_ready = (time.monotonic() - started) * 1000
    return round(page_ready), round(card_ready)


def test_the_phone_menu_opens_on_the_pay_page_with_no_script_errors(
    new_page, live_server, localstripe, renewal
):
    page = new_page(viewport=PHONE)
    errors = watch_errors(page)
    page_ready, card_ready = open_pay_page(page, live_server, renewal)

    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    page.locator("#main-nav.show").wait_for()  # Bootstrap's collapse ran to its end
    assert page.locator("#main-nav").get_by_role("link", name="My renewal").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pay-page-390-menu-open.png"), full_page=True)
    toggler.click()
    page.locator("#main-nav:not(.show):not(.collapsing)").wait_for(state="attached")
    assert not page.locator("#main-nav").get_by_role("link", name="My renewal").is_visible()
    page.screenshot(path=str(ARTIFACTS / "pay-page-390.png"), full_page=True)
    (ARTIFACTS / "pay-page-timing.json").write_text(
        json.dumps({"dom_ready_ms": page_ready, "card_form_ready_ms": card_ready})
    )
    assert errors == []


def test_the_pay_page_at_1280_shows_the_card_form_in_its_frame(
    new_page, live_server, localstripe, renewal
):
    page = new_page()
    errors = watch_errors(page)
    open_pay_page(page, live_server, renewal)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pay-page-1280.png"), full_page=True)
    frame = page.frame_locator("iframe.card-frame")
    assert frame.get_by_role("button", name="Pay").is_visible()
    assert errors == []


def test_the_pay_page_works_when_the_card_script_does_not_load(
    new_page, live_server, localstripe, renewal
):
    page = new_page(viewport=PHONE)
    page.route(f"{localstripe.js_url}**", lambda route: route.abort())
    sign_in(page, live_server, "phone.payer@example.org", PASSWORD)
    page.goto(f"{live_server.url}/payments/pay/{renewal.invoice.number}/")

    frame = page.frame_locator("iframe.card-frame")
    frame.get_by_test_id("card-script-failed").wait_for()
    assert "pay by cheque" in frame.get_by_test_id("card-script-failed").inner_text()
    assert not frame.get_by_role("button", name="Pay").is_visible()
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.show").wait_for()
    page.screenshot(path=str(ARTIFACTS / "pay-page-390-card-script-failed.png"), full_page=True)
