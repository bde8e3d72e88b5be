"""Each holder state as the holder sees it (issue 17.2, 17.3, 17.4), and a background issue
run whose page shows its progress by itself (17.1, 17.18), in headless Chromium at desktop
and phone width. Screenshots go to test-artifacts/f/ to be looked at."""

import contextlib
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from credentials import rules
from credentials.models import IssueRun, User
from credentials.services import issue_runs
from tests.browser.conftest import SCREENSHOTS
from tests.factories import CredentialFactory, HolderFactory, ReviewerFactory, StaffFactory
from tests.factories import renewal_states as states
from tests.factories.credentials import credential_type
from tests.support.axe import axe_violations, describe
from tests.support.portal_world import sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = SCREENSHOTS.parent / "f"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = {"home": "/", "renewal": "/renewal/", "credentials": "/credentials/"}


def holder_in(state, year, staff, reviewer):
    holder = HolderFactory(email=f"{state}@example.org", first_name=state.capitalize())
    if state == "lapsed":
        states.lapsed_and_reinstating(holder, year)
        return holder
    renewal = states.renewal_due(holder, year)
    if state == "holder":
        states.confirm(renewal)
    elif state == "submitted":
        states.confirm(renewal)
        states.pay_by_cheque(renewal, staff)
        states.check_cecs(renewal)
        states.submit(renewal)
    elif state == "rejected":
        states.confirm(renewal)
        states.reject(states.submit(renewal), reviewer)
    elif state == "completed":
        states.complete(renewal, staff, reviewer)
    return holder


EXPECTED = {
    # state: what home says, what /renewal/ says
    "holder": ("Pay your", "Pay $225.00 by card"),
    "lapsed": ("lapsed on April 1,", "Reinstating costs the $50.00 reinstatement fee"),
    "submitted": ("NAAEI is reviewing your CECs", "waiting for NAAEI review"),
    "rejected": ("Fix and resubmit your CECs", "The June class is not on the AASC roster."),
    "completed": ("renewal is complete", "renewal is complete"),
}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_each_holder_state_reads_plainly_at_desktop_and_phone_width(new_page, live_server, state):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    year = rules.renewal_year_on(timezone.localdate())
    staff, reviewer = StaffFactory(), ReviewerFactory()
    holder = holder_in(state, year, staff, reviewer)
    home_text, renewal_text = EXPECTED[state]
    for width_name, viewport in WIDTHS.items():
        page = new_page(viewport=viewport)
        sign_in_by_session(page.context, live_server, holder)
        for page_name, path in PAGES.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200
            page.screenshot(
                path=str(ARTIFACTS / f"{state}-{page_name}-{width_name}.png"), full_page=True
            )
            text = " ".join(page.locator("main").inner_text().split())
            if page_name == "home":
                assert home_text in text
                assert "renewal is open" not in text
            elif page_name == "renewal":
                assert renewal_text in text
            widest = page.evaluate("document.documentElement.scrollWidth")
            assert widest <= viewport["width"], f"{state} {path} is {widest} px wide"
        if state == "submitted":
            page.goto(live_server.url + "/renewal/")
            step = page.locator('[data-step="cec_approval"]')
            assert step.get_by_role("link", name="Submit my CECs").count() == 0
    # axe-core is injected as a script tag, which the Content Security Policy would block.
    page = new_page(bypass_csp=True)
    sign_in_by_session(page.context, live_server, holder)
    for path in PAGES.values():
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        assert not violations, f"axe-core on {path} ({state}):\n{describe(violations)}"


def test_an_issue_run_page_shows_its_progress_without_a_reload(new_page, live_server, monkeypatch):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # No worker picks the run up: the test runs its chunks itself, while the page is open.
    monkeypatch.setattr(issue_runs.runs, "dispatch", lambda kind, run: None)
    staff = StaffFactory()
    year = rules.renewal_year_on(timezone.localdate())
    for holder in HolderFactory.create_batch(3):
        CredentialFactory(
            holder=holder,
            credential_type=credential_type("CAM"),
            valid_through=dt.date(year - 1, 12, 31),
        )
    page = new_page()
    sign_in_by_session(page.context, live_server, staff)

    page.goto(f"{live_server.url}/admin/credentials/renewal/issue/")
    page.get_by_label("Renewal year").fill(str(year + 1))
    page.get_by_role("button", name="Continue").click()
    assert f"Renewals for {year + 1} can be issued from November 1, {year}" in page.content()
    page.screenshot(path=str(ARTIFACTS / "admin-issue-refused.png"), full_page=True)

    page.get_by_label("Renewal year").fill(str(year))
    page.get_by_role("button", name="Continue").click()
    preview = page.get_by_test_id("issue-preview")
    assert f"3 holders will be issued their {year} renewal and emailed the invoice" in (
        " ".join(preview.inner_text().split())
    )
    page.screenshot(path=str(ARTIFACTS / "admin-issue-confirm.png"), full_page=True)

    # The confirmation starts a run; no worker runs in this test, so it stays queued…
    page.get_by_role("button", name="Yes, issue 3 renewals").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Save").count() == 0
    page.screenshot(path=str(ARTIFACTS / "admin-issue-run-queued.png"), full_page=True)
    # …until the chunks run here: the open page catches up by itself.
    run = IssueRun.objects.get()
    issue_runs.run_in_foreground(run)
    page.get_by_text(f"Issued 3 new {year} renewals").first.wait_for(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "admin-issue-run-done.png"), full_page=True)

    checker = new_page(bypass_csp=True)
    sign_in_by_session(checker.context, live_server, staff)
    for path in (
        "/admin/credentials/renewal/issue/",
        f"/admin/credentials/issuerun/{run.pk}/change/",
        "/admin/credentials/issuerun/",
    ):
        checker.goto(live_server.url + path)
        violations = axe_violations(checker)
        assert not violations, f"axe-core on {path}:\n{describe(violations)}"
    assert Path(ARTIFACTS / "admin-issue-run-done.png").exists()


DEMO_ACCOUNTS = {
    # demo login: what its home page says (its one next action, or that all is done)
    "holder@example.org": "Confirm your contact details",
    "lapsed@example.org": "lapsed on April 1, 2025",
    "submitter@example.org": "waiting for NAAEI review",
    "rejected@example.org": "Fix and resubmit your CECs",
    "renewed@example.org": "All done: your 2027 renewal is complete",
    # a brand-new account: the welcome page (issue 17.10), which links to claiming (18)
    "new@example.org": "claim your credentials with your credential number",
}


@pytest.fixture
def demo(settings):
    # The demo renewal is for 2027; pin the clock inside its season if today is not.
    settings.DEBUG = True
    moment = None
    if rules.renewal_year_on(dt.date.today()) != 2027:
        moment = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/Denver"))
    with time_machine.travel(moment, tick=True) if moment else contextlib.nullcontext():
        with contextlib.redirect_stdout(io.StringIO()):
            call_command("load_demo")
        yield


def test_the_demo_accounts_each_read_their_state(demo, new_page, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for email, expected in DEMO_ACCOUNTS.items():
        user = User.objects.get(email=email)
        name = email.split("@")[0]
        for width_name, viewport in WIDTHS.items():
            page = new_page(viewport=viewport)
            sign_in_by_session(page.context, live_server, user)
            for page_name, path in PAGES.items():
                assert page.goto(live_server.url + path).status == 200
                page.screenshot(
                    path=str(ARTIFACTS / f"demo-{name}-{page_name}-{width_name}.png"),
                    full_page=True,
                )
                if page_name == "home":
                    text = " ".join(page.locator("main").inner_text().split())
                    assert expected in text, f"{email}: {text[:400]}"
                    assert "renewal is open" not in text
