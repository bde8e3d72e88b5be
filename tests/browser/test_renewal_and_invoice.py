"""The demo holder opens the renewal, sees the four steps and the CECs owed, opens the
invoice and downloads its PDF."""

import contextlib
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from pypdf import PdfReader

from credentials import rules
from credentials.models import Renewal
from renewal_portal.composition.demo.accounts import DEMO_PASSWORD
from tests.browser.conftest import sign_in
from tests.factories import CredentialFactory, HolderFactory, credential_type
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def in_the_2027_season():
    # The demo renewal is for 2027; pin the clock inside its season if today is not.
    if rules.renewal_year_on(dt.date.today()) == 2027:
        yield
        return
    moment = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Denver"))
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture
def demo(settings, in_the_2027_season):
    settings.DEBUG = True
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("load_demo")


def test_demo_holder_sees_four_steps_and_the_cecs_owed_and_downloads_the_invoice_pdf(
    demo, page, live_server, screenshot
):
    renewal = Renewal.objects.get(holder__email="holder@example.org", year=2027)
    number = renewal.invoice.number

    sign_in(page, live_server, "holder@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="My renewal").first.click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Your 2027 renewal").is_visible()
    assert page.locator("[data-step]").count() == 4
    for title in (
        "Step 1. Confirm your contact details",
        "Step 2. Pay your renewal invoice",
        "Step 3. Check your CEC status",
        "Step 4. Submit your CECs for NAAEI approval",
    ):
        assert page.get_by_role("heading", name=title).is_visible()
    assert page.get_by_test_id("cecs-owed").inner_text() == "8"
    assert page.get_by_text("you owe the largest requirement (CAM), not the sum").is_visible()
    screenshot(page, "renewal-four-steps")

    page.get_by_role("link", name="View invoice").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"Invoice {number}").is_visible()
    assert page.get_by_test_id("invoice-total").inner_text() == "$225.00"
    assert page.get_by_text("CECs owed for the 2027 renewal: 8").is_visible()
    screenshot(page, "renewal-invoice")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"AASC-invoice-{number}.pdf"
    with open(download.path(), "rb") as pdf:
        text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert f"Invoice number: {number}" in text
    assert "CECs owed for the 2027 renewal: 8" in text
    assert "Total $225.00" in text


def test_a_camt_holder_sees_why_there_is_no_renewal(demo, page, live_server, screenshot):
    technician = HolderFactory(email="tech@example.org")
    CredentialFactory(
        holder=technician, credential_type=credential_type("CAMT"), valid_through=None
    )
    sign_in(page, live_server, "tech@example.org", PASSWORD)
    page.get_by_role("link", name="My renewal").first.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("no-renewal").is_visible()
    assert page.get_by_text("it is a lifetime certificate").is_visible()
    screenshot(page, "renewal-none-camt")
