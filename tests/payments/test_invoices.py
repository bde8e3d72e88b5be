"""Renewal invoices: sequential numbers never reused, lines fixed at issue, and the PDF
that states the fees, the CECs owed, the earning window and how to pay."""

import datetime as dt
import io

import pytest
from django.db import transaction
from pypdf import PdfReader

from credentials.models import RenewalCredential
from credentials.services.renewals import issue_renewal_for
from payments.models import Invoice, InvoiceNumberSequence
from payments.pdf import invoice_attachment, invoice_pdf
from payments.services.invoices import create_invoice_for, take_invoice_numbers
from tests.factories import (
    CredentialFactory,
    HolderFactory,
    RenewalCredentialFactory,
    RenewalFactory,
    credential_type,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]


def renewal_of(holder, *codes, valid_through=dt.date(2026, 12, 31)):
    for code in codes:
        CredentialFactory(
            holder=holder, credential_type=credential_type(code), valid_through=valid_through
        )
    return issue_renewal_for(holder, 2027)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.postgres  # locking and unique constraints: run on PostgreSQL too
def test_invoice_numbers_are_sequential_within_a_renewal_year():
    numbers = [renewal_of(HolderFactory(), "CAM").invoice.number for _ in range(3)]
    assert numbers == ["2027-000001", "2027-000002", "2027-000003"]


def test_a_rolled_back_issue_does_not_use_up_a_number():
    with pytest.raises(RuntimeError), transaction.atomic():
        take_invoice_numbers(2027, 5)
        raise RuntimeError("the issuing transaction failed")
    assert take_invoice_numbers(2027, 1) == ["2027-000001"]


@pytest.mark.postgres  # locking and unique constraints: run on PostgreSQL too
def test_numbers_of_deleted_invoices_are_never_reused():
    first = renewal_of(HolderFactory(), "CAM").invoice
    first.lines.all().delete()
    Invoice.objects.filter(pk=first.pk).delete()
    second = renewal_of(HolderFactory(), "CAM").invoice
    assert second.number == "2027-000002"
    assert InvoiceNumberSequence.objects.get(year=2027).last_number == 2


def test_create_invoice_for_a_renewal_that_has_one_returns_it(holder):
    renewal = renewal_of(holder, "CAM")
    assert create_invoice_for(renewal) == renewal.invoice
    assert Invoice.objects.count() == 1


def test_create_invoice_for_builds_the_lines_from_the_fees_the_renewal_copied():
    renewal = RenewalFactory()
    RenewalCredentialFactory(renewal=renewal, fee_cents=12345, reinstatement_fee_cents=5000)
    invoice = create_invoice_for(renewal)
    assert [line.amount_cents for line in invoice.lines.all()] == [12345, 5000]
    assert invoice.total_cents == 17345
    assert invoice.history.latest().history_change_reason == "Renewal invoice issued"


def test_the_invoice_total_is_the_sum_of_its_lines_in_cents(holder):
    invoice = renewal_of(holder, "CAM", "CALP", "AIME").invoice
    assert invoice.total_cents == sum(line.amount_cents for line in invoice.lines.all())
    assert invoice.total_cents == 15000 + 7500 + 5000


def test_the_invoice_pdf_states_number_lines_total_cecs_owed_window_and_how_to_pay(holder):
    invoice = renewal_of(holder, "CAM", "CALP").invoice
    text = pdf_text(invoice_pdf(invoice))
    assert "Apartment Association of Southern Colorado" in text
    assert f"Invoice number: {invoice.number}" in text
    assert "CAM Certified Apartment Manager: 2027 renewal" in text
    assert "CALP Certified Apartment Leasing Professional: 2027 renewal" in text
    assert "$150.00" in text and "$75.00" in text
    assert "Total $225.00" in text
    assert "CECs owed for the 2027 renewal: 8" in text
    assert "January 1, 2026 to December 31, 2026" in text
    assert "How to pay" in text
    assert holder.display_name in text
    assert "you owe the largest requirement among them, not the sum" in text


def test_the_invoice_pdf_of_a_reinstatement_shows_the_fee(holder):
    invoice = renewal_of(holder, "CALP", valid_through=dt.date(2024, 12, 31)).invoice
    text = pdf_text(invoice_pdf(invoice))
    assert "Reinstatement of lapsed CALP" in text
    assert "$50.00" in text
    assert "Total $125.00" in text
    assert "several credentials" not in text  # one credential, however many lines


def test_the_invoice_attachment_is_a_named_pdf(holder):
    invoice = renewal_of(holder, "CAM").invoice
    filename, content, mimetype = invoice_attachment(invoice.pk)
    assert filename == f"AASC-invoice-{invoice.number}.pdf"
    assert mimetype == "application/pdf"
    assert f"Invoice number: {invoice.number}" in pdf_text(content)


def test_an_issued_invoice_keeps_its_fee_when_the_catalog_changes(holder):
    renewal = renewal_of(holder, "CAM")
    credential_type("CAM").requirement_sets.update(annual_fee_cents=99900)
    RenewalCredential.objects.filter(renewal=renewal).update(fee_cents=99900)  # even so
    renewal.invoice.refresh_from_db()
    assert renewal.invoice.total_cents == 15000
    assert "$150.00" in pdf_text(invoice_pdf(renewal.invoice))
