"""Limits a holder can reach (issue 15 items 7 and 8), as the holder sees them at desktop
and phone width: the Reporting Form says which limit is reached next to the field, and
too many downloads answer a plain page. Screenshots go to test-artifacts/d/."""

from pathlib import Path

import pytest

from tests.factories import pdf_bytes
from tests.support.portal_world import HOLDER, build_world, sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "d"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def shoot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_form_says_which_limit_is_reached_next_to_the_field(
    new_page, live_server, settings, tmp_path, width
):
    settings.REPORTING_FORM_MAX_DRAFTS = 0
    settings.EVIDENCE_MAX_FILES_PER_FORM = 2
    world = build_world()
    page = new_page(viewport=WIDTHS[width])
    sign_in_by_session(page.context, live_server, world["users"][HOLDER])
    page.goto(f"{live_server.url}/cec/forms/new/")
    assert page.locator("#id_description").get_attribute("maxlength") == "2000"

    files = []
    for number in range(3):
        path = tmp_path / f"letter-{number}.pdf"
        path.write_bytes(pdf_bytes())
        files.append(str(path))
    page.select_option("#id_activity_type", "expo_class")
    page.fill("#id_title", "Expo: Smart leasing")
    page.fill("#id_organiser", "AASC Expo")
    page.fill("#id_started_on", "2026-04-22")
    page.fill("#id_hours_claimed", "1.5")
    page.set_input_files("#id_evidence", files)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()

    text = page.inner_text("main")
    assert "You have 0 draft forms, the most one person can keep." in text
    assert "A form can carry at most 2 evidence files" in text
    assert no_sideways_scroll(page)
    shoot(page, f"form-limits-{width}")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_too_many_downloads_answer_a_plain_page(new_page, live_server, settings, width):
    settings.DOCUMENT_DOWNLOADS_PER_WINDOW = 0
    world = build_world()
    page = new_page(viewport=WIDTHS[width])
    sign_in_by_session(page.context, live_server, world["users"][HOLDER])
    response = page.goto(f"{live_server.url}/cec/transcript/2026.pdf")
    assert response.status == 429
    text = page.inner_text("main")
    assert "Please wait a moment" in text
    assert "Try again in" in text
    assert no_sideways_scroll(page)
    shoot(page, f"too-many-downloads-{width}")
