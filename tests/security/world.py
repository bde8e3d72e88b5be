"""One small world with a record of every kind, all belonging to holder A, so each page
can be tried by each role and by another holder."""

import datetime as dt
from dataclasses import dataclass

from cec.models import ClassSession, Evidence, LedgerEntry, ReportingForm, Submission
from cec.services.ledger import record_attendance
from credentials.models import Renewal, User
from credentials.services.renewals import issue_renewal_for
from payments.models import Invoice, Payment
from payments.providers import Succeeded
from payments.services.payments import record_payment
from tests.factories import (
    ClassSessionFactory,
    CredentialFactory,
    HolderFactory,
    ReviewerFactory,
    StaffFactory,
    SubmissionFactory,
    verified_form,
)


@dataclass
class World:
    holder_a: User
    holder_b: User
    staff: User
    reviewer: User
    renewal: Renewal
    invoice: Invoice
    payment: Payment
    session: ClassSession
    entry: LedgerEntry
    loose_entry: LedgerEntry  # holder A's class never submitted to NAAEI
    form: ReportingForm
    evidence: Evidence
    submission: Submission


def build_world() -> World:
    staff = StaffFactory(email="world-staff@example.org")
    reviewer = ReviewerFactory(email="world-reviewer@example.org")
    holder_a = HolderFactory(email="holder-a@example.org")
    holder_b = HolderFactory(email="holder-b@example.org")
    for holder in (holder_a, holder_b):
        CredentialFactory(holder=holder, valid_through=dt.date(2026, 12, 31))
    renewal = issue_renewal_for(holder_a, 2027, on=dt.date(2026, 11, 20))
    issue_renewal_for(holder_b, 2027, on=dt.date(2026, 11, 20))
    session = ClassSessionFactory(date=dt.date(2026, 5, 12))
    entry = record_attendance(session, holder_a, by=staff)
    loose_entry = record_attendance(
        ClassSessionFactory(date=dt.date(2026, 6, 2)), holder_a, by=staff
    )
    form = verified_form(staff, holder=holder_a)
    submission = SubmissionFactory(renewal=renewal, entries=[entry, *form.ledger_entries.all()])
    # Step 2 through the payments service: Stripe says holder A's card was charged.
    payment = record_payment(
        renewal.invoice,
        Succeeded(reference="pi_world", amount_cents=renewal.invoice.total_cents, currency="usd"),
    )
    return World(
        holder_a=holder_a,
        holder_b=holder_b,
        staff=staff,
        reviewer=reviewer,
        renewal=renewal,
        invoice=renewal.invoice,
        payment=payment,
        session=session,
        entry=entry,
        loose_entry=loose_entry,
        form=form,
        evidence=form.evidence.get(),
        submission=submission,
    )
