"""Issue 19: the reviewer queue read by key, at 1280 and 390 px: 60 submissions waiting
give a first page of 50 with Next, a second of 10 with First and Previous, no sideways
scroll on a phone and no serious axe-core violation. Screenshots go to
test-artifacts/f/review-queue-<page>-<width>.png."""

from pathlib import Path

import pytest

from tests.perf.test_query_counts import waiting_submissions
from tests.support.axe import axe_violations, describe
from tests.support.portal_world import sign_in_by_session

from .test_phone_tables import DESKTOP, PHONE, overflow

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "f"


def test_the_reviewer_pages_through_the_queue_at_both_widths(new_page, live_server, reviewer):
    waiting_submissions(60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport, bypass_csp=True)
        sign_in_by_session(page.context, live_server, reviewer)
        page.goto(f"{live_server.url}/review/")
        assert page.locator("tbody tr").count() == 50
        assert page.get_by_text("60 submissions match; showing 50, oldest first.").is_visible()
        page.screenshot(
            path=str(ARTIFACTS / f"review-queue-first-{viewport['width']}.png"), full_page=True
        )
        page.get_by_role("link", name="Next").click()
        page.wait_for_load_state()
        assert page.locator("tbody tr").count() == 10
        assert page.get_by_role("link", name="Previous").is_visible()
        assert page.get_by_role("link", name="Next").count() == 0
        page.screenshot(
            path=str(ARTIFACTS / f"review-queue-next-{viewport['width']}.png"), full_page=True
        )
        violations = axe_violations(page)
        assert not violations, f"axe-core at {viewport['width']} px:\n{describe(violations)}"
    widths = overflow(page)
    assert widths["page"] <= PHONE["width"] and not widths["wide"], widths
