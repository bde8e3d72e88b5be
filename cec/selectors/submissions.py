"""Reads for the CEC submission (holder) and the NAAEI review queue (reviewer)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format

from cec.models import FormState, LedgerEntry, ReportingForm, Submission
from cec.models import SubmissionState as S
from cec.selectors.ledger import as_credits, renewal_requirement
from credentials import rules
from credentials.models import RenewalCredential
from renewal_portal.infra.compiled_queries import CompiledQuery

# Entries the holder can put in a submission: AASC-class entries credited on attendance,
# and entries of Reporting Forms AASC verified and signed. Pending, submitted, approved,
# rejected and withdrawn ones cannot be (again). The rule's home is credentials.rules.
SUBMITTABLE_STATES = rules.SUBMITTABLE_STATES

LIVE_STATES = (S.SUBMITTED, S.APPROVED)


def live_submission_for(renewal) -> Submission | None:
    """The renewal's submission waiting for review or approved (at most one)."""
    return renewal.submissions.filter(state__in=LIVE_STATES).first()


def latest_submission_for(renewal) -> Submission | None:
    return renewal.submissions.order_by("-submitted_at", "-pk").first()


@dataclass
class OutsideEntry:
    entry: LedgerEntry
    reason: str


@dataclass
class SubmissionProposal:
    """What the holder can submit for a renewal: every countable entry of the earning
    window (proposed), the ones that cannot be added and why, and what is still pending."""

    renewal: object
    countable: list = field(default_factory=list)
    outside_window: list = field(default_factory=list)
    pending_forms: list = field(default_factory=list)
    progress: rules.CecProgress | None = None


def submission_proposal(renewal) -> SubmissionProposal:
    submittable = LedgerEntry.objects.filter(
        holder_id=renewal.holder_id, state__in=SUBMITTABLE_STATES
    ).order_by("earned_on", "pk")
    countable = [e for e in submittable if rules.in_earning_window(renewal.year, e.earned_on)]
    outside = [
        OutsideEntry(e, rules.why_not_in_window(renewal.year, e.earned_on))
        for e in submittable
        if not rules.in_earning_window(renewal.year, e.earned_on)
    ]
    pending = list(
        ReportingForm.objects.filter(
            holder_id=renewal.holder_id,
            state__in=(FormState.DRAFT, FormState.SENT, FormState.RETURNED),
        ).order_by("started_on")
    )
    return SubmissionProposal(
        renewal=renewal,
        countable=countable,
        outside_window=outside,
        pending_forms=pending,
        progress=rules.cec_progress(renewal_requirement(renewal), as_credits(countable)),
    )


def submission_progress(submission) -> rules.CecProgress:
    """How the submitted entries measure against what the renewal owes."""
    return rules.cec_progress(
        renewal_requirement(submission.renewal), as_credits(submission.entries.all())
    )


# --- the reviewer's queue ------------------------------------------------------------

AGE_CHOICES = [
    ("", "Any age"),
    ("7", "Waiting more than 7 days"),
    ("14", "Waiting more than 14 days"),
    ("30", "Waiting more than 30 days"),
]


def review_queue(*, state=S.SUBMITTED, year=None, credential=None, older_than_days=None):
    """Submissions for NAAEI review with the filters of the queue, oldest first (by
    submission time, then id: a stable order for keyset pages)."""
    queryset = Submission.objects.all()
    if state:
        queryset = queryset.filter(state=state)
    if year:
        queryset = queryset.filter(renewal__year=year)
    if credential:
        # EXISTS, not a join with DISTINCT: the page stays an index walk of the queue.
        queryset = queryset.filter(
            Exists(
                RenewalCredential.objects.filter(
                    renewal_id=OuterRef("renewal_id"),
                    credential__credential_type__code=credential,
                )
            )
        )
    if older_than_days:
        cutoff = timezone.now() - dt.timedelta(days=int(older_than_days))
        queryset = queryset.filter(submitted_at__lte=cutoff)
    return queryset.order_by("submitted_at", "pk")


@dataclass
class QueuePage:
    """One page of the review queue, read by key (after or before a submission), never
    by offset: the same few queries on page 1 as on page 200, however long the queue."""

    rows: list
    count: int
    first: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def queue_cursor(row) -> str:
    """The key of a submission (a row of QUEUE_COLUMNS) in the queue's order: its
    submission time and id."""
    return f"{row['submitted_at'].isoformat()}~{row['pk']}"


def _parse_cursor(cursor):
    """(submitted_at, id) from a cursor, or None for a missing or malformed one."""
    if not cursor:
        return None
    when, _, pk = str(cursor).rpartition("~")
    try:
        submitted_at = dt.datetime.fromisoformat(when)
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    if timezone.is_naive(submitted_at) or not 0 < pk < 2**63:
        return None
    return submitted_at, pk


def review_queue_page(filters: dict, *, after=None, before=None, size=50) -> QueuePage:
    """The page of `review_queue(**filters)` after (or before) a cursor: `size` rows with
    holder, renewal and credential codes loaded in two queries, and the count of the
    whole filtered queue in one indexed count."""
    queryset = review_queue(**filters)
    count = queryset.count()
    rows, first = [], True
    after, before = _parse_cursor(after), _parse_cursor(before)
    page = queryset.values(*QUEUE_COLUMNS)
    if before:
        when, pk = before
        earlier = Q(submitted_at__lt=when) | Q(submitted_at=when, pk__lt=pk)
        rows = list(page.filter(earlier).order_by("-submitted_at", "-pk")[: size + 1])
        first = len(rows) <= size
        rows = rows[:size][::-1]
        if len(rows) < size:  # fewer than a page before it: show the first page
            rows, before = [], None
    if not before:
        if after:
            when, pk = after
            page = page.filter(Q(submitted_at__gt=when) | Q(submitted_at=when, pk__gt=pk))
            first = False
        rows = list(page[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
    else:
        more = True
    return QueuePage(
        rows=queue_rows(rows),
        count=count,
        first=first,
        next_cursor=queue_cursor(rows[-1]) if rows and more else None,
        previous_cursor=queue_cursor(rows[0]) if rows and not first else None,
    )


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A row of the review queue as the page shows it: strings made once per row of the
    page (from plain rows, not model instances), so the template only places them."""

    pk: int
    id: str
    holder: str
    year: str
    credentials: str
    cecs: str
    in_network: str
    submitted: str
    state: str
    submitted_at: dt.datetime


QUEUE_COLUMNS = (
    "pk",
    "renewal_id",
    "state",
    "submitted_at",
    "total_hours",
    "in_network_hours",
    "renewal__year",
    "renewal__cecs_owed",
    "renewal__in_network_min",
    "renewal__governing_type__code",
    "renewal__holder__first_name",
    "renewal__holder__last_name",
    "renewal__holder__email",
)
STATE_LABELS = dict(S.choices)


def _waited(submitted_on: dt.date, today: dt.date) -> str:
    # Calendar days in the office's time zone: the row reads the same all day long (the
    # queue is cached per day, issue 19), and "today" means the same date as the page's.
    days = (today - submitted_on).days
    if days < 1:
        return "today"
    return f"{days} day{'s' if days != 1 else ''} ago"


def queue_rows(submissions: list[dict]) -> list[QueueRow]:
    """The page's rows (dicts of QUEUE_COLUMNS), with each renewal's credential codes
    from one query."""
    codes = {}
    if submissions:
        for renewal_id, code in (
            RenewalCredential.objects.filter(
                renewal_id__in={row["renewal_id"] for row in submissions}
            )
            .order_by("renewal_id", "credential__credential_type__code")
            .values_list("renewal_id", "credential__credential_type__code")
        ):
            codes.setdefault(renewal_id, []).append(code)
    today = timezone.localdate()
    dates = {}
    rows = []
    for row in submissions:
        local_day = timezone.localtime(row["submitted_at"]).date()
        if local_day not in dates:
            dates[local_day] = date_format(local_day, "M j, Y")
        # As User.display_name: the full name, else the email.
        name = f"{row['renewal__holder__first_name']} {row['renewal__holder__last_name']}"
        rows.append(
            QueueRow(
                pk=row["pk"],
                id=str(row["pk"]),
                holder=name.strip() or row["renewal__holder__email"],
                year=str(row["renewal__year"]),
                credentials=", ".join(
                    codes.get(row["renewal_id"]) or [row["renewal__governing_type__code"]]
                ),
                cecs=f"{row['total_hours']} / {row['renewal__cecs_owed']}",
                in_network=f"{row['in_network_hours']} / {row['renewal__in_network_min']}",
                submitted=f"{dates[local_day]} ({_waited(local_day, today)})",
                state=STATE_LABELS.get(row["state"], row["state"]),
                submitted_at=row["submitted_at"],
            )
        )
    return rows


# renewal.submissions.all(), compiled once per process (issue 19); the marker is the
# renewal's id.
_SUBMISSIONS_OF_RENEWAL = CompiledQuery(
    lambda renewal_id: Submission.objects.filter(renewal_id=renewal_id), 2_026_120_400
)


def submissions_of(renewal) -> list[Submission]:
    """renewal.submissions.all(): those prefetched with the renewal
    (prefetch_related("submissions"), the renewals changelist), else one query."""
    prefetched = getattr(renewal, "_prefetched_objects_cache", {}).get("submissions")
    if prefetched is not None:
        return list(prefetched)
    submissions = _SUBMISSIONS_OF_RENEWAL.all(renewal.pk)
    for submission in submissions:
        submission.renewal = renewal  # as the related manager gives them
    return submissions


def submission_for_review(pk):
    """One submission with everything a reviewer reads: entries, their forms and evidence."""
    entries = LedgerEntry.objects.select_related("reporting_form__signed_by").prefetch_related(
        "reporting_form__evidence"
    )
    return (
        Submission.objects.select_related(
            "renewal__holder", "renewal__governing_type", "decided_by"
        )
        .prefetch_related(
            Prefetch("entries", queryset=entries.order_by("earned_on", "pk")),
            "renewal__items__credential__credential_type",
        )
        .get(pk=pk)
    )


def review_years():
    return (
        Submission.objects.order_by("-renewal__year")
        .values_list("renewal__year", flat=True)
        .distinct()
    )
