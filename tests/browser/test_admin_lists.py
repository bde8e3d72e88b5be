"""Staff's admin lists fit a 1280 px screen with one line per row (issue 17.15): no
sideways scroll, every column in view, rows about one line tall. Screenshots of each
major list land in test-artifacts/h/."""

from pathlib import Path

import pytest
from django.core.management import call_command

from credentials.models import User
from tests.support.portal_world import sign_in_by_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "h"

CHANGELISTS = [
    "credentials/user",
    "credentials/contactprofile",
    "credentials/credentialtype",
    "credentials/credential",
    "credentials/requirementset",
    "credentials/renewal",
    "credentials/outboxmessage",
    "credentials/issuerun",
    "credentials/packetbuild",
    "cec/course",
    "cec/event",
    "cec/classsession",
    "cec/attendance",
    "cec/ledgerentry",
    "cec/reportingform",
    "cec/submission",
    "payments/invoice",
    "payments/payment",
    "payments/webhookevent",
]

# One line of admin text with its padding; a wrapped row is about twice this.
ONE_LINE_PX = 40

MEASURE = """() => {
  const table = document.querySelector('#result_list');
  const rows = table ? [...table.querySelectorAll('tbody tr')] : [];
  const results = document.querySelector('#changelist .results');
  return {
    pageWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    hidden: results ? results.scrollWidth - results.clientWidth : 0,
    rows: rows.length,
    tallest: Math.max(0, ...rows.map(r => r.getBoundingClientRect().height)),
  };
}"""


@pytest.fixture
def staff_page(new_page, live_server, settings):
    settings.DEBUG = True
    call_command("load_demo")
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in_by_session(page.context, live_server, User.objects.get(email="staff@example.org"))
    return page


def test_admin_lists_fit_1280_px_with_one_line_per_row(staff_page, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for changelist in CHANGELISTS:
        staff_page.goto(f"{live_server.url}/admin/{changelist}/")
        assert staff_page.locator("#changelist").count() == 1, changelist
        staff_page.screenshot(
            path=str(ARTIFACTS / f"admin-{changelist.replace('/', '-')}-1280.png"), full_page=True
        )
        size = staff_page.evaluate(MEASURE)
        if size["pageWidth"] > size["viewport"] or size["hidden"] > 0:
            problems.append(f"{changelist}: {size['hidden']} px of columns behind a scroll")
        if size["tallest"] > ONE_LINE_PX:
            problems.append(f"{changelist}: a row {size['tallest']:.0f} px tall")
    assert not problems, "\n".join(problems)
