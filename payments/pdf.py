"""Payment documents rendered to PDF: the renewal invoice (templates/pdf/invoice.html).

The invoice page shares this context: both name the office as staff entered it in admin
(where to mail a cheque), and a paid invoice says when and how it was paid, with its
receipt number and a balance of $0.00."""

from django.conf import settings
from django.urls import reverse

from credentials import rules
from payments import receipts
from payments.models import Invoice, LineKind, PaymentStatus
from renewal_portal.infra.documents import StoredDocument, pdf_document
from renewal_portal.infra.pdf import render_pdf


def invoice_filename(invoice: Invoice) -> str:
    return f"AASC-invoice-{invoice.number}.pdf"


def invoice_context(invoice: Invoice, catalog_version: int | None = None) -> dict:
    renewal = invoice.renewal
    first, last = rules.earning_window(renewal.year)
    holder = renewal.holder
    profile = getattr(holder, "profile", None)
    lines = list(invoice.lines.select_related("credential__credential_type"))
    return {
        "invoice": invoice,
        "renewal": renewal,
        "holder": holder,
        "address_lines": profile.mailing_address_lines if profile else [],
        "lines": lines,
        "several_credentials": several_credentials(lines),
        "window_first": first,
        "window_last": last,
        "pay_url": settings.SITE_URL + reverse("credentials:renewal"),
        **settlement_context(invoice),
        **receipts.office_context(catalog_version),
    }


def settlement_context(invoice: Invoice) -> dict:
    """How the invoice was paid (the successful payment, its method, date and receipt)
    and what is still owed."""
    payment = None
    if invoice.is_paid:
        payment = invoice.payments.filter(status=PaymentStatus.SUCCEEDED).order_by("-pk").first()
    return {
        "settlement": payment,
        "paid_by": receipts.describe_method(payment) if payment else None,
        "paid_on": receipts.received_on(payment) if payment else None,
        "settlement_receipt_number": receipts.receipt_number(payment) if payment else "",
        "balance_cents": 0 if invoice.is_paid else invoice.total_cents,
    }


def several_credentials(lines) -> bool:
    """Whether the invoice renews more than one credential (the shared-CECs note)."""
    return sum(1 for line in lines if line.kind == LineKind.RENEWAL_FEE) > 1


def invoice_pdf(invoice: Invoice) -> bytes:
    """The renewal invoice as a PDF: letterhead, number, lines, total, CECs owed, the
    earning window and how to pay."""
    return render_pdf("pdf/invoice.html", invoice_context(invoice))


def invoice_document(invoice: Invoice) -> StoredDocument:
    """The invoice PDF for a download, rendered again only when what it shows changed."""
    return pdf_document(
        f"invoice/{invoice.pk}",
        "pdf/invoice.html",
        invoice_context(invoice),
        filename=invoice_filename(invoice),
    )


def invoice_attachment(invoice_id) -> tuple[str, bytes, str]:
    """The invoice PDF as an email attachment (the outbox calls this at send time)."""
    invoice = Invoice.objects.select_related(
        "renewal__holder__profile", "renewal__governing_type"
    ).get(pk=invoice_id)
    return invoice_filename(invoice), invoice_pdf(invoice), "application/pdf"
