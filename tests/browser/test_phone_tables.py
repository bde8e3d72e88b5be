"""Issue 17.13 and the pages of issues 17.5, 17.6, 17.9, 17.10 and 15.12 at phone width
(390 px) and on a desktop (1280 px), each without a serious or critical axe-core
violation at either width: at 390 px no element reaches past the screen, not
even inside a table (tables become stacked cards), and what a holder looks for in a
table row (whether an entry counts, its certificate; a credential's next renewal and
number) is on screen. Screenshots go to test-artifacts/g/<page>-<width>.png."""

import datetime as dt
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.utils import timezone

from cec.models import Category
from credentials import rules
from tests.factories import (
    ClassSessionFactory,
    CourseFactory,
    HolderFactory,
    LedgerEntryFactory,
    UserFactory,
)
from tests.support.axe import axe_violations, describe
from tests.support.portal_world import ANONYMOUS, HOLDER, REVIEWER, build_world, sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "g"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NEW_HOLDER = "new holder"

# name, who, path, expected status
PAGES = [
    ("ledger", HOLDER, lambda w: "/cec/", 200),
    ("credentials", HOLDER, lambda w: "/credentials/", 200),
    ("forms-list", HOLDER, lambda w: "/cec/forms/", 200),
    ("invoice", HOLDER, lambda w: f"/payments/invoices/{w['invoice'].number}/", 200),
    ("renewal", HOLDER, lambda w: "/renewal/", 200),
    ("review-queue", REVIEWER, lambda w: "/review/", 200),
    ("review-detail", REVIEWER, lambda w: f"/review/{w['submission'].pk}/", 200),
    ("welcome", NEW_HOLDER, lambda w: "/", 200),
    ("renewal-new-holder", NEW_HOLDER, lambda w: "/renewal/", 200),
    ("sign-up", ANONYMOUS, lambda w: "/accounts/signup/", 200),
    ("confirm-email", ANONYMOUS, lambda w: f"/accounts/confirm-email/{w['confirm_key']}/", 200),
    ("forbidden-review", HOLDER, lambda w: "/review/", 403),
    ("not-found", ANONYMOUS, lambda w: "/no-such-page/", 404),
    (
        "certificate-check",
        ANONYMOUS,
        lambda w: f"/cec/verify/{w['entry'].verification_token}/",
        200,
    ),  # noqa: E501
    ("certificate-not-verified", ANONYMOUS, lambda w: "/cec/verify/forged-code/", 404),
]


def world_for_tables():
    world = build_world()
    holder = world["users"][HOLDER]
    year = world["renewal"].year
    first, last = rules.earning_window(year)
    today = timezone.localdate()
    # A committee entry over the participation cap, and upcoming classes to close the gap.
    LedgerEntryFactory(
        holder=holder,
        title="AASC Board service, the whole year",
        earned_on=max(first, today - dt.timedelta(days=60)),
        hours="3",
        participation=True,
    )
    for days, title, end in [(3, "Leasing Law Update", 12), (5, "Budgeting for Managers", 15)]:
        on = today + dt.timedelta(days=days)
        if on <= last:
            ClassSessionFactory(
                course=CourseFactory(title=title, category=Category.AASC_CLASS),
                date=on,
                start_time=dt.time(9),
                end_time=dt.time(end),
                break_minutes=0,
            )
    world["users"][NEW_HOLDER] = HolderFactory(
        email="nora.new@example.org", first_name="Nora", last_name="Newholder"
    )
    # Just signed up: the address waits for its verification link.
    unverified = UserFactory(email="sam.signup@example.org", first_name="Sam", last_name="Signup")
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    address = EmailAddress.objects.get(user=unverified)
    world["confirm_key"] = EmailConfirmationHMAC(address).key
    return world


def overflow(page):
    return page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + el.className),
        })"""
    )


def open_as(new_page, live_server, world, who, viewport):
    # axe-core is injected as a script tag, which the Content Security Policy would block.
    page = new_page(viewport=viewport, bypass_csp=True)
    if who != ANONYMOUS:
        sign_in_by_session(page.context, live_server, world["users"][who])
    return page


@pytest.mark.parametrize(
    "who, path_of, status",
    [pytest.param(who, path, status, id=name) for name, who, path, status in PAGES],
)
def test_page_fits_a_phone_with_no_sideways_scroll_even_in_tables(
    request, new_page, live_server, who, path_of, status
):
    name = request.node.callspec.id
    world = world_for_tables()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        page = open_as(new_page, live_server, world, who, viewport)
        response = page.goto(live_server.url + path_of(world))
        page.wait_for_load_state("networkidle")
        assert response.status == status
        page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport['width']}.png"), full_page=True)
        violations = axe_violations(page)
        assert not violations, f"axe-core at {viewport['width']} px:\n{describe(violations)}"
    widths = overflow(page)
    assert widths["page"] <= PHONE["width"] and not widths["wide"], (
        f"{path_of(world)} is {widths['page']} px wide; too wide: {widths['wide']}"
    )


def on_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1


def test_a_phone_shows_whether_each_entry_counts_and_its_certificate(new_page, live_server):
    world = world_for_tables()
    page = open_as(new_page, live_server, world, HOLDER, PHONE)
    page.goto(f"{live_server.url}/cec/")
    row = page.locator(f"tr[data-entry='{world['entry'].pk}']")
    counts = row.locator("td[data-label^='Counts for']")
    assert on_screen(counts)
    assert "Yes" in counts.inner_text()
    assert on_screen(row.get_by_role("link", name="Certificate"))
    board = page.locator("tr", has_text="AASC Board service")
    assert "Yes, 2 of 3" in board.inner_text()


def test_a_phone_shows_each_credentials_next_renewal_and_number(new_page, live_server):
    world = world_for_tables()
    page = open_as(new_page, live_server, world, HOLDER, PHONE)
    page.goto(f"{live_server.url}/credentials/")
    row = page.locator("tr[data-code='CAM']")
    assert on_screen(row.locator("td[data-label='Next renewal']"))
    number = row.locator("td[data-label='Number']")
    assert on_screen(number)
    label = number.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Number"'  # each stacked cell names its column
