"""The seed's second CEC path, end to end, with three people in three browsers: a holder
files a Reporting Form with a PDF evidence file, AASC staff verify and sign it in admin,
the holder submits all CECs owed, an NAAEI reviewer approves, and the holder's renewal
shows step 4 done."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cec.models import FormState, ReportingForm, SubmissionState
from credentials.models import OutboxMessage
from credentials.selectors import current_renewal_year
from tests.browser.conftest import sign_in
from tests.factories import (
    HolderFactory,
    LedgerEntryFactory,
    RenewalFactory,
    ReviewerFactory,
    StaffFactory,
    pdf_bytes,
)
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_holder_files_a_form_staff_sign_it_holder_submits_and_reviewer_approves(
    new_page, live_server, screenshot
):
    year = current_renewal_year()
    earning_year = year - 1
    holder = HolderFactory(email="filer@example.org", first_name="Frankie", last_name="Filer")
    StaffFactory(email="clerk@example.org", first_name="Casey", last_name="Clerk")
    ReviewerFactory(email="naaei@example.org", first_name="Robin", last_name="Reviewer")
    renewal = RenewalFactory(holder=holder, year=year)  # owes 8 CECs, 5 in-network
    for title, hours in [("Fair Housing Essentials", "2.5"), ("Financial Management", "3.5")]:
        LedgerEntryFactory(
            holder=holder, title=title, hours=Decimal(hours), earned_on=dt.date(earning_year, 3, 12)
        )

    # --- the holder files a Reporting Form --------------------------------------------------
    holder_page = new_page()
    sign_in(holder_page, live_server, "filer@example.org", PASSWORD)
    holder_page.get_by_role("link", name="Reporting Forms").click()
    holder_page.get_by_role("link", name="New Reporting Form").click()
    holder_page.get_by_label("Activity type").select_option("committee")
    holder_page.get_by_label("Title of the activity").fill("AASC Education Committee")
    holder_page.get_by_label("Organiser").fill("AASC")
    holder_page.locator("#id_started_on").fill(f"{earning_year}-06-10")
    holder_page.get_by_label("Hours claimed").fill("2")
    # A text file named .pdf is refused by its content, beside the field.
    holder_page.get_by_label("Evidence files").set_input_files(
        files=[{"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": b"just text"}]
    )
    holder_page.get_by_role("button", name="Save and send to AASC").click()
    refused = "“minutes.pdf” is not a PDF, JPEG or PNG file"
    # Said twice: in the summary at the top and beside the field.
    expect(holder_page.locator(".error-summary")).to_contain_text(refused)
    expect(holder_page.locator("strong", has_text=refused)).to_be_visible()
    assert holder_page.get_by_label("Title of the activity").input_value() == (
        "AASC Education Committee"
    )
    screenshot(holder_page, "reporting-form-wrong-file")
    assert not ReportingForm.objects.exists()

    holder_page.get_by_label("Evidence files").set_input_files(
        files=[{"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    holder_page.get_by_role("button", name="Save and send to AASC").click()
    expect(holder_page.get_by_text("sent to the AASC office for verification")).to_be_visible()
    screenshot(holder_page, "reporting-form-sent")
    form = ReportingForm.objects.get(holder=holder)
    assert form.state == FormState.SENT

    # --- AASC staff verify and sign it in admin -------------------------------------------
    staff_page = new_page()
    sign_in(staff_page, live_server, "clerk@example.org", PASSWORD)
    staff_page.goto(f"{live_server.url}/admin/cec/reportingform/")
    screenshot(staff_page, "admin-forms-queue")
    staff_page.get_by_role("link", name="AASC Education Committee").click()
    expect(staff_page.locator("iframe[title='minutes.pdf']")).to_have_count(1)  # inline
    screenshot(staff_page, "admin-form-with-evidence")
    staff_page.get_by_role("link", name="Verify and sign").click()
    staff_page.get_by_label("Note (needed if you change the hours)").fill(
        "Committee minutes checked."
    )
    staff_page.get_by_role("button", name="Verify and sign").click()
    expect(staff_page.get_by_text("Verified and signed “AASC Education Committee”")).to_be_visible()
    form.refresh_from_db()
    assert form.state == FormState.VERIFIED
    assert form.signed_by.email == "clerk@example.org"

    # --- the holder downloads the signed form and submits ----------------------------------
    holder_page.reload()
    expect(holder_page.get_by_text("Verified and signed by Casey Clerk")).to_be_visible()
    with holder_page.expect_download() as download:
        holder_page.get_by_role("link", name="Download the signed form (PDF)").click()
    with open(download.value.path(), "rb") as signed:
        assert signed.read(4) == b"%PDF"
    holder_page.get_by_role("link", name="Submit your CECs").click()
    expect(holder_page.get_by_text("8 CECs, 8 needed ✓; 6 in-network, 5 needed ✓")).to_be_visible()
    screenshot(holder_page, "submission-proposed")
    holder_page.get_by_role("button", name="Submit my CECs to NAAEI").click()
    expect(holder_page.get_by_role("heading", name="Waiting for NAAEI review")).to_be_visible()
    screenshot(holder_page, "submission-waiting")

    # --- the NAAEI reviewer approves -------------------------------------------------------
    reviewer_page = new_page()
    sign_in(reviewer_page, live_server, "naaei@example.org", PASSWORD)
    reviewer_page.get_by_role("link", name="Review queue", exact=True).click()
    screenshot(reviewer_page, "review-queue")
    reviewer_page.get_by_role("link", name="Frankie Filer").click()
    expect(reviewer_page.get_by_role("link", name="minutes.pdf")).to_be_visible()
    expect(reviewer_page.get_by_text("Committee minutes checked.")).to_be_visible()
    screenshot(reviewer_page, "review-detail")
    reviewer_page.get_by_label("I have checked every entry and its evidence").check()
    reviewer_page.get_by_role("button", name="Approve submission").click()
    expect(reviewer_page.get_by_text(f"Approved the {year} CECs of Frankie Filer")).to_be_visible()

    submission = renewal.submissions.get()
    assert submission.state == SubmissionState.APPROVED
    assert set(OutboxMessage.objects.filter(holder=holder).values_list("kind", flat=True)) >= {
        "form_verified",
        "submission_approved",
    }

    # --- the holder's renewal shows step 4 done -------------------------------------------
    holder_page.goto(f"{live_server.url}/renewal/")
    step = holder_page.locator("[data-step='cec_approval']")
    assert "done" in step.get_attribute("class")
    assert "Done" in step.inner_text()
    screenshot(holder_page, "renewal-step-4-done")
