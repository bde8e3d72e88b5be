"""Receipts: what a receipt says (page, PDF and email share it) and the PDF itself."""

from __future__ import annotations

from django.conf import settings

from payments.models import Payment, PaymentStatus
from renewal_portal.documents import StoredDocument, pdf_document
from renewal_portal.pdf import render_pdf

# A receipt exists for money that was received, even if it was refunded later.
RECEIPTED = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)


def receipt_number(payment: Payment) -> str:
    return f"R-{payment.invoice.number}-{payment.pk}"


def receipt_context(payment: Payment) -> dict:
    invoice = payment.invoice
    renewal = invoice.renewal
    return {
        "payment": payment,
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "renewal": renewal,
        "holder": renewal.holder,
        "receipt_number": receipt_number(payment),
        "office_signature": settings.OFFICE_SIGNATURE,
    }


def receipt_pdf(payment: Payment) -> bytes:
    return render_pdf("pdf/receipt.html", receipt_context(payment))


def receipt_document(payment: Payment) -> StoredDocument:
    """The receipt PDF for a download, rendered again only when what it shows changed."""
    return pdf_document(
        f"receipt/{payment.pk}",
        "pdf/receipt.html",
        receipt_context(payment),
        filename=receipt_filename(payment),
    )


def receipt_filename(payment: Payment) -> str:
    return f"AASC-receipt-{receipt_number(payment)}.pdf"


def receipt_attachment(payment_id) -> tuple[str, bytes, str]:
    """(filename, PDF bytes, mimetype) for the receipt email's attachment."""
    payment = Payment.objects.select_related("invoice__renewal__holder").get(
        pk=payment_id, status__in=RECEIPTED
    )
    return receipt_filename(payment), receipt_pdf(payment), "application/pdf"
