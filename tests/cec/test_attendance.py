"""SPEC rule 6: recording attendance at an AASC class credits the ledger at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cec.models import Attendance, Category, EntryState, LedgerEntry, Source
from cec.services.ledger import record_attendance, remove_attendance, update_session_entries
from tests.factories import ClassSessionFactory, CourseFactory, HolderFactory

pytestmark = pytest.mark.django_db


def test_recording_attendance_credits_a_ledger_entry_at_once(holder, staff):
    session = ClassSessionFactory(date=dt.date(2026, 3, 12))
    entry = record_attendance(session, holder, by=staff)
    entry.refresh_from_db()
    assert entry.holder == holder
    assert entry.earned_on == dt.date(2026, 3, 12)
    assert entry.hours == Decimal("2.50")
    assert entry.title == session.course.title
    assert entry.source == Source.AASC_CLASS
    assert entry.in_network is True
    assert entry.state == EntryState.CREDITED
    assert entry.attendance.session == session
    assert entry.attendance.recorded_by == staff


def test_each_aasc_class_entry_gets_a_certificate_number(holder, staff):
    entry = record_attendance(ClassSessionFactory(date=dt.date(2026, 5, 1)), holder, by=staff)
    assert entry.certificate_number == f"AASC-2026-{entry.attendance_id:06d}"


def test_recording_the_same_attendance_twice_creates_one_entry(holder, staff):
    session = ClassSessionFactory()
    first = record_attendance(session, holder, by=staff)
    second = record_attendance(session, holder, by=staff)
    assert first.pk == second.pk
    assert Attendance.objects.filter(session=session, holder=holder).count() == 1
    assert LedgerEntry.objects.filter(holder=holder).count() == 1


def test_recording_attendance_leaves_a_history_record_naming_the_clerk(holder, staff):
    entry = record_attendance(ClassSessionFactory(), holder, by=staff)
    record = entry.history.get()
    assert record.history_user == staff
    assert record.history_change_reason.startswith("Attendance at ")


def test_an_expo_class_is_credited_as_an_expo_class(holder, staff):
    course = CourseFactory(category=Category.EXPO_CLASS, in_network=False)
    entry = record_attendance(ClassSessionFactory(course=course), holder, by=staff)
    assert entry.source == Source.EXPO_CLASS
    assert entry.in_network is False


def test_attendance_cannot_be_recorded_before_the_class_takes_place(holder, staff):
    session = ClassSessionFactory(date=dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="has not taken place yet"):
        record_attendance(session, holder, by=staff)
    assert not LedgerEntry.objects.exists()


def test_removing_attendance_withdraws_the_entry_instead_of_deleting_it(holder, staff):
    session = ClassSessionFactory()
    entry = record_attendance(session, holder, by=staff)
    remove_attendance(entry.attendance, by=staff)
    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN
    assert not Attendance.objects.filter(session=session, holder=holder).exists()


def test_a_withdrawn_entry_keeps_its_history(holder, staff):
    entry = record_attendance(ClassSessionFactory(), holder, by=staff)
    attendance_id = entry.attendance_id
    remove_attendance(entry.attendance, by=staff)
    states = list(entry.history.order_by("history_date").values_list("state", "attendance_id"))
    assert states == [(EntryState.CREDITED, attendance_id), (EntryState.WITHDRAWN, None)]
    assert entry.history.latest().history_user == staff


def test_cecs_already_submitted_to_naaei_cannot_be_withdrawn(holder, staff):
    entry = record_attendance(ClassSessionFactory(), holder, by=staff)
    LedgerEntry.objects.filter(pk=entry.pk).update(state=EntryState.SUBMITTED)
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        remove_attendance(entry.attendance, by=staff)
    assert Attendance.objects.filter(pk=entry.attendance_id).exists()


def test_attending_again_after_a_withdrawal_credits_a_new_entry(holder, staff):
    session = ClassSessionFactory()
    first = record_attendance(session, holder, by=staff)
    remove_attendance(first.attendance, by=staff)
    second = record_attendance(session, holder, by=staff)
    assert second.pk != first.pk
    assert second.state == EntryState.CREDITED


def test_correcting_a_class_updates_the_entries_it_credited(holder, staff):
    session = ClassSessionFactory(start_time=dt.time(9), end_time=dt.time(12), break_minutes=30)
    entry = record_attendance(session, holder, by=staff)
    session.end_time = dt.time(13)
    session.save()
    assert update_session_entries(session, by=staff) == 1
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.50")
    assert entry.history.latest().history_change_reason.startswith("Class ")


# --- In admin -------------------------------------------------------------------------


def _inline_post(session, holders_new=(), existing=(), delete=()):
    data = {
        "course": session.course_id,
        "instructor": session.instructor,
        "location": session.location,
        "capacity": "",
        "date": session.date.isoformat(),
        "start_time": session.start_time.strftime("%H:%M"),
        "end_time": session.end_time.strftime("%H:%M"),
        "break_minutes": session.break_minutes,
        "attendances-TOTAL_FORMS": len(existing) + len(holders_new),
        "attendances-INITIAL_FORMS": len(existing),
        "attendances-MIN_NUM_FORMS": 0,
        "attendances-MAX_NUM_FORMS": 1000,
    }
    for i, attendance in enumerate(existing):
        data[f"attendances-{i}-id"] = attendance.pk
        data[f"attendances-{i}-session"] = session.pk
        data[f"attendances-{i}-holder"] = attendance.holder_id
        if attendance in delete:
            data[f"attendances-{i}-DELETE"] = "on"
    for j, holder in enumerate(holders_new, start=len(existing)):
        data[f"attendances-{j}-session"] = session.pk
        data[f"attendances-{j}-holder"] = holder.pk
    return data


def test_staff_record_attendance_in_the_session_inline_and_the_entry_appears(
    staff_client, staff, holder
):
    session = ClassSessionFactory()
    url = reverse("admin:cec_classsession_change", args=[session.pk])
    response = staff_client.post(url, _inline_post(session, holders_new=[holder]))
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(holder=holder)
    assert entry.attendance.session == session
    assert entry.history.get().history_user == staff


def test_deleting_an_attendee_in_the_inline_withdraws_their_entry(staff_client, staff, holder):
    session = ClassSessionFactory()
    entry = record_attendance(session, holder, by=staff)
    url = reverse("admin:cec_classsession_change", args=[session.pk])
    data = _inline_post(session, existing=[entry.attendance], delete=[entry.attendance])
    response = staff_client.post(url, data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN


def test_the_inline_refuses_to_delete_submitted_cecs_with_a_message(staff_client, staff, holder):
    session = ClassSessionFactory()
    entry = record_attendance(session, holder, by=staff)
    LedgerEntry.objects.filter(pk=entry.pk).update(state=EntryState.SUBMITTED)
    url = reverse("admin:cec_classsession_change", args=[session.pk])
    data = _inline_post(session, existing=[entry.attendance], delete=[entry.attendance])
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "cannot be withdrawn" in response.content.decode()
    assert Attendance.objects.filter(pk=entry.attendance_id).exists()


def test_the_session_page_shows_staff_the_computed_cec_value(staff_client):
    session = ClassSessionFactory(start_time=dt.time(9), end_time=dt.time(16), break_minutes=60)
    response = staff_client.get(reverse("admin:cec_classsession_change", args=[session.pk]))
    assert "6.00 CEC = (420 min − 60 min of meals and breaks) ÷ 60" in response.content.decode()


def test_a_session_with_breaks_longer_than_the_class_is_refused_next_to_the_field(
    staff_client,
):
    course = CourseFactory()
    response = staff_client.post(
        reverse("admin:cec_classsession_add"),
        {
            "course": course.pk,
            "date": "2026-04-01",
            "start_time": "09:00",
            "end_time": "10:00",
            "break_minutes": 90,
            "attendances-TOTAL_FORMS": 0,
            "attendances-INITIAL_FORMS": 0,
            "attendances-MIN_NUM_FORMS": 0,
            "attendances-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 200
    assert "Meals and breaks must be shorter than the class." in response.content.decode()


def test_deleting_an_attendance_in_admin_withdraws_the_entry(staff_client, staff, holder):
    entry = record_attendance(ClassSessionFactory(), holder, by=staff)
    url = reverse("admin:cec_attendance_delete", args=[entry.attendance_id])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN


def test_adding_an_attendance_in_admin_goes_through_the_service(staff_client, staff):
    holder = HolderFactory()
    session = ClassSessionFactory()
    response = staff_client.post(
        reverse("admin:cec_attendance_add"), {"session": session.pk, "holder": holder.pk}
    )
    assert response.status_code == 302
    assert LedgerEntry.objects.get(holder=holder).attendance.recorded_by == staff


def test_reviewers_cannot_record_attendance(reviewer_client, holder):
    session = ClassSessionFactory()
    response = reviewer_client.post(
        reverse("admin:cec_attendance_add"), {"session": session.pk, "holder": holder.pk}
    )
    assert response.status_code in (302, 403)
    assert not LedgerEntry.objects.exists()


def test_ledger_entries_are_read_only_in_admin(staff_client, staff, holder):
    entry = record_attendance(ClassSessionFactory(), holder, by=staff)
    url = reverse("admin:cec_ledgerentry_change", args=[entry.pk])
    staff_client.post(url, {"hours": "99", "state": "approved"})
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.50")
    assert entry.state == EntryState.CREDITED
    assert staff_client.get(url).status_code == 200


def test_the_inline_refuses_attendees_of_a_class_not_yet_held_next_to_the_field(
    staff_client, holder
):
    session = ClassSessionFactory(date=dt.date.today() + dt.timedelta(days=7))
    url = reverse("admin:cec_classsession_change", args=[session.pk])
    response = staff_client.post(url, _inline_post(session, holders_new=[holder]))
    assert response.status_code == 200
    assert "has not taken place yet" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_new_session_with_a_bad_date_and_an_attendee_answers_with_a_message(staff_client, holder):
    course = CourseFactory()
    response = staff_client.post(
        reverse("admin:cec_classsession_add"),
        {
            "course": course.pk,
            "date": "not a date",
            "start_time": "09:00",
            "end_time": "10:00",
            "break_minutes": 0,
            "attendances-TOTAL_FORMS": 1,
            "attendances-INITIAL_FORMS": 0,
            "attendances-MIN_NUM_FORMS": 0,
            "attendances-MAX_NUM_FORMS": 1000,
            "attendances-0-holder": holder.pk,
        },
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not LedgerEntry.objects.exists()
