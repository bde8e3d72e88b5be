"""Renewal reminders: before the due date and during grace, at the requirement set's
offsets, each once, never after the renewal is complete (SPEC "Background work")."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from credentials import tasks
from credentials.models import OutboxMessage, RequirementSet
from credentials.services.renewals import issue_renewal_for
from renewal_portal.composition import tasks as composition_tasks
from renewal_portal.composition.reminders import CATCH_UP_DAYS, send_due_reminders
from tests.factories import CredentialFactory, credential_type
from tests.factories import renewal_states as states

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
DUE = dt.date(2027, 1, 1)  # the 2027 renewal; grace until 31 March 2027


def at(day, hour=8):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=DENVER))


def issued_on(holder, day, *codes):
    for code in codes or ("CAM",):
        CredentialFactory(
            holder=holder,
            credential_type=credential_type(code),
            valid_through=dt.date(2026, 12, 31),
        )
    with at(day, hour=6):
        return issue_renewal_for(holder, 2027)


@pytest.fixture
def renewal(holder):
    """The 2027 renewal, issued when the season opens on 1 November 2026."""
    return issued_on(holder, dt.date(2026, 11, 1))


def reminders():
    return list(OutboxMessage.objects.filter(kind="reminder").order_by("created_at"))


def reminder_keys():
    return [message.dedupe_key.rsplit(":", 1)[1] for message in reminders()]


def completed_on(renewal, day, staff, reviewer, *, minute=0):
    """All four steps through their services on `day` (from 8:00), NAAEI's approval last."""
    with time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 8, minute, tzinfo=DENVER), tick=False
    ):
        states.complete(renewal, staff, reviewer)
    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    return renewal


def run_on(day):
    with at(day):
        return send_due_reminders(on=day)


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (DUE - dt.timedelta(days=60), "due-60"),
        (DUE - dt.timedelta(days=30), "due-30"),
        (DUE - dt.timedelta(days=7), "due-7"),
    ],
)
def test_a_reminder_goes_out_60_30_and_7_days_before_the_due_date(renewal, day, key):
    run_on(day)
    assert reminder_keys() == [key]
    assert reminders()[0].dedupe_key == f"reminder:{renewal.pk}:{key}"


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 11, 1), DUE - dt.timedelta(days=31), DUE - dt.timedelta(days=8), DUE],
)
def test_no_reminder_on_the_days_before_a_reminder_date(renewal, day):
    run_on(day)
    assert reminders() == []


@pytest.mark.parametrize(
    ("day", "key"),
    [(DUE + dt.timedelta(days=30), "grace-30"), (DUE + dt.timedelta(days=75), "grace-75")],
)
def test_a_renewal_in_grace_is_reminded_30_and_75_days_after_the_due_date(renewal, day, key):
    run_on(day)
    assert reminder_keys() == [key]
    assert "overdue" in reminders()[0].subject
    assert "March 31, 2027" in reminders()[0].body_text


def test_the_same_reminder_is_never_sent_twice(renewal):
    day = DUE - dt.timedelta(days=30)
    run_on(day)
    run_on(day)
    run_on(day + dt.timedelta(days=1))
    with at(day):
        composition_tasks.send_due_reminders.delay(day.isoformat())
    assert reminder_keys() == ["due-30"]


def test_a_season_of_daily_runs_sends_each_reminder_once_in_order(renewal):
    day = dt.date(2026, 11, 1)
    while day <= dt.date(2027, 4, 30):
        run_on(day)
        day += dt.timedelta(days=1)
    assert reminder_keys() == ["due-60", "due-30", "due-7", "grace-30", "grace-75"]


def test_a_completed_renewal_gets_no_reminder(renewal, staff, reviewer):
    completed_on(renewal, dt.date(2026, 11, 2), staff, reviewer)
    for day in (DUE - dt.timedelta(days=30), DUE + dt.timedelta(days=30)):
        run_on(day)
    assert reminders() == []


def test_a_renewal_completed_after_one_reminder_gets_no_more(renewal, staff, reviewer):
    run_on(DUE - dt.timedelta(days=60))
    completed_on(renewal, DUE - dt.timedelta(days=59), staff, reviewer)
    run_on(DUE - dt.timedelta(days=30))
    run_on(DUE - dt.timedelta(days=7))
    assert reminder_keys() == ["due-60"]


def test_no_reminder_after_the_grace_period_ends(renewal):
    run_on(dt.date(2027, 4, 1))
    run_on(dt.date(2027, 6, 1))
    assert reminders() == []


def test_a_reminder_missed_by_a_few_days_is_still_sent(renewal):
    run_on(DUE - dt.timedelta(days=30 - CATCH_UP_DAYS))
    assert reminder_keys() == ["due-30"]


def test_a_reminder_missed_by_more_than_a_few_days_is_dropped(renewal):
    run_on(DUE - dt.timedelta(days=30 - CATCH_UP_DAYS - 1))
    assert reminders() == []


def test_missed_reminders_are_not_sent_in_a_burst(renewal):
    # The schedule was off all season; on the first day it runs only the latest goes out.
    run_on(DUE - dt.timedelta(days=7))
    assert reminder_keys() == ["due-7"]


def test_no_reminder_dated_before_the_renewal_was_issued(holder):
    # Issued 3 December: the 30-day reminder (2 December) would repeat the invoice email.
    issued_on(holder, dt.date(2026, 12, 3))
    run_on(dt.date(2026, 12, 3))
    assert reminders() == []
    run_on(DUE - dt.timedelta(days=7))
    assert reminder_keys() == ["due-7"]


def test_reminder_days_come_from_the_governing_requirement_set(holder):
    RequirementSet.objects.filter(credential_type__code="CAM", first_year=2022).update(
        reminder_days_before_due="45, 14", reminder_days_after_due="10"
    )
    issued_on(holder, dt.date(2026, 11, 1), "CAM", "CALP")  # CAM governs (8 CECs > 5)
    for day in (DUE - dt.timedelta(days=60), DUE - dt.timedelta(days=45)):
        run_on(day)
    run_on(DUE - dt.timedelta(days=14))
    run_on(DUE + dt.timedelta(days=10))
    assert reminder_keys() == ["due-45", "due-14", "grace-10"]


def test_reminders_go_only_to_holders_whose_renewal_is_open(renewal, other_holder, staff, reviewer):
    done = issued_on(other_holder, dt.date(2026, 11, 1))
    completed_on(done, dt.date(2026, 11, 1), staff, reviewer)
    run_on(DUE - dt.timedelta(days=60))
    assert [message.holder for message in reminders()] == [renewal.holder]


def test_the_reminder_email_says_what_is_left_and_links_to_the_portal(
    renewal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_on(DUE - dt.timedelta(days=30))
    [message] = reminders()
    assert message.status == OutboxMessage.Status.SENT
    sent = [email for email in mail.outbox if email.subject == message.subject]
    assert len(sent) == 1
    email = sent[0]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert "due January 1, 2027" in email.subject
    assert "in 30 days" in email.body
    assert "1. Confirm your contact details" in email.body
    assert "4. Submit your CECs for NAAEI approval" in email.body
    assert "0 CECs, 8 needed" in email.body
    assert f"{settings.SITE_URL}/renewal/" in email.body
    assert settings.OFFICE_SIGNATURE.splitlines()[0] in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{settings.SITE_URL}/renewal/"' in html


def test_the_daily_task_sends_todays_reminders(renewal):
    with at(DUE - dt.timedelta(days=7)):
        queued = composition_tasks.send_due_reminders.delay().get()
    assert queued == 1
    assert reminder_keys() == ["due-7"]


def test_a_reminder_queued_before_the_renewal_was_completed_is_not_sent(renewal, staff, reviewer):
    # Queued at 8:00; the holder finished at 8:01, before a busy worker got to it.
    run_on(DUE - dt.timedelta(days=30))
    completed_on(renewal, DUE - dt.timedelta(days=30), staff, reviewer, minute=1)
    [message] = reminders()
    assert tasks.send_outbox_message.delay(message.pk).get() is False
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SKIPPED
    assert "completed" in message.last_error
    assert not [email for email in mail.outbox if email.subject == message.subject]
