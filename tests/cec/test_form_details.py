"""Details a holder and a clerk met around Reporting Forms and rosters (issue 17 item 20):
a form dated outside the earning window says it will not count, the long form lists its
errors at the top, admin history is in the office's zone, and counts are pluralised."""

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cec.services.ledger import record_attendance
from credentials import rules
from tests.cec.test_roster_import import _confirm, _upload
from tests.factories import ClassSessionFactory, HolderFactory, ReportingFormFactory, sent_form

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


@pytest.fixture(autouse=True)
def december_2026():
    # The 2027 renewal is open: it counts CECs earned in 2026.
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=DENVER), tick=False):
        yield


def test_the_rule_says_a_form_outside_the_window_will_not_count():
    assert rules.window_note(2027, dt.date(2026, 6, 10)) == ""
    note = rules.window_note(2027, dt.date(2025, 11, 3))
    assert "will not count for your 2027 renewal" in note
    assert "January 1 to December 31, 2026" in note


def test_a_form_dated_outside_the_window_shows_the_hint(holder_client, holder):
    old = ReportingFormFactory(holder=holder, started_on=dt.date(2025, 11, 3))
    current = ReportingFormFactory(holder=holder, started_on=dt.date(2026, 6, 10))
    page = holder_client.get(reverse("cec_forms:detail", args=[old.pk])).content.decode()
    assert "will not count for your 2027 renewal" in page
    page = holder_client.get(reverse("cec_forms:edit", args=[old.pk])).content.decode()
    assert "will not count for your 2027 renewal" in page
    page = holder_client.get(reverse("cec_forms:detail", args=[current.pk])).content.decode()
    assert "will not count" not in page


def test_saving_a_form_dated_outside_the_window_warns(holder_client):
    response = holder_client.post(
        reverse("cec_forms:create"),
        {
            "activity_type": "committee",
            "title": "Leasing committee",
            "organiser": "AASC",
            "started_on": "2025-11-03",
            "hours_claimed": "2",
            "description": "",
            "save": "1",
        },
        follow=True,
    )
    assert "will not count for your 2027 renewal" in response.content.decode()


def test_the_date_field_says_which_dates_count(holder_client):
    page = holder_client.get(reverse("cec_forms:create")).content.decode()
    assert "The 2027 renewal counts activity from January 1 to December 31, 2026" in page


def test_the_reporting_form_lists_its_errors_at_the_top(holder_client):
    page = holder_client.post(reverse("cec_forms:create"), {"save": "1"}).content.decode()
    summary = page[page.index('class="alert alert-danger error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_title"' in summary and 'href="#id_started_on"' in summary


def test_the_admin_history_of_a_form_is_in_the_offices_zone(staff_client, holder):
    form = sent_form(holder=holder)  # sent at 09:00 in Denver, 16:00 UTC
    page = staff_client.get(reverse("admin:cec_reportingform_change", args=[form.pk]))
    text = page.content.decode()
    assert "2026-12-01 09:00 MST" in text
    assert "2026-12-01 16:00" not in text


@pytest.mark.parametrize(("already", "words"), [(1, "1 was already"), (2, "2 were already")])
def test_the_roster_import_pluralises_what_was_already_recorded(
    staff_client, staff, already, words
):
    session = ClassSessionFactory(date=dt.date(2026, 3, 12))
    emails = [f"ann{n}@example.org" for n in range(already)] + ["bob@example.org"]
    for email in emails:
        holder = HolderFactory(email=email)
        if email != "bob@example.org":
            record_attendance(session, holder, by=staff)
    preview = _upload(staff_client, session, "email\n" + "\n".join(emails) + "\n")
    response = _confirm(staff_client, preview)
    page = staff_client.get(response["Location"]).content.decode()
    assert f"{words} recorded" in html.unescape(page)
