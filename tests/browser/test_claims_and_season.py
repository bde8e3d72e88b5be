"""Issue 18 in the browser: a holder the office brought in signs up with the address on
their record and sees their credential; a holder claims by credential number on a phone;
staff open the season dashboard. Screenshots land in test-artifacts/j/."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from credentials.models import Claim, ClaimState, User
from credentials.services.claims import submit_claim
from tests.factories import (
    ContactProfileFactory,
    CredentialFactory,
    HolderFactory,
    StaffFactory,
)
from tests.factories.credentials import credential_type
from tests.support.portal_world import sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "j"
PASSWORD = "a-long-renewal-passphrase"


def office_record(email="dana.reyes@example.org"):
    record = User.objects.create_user(email=email, first_name="Dana", last_name="Reyes")
    ContactProfileFactory(user=record, postal_code="80903")
    CredentialFactory(
        holder=record,
        credential_type=credential_type("CAM"),
        number="CAM-204411",
        valid_through=dt.date(2026, 12, 31),
    )
    return record


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_holder_the_office_brought_in_signs_up_and_sees_their_credential(new_page, live_server):
    office_record()
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_first_name").fill("Dana")
    page.locator("#id_last_name").fill("Reyes")
    page.locator("#id_email").fill("dana.reyes@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    assert "/accounts/confirm-email/" in page.url  # the same page as any sign-up

    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == ["dana.reyes@example.org"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", body).group(0)
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Change Password|Set Password", re.I)).click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_login").fill("dana.reyes@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/credentials/")
    assert page.get_by_text("CAM-204411").is_visible()
    shot(page, "claimed-by-email-credentials-390")
    assert User.objects.filter(email__iexact="dana.reyes@example.org").count() == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_a_holder_claims_by_credential_number(new_page, live_server, width):
    office_record()
    claimant = HolderFactory(email="dana.new@example.org")
    page = new_page(viewport={"width": width, "height": 844})
    sign_in_by_session(page.context, live_server, claimant)
    page.goto(f"{live_server.url}/credentials/")
    page.get_by_role("link", name=re.compile("claim it with your credential number")).click()
    page.get_by_label("Credential number").fill("CAM-204411")
    page.get_by_label("Last name").fill("Reyes")
    page.get_by_label("ZIP code").fill("80903")
    shot(page, f"claim-form-{width}")
    page.get_by_role("button", name="Send my claim to the AASC office").click()
    page.wait_for_load_state()
    assert page.get_by_text("sent your claim to the AASC office").is_visible()
    assert no_sideways_scroll(page)
    shot(page, f"claim-sent-{width}")
    assert Claim.objects.get(claimant=claimant).state == ClaimState.WAITING


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_see_the_season_dashboard(new_page, live_server, settings, width):
    settings.DEBUG = True
    call_command("load_demo")
    page = new_page(viewport={"width": width, "height": 900})
    sign_in_by_session(page.context, live_server, User.objects.get(email="staff@example.org"))
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Season dashboard").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Holders by phase").is_visible()
    assert page.locator(".season-chart svg").count() == 1
    shot(page, f"season-dashboard-{width}")
    page.locator("[data-tile='invoiced'] a").first.click()
    page.wait_for_load_state()
    assert "season_phase=invoiced" in page.url


def test_staff_confirm_a_claim_from_the_queue_and_the_holder_sees_the_credential(
    new_page, live_server
):
    office_record()
    claimant = HolderFactory(email="dana.new@example.org", last_name="Reyes")
    submit_claim(claimant, number="cam-204411", last_name="Reyes", postal_code="80903-1234")
    staff = StaffFactory(email="clerk@example.org")
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in_by_session(page.context, live_server, staff)
    page.goto(f"{live_server.url}/admin/credentials/claim/")
    page.locator("#result_list tbody th a").first.click()
    page.get_by_text("Typed by the claimant").wait_for()
    shot(page, "claim-evidence-1280")
    page.get_by_role("button", name="Confirm: move the record to the claimant").click()
    page.get_by_text("Claim confirmed: the record moved.").wait_for()

    holder_page = new_page(viewport={"width": 390, "height": 844})
    sign_in_by_session(holder_page.context, live_server, claimant)
    holder_page.goto(f"{live_server.url}/credentials/")
    assert holder_page.get_by_text("CAM-204411").is_visible()


def test_staff_export_the_payments_and_download_the_file(new_page, live_server, settings):
    settings.DEBUG = True
    call_command("load_demo")
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in_by_session(page.context, live_server, User.objects.get(email="staff@example.org"))
    page.goto(f"{live_server.url}/admin/season/")
    page.get_by_role("link", name="Invoices and payments for the bookkeeper").click()
    page.get_by_label("Format").select_option("xlsx")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    link = page.get_by_role("link", name=re.compile(r"Download aasc-payments-\d+\.xlsx"))
    link.wait_for()
    shot(page, "season-export-1280")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.startswith("aasc-payments-")
