"""SPEC rules 1, 2 and 3 as the CEC ledger uses them: the class CEC value, the earning
window and the in-network minimum and participation cap."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cec.selectors.ledger import progress_for_renewal
from credentials import rules
from tests.factories import ClassSessionFactory, LedgerEntryFactory, RenewalFactory

T = dt.time


def test_one_cec_is_one_instructional_hour():
    assert rules.class_cec_value(T(9, 0), T(10, 0)) == Decimal("1.00")


def test_meals_and_breaks_are_excluded_from_the_cec_value():
    # 9:00-16:00 is seven hours; an hour's lunch and two 15-minute breaks leave 5.5.
    assert rules.class_cec_value(T(9, 0), T(16, 0), break_minutes=90) == Decimal("5.50")


def test_the_cec_value_is_never_rounded_up():
    # 50 instructional minutes are 0.8333… hours: two decimals, rounded down.
    assert rules.class_cec_value(T(9, 0), T(9, 50)) == Decimal("0.83")
    # 89 minutes are 1.4833…: 1.48, not 1.49.
    assert rules.class_cec_value(T(13, 0), T(14, 29)) == Decimal("1.48")


def test_a_class_that_is_all_break_is_worth_nothing():
    assert rules.class_cec_value(T(12, 0), T(13, 0), break_minutes=60) == Decimal("0.00")


@pytest.mark.django_db
def test_a_session_stores_its_computed_cec_value_on_save():
    session = ClassSessionFactory(start_time=T(8, 30), end_time=T(12, 15), break_minutes=25)
    session.refresh_from_db()
    assert session.cec_hours == Decimal("3.33")


@pytest.mark.django_db
def test_a_session_recomputes_its_cec_value_when_its_times_change():
    session = ClassSessionFactory(start_time=T(9, 0), end_time=T(12, 0), break_minutes=30)
    session.end_time = T(11, 0)
    session.save()
    session.refresh_from_db()
    assert session.cec_hours == Decimal("1.50")


@pytest.mark.django_db
def test_a_session_must_end_after_it_starts():
    session = ClassSessionFactory.build(start_time=T(12, 0), end_time=T(9, 0))
    with pytest.raises(ValidationError) as caught:
        session.clean()
    assert "end_time" in caught.value.message_dict


@pytest.mark.django_db
def test_breaks_must_be_shorter_than_the_session():
    session = ClassSessionFactory.build(start_time=T(9, 0), end_time=T(10, 0), break_minutes=60)
    with pytest.raises(ValidationError) as caught:
        session.clean()
    assert "break_minutes" in caught.value.message_dict


def test_cecs_earned_in_the_year_before_the_renewal_count():
    assert rules.in_earning_window(2027, dt.date(2026, 6, 1))


def test_cecs_earned_in_the_renewal_year_itself_do_not_count_and_the_reason_says_so():
    reason = rules.why_not_in_window(2027, dt.date(2027, 1, 15))
    assert reason.startswith("Earned in 2027")
    assert "January 1 to December 31, 2026" in reason


@pytest.mark.django_db
def test_only_entries_in_the_earning_window_add_to_the_renewal_progress(holder):
    renewal = RenewalFactory(holder=holder, year=2027)
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 3, 1), hours=Decimal("3"))
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2025, 12, 31), hours=Decimal("4"))
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2027, 1, 1), hours=Decimal("5"))
    assert progress_for_renewal(renewal).earned == Decimal("3")


@pytest.mark.django_db
def test_in_network_cecs_are_counted_against_the_in_network_minimum(holder):
    renewal = RenewalFactory(holder=holder, year=2027)
    LedgerEntryFactory(holder=holder, hours=Decimal("4"), in_network=True)
    LedgerEntryFactory(holder=holder, hours=Decimal("2"), in_network=False)
    progress = progress_for_renewal(renewal)
    assert progress.summary().startswith("6 CECs, 8 needed; 4 in-network, 5 needed")
    assert progress.missing_in_network == Decimal("1")


@pytest.mark.django_db
def test_participation_cecs_count_only_up_to_the_cap(holder):
    renewal = RenewalFactory(holder=holder, year=2027)
    LedgerEntryFactory(holder=holder, hours=Decimal("4"), in_network=True)
    LedgerEntryFactory(holder=holder, hours=Decimal("3"), in_network=False, participation=True)
    progress = progress_for_renewal(renewal)
    assert progress.earned == Decimal("6")
    assert progress.summary() == (
        "6 CECs, 8 needed; 4 in-network, 5 needed; participation 3, of which 2 count (cap reached)"
    )


@pytest.mark.django_db
def test_withdrawn_entries_add_nothing_to_the_progress(holder):
    renewal = RenewalFactory(holder=holder, year=2027)
    LedgerEntryFactory(holder=holder, hours=Decimal("3"), state="withdrawn")
    assert progress_for_renewal(renewal).earned == Decimal("0")
