"""Issuing renewal invoices: one line per credential fee, a reinstatement line for each
lapsed credential, the CECs owed (SPEC rule 4), and a sequential number never reused."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from credentials.models import Renewal
from payments.models import Invoice, InvoiceLine, InvoiceNumberSequence, LineKind
from renewal_portal.infra.history import bulk_create_with_history


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


def invoice_lines_for(renewal: Renewal, items) -> list[InvoiceLine]:
    """The lines of a renewal's invoice, from the fees the renewal copied when issued."""
    lines = []
    for item in items:
        ctype = item.credential.credential_type
        lines.append(
            InvoiceLine(
                kind=LineKind.RENEWAL_FEE,
                description=f"{ctype.code} {ctype.name}: {renewal.year} renewal "
                f"(credential {item.credential.number})",
                credential=item.credential,
                cecs_owed=item.cecs_owed,
                amount_cents=item.fee_cents,
            )
        )
    for item in items:
        if item.reinstatement_fee_cents:
            ctype = item.credential.credential_type
            lines.append(
                InvoiceLine(
                    kind=LineKind.REINSTATEMENT_FEE,
                    description=f"Reinstatement of lapsed {ctype.code} "
                    f"(credential {item.credential.number})",
                    credential=item.credential,
                    amount_cents=item.reinstatement_fee_cents,
                )
            )
    for position, line in enumerate(lines, start=1):
        line.position = position
    return lines


def create_invoices_for(renewals_with_items, *, by=None) -> list[Invoice]:
    """Invoice many new renewals at once: a block of numbers, then bulk inserts.

    `renewals_with_items` is a list of (renewal, [RenewalCredential, ...]) with the
    credentials and their types loaded.
    """
    renewals_with_items = list(renewals_with_items)
    if not renewals_with_items:
        return []
    issued_on = timezone.localdate()
    invoices, lines_per_invoice = [], []
    with transaction.atomic():
        by_year = {}
        for renewal, _ in renewals_with_items:
            by_year.setdefault(renewal.year, 0)
            by_year[renewal.year] += 1
        numbers = {year: iter(take_invoice_numbers(year, n)) for year, n in by_year.items()}
        for renewal, items in renewals_with_items:
            lines = invoice_lines_for(renewal, items)
            invoices.append(
                Invoice(
                    renewal=renewal,
                    number=next(numbers[renewal.year]),
                    issued_on=issued_on,
                    total_cents=sum(line.amount_cents for line in lines),
                )
            )
            lines_per_invoice.append(lines)
        invoices = bulk_create_with_history(invoices, Invoice, by=by, why="Renewal invoice issued")
        all_lines = []
        for invoice, lines in zip(invoices, lines_per_invoice, strict=True):
            for line in lines:
                line.invoice = invoice
            all_lines.extend(lines)
        InvoiceLine.objects.bulk_create(all_lines)
    return invoices


def create_invoice_for(renewal: Renewal, *, by=None) -> Invoice:
    """The renewal's invoice, created from its credentials' fees if it has none yet."""
    with transaction.atomic():
        renewal = Renewal.objects.select_for_update().get(pk=renewal.pk)
        existing = Invoice.objects.filter(renewal=renewal).first()
        if existing is not None:
            return existing
        items = list(renewal.items.select_related("credential__credential_type"))
        return create_invoices_for([(renewal, items)], by=by)[0]
