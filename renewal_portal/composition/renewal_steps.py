"""The four steps of a renewal as the holder and the office read them (SPEC rule 8):
whether each is done comes from the renewal's own record (credentials.rules), what each
says beside it from the invoice (payments) and the submissions (cec)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from cec.models import SubmissionState
from cec.selectors.submissions import submissions_of
from credentials import rules
from credentials.models import Renewal
from payments.models import Invoice


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    done: bool
    detail: str = ""
    # Step 4 only: submitted and waiting for NAAEI (nothing for the holder to do), or
    # the last submission was rejected (fix it and submit again).
    waiting: bool = False
    rejected: bool = False


@dataclass(frozen=True)
class RenewalSteps:
    steps: tuple[Step, ...]

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)

    @property
    def all_done(self) -> bool:
        """The renewal is complete (rules.renewal_complete of the four steps; a copy
        without a step, such as a reviewer's packet, is never complete)."""
        done = {step.key: step.done for step in self.steps}
        return rules.renewal_complete(
            contact_confirmed=done.get("contact", False),
            invoice_paid=done.get("payment", False),
            cec_status_checked=done.get("cec_status", False),
            cecs_approved=done.get("cec_approval", False),
        )

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def next_step(self) -> Step | None:
        """The first step the holder can move forward (one waiting for NAAEI is not)."""
        return next((step for step in self.steps if not step.done and not step.waiting), None)

    @property
    def waiting_for_review(self) -> bool:
        return any(step.waiting for step in self.steps)

    def __getitem__(self, key) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)  # templates then look `key` up as an attribute


def invoice_of(renewal):
    """The renewal's invoice, or None before it exists."""
    try:
        return renewal.invoice
    except Invoice.DoesNotExist:
        return None


def approved_submission_of(renewal):
    return (
        renewal.submissions.filter(state=SubmissionState.APPROVED).order_by("-decided_at").first()
    )


def latest_submission_of(renewal):
    return renewal.submissions.order_by("-submitted_at", "-pk").first()


def _submission_detail(submission) -> str:
    if submission is None:
        return ""
    local = timezone.localtime
    if submission.decided_at and submission.state == "approved":
        return f"Approved {local(submission.decided_at):%B %-d, %Y}"
    if submission.state == "rejected":
        when = f" on {local(submission.decided_at):%B %-d, %Y}" if submission.decided_at else ""
        reason = (submission.rejection_reason or "").strip()
        if reason and reason[-1] not in ".!?":
            reason += "."  # one full stop, whether or not the reviewer typed one
        reason = f": {reason}" if reason else "."
        return (
            f"NAAEI rejected your submission{when}{reason} Fix what the reviewer asks (for "
            "example, file a Reporting Form for missing CECs), then submit again."
        )
    return f"Submitted on {local(submission.submitted_at):%B %-d, %Y}, waiting for NAAEI review"


def _approved_and_latest_submissions(renewal):
    """approved_submission_of and latest_submission_of in one query, or none when the
    renewals were fetched with prefetch_related("submissions") (the renewals changelist): a
    renewal has a handful of submissions at most (one live, the rejected ones before it)."""
    submissions = sorted(
        submissions_of(renewal), key=lambda s: (s.submitted_at, s.pk), reverse=True
    )
    approved = [s for s in submissions if s.state == "approved"]
    approved.sort(key=lambda s: (s.decided_at is not None, s.decided_at), reverse=True)
    return (approved[0] if approved else None), (submissions[0] if submissions else None)


def _payment_detail(invoice) -> str:
    """What step 2 says beside its state: when it was paid, or why money went back."""
    if invoice is None:
        return ""
    if invoice.is_paid:
        return f"Paid {timezone.localtime(invoice.paid_at):%B %-d, %Y}" if invoice.paid_at else ""
    if invoice.status == "refunded":
        return "Your payment was refunded, so this renewal is open again; pay the invoice to renew"
    if invoice.status == "disputed":
        return (
            "Your bank is reviewing a dispute about your payment; the AASC office will be in "
            "touch, and nothing can be paid until the bank decides"
        )
    return ""


def renewal_steps(renewal: Renewal) -> RenewalSteps:
    """The four steps of SPEC rule 8: done as the renewal records them (the same record
    credentials.rules.renewal_complete reads), with what the invoice and the submissions
    say beside each."""
    invoice = invoice_of(renewal)
    approved, latest = _approved_and_latest_submissions(renewal)
    latest = approved or latest
    local = timezone.localtime
    return RenewalSteps(
        (
            Step(
                1,
                "contact",
                "Confirm your contact details",
                renewal.contact_confirmed_at is not None,
                f"Confirmed {local(renewal.contact_confirmed_at):%B %-d, %Y}"
                if renewal.contact_confirmed_at
                else "",
            ),
            Step(
                2,
                "payment",
                "Pay your renewal invoice",
                renewal.paid_at is not None,
                _payment_detail(invoice),
            ),
            Step(
                3,
                "cec_status",
                "Check your CEC status",
                renewal.cec_status_seen_at is not None,
                f"Checked {local(renewal.cec_status_seen_at):%B %-d, %Y}"
                if renewal.cec_status_seen_at
                else "",
            ),
            Step(
                4,
                "cec_approval",
                "Submit your CECs for NAAEI approval",
                renewal.cecs_approved_at is not None,
                _submission_detail(latest),
                waiting=approved is None and latest is not None and latest.state == "submitted",
                rejected=approved is None and latest is not None and latest.state == "rejected",
            ),
        )
    )
