"""The data the page-by-page browser checks (accessibility, phone width) open pages on,
built by factories and services the way the office and holders would make it, and a
quick sign-in for those checks (the sign-in form itself has its own journeys)."""

import datetime as dt

from django.conf import settings
from django.test import Client
from django.utils import timezone

from cec.services.ledger import record_attendance
from cec.services.submissions import submit_cecs
from credentials import rules
from credentials.services.renewals import issue_renewal_for
from payments.models import InvoiceStatus, PaymentStatus
from tests.factories import (
    ClassSessionFactory,
    CourseFactory,
    CredentialFactory,
    HolderFactory,
    InvoiceFactory,
    PaymentFactory,
    RenewalFactory,
    ReportingFormFactory,
    ReviewerFactory,
    StaffFactory,
    credential_type,
    sent_form,
    verified_form,
)

__all__ = ["ANONYMOUS", "HOLDER", "REVIEWER", "STAFF", "build_world", "sign_in_by_session"]

ANONYMOUS = "anonymous"
HOLDER = "holder"
STAFF = "staff"
REVIEWER = "reviewer"


def build_world():
    """One holder halfway through the current renewal (contact details, an open invoice,
    an AASC class, a verified and a draft Reporting Form, last year's paid invoice), a
    second holder whose CECs wait for NAAEI, a clerk and a reviewer."""
    today = timezone.localdate()
    year = rules.renewal_year_on(today)
    class_day = min(today, rules.earning_window(year)[1]) - dt.timedelta(days=30)
    staff = StaffFactory(email="clerk@example.org", first_name="Casey", last_name="Clerk")
    reviewer = ReviewerFactory(email="naaei@example.org", first_name="Robin", last_name="Reviewer")

    holder = HolderFactory(email="ada@example.org", first_name="Ada", last_name="Holder")
    CredentialFactory(holder=holder, valid_through=dt.date(year - 1, 12, 31))
    CredentialFactory(
        holder=holder,
        credential_type=credential_type("CALP"),
        valid_through=dt.date(year - 1, 12, 31),
    )
    renewal = issue_renewal_for(holder, year)
    session = ClassSessionFactory(
        course=CourseFactory(title="Fair Housing Essentials"),
        date=class_day,
        start_time=dt.time(9),
        end_time=dt.time(12),
        break_minutes=30,
    )
    entry = record_attendance(session, holder, by=staff)
    verified = verified_form(
        staff, holder=holder, title="AASC Education Committee", started_on=class_day
    )
    draft = ReportingFormFactory(holder=holder, title="Volunteer day", started_on=class_day)
    last_year = InvoiceFactory(
        renewal=RenewalFactory(holder=holder, year=year - 1),
        number=f"{year - 1}-000042",
        status=InvoiceStatus.PAID,
    )
    paid = PaymentFactory(
        invoice=last_year, status=PaymentStatus.SUCCEEDED, received_on=dt.date(year - 2, 12, 3)
    )

    other = HolderFactory(email="bea@example.org", first_name="Bea", last_name="Waiting")
    other_renewal = RenewalFactory(holder=other, year=year)
    other_session = ClassSessionFactory(
        course=CourseFactory(title="Maintenance Law"),
        date=class_day,
        start_time=dt.time(8),
        end_time=dt.time(17),
        break_minutes=60,
    )
    entries = [record_attendance(other_session, other, by=staff)]
    entries.extend(verified_form(staff, holder=other, started_on=class_day).ledger_entries.all())
    submission = submit_cecs(other_renewal, entries, by=other)
    sent = sent_form(holder=other, title="Apartmentalize Expo class", started_on=class_day)

    return {
        "users": {HOLDER: holder, STAFF: staff, REVIEWER: reviewer},
        "renewal": renewal,
        "invoice": renewal.invoice,
        "paid": paid,
        "entry": entry,
        "verified": verified,
        "draft": draft,
        "session": session,
        "submission": submission,
        "sent": sent,
    }


def sign_in_by_session(context, live_server, user):
    """Signs `user` in through a session cookie (the sign-in form has its own test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
