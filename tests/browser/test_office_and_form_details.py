"""The pages changed for issue 17 items 19 and 20 (and 15.10's scanner message), in
Chromium at desktop and phone width, with screenshots in test-artifacts/e/: the contact
form's state list and error summary, a Reporting Form's error summary and earning-window
hint, the reviewer's approval tick, the verify page's hours, the invoice's cheque link."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cec.models import SubmissionState
from tests.browser.conftest import sign_in
from tests.cec.test_review import submitted
from tests.factories import (
    HolderFactory,
    InvoiceFactory,
    ReportingFormFactory,
    ReviewerFactory,
    StaffFactory,
    sent_form,
)
from tests.factories.credentials import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def shoot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fits(page):
    """Nothing pushes the page sideways at this width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_contact_form_lists_its_errors_and_offers_the_states(new_page, live_server, size):
    HolderFactory(email="harriet@example.org", first_name="Harriet", last_name="Holder")
    page = new_page(viewport=WIDTHS[size])
    sign_in(page, live_server, "harriet@example.org", PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    page.locator("#id_phone").fill("12")
    page.locator("#id_state").select_option("WY")
    page.locator("#id_postal_code").fill("ABCDE")
    page.get_by_role("button", name="Save contact details").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("2 problems")
    expect(summary).to_contain_text("too short")
    summary.get_by_role("link", name="Phone").click()
    expect(page.locator("#id_phone")).to_be_focused()
    expect(page.locator("#id_state")).to_have_value("WY")
    fits(page)
    shoot(page, f"profile-errors-{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_reporting_form_outside_the_window_says_it_will_not_count(new_page, live_server, size):
    holder = HolderFactory(email="frankie@example.org", first_name="Frankie", last_name="Filer")
    year = timezone.localdate().year
    old = ReportingFormFactory(holder=holder, started_on=dt.date(year - 2, 11, 3))
    page = new_page(viewport=WIDTHS[size])
    sign_in(page, live_server, "frankie@example.org", PASSWORD)
    page.goto(f"{live_server.url}/cec/forms/{old.pk}/")
    expect(page.get_by_text("This form will not count for your")).to_be_visible()
    fits(page)
    shoot(page, f"form-window-hint-{size}")

    page.goto(f"{live_server.url}/cec/forms/new/")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_be_visible()
    fits(page)
    shoot(page, f"form-error-summary-{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_reviewer_ticks_a_confirmation_before_approving(new_page, live_server, size):
    staff = StaffFactory(email="clerk@example.org")
    holder = HolderFactory(email="nora@example.org", first_name="Nora", last_name="Newholder")
    ReviewerFactory(email="naaei@example.org")
    submission = submitted(holder, staff=staff)
    page = new_page(viewport=WIDTHS[size])
    sign_in(page, live_server, "naaei@example.org", PASSWORD)
    page.goto(f"{live_server.url}/review/{submission.pk}/")
    page.get_by_role("button", name="Approve submission").click()  # the browser asks for the tick
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
    fits(page)
    shoot(page, f"review-confirm-{size}")
    page.get_by_label("I have checked every entry and its evidence").check()
    page.get_by_role("button", name="Approve submission").click()
    expect(page.get_by_text("Approved the")).to_be_visible()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.APPROVED


def test_the_clerk_corrects_hours_and_records_a_cheque_from_the_invoice(new_page, live_server):
    StaffFactory(email="clerk@example.org", first_name="Casey", last_name="Clerk")
    holder = HolderFactory(email="harriet@example.org", first_name="Harriet", last_name="Holder")
    form = sent_form(holder=holder, hours_claimed=Decimal("3"))
    invoice = InvoiceFactory(renewal__holder=holder, total_cents=27500)
    page = new_page()
    sign_in(page, live_server, "clerk@example.org", PASSWORD)

    page.goto(f"{live_server.url}/admin/cec/reportingform/{form.pk}/verify/")
    expect(page.locator("#id_hours")).to_have_value("3.00")
    page.locator("#id_hours").fill("2.5")
    page.get_by_role("button", name="Verify and sign").click()
    expect(page.get_by_text("Say why the hours were changed")).to_be_visible()
    shoot(page, "verify-hours-desktop")
    page.locator("#id_note").fill("The agenda shows two and a half hours.")
    page.get_by_role("button", name="Verify and sign").click()
    expect(page.locator(".messagelist")).to_contain_text("Verified and signed")
    form.refresh_from_db()
    assert form.hours_claimed == Decimal("2.50")

    page.goto(f"{live_server.url}/admin/payments/invoice/{invoice.pk}/change/")
    shoot(page, "invoice-record-cheque-desktop")
    page.get_by_role("link", name="Record offline payment").click()
    expect(page.locator("#id_invoice")).to_have_value(invoice.number)
