"""The whole renewal with the keyboard alone: Tab, Shift+Tab, Enter and Space, from the
sign-in form through confirming contact details, paying by card in the Stripe.js
stand-in's fields, checking CEC status in the ledger and submitting the CECs. Every
element that takes focus on the way shows where the focus is."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cec.models import SubmissionState
from cec.services.ledger import record_attendance
from credentials import rules
from credentials.services.renewals import issue_renewal_for
from payments.models import InvoiceStatus
from tests.factories import (
    ClassSessionFactory,
    CourseFactory,
    CredentialFactory,
    HolderFactory,
    StaffFactory,
)
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return {
        tag: el.tagName.toLowerCase(),
        name: (el.getAttribute('aria-label') || el.innerText || el.value || el.name
               || el.getAttribute('placeholder') || '').trim().slice(0, 60),
        visible: outline || shadow,
        onScreen: box.width > 0 && box.height > 0,
    };
}"""


class Keyboard:
    """Moves through a page with Tab alone, checking each stop shows its focus."""

    def __init__(self, page):
        self.page = page
        self.unseen_focus = []

    def tab_to(self, target, *, limit=80, backwards=False):
        """Presses Tab until `target` has focus (nothing if it has it already)."""
        if target.evaluate("el => el === document.activeElement"):
            return
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            state = self.page.evaluate(FOCUS_STATE)
            if state and not (state["visible"] and state["onScreen"]):
                self.unseen_focus.append(f"{self.page.url}: <{state['tag']}> {state['name']!r}")
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{limit} presses of Tab never reached {target} on {self.page.url}")

    def activate(self, target, key="Enter"):
        """Tabs to a link or button and presses Enter (or Space), following the page load."""
        self.tab_to(target)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.page.wait_for_load_state()


@pytest.fixture
def stripe_webhooks_to_live_server(localstripe, live_server):
    localstripe.register_webhook(f"{live_server.url}/payments/stripe/webhook/")
    yield localstripe
    localstripe.forget_webhook()


@pytest.fixture
def renewal_with_cecs():
    """A CAM holder whose renewal was issued, with an 8-CEC AASC class on record."""
    today = timezone.localdate()
    year = rules.renewal_year_on(today)
    holder = HolderFactory(email="kim.keys@example.org", first_name="Kim", last_name="Keys")
    CredentialFactory(holder=holder, valid_through=dt.date(year - 1, 12, 31))
    renewal = issue_renewal_for(holder, year)
    session = ClassSessionFactory(
        course=CourseFactory(title="Leadership Day"),
        date=min(today, rules.earning_window(year)[1]) - dt.timedelta(days=20),
        start_time=dt.time(8),
        end_time=dt.time(17),
        break_minutes=60,
    )
    record_attendance(session, holder, by=StaffFactory())
    return renewal


def test_holder_renews_with_the_keyboard_alone(
    page, live_server, stripe_webhooks_to_live_server, renewal_with_cecs, screenshot
):
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/accounts/login/")

    # Sign in: type into the fields, Enter submits.
    keys.tab_to(page.locator("#id_login"))
    page.keyboard.type("kim.keys@example.org")
    keys.tab_to(page.locator("#id_password"))
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.activate(page.get_by_role("link", name="My renewal", exact=True))
    expect(
        page.get_by_role("heading", name=f"Your {renewal_with_cecs.year} renewal")
    ).to_be_visible()
    screenshot(page, "keyboard-1-renewal")

    # Step 1: confirm the contact details.
    keys.activate(page.get_by_role("link", name="Check and confirm my details"))
    keys.tab_to(page.get_by_role("button", name="Save and confirm"))
    screenshot(page, "keyboard-2-confirm-focused")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if "/renewal/" not in page.url:
        keys.activate(page.get_by_role("link", name="My renewal", exact=True))
    expect(page.locator("[data-step=contact]")).to_contain_text("Done")

    # Step 2: pay by card, typing the card into the Stripe.js stand-in's fields (like
    # Stripe's own, a complete field hands the focus on to the next one).
    keys.activate(page.locator("[data-step=payment]").get_by_role("link", name="by card"))
    card_form = page.frame_locator("iframe.card-frame")  # Stripe.js runs in its own frame
    card = card_form.locator("#card-element")
    keys.tab_to(card.locator("input[placeholder=number]"))
    page.keyboard.type("4242424242424242")
    for field, value in [
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "80903"),
    ]:
        keys.tab_to(card.locator(f"input[placeholder={field}]"), limit=3)
        page.keyboard.type(value)
    keys.tab_to(card_form.get_by_role("button", name="Pay"), limit=3)
    screenshot(page, "keyboard-3-card-typed")
    page.keyboard.press("Enter")
    status = page.get_by_test_id("payment-status")
    status.and_(page.locator("[data-status=succeeded]")).wait_for(timeout=20_000)
    keys.activate(page.get_by_role("link", name="Back to my renewal"))
    expect(page.locator("[data-step=payment]")).to_contain_text("Done")

    # Step 3: check the CEC status in the ledger.
    keys.activate(page.get_by_role("link", name="Check my CECs"))
    expect(page.get_by_text("You have every CEC your")).to_be_visible()
    screenshot(page, "keyboard-4-ledger")

    # Step 4: submit the CECs; Space presses the submit button.
    keys.activate(page.get_by_role("link", name="Submit them for NAAEI approval"))
    checkbox = page.get_by_role("checkbox", name="Leadership Day")
    keys.tab_to(checkbox)
    page.keyboard.press("Space")
    expect(checkbox).not_to_be_checked()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    keys.activate(page.get_by_role("button", name="Submit my CECs to NAAEI"), key="Space")
    expect(page.get_by_role("heading", name="Waiting for NAAEI review")).to_be_visible()
    screenshot(page, "keyboard-5-submitted")

    renewal_with_cecs.refresh_from_db()
    assert renewal_with_cecs.contact_confirmed_at is not None
    assert renewal_with_cecs.invoice.status == InvoiceStatus.PAID
    assert renewal_with_cecs.cec_status_seen_at is not None
    assert renewal_with_cecs.submissions.get().state == SubmissionState.SUBMITTED
    assert not keys.unseen_focus, "Focus not visible on:\n" + "\n".join(keys.unseen_focus)
