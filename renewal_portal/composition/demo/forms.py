"""Demo Reporting Forms and a submission (idempotent).

- holder@example.org has a Reporting Form for 2026 committee service sent to the AASC
  office, waiting for staff to verify and sign it in admin.
- submitter@example.org (a second demo holder, CAM) has enough 2026 CECs, one of them
  from a Reporting Form staff already signed, submitted for the 2027 renewal and waiting
  for an NAAEI reviewer at /review/.
Everything goes through the services, so history, ledger entries and emails are real.
"""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from weasyprint import HTML

from cec.models import ActivityType, ClassSession, ReportingForm
from cec.selectors.submissions import live_submission_for, submission_proposal
from cec.services.forms import create_form, send_form, verify_form
from cec.services.ledger import record_attendance
from cec.services.submissions import submit_cecs
from cec.uploads import CheckedUpload
from credentials import rules
from credentials.models import ContactProfile, Credential, CredentialType, User
from credentials.services.renewals import issue_renewal_for
from renewal_portal.composition.demo.accounts import (
    DEMO_PASSWORD,
    DEMO_RENEWAL_YEAR,
    _verify_email,
)
from renewal_portal.infra.history import save_with_history

SUBMITTER = {
    "email": "submitter@example.org",
    "first_name": "Sasha",
    "last_name": "Submitter",
}
SUBMITTER_PROFILE = {
    "phone": "(719) 555-0177",
    "address_line1": "300 S Tejon St",
    "city": "Colorado Springs",
    "state": "CO",
    "postal_code": "80903",
    "employer": "Tejon Flats",
    "job_title": "Property Manager",
}
SUBMITTER_CLASSES = [
    ("Fair Housing Essentials", dt.date(2026, 3, 12)),
    ("Financial Management for Apartment Communities", dt.date(2026, 8, 20)),
]

WAITING_FORM = {
    "activity_type": ActivityType.COMMITTEE,
    "title": "AASC Education Committee, 2026 meetings",
    "organiser": "Apartment Association of Southern Colorado",
    "started_on": dt.date(2026, 2, 5),
    "ended_on": dt.date(2026, 10, 1),
    "hours_claimed": Decimal("2.00"),
    "description": "Four quarterly meetings planning the 2026 class calendar.",
}
SIGNED_FORM = {
    "activity_type": ActivityType.EXPO_CLASS,
    "title": "Expo: Marketing Trends",
    "organiser": "AASC Education Conference & Expo",
    "started_on": dt.date(2026, 9, 24),
    "ended_on": None,
    "hours_claimed": Decimal("1.00"),
    "description": "Expo session on digital marketing for apartment communities.",
}


def load(stdout=None):
    staff = User.objects.filter(email="staff@example.org").first()
    holder = User.objects.filter(email="holder@example.org").first()
    if holder is not None:
        _sent_form(holder, WAITING_FORM, "committee-minutes.pdf")
    submitter = _submitter()
    renewal = _renewal_of(submitter)
    if staff is not None:
        form = _sent_form(submitter, SIGNED_FORM, "expo-attendance.pdf")
        if form.state == "sent":
            verify_form(form, by=staff, note="Expo badge scan checked.", in_network=False)
    for title, date in SUBMITTER_CLASSES:
        session = ClassSession.objects.filter(course__title=title, date=date).first()
        if session is not None:
            record_attendance(session, submitter, by=staff)
    submitted = False
    if renewal is not None and live_submission_for(renewal) is None:
        proposal = submission_proposal(renewal)
        if proposal.progress.complete:
            submit_cecs(renewal, proposal.countable, by=submitter)
            submitted = True
    if stdout is not None:
        stdout.write(
            "Reporting Forms: one waiting for AASC staff (holder@example.org); "
            + (
                "a submission waiting for NAAEI review (submitter@example.org)."
                if submitted or (renewal and live_submission_for(renewal))
                else "no submission (load renewal_portal.composition.demo.classes first)."
            )
        )


def _submitter():
    user, created = User.objects.get_or_create(
        email=SUBMITTER["email"],
        defaults={"first_name": SUBMITTER["first_name"], "last_name": SUBMITTER["last_name"]},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    _verify_email(user)
    ContactProfile.objects.get_or_create(user=user, defaults=SUBMITTER_PROFILE)
    if not Credential.objects.filter(holder=user).exists():
        credential = Credential(
            holder=user,
            credential_type=CredentialType.objects.get(code="CAM"),
            number="CAM-117305",
            earned_on=dt.date(2020, 9, 18),
            valid_through=dt.date(2026, 12, 31),
        )
        save_with_history(credential, by=None, why="Entered from the AASC office's records")
    return user


def _renewal_of(user):
    opens = rules.renewal_calendar(DEMO_RENEWAL_YEAR).opens_on
    return issue_renewal_for(user, DEMO_RENEWAL_YEAR, on=opens)


def _sent_form(holder, fields, evidence_name) -> ReportingForm:
    form = ReportingForm.objects.filter(holder=holder, title=fields["title"]).first()
    if form is not None:
        return form
    content = _letter_pdf(holder, fields)
    upload = CheckedUpload(
        file=ContentFile(content, name=evidence_name),
        original_name=evidence_name,
        content_type="application/pdf",
        size_bytes=len(content),
    )
    form = create_form(holder=holder, fields=fields, evidence=[upload])
    return send_form(form, by=holder)


def _letter_pdf(holder, fields) -> bytes:
    html = (
        "<h1>Letter of participation</h1>"
        f"<p>{holder.get_full_name()} took part in “{fields['title']}” "
        f"({fields['organiser']}) on {fields['started_on']:%B %-d, %Y}, "
        f"for {fields['hours_claimed']} hours.</p><p>AASC Education Committee chair</p>"
    )
    return HTML(string=html).write_pdf()
