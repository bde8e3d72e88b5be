"""Receipts: what a receipt says (page, PDF and email share it) and the PDF itself.

A receipt is what an accountant expects: its own number in the calendar year's sequence
(R-2027-000001, taken when the money is received, like invoice numbers), the date, the
payer's name and address, what was paid (the invoice's lines), how (card brand and last
four digits, or the cheque number), the payment reference, the amount and the balance.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from credentials import catalog_reads
from payments.models import Payment, PaymentMethod, PaymentStatus, ReceiptNumberSequence
from payments.providers import ProviderError, get_provider
from renewal_portal.infra.documents import StoredDocument, pdf_document
from renewal_portal.infra.pdf import render_pdf

logger = logging.getLogger(__name__)

# A receipt exists for money that was received, even if it was refunded later.
RECEIPTED = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)

CARD_BRANDS = {
    "amex": "American Express",
    "diners": "Diners Club",
    "discover": "Discover",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}


def format_receipt_number(year: int, number: int) -> str:
    return f"R-{year}-{number:06d}"


def take_receipt_number(year: int) -> str:
    """The next receipt number of calendar year `year`; the sequence row stays locked
    until the surrounding transaction ends, so numbers are never shared or skipped."""
    with transaction.atomic():
        ReceiptNumberSequence.objects.get_or_create(year=year)
        sequence = ReceiptNumberSequence.objects.select_for_update().get(year=year)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
    return format_receipt_number(year, sequence.last_number)


def issue_receipt(payment: Payment) -> None:
    """Money was received for `payment` (called where a payment is recorded, in its
    transaction): number its receipt, and for a card fetch the card's brand and last four
    digits from the provider once the payment is committed (outside any transaction, before
    the receipt email renders)."""
    if not payment.receipt_number:
        received = payment.received_on or timezone.localdate()
        payment.receipt_number = take_receipt_number(received.year)
        Payment.objects.filter(pk=payment.pk).update(receipt_number=payment.receipt_number)
    if payment.method == PaymentMethod.CARD and payment.stripe_payment_intent:
        if not payment.card_last4:
            transaction.on_commit(partial(record_card_details, payment.pk), robust=True)


def record_card_details(payment_id) -> None:
    """Store the brand and last four digits of the card a payment charged. The provider
    being unreachable only leaves them out of the receipt."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or payment.card_last4 or not payment.stripe_payment_intent:
        return
    try:
        card = get_provider().card_of_charge(payment.stripe_payment_intent)
    except ProviderError as exc:
        logger.warning("No card details for payment %s: %s", payment_id, exc)
        return
    if card is not None:
        Payment.objects.filter(pk=payment_id).update(card_brand=card.brand, card_last4=card.last4)


def receipt_number(payment: Payment) -> str:
    # Receipts issued before the yearly sequence carried the payment's id.
    return payment.receipt_number or f"R-{payment.invoice.number}-{payment.pk}"


@dataclass(frozen=True)
class PaymentMethodText:
    method: str  # "Visa card ending 4242", "Cheque no. 1042"
    reference: str  # the card charge's reference at the provider, or the cheque number


def describe_method(payment: Payment) -> PaymentMethodText:
    """How a payment was made, as a receipt and a paid invoice say it."""
    if payment.method == PaymentMethod.CHEQUE:
        return PaymentMethodText(
            method=f"Cheque no. {payment.cheque_number}", reference=payment.cheque_number
        )
    brand = CARD_BRANDS.get(payment.card_brand, payment.card_brand.title())
    card = f"{brand} card" if brand else "Card"
    if payment.card_last4:
        card += f" ending {payment.card_last4}"
    return PaymentMethodText(method=card, reference=payment.stripe_payment_intent or "")


def received_on(payment: Payment):
    """The date the money came in: the cheque's date received, or the day the card
    payment succeeded."""
    if payment.received_on:
        return payment.received_on
    when = payment.invoice.paid_at or payment.updated_at
    return timezone.localdate(when) if when else None


def office_context(catalog_version: int | None = None) -> dict:
    """The office's name, address and contacts, as staff entered them in admin (kept per
    process while the catalog's version stays `catalog_version`, when given)."""
    office = catalog_reads.office_contact(catalog_version)
    return {
        "office": office,
        "office_name": (office.name if office else "") or "AASC Office",
        "office_address_lines": [
            line for line in ((office.street, office.city_line) if office else ()) if line
        ],
        "office_signature": settings.OFFICE_SIGNATURE,
    }


def receipt_context(payment: Payment, catalog_version: int | None = None) -> dict:
    invoice = payment.invoice
    renewal = invoice.renewal
    holder = renewal.holder
    profile = getattr(holder, "profile", None)
    refunded = payment.status == PaymentStatus.REFUNDED
    return {
        "payment": payment,
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "renewal": renewal,
        "holder": holder,
        "address_lines": profile.mailing_address_lines if profile else [],
        "receipt_number": receipt_number(payment),
        "received_on": received_on(payment),
        "paid_by": describe_method(payment),
        "balance_cents": invoice.total_cents if refunded else 0,
        **office_context(catalog_version),
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
    return f"AASC-receipt-{receipt_number(payment)}-invoice-{payment.invoice.number}.pdf"


def receipt_attachment(payment_id) -> tuple[str, bytes, str]:
    """(filename, PDF bytes, mimetype) for the receipt email's attachment."""
    payment = Payment.objects.select_related("invoice__renewal__holder__profile").get(
        pk=payment_id, status__in=RECEIPTED
    )
    return receipt_filename(payment), receipt_pdf(payment), "application/pdf"
