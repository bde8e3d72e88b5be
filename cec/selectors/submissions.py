"""Reads for the CEC submission (holder) and the NAAEI review queue (reviewer)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from cec.models import FormState, LedgerEntry, ReportingForm, Submission
from cec.models import SubmissionState as S
from cec.selectors.ledger import as_credits, renewal_requirement
from credentials import rules

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
    """Submissions for NAAEI review, oldest first, with the filters of the queue."""
    queryset = Submission.objects.select_related(
        "renewal__holder", "renewal__governing_type", "decided_by"
    ).prefetch_related("renewal__items__credential__credential_type")
    if state:
        queryset = queryset.filter(state=state)
    if year:
        queryset = queryset.filter(renewal__year=year)
    if credential:
        queryset = queryset.filter(
            renewal__items__credential__credential_type__code=credential
        ).distinct()
    if older_than_days:
        cutoff = timezone.now() - dt.timedelta(days=int(older_than_days))
        queryset = queryset.filter(submitted_at__lte=cutoff)
    return queryset.order_by("submitted_at", "pk")


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
