"""A holder's pages served from the page cache (issue 19) work like rendered ones in a
real browser: the forms of a cached page send (its CSRF token is the browser's), what the
holder does shows at once, and another person signing in on the same browser never sees
the first one's pages."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.cache import caches

from tests.browser.conftest import sign_in
from tests.conftest import DENVER
from tests.factories import HolderFactory
from tests.factories.credentials import PASSWORD
from tests.factories.renewal_states import renewal_due

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "c"


@pytest.fixture(autouse=True)
def _in_the_2027_season():
    # The clock runs (the browser and the live server wait on it), from a season day.
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=DENVER), tick=True):
        yield


def stored_pages() -> int:
    # The live server runs in this process: its memory cache is the tests' (conftest).
    return len(caches["pages"]._cache)


def test_a_cached_renewal_page_and_its_forms_work_in_the_browser(new_page, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    holder = HolderFactory(email="cached@example.org", first_name="Casey", last_name="Cache")
    renewal_due(holder)
    other = HolderFactory(email="second@example.org", first_name="Sam", last_name="Second")
    renewal_due(other, codes=("CAS",))

    for width, height in ((1280, 900), (390, 844)):
        caches["pages"].clear()
        page = new_page(viewport={"width": width, "height": height})
        sign_in(page, live_server, holder.email, PASSWORD)
        page.goto(f"{live_server.url}/renewal/")
        stored = stored_pages()
        assert stored >= 1
        page.goto(f"{live_server.url}/renewal/")  # from the cache
        assert stored_pages() == stored
        assert page.get_by_role("heading", name="Your 2027 renewal").is_visible()
        assert page.get_by_text("0 of 4 steps done").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"renewal-from-cache-{width}.png"), full_page=True)
        page.context.close()

    page = new_page()
    sign_in(page, live_server, holder.email, PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    page.goto(f"{live_server.url}/profile/")  # from the cache: its form's token must work
    page.get_by_role("button", name="Save and confirm for my 2027 renewal").click()
    page.wait_for_load_state()
    assert page.get_by_text("Contact details saved and confirmed").is_visible()
    assert page.get_by_text("1 of 4 steps done").is_visible()
    page.reload()
    assert page.get_by_text("1 of 4 steps done").is_visible()
    assert not page.get_by_text("Contact details saved and confirmed").is_visible()

    # Someone else signs in on the same browser: their own renewal, never the cached one.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, live_server, other.email, PASSWORD)
    page.goto(f"{live_server.url}/renewal/")
    main = page.locator("main").inner_text()
    assert "CAS" in main and "CALP" not in main
    assert "Casey" not in page.content()
    assert page.get_by_text("0 of 4 steps done").is_visible()
