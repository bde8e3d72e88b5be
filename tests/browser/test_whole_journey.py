"""The story a new holder lives, in one browser journey with three people: Nora signs up
and verifies her email, the AASC office gives her a credential and issues her renewal,
she confirms her contact details, reads and pays the invoice by card (localstripe), checks
her CECs, files a Reporting Form with a PDF, the office verifies and signs it in admin,
she submits her CECs, an NAAEI reviewer approves them, the renewal is complete, the
confirmation email arrives, and she downloads a certificate and her transcript.

Every step is screenshotted, numbered, into test-artifacts/journey/."""

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cec.models import FormState, LedgerEntry, SubmissionState
from cec.services.ledger import record_attendance
from credentials import rules
from credentials.models import Credential, User
from credentials.services.renewals import issue_renewal_for
from payments.models import InvoiceStatus
from tests.browser.conftest import sign_in
from tests.factories import (
    ClassSessionFactory,
    CourseFactory,
    ReviewerFactory,
    StaffFactory,
    credential_type,
    pdf_bytes,
)
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JOURNEY = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"
NORA = "nora.newholder@example.org"
NORA_PASSWORD = "a-long-renewal-passphrase"


@pytest.fixture
def step_shot():
    """Numbered full-page screenshots of the journey, in the order taken."""
    JOURNEY.mkdir(parents=True, exist_ok=True)
    for old in JOURNEY.glob("*.png"):
        old.unlink()
    taken = []

    def take(page, name):
        taken.append(name)
        path = JOURNEY / f"{len(taken):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def stripe_webhooks_to_live_server(localstripe, live_server):
    localstripe.register_webhook(f"{live_server.url}/payments/stripe/webhook/")
    yield localstripe
    localstripe.forget_webhook()


def pdf_text(path) -> str:
    with open(path, "rb") as pdf:
        data = pdf.read()
    assert data[:4] == b"%PDF"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # table cells wrap over lines


def test_a_new_holder_signs_up_and_completes_the_renewal(
    new_page, live_server, stripe_webhooks_to_live_server, step_shot
):
    today = timezone.localdate()
    year = rules.renewal_year_on(today)
    earning_year = year - 1
    clerk = StaffFactory(email="clerk@example.org", first_name="Casey", last_name="Clerk")
    ReviewerFactory(email="naaei@example.org", first_name="Robin", last_name="Reviewer")

    # --- Nora signs up and verifies her email -------------------------------------------
    nora = new_page()
    nora.goto(live_server.url)
    step_shot(nora, "home")
    nora.get_by_role("link", name="Create an account").first.click()
    nora.get_by_label("First name").fill("Nora")
    nora.get_by_label("Last name").fill("Newholder")
    nora.locator("#id_email").fill(NORA)
    nora.locator("#id_password1").fill(NORA_PASSWORD)
    nora.locator("#id_password2").fill(NORA_PASSWORD)
    step_shot(nora, "sign-up")
    nora.get_by_role("button", name="Sign Up").click()
    expect(nora.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    step_shot(nora, "verify-your-email")
    assert [message.to for message in mail.outbox] == [[NORA]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    nora.goto(live_server.url + urlsplit(link).path)  # links name SITE_URL
    step_shot(nora, "confirm-email")
    nora.get_by_role("button", name="Confirm").click()
    nora.wait_for_load_state()
    expect(nora.get_by_role("button", name="Sign out")).to_be_visible()
    expect(nora.get_by_role("heading", name="Welcome to the AASC renewal portal")).to_be_visible()

    # --- the AASC office records her credential, her classes and issues the renewal ------
    holder = User.objects.get(email=NORA)
    Credential.objects.create(
        holder=holder,
        credential_type=credential_type("CAM"),
        number="CAM-26-0417",
        earned_on=dt.date(earning_year - 3, 5, 1),
        valid_through=dt.date(earning_year, 12, 31),
    )
    renewal = issue_renewal_for(holder, year, by=clerk)
    invoice = renewal.invoice
    last_class_day = min(today, rules.earning_window(year)[1])
    for title, day, start, end in [
        ("Fair Housing Essentials", dt.date(earning_year, 3, 12), dt.time(9), dt.time(12, 30)),
        ("Financial Management", last_class_day, dt.time(13), dt.time(15, 30)),
    ]:
        session = ClassSessionFactory(
            course=CourseFactory(title=title),
            date=day,
            start_time=start,
            end_time=end,
            break_minutes=0,
        )
        record_attendance(session, holder, by=clerk)  # 3.5 + 2.5 CECs, in-network

    # --- step 1: she confirms her contact details ---------------------------------------
    nora.get_by_role("link", name="My renewal", exact=True).click()
    expect(nora.get_by_role("heading", name=f"Your {year} renewal")).to_be_visible()
    expect(nora.get_by_test_id("cecs-owed")).to_have_text("8")
    step_shot(nora, "renewal-issued")
    nora.get_by_role("link", name="Check and confirm my details").click()
    nora.get_by_label("First name").fill("Nora")
    nora.get_by_label("Last name").fill("Newholder")
    nora.get_by_label("Phone").fill("(719) 555-0123")
    nora.get_by_label("Street address").fill("12 Tejon St")
    nora.get_by_label("City").fill("Colorado Springs")
    nora.get_by_label("State").select_option("CO")
    nora.get_by_label("ZIP code").fill("80903")
    nora.get_by_label("Employer").fill("Tejon Flats")
    nora.get_by_label("Job title").fill("Community Manager")
    step_shot(nora, "contact-details")
    nora.get_by_role("button", name=f"Save and confirm for my {year} renewal").click()
    expect(nora.get_by_text(f"confirmed for your {year} renewal")).to_be_visible()
    expect(nora.locator("[data-step=contact]")).to_contain_text("Done")
    step_shot(nora, "contact-confirmed")

    # --- the invoice, then step 2: she pays it by card ----------------------------------
    nora.get_by_role("link", name="View invoice").click()
    expect(nora.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()
    expect(nora.get_by_text("Certified Apartment Manager").first).to_be_visible()
    step_shot(nora, "invoice")
    with nora.expect_download() as download:
        nora.get_by_role("link", name="Download PDF").click()
    assert invoice.number in pdf_text(download.value.path())
    nora.goto(f"{live_server.url}/renewal/")
    nora.locator("[data-step=payment]").get_by_role("link", name="by card").click()
    card_form = nora.frame_locator("iframe.card-frame")  # Stripe.js runs in its own frame
    card = card_form.locator("#card-element")
    card.locator("input[placeholder=number]").press_sequentially("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("80903")
    step_shot(nora, "pay-by-card")
    card_form.get_by_role("button", name="Pay").click()
    nora.get_by_test_id("payment-status").and_(nora.locator("[data-status=succeeded]")).wait_for(
        timeout=20_000
    )
    expect(nora.get_by_role("heading", name="Payment received")).to_be_visible()
    step_shot(nora, "payment-received")
    nora.get_by_role("link", name="Back to my renewal").click()
    expect(nora.locator("[data-step=payment]")).to_contain_text("Done")

    # --- step 3: her CEC status -------------------------------------------------------
    nora.get_by_role("link", name="Check my CECs").click()
    expect(nora.get_by_text(f"Your {year} renewal: 6 CECs, 8 needed")).to_be_visible()
    step_shot(nora, "cec-status")

    # --- she files a Reporting Form for her committee service ---------------------------
    nora.get_by_role("link", name="Report another activity").click()
    nora.get_by_label("Activity type").select_option("committee")
    nora.get_by_label("Title of the activity").fill("AASC Education Committee")
    nora.get_by_label("Organiser").fill("AASC")
    nora.locator("#id_started_on").fill(f"{earning_year}-06-10")
    nora.get_by_label("Hours claimed").fill("2")
    nora.get_by_label("Evidence files").set_input_files(
        files=[
            {
                "name": "committee-minutes.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes("Committee minutes"),
            }
        ]
    )
    step_shot(nora, "reporting-form")
    nora.get_by_role("button", name="Save and send to AASC").click()
    expect(nora.get_by_text("sent to the AASC office for verification")).to_be_visible()
    step_shot(nora, "reporting-form-sent")

    # --- the AASC office verifies and signs it in admin (a second browser) ---------------
    office = new_page()
    sign_in(office, live_server, "clerk@example.org", PASSWORD)
    office.goto(f"{live_server.url}/admin/cec/reportingform/")
    step_shot(office, "office-forms-to-verify")
    office.get_by_role("link", name="AASC Education Committee").click()
    expect(office.locator("iframe[title='committee-minutes.pdf']")).to_have_count(1)
    step_shot(office, "office-form-with-evidence")
    office.get_by_role("link", name="Verify and sign").click()
    office.get_by_label("Note (needed if you change the hours)").fill("Committee minutes checked.")
    step_shot(office, "office-verify-and-sign")
    office.get_by_role("button", name="Verify and sign").click()
    expect(office.get_by_text("Verified and signed “AASC Education Committee”")).to_be_visible()
    step_shot(office, "office-form-signed")

    # --- step 4: Nora submits her CECs ---------------------------------------------------
    nora.reload()
    expect(nora.get_by_text("Verified and signed by Casey Clerk")).to_be_visible()
    step_shot(nora, "reporting-form-signed")
    nora.get_by_role("link", name="Submit your CECs").click()
    expect(nora.get_by_text("8 CECs, 8 needed ✓; 6 in-network, 5 needed ✓")).to_be_visible()
    step_shot(nora, "submission-proposed")
    nora.get_by_role("button", name="Submit my CECs to NAAEI").click()
    expect(nora.get_by_role("heading", name="Waiting for NAAEI review")).to_be_visible()
    step_shot(nora, "submission-waiting")

    # --- the NAAEI reviewer approves (a third browser) ----------------------------------
    reviewer = new_page()
    sign_in(reviewer, live_server, "naaei@example.org", PASSWORD)
    reviewer.get_by_role("link", name="Review queue", exact=True).click()
    step_shot(reviewer, "review-queue")
    reviewer.get_by_role("link", name="Nora Newholder").click()
    expect(reviewer.get_by_role("link", name="committee-minutes.pdf")).to_be_visible()
    step_shot(reviewer, "review-detail")
    reviewer.get_by_label("I have checked every entry and its evidence").check()
    reviewer.get_by_role("button", name="Approve submission").click()
    expect(reviewer.get_by_text(f"Approved the {year} CECs of Nora Newholder")).to_be_visible()
    step_shot(reviewer, "review-approved")

    # --- the renewal is complete, and the confirmation email is in her inbox -------------
    nora.goto(f"{live_server.url}/renewal/")
    expect(nora.get_by_text(f"Your {year} renewal is complete")).to_be_visible()
    expect(nora.get_by_text(f"CAM is renewed through December 31, {year}")).to_be_visible()
    step_shot(nora, "renewal-complete")
    renewal.refresh_from_db()
    assert renewal.completed_at is not None
    assert renewal.invoice.status == InvoiceStatus.PAID
    assert renewal.submissions.get().state == SubmissionState.APPROVED
    assert renewal.contact_confirmed_at and renewal.cec_status_seen_at
    assert Credential.objects.get(holder=holder).valid_through == dt.date(year, 12, 31)
    confirmation = [
        message
        for message in mail.outbox
        if message.subject.endswith(f"Your {year} credential renewal is complete")
    ]
    assert len(confirmation) == 1 and confirmation[0].to == [NORA]

    # --- she downloads a class certificate and her transcript ---------------------------
    nora.get_by_role("link", name="My CECs").click()
    entry = LedgerEntry.objects.get(holder=holder, title="Fair Housing Essentials")
    row = nora.locator(f"tr[data-entry='{entry.pk}']")
    step_shot(nora, "ledger-complete")
    with nora.expect_download() as download:
        row.get_by_role("link", name="Certificate").click()
    certificate = pdf_text(download.value.path())
    assert "Nora Newholder" in certificate and entry.certificate_number in certificate
    with nora.expect_download() as download:
        nora.get_by_role("link", name="Transcript PDF").first.click()
    transcript = pdf_text(download.value.path())
    assert "Nora Newholder" in transcript
    assert "AASC Education Committee" in transcript and "Financial Management" in transcript
    assert holder.reporting_forms.get().state == FormState.VERIFIED
