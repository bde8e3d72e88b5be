"""A clerk in admin (issue 15.1, 15.2): a holder's account shows the name and email to
change and nothing of roles or passwords; a credential's dates change through "Change
validity dates" with a reason, which the history keeps."""

import datetime as dt
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in
from tests.factories import CredentialFactory, HolderFactory, StaffFactory
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "a"


def _shoot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_clerk_edits_a_holder_and_changes_a_credentials_dates(new_page, live_server, width):
    holder = HolderFactory(email="harriet@example.org", first_name="Harriet", last_name="Holder")
    credential = CredentialFactory(holder=holder, valid_through=dt.date(2026, 12, 31))
    StaffFactory(email="clerk@example.org")

    clerk = new_page(viewport={"width": width, "height": 900})
    sign_in(clerk, live_server, "clerk@example.org", PASSWORD)
    clerk.goto(f"{live_server.url}/admin/credentials/user/{holder.pk}/change/")
    assert clerk.locator("input[name=first_name]").is_visible()
    for absent in ("is_superuser", "is_staff", "groups", "user_permissions", "password"):
        assert clerk.locator(f"[name={absent}]").count() == 0
    _shoot(clerk, f"user-admin-as-staff-{width}")

    clerk.goto(f"{live_server.url}/admin/credentials/credential/{credential.pk}/change/")
    assert clerk.locator("input[name=valid_through]").count() == 0
    clerk.get_by_role("link", name="Change validity dates").click()
    clerk.wait_for_load_state()
    clerk.locator("input[name=valid_through]").fill("2027-12-31")
    clerk.locator("input[name=reason]").fill("Renewal paid by cheque at the office")
    _shoot(clerk, f"validity-dates-form-{width}")
    clerk.locator("input[type=submit][value='Change validity dates']").click()
    clerk.wait_for_load_state()
    assert clerk.locator(".messagelist .success").is_visible()
    credential.refresh_from_db()
    assert credential.valid_through == dt.date(2027, 12, 31)
    assert credential.history.latest().history_change_reason == (
        "Renewal paid by cheque at the office"
    )
    _shoot(clerk, f"validity-dates-saved-{width}")
