"""The end of grace (SPEC rule 9): an unrenewed credential lapses the day after grace
ends, with the reason recorded in its history, and the holder is told once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from credentials import tasks
from credentials.models import Credential, OutboxMessage
from credentials.services.lapses import NOTICE_WINDOW, lapse_overdue_credentials
from tests.factories import CredentialFactory, credential_type

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
GRACE_ENDS = dt.date(2027, 3, 31)  # of the 2027 renewal
LAPSE_DAY = dt.date(2027, 4, 1)


def holding(holder, code="CAM", valid_through=dt.date(2026, 12, 31)):
    return CredentialFactory(
        holder=holder, credential_type=credential_type(code), valid_through=valid_through
    )


def run_on(day):
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 0, 30, tzinfo=DENVER)):
        return lapse_overdue_credentials(on=day)


def notices():
    return list(OutboxMessage.objects.filter(kind="credential_lapsed"))


def test_a_credential_in_grace_does_not_lapse_on_the_last_day_of_grace(holder):
    credential = holding(holder)
    summary = run_on(GRACE_ENDS)
    credential.refresh_from_db()
    assert summary.lapsed == 0
    assert credential.lapsed_on is None
    assert notices() == []


def test_an_unrenewed_credential_lapses_the_day_after_grace_ends(holder):
    credential = holding(holder)
    summary = run_on(LAPSE_DAY)
    credential.refresh_from_db()
    assert summary.lapsed == 1
    assert credential.lapsed_on == LAPSE_DAY
    assert "2027" in credential.lapse_reason
    assert "March 31, 2027" in credential.lapse_reason


def test_the_lapse_is_recorded_in_the_credentials_history(holder):
    credential = holding(holder)
    run_on(LAPSE_DAY)
    latest = credential.history.latest()
    assert latest.lapsed_on == LAPSE_DAY
    assert "Lapsed" in latest.history_change_reason


def test_a_lapse_found_late_keeps_the_day_it_happened(holder):
    credential = holding(holder)
    run_on(LAPSE_DAY + dt.timedelta(days=5))
    credential.refresh_from_db()
    assert credential.lapsed_on == LAPSE_DAY


def test_the_holder_is_emailed_once_about_the_lapse(holder):
    holding(holder)
    run_on(LAPSE_DAY)
    run_on(LAPSE_DAY)
    run_on(LAPSE_DAY + dt.timedelta(days=1))
    [notice] = notices()
    assert notice.holder == holder
    assert notice.dedupe_key == f"credential_lapsed:{holder.pk}:{LAPSE_DAY.isoformat()}"
    assert notice.subject == "Your CAM credential has lapsed"


def test_credentials_lapsing_together_are_told_in_one_email(holder):
    holding(holder, "CAM")
    holding(holder, "CALP")
    run_on(LAPSE_DAY)
    [notice] = notices()
    assert notice.subject == "Your CALP and CAM credentials have lapsed"
    assert "CALP" in notice.body_text and "CAM" in notice.body_text
    assert "reinstatement fee" in notice.body_text


def test_each_holder_gets_their_own_lapse_notice(holder, other_holder):
    holding(holder)
    holding(other_holder, "CAS")
    run_on(LAPSE_DAY)
    assert sorted(n.holder.email for n in notices()) == sorted([holder.email, other_holder.email])


def test_a_renewed_credential_does_not_lapse(holder):
    credential = holding(holder, valid_through=dt.date(2027, 12, 31))
    run_on(LAPSE_DAY)
    credential.refresh_from_db()
    assert credential.lapsed_on is None
    assert notices() == []


def test_a_lifetime_camt_never_lapses(holder):
    credential = holding(holder, "CAMT", valid_through=None)
    run_on(dt.date(2030, 6, 1))
    credential.refresh_from_db()
    assert credential.lapsed_on is None


def test_an_old_lapse_is_not_announced_years_later(holder):
    # A lapse recorded long ago (imported history): switching the schedule on emails nobody.
    holding(holder, valid_through=dt.date(2023, 12, 31))
    Credential.objects.filter(holder=holder).update(
        lapsed_on=dt.date(2024, 4, 1), lapse_reason="Not renewed for 2024."
    )
    run_on(dt.date(2024, 4, 1) + NOTICE_WINDOW + dt.timedelta(days=1))
    assert notices() == []


def test_a_lapse_notice_missed_by_a_crashed_run_is_sent_by_the_next(holder):
    # The lapse was recorded but the run died before emailing: the next day's run tells.
    credential = holding(holder)
    Credential.objects.filter(pk=credential.pk).update(
        lapsed_on=LAPSE_DAY, lapse_reason="Not renewed for 2027."
    )
    summary = run_on(LAPSE_DAY + dt.timedelta(days=1))
    assert summary.lapsed == 0
    assert len(summary.notified) == 1


def test_the_lapse_email_is_sent_in_text_and_html_with_the_portal_link(
    holder, settings, django_capture_on_commit_callbacks
):
    holding(holder)
    with django_capture_on_commit_callbacks(execute=True):
        run_on(LAPSE_DAY)
    [email] = [e for e in mail.outbox if "lapsed" in e.subject]
    assert email.to == [holder.email]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert f"{settings.SITE_URL}/renewal/" in email.body
    assert "April 1, 2027" in email.body
    html, _ = email.alternatives[0]
    assert f'href="{settings.SITE_URL}/credentials/"' in html
    assert notices()[0].status == OutboxMessage.Status.SENT


def test_the_daily_task_lapses_overdue_credentials(holder):
    credential = holding(holder)
    assert tasks.lapse_overdue_credentials.delay(LAPSE_DAY.isoformat()).get() == 1
    credential.refresh_from_db()
    assert credential.lapsed_on == LAPSE_DAY
