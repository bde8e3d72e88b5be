"""The renewal rules of SPEC.md as small pure functions.

Pages, admin, tasks and PDFs call these; nothing re-implements a rule elsewhere.
They take plain values (dates, Decimals, small dataclasses) and touch no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Renewal invoices for year Y go out on 1 November of Y-1, 61 days before the
# 1 January due date, so the 60-day reminder falls after the invoice.
SEASON_OPENS = (11, 1)


# --- Rule 2: one CEC is one instructional hour ----------------------------------------


def minutes_between(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def cec_value(instructional_minutes: int) -> Decimal:
    """Instructional minutes / 60, to two decimals, never rounded up."""
    if instructional_minutes <= 0:
        return ZERO
    return (Decimal(instructional_minutes) / Decimal(60)).quantize(CENT, rounding=ROUND_DOWN)


def class_cec_value(start: dt.time, end: dt.time, break_minutes: int = 0) -> Decimal:
    """A class's CEC value: its length less meals and breaks, in hours (rule 2)."""
    return cec_value(minutes_between(start, end) - (break_minutes or 0))


# --- Rule 1: the earning window ------------------------------------------------------


def earning_year(renewal_year: int) -> int:
    """The calendar year whose CECs the renewal for `renewal_year` counts: Y-1."""
    return renewal_year - 1


def renewal_year_counting(earning_year: int) -> int:
    """The renewal that counts the CECs earned in calendar year `earning_year`: the next."""
    return earning_year + 1


def renewal_year_of_entry(earned_on: dt.date) -> int:
    """The renewal a CEC earned on `earned_on` counts for: the year after it was earned."""
    return renewal_year_counting(earned_on.year)


def earning_window(renewal_year: int) -> tuple[dt.date, dt.date]:
    """The renewal for year Y counts CECs earned from 1 January to 31 December of Y-1."""
    year = earning_year(renewal_year)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def in_earning_window(renewal_year: int, earned_on: dt.date) -> bool:
    first, last = earning_window(renewal_year)
    return first <= earned_on <= last


def why_not_in_window(renewal_year: int, earned_on: dt.date) -> str:
    """The plain reason an entry does not count for a renewal, or '' when it does."""
    if in_earning_window(renewal_year, earned_on):
        return ""
    return (
        f"Earned in {earned_on.year}: the {renewal_year} renewal counts only CECs "
        f"earned from January 1 to December 31, {earning_year(renewal_year)}."
    )


def window_note(renewal_year: int, earned_on: dt.date) -> str:
    """What a holder reporting activity on `earned_on` is told when it falls outside the
    current renewal's earning window, or '' when it counts."""
    why = why_not_in_window(renewal_year, earned_on)
    return f"{why} This form will not count for your {renewal_year} renewal." if why else ""


def window_help(renewal_year: int) -> str:
    first, last = earning_window(renewal_year)
    return f"The {renewal_year} renewal counts activity from {first:%B %-d} to {last:%B %-d, %Y}."


# --- Rule 3: shared CECs -------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """What one credential (or a whole renewal) owes for a year."""

    cecs_owed: Decimal
    in_network_min: Decimal = ZERO
    participation_cap: Decimal | None = None
    code: str = ""


NO_REQUIREMENT = Requirement(cecs_owed=ZERO)


def combined_requirement(requirements: Iterable[Requirement]) -> Requirement:
    """Holders of several credentials owe the largest requirement, not the sum.

    The in-network minimum and participation cap follow the same credential; on a tie in
    CECs owed the stricter in-network minimum governs.
    """
    requirements = list(requirements)
    if not requirements:
        return NO_REQUIREMENT
    return max(requirements, key=lambda r: (r.cecs_owed, r.in_network_min))


class CreditKind(StrEnum):
    """What kind of CEC an entry is (rule 3): participation (committee, board, volunteering,
    unpaid instructing; capped), in-network (counts toward the in-network minimum), or
    other. An entry flagged both participation and in-network is participation."""

    IN_NETWORK = "in_network"
    PARTICIPATION = "participation"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CREDIT_KIND_LABELS[self]


CREDIT_KIND_LABELS = {
    CreditKind.IN_NETWORK: "In-network",
    CreditKind.PARTICIPATION: "Participation",
    CreditKind.OTHER: "Other",
}


# Reporting Form activities that are participation: committee and board service and
# volunteering (the values of cec.models.ActivityType).
PARTICIPATION_ACTIVITIES = frozenset({"committee", "volunteering"})


def is_participation_activity(activity_type: str) -> bool:
    return activity_type in PARTICIPATION_ACTIVITIES


def credit_kind(in_network: bool, participation: bool) -> CreditKind:
    """The one decision of an entry's kind from its two flags."""
    if participation:
        return CreditKind.PARTICIPATION
    if in_network:
        return CreditKind.IN_NETWORK
    return CreditKind.OTHER


def hours_of_kind(entries: Iterable, kind: CreditKind) -> Decimal:
    """The hours of the entries (anything with hours, in_network and participation) that
    are of `kind`, before any participation cap."""
    return sum(
        (Decimal(e.hours) for e in entries if credit_kind(e.in_network, e.participation) == kind),
        ZERO,
    )


@dataclass(frozen=True)
class CecCredit:
    """The facts about a ledger entry that the progress rule needs."""

    hours: Decimal
    in_network: bool = False
    participation: bool = False

    @property
    def kind(self) -> CreditKind:
        return credit_kind(self.in_network, self.participation)


@dataclass(frozen=True)
class CecProgress:
    owed: Decimal
    in_network_min: Decimal
    participation_cap: Decimal | None
    earned: Decimal  # counting, after the participation cap
    in_network: Decimal
    participation: Decimal  # before the cap

    @property
    def participation_counted(self) -> Decimal:
        if self.participation_cap is None:
            return self.participation
        return min(self.participation, self.participation_cap)

    @property
    def cap_reached(self) -> bool:
        return self.participation_cap is not None and self.participation >= self.participation_cap

    @property
    def missing(self) -> Decimal:
        return max(self.owed - self.earned, ZERO)

    @property
    def missing_in_network(self) -> Decimal:
        return max(self.in_network_min - self.in_network, ZERO)

    @property
    def complete(self) -> bool:
        return self.missing == ZERO and self.missing_in_network == ZERO

    @property
    def percent(self) -> int:
        if self.owed <= 0:
            return 100
        return min(100, int(self.earned * 100 / self.owed))

    @property
    def requirement(self) -> Requirement:
        return Requirement(
            cecs_owed=self.owed,
            in_network_min=self.in_network_min,
            participation_cap=self.participation_cap,
        )

    def summary(self) -> str:
        """'6 CECs, 8 needed; 6 in-network, 5 needed ✓; participation 3, of which 2 count'"""
        return describe(self.requirement, self)

    def shortfall(self) -> str:
        """What is still missing, in one sentence; '' when nothing is."""
        gaps = []
        if self.missing > 0:
            gaps.append(
                f"{fmt_hours(self.missing)} more {plural_cecs(self.missing)} "
                f"(you have {fmt_hours(self.earned)} of the {fmt_hours(self.owed)} owed)"
            )
        if self.missing_in_network > 0:
            gaps.append(
                f"{fmt_hours(self.missing_in_network)} more in-network "
                f"{plural_cecs(self.missing_in_network)} (you have {fmt_hours(self.in_network)} "
                f"of the {fmt_hours(self.in_network_min)} required)"
            )
        if not gaps:
            return ""
        return "You need " + " and ".join(gaps) + "."


MET = "✓"


def describe(requirement: Requirement, progress: CecProgress | None = None) -> str:
    """The one sentence every page, PDF and email uses for what a renewal owes (or, with
    `progress`, what is met of it): '8 CECs, at least 5 of them in-network; participation
    counts for at most 2', or '6 CECs, 8 needed; 6 in-network, 5 needed ✓; …'."""
    if progress is None:
        return _describe_requirement(requirement)
    return _describe_progress(progress)


def _describe_requirement(requirement: Requirement) -> str:
    if requirement.cecs_owed <= 0:
        return "no CECs"
    text = f"{fmt_hours(requirement.cecs_owed)} {plural_cecs(requirement.cecs_owed)}"
    if requirement.in_network_min > 0:
        text += f", at least {fmt_hours(requirement.in_network_min)} of them in-network"
    if requirement.participation_cap is not None:
        text += f"; participation counts for at most {fmt_hours(requirement.participation_cap)}"
    return text


def _met(value: Decimal, needed: Decimal) -> str:
    return f", {fmt_hours(needed)} needed" + (f" {MET}" if value >= needed else "")


def _describe_progress(progress: CecProgress) -> str:
    # The earned figure is already capped: it is what counts, not what was reported.
    parts = [
        f"{fmt_hours(progress.earned)} {plural_cecs(progress.earned)}"
        + _met(progress.earned, progress.owed)
    ]
    if progress.in_network_min > 0:
        parts.append(
            f"{fmt_hours(progress.in_network)} in-network"
            + _met(progress.in_network, progress.in_network_min)
        )
    cap = progress.participation_cap
    if progress.participation > 0:
        if cap is None:
            parts.append(f"participation {fmt_hours(progress.participation)}")
        elif progress.participation > cap:
            parts.append(
                f"participation {fmt_hours(progress.participation)}, of which "
                f"{fmt_hours(cap)} count (cap reached)"
            )
        else:
            text = f"participation {fmt_hours(progress.participation)} of up to {fmt_hours(cap)}"
            if progress.cap_reached:
                text += " (cap reached)"
            parts.append(text)
    return "; ".join(parts)


def participation_counted(hours: Iterable[Decimal], cap: Decimal | None) -> list[Decimal]:
    """How much of each participation entry counts, in the order given (earliest first):
    the cap is used up by the first ones, the rest count for nothing (rule 3)."""
    counted = []
    left = cap
    for value in hours:
        if left is None:
            counted.append(Decimal(value))
            continue
        take = min(Decimal(value), left)
        counted.append(take)
        left -= take
    return counted


def cec_progress(requirement: Requirement, credits: Iterable[CecCredit]) -> CecProgress:
    """Earned vs owed, with participation CECs counted only up to the cap (rule 3)."""
    in_network = other = participation = ZERO
    for credit in credits:
        if credit.kind == CreditKind.PARTICIPATION:
            participation += credit.hours
        elif credit.kind == CreditKind.IN_NETWORK:
            in_network += credit.hours
        else:
            other += credit.hours
    cap = requirement.participation_cap
    counted_participation = participation if cap is None else min(participation, cap)
    return CecProgress(
        owed=requirement.cecs_owed,
        in_network_min=requirement.in_network_min,
        participation_cap=cap,
        earned=in_network + other + counted_participation,
        in_network=in_network,
        participation=participation,
    )


def fmt_hours(value: Decimal) -> str:
    """8 -> '8', 2.50 -> '2.5', 1.25 -> '1.25'."""
    value = Decimal(value).quantize(CENT)
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text or "0"


def plural_cecs(value: Decimal) -> str:
    return "CEC" if Decimal(value) == 1 else "CECs"


# --- Calendar: due date, grace and lapse (rule 9) ------------------------------------


@dataclass(frozen=True)
class RenewalCalendar:
    year: int
    opens_on: dt.date
    due_on: dt.date
    grace_ends_on: dt.date


def renewal_calendar(
    year: int, due=(1, 1), grace_end=(3, 31), opens=SEASON_OPENS
) -> RenewalCalendar:
    """The dates of the renewal for `year`: invoices open in the autumn before,
    due on the due date, in grace until the grace end, lapsed after it."""
    return RenewalCalendar(
        year=year,
        opens_on=dt.date(year - 1, *opens),
        due_on=dt.date(year, *due),
        grace_ends_on=dt.date(year, *grace_end),
    )


def issued_calendar(year: int, due_on: dt.date, grace_ends_on: dt.date) -> RenewalCalendar:
    """The calendar of a renewal as it was issued: the due date and grace end it copied
    from its requirement set then, which the holder was told (page, invoice, reminders).
    Once a renewal is issued these dates, not the requirement set's, decide when its
    credentials are in grace and lapse."""
    return RenewalCalendar(
        year=year,
        opens_on=renewal_calendar(year).opens_on,
        due_on=due_on,
        grace_ends_on=grace_ends_on,
    )


def renewal_year_on(on: dt.date, opens=SEASON_OPENS) -> int:
    """The renewal year a holder is working on at a date: from the season's opening
    (1 November) the next year's renewal is the current one."""
    return on.year + 1 if (on.month, on.day) >= opens else on.year


def issue_year_refusal(year: int, on: dt.date, opens=SEASON_OPENS) -> str:
    """Why the office cannot issue the renewals for `year` on `on`, or '' when it can
    (rule 12: one season at a time).

    Renewals for year Y are issued from 1 November of Y-1, when Y becomes the current
    renewal year; a later year waits for its own season, and a past year's season is
    over (those behind on it renew, and are reinstated, through the current one).
    """
    current = renewal_year_on(on, opens)
    if year > current:
        opens_on = dt.date(year - 1, *opens)
        return (
            f"Renewals for {year} can be issued from {opens_on:%B %-d, %Y}. "
            f"The current renewal year is {current}."
        )
    if year < current:
        return (
            f"The {year} renewal season is over. The current renewal year is {current}: "
            f"holders who missed {year} renew, and are reinstated, through the {current} renewal."
        )
    return ""


ACTIVE, RENEWAL_DUE, IN_GRACE, LAPSED = "active", "renewal_due", "in_grace", "lapsed"


def credential_status_on(
    on: dt.date, valid_through: dt.date | None, calendar: RenewalCalendar | None
) -> str:
    """A credential's status on a date.

    Lifetime credentials (no valid-through date) are always active. Otherwise the next
    renewal (`calendar`, of renewal_year_of_credential(valid_through)) decides: before its
    season opens the credential is active; from then until it expires, renewal due; after
    that, in grace through the grace end; lapsed the day after.
    """
    if valid_through is None or calendar is None:
        return ACTIVE
    if on <= valid_through:
        return RENEWAL_DUE if on >= calendar.opens_on else ACTIVE
    if on <= calendar.grace_ends_on:
        return IN_GRACE
    return LAPSED


def renewal_phase_on(on: dt.date, due_on: dt.date, grace_ends_on: dt.date) -> str:
    """Where an unfinished renewal stands: due, in grace, or lapsed."""
    if on < due_on:
        return RENEWAL_DUE
    if on <= grace_ends_on:
        return IN_GRACE
    return LAPSED


def needs_reinstatement(status: str) -> bool:
    """Only a lapsed credential pays the reinstatement fee when it is renewed."""
    return status == LAPSED


def reminder_dates(
    due_on: dt.date, grace_ends_on: dt.date, days_before: Iterable[int], days_after: Iterable[int]
) -> list[tuple[str, dt.date]]:
    """The dates on which to remind, keyed so each reminder is sent once:
    ('due-60', date), …, ('grace-30', date). Grace reminders past the grace end are dropped."""
    dates = [(f"due-{d}", due_on - dt.timedelta(days=d)) for d in days_before]
    dates += [
        (f"grace-{d}", due_on + dt.timedelta(days=d))
        for d in days_after
        if due_on + dt.timedelta(days=d) <= grace_ends_on
    ]
    return sorted(dates, key=lambda item: item[1])


def renewal_year_of_credential(valid_through: dt.date) -> int:
    """The renewal that keeps a credential valid through `valid_through` going: the one
    for the year after it expires (whose grace end decides when it lapses)."""
    return valid_through.year + 1


def valid_through_after_renewal(renewal_year: int) -> dt.date:
    """A completed renewal for year Y keeps each credential through 31 December of Y."""
    return dt.date(renewal_year, 12, 31)


def next_renewal_year(valid_through: dt.date, on: dt.date, opens=SEASON_OPENS) -> int:
    """The renewal that renews a credential next: the one for the year after it expires,
    or, once that renewal's season has passed (the credential lapsed), the current
    renewal year, which reinstates it."""
    return max(renewal_year_of_credential(valid_through), renewal_year_on(on, opens))


# A credential's dates are typed by the office: bounded so that every date the rules derive
# from them (the calendar of renewal_year_of_credential(valid_through)) exists.
EARLIEST_EARNED_ON = dt.date(1950, 1, 1)
VALID_THROUGH_YEARS_AHEAD = 5


def credential_dates_refusal(earned_on: dt.date, valid_through: dt.date | None, on: dt.date) -> str:
    """Why a credential cannot hold these dates on `on`, or '' when it can: earned from 1950
    up to today, valid through at most five years ahead (a renewal extends a year at a
    time) and not before it was earned."""
    if earned_on < EARLIEST_EARNED_ON:
        return f"Enter an earned-on date from {EARLIEST_EARNED_ON.year} on."
    if earned_on > on:
        return "The earned-on date cannot be in the future."
    if valid_through is None:
        return ""
    latest = dt.date(on.year + VALID_THROUGH_YEARS_AHEAD, 12, 31)
    if valid_through > latest:
        return f"Enter a valid-through date no later than {latest:%B %-d, %Y}."
    if valid_through < earned_on:
        return "The credential cannot be valid through a date before it was earned."
    return ""


def lapse_day(calendar: RenewalCalendar) -> dt.date:
    """A credential not renewed by the end of grace lapses the day after."""
    return calendar.grace_ends_on + dt.timedelta(days=1)


def lapse_reason(calendar: RenewalCalendar) -> str:
    """Why a credential lapsed, in the holder's words."""
    return (
        f"Not renewed for {calendar.year}: the renewal was due {calendar.due_on:%B %-d, %Y} "
        f"and its grace period ended {calendar.grace_ends_on:%B %-d, %Y}."
    )


# --- Which credentials a renewal includes --------------------------------------------


def due_for_renewal(
    renewal_year: int, valid_through: dt.date | None, renews_annually: bool = True
) -> bool:
    """The renewal for year Y includes each annually renewing credential that is not yet
    valid through 31 December of Y (a lapsed one included: renewing reinstates it).
    Lifetime credentials (CAMT) never renew."""
    if not renews_annually or valid_through is None:
        return False
    return valid_through < valid_through_after_renewal(renewal_year)


# --- Rule 7: which ledger entries earn, and which can be submitted --------------------
# The states of a CEC ledger entry (cec.models.EntryState takes its values from here).

CREDITED, PENDING_VERIFICATION, VERIFIED = "credited", "pending_verification", "verified"
SUBMITTED, APPROVED, REJECTED, WITHDRAWN = "submitted", "approved", "rejected", "withdrawn"

# An AASC class credits itself; a Reporting Form earns once the office verified and signed
# it; submitting and approval keep it earning. Waiting for verification, rejected by NAAEI
# or withdrawn by the office earns nothing.
EARNING_STATES = (CREDITED, VERIFIED, SUBMITTED, APPROVED)
# Only credited (AASC classes) and verified-and-signed entries can be submitted to NAAEI.
SUBMITTABLE_STATES = (CREDITED, VERIFIED)
# Once an entry is part of a submission to NAAEI the office can no longer change, withdraw
# or re-import it.
LOCKED_STATES = (SUBMITTED, APPROVED)


def entry_earns(state: str) -> bool:
    return state in EARNING_STATES


def entry_submittable(state: str) -> bool:
    return state in SUBMITTABLE_STATES


# --- Rule 8: the renewal is complete when all four steps are ---------------------------


def renewal_complete(
    contact_confirmed: bool, invoice_paid: bool, cec_status_checked: bool, cecs_approved: bool
) -> bool:
    """A renewal is done when (1) contact details are confirmed for this cycle, (2) the
    invoice is paid, (3) the CEC status was checked and (4) the CEC submission approved,
    in any order."""
    return contact_confirmed and invoice_paid and cec_status_checked and cecs_approved


def renewal_record_complete(renewal) -> bool:
    """renewal_complete for a renewal's own record of its steps: steps 2 and 4 are
    stamped on it by credentials.services.steps when payments and cec record them."""
    return renewal_complete(
        contact_confirmed=renewal.contact_confirmed_at is not None,
        invoice_paid=renewal.paid_at is not None,
        cec_status_checked=renewal.cec_status_seen_at is not None,
        cecs_approved=renewal.cecs_approved_at is not None,
    )
