"""Expo check-in by QR code (issue 11): the holder's signed daily code, staff scanning it
at a session, the pre-verified ledger entry, the refusals, and who may do what."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cec.models import (
    Attendance,
    CheckIn,
    CheckInMethod,
    ClassSession,
    EntryState,
    Event,
    LedgerEntry,
    Source,
)
from cec.services import checkin
from cec.services.checkin import CheckInRefused, check_in, code_for
from cec.services.submissions import reject_submission, submit_cecs
from tests.factories import HolderFactory, RenewalFactory, ReviewerFactory, StaffFactory
from tests.factories.checkin import (
    EXPO_DAY,
    EventFactory,
    ExpoCourseFactory,
    ExpoSessionFactory,
)

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


def on(day, hour=10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=DENVER), tick=False)


@pytest.fixture(autouse=True)
def _fresh_scan_counters():
    # Failed scans are counted per staff account in the cache; ids repeat across tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def expo_day():
    with on(EXPO_DAY):
        yield


@pytest.fixture
def session(db):
    return ExpoSessionFactory()


def scan_url(session):
    return reverse("checkin:scan", args=[session.pk])


def post_scan(client, session, code, method="camera"):
    return client.post(
        scan_url(session),
        data=json.dumps({"code": code, "method": method}),
        content_type="application/json",
    )


# --- The holder's code -------------------------------------------------------------------


def test_the_code_reveals_no_name_email_or_account_number(holder, session):
    holder.first_name, holder.last_name = "Harriet", "Holder"
    holder.save()
    code = code_for(holder, session.event)
    for secret in ("harriet", "holder", "example.org", "@"):
        assert secret not in code.qr_text.lower()
        assert secret not in code.typed.lower()
    token, event_id, day_and_signature = code.qr_text.removeprefix("AASC1.").split(".")
    assert str(holder.pk) != token
    assert event_id == str(session.event.pk)
    assert day_and_signature.startswith("20260924:")


def test_the_typed_code_is_eight_unambiguous_characters(holder, session):
    typed = code_for(holder, session.event).typed
    assert len(typed) == 9 and typed[4] == "-"
    assert set(typed.replace("-", "")) <= set(checkin.ALPHABET)


def test_the_code_changes_every_day(holder, session):
    today = code_for(holder, session.event)
    with on(EXPO_DAY + dt.timedelta(days=1)):
        tomorrow = code_for(holder, session.event)
    assert today.qr_text != tomorrow.qr_text
    assert today.typed != tomorrow.typed


def test_the_code_depends_on_the_secret_key(holder, session, settings):
    before = code_for(holder, session.event)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    after = code_for(holder, session.event)
    assert before.qr_text != after.qr_text and before.typed != after.typed


def test_each_holder_has_a_different_code(holder, other_holder, session):
    assert code_for(holder, session.event).typed != code_for(other_holder, session.event).typed


# --- Scanning ----------------------------------------------------------------------------


def test_a_scan_records_the_attendance_with_a_pre_verified_expo_entry(holder, staff, session):
    result = check_in(session, code_for(holder, session.event).qr_text, by=staff)

    assert not result.already
    assert result.holder_name == holder.display_name
    entry = LedgerEntry.objects.get(holder=holder)
    assert entry.source == Source.EXPO_CLASS
    assert entry.state == EntryState.VERIFIED
    assert entry.hours == Decimal("1.50")
    assert entry.in_network is False
    assert entry.earned_on == EXPO_DAY
    assert entry.reporting_form is None
    attendance = entry.attendance
    assert attendance.session == session and attendance.recorded_by == staff
    assert attendance.checkin.scanned_by == staff
    assert attendance.checkin.method == CheckInMethod.CAMERA
    record = entry.history.get()
    assert record.history_user == staff
    assert "pre-verified" in record.history_change_reason


def test_an_in_network_expo_class_credits_in_network_cecs(holder, staff):
    session = ExpoSessionFactory(course=ExpoCourseFactory(in_network=True))
    check_in(session, code_for(holder, session.event).qr_text, by=staff)
    assert LedgerEntry.objects.get(holder=holder).in_network is True


def test_scanning_twice_changes_nothing_and_says_already_checked_in(holder, staff, session):
    code = code_for(holder, session.event).qr_text
    first = check_in(session, code, by=staff)
    second = check_in(session, code, by=StaffFactory())

    assert second.already and second.entry == first.entry
    assert "already checked in" in second.message
    assert Attendance.objects.count() == 1
    assert LedgerEntry.objects.count() == 1
    assert CheckIn.objects.get().scanned_by == staff
    assert first.entry.history.count() == 1


def test_the_typed_code_checks_in_however_it_is_typed(holder, staff, session):
    typed = code_for(holder, session.event).typed
    sloppy = " " + typed.replace("-", "").lower().replace("0", "o").replace("1", "l") + " "
    result = check_in(session, sloppy, by=staff, method=CheckInMethod.TYPED)
    assert result.holder_name == holder.display_name
    assert CheckIn.objects.get().method == CheckInMethod.TYPED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda qr: qr[:-3] + ("AAA" if not qr.endswith("AAA") else "BBB"),  # signature changed
        lambda qr: qr.replace("20260924", "20260925"),  # day changed, signature kept
        lambda qr: "AASC1.not-a-token.1.20260924:forged",
        lambda qr: "https://example.org/evil",
        lambda qr: "",
        lambda qr: "x" * 5000,
    ],
    ids=["signature", "day", "made-up", "other-qr", "empty", "huge"],
)
def test_a_forged_code_is_refused(holder, staff, session, tamper):
    with pytest.raises(CheckInRefused) as refused:
        check_in(session, tamper(code_for(holder, session.event).qr_text), by=staff)
    assert refused.value.reason == "forged"
    assert "not a valid check-in code" in refused.value.message
    assert not LedgerEntry.objects.exists()


def test_a_made_up_typed_code_is_refused(holder, staff, session):
    code_for(holder, session.event)  # the holder has a key, so there is something to match
    with pytest.raises(CheckInRefused) as refused:
        check_in(session, "7KQ4-M2XP", by=staff, method=CheckInMethod.TYPED)
    assert refused.value.reason == "forged"


def test_yesterdays_code_is_refused_as_expired(holder, staff):
    event = EventFactory(starts_on=EXPO_DAY, ends_on=EXPO_DAY + dt.timedelta(days=1))
    second_day = ExpoSessionFactory(event=event, date=EXPO_DAY + dt.timedelta(days=1))
    yesterday = code_for(holder, event)
    with on(EXPO_DAY + dt.timedelta(days=1)):
        for code in (yesterday.qr_text, yesterday.typed):
            with pytest.raises(CheckInRefused) as refused:
                check_in(second_day, code, by=staff)
            assert refused.value.reason == "expired"
            assert "September 24, 2026 and has expired" in refused.value.message
    assert not LedgerEntry.objects.exists()


def test_a_code_for_another_event_is_refused(holder, staff, session):
    other_event = EventFactory(name="Pueblo Leasing Summit")
    code = code_for(holder, other_event)
    for text in (code.qr_text, code.typed):
        with pytest.raises(CheckInRefused) as refused:
            check_in(session, text, by=staff)
        assert refused.value.reason == "other_event"
        assert "This code is for Pueblo Leasing Summit, not this event" in refused.value.message
    assert not LedgerEntry.objects.exists()


def test_a_session_on_another_day_is_not_open_for_check_in(holder, staff):
    later = ExpoSessionFactory(date=EXPO_DAY + dt.timedelta(days=1))
    with pytest.raises(CheckInRefused) as refused:
        check_in(later, code_for(holder, later.event).qr_text, by=staff)
    assert refused.value.reason == "not_today"


def test_staff_cannot_check_themselves_in(staff, session):
    with pytest.raises(CheckInRefused) as refused:
        check_in(session, code_for(staff, session.event).qr_text, by=staff)
    assert refused.value.reason == "self"


def test_an_inactive_account_is_refused(holder, staff, session):
    code = code_for(holder, session.event).qr_text
    holder.is_active = False
    holder.save()
    with pytest.raises(CheckInRefused) as refused:
        check_in(session, code, by=staff)
    assert refused.value.reason == "inactive"


# --- The holder submits it without a Reporting Form ----------------------------------------


def test_the_holder_submits_a_checked_in_class_without_a_reporting_form(holder, staff, reviewer):
    renewal = RenewalFactory(holder=holder, year=2027)  # owes 8, 5 in-network
    session = ExpoSessionFactory(
        course=ExpoCourseFactory(in_network=True), start_time=dt.time(8), end_time=dt.time(16)
    )
    entry = check_in(session, code_for(holder, session.event).typed, by=staff).entry

    submission = submit_cecs(renewal, [entry], by=holder)

    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED
    assert list(submission.entries.all()) == [entry]

    reject_submission(submission, by=reviewer, reason="Please add the class agenda.")
    entry.refresh_from_db()
    assert entry.state == EntryState.VERIFIED  # back as it was: verified at the door


def test_the_pre_verified_entry_shows_in_the_ledger_at_once(holder, holder_client, staff, session):
    RenewalFactory(holder=holder, year=2027)
    entry = check_in(session, code_for(holder, session.event).qr_text, by=staff).entry
    page = holder_client.get(reverse("cec:ledger")).content.decode()
    assert f'data-entry="{entry.pk}"' in page
    assert "Expo class" in page and "Verified" in page


# --- Pages and who may use them --------------------------------------------------------------


def test_the_holder_sees_a_qr_code_and_a_typed_code(holder, holder_client, session):
    response = holder_client.get(reverse("checkin:my_code"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'class="checkin-qr"' in page
    assert code_for(holder, session.event).typed in page
    assert session.event.name in page
    assert "<script" not in page.split("<footer")[0].split("</nav>")[1]


def test_without_an_event_today_the_holder_is_told_when_the_code_appears(holder_client):
    next_month = EXPO_DAY + dt.timedelta(days=30)
    EventFactory(starts_on=next_month, ends_on=next_month)
    page = holder_client.get(reverse("checkin:my_code")).content.decode()
    assert "No event is on today" in page
    assert "Coming up" in page


def test_anonymous_visitors_are_sent_to_sign_in(session):
    client = Client()
    for url in (reverse("checkin:my_code"), reverse("checkin:scanner", args=[session.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("who", ["holder_client", "reviewer_client"])
def test_holders_and_reviewers_cannot_use_the_check_in_pages(request, who, session, other_holder):
    client = request.getfixturevalue(who)
    assert client.get(reverse("checkin:sessions")).status_code == 403
    assert client.get(reverse("checkin:scanner", args=[session.pk])).status_code == 403
    assert client.get(reverse("checkin:attendance_csv", args=[session.pk])).status_code == 403
    code = code_for(other_holder, session.event).qr_text
    assert post_scan(client, session, code).status_code == 403
    assert not Attendance.objects.exists()


def test_the_check_in_service_refuses_anyone_but_staff(session, holder, other_holder):
    code = code_for(holder, session.event).qr_text
    for someone in (ReviewerFactory(), other_holder):
        with pytest.raises(PermissionDenied):
            check_in(session, code, by=someone)
    assert not Attendance.objects.exists()


def test_staff_see_todays_sessions_and_the_scanner(staff_client, session):
    ExpoSessionFactory(date=EXPO_DAY + dt.timedelta(days=1))  # tomorrow: not listed
    page = staff_client.get(reverse("checkin:sessions")).content.decode()
    assert session.course.title in page
    assert page.count(reverse("checkin:scanner", args=[session.pk])) == 1
    scanner = staff_client.get(reverse("checkin:scanner", args=[session.pk]))
    assert scanner.status_code == 200
    html = scanner.content.decode()
    assert "vendor/jsqr/jsQR.js" in html and "js/checkin.js" in html
    assert "onclick" not in html and "<script>" not in html


def test_a_session_outside_any_event_has_no_check_in_page(staff_client):
    from tests.factories import ClassSessionFactory

    plain = ClassSessionFactory()
    assert staff_client.get(reverse("checkin:scanner", args=[plain.pk])).status_code == 404


def test_the_scan_endpoint_answers_in_json(staff_client, holder, session):
    code = code_for(holder, session.event).qr_text

    first = post_scan(staff_client, session, code)
    assert first.status_code == 201
    assert first.json()["outcome"] == "checked_in"
    assert first.json()["name"] == holder.display_name
    assert first.json()["count"] == 1

    again = post_scan(staff_client, session, code)
    assert again.status_code == 200 and again.json()["outcome"] == "already"

    forged = post_scan(staff_client, session, code[:-2] + "zz")
    assert forged.status_code == 422
    assert forged.json() == {
        "outcome": "refused",
        "message": forged.json()["message"],
        "reason": "forged",
    }
    assert holder.email not in json.dumps(first.json())


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"code": 5}', b"\xff\xfe"])
def test_a_garbled_scan_is_refused_without_a_server_error(staff_client, session, body):
    response = staff_client.post(scan_url(session), data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["outcome"] == "refused"


def test_the_typed_form_works_without_javascript(staff_client, holder, session):
    typed = code_for(holder, session.event).typed
    url = reverse("checkin:scanner", args=[session.pk])
    response = staff_client.post(url, {"code": typed}, follow=True)
    assert f"{holder.display_name} is checked in" in response.content.decode()
    assert CheckIn.objects.get().method == CheckInMethod.TYPED


def test_a_sessions_attendance_exports_as_csv(staff_client, staff, holder, session):
    holder.first_name, holder.last_name = "=Harriet", "Holder"
    holder.save()
    check_in(session, code_for(holder, session.event).qr_text, by=staff)
    response = staff_client.get(reverse("checkin:attendance_csv", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["holder", "email", "checked in at"]
    assert rows[1][0] == "'=Harriet Holder"  # no formula when opened in a spreadsheet
    assert rows[1][1] == holder.email
    assert rows[1][3:8] == [staff.display_name, "Camera scan", "1.50", "no", "Verified"]


# --- Admin and the demo ----------------------------------------------------------------------


def test_staff_set_up_an_expo_with_its_sessions_in_admin(staff_client):
    course = ExpoCourseFactory(title="Expo: Leasing Live")
    response = staff_client.post(
        reverse("admin:cec_event_add"),
        {
            "name": "AASC Expo 2026",
            "starts_on": "2026-09-24",
            "ends_on": "2026-09-25",
            "location": "Broadmoor Hall",
            "description": "",
            "checkin_margin_minutes": "30",
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "0",
            "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "1000",
            "sessions-0-course": str(course.pk),
            "sessions-0-date": "2026-09-24",
            "sessions-0-start_time": "09:00",
            "sessions-0-end_time": "10:50",
            "sessions-0-break_minutes": "10",
            "sessions-0-location": "Room B",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(name="AASC Expo 2026")
    session = event.sessions.get()
    assert session.cec_hours == Decimal("1.66")  # 100 minutes / 60, never rounded up
    change = staff_client.get(reverse("admin:cec_event_change", args=[event.pk])).content.decode()
    assert reverse("checkin:scanner", args=[session.pk]) in change


def test_the_demo_has_an_expo_session_today_and_loads_twice(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    event = Event.objects.get(name__contains="Expo (demo)")
    assert event.is_on(EXPO_DAY)
    assert ClassSession.objects.filter(event=event, date=EXPO_DAY).count() == 3
    later = EXPO_DAY + dt.timedelta(days=3)
    with on(later):
        call_command("load_demo", stdout=io.StringIO())
        event.refresh_from_db()
        assert event.is_on(later)
        assert ClassSession.objects.filter(event=event, date=later).count() == 3
    assert HolderFactory._meta.model.objects.filter(email="holder@example.org").exists()
