"""Writes to the CEC ledger from AASC classes (SPEC rule 6).

Recording attendance credits a ledger entry in the same transaction; removing it
withdraws the entry (kept, with its history) instead of deleting it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cec.models import Attendance, Category, ClassSession, EntryState, LedgerEntry, Source
from credentials import roles
from renewal_portal.infra.history import save_with_history

# The course category decides the ledger source; AASC classes are the ones with certificates.
SOURCE_OF_CATEGORY = {
    Category.AASC_CLASS: Source.AASC_CLASS,
    Category.EXPO_CLASS: Source.EXPO_CLASS,
}

# Once an entry is part of a submission to NAAEI the office can no longer take it back.
LOCKED_STATES = (EntryState.SUBMITTED, EntryState.APPROVED)


def certificate_number_for(attendance: Attendance) -> str:
    """AASC-<year of the class>-<attendance id>: unique, and known before the entry exists."""
    return f"AASC-{attendance.session.date.year}-{attendance.pk:06d}"


def _entry_from(attendance: Attendance) -> LedgerEntry:
    session = attendance.session
    course = session.course
    return LedgerEntry(
        holder_id=attendance.holder_id,
        earned_on=session.date,
        hours=session.cec_hours,
        title=course.title,
        source=SOURCE_OF_CATEGORY.get(course.category, Source.OTHER),
        in_network=course.in_network,
        participation=False,
        state=EntryState.CREDITED,
        attendance=attendance,
        certificate_number=certificate_number_for(attendance),
    )


def check_can_attend(session: ClassSession, holder=None, by=None) -> None:
    """Attendance is recorded for classes that have taken place, for active accounts, by
    someone other than the attendee (nobody credits CECs to their own ledger)."""
    if roles.credits_own_ledger(by, holder):
        raise ValidationError(roles.SELF_CREDIT_REFUSED, code="self_credit")
    if session.date > timezone.localdate():
        raise ValidationError(
            f"The class on {session.date:%B %-d, %Y} has not taken place yet; record "
            "attendance on or after that day."
        )
    if holder is not None and not holder.is_active:
        raise ValidationError(f"{holder.email} is not an active account.")


@transaction.atomic
def record_attendance(
    session: ClassSession, holder, by, *, pre_verified: bool = False, reason: str = ""
) -> LedgerEntry:
    """A holder attended a class: credit the CEC entry at once. Recording the same
    attendance again returns the entry already credited. `pre_verified` (Expo check-in
    by AASC staff at the door) makes the entry verified by `by`, with no Reporting Form."""
    check_can_attend(session, holder, by)
    attendance, created = Attendance.objects.get_or_create(
        session=session, holder=holder, defaults={"recorded_by": by}
    )
    if not created:
        existing = LedgerEntry.objects.filter(attendance=attendance).first()
        if existing is not None:
            return existing
    entry = _entry_from(attendance)
    if pre_verified:
        entry.state = EntryState.VERIFIED
    save_with_history(entry, by=by, why=reason or f"Attendance at {session} recorded")
    return entry


def check_can_remove(entry: LedgerEntry | None) -> None:
    """CECs already submitted to NAAEI stay: the office cannot take them back."""
    if entry is not None and entry.state in LOCKED_STATES:
        raise ValidationError(
            f"{entry.title} ({entry.earned_on:%B %-d, %Y}) is {entry.get_state_display()}: "
            "CECs in a submission to NAAEI cannot be withdrawn."
        )


@transaction.atomic
def remove_attendance(attendance: Attendance, by) -> LedgerEntry | None:
    """Staff take back an attendance recorded by mistake: the entry is withdrawn (it stays
    in the ledger and its history says who did it) and the attendance is removed."""
    attendance = (
        Attendance.objects.select_for_update().select_related("session").get(pk=attendance.pk)
    )
    entry = LedgerEntry.objects.select_for_update().filter(attendance=attendance).first()
    check_can_remove(entry)
    if entry is not None:
        entry.state = EntryState.WITHDRAWN
        entry.attendance = None
        save_with_history(entry, by=by, why=f"Attendance at {attendance.session} removed")
    attendance.delete()
    return entry


# The fields of a class session its attendees' entries are computed from.
CREDIT_FIELDS = ("course", "date", "start_time", "end_time", "break_minutes")


def check_can_correct_session(session: ClassSession, by) -> None:
    """Someone who attended a class does not correct it: that would change their own CECs."""
    if by is not None and Attendance.objects.filter(session=session, holder=by).exists():
        raise ValidationError(
            "You attended this class, so correcting its date, times or course would change "
            "your own CECs: ask another AASC staff member to do it.",
            code="self_credit",
        )


@transaction.atomic
def update_session_entries(session: ClassSession, by) -> int:
    """After staff correct a class (its date, length or course), the entries it credited
    follow, except those already in a submission to NAAEI. Returns how many changed."""
    check_can_correct_session(session, by)
    changed = 0
    entries = (
        LedgerEntry.objects.select_for_update()
        .filter(attendance__session=session)
        .exclude(state__in=LOCKED_STATES)
        .select_related("attendance__session__course")
    )
    for entry in entries:
        fresh = _entry_from(entry.attendance)
        fields = ["earned_on", "hours", "title", "source", "in_network"]
        if all(getattr(entry, f) == getattr(fresh, f) for f in fields):
            continue
        for field in fields:
            setattr(entry, field, getattr(fresh, field))
        save_with_history(entry, by=by, why=f"Class {session} corrected", update_fields=fields)
        changed += 1
    return changed
