"""Renewal reminders: before the due date and during grace, each sent once, never after
the renewal is complete (SPEC "Background work").

The daily task calls `send_due_reminders(on=today)`. The dates come from
rules.reminder_dates with the offsets of the requirement set that governs the renewal
(`reminder_days_before_due` / `reminder_days_after_due`, editable by staff).

What is sent on a day, exactly:
- only the latest reminder whose date has come, so a renewal never gets two at once;
- only if that date is at most CATCH_UP_DAYS old: if the schedule did not run for a few
  days (an outage, a long weekend) the reminder still goes out, but one missed by more
  is dropped rather than sent late, out of step with the dates it mentions;
- never one dated before the renewal was issued (its invoice email said it all);
- each reminder has the dedupe key "reminder:<renewal id>:<key>" (e.g. "due-30"), so
  running the task twice, or on two workers, queues it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from cec.selectors.ledger import progress_for_renewal
from credentials import rules, selectors
from credentials.models import OutboxMessage, Renewal, RequirementSet
from credentials.models.catalog import parse_day_offsets
from credentials.notifications import queue_message
from renewal_portal.composition.renewal_steps import renewal_steps

CATCH_UP_DAYS = 3

# Offsets when no requirement set governs a renewal's year (should not happen: issuing
# copies the numbers from one): the defaults of a new requirement set.
_FIELDS = {f.name: f for f in RequirementSet._meta.get_fields()}
DEFAULT_DAYS_BEFORE = _FIELDS["reminder_days_before_due"].default
DEFAULT_DAYS_AFTER = _FIELDS["reminder_days_after_due"].default


@dataclass
class ReminderSummary:
    on: dt.date
    queued: list[str] = field(default_factory=list)  # dedupe keys of new reminders

    def __str__(self):
        return f"{len(self.queued)} reminder(s) queued on {self.on:%Y-%m-%d}."


def reminder_key(renewal: Renewal, key: str) -> str:
    return f"reminder:{renewal.pk}:{key}"


def offsets_for(renewal: Renewal, book: selectors.RequirementBook) -> tuple[tuple, tuple]:
    requirement_set = book.set_for(renewal.governing_type_id, renewal.year)
    if requirement_set is None:
        return parse_day_offsets(DEFAULT_DAYS_BEFORE), parse_day_offsets(DEFAULT_DAYS_AFTER)
    return requirement_set.reminder_offsets_before_due, requirement_set.reminder_offsets_after_due


def reminder_due_on(
    renewal: Renewal, on: dt.date, book: selectors.RequirementBook
) -> tuple[str, dt.date] | None:
    """The one reminder (key, date) to send for `renewal` on `on`, or None."""
    if renewal.completed_at is not None:
        return None
    before, after = offsets_for(renewal, book)
    dates = rules.reminder_dates(renewal.due_on, renewal.grace_ends_on, before, after)
    come = [(key, date) for key, date in dates if date <= on]
    if not come:
        return None
    key, date = come[-1]
    issued_on = timezone.localdate(renewal.issued_at)
    if (on - date).days > CATCH_UP_DAYS or date < issued_on or on > renewal.grace_ends_on:
        return None
    return key, date


def open_renewals_on(on: dt.date):
    """Renewals not completed whose reminders may fall on `on` (a broad date filter; the
    exact dates are the rule's)."""
    return Renewal.objects.filter(
        completed_at__isnull=True,
        grace_ends_on__gte=on,
        due_on__lte=on + dt.timedelta(days=367),
        holder__is_active=True,
    )


def send_due_reminders(on: dt.date | None = None) -> ReminderSummary:
    """Queue the reminders that fall due on `on` (today by default), each once."""
    on = on or selectors.today()
    summary = ReminderSummary(on=on)
    book = selectors.RequirementBook()
    due = []
    for renewal in open_renewals_on(on).select_related("holder", "governing_type"):
        reminder = reminder_due_on(renewal, on, book)
        if reminder is not None:
            due.append((renewal, *reminder))
    keys = [reminder_key(renewal, key) for renewal, key, _ in due]
    already = set(
        OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    for renewal, key, _ in due:
        dedupe_key = reminder_key(renewal, key)
        if dedupe_key in already:
            continue
        message = queue_message(
            holder=renewal.holder,
            kind="reminder",
            dedupe_key=dedupe_key,
            renewal=renewal,
            context=reminder_context(renewal, key, on),
        )
        if message is not None:
            summary.queued.append(dedupe_key)
    return summary


def reminder_context(renewal: Renewal, key: str, on: dt.date) -> dict:
    steps = renewal_steps(renewal)
    in_grace = key.startswith("grace-")
    return {
        "in_grace": in_grace,
        "item_count": renewal.items.count(),
        "days_to_due": (renewal.due_on - on).days,
        "days_to_grace_end": (renewal.grace_ends_on - on).days,
        "steps": list(steps),
        "open_steps": [step for step in steps if not step.done],
        "progress": progress_for_renewal(renewal),
        "renewal_url": reverse("credentials:renewal"),
    }
