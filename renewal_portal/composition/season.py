"""Reads for the season dashboard, its filtered admin lists and the exports (issue 18).

Every number the dashboard shows is the count of a queryset made here, and the admin
list it links to filters with the very same function, so the two never disagree.
A renewal of the year is in exactly one phase, the first of these that holds:
complete, lapsed (grace ended), in grace, submitted (waiting for NAAEI), invoiced (not
paid), CECs short (paid, not enough CECs earned yet), paid (CECs earned, to submit).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cec.models import FormState, LedgerEntry, ReportingForm, Submission, SubmissionState
from credentials import rules, selectors
from credentials.models import Claim, ClaimState, OutboxMessage, Renewal
from credentials.season import holders_not_issued  # noqa: F401 (the dashboard's)
from payments.models import InvoiceStatus
from payments.season import (  # noqa: F401 (the dashboard and exports read them here)
    Money,
    invoices_of_year,
    money,
    payments_received,
    payments_refunded,
)
from renewal_portal.composition.renewal_steps import invoice_of

NOT_ISSUED = "not_issued"
PHASES = (
    (NOT_ISSUED, "Not issued"),
    ("invoiced", "Invoiced, not paid"),
    ("paid", "Paid, CECs earned"),
    ("cecs_short", "Paid, CECs short"),
    ("submitted", "Submitted, waiting for NAAEI"),
    ("complete", "Complete"),
    ("in_grace", "In grace"),
    ("lapsed", "Lapsed (grace ended)"),
)
RENEWAL_PHASES = tuple(key for key, _ in PHASES if key != NOT_ISSUED)
PHASE_LABELS = dict(PHASES)


def _waiting_submission():
    return Exists(
        Submission.objects.filter(renewal=OuterRef("pk"), state=SubmissionState.SUBMITTED)
    )


def progress_by_renewal(renewals) -> dict[int, rules.CecProgress]:
    """Earned vs owed of each renewal (rules.cec_progress, with the in-network minimum and
    the participation cap), from one query for all their holders' entries per year."""
    # Without the joins and prefetches of the caller's query (the admin list's, when it
    # counts its filter's choices): they cannot go with only().
    renewals = list(
        renewals.select_related(None)
        .prefetch_related(None)
        .only("pk", "holder_id", "year", "cecs_owed", "in_network_min", "participation_cap")
    )
    by_year = defaultdict(list)
    for renewal in renewals:
        by_year[renewal.year].append(renewal)
    progress = {}
    for year, group in by_year.items():
        first, last = rules.earning_window(year)
        credits = defaultdict(list)
        entries = LedgerEntry.objects.filter(
            holder_id__in=[r.holder_id for r in group],
            state__in=rules.EARNING_STATES,
            earned_on__gte=first,
            earned_on__lte=last,
        ).values_list("holder_id", "hours", "in_network", "participation")
        for holder_id, hours, in_network, participation in entries.iterator():
            credits[holder_id].append(rules.CecCredit(hours, in_network, participation))
        for renewal in group:
            requirement = rules.Requirement(
                cecs_owed=renewal.cecs_owed,
                in_network_min=renewal.in_network_min,
                participation_cap=renewal.participation_cap,
            )
            progress[renewal.pk] = rules.cec_progress(requirement, credits[renewal.holder_id])
    return progress


def cecs_short_ids(renewals) -> set[int]:
    """The renewals whose holder has not earned the CECs owed yet."""
    return {pk for pk, p in progress_by_renewal(renewals).items() if not p.complete}


def _calendar_phase(queryset, phase: str, on: dt.date):
    """Unfinished renewals of `queryset` in a calendar phase of rules.renewal_phase_on."""
    return queryset.filter(selectors.renewal_phase_q(phase, on, queryset))


def renewals_in_phase(queryset, phase: str, on: dt.date | None = None):
    """`queryset` (renewals) narrowed to those in `phase` on `on` (see the module). The
    calendar half (before the due date, in grace, lapsed) is the rule's
    (selectors.renewal_phase_q); the rest splits the renewals still before their due date."""
    on = on or selectors.today()
    before_due = _calendar_phase(queryset, rules.RENEWAL_DUE, on)
    unsubmitted = before_due.filter(~_waiting_submission())
    paid = unsubmitted.filter(invoice__status=InvoiceStatus.PAID)
    if phase == "complete":
        return queryset.filter(completed_at__isnull=False)
    if phase == "lapsed":
        return _calendar_phase(queryset, rules.LAPSED, on)
    if phase == "in_grace":
        return _calendar_phase(queryset, rules.IN_GRACE, on)
    if phase == "submitted":
        return before_due.filter(_waiting_submission())
    if phase == "invoiced":
        return unsubmitted.exclude(invoice__status=InvoiceStatus.PAID)
    if phase in ("cecs_short", "paid"):
        return _split_by_cecs(paid, want_short=phase == "cecs_short")
    return queryset.none()


def _split_by_cecs(paid, *, want_short: bool):
    """The paid renewals short of CECs (or not), naming whichever side has fewer ids, so
    the query stays small however the season splits."""
    progress = progress_by_renewal(paid)
    short = {pk for pk, p in progress.items() if not p.complete}
    enough = set(progress) - short
    wanted, other = (short, enough) if want_short else (enough, short)
    if len(wanted) <= len(other):
        return paid.filter(pk__in=wanted)
    return paid.exclude(pk__in=other)


def phase_of(renewal: Renewal, on: dt.date | None = None, short: bool | None = None) -> str:
    """The one phase of a renewal (the same order as renewals_in_phase)."""
    on = on or selectors.today()
    if renewal.completed_at:
        return "complete"
    calendar_phase = rules.renewal_phase_on(on, renewal.due_on, renewal.grace_ends_on)
    if calendar_phase in (rules.LAPSED, rules.IN_GRACE):
        return calendar_phase
    if renewal.submissions.filter(state=SubmissionState.SUBMITTED).exists():
        return "submitted"
    invoice = invoice_of(renewal)
    if invoice is None or not invoice.is_paid:
        return "invoiced"
    if short is None:
        short = renewal.pk in cecs_short_ids(Renewal.objects.filter(pk=renewal.pk))
    return "cecs_short" if short else "paid"


def behind(year: int, on: dt.date | None = None):
    """Renewals of `year` the office should call: in grace, or CECs short (before the due
    date or in grace)."""
    on = on or selectors.today()
    renewals = Renewal.objects.filter(year=year, completed_at__isnull=True)
    in_grace = renewals_in_phase(renewals, "in_grace", on)
    open_before_end = renewals.exclude(selectors.renewal_phase_q(rules.LAPSED, on, renewals))
    short = cecs_short_ids(open_before_end)
    return renewals.filter(Q(pk__in=in_grace.values("pk")) | Q(pk__in=short))


# --- Queues ------------------------------------------------------------------------------


def forms_waiting_for_aasc():
    return ReportingForm.objects.filter(state=FormState.SENT)


def submissions_waiting_for_naaei(year: int):
    return Submission.objects.filter(renewal__year=year, state=SubmissionState.SUBMITTED)


def claims_waiting():
    return Claim.objects.filter(state=ClaimState.WAITING)


def emails_failed():
    return OutboxMessage.objects.filter(status="failed")


# --- Renewals completed per week ----------------------------------------------------------


@dataclass(frozen=True)
class WeekBar:
    week: int  # weeks since the season opened, from 1
    starts_on: dt.date
    this_season: int
    last_season: int


def season_opens_on(year: int) -> dt.date:
    return rules.renewal_calendar(year).opens_on


def completions_per_week(year: int, on: dt.date | None = None) -> list[WeekBar]:
    """Renewals completed in each week since the season opened (1 November of Y-1), this
    season against the same week of last season, up to the current week."""
    on = on or selectors.today()
    opens, last_opens = season_opens_on(year), season_opens_on(year - 1)
    weeks = max(1, min((on - opens).days // 7 + 1, 60))
    counts = {year: defaultdict(int), year - 1: defaultdict(int)}
    for season_year, season_opens in ((year, opens), (year - 1, last_opens)):
        completed = Renewal.objects.filter(
            year=season_year, completed_at__isnull=False
        ).values_list("completed_at", flat=True)
        for when in completed:
            week = (timezone.localtime(when).date() - season_opens).days // 7 + 1
            counts[season_year][max(week, 1)] += 1
    return [
        WeekBar(
            week=week,
            starts_on=opens + dt.timedelta(weeks=week - 1),
            this_season=counts[year][week],
            last_season=counts[year - 1][week],
        )
        for week in range(1, weeks + 1)
    ]
