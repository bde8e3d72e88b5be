"""Reads of a holder's CEC ledger, shared by the ledger page, the renewal page, the
submission and the documents. Every query here is scoped to one holder."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from cec.models import Category, ClassSession, EntryState, LedgerEntry
from credentials import rules

# Entries that are CECs the holder has (or is having) credited; withdrawn, rejected and
# not-yet-verified ones are shown in the ledger but earn nothing.
EARNING_STATES = (
    EntryState.CREDITED,
    EntryState.VERIFIED,
    EntryState.SUBMITTED,
    EntryState.APPROVED,
)


def entries_for(holder):
    return LedgerEntry.objects.filter(holder=holder)


def earning_entries_in_window(holder, renewal_year):
    first, last = rules.earning_window(renewal_year)
    return entries_for(holder).filter(
        state__in=EARNING_STATES, earned_on__gte=first, earned_on__lte=last
    )


def as_credits(entries):
    return [
        rules.CecCredit(hours=e.hours, in_network=e.in_network, participation=e.participation)
        for e in entries
    ]


def renewal_requirement(renewal) -> rules.Requirement:
    """The numbers the renewal copied from its requirement sets when it was issued."""
    return renewal.requirement


def progress_for_renewal(renewal) -> rules.CecProgress:
    """Earned vs owed for a renewal, from the entries in its earning window (rules 1, 3)."""
    entries = earning_entries_in_window(renewal.holder_id, renewal.year).only(
        "hours", "in_network", "participation"
    )
    return rules.cec_progress(renewal_requirement(renewal), as_credits(entries))


def approved_progress_for_renewal(renewal) -> rules.CecProgress:
    """Only approved CECs complete a renewal (rule 7)."""
    entries = earning_entries_in_window(renewal.holder_id, renewal.year).filter(
        state=EntryState.APPROVED
    )
    return rules.cec_progress(renewal_requirement(renewal), as_credits(entries))


def not_counting_q(renewal_year):
    first, last = rules.earning_window(renewal_year)
    return Q(earned_on__lt=first) | Q(earned_on__gt=last)


# --- The ledger page ---------------------------------------------------------------------

# Why an entry in a state outside EARNING_STATES earns nothing (yet).
STATE_REASONS = {
    EntryState.PENDING_VERIFICATION: "Waiting for the AASC office to verify the Reporting Form.",
    EntryState.REJECTED: "Rejected by NAAEI.",
    EntryState.WITHDRAWN: "Withdrawn by the AASC office.",
}


@dataclass(frozen=True)
class LedgerRow:
    entry: LedgerEntry
    counts: bool  # counts toward the renewal the page is about
    reason: str  # why not (or why only in part), in plain words; '' when it counts in full
    counted: Decimal | None = None  # the hours that count, when the participation cap trims them

    @property
    def partly(self) -> bool:
        return self.counts and self.counted is not None and self.counted < self.entry.hours

    @property
    def has_certificate(self) -> bool:
        return has_certificate(self.entry)


@dataclass(frozen=True)
class LedgerYear:
    """The entries earned in one calendar year, with what they add up to."""

    year: int
    rows: tuple[LedgerRow, ...]
    total: Decimal
    in_network: Decimal
    participation: Decimal

    @property
    def renewal_year(self) -> int:
        return self.year + 1


def has_certificate(entry: LedgerEntry) -> bool:
    """AASC classes come with a certificate, until the office withdraws the entry."""
    return bool(entry.certificate_number) and entry.state != EntryState.WITHDRAWN


def why_entry_does_not_count(entry: LedgerEntry, renewal_year: int | None) -> str:
    if entry.state not in EARNING_STATES:
        return STATE_REASONS.get(entry.state, entry.get_state_display())
    if renewal_year is None:
        return ""
    return rules.why_not_in_window(renewal_year, entry.earned_on)


def _participation_allowance(entries, renewal_year, cap) -> dict[int, Decimal]:
    """How many hours of each counting participation entry the cap lets count, the
    earliest entries first (rule 3)."""
    if renewal_year is None or cap is None:
        return {}
    participating = sorted(
        (
            e
            for e in entries
            if e.participation
            and e.state in EARNING_STATES
            and rules.in_earning_window(renewal_year, e.earned_on)
        ),
        key=lambda e: (e.earned_on, e.id),
    )
    counted = rules.participation_counted([e.hours for e in participating], cap)
    return {e.id: hours for e, hours in zip(participating, counted, strict=True)}


def _ledger_row(entry, renewal_year, allowance, cap) -> LedgerRow:
    reason = why_entry_does_not_count(entry, renewal_year)
    if reason or entry.id not in allowance:
        return LedgerRow(entry, counts=not reason, reason=reason)
    counted = allowance[entry.id]
    if counted <= 0:
        return LedgerRow(
            entry,
            counts=False,
            reason=(
                f"Participation counts for at most {rules.fmt_hours(cap)} "
                f"{rules.plural_cecs(cap)} a renewal; earlier entries already reach it."
            ),
            counted=rules.ZERO,
        )
    if counted < entry.hours:
        return LedgerRow(
            entry,
            counts=True,
            reason=(
                f"Participation counts for at most {rules.fmt_hours(cap)} "
                f"{rules.plural_cecs(cap)} a renewal."
            ),
            counted=counted,
        )
    return LedgerRow(entry, counts=True, reason="", counted=counted)


def ledger_years(
    holder, renewal_year: int | None, participation_cap: Decimal | None = None
) -> list[LedgerYear]:
    """Every entry of the holder, newest year first, each marked for `renewal_year`, with
    participation entries trimmed to the renewal's participation cap."""
    by_year: dict[int, list[LedgerRow]] = defaultdict(list)
    entries = list(entries_for(holder).order_by("-earned_on", "-id"))
    allowance = _participation_allowance(entries, renewal_year, participation_cap)
    for entry in entries:
        row = _ledger_row(entry, renewal_year, allowance, participation_cap)
        by_year[entry.earned_on.year].append(row)
    years = []
    for year, rows in sorted(by_year.items(), reverse=True):
        earning = [row.entry for row in rows if row.entry.state in EARNING_STATES]
        years.append(
            LedgerYear(
                year=year,
                rows=tuple(rows),
                total=sum((e.hours for e in earning), rules.ZERO),
                in_network=sum(
                    (e.hours for e in earning if e.in_network and not e.participation), rules.ZERO
                ),
                participation=sum((e.hours for e in earning if e.participation), rules.ZERO),
            )
        )
    return years


def certificate_entries_for(holder):
    """The holder's entries that have a certificate to download."""
    return (
        entries_for(holder)
        .exclude(certificate_number__isnull=True)
        .exclude(certificate_number="")
        .exclude(state=EntryState.WITHDRAWN)
    )


def entry_by_verification_token(token):
    """The entry a printed certificate points to, for the public verification page."""
    return (
        LedgerEntry.objects.exclude(certificate_number__isnull=True)
        .exclude(certificate_number="")
        .select_related("holder", "attendance__session")
        .filter(verification_token=token)
        .first()
    )


def transcript_entries(holder, year: int):
    """The CECs credited to the holder for activity in calendar year `year`."""
    return (
        entries_for(holder)
        .filter(state__in=EARNING_STATES, earned_on__year=year)
        .order_by("earned_on", "id")
    )


# --- Close the gap -----------------------------------------------------------------------


@dataclass(frozen=True)
class GapSession:
    session: ClassSession
    suggested: bool  # among the earliest sessions that would close the gap


@dataclass(frozen=True)
class Gap:
    """Upcoming AASC classes still inside the renewal's earning window."""

    sessions: tuple[GapSession, ...]
    closes: bool  # the suggested sessions cover everything still missing
    window_over: bool  # no class can help any more: the earning year has ended


def close_the_gap(renewal, progress: rules.CecProgress, on=None, limit=12) -> Gap:
    """AASC sessions from `on` to the end of the earning window the holder has not
    attended, with the earliest ones that would make the progress complete marked."""
    on = on or timezone.localdate()
    first, last = rules.earning_window(renewal.year)
    if on > last:
        return Gap(sessions=(), closes=False, window_over=True)
    sessions = list(
        ClassSession.objects.filter(
            course__category=Category.AASC_CLASS, date__gte=max(on, first), date__lte=last
        )
        .exclude(attendances__holder_id=renewal.holder_id)
        .select_related("course")
        .order_by("date", "start_time")[:limit]
    )
    requirement = renewal_requirement(renewal)
    credits = as_credits(earning_entries_in_window(renewal.holder_id, renewal.year))
    rows, complete = [], progress.complete
    for session in sessions:
        suggested = not complete
        if suggested:
            credits.append(
                rules.CecCredit(hours=session.cec_hours, in_network=session.course.in_network)
            )
            complete = rules.cec_progress(requirement, credits).complete
        rows.append(GapSession(session=session, suggested=suggested))
    return Gap(sessions=tuple(rows), closes=complete, window_over=False)
