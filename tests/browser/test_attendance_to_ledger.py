"""AASC staff record a holder's attendance in admin; the holder then sees the CEC in
their ledger at once, with the new progress, and downloads the certificate."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cec.models import LedgerEntry
from credentials import rules
from tests.browser.conftest import sign_in
from tests.factories import (
    ClassSessionFactory,
    CourseFactory,
    HolderFactory,
    RenewalFactory,
    StaffFactory,
)
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_staff_record_attendance_and_the_holder_downloads_the_certificate(
    new_page, live_server, screenshot
):
    today = timezone.localdate()
    year = rules.renewal_year_on(today)
    # A class held inside the current renewal's earning window, on or before today.
    class_day = min(today, rules.earning_window(year)[1])
    holder = HolderFactory(email="harriet@example.org", first_name="Harriet", last_name="Holder")
    StaffFactory(email="clerk@example.org")
    RenewalFactory(holder=holder, year=year)
    session = ClassSessionFactory(
        course=CourseFactory(title="Fair Housing Essentials"),
        date=class_day,
        start_time=dt.time(9),
        end_time=dt.time(12),
        break_minutes=30,
    )

    # The clerk opens the class session in admin and adds Harriet as an attendee.
    clerk = new_page()
    sign_in(clerk, live_server, "clerk@example.org", PASSWORD)
    clerk.goto(f"{live_server.url}/admin/cec/classsession/{session.pk}/change/")
    assert clerk.get_by_text("2.50 CEC = (180 min − 30 min of meals and breaks) ÷ 60").is_visible()
    clerk.locator("#attendances-group .select2-selection").first.click()
    clerk.locator(".select2-search__field").fill("harriet")
    clerk.locator(".select2-results__option", has_text="Harriet Holder").click()
    screenshot(clerk, "attendance-admin-inline")
    clerk.locator("input[name=_continue]").click()
    clerk.wait_for_load_state()
    assert clerk.locator(".messagelist .success").is_visible()
    entry = LedgerEntry.objects.get(holder=holder)
    assert clerk.get_by_role("link", name=entry.certificate_number).is_visible()
    screenshot(clerk, "attendance-admin-saved")

    # Harriet signs in and finds the CEC in her ledger at once, with her new progress.
    harriet = new_page()
    sign_in(harriet, live_server, "harriet@example.org", PASSWORD)
    harriet.get_by_role("link", name="My CECs").click()
    row = harriet.locator(f"tr[data-entry='{entry.pk}']")
    assert "Fair Housing Essentials" in row.inner_text()
    assert "2.50" in row.inner_text()
    assert harriet.get_by_text(
        f"Your {year} renewal: 2.5 CECs, 8 needed; 2.5 in-network, 5 needed"
    ).is_visible()
    screenshot(harriet, "ledger-after-attendance")

    with harriet.expect_download() as download_info:
        row.get_by_role("link", name="Certificate").click()
    download = download_info.value
    assert download.suggested_filename == f"AASC-certificate-{entry.certificate_number}.pdf"
    with open(download.path(), "rb") as pdf:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Harriet Holder" in text
    assert "Fair Housing Essentials" in text
    assert entry.certificate_number in text
    assert "2.5 CECs" in text
