"""Issuing renewal invoices: one line per credential fee, a reinstatement line for each
lapsed credential, the CECs owed (SPEC rule 4), and a sequential number never reused."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from credentials.models import Renewal
from credentials.notifications import queue_messages
from credentials.signals import IssuedItem, IssuedRenewal
from payments.models import Invoice, InvoiceLine, InvoiceNumberSequence, InvoiceStatus, LineKind
from renewal_portal.infra.bulk import insert_rows, insert_with_history
from renewal_portal.infra.history import save_with_history


def format_invoice_number(year: int, number: int) -> str:
    return f"{year}-{number:06d}"


def take_invoice_numbers(year: int, count: int) -> list[str]:
    """Reserve `count` consecutive numbers for renewal year `year`.

    The sequence row is locked until the surrounding transaction ends, so two issuers
    never take the same number; if that transaction rolls back, so does the reservation,
    so numbers stay sequential without gaps or reuse.
    """
    if count <= 0:
        return []
    with transaction.atomic():
        InvoiceNumberSequence.objects.get_or_create(year=year)
        sequence = InvoiceNumberSequence.objects.select_for_update().get(year=year)
        first = sequence.last_number + 1
        sequence.last_number += count
        sequence.save(update_fields=["last_number"])
    return [format_invoice_number(year, n) for n in range(first, first + count)]


def invoice_lines_for(renewal: IssuedRenewal) -> list[dict]:
    """The lines of a renewal's invoice (rows of InvoiceLine, without the invoice), from
    the fees the renewal copied when issued: one per credential, then one reinstatement
    line per lapsed credential."""
    lines = [
        {
            "kind": LineKind.RENEWAL_FEE,
            "description": f"{item.type_code} {item.type_name}: {renewal.year} renewal "
            f"(credential {item.credential_number})",
            "credential_id": item.credential_id,
            "cecs_owed": item.cecs_owed,
            "amount_cents": item.fee_cents,
        }
        for item in renewal.items
    ]
    lines += [
        {
            "kind": LineKind.REINSTATEMENT_FEE,
            "description": reinstatement_description(item.type_code, item.credential_number),
            "credential_id": item.credential_id,
            "cecs_owed": None,
            "amount_cents": item.reinstatement_fee_cents,
        }
        for item in renewal.items
        if item.reinstatement_fee_cents
    ]
    for position, line in enumerate(lines, start=1):
        line["position"] = position
    return lines


def reinstatement_description(type_code: str, credential_number: str) -> str:
    return f"Reinstatement of lapsed {type_code} (credential {credential_number})"


def create_invoices_for(renewals: list[IssuedRenewal], *, by=None) -> list[int]:
    """Invoice many new renewals at once (credentials.signals.IssuedRenewal): a block of
    numbers, then multi-row inserts of the invoices, their history and their lines.
    Returns the new invoices' ids, in the order of `renewals`."""
    renewals = list(renewals)
    if not renewals:
        return []
    issued_on = timezone.localdate()
    with transaction.atomic():
        by_year = {}
        for renewal in renewals:
            by_year[renewal.year] = by_year.get(renewal.year, 0) + 1
        numbers = {year: iter(take_invoice_numbers(year, n)) for year, n in by_year.items()}
        invoices, lines_per_invoice = [], []
        for renewal in renewals:
            lines = invoice_lines_for(renewal)
            invoices.append(
                {
                    "renewal_id": renewal.renewal_id,
                    "number": next(numbers[renewal.year]),
                    "issued_on": issued_on,
                    "total_cents": sum(line["amount_cents"] for line in lines),
                }
            )
            lines_per_invoice.append(lines)
        ids = insert_with_history(Invoice, invoices, by=by, reason="Renewal invoice issued")
        all_lines = []
        for invoice_id, lines in zip(ids, lines_per_invoice, strict=True):
            for line in lines:
                line["invoice_id"] = invoice_id
            all_lines.extend(lines)
        insert_rows(InvoiceLine, all_lines, returning=False)
    return ids


def issued_renewal(renewal: Renewal) -> IssuedRenewal:
    """An existing renewal as the bulk path sees a new one."""
    return IssuedRenewal(
        renewal_id=renewal.pk,
        year=renewal.year,
        holder_id=renewal.holder_id,
        holder_email=renewal.holder.email,
        items=tuple(
            IssuedItem(
                credential_id=item.credential_id,
                credential_number=item.credential.number,
                type_code=item.credential.credential_type.code,
                type_name=item.credential.credential_type.name,
                cecs_owed=item.cecs_owed,
                fee_cents=item.fee_cents,
                reinstatement_fee_cents=item.reinstatement_fee_cents,
            )
            for item in renewal.items.select_related("credential__credential_type")
        ),
    )


def create_invoice_for(renewal: Renewal, *, by=None) -> Invoice:
    """The renewal's invoice, created from its credentials' fees if it has none yet."""
    with transaction.atomic():
        renewal = Renewal.objects.select_for_update().select_related("holder").get(pk=renewal.pk)
        existing = Invoice.objects.filter(renewal=renewal).first()
        if existing is not None:
            return existing
        (invoice_id,) = create_invoices_for([issued_renewal(renewal)], by=by)
        return Invoice.objects.get(pk=invoice_id)


def invoice_email(renewal: IssuedRenewal, invoice_id: int) -> dict:
    """The "renewal_invoice" email (SPEC: Celery sends renewal invoices with the PDF).

    Only the row is written now: its text is rendered when it is sent (see
    credentials.services.renewals.invoice_email_context), so issuing a season's invoices
    costs no template rendering.
    """
    return {
        "holder_id": renewal.holder_id,
        "to_email": renewal.holder_email,
        "kind": "renewal_invoice",
        "dedupe_key": f"renewal_invoice:{renewal.renewal_id}",
        "renewal": renewal.renewal_id,
        "deferred": True,
        "attachments": [{"document": "invoice_pdf", "id": invoice_id}],
    }


def invoice_issued_renewals(renewals: list[IssuedRenewal], *, by=None) -> list[int]:
    """Invoice renewals just issued and queue each holder's invoice email, in the
    issuing transaction (credentials.signals.renewals_issued)."""
    ids = create_invoices_for(renewals, by=by)
    queue_messages(
        invoice_email(renewal, invoice_id)
        for renewal, invoice_id in zip(renewals, ids, strict=True)
    )
    return ids


def add_reinstatement_fee(renewal: Renewal, credential, fee_cents: int, *, by=None) -> bool:
    """Charge a lapsed credential's reinstatement fee on the renewal's open invoice: a
    line, and the total. False (nothing charged) when the renewal has no open invoice."""
    invoice = (
        Invoice.objects.select_for_update()
        .filter(renewal=renewal, status=InvoiceStatus.OPEN)
        .first()
    )
    if invoice is None:
        return False
    code = credential.credential_type.code
    InvoiceLine.objects.create(
        invoice=invoice,
        kind=LineKind.REINSTATEMENT_FEE,
        description=reinstatement_description(code, credential.number),
        credential=credential,
        amount_cents=fee_cents,
        position=invoice.lines.count() + 1,
    )
    invoice.total_cents += fee_cents
    save_with_history(
        invoice, by=by, why=f"Reinstatement fee added: {code} lapsed", update_fields=["total_cents"]
    )
    return True
