"""/cec/: the holder's CEC ledger by year, progress on the current renewal, the
transcript, and step 3 of the renewal (CEC status checked)."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cec.models import Category
from cec.services.ledger import record_attendance
from tests.factories import (
    ClassSessionFactory,
    CourseFactory,
    LedgerEntryFactory,
    RenewalFactory,
)

pytestmark = pytest.mark.django_db
LEDGER = reverse("cec:ledger")


@pytest.fixture(autouse=True)
def _late_november_2026():
    # The 2027 renewal season is open: CECs earned in 2026 count.
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("America/Denver"))):
        yield


@pytest.fixture
def renewal(holder):
    return RenewalFactory(holder=holder, year=2027)


def test_the_ledger_lists_entries_by_year_with_totals(holder_client, holder, renewal):
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 3, 1), hours=Decimal("2.5"))
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 6, 1), hours=Decimal("1.25"))
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2025, 5, 1), hours=Decimal("3"))
    response = holder_client.get(LEDGER)
    years = response.context["years"]
    assert [y.year for y in years] == [2026, 2025]
    assert years[0].total == Decimal("3.75")
    assert years[1].total == Decimal("3.00")
    assert "3.75 CECs" in response.content.decode()


def test_the_ledger_shows_progress_in_the_words_of_the_rules(holder_client, holder, renewal):
    LedgerEntryFactory(holder=holder, hours=Decimal("4"), in_network=True)
    LedgerEntryFactory(holder=holder, hours=Decimal("3"), in_network=False, participation=True)
    page = holder_client.get(LEDGER).content.decode()
    assert (
        "6 CECs, 8 needed; 4 in-network, 5 needed; participation 3, of which 2 count (cap reached)"
        in page
    )
    assert 'aria-valuenow="75"' in page
    assert "You need 2 more CECs" in page


def test_met_requirements_read_as_met_not_as_an_excess(holder_client, holder, renewal):
    # Issue 17.5: "15 of 8 CECs", "6 of 5 in-network" read like an error.
    LedgerEntryFactory(holder=holder, hours=Decimal("6"), in_network=True)
    LedgerEntryFactory(holder=holder, hours=Decimal("9"), in_network=False)
    page = holder_client.get(LEDGER).content.decode()
    assert "15 CECs, 8 needed ✓; 6 in-network, 5 needed ✓" in page
    assert "of 8 CECs" not in page


def test_a_participation_entry_over_the_cap_shows_how_much_of_it_counts(
    holder_client, holder, renewal
):
    # Issue 17.5: a 3-hour participation entry said "Yes" when only 2 count.
    committee = LedgerEntryFactory(
        holder=holder, earned_on=dt.date(2026, 4, 1), hours=Decimal("3"), participation=True
    )
    later = LedgerEntryFactory(
        holder=holder, earned_on=dt.date(2026, 9, 1), hours=Decimal("1"), participation=True
    )
    response = holder_client.get(LEDGER)
    rows = {r.entry: r for y in response.context["years"] for r in y.rows}
    assert rows[committee].counts is True
    assert rows[committee].counted == Decimal("2")
    assert rows[later].counts is False
    assert "earlier entries already reach it" in rows[later].reason
    page = response.content.decode()
    assert "Yes, 2 of 3" in page
    assert "Participation counts for at most 2 CECs a renewal." in page


def test_entries_outside_the_earning_window_are_marked_as_not_counting_with_the_reason(
    holder_client, holder, renewal
):
    old = LedgerEntryFactory(holder=holder, earned_on=dt.date(2025, 5, 1))
    rows = [r for y in holder_client.get(LEDGER).context["years"] for r in y.rows]
    [row] = [r for r in rows if r.entry == old]
    assert row.counts is False
    assert row.reason == (
        "Earned in 2025: the 2027 renewal counts only CECs earned from "
        "January 1 to December 31, 2026."
    )


def test_a_withdrawn_entry_is_shown_as_not_counting(holder_client, holder, renewal):
    LedgerEntryFactory(holder=holder, state="withdrawn", title="Mistaken class")
    page = holder_client.get(LEDGER).content.decode()
    assert "Mistaken class" in page
    assert "Withdrawn by the AASC office." in page


def test_viewing_the_ledger_checks_the_cec_status_step(holder_client, renewal):
    assert renewal.cec_status_seen_at is None
    holder_client.get(LEDGER)
    renewal.refresh_from_db()
    assert renewal.cec_status_seen_at is not None


def test_the_ledger_shows_only_the_holders_own_entries(holder_client, other_holder, renewal):
    LedgerEntryFactory(holder=other_holder, title="Someone else's class")
    page = holder_client.get(LEDGER).content.decode()
    assert "Someone else" not in page


def test_signing_in_is_required_to_see_a_ledger(client):
    response = client.get(LEDGER)
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_holder_without_a_renewal_is_told_why(holder_client):
    response = holder_client.get(LEDGER)
    assert response.status_code == 200
    assert response.context["no_renewal_reason"]
    assert "progress" not in response.context


def test_close_the_gap_lists_upcoming_aasc_classes_before_the_due_date(
    holder_client, holder, renewal
):
    LedgerEntryFactory(holder=holder, hours=Decimal("5"), in_network=True)
    december = ClassSessionFactory(
        date=dt.date(2026, 12, 5), start_time=dt.time(9), end_time=dt.time(12), break_minutes=0
    )
    ClassSessionFactory(date=dt.date(2027, 1, 15))  # counts for 2028, not 2027
    ClassSessionFactory(
        date=dt.date(2026, 12, 10), course=CourseFactory(category=Category.EXPO_CLASS)
    )
    ClassSessionFactory(date=dt.date(2026, 10, 1))  # already past
    gap = holder_client.get(LEDGER).context["gap"]
    assert [row.session for row in gap.sessions] == [december]
    assert gap.closes is True
    assert gap.sessions[0].in_plan is True


def test_after_the_earning_year_classes_count_toward_the_next_renewal(
    holder_client, holder, renewal
):
    with time_machine.travel(dt.datetime(2027, 1, 15, 10, tzinfo=ZoneInfo("America/Denver"))):
        holder_client.force_login(holder)  # the November session has expired by then
        response = holder_client.get(LEDGER)
    gap = response.context["gap"]
    assert gap.window_over and gap.counts_toward == 2028
    assert "classes you take now count toward your 2028 renewal" in response.content.decode()


def test_close_the_gap_marks_only_the_sessions_needed(holder_client, holder, renewal):
    LedgerEntryFactory(holder=holder, hours=Decimal("6"), in_network=True)
    first = ClassSessionFactory(
        date=dt.date(2026, 12, 1), start_time=dt.time(9), end_time=dt.time(11), break_minutes=0
    )
    later = ClassSessionFactory(date=dt.date(2026, 12, 8))
    gap = holder_client.get(LEDGER).context["gap"]
    assert [(r.session, r.in_plan) for r in gap.sessions] == [(first, True), (later, False)]


def session_of(hours_and_minutes, on):
    hours, minutes = hours_and_minutes
    return ClassSessionFactory(
        date=on, start_time=dt.time(9), end_time=dt.time(9 + hours, minutes), break_minutes=0
    )


def test_a_class_too_short_to_cover_the_gap_is_not_badged_as_covering_it(
    holder_client, holder, renewal
):
    # Issue 17.6: a 2.75-CEC class was badged "covers the gap" when 3 were needed.
    LedgerEntryFactory(holder=holder, hours=Decimal("5"), in_network=True)
    short = session_of((2, 45), dt.date(2026, 12, 1))
    gap = holder_client.get(LEDGER).context["gap"]
    [row] = gap.sessions
    assert row.session == short
    assert row.covers_alone is False
    assert row.adds == Decimal("2.75")
    assert gap.closes is False
    page = holder_client.get(LEDGER).content.decode()
    assert "closes the gap" not in page
    assert "Adds 2.75 of the 3 CECs still missing" in page


def test_a_later_class_that_alone_covers_the_gap_is_badged_and_planned(
    holder_client, holder, renewal
):
    # Issue 17.6: a 3-CEC class that alone covers the gap was not badged.
    LedgerEntryFactory(holder=holder, hours=Decimal("5"), in_network=True)
    early_short = session_of((2, 45), dt.date(2026, 12, 1))
    early_other = session_of((1, 0), dt.date(2026, 12, 2))
    three = session_of((3, 0), dt.date(2026, 12, 9))
    gap = holder_client.get(LEDGER).context["gap"]
    rows = {r.session: r for r in gap.sessions}
    assert rows[three].covers_alone is True
    assert rows[early_short].covers_alone is False
    assert [r.session for r in gap.sessions if r.in_plan] == [three]
    assert gap.plan == (three,)
    page = holder_client.get(LEDGER).content.decode()
    assert "closes the gap alone" in page
    assert early_other.course.title in page


def test_the_plan_is_the_fewest_classes_that_close_the_gap(holder_client, holder, renewal):
    LedgerEntryFactory(holder=holder, hours=Decimal("3"), in_network=True)
    a = session_of((1, 0), dt.date(2026, 12, 1))
    b = session_of((3, 0), dt.date(2026, 12, 2))
    c = session_of((2, 0), dt.date(2026, 12, 3))
    d = session_of((2, 30), dt.date(2026, 12, 4))
    gap = holder_client.get(LEDGER).context["gap"]
    # 5 missing: 3 + 2 (two classes) beats 1 + 3 + 2 (three, in date order).
    assert gap.plan == (b, c)
    assert gap.closes is True
    assert {r.session for r in gap.sessions} == {a, b, c, d}
    page = holder_client.get(LEDGER).content.decode()
    assert "These 2 classes together close the gap" in page


def test_the_plan_also_closes_the_in_network_shortfall(holder_client, holder, renewal):
    # 8 CECs earned, but only 3 in-network: 2 in-network CECs are still missing.
    LedgerEntryFactory(holder=holder, hours=Decimal("3"), in_network=True)
    LedgerEntryFactory(holder=holder, hours=Decimal("5"), in_network=False)
    outside = ClassSessionFactory(date=dt.date(2026, 12, 1), course=CourseFactory(in_network=False))
    inside = session_of((2, 0), dt.date(2026, 12, 5))
    gap = holder_client.get(LEDGER).context["gap"]
    rows = {r.session: r for r in gap.sessions}
    assert gap.plan == (inside,)
    assert rows[inside].adds_in_network == Decimal("2")
    assert rows[outside].covers_alone is False
    page = holder_client.get(LEDGER).content.decode()
    assert "Adds 2 of the 2 in-network CECs still missing" in page


def test_a_course_already_taken_this_earning_year_is_not_suggested(
    holder_client, holder, staff, renewal
):
    # Issue 17.6: a repeat of a course taken this cycle was suggested.
    taken = ClassSessionFactory(date=dt.date(2026, 3, 1))
    record_attendance(taken, holder, by=staff)
    repeat = ClassSessionFactory(date=dt.date(2026, 12, 1), course=taken.course)
    new = ClassSessionFactory(date=dt.date(2026, 12, 2))
    gap = holder_client.get(LEDGER).context["gap"]
    assert [r.session for r in gap.sessions] == [new]
    assert repeat not in gap.plan
    page = holder_client.get(LEDGER).content.decode()
    assert "Courses you already took in 2026 are not listed" in page


def test_there_is_no_gap_list_when_every_cec_is_earned(holder_client, holder, renewal):
    LedgerEntryFactory(holder=holder, hours=Decimal("8"), in_network=True)
    ClassSessionFactory(date=dt.date(2026, 12, 5))
    response = holder_client.get(LEDGER)
    assert response.context["gap"] is None
    assert "You have every CEC your 2027 renewal needs." in response.content.decode()


def test_attendance_recorded_by_staff_appears_in_the_ledger_at_once(
    holder_client, holder, staff, renewal
):
    session = ClassSessionFactory(date=dt.date(2026, 9, 15))
    entry = record_attendance(session, holder, by=staff)
    page = holder_client.get(LEDGER).content.decode()
    assert session.course.title in page
    assert reverse("cec:certificate", args=[entry.pk]) in page
    assert "2.5 CECs, 8 needed; 2.5 in-network, 5 needed" in page


def test_the_transcript_csv_lists_the_cecs_of_the_year(holder_client, holder):
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 2, 3), title="Leasing 101")
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2025, 2, 3), title="Other year")
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 4, 3), state="withdrawn")
    response = holder_client.get(reverse("cec:transcript_csv", args=[2026]))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["date"], r["activity"], r["cec_hours"]) for r in rows] == [
        ("2026-02-03", "Leasing 101", "2.00")
    ]


def test_the_transcript_csv_never_starts_a_cell_with_a_formula(holder_client, holder):
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 2, 3), title="=HYPERLINK(1)")
    content = holder_client.get(reverse("cec:transcript_csv", args=[2026])).content.decode()
    assert "'=HYPERLINK(1)" in content


def test_the_transcript_pdf_lists_the_cecs_of_the_year(holder_client, holder):
    from pypdf import PdfReader

    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 2, 3), title="Leasing 101")
    response = holder_client.get(reverse("cec:transcript_pdf", args=[2026]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "CEC transcript for 2026" in text
    assert "Leasing 101" in text
    assert holder.display_name in text


def test_a_transcript_for_an_impossible_year_is_not_found(holder_client):
    assert holder_client.get(reverse("cec:transcript_csv", args=[99999])).status_code == 404
