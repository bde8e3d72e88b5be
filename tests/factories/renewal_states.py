"""A holder's renewal driven into each state through the services, as it happens in the
portal: due, contact confirmed, paid, CECs checked, submitted, rejected, approved
(completed), and a lapsed credential being reinstated. Call them inside the test's clock."""

import datetime as dt
from decimal import Decimal

from cec.services.submissions import approve_submission, reject_submission, submit_cecs
from credentials.services.renewals import issue_renewal_for, lapse_overdue_credentials
from credentials.services.steps import confirm_contact_details, mark_cec_status_seen
from payments.services.payments import record_offline_payment

from .cec import LedgerEntryFactory
from .credentials import ContactProfileFactory, CredentialFactory, credential_type


def renewal_due(holder, year=2027, codes=("CAM", "CALP")):
    """Credentials expiring at the end of year-1 and the year's renewal issued."""
    for code in codes:
        CredentialFactory(
            holder=holder,
            credential_type=credential_type(code),
            valid_through=dt.date(year - 1, 12, 31),
        )
    ContactProfileFactory(user=holder)
    return issue_renewal_for(holder, year)


def lapsed_and_reinstating(holder, year=2027):
    """A CALP last renewed for year-3: lapsed the day after that grace ended (recorded by
    the daily lapse), then the year's renewal issued with the reinstatement fee."""
    CredentialFactory(
        holder=holder,
        credential_type=credential_type("CALP"),
        number="CALP-199407",
        valid_through=dt.date(year - 3, 12, 31),
    )
    ContactProfileFactory(user=holder)
    lapse_overdue_credentials(on=dt.date(year - 2, 4, 1), holder_ids=[holder.pk])
    return issue_renewal_for(holder, year)


def confirm(renewal):
    return confirm_contact_details(renewal, by=renewal.holder)


def pay_by_cheque(renewal, staff):
    invoice = renewal.invoice
    return record_offline_payment(
        invoice, invoice.total_cents, "1042", dt.date.today() - dt.timedelta(days=1), by=staff
    )


def check_cecs(renewal):
    return mark_cec_status_seen(renewal, by=renewal.holder)


def earn_enough(renewal):
    """AASC class CECs earned in the renewal's window covering what it owes."""
    return [
        LedgerEntryFactory(
            holder=renewal.holder,
            hours=Decimal("3.00"),
            earned_on=dt.date(renewal.year - 1, month, 10),
        )
        for month in (3, 6, 9)
    ]


def submit(renewal):
    return submit_cecs(renewal, earn_enough(renewal), by=renewal.holder)


def reject(submission, reviewer, reason="The June class is not on the AASC roster."):
    return reject_submission(submission, by=reviewer, reason=reason)


def complete(renewal, staff, reviewer):
    """All four steps through their services, the NAAEI approval last."""
    confirm(renewal)
    pay_by_cheque(renewal, staff)
    check_cecs(renewal)
    return approve_submission(submit(renewal), by=reviewer)
