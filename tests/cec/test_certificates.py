"""Certificates of AASC classes: the PDF, who may download it, and the public page its
QR code opens, which confirms the certificate and reveals nothing else."""

import datetime as dt
import io
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from cec.pdf import certificate_context, qr_code_data_uri, verification_url
from cec.services.ledger import record_attendance, remove_attendance
from cec.services.submissions import approve_submission, submit_cecs
from tests.factories import (
    ClassSessionFactory,
    CredentialFactory,
    HolderFactory,
    LedgerEntryFactory,
    ReviewerFactory,
)
from tests.factories import renewal_states as states

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(holder, staff):
    session = ClassSessionFactory(
        date=dt.date(2026, 3, 12), course__title="Fair Housing Essentials", instructor="Pat Lee"
    )
    return record_attendance(session, holder, by=staff)


def _pdf_text(response):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_certificate_names_the_holder_class_date_hours_and_number(holder_client, holder, entry):
    response = holder_client.get(reverse("cec:certificate", args=[entry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert entry.certificate_number in response["Content-Disposition"]
    text = _pdf_text(response)
    for expected in [
        holder.display_name,
        "Fair Housing Essentials",
        "March 12, 2026",
        "2.5 CECs",
        entry.certificate_number,
    ]:
        assert expected in text


def test_the_certificate_prints_its_verification_url(holder_client, entry):
    text = _pdf_text(holder_client.get(reverse("cec:certificate", args=[entry.pk])))
    url = verification_url(entry)
    assert url.startswith(settings.SITE_URL)
    assert url in text.replace("\n", "")


def test_the_certificate_qr_code_encodes_the_verification_url(entry):
    context = certificate_context(entry)
    assert context["qr_code"] == qr_code_data_uri(verification_url(entry))
    assert context["qr_code"].startswith("data:image/svg+xml;base64,")


def test_another_holders_certificate_is_not_found(other_holder_client, entry):
    response = other_holder_client.get(reverse("cec:certificate", args=[entry.pk]))
    assert response.status_code == 404


def test_a_withdrawn_certificate_can_no_longer_be_downloaded(holder_client, staff, entry):
    remove_attendance(entry.attendance, by=staff)
    assert holder_client.get(reverse("cec:certificate", args=[entry.pk])).status_code == 404


def test_an_entry_without_a_certificate_has_none_to_download(holder_client, holder):
    form_entry = LedgerEntryFactory(holder=holder, certificate_number=None)
    assert holder_client.get(reverse("cec:certificate", args=[form_entry.pk])).status_code == 404


def test_the_office_can_download_any_certificate(staff_client, entry):
    assert staff_client.get(reverse("cec:certificate", args=[entry.pk])).status_code == 200


def test_the_verification_page_is_public_and_confirms_the_certificate(client, holder, entry):
    response = client.get(reverse("cec:verify", args=[entry.verification_token]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This is a valid certificate" in page
    for expected in [entry.certificate_number, holder.display_name, "Fair Housing Essentials"]:
        assert expected in page
    assert "March 12, 2026" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_verification_page_reveals_nothing_beyond_the_certificate(client, holder, entry):
    CredentialFactory(holder=holder, number="CAM777777")
    LedgerEntryFactory(holder=holder, title="Another class of the holder")
    page = client.get(reverse("cec:verify", args=[entry.verification_token])).content.decode()
    assert holder.email not in page
    assert "CAM777777" not in page
    assert "Another class of the holder" not in page
    assert holder.profile.phone not in page


def test_a_withdrawn_certificate_is_reported_as_not_valid(client, staff, holder, entry):
    remove_attendance(entry.attendance, by=staff)
    page = client.get(reverse("cec:verify", args=[entry.verification_token])).content.decode()
    assert "was withdrawn by the AASC office and is not valid" in page
    assert holder.display_name not in page


def test_an_unknown_verification_code_is_not_found(client):
    assert client.get(reverse("cec:verify", args=[uuid.uuid4()])).status_code == 404


def test_the_verification_page_never_shows_an_email_when_no_name_is_on_file(client, staff):
    # Issue 15.12: a public page named the holder by email when no name was on file.
    nameless = HolderFactory(email="no.name@example.org", first_name="", last_name="")
    entry = record_attendance(ClassSessionFactory(), nameless, by=staff)
    page = client.get(reverse("cec:verify", args=[entry.verification_token])).content.decode()
    assert "no.name@example.org" not in page
    assert "no.name" not in page
    assert "Name not on file" in page


def test_an_unknown_or_forged_certificate_link_says_it_could_not_be_verified(client):
    # Issue 17.9: an employer checking a QR code saw Django's bare "Not Found".
    for url in [reverse("cec:verify", args=[uuid.uuid4()]), "/cec/verify/forged-code/"]:
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "This certificate could not be verified" in page
        assert "AASC" in page
        assert 'name="robots" content="noindex' in page


def test_an_entry_without_a_certificate_cannot_be_verified(client, holder):
    form_entry = LedgerEntryFactory(holder=holder, certificate_number=None)
    response = client.get(reverse("cec:verify", args=[form_entry.verification_token]))
    assert response.status_code == 404


def test_odd_certificate_addresses_answer_not_found(holder_client, client):
    assert holder_client.get("/cec/certificates/99999999999999999999999.pdf").status_code == 404
    assert client.get("/cec/verify/not-a-uuid/").status_code == 404


# --- Reviewers: only certificates of submissions in their queue (issue 15.13) ------------


def submitted_with(entry):
    """The holder's 2027 renewal issued and `entry` submitted with it to NAAEI, through the
    services (with enough other CECs to cover what the renewal owes)."""
    renewal = states.renewal_due(entry.holder)
    return submit_cecs(renewal, [entry, *states.earn_enough(renewal)], by=entry.holder)


def _certificate(client, entry):
    return client.get(reverse("cec:certificate", args=[entry.pk]))


def test_a_reviewer_cannot_walk_ids_to_certificates_never_submitted(reviewer_client, entry):
    assert _certificate(reviewer_client, entry).status_code == 404


@pytest.mark.clock(2026, 11, 25)
def test_a_reviewer_reads_certificates_of_a_submission_waiting_in_the_queue(reviewer_client, entry):
    submitted_with(entry)
    assert _certificate(reviewer_client, entry).status_code == 200


@pytest.mark.clock(2026, 11, 25)
def test_a_reviewer_reads_certificates_of_a_submission_they_decided(
    reviewer_client, reviewer, entry
):
    approve_submission(submitted_with(entry), by=reviewer)
    assert _certificate(reviewer_client, entry).status_code == 200


@pytest.mark.clock(2026, 11, 25)
def test_a_reviewer_cannot_read_certificates_of_another_reviewers_decision(reviewer_client, entry):
    other_reviewer = ReviewerFactory(email="other-reviewer@example.org")
    states.reject(submitted_with(entry), other_reviewer)
    assert _certificate(reviewer_client, entry).status_code == 404


def test_staff_still_read_any_certificate(staff_client, entry):
    assert _certificate(staff_client, entry).status_code == 200
