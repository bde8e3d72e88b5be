"""Receipts and paid invoices as an accountant expects them (issue 17.11, 17.12): the
office's address from admin, a receipt number per year, the card's brand and last four
digits or the cheque number, the reference, and the balance."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from credentials.models import OfficeContact
from payments.pdf import invoice_pdf
from payments.receipts import receipt_pdf
from payments.services.payments import record_offline_payment
from tests.factories import InvoiceFactory
from tests.payments.helpers import deliver_succeeded_webhook, pay_by_card


@pytest.fixture
def invoice(holder):
    return InvoiceFactory(renewal__holder=holder, total_cents=27500)


@pytest.fixture
def office(db):
    office = OfficeContact.objects.get()
    office.street = "1155 Kelly Johnson Blvd, Suite 111"
    office.city_line = "Colorado Springs, CO 80920"
    office.phone = "719-264-9193"
    office.save()
    return office


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pay_by_cheque(invoice, staff, number="4711", on=dt.date(2026, 11, 20)):
    return record_offline_payment(invoice, invoice.total_cents, number, on, by=staff)


def test_an_unpaid_invoice_pdf_says_where_to_mail_a_cheque(invoice, office):
    text = pdf_text(invoice_pdf(invoice))
    assert "1155 Kelly Johnson Blvd, Suite 111" in text
    assert "Colorado Springs, CO 80920" in text
    assert "Balance due: $275.00" in text


def test_the_invoice_page_says_where_to_mail_a_cheque(holder_client, invoice, office):
    page = holder_client.get(reverse("payments:invoice", args=[invoice.number])).content.decode()
    assert "1155 Kelly Johnson Blvd, Suite 111, Colorado Springs, CO 80920" in page


def test_a_paid_invoice_pdf_says_paid_when_and_how_with_a_zero_balance(invoice, office, staff):
    payment = pay_by_cheque(invoice, staff)
    invoice.refresh_from_db()
    text = pdf_text(invoice_pdf(invoice))
    assert "Paid on November 20, 2026" in text
    assert "Cheque no. 4711" in text
    assert payment.receipt_number in text
    assert "Balance due: $0.00" in text
    assert "Payment is due" not in text


def test_the_paid_invoice_page_says_paid_when_and_how(holder_client, invoice, staff):
    payment = pay_by_cheque(invoice, staff)
    page = holder_client.get(reverse("payments:invoice", args=[invoice.number])).content.decode()
    assert "Paid on November 20, 2026" in page and "Cheque no. 4711" in page
    assert payment.receipt_number in page and "$0.00" in page


def test_receipt_numbers_run_in_sequence_per_year(holder, staff):
    first = pay_by_cheque(InvoiceFactory(renewal__year=2026), staff, on=dt.date(2025, 11, 20))
    second = pay_by_cheque(InvoiceFactory(renewal__year=2026), staff, on=dt.date(2025, 12, 1))
    next_year = pay_by_cheque(InvoiceFactory(renewal__year=2026), staff, on=dt.date(2026, 1, 5))
    assert [first.receipt_number, second.receipt_number, next_year.receipt_number] == [
        "R-2025-000001",
        "R-2025-000002",
        "R-2026-000001",
    ]


def test_a_cheque_receipt_names_payer_lines_cheque_amount_and_balance(invoice, office, staff):
    payment = pay_by_cheque(invoice, staff)
    text = pdf_text(receipt_pdf(payment))
    assert payment.receipt_number in text
    assert "November 20, 2026" in text
    assert invoice.renewal.holder.display_name in text
    assert "Cheque no. 4711" in text
    assert "Reference: 4711" in text
    assert "CAM Certified Apartment Manager" in text  # what was paid
    assert "$275.00" in text and "Balance due $0.00" in text
    assert "1155 Kelly Johnson Blvd" in text  # the office's address from admin


def test_a_card_receipt_names_the_cards_brand_last_four_and_reference(
    client, localstripe, invoice, holder, django_capture_on_commit_callbacks
):
    attempt = pay_by_card(localstripe, invoice, holder)
    with django_capture_on_commit_callbacks(execute=True):
        deliver_succeeded_webhook(client, localstripe, attempt.payment)
    payment = attempt.payment
    payment.refresh_from_db()
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    text = pdf_text(receipt_pdf(payment))
    assert "Visa card ending 4242" in text
    assert payment.stripe_payment_intent in text
    assert "Card (Stripe)" not in text
    assert payment.receipt_number.startswith("R-") and payment.receipt_number in text


def test_the_receipt_page_names_the_method_and_balance(holder_client, invoice, staff):
    payment = pay_by_cheque(invoice, staff)
    page = holder_client.get(
        reverse("payments:receipt", args=[invoice.number, payment.pk])
    ).content.decode()
    assert payment.receipt_number in page
    assert "Cheque no. 4711" in page and "Balance due" in page and "$0.00" in page
