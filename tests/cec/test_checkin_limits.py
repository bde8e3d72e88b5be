"""Expo check-in, bounded (issue 15 item 10, and item 2's "scanning their own check-in
code"): a typed code is found without reading every holder's key, failed scans are
throttled per staff account, a code credits only inside its session's time window and
once per overlapping time slot, and staff cannot credit themselves."""

import datetime as dt
import json
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from cec.models import Attendance, CheckInKey, CheckInMethod, LedgerEntry
from cec.services import checkin
from cec.services.checkin import CheckInRefused, check_in, code_for
from tests.factories import HolderFactory, StaffFactory
from tests.factories.checkin import EXPO_DAY, EventFactory, ExpoSessionFactory

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
T = dt.time


def at(hour, minute=0, day=EXPO_DAY):
    moment = dt.datetime.combine(day, T(hour, minute), tzinfo=DENVER)
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def expo_day():
    with at(10):
        yield


@pytest.fixture
def session(db):
    return ExpoSessionFactory()  # 10:00–11:30 on the Expo's first day


def post_scan(client, session, code, method="camera"):
    return client.post(
        reverse("checkin:scan", args=[session.pk]),
        data=json.dumps({"code": code, "method": method}),
        content_type="application/json",
    )


# --- The lookup does not depend on the number of holders ------------------------------------


def test_a_typed_code_is_found_without_reading_every_holders_key(holder, staff, session):
    for _ in range(40):
        code_for(HolderFactory(), session.event)
    typed = code_for(holder, session.event).typed
    assert CheckInKey.objects.count() == 41

    with mock.patch.object(checkin, "typed_code", wraps=checkin.typed_code) as computed:
        result = check_in(session, typed, by=staff, method=CheckInMethod.TYPED)

    assert result.holder_name == holder.display_name
    assert computed.call_count <= 2


def test_a_made_up_typed_code_reads_no_holders_key(holder, staff, session):
    for _ in range(20):
        code_for(HolderFactory(), session.event)
    with mock.patch.object(checkin, "typed_code", wraps=checkin.typed_code) as computed:
        with pytest.raises(CheckInRefused) as refused:
            check_in(session, "7KQ4-M2XP", by=staff, method=CheckInMethod.TYPED)
    assert refused.value.reason == "forged"
    assert computed.call_count == 0


def test_the_lookup_stores_no_readable_code(holder, session):
    from cec.models import CheckInCode

    typed = code_for(holder, session.event).typed
    row = CheckInCode.objects.get()
    assert typed.replace("-", "") not in row.lookup
    assert str(holder.pk) != row.lookup


def test_expired_and_other_event_codes_are_still_told_apart(holder, staff):
    event = EventFactory(starts_on=EXPO_DAY, ends_on=EXPO_DAY + dt.timedelta(days=1))
    other = EventFactory(name="Pueblo Leasing Summit")
    second_day = ExpoSessionFactory(event=event, date=EXPO_DAY + dt.timedelta(days=1))
    yesterday = code_for(holder, event).typed
    with at(10, day=EXPO_DAY + dt.timedelta(days=1)):
        with pytest.raises(CheckInRefused) as refused:
            check_in(second_day, yesterday, by=staff, method=CheckInMethod.TYPED)
        assert refused.value.reason == "expired"
        elsewhere = code_for(holder, other).typed
        with pytest.raises(CheckInRefused) as refused:
            check_in(second_day, elsewhere, by=staff, method=CheckInMethod.TYPED)
        assert refused.value.reason == "other_event"


# --- Guesses are throttled per staff account -------------------------------------------------


def test_failed_scans_are_throttled_per_staff_account(holder, staff, session, settings):
    settings.CHECKIN_FAILED_SCAN_LIMIT = 5
    for n in range(5):
        with pytest.raises(CheckInRefused) as refused:
            check_in(session, f"7KQ4-M2X{n}", by=staff, method=CheckInMethod.TYPED)
        assert refused.value.reason == "forged"

    real = code_for(holder, session.event).typed
    with pytest.raises(CheckInRefused) as refused:
        check_in(session, real, by=staff, method=CheckInMethod.TYPED)
    assert refused.value.reason == "throttled"
    assert "Too many codes" in refused.value.message
    assert "minutes" in refused.value.message
    assert not Attendance.objects.exists()

    # A colleague at the next door is not blocked.
    assert check_in(session, real, by=StaffFactory(), method=CheckInMethod.TYPED).holder_name


def test_the_throttle_lifts_after_its_window(holder, staff, session, settings):
    settings.CHECKIN_FAILED_SCAN_LIMIT = 2
    settings.CHECKIN_FAILED_SCAN_WINDOW_SECONDS = 600
    for code in ("AAAA-AAAA", "BBBB-BBBB"):
        with pytest.raises(CheckInRefused):
            check_in(session, code, by=staff, method=CheckInMethod.TYPED)
    real = code_for(holder, session.event).qr_text
    with pytest.raises(CheckInRefused) as refused:
        check_in(session, real, by=staff)
    assert refused.value.reason == "throttled"
    with mock.patch.object(checkin, "_now_seconds", return_value=checkin._now_seconds() + 601):
        assert not check_in(session, real, by=staff).already


def test_the_scan_endpoint_answers_429_when_throttled(staff_client, holder, session, settings):
    settings.CHECKIN_FAILED_SCAN_LIMIT = 3
    for _ in range(3):
        assert post_scan(staff_client, session, "AASC1.made.up:code").status_code == 422
    response = post_scan(staff_client, session, code_for(holder, session.event).qr_text)
    assert response.status_code == 429
    assert response.json()["reason"] == "throttled"
    assert "Too many codes" in response.json()["message"]


def test_real_codes_refused_for_another_reason_are_not_counted_as_guesses(
    holder, staff, session, settings
):
    settings.CHECKIN_FAILED_SCAN_LIMIT = 2
    code = code_for(holder, session.event).qr_text
    check_in(session, code, by=staff)
    for _ in range(4):
        assert check_in(session, code, by=staff).already


# --- Only during the session's time window ----------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "open_"),
    [(9, 29, False), (9, 30, True), (11, 30, True), (12, 0, True), (12, 1, False), (16, 0, False)],
)
def test_a_code_credits_only_during_the_session_and_its_margin(
    holder, staff, session, hour, minute, open_
):
    with at(hour, minute):
        code = code_for(holder, session.event).qr_text
        if open_:
            assert not check_in(session, code, by=staff).already
        else:
            with pytest.raises(CheckInRefused) as refused:
                check_in(session, code, by=staff)
            assert refused.value.reason == "not_open"
            assert "9:30" in refused.value.message and "12:00" in refused.value.message
            assert not LedgerEntry.objects.exists()


def test_staff_set_the_margin_on_the_event(holder, staff):
    session = ExpoSessionFactory(event=EventFactory(checkin_margin_minutes=5))
    with at(9, 50):
        with pytest.raises(CheckInRefused) as refused:
            check_in(session, code_for(holder, session.event).qr_text, by=staff)
        assert refused.value.reason == "not_open"
    with at(9, 55):
        assert not check_in(session, code_for(holder, session.event).qr_text, by=staff).already


def test_the_default_margin_is_thirty_minutes(session):
    assert session.event.checkin_margin_minutes == 30


def test_the_scanner_page_says_when_check_in_opens(staff_client, session):
    with at(8):
        page = staff_client.get(reverse("checkin:scanner", args=[session.pk])).content.decode()
    assert "opens at 9:30" in page


# --- Once per overlapping time slot -------------------------------------------------------------


def test_a_holder_is_not_credited_for_two_overlapping_sessions(holder, staff, session):
    overlapping = ExpoSessionFactory(event=session.event, start_time=T(11), end_time=T(12))
    code = code_for(holder, session.event).qr_text
    check_in(session, code, by=staff)
    with at(11, 15):
        with pytest.raises(CheckInRefused) as refused:
            check_in(overlapping, code_for(holder, session.event).qr_text, by=staff)
    assert refused.value.reason == "overlap"
    assert session.course.title in refused.value.message
    assert LedgerEntry.objects.filter(holder=holder).count() == 1


def test_back_to_back_sessions_both_credit(holder, staff, session):
    next_one = ExpoSessionFactory(event=session.event, start_time=T(11, 30), end_time=T(12, 30))
    check_in(session, code_for(holder, session.event).qr_text, by=staff)
    with at(11, 40):
        check_in(next_one, code_for(holder, session.event).qr_text, by=staff)
    assert LedgerEntry.objects.filter(holder=holder).count() == 2


# --- Staff cannot credit themselves (issue 15 item 2) -----------------------------------------


def test_staff_cannot_scan_their_own_code_at_the_scan_endpoint(staff_client, staff, session):
    response = post_scan(staff_client, session, code_for(staff, session.event).qr_text)
    assert response.status_code == 422
    assert response.json()["reason"] == "self"
    assert not LedgerEntry.objects.filter(holder=staff).exists()


def test_staff_cannot_type_their_own_code(staff_client, staff, session):
    typed = code_for(staff, session.event).typed
    url = reverse("checkin:scanner", args=[session.pk])
    page = staff_client.post(url, {"code": typed}, follow=True).content.decode()
    assert "Staff cannot check themselves in" in page
    assert not Attendance.objects.filter(holder=staff).exists()
