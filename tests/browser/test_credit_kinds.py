"""The kind of each CEC (in-network, participation, other: credentials.rules.credit_kind)
on the holder's ledger and submission pages, at desktop and phone width (issue 16.3).
Screenshots go to test-artifacts/c/ to be looked at."""

from pathlib import Path

import pytest

from tests.support.portal_world import HOLDER, build_world, sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "c"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_ledger_and_the_submission_name_each_cecs_kind(new_page, live_server, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    world = build_world()
    page = new_page(viewport=WIDTHS[width])
    sign_in_by_session(page.context, live_server, world["users"][HOLDER])

    page.goto(f"{live_server.url}/cec/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / f"ledger-{width}.png"), full_page=True)
    assert page.locator(".badge", has_text="in-network").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    page.goto(f"{live_server.url}/cec/submission/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / f"submission-{width}.png"), full_page=True)
    assert "(in-network)" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
