"""Expo check-in by QR code: the holder's daily code, and staff scanning it at a session.

A holder's code is signed with SECRET_KEY from a random per-holder token, the event and
the day, so it changes every day, cannot be made up, and tells nothing to someone who
reads it (no name, email or id). It comes in two forms that mean the same thing:

- the QR code's text, `AASC1.<token>.<event>.<YYYYMMDD>:<signature>` (django.core.signing);
- a short code to type, `XXXX-XXXX`: 40 bits of an HMAC of the same three values.

Scanning it at a session records the attendance once and credits a ledger entry that is
already verified by the scanning staff member (SPEC rule 7 without the paper form).

Bounds (issue 15 item 10): a typed code is found through `CheckInCode`, a keyed digest
of it written when the holder's code is shown, so the lookup costs the same with 50 or
50,000 holders; codes that match no one are counted per staff account in the shared
cache and scanning pauses when there are too many; a code credits only inside its
session's time window (with the event's margin) and once per overlapping time slot.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from cec.models import (
    Attendance,
    CheckIn,
    CheckInCode,
    CheckInKey,
    CheckInMethod,
    ClassSession,
    Event,
    LedgerEntry,
)
from cec.services import ledger as ledger_services
from credentials import roles
from credentials.permissions import ADD_ATTENDANCE

QR_PREFIX = "AASC1."
QR_SALT = "cec.checkin.qr"
TYPED_SALT = "cec.checkin.typed"
LOOKUP_SALT = "cec.checkin.lookup"
# Crockford's base 32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TYPED_LENGTH = 8
MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CheckInRefused(Exception):
    """A code that cannot check anyone in here; `message` says why in the office's words."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class HolderCode:
    """What the holder shows at the door for one event on one day."""

    event: Event
    day: dt.date
    qr_text: str
    typed: str  # XXXX-XXXX


@dataclass(frozen=True)
class CheckInResult:
    holder_name: str
    entry: LedgerEntry
    already: bool

    @property
    def message(self) -> str:
        if self.already:
            return f"{self.holder_name} is already checked in: nothing was changed."
        return f"{self.holder_name} is checked in: {self.entry.hours} CEC credited, pre-verified."


# --- The holder's code -------------------------------------------------------------------


def key_for(holder) -> CheckInKey:
    """The holder's check-in key, made the first time they open their check-in page."""
    key = CheckInKey.objects.filter(holder=holder).first()
    if key is None:
        key, _ = CheckInKey.objects.get_or_create(
            holder=holder, defaults={"token": secrets.token_urlsafe(12)}
        )
    return key


def _payload(token: str, event_id: int, day: dt.date) -> str:
    return f"{token}.{event_id}.{day:%Y%m%d}"


def typed_code(token: str, event_id: int, day: dt.date) -> str:
    digest = salted_hmac(TYPED_SALT, _payload(token, event_id, day), algorithm="sha256").digest()
    number = int.from_bytes(digest[:5], "big")  # 40 bits = 8 characters of base 32
    chars = "".join(ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def qr_text(token: str, event_id: int, day: dt.date) -> str:
    return QR_PREFIX + signing.Signer(salt=QR_SALT).sign(_payload(token, event_id, day))


def lookup_for(typed: str) -> str:
    """The index under which a typed code is found: a keyed digest, so the table does not
    hold the day's codes themselves."""
    code = typed.replace("-", "")
    return salted_hmac(LOOKUP_SALT, code, algorithm="sha256").hexdigest()[:40]


def _remember(key: CheckInKey, event: Event, day: dt.date, typed: str) -> None:
    lookup = lookup_for(typed)
    row, created = CheckInCode.objects.get_or_create(
        key=key, event=event, day=day, defaults={"lookup": lookup}
    )
    if not created and row.lookup != lookup:  # SECRET_KEY changed since
        CheckInCode.objects.filter(pk=row.pk).update(lookup=lookup)


def code_for(holder, event: Event, day: dt.date | None = None) -> HolderCode:
    """The holder's code for `event` on `day`; its typed form is indexed for the scanner."""
    day = day or timezone.localdate()
    key = key_for(holder)
    typed = typed_code(key.token, event.pk, day)
    _remember(key, event, day, typed)
    return HolderCode(
        event=event,
        day=day,
        qr_text=qr_text(key.token, event.pk, day),
        typed=typed,
    )


def events_on(day: dt.date):
    return Event.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on", "pk")


# --- Reading a code at a session ---------------------------------------------------------


def normalise_typed(raw: str) -> str:
    cleaned = "".join(ch for ch in raw.upper() if ch.isalnum()).translate(MISREAD)
    return cleaned


def _day_text(day: dt.date) -> str:
    return f"{day:%B %-d, %Y}"


def _expired(day: dt.date) -> CheckInRefused:
    return CheckInRefused(
        "expired",
        f"This code was for {_day_text(day)} and has expired: codes change every day. "
        "Ask the holder to open their check-in page again.",
    )


def _other_event(event_id: int) -> CheckInRefused:
    event = Event.objects.filter(pk=event_id).first()
    name = event.name if event else "another event"
    return CheckInRefused(
        "other_event", f"This code is for {name}, not this event: it cannot check in here."
    )


FORGED = (
    "forged",
    "This is not a valid check-in code. Ask the holder to show the code on their "
    "check-in page, or type the code printed beside it.",
)


def _holder_from_qr(text: str, session: ClassSession, today: dt.date):
    try:
        payload = signing.Signer(salt=QR_SALT).unsign(text[len(QR_PREFIX) :])
        token, event_id, day_text = payload.split(".")
        event_id = int(event_id)
        day = dt.datetime.strptime(day_text, "%Y%m%d").date()
    except (signing.BadSignature, ValueError):
        raise CheckInRefused(*FORGED) from None
    if event_id != session.event_id:
        raise _other_event(event_id)
    if day < today:
        raise _expired(day)
    if day > today:
        raise CheckInRefused(*FORGED)
    key = CheckInKey.objects.select_related("holder").filter(token=token).first()
    if key is None:
        raise CheckInRefused(
            "revoked", "This code is no longer valid. Ask the holder to open their check-in page."
        )
    return key.holder


AMBIGUOUS = (
    "ambiguous",
    "This typed code matches more than one holder today: scan the holder's QR code instead.",
)


def _holder_from_typed(raw: str, session: ClassSession, today: dt.date):
    """Found by index (one query, whatever the number of holders); the candidates' codes
    are then recomputed and compared in constant time."""
    code = normalise_typed(raw)
    if len(code) != TYPED_LENGTH or any(ch not in ALPHABET for ch in code):
        raise CheckInRefused(
            "forged",
            "This is not a valid check-in code: a typed code has 8 letters and digits, "
            "like 7KQ4-M2XP. Check it and retry.",
        )
    yesterday = today - dt.timedelta(days=1)
    candidates = list(
        CheckInCode.objects.filter(lookup=lookup_for(code), day__in=[today, yesterday])
        .select_related("key__holder", "event")
        .order_by("-day", "pk")[:5]
    )
    matches = [
        row
        for row in candidates
        if constant_time_compare(
            typed_code(row.key.token, row.event_id, row.day), code[:4] + "-" + code[4:]
        )
    ]
    here = [row for row in matches if row.day == today and row.event_id == session.event_id]
    if len(here) > 1:
        raise CheckInRefused(*AMBIGUOUS)
    if here:
        return here[0].key.holder
    # Not for this event today: say why if it is another of today's events or yesterday's.
    for row in matches:
        if row.day == today:
            raise _other_event(row.event_id)
    for row in matches:
        if row.event_id == session.event_id:
            raise _expired(yesterday)
    raise CheckInRefused(*FORGED)


def holder_for_code(session: ClassSession, raw: str, today: dt.date | None = None):
    """The holder whose code `raw` is, if it checks them in at `session` today; refused
    with the reason (forged, expired, other event) otherwise."""
    today = today or timezone.localdate()
    text = (raw or "").strip()
    if not text or len(text) > 200:
        raise CheckInRefused(*FORGED)
    if text.startswith(QR_PREFIX):
        return _holder_from_qr(text, session, today)
    return _holder_from_typed(text, session, today)


# --- Checking in -------------------------------------------------------------------------


def _clock(moment: dt.datetime) -> str:
    return f"{moment:%-I:%M %p}".replace("AM", "a.m.").replace("PM", "p.m.")


def checkin_window(session: ClassSession) -> tuple[dt.datetime, dt.datetime]:
    """From the event's margin before the session starts to the margin after it ends."""
    margin = dt.timedelta(minutes=session.event.checkin_margin_minutes)
    zone = timezone.get_current_timezone()
    starts = dt.datetime.combine(session.date, session.start_time, tzinfo=zone)
    ends = dt.datetime.combine(session.date, session.end_time, tzinfo=zone)
    return starts - margin, ends + margin


def check_session_open(session: ClassSession, now: dt.datetime | None = None) -> None:
    """Check-in is for event sessions, during the session and the event's margin around it."""
    now = timezone.localtime(now)
    if session.event_id is None:
        raise CheckInRefused(
            "no_event", "This session is not part of an event: record its attendance in admin."
        )
    if session.date != now.date():
        raise CheckInRefused(
            "not_today",
            f"This session is on {_day_text(session.date)}: check-in is open on that day only.",
        )
    opens, closes = checkin_window(session)
    if now < opens:
        raise CheckInRefused(
            "not_open",
            f"Check-in for this session opens at {_clock(opens)} and closes at {_clock(closes)}.",
        )
    if now > closes:
        raise CheckInRefused(
            "not_open",
            f"Check-in for this session closed at {_clock(closes)} (it was open from "
            f"{_clock(opens)}): record a late arrival in admin.",
        )


def require_checkin_staff(user) -> None:
    if not (roles.is_aasc_staff(user) and user.has_perm(ADD_ATTENDANCE)):
        raise PermissionDenied("Only AASC staff check holders in.")


# --- Throttling codes that match no one -------------------------------------------------


def _now_seconds() -> float:
    return time.time()


def _limits() -> tuple[int, int]:
    limit = getattr(settings, "CHECKIN_FAILED_SCAN_LIMIT", 20)
    window = getattr(settings, "CHECKIN_FAILED_SCAN_WINDOW_SECONDS", 600)
    return limit, window


def _blocked_key(user) -> str:
    return f"cec.checkin.blocked.{user.pk}"


def check_not_throttled(user) -> None:
    """Refused while the staff account's scans are paused for too many codes that match no
    one (guessing typed codes); the pause is shared by every web worker (the cache)."""
    until = cache.get(_blocked_key(user))
    now = _now_seconds()
    if until is not None and until > now:
        minutes = max(1, math.ceil((until - now) / 60))
        raise CheckInRefused(
            "throttled",
            f"Too many codes scanned on your account matched no holder: scanning is paused "
            f"for {minutes} minutes. Check the code with the holder, or ask a colleague "
            "to scan it.",
        )


def record_failed_scan(user) -> None:
    limit, window = _limits()
    now = _now_seconds()
    counter = f"cec.checkin.failed.{user.pk}.{int(now // window)}"
    cache.add(counter, 0, timeout=window * 2)
    try:
        failures = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=window * 2)
        failures = 1
    if failures >= limit:
        cache.set(_blocked_key(user), now + window, timeout=window)


# --- Checking in -------------------------------------------------------------------------


def check_in(session: ClassSession, code: str, *, by, method=CheckInMethod.CAMERA) -> CheckInResult:
    """Staff scan a holder's code at a session: the attendance is recorded once, with a
    ledger entry verified by `by` (source Expo class, history record). A second scan
    changes nothing and says the holder is already checked in. Codes that match no holder
    count against `by`; too many pause their scanning for a while."""
    require_checkin_staff(by)
    check_not_throttled(by)
    try:
        return _check_in(session, code, by=by, method=method)
    except CheckInRefused as refused:
        if refused.reason in ("forged", "revoked"):
            # Counted outside the transaction: a database cache would roll it back.
            record_failed_scan(by)
        raise


def _overlapping_attendance(session: ClassSession, holder):
    return (
        Attendance.objects.filter(
            holder=holder,
            session__date=session.date,
            session__start_time__lt=session.end_time,
            session__end_time__gt=session.start_time,
        )
        .exclude(session=session)
        .select_related("session__course")
        .first()
    )


@transaction.atomic
def _check_in(session: ClassSession, code: str, *, by, method) -> CheckInResult:
    if method not in CheckInMethod.values:
        method = CheckInMethod.CAMERA
    # One check-in at a time per session: two phones scanning the same person at once
    # still record one attendance.
    locked = ClassSession.objects.select_for_update().select_related("course", "event")
    session = locked.get(pk=session.pk)
    check_session_open(session)
    holder = holder_for_code(session, code)
    if holder.pk == by.pk:
        raise CheckInRefused("self", "Staff cannot check themselves in: ask a colleague.")
    if not holder.is_active:
        raise CheckInRefused("inactive", f"{holder.display_name}'s account is not active.")
    # One check-in at a time per holder too, so two doors cannot credit overlapping sessions.
    CheckInKey.objects.select_for_update().filter(holder=holder).first()

    existing = (
        Attendance.objects.filter(session=session, holder=holder)
        .select_related("ledger_entry")
        .first()
    )
    if existing is not None and getattr(existing, "ledger_entry", None) is not None:
        return CheckInResult(holder.display_name, existing.ledger_entry, already=True)
    other = _overlapping_attendance(session, holder)
    if other is not None:
        theirs = other.session
        raise CheckInRefused(
            "overlap",
            f"{holder.display_name} is already checked in at {theirs.course.title} "
            f"({theirs.start_time:%H:%M}–{theirs.end_time:%H:%M}), which overlaps this "
            "session: one session at a time is credited.",
        )

    try:
        entry = ledger_services.record_attendance(
            session,
            holder,
            by=by,
            pre_verified=True,
            reason=f"Checked in at {session.event.name} by {by.display_name}: pre-verified",
        )
    except ValidationError as exc:
        raise CheckInRefused("refused", " ".join(exc.messages)) from None
    CheckIn.objects.get_or_create(
        attendance_id=entry.attendance_id, defaults={"scanned_by": by, "method": method}
    )
    return CheckInResult(holder.display_name, entry, already=False)


def was_checked_in(entry: LedgerEntry) -> bool:
    """The entry was verified at the door by AASC staff (no Reporting Form needed)."""
    return (
        bool(entry.attendance_id)
        and CheckIn.objects.filter(attendance_id=entry.attendance_id).exists()
    )
