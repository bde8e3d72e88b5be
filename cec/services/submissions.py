"""The holder's one CEC submission for a renewal and its NAAEI review (SPEC rules 5, 7, 8).

submit_cecs: the holder reports the whole number owed at once; refused, with what is
missing, when it falls short. approve_submission: a reviewer approves, the entries are
approved and step 4 of the renewal is done. reject_submission: a reviewer refuses with a
reason; the entries go back so the holder can fix and submit again.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cec.models import EntryState, LedgerEntry, Submission, SubmissionState
from cec.selectors.ledger import as_credits, renewal_requirement
from cec.selectors.submissions import LIVE_STATES, SUBMITTABLE_STATES
from cec.services import checkin as checkin_services
from credentials import rules
from credentials.models import Renewal
from credentials.notifications import queue_message
from credentials.permissions import REVIEW_SUBMISSION
from credentials.services import steps
from renewal_portal.infra.history import save_with_history


def _require_reviewer(by):
    if not by.has_perm(REVIEW_SUBMISSION):
        raise PermissionDenied("Only NAAEI reviewers can approve or reject CEC submissions.")


@transaction.atomic
def submit_cecs(renewal, entries, *, by) -> Submission:
    """Submit the holder's entries for the renewal in one submission. Every entry must be
    the holder's own, countable and earned in the renewal's earning window, and together
    they must cover the CECs owed and the in-network minimum."""
    renewal = Renewal.objects.select_for_update().get(pk=renewal.pk)
    if by.pk != renewal.holder_id:
        raise PermissionDenied("Holders submit their own CECs.")
    if renewal.completed_at:
        raise ValidationError(f"Your {renewal.year} renewal is already complete.")
    live = renewal.submissions.filter(state__in=LIVE_STATES).first()
    if live is not None:
        if live.state == SubmissionState.APPROVED:
            raise ValidationError(f"Your CECs for {renewal.year} are already approved.")
        raise ValidationError(
            f"Your CECs for {renewal.year} were submitted on "
            f"{timezone.localtime(live.submitted_at):%B %-d, %Y} and are waiting for NAAEI: "
            "there is one submission per renewal."
        )

    ids = {getattr(entry, "pk", entry) for entry in entries}
    if not ids:
        raise ValidationError("Choose the CEC entries to submit.")
    rows = list(
        LedgerEntry.objects.select_for_update().filter(pk__in=ids).order_by("earned_on", "pk")
    )
    if len(rows) != len(ids) or any(row.holder_id != renewal.holder_id for row in rows):
        raise ValidationError("Only your own CEC entries can be submitted.")
    problems = []
    for row in rows:
        if row.state not in SUBMITTABLE_STATES:
            if row.state == EntryState.PENDING_VERIFICATION:
                problems.append(
                    f"“{row.title}” is not verified yet: only Reporting Forms verified and "
                    "signed by AASC can be submitted."
                )
            else:
                problems.append(
                    f"“{row.title}” cannot be submitted: it is {row.get_state_display().lower()}."
                )
        elif not rules.in_earning_window(renewal.year, row.earned_on):
            why = rules.why_not_in_window(renewal.year, row.earned_on)
            problems.append(f"“{row.title}”: {why}")
    if problems:
        raise ValidationError(problems)

    progress = rules.cec_progress(renewal_requirement(renewal), as_credits(rows))
    if not progress.complete:
        raise ValidationError(
            f"This submission is not enough for your {renewal.year} renewal. "
            f"{progress.shortfall()}",
            code="short",
        )

    submission = Submission(
        renewal=renewal, total_hours=progress.earned, in_network_hours=progress.in_network
    )
    save_with_history(submission, by=by, why="Submitted by the holder")
    submission.entries.set(rows)
    for row in rows:
        row.state = EntryState.SUBMITTED
        save_with_history(
            row,
            by=by,
            why=f"Submitted to NAAEI (submission #{submission.pk})",
            update_fields=["state"],
        )
    return submission


@transaction.atomic
def approve_submission(submission, *, by) -> Submission:
    """A reviewer approves a waiting submission: its entries are approved, step 4 of the
    renewal is done, and the renewal completes if every other step is too."""
    _require_reviewer(by)
    submission = _locked(submission)
    _require_waiting(submission, "approved")
    renewal = submission.renewal
    if renewal.holder_id == by.pk:
        raise PermissionDenied("Nobody can approve their own CEC submission.")
    submission.state = SubmissionState.APPROVED
    submission.decided_by = by
    submission.decided_at = timezone.now()
    save_with_history(submission, by=by, why="Approved by NAAEI")
    for entry in submission.entries.select_for_update():
        entry.state = EntryState.APPROVED
        save_with_history(
            entry,
            by=by,
            why=f"Approved by NAAEI (submission #{submission.pk})",
            update_fields=["state"],
        )
    queue_message(
        holder=renewal.holder,
        kind="submission_approved",
        dedupe_key=f"submission_approved:{submission.pk}",
        renewal=renewal,
        context={"submission": submission},
    )
    steps.cecs_approved(renewal, by=by)
    return submission


@transaction.atomic
def reject_submission(submission, *, by, reason: str) -> Submission:
    """A reviewer rejects a waiting submission with a reason; its entries return to the
    holder (credited or verified again) so they can fix it and submit again."""
    _require_reviewer(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the holder the reason for the rejection.", code="reason")
    submission = _locked(submission)
    _require_waiting(submission, "rejected")
    renewal = submission.renewal
    if renewal.holder_id == by.pk:
        raise PermissionDenied("Nobody can reject their own CEC submission.")
    submission.state = SubmissionState.REJECTED
    submission.decided_by = by
    submission.decided_at = timezone.now()
    submission.rejection_reason = reason
    save_with_history(submission, by=by, why="Rejected by NAAEI")
    for entry in submission.entries.select_for_update():
        # Verified entries (signed forms, Expo check-ins) go back verified.
        verified = entry.reporting_form_id or checkin_services.was_checked_in(entry)
        entry.state = EntryState.VERIFIED if verified else EntryState.CREDITED
        save_with_history(
            entry,
            by=by,
            why=f"Returned: submission #{submission.pk} was rejected",
            update_fields=["state"],
        )
    queue_message(
        holder=renewal.holder,
        kind="submission_rejected",
        dedupe_key=f"submission_rejected:{submission.pk}",
        renewal=renewal,
        context={"submission": submission, "reason": reason},
    )
    return submission


def approve_submissions(submissions, *, by):
    """Approve several at once; each is its own transaction, so one that cannot be
    approved (decided meanwhile) leaves the others approved. Returns (approved, refused)
    with refused as (submission, message) pairs."""
    _require_reviewer(by)
    approved, refused = [], []
    for submission in submissions:
        try:
            approved.append(approve_submission(submission, by=by))
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refused.append((submission, message))
    return approved, refused


def _locked(submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("renewal__holder")
        .get(pk=submission.pk)
    )


def _require_waiting(submission, action):
    if submission.state != SubmissionState.SUBMITTED:
        raise ValidationError(
            f"This submission is already {submission.get_state_display().lower()}: "
            f"only one waiting for review can be {action}.",
            code="transition_not_allowed",
        )
