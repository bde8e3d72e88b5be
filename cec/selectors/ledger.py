"""Reads of a holder's CEC ledger, shared by the ledger page, the renewal page, the
submission and the documents. Every query here is scoped to one holder."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from django.db.models import F, Q
from django.utils import timezone

from cec.models import (
    Category,
    ClassSession,
    EntryState,
    LedgerEntry,
    Source,
    Submission,
    SubmissionState,
)
from credentials import roles, rules
from renewal_portal.infra.compiled_queries import CompiledQuery
from renewal_portal.infra.errors import parse_token

# Entries that are CECs the holder has (or is having) credited; withdrawn, rejected and
# not-yet-verified ones are shown in the ledger but earn nothing (the rule's home is
# credentials.rules; the name stays importable from here).
EARNING_STATES = rules.EARNING_STATES


def entries_for(holder):
    return LedgerEntry.objects.filter(holder=holder)


def _earning_in_window_between(holder_id, first, last):
    return entries_for(holder_id).filter(
        state__in=EARNING_STATES, earned_on__gte=first, earned_on__lte=last
    )


def earning_entries_in_window(holder, renewal_year):
    first, last = rules.earning_window(renewal_year)
    return _earning_in_window_between(holder, first, last)


def as_credits(entries):
    return [
        rules.CecCredit(hours=e.hours, in_network=e.in_network, participation=e.participation)
        for e in entries
    ]


def renewal_requirement(renewal) -> rules.Requirement:
    """The numbers the renewal copied from its requirement sets when it was issued."""
    return renewal.requirement


# progress_for_renewal's read, compiled once per process (issue 19). Markers: where the
# holder's id and the window's first and last days go.
_EARNING_IN_WINDOW = CompiledQuery(
    lambda holder_id, first, last: _earning_in_window_between(holder_id, first, last).only(
        "hours", "in_network", "participation"
    ),
    2_026_120_400,
    dt.date(1901, 1, 2),
    dt.date(1901, 1, 3),
)


def progress_for_renewal(renewal) -> rules.CecProgress:
    """Earned vs owed for a renewal, from the entries in its earning window (rules 1, 3)."""
    first, last = rules.earning_window(renewal.year)
    entries = _EARNING_IN_WINDOW.all(renewal.holder_id, first, last)
    return rules.cec_progress(renewal_requirement(renewal), as_credits(entries))


# holder_ledger's query, compiled once per process (its two joins cost more to compile
# than to run, issue 19). The marker stands for the holder's id.
_HOLDER_LEDGER = CompiledQuery(
    lambda holder_id: (
        entries_for(holder_id)
        .annotate(course_id=F("attendance__session__course_id"))
        .order_by("-earned_on", "-id")
    ),
    2_026_120_400,
)


def holder_ledger(holder) -> list[LedgerEntry]:
    """Every entry of the holder, newest first, each with the course of the class it
    records (`course_id`, None for other activities): the one read of the ledger that the
    ledger page computes its progress, its close-the-gap list and its years from."""
    return _HOLDER_LEDGER.all(holder.pk)


def earning_in_window(entries, renewal_year) -> list[LedgerEntry]:
    """`entries` that earn CECs in the renewal year's window: earning_entries_in_window
    applied to entries already read."""
    first, last = rules.earning_window(renewal_year)
    return [e for e in entries if e.state in EARNING_STATES and first <= e.earned_on <= last]


def progress_from(renewal, entries, *, approved_only=False) -> rules.CecProgress:
    """progress_for_renewal (or approved_progress_for_renewal) from the holder's entries
    already read (holder_ledger)."""
    earning = earning_in_window(entries, renewal.year)
    if approved_only:
        earning = [e for e in earning if e.state == EntryState.APPROVED]
    return rules.cec_progress(renewal_requirement(renewal), as_credits(earning))


def approved_progress_for_renewal(renewal) -> rules.CecProgress:
    """Only approved CECs complete a renewal (rule 7)."""
    entries = earning_entries_in_window(renewal.holder_id, renewal.year).filter(
        state=EntryState.APPROVED
    )
    return rules.cec_progress(renewal_requirement(renewal), as_credits(entries))


# --- The ledger page ---------------------------------------------------------------------

# Why an entry in a state outside EARNING_STATES earns nothing (yet).
STATE_REASONS = {
    EntryState.PENDING_VERIFICATION: "Waiting for the AASC office to verify the Reporting Form.",
    EntryState.REJECTED: "Rejected by NAAEI.",
    EntryState.WITHDRAWN: "Withdrawn by the AASC office.",
}


# The labels of an entry's source and state, read once: a row shows both, and
# get_FOO_display() rebuilds the field's choices at each call.
SOURCE_LABELS = dict(Source.choices)
STATE_LABELS = dict(EntryState.choices)


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

    @property
    def source_label(self) -> str:
        """entry.get_source_display()"""
        return SOURCE_LABELS.get(self.entry.source, self.entry.source)

    @property
    def state_label(self) -> str:
        """entry.get_state_display()"""
        return STATE_LABELS.get(self.entry.state, self.entry.state)


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
        return rules.renewal_year_counting(self.year)


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
            if e.credit_kind == rules.CreditKind.PARTICIPATION
            and rules.entry_earns(e.state)
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
    holder, renewal_year: int | None, participation_cap: Decimal | None = None, entries=None
) -> list[LedgerYear]:
    """Every entry of the holder (or `entries`, holder_ledger's list), newest year first,
    each marked for `renewal_year`, with participation entries trimmed to the renewal's
    participation cap."""
    by_year: dict[int, list[LedgerRow]] = defaultdict(list)
    if entries is None:
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
                in_network=rules.hours_of_kind(earning, rules.CreditKind.IN_NETWORK),
                participation=rules.hours_of_kind(earning, rules.CreditKind.PARTICIPATION),
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


def certificate_entries_visible_to(user):
    """The certificates `user` may download: AASC staff any; an NAAEI reviewer those of
    entries in a submission waiting in the review queue or decided by them (and their
    own); a holder their own."""
    with_certificate = (
        LedgerEntry.objects.exclude(certificate_number__isnull=True)
        .exclude(certificate_number="")
        .exclude(state=EntryState.WITHDRAWN)
    )
    if roles.is_aasc_staff(user):
        return with_certificate
    if roles.is_naaei_reviewer(user):
        reviewable = Submission.objects.filter(
            Q(state=SubmissionState.SUBMITTED) | Q(decided_by=user)
        )
        in_queue = LedgerEntry.objects.filter(submissions__in=reviewable).values("pk")
        return with_certificate.filter(Q(holder=user) | Q(pk__in=in_queue))
    return certificate_entries_for(user)


def entry_by_verification_token(token):
    """The entry a printed certificate points to, for the public verification page; None
    for an unknown or malformed token."""
    token = parse_token(token)
    if token is None:
        return None
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

# The plan is searched among sets of at most this many classes (fewest first); beyond it
# the earliest classes are taken in date order.
PLAN_SEARCH_SIZE = 4


@dataclass(frozen=True)
class GapSession:
    session: ClassSession
    in_plan: bool  # one of the set of classes the page proposes to close the gap
    covers_alone: bool  # this class alone closes everything still missing
    adds: Decimal  # CECs it would add toward the total still missing, taken alone
    adds_in_network: Decimal  # the same toward the in-network CECs still missing
    contribution: str = ""  # the two above in words


def contribution_text(adds, adds_in_network, progress: rules.CecProgress, in_network) -> str:
    """'Adds 3 of the 3.5 CECs still missing and 2.5 of the 2.5 in-network CECs still
    missing.' or why a class adds nothing the holder still needs."""
    parts = []
    if adds:
        parts.append(
            f"{rules.fmt_hours(adds)} of the {rules.fmt_hours(progress.missing)} "
            f"{rules.plural_cecs(progress.missing)} still missing"
        )
    if adds_in_network:
        parts.append(
            f"{rules.fmt_hours(adds_in_network)} of the "
            f"{rules.fmt_hours(progress.missing_in_network)} in-network "
            f"{rules.plural_cecs(progress.missing_in_network)} still missing"
        )
    if parts:
        return "Adds " + " and ".join(parts) + "."
    if progress.missing_in_network and not in_network:
        return "Adds nothing you still need: it is not in-network."
    return "Adds nothing you still need."


@dataclass(frozen=True)
class Gap:
    """Upcoming AASC classes still inside the renewal's earning window, and the fewest of
    them that close the shortfall (the total and the in-network minimum)."""

    sessions: tuple[GapSession, ...]
    plan: tuple[ClassSession, ...]  # the classes that together close the gap, by date
    closes: bool  # the plan covers everything still missing
    window_over: bool  # no class can help any more: the earning year has ended
    missing: Decimal = rules.ZERO
    missing_in_network: Decimal = rules.ZERO
    counts_toward: int | None = None  # window over: the renewal a class taken now counts for
    repeats_left_out: bool = False  # a course already taken this earning year was left out

    @property
    def plan_hours(self) -> Decimal:
        return sum((s.cec_hours for s in self.plan), rules.ZERO)

    @property
    def plan_hours_text(self) -> str:
        return f"{rules.fmt_hours(self.plan_hours)} {rules.plural_cecs(self.plan_hours)}"


def courses_taken_in_window(renewal):
    """The AASC courses the holder already has CECs from in the renewal's earning year."""
    return set(
        earning_entries_in_window(renewal.holder_id, renewal.year)
        .filter(attendance__isnull=False)
        .values_list("attendance__session__course_id", flat=True)
    )


def _closes(requirement, credits, sessions) -> bool:
    extra = [rules.CecCredit(hours=s.cec_hours, in_network=s.course.in_network) for s in sessions]
    return rules.cec_progress(requirement, credits + extra).complete


def _plan(requirement, credits, sessions) -> tuple[ClassSession, ...]:
    """The fewest sessions (each course once) that complete the progress; among equals the
    one that finishes earliest. Empty when no set of them does."""
    for size in range(1, min(PLAN_SEARCH_SIZE, len(sessions)) + 1):
        closing = [
            combo
            for combo in combinations(sessions, size)
            if len({s.course_id for s in combo}) == size and _closes(requirement, credits, combo)
        ]
        if closing:
            return min(closing, key=lambda combo: ([(s.date, s.start_time) for s in combo[::-1]]))
    chosen, seen = [], set()
    for session in sessions:
        if session.course_id in seen:
            continue
        chosen.append(session)
        seen.add(session.course_id)
        if _closes(requirement, credits, chosen):
            return tuple(chosen)
    return ()


def close_the_gap(renewal, progress: rules.CecProgress, on=None, limit=12, entries=None) -> Gap:
    """AASC sessions from `on` to the end of the earning window, of courses the holder has
    not taken this earning year, each with what it would add, and the fewest of them that
    would make the progress complete (both the total and the in-network minimum).

    A course already taken in the earning year is not suggested again: the plan counts on
    new classes only, so it never relies on a repeat.

    `entries`: the holder's entries already read (holder_ledger), else they are queried."""
    on = on or timezone.localdate()
    first, last = rules.earning_window(renewal.year)
    if on > last:
        return Gap(
            sessions=(),
            plan=(),
            closes=False,
            window_over=True,
            counts_toward=rules.renewal_year_of_entry(on),
        )
    if entries is None:
        taken = courses_taken_in_window(renewal)
        credits = as_credits(earning_entries_in_window(renewal.holder_id, renewal.year))
    else:
        earning = earning_in_window(entries, renewal.year)
        taken = {e.course_id for e in earning if e.course_id is not None}
        credits = as_credits(earning)
    upcoming = ClassSession.objects.filter(
        course__category=Category.AASC_CLASS, date__gte=max(on, first), date__lte=last
    ).exclude(attendances__holder_id=renewal.holder_id)
    sessions = list(
        upcoming.exclude(course_id__in=taken)
        .select_related("course")
        .order_by("date", "start_time")[:limit]
    )
    requirement = renewal_requirement(renewal)
    plan = () if progress.complete else _plan(requirement, credits, sessions)
    rows = []
    for session in sessions:
        adds = min(session.cec_hours, progress.missing)
        adds_in_network = (
            min(session.cec_hours, progress.missing_in_network)
            if session.course.in_network
            else rules.ZERO
        )
        rows.append(
            GapSession(
                session=session,
                in_plan=session in plan,
                covers_alone=not progress.complete and _closes(requirement, credits, [session]),
                adds=adds,
                adds_in_network=adds_in_network,
                contribution=contribution_text(
                    adds, adds_in_network, progress, session.course.in_network
                ),
            )
        )
    return Gap(
        sessions=tuple(rows),
        plan=tuple(sorted(plan, key=lambda s: (s.date, s.start_time))),
        closes=bool(plan),
        window_over=False,
        missing=progress.missing,
        missing_in_network=progress.missing_in_network,
        repeats_left_out=bool(taken) and upcoming.filter(course_id__in=taken).exists(),
    )
