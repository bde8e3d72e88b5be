"""Reads for Expo check-in: today's event sessions, a session's check-ins, its CSV."""

from django.utils import timezone

from cec.models import Attendance, ClassSession
from renewal_portal.infra.spreadsheets import csv_text

ATTENDANCE_COLUMNS = [
    "holder",
    "email",
    "checked in at",
    "recorded by",
    "how",
    "CEC hours",
    "in-network",
    "ledger state",
    "certificate number",
]


def event_sessions_on(day=None):
    """Sessions of events held on `day` (today by default), in the order they run."""
    day = day or timezone.localdate()
    return (
        ClassSession.objects.filter(event__isnull=False, date=day)
        .select_related("course", "event")
        .order_by("start_time", "course__title")
    )


def session_attendances(session):
    """Everyone recorded at the session, newest first, however they were recorded."""
    return (
        Attendance.objects.filter(session=session)
        .select_related("holder", "recorded_by", "ledger_entry", "checkin__scanned_by")
        .order_by("-recorded_at", "-pk")
    )


def session_attendance_csv(session) -> str:
    rows = []
    for attendance in reversed(list(session_attendances(session))):
        entry = getattr(attendance, "ledger_entry", None)
        checkin = getattr(attendance, "checkin", None)
        recorder = checkin.scanned_by if checkin else attendance.recorded_by
        rows.append(
            [
                attendance.holder.get_full_name(),
                attendance.holder.email,
                timezone.localtime(attendance.recorded_at).strftime("%Y-%m-%d %H:%M"),
                recorder.display_name if recorder else "",
                checkin.get_method_display() if checkin else "Recorded in admin",
                f"{session.cec_hours:.2f}",
                "yes" if session.course.in_network else "no",
                entry.get_state_display() if entry else "",
                (entry.certificate_number or "") if entry else "",
            ]
        )
    return csv_text(ATTENDANCE_COLUMNS, rows)


def csv_filename(session) -> str:
    return f"checkin-{session.date:%Y-%m-%d}-session-{session.pk}.csv"
