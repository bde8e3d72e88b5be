"""Demo holders in the states a season passes through (idempotent).

Signing in as each shows a page in an awkward state without any set-up:

- new@example.org: a brand-new account, email verified, no credentials yet;
- rejected@example.org: CAM holder who paid by cheque and submitted 2026 CECs for the
  2027 renewal; an NAAEI reviewer rejected the submission with a reason;
- renewed@example.org: CALP holder whose 2027 renewal is complete (contact confirmed,
  paid by cheque, CEC status checked, submission approved), renewed through 2027;
- refunded@example.org: CAM holder whose renewal had completed, then the office gave the
  cheque back: the invoice is refunded, step 2 is open again and the credential is back
  to its previous date.

Every state is reached through the services, so the history, the ledger, the emails and
the documents are the ones a real season would leave.
"""

import datetime as dt

from django.utils import timezone

from cec.models import ClassSession
from cec.selectors.submissions import latest_submission_for, submission_proposal
from cec.services.ledger import record_attendance
from cec.services.submissions import approve_submission, reject_submission, submit_cecs
from credentials import rules
from credentials.models import ContactProfile, Credential, CredentialType, User
from credentials.services.profiles import confirm_contact_details
from credentials.services.renewals import issue_renewal_for, mark_cec_status_seen
from payments.models import PaymentStatus
from payments.services.payments import record_offline_payment
from payments.services.reversals import record_cheque_refund
from renewal_portal.composition.demo.accounts import DEMO_PASSWORD, DEMO_RENEWAL_YEAR, _verify_email
from renewal_portal.composition.renewal_steps import invoice_of
from renewal_portal.infra.history import save_with_history

REJECTION_REASON = (
    "The certificate for Financial Management shows 6 hours, not 7: the AASC office must "
    "correct the attendance first."
)

HOLDERS = {
    "new@example.org": {
        "name": ("Nina", "Newcomer"),
        "profile": None,
        "credential": None,
        "classes": [],
    },
    "rejected@example.org": {
        "name": ("Rafael", "Returned"),
        "profile": {
            "phone": "(719) 555-0163",
            "address_line1": "820 N Nevada Ave",
            "city": "Colorado Springs",
            "state": "CO",
            "postal_code": "80903",
            "employer": "Nevada Avenue Lofts",
            "job_title": "Community Manager",
        },
        "credential": ("CAM", "CAM-121980", dt.date(2022, 4, 7)),
        "classes": [
            ("Fair Housing Essentials", dt.date(2026, 3, 12)),
            ("Financial Management for Apartment Communities", dt.date(2026, 8, 20)),
        ],
    },
    "renewed@example.org": {
        "name": ("Rosa", "Renewed"),
        "profile": {
            "phone": "(719) 555-0128",
            "address_line1": "15 E Platte Ave",
            "city": "Colorado Springs",
            "state": "CO",
            "postal_code": "80903",
            "employer": "Platte Street Commons",
            "job_title": "Leasing Professional",
        },
        "credential": ("CALP", "CALP-230417", dt.date(2023, 2, 16)),
        "classes": [
            ("Fair Housing Essentials", dt.date(2026, 3, 12)),
            ("Leasing Legal Update", dt.date(2026, 5, 14)),
            ("Resident Retention Strategies", dt.date(2026, 10, 8)),
        ],
    },
    "refunded@example.org": {
        "name": ("Ruth", "Refunded"),
        "profile": {
            "phone": "(719) 555-0186",
            "address_line1": "2 N Cascade Ave",
            "city": "Colorado Springs",
            "state": "CO",
            "postal_code": "80903",
            "employer": "Cascade Avenue Flats",
            "job_title": "Regional Manager",
        },
        "credential": ("CAM", "CAM-126644", dt.date(2021, 10, 4)),
        "classes": [
            ("Fair Housing Essentials", dt.date(2026, 3, 12)),
            ("Financial Management for Apartment Communities", dt.date(2026, 8, 20)),
        ],
    },
}

REFUND_REASON = "Holder moved out of state; the office returned the cheque"


def load(stdout=None):
    staff = User.objects.filter(email="staff@example.org").first()
    reviewer = User.objects.filter(email="reviewer@example.org").first()
    holders = {email: _holder(email, spec) for email, spec in HOLDERS.items()}
    if staff is None or reviewer is None:
        return
    for email, spec in HOLDERS.items():
        for title, date in spec["classes"]:
            session = ClassSession.objects.filter(course__title=title, date=date).first()
            # Like the demo's own classes: only those that have taken place by today.
            if session is not None and session.date <= timezone.localdate():
                record_attendance(session, holders[email], by=staff)
    _rejected(holders["rejected@example.org"], staff=staff, reviewer=reviewer)
    _renewed(holders["renewed@example.org"], staff=staff, reviewer=reviewer)
    _refunded(holders["refunded@example.org"], staff=staff, reviewer=reviewer)
    if stdout is not None:
        stdout.write(
            "Season states: new@example.org (no credentials yet), rejected@example.org "
            "(submission rejected), renewed@example.org (2027 renewal complete), "
            "refunded@example.org (renewal undone by a refund)."
        )


def _holder(email, spec) -> User:
    first, last = spec["name"]
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    _verify_email(user)
    if spec["profile"]:
        ContactProfile.objects.get_or_create(user=user, defaults=spec["profile"])
    if spec["credential"] and not Credential.objects.filter(holder=user).exists():
        code, number, earned_on = spec["credential"]
        credential = Credential(
            holder=user,
            credential_type=CredentialType.objects.get(code=code),
            number=number,
            earned_on=earned_on,
            valid_through=dt.date(DEMO_RENEWAL_YEAR - 1, 12, 31),
        )
        save_with_history(credential, by=None, why="Entered from the AASC office's records")
    return user


def _paid_and_submitted(holder, *, staff):
    """Steps 1 to 3 done and the CECs submitted: the part both demo states share."""
    opens = rules.renewal_calendar(DEMO_RENEWAL_YEAR).opens_on
    renewal = issue_renewal_for(holder, DEMO_RENEWAL_YEAR, on=opens)
    if renewal is None:
        return None
    confirm_contact_details(renewal, by=holder)
    invoice = invoice_of(renewal)
    if invoice is not None and not invoice.is_paid:
        record_offline_payment(
            invoice,
            invoice.total_cents,
            cheque_number=f"10{renewal.pk:02d}",
            received_on=timezone.localdate(),
            by=staff,
        )
    mark_cec_status_seen(renewal, by=holder)
    if latest_submission_for(renewal) is None:
        proposal = submission_proposal(renewal)
        if proposal.progress.complete:
            submit_cecs(renewal, proposal.countable, by=holder)
    return renewal


def _rejected(holder, *, staff, reviewer):
    renewal = _paid_and_submitted(holder, staff=staff)
    submission = renewal and latest_submission_for(renewal)
    if submission is not None and submission.state == "submitted":
        reject_submission(submission, by=reviewer, reason=REJECTION_REASON)


def _renewed(holder, *, staff, reviewer):
    renewal = _paid_and_submitted(holder, staff=staff)
    submission = renewal and latest_submission_for(renewal)
    if submission is not None and submission.state == "submitted":
        approve_submission(submission, by=reviewer)


def _refunded(holder, *, staff, reviewer):
    renewal = _paid_and_submitted(holder, staff=staff)
    if renewal is None:
        return
    _renewed(holder, staff=staff, reviewer=reviewer)
    payment = invoice_of(renewal).payments.filter(status=PaymentStatus.SUCCEEDED).first()
    if payment is not None:
        record_cheque_refund(payment, by=staff, reason=REFUND_REASON)
