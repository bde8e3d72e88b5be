"""The audit packet of a renewal (issue 11): the PDF an NAAEI auditor reads, the ZIP with
the evidence and a CSV, who may download it, and the public page its QR code opens."""

import csv
import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from cec.models import SubmissionState
from cec.pdf import qr_code_data_uri
from cec.services.ledger import record_attendance
from cec.services.submissions import approve_submission, reject_submission, submit_cecs
from credentials.models import PacketToken
from credentials.services.profiles import confirm_contact_details
from credentials.services.renewals import issue_renewal_for, mark_cec_status_seen
from payments.receipts import receipt_number
from payments.services.payments import record_offline_payment
from renewal_portal.composition.packets.pdf import packet_context, verification_url
from renewal_portal.composition.packets.services import audit_packet_of
from tests.factories import (
    ClassSessionFactory,
    CredentialFactory,
    HolderFactory,
    LedgerEntryFactory,
    RenewalFactory,
    credential_type,
    pdf_bytes,
    verified_form,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]

DENVER = ZoneInfo("America/Denver")


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=DENVER)


@pytest.fixture
def renewal(clock, holder, staff, reviewer):
    """A 2027 renewal of CAM + CALP done the real way: two AASC classes, a committee
    Reporting Form signed by staff, contact confirmed, a cheque, NAAEI approval; and the
    holder's phone and employer changed after they were confirmed. The module's clock
    stops on 25 November, the day the walk ends (people sign in then, so their sessions
    are current); the walk starts in June."""
    clock.move_to(at(6, 1))
    holder.profile.save()  # the holder keeps their details current in June
    for code in ("CAM", "CALP"):
        CredentialFactory(
            holder=holder,
            credential_type=credential_type(code),
            valid_through=dt.date(2026, 12, 31),
        )
    fair_housing = ClassSessionFactory(
        date=dt.date(2026, 3, 12), course__title="Fair Housing Essentials", instructor="Pat Lee"
    )
    leasing = ClassSessionFactory(
        date=dt.date(2026, 4, 20),
        course__title="Leasing Law Update",
        instructor="Robin Ortiz",
        start_time=dt.time(9, 0),
        end_time=dt.time(13, 0),
        break_minutes=0,
    )
    record_attendance(fair_housing, holder, by=staff)
    record_attendance(leasing, holder, by=staff)
    clock.move_to(at(7, 2))
    verified_form(
        staff,
        holder=holder,
        title="AASC Education Committee, June",
        hours_claimed=Decimal("2"),
        started_on=dt.date(2026, 6, 10),
        note="Minutes checked against the sign-in sheet",
    )
    clock.move_to(at(11, 20))
    renewal = issue_renewal_for(holder, 2027)
    clock.move_to(at(11, 21))
    confirm_contact_details(renewal, by=holder)
    clock.move_to(at(11, 22))
    record_offline_payment(
        renewal.invoice,
        renewal.invoice.total_cents,
        "1042",
        dt.date(2026, 11, 22),
        by=staff,
    )
    clock.move_to(at(11, 23))
    profile = holder.profile
    profile.phone, profile.employer = "(719) 555-9999", "A Later Employer LLC"
    profile.save()
    mark_cec_status_seen(renewal, by=holder)
    clock.move_to(at(11, 24))
    submission = submit_cecs(renewal, holder.ledger_entries.all(), by=holder)
    clock.move_to(at(11, 25))
    approve_submission(submission, by=reviewer)
    renewal.refresh_from_db()
    return renewal


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def packet_pdf_of(client, renewal):
    return client.get(reverse("credentials:packet_pdf", args=[renewal.pk]))


def packet_zip_of(client, renewal):
    response = client.get(reverse("credentials:packet_zip", args=[renewal.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# --- The PDF -----------------------------------------------------------------------------


def test_the_packet_lists_every_cec_with_its_evidence(holder_client, renewal, holder):
    response = packet_pdf_of(holder_client, renewal)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    for entry in holder.ledger_entries.all():
        assert entry.title in text
        assert f"{entry.hours}" in text
        assert f"{entry.earned_on:%b} {entry.earned_on.day}, {entry.earned_on.year}" in text
    for expected in [
        "Fair Housing Essentials",
        "instructor Pat Lee",
        "Leasing Law Update",
        "instructor Robin Ortiz",
        "AASC class",
        "Committee service",
        "In-network",
        "Participation",
        "attendance-letter.pdf",
    ]:
        assert expected in text
    for entry in holder.ledger_entries.exclude(certificate_number=None):
        assert entry.certificate_number in text


def test_the_packet_names_every_signer_and_reviewer_with_the_time(
    holder_client, renewal, staff, reviewer
):
    text = flat(pdf_text(packet_pdf_of(holder_client, renewal).content))
    form = renewal.holder.reporting_forms.get()
    assert f"Reporting Form #{form.pk}" in text
    assert f"Signed by {staff.display_name} on July 2, 2026" in text
    assert "Minutes checked against the sign-in sheet" in text
    assert f"Approved by {reviewer.display_name} on November 25, 2026" in text
    # The clerk who recorded the class attendance is named too.
    assert f"attendance recorded by {staff.display_name}" in text


def test_the_packet_shows_a_rejection_with_the_reviewers_note(
    clock, holder_client, holder, staff, reviewer
):
    renewal = RenewalFactory(holder=holder, year=2027)
    entry = LedgerEntryFactory(holder=holder, hours=Decimal("8"), title="Annual conference")
    submission = submit_cecs(renewal, [entry], by=holder)
    reject_submission(submission, by=reviewer, reason="Attach the conference certificate.")
    text = flat(pdf_text(packet_pdf_of(holder_client, renewal).content))
    assert "Annual conference" in text
    assert f"Rejected by {reviewer.display_name}" in text
    assert "Attach the conference certificate." in text


def test_the_packet_shows_contact_details_as_confirmed_not_as_changed_later(
    holder_client, renewal, holder
):
    text = flat(pdf_text(packet_pdf_of(holder_client, renewal).content))
    assert "As the holder confirmed them on November 21, 2026" in text
    assert "(719) 555-0100" in text
    assert "555-9999" not in text
    assert "A Later Employer LLC" not in text
    assert holder.display_name in text and holder.email in text
    assert holder.profile.address_line1 in text


def test_the_packet_shows_the_credentials_invoice_and_cheque_receipt(holder_client, renewal):
    text = flat(pdf_text(packet_pdf_of(holder_client, renewal).content))
    for item in renewal.items.select_related("credential__credential_type"):
        assert item.credential.credential_type.code in text
        assert item.credential.number in text
    invoice = renewal.invoice
    payment = invoice.payments.get()
    assert f"Invoice {invoice.number}" in text
    assert receipt_number(payment) in text
    assert "Cheque" in text and "cheque no. 1042" in text
    assert "November 22, 2026" in text


def test_the_reviewers_copy_leaves_out_the_invoice_and_payments(reviewer_client, renewal):
    """NAAEI reviewers see nothing of payments (SPEC: roles)."""
    text = flat(pdf_text(packet_pdf_of(reviewer_client, renewal).content))
    payment = renewal.invoice.payments.get()
    assert f"Invoice {renewal.invoice.number}" not in text
    assert receipt_number(payment) not in text
    assert "cheque no. 1042" not in text
    assert "not part of the copy made for NAAEI reviewers" in text
    assert "8.5 CECs, 8 needed ✓" in text


def test_the_reviewers_copy_leaves_out_every_payment_fact(reviewer_client, renewal):
    """Issue 15.13: not even the date the invoice was paid, in the PDF or the ZIP."""
    text = flat(pdf_text(packet_pdf_of(reviewer_client, renewal).content))
    assert "November 22, 2026" not in text  # the day the cheque came in
    assert "Paid" not in text
    assert "Pay your renewal invoice" not in text
    archive = packet_zip_of(reviewer_client, renewal)
    for name in archive.namelist():
        if name.endswith(".csv"):
            content = archive.read(name).decode()
            assert "2026-11-22" not in content and "paid" not in content.lower()


def test_the_holders_and_the_offices_copy_keep_the_paid_date(holder_client, renewal):
    text = flat(pdf_text(packet_pdf_of(holder_client, renewal).content))
    assert "Paid November 22, 2026" in text


def test_the_packet_totals_against_the_renewals_own_requirement(holder_client, renewal):
    text = flat(pdf_text(packet_pdf_of(holder_client, renewal).content))
    # 2.5 + 4 in-network class hours and 2 of committee service, against CAM's 8 (5).
    assert (
        "8.5 CECs, 8 needed ✓; 6.5 in-network, 5 needed ✓; participation 2 of up to 2 (cap reached)"
        in text
    )
    assert "The requirement is met." in text
    assert "Renewal complete" in text


def test_the_packet_prints_its_verification_url_and_qr_code(holder_client, renewal):
    text = pdf_text(packet_pdf_of(holder_client, renewal).content)
    token = PacketToken.objects.get(renewal=renewal).token
    url = settings.SITE_URL + reverse("credentials:packet_verify", args=[token])
    assert url in text.replace("\n", "")
    packet = audit_packet_of(renewal)
    assert verification_url(packet) == url
    assert packet_context(packet)["qr_code"] == qr_code_data_uri(url)


def test_every_packet_of_a_renewal_carries_the_same_token(holder_client, staff_client, renewal):
    packet_pdf_of(holder_client, renewal)
    packet_pdf_of(staff_client, renewal)
    assert PacketToken.objects.filter(renewal=renewal).count() == 1


def test_a_packet_before_anything_is_submitted_counts_the_earning_window(
    clock, holder_client, holder
):
    renewal = RenewalFactory(holder=holder, year=2027)
    LedgerEntryFactory(holder=holder, title="Counted class", earned_on=dt.date(2026, 2, 1))
    LedgerEntryFactory(holder=holder, title="Too early", earned_on=dt.date(2025, 12, 1))
    text = flat(pdf_text(packet_pdf_of(holder_client, renewal).content))
    assert "Counted class" in text and "Too early" not in text
    assert "none submitted to NAAEI yet" in text
    assert "No invoice has been issued" in text
    assert "Not confirmed for this renewal yet" in text
    assert "The requirement is not met yet." in text


# --- The ZIP -----------------------------------------------------------------------------


def test_the_zip_holds_the_pdf_the_csv_and_the_original_evidence(holder_client, renewal):
    archive = packet_zip_of(holder_client, renewal)
    base = f"AASC-audit-packet-2027-R{renewal.pk}"
    names = archive.namelist()
    evidence = renewal.holder.reporting_forms.get().evidence.get()
    assert f"{base}/{base}.pdf" in names
    assert f"{base}/cec-entries.csv" in names
    evidence_name = f"{base}/evidence/form-{evidence.form_id}-{evidence.pk}-attendance-letter.pdf"
    assert evidence_name in names
    assert archive.read(evidence_name) == pdf_bytes()
    assert "Fair Housing Essentials" in pdf_text(archive.read(f"{base}/{base}.pdf"))
    assert archive.testzip() is None


def test_the_zips_csv_has_one_row_per_counted_entry(holder_client, renewal, staff, reviewer):
    archive = packet_zip_of(holder_client, renewal)
    base = f"AASC-audit-packet-2027-R{renewal.pk}"
    rows = list(csv.DictReader(io.StringIO(archive.read(f"{base}/cec-entries.csv").decode())))
    assert sorted(row["activity"] for row in rows) == sorted(
        renewal.holder.ledger_entries.values_list("title", flat=True)
    )
    committee = next(row for row in rows if row["source"] == "Committee service")
    assert committee["signed_by"] == staff.display_name
    assert committee["participation"] == "yes"
    assert committee["evidence_files"].endswith("attendance-letter.pdf")
    assert {row["decided_by"] for row in rows} == {reviewer.display_name}
    assert {row["decision"] for row in rows} == {"Approved"}


def test_the_csv_cannot_run_a_formula_typed_into_a_title(clock, holder_client, holder):
    renewal = RenewalFactory(holder=holder, year=2027)
    LedgerEntryFactory(holder=holder, title='=HYPERLINK("http://evil.example","x")')
    LedgerEntryFactory(holder=holder, title="@SUM(A1:A2)")
    archive = packet_zip_of(holder_client, renewal)
    base = f"AASC-audit-packet-2027-R{renewal.pk}"
    rows = list(csv.DictReader(io.StringIO(archive.read(f"{base}/cec-entries.csv").decode())))
    assert {row["activity"] for row in rows} == {
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(A1:A2)",
    }


def test_an_evidence_file_missing_from_storage_is_listed_not_fatal(holder_client, renewal):
    evidence = renewal.holder.reporting_forms.get().evidence.get()
    evidence.file.storage.delete(evidence.file.name)
    archive = packet_zip_of(holder_client, renewal)
    base = f"AASC-audit-packet-2027-R{renewal.pk}"
    assert "attendance-letter.pdf" in archive.read(f"{base}/MISSING-EVIDENCE.txt").decode()


# --- Who may download it -----------------------------------------------------------------

EXPECTED = {
    "holder_client": 200,
    "other_holder_client": 404,
    "staff_client": 200,
    "reviewer_client": 200,
}


@pytest.mark.parametrize("url_name", ["credentials:packet_pdf", "credentials:packet_zip"])
@pytest.mark.parametrize("person", list(EXPECTED))
def test_who_may_download_a_packet(request, renewal, person, url_name):
    client = request.getfixturevalue(person)
    response = client.get(reverse(url_name, args=[renewal.pk]))
    assert response.status_code == EXPECTED[person]


@pytest.mark.parametrize("url_name", ["credentials:packet_pdf", "credentials:packet_zip"])
def test_anonymous_visitors_are_sent_to_sign_in(client, renewal, url_name):
    response = client.get(reverse(url_name, args=[renewal.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_reviewers_get_no_packet_of_a_renewal_never_submitted_to_them(
    clock, reviewer_client, holder
):
    renewal = RenewalFactory(holder=holder, year=2027)
    assert packet_pdf_of(reviewer_client, renewal).status_code == 404


def test_a_packet_that_does_not_exist_is_not_found(staff_client):
    assert staff_client.get(reverse("credentials:packet_pdf", args=[999999])).status_code == 404


# --- The public verification page --------------------------------------------------------


def test_the_verification_page_confirms_the_renewal_to_anyone(client, holder_client, renewal):
    packet_pdf_of(holder_client, renewal)
    token = PacketToken.objects.get(renewal=renewal).token
    response = client.get(reverse("credentials:packet_verify", args=[token]))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.content.decode()
    holder = renewal.holder
    for expected in [
        holder.display_name,
        "CAM (Certified Apartment Manager)",
        "CALP",
        "2027",
        "Renewal complete",
    ]:
        assert expected in page


def test_the_verification_page_reveals_nothing_else(client, holder_client, renewal):
    packet_pdf_of(holder_client, renewal)
    token = PacketToken.objects.get(renewal=renewal).token
    page = client.get(reverse("credentials:packet_verify", args=[token])).content.decode()
    holder = renewal.holder
    invoice = renewal.invoice
    secrets = [
        holder.email,
        holder.profile.phone,
        holder.profile.address_line1,
        holder.profile.employer,
        invoice.number,
        receipt_number(invoice.payments.get()),
        "1042",
        "Fair Housing Essentials",
        "Pat Lee",
        *[item.credential.number for item in renewal.items.all()],
        *[e.certificate_number for e in holder.ledger_entries.exclude(certificate_number=None)],
    ]
    for secret in secrets:
        assert secret not in page, secret


def test_an_unknown_verification_token_is_not_found(client, renewal):
    response = client.get(reverse("credentials:packet_verify", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert "This audit packet could not be verified" in response.content.decode()
    forged = client.get("/renewals/verify/forged-code/")
    assert forged.status_code == 404
    assert "This audit packet could not be verified" in forged.content.decode()


def test_the_verification_page_never_shows_an_email_when_no_name_is_on_file(clock, client):
    # Issue 15.12: a public page named the holder by email when no name was on file.
    nameless = HolderFactory(email="no.name@example.org", first_name="", last_name="")
    renewal = RenewalFactory(holder=nameless, year=2027)
    token = audit_packet_of(renewal).token.token
    page = client.get(reverse("credentials:packet_verify", args=[token])).content.decode()
    assert "no.name" not in page
    assert "Name not on file" in page


def test_the_verification_page_shows_an_unfinished_renewal_as_such(clock, client, holder):
    renewal = RenewalFactory(holder=holder, year=2027)
    token = audit_packet_of(renewal).token.token
    page = client.get(reverse("credentials:packet_verify", args=[token])).content.decode()
    assert "Renewal in progress" in page
    assert "Renewal complete" not in page


# --- Links to it -------------------------------------------------------------------------


def test_the_holders_renewal_page_links_to_the_packet(holder_client, renewal, clock):
    page = holder_client.get(reverse("credentials:renewal")).content.decode()
    assert reverse("credentials:packet_pdf", args=[renewal.pk]) in page
    assert reverse("credentials:packet_zip", args=[renewal.pk]) in page


def test_the_reviewers_submission_page_links_to_the_packet(reviewer_client, renewal):
    submission = renewal.submissions.get(state=SubmissionState.APPROVED)
    page = reviewer_client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert reverse("credentials:packet_pdf", args=[renewal.pk]) in page
