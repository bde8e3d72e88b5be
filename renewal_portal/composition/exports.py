"""The season's reports as spreadsheets (issue 18), through django-import-export.

Each report is a Resource whose rows are built here from the same selectors the season
dashboard counts with (renewal_portal.composition.season). Cells keep their type
(numbers, dates) so an XLSX adds up; text a person typed never runs as a formula (CSV
injection). Money is dollars as Decimal, exact to the cent; a refund is a row of its own
with a negative amount, so the payments report sums to the money the office kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Prefetch
from django.utils import timezone
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX

from cec.models import LedgerEntry
from cec.selectors.ledger import EARNING_STATES
from credentials import rules
from credentials.models import ContactProfile, Credential, ExportFormat, ExportKind, Renewal
from renewal_portal.composition import season
from renewal_portal.infra.spreadsheets import safe_cell

FORMATS = {ExportFormat.CSV: CSV, ExportFormat.XLSX: XLSX}
CHUNK = 500


def dollars(cents) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01"))


class RowResource(resources.Resource):
    """A Resource over plain rows (one attribute per column); cells keep their type, and
    text that starts like a formula is prefixed with a quote."""

    def export_field(self, field, instance, **kwargs):
        return safe_cell(getattr(instance, field.attribute, ""))


def _columns(*names):
    return {name: fields.Field(attribute=name, column_name=label) for name, label in names}


def _resource(title, columns):
    attrs = {**_columns(*columns)}
    attrs["Meta"] = type("Meta", (), {"export_order": [name for name, _ in columns]})
    return type(f"{title}Resource", (RowResource,), attrs)


def _local_date(value):
    return timezone.localtime(value).date() if value else None


def _contact(profile):
    if profile is None:
        return {"phone": "", "address": "", "employer": ""}
    return {
        "phone": profile.phone,
        "address": ", ".join(profile.mailing_address_lines),
        "employer": profile.employer,
    }


# --- Renewals and who is behind ------------------------------------------------------------

RENEWAL_COLUMNS = (
    ("email", "Email"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("year", "Renewal year"),
    ("credentials", "Credentials"),
    ("phase", "Phase"),
    ("cecs_owed", "CECs owed"),
    ("cecs_earned", "CECs earned"),
    ("in_network_owed", "In-network owed"),
    ("in_network_earned", "In-network earned"),
    ("invoice", "Invoice"),
    ("invoice_status", "Invoice status"),
    ("invoice_total", "Invoice total"),
    ("due_on", "Due on"),
    ("grace_ends_on", "Grace ends on"),
    ("completed_on", "Completed on"),
)
BEHIND_COLUMNS = (
    *RENEWAL_COLUMNS[:3],
    ("phone", "Phone"),
    ("address", "Mailing address"),
    ("employer", "Employer"),
    *RENEWAL_COLUMNS[3:8],
    ("cecs_missing", "CECs missing"),
    *RENEWAL_COLUMNS[10:12],
    ("grace_ends_on", "Grace ends on"),
)
RenewalResource = _resource("Renewal", RENEWAL_COLUMNS)
BehindResource = _resource("Behind", BEHIND_COLUMNS)


def _renewal_rows(renewals, on=None) -> Iterator[SimpleNamespace]:
    on = on or timezone.localdate()
    renewals = renewals.select_related("holder", "invoice").prefetch_related(
        Prefetch("items__credential", queryset=Credential.objects.select_related("credential_type"))
    )
    ids = list(renewals.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = renewals.filter(pk__in=ids[start : start + CHUNK]).order_by(
            "holder__last_name", "holder__first_name", "pk"
        )
        progress = season.progress_by_renewal(
            Renewal.objects.filter(pk__in=ids[start : start + CHUNK])
        )
        waiting = set(season.renewals_in_phase(chunk, "submitted", on).values_list("pk", flat=True))
        profiles = {
            p.user_id: p
            for p in ContactProfile.objects.filter(
                user__renewals__pk__in=ids[start : start + CHUNK]
            )
        }
        for renewal in chunk:
            p = progress[renewal.pk]
            invoice = getattr(renewal, "invoice", None)
            phase = _phase(renewal, on, waiting, p)
            yield SimpleNamespace(
                email=renewal.holder.email,
                first_name=renewal.holder.first_name,
                last_name=renewal.holder.last_name,
                year=renewal.year,
                credentials=" + ".join(
                    item.credential.credential_type.code for item in renewal.items.all()
                ),
                phase=season.PHASE_LABELS[phase],
                cecs_owed=p.owed,
                cecs_earned=p.earned,
                cecs_missing=p.missing,
                in_network_owed=p.in_network_min,
                in_network_earned=p.in_network,
                invoice=invoice.number if invoice else "",
                invoice_status=invoice.get_status_display() if invoice else "",
                invoice_total=dollars(invoice.total_cents) if invoice else "",
                due_on=renewal.due_on,
                grace_ends_on=renewal.grace_ends_on,
                completed_on=_local_date(renewal.completed_at),
                **_contact(profiles.get(renewal.holder_id)),
            )


def _phase(renewal, on, waiting, progress) -> str:
    """season.phase_of without a query per row (same order of precedence)."""
    if renewal.completed_at:
        return "complete"
    if renewal.grace_ends_on < on:
        return "lapsed"
    if renewal.due_on <= on:
        return "in_grace"
    if renewal.pk in waiting:
        return "submitted"
    invoice = getattr(renewal, "invoice", None)
    if invoice is None or not invoice.is_paid:
        return "invoiced"
    return "paid" if progress.complete else "cecs_short"


# --- Payments for the bookkeeper ----------------------------------------------------------

PAYMENT_COLUMNS = (
    ("date", "Date"),
    ("kind", "Kind"),
    ("invoice", "Invoice"),
    ("invoice_total", "Invoice total"),
    ("email", "Holder email"),
    ("name", "Holder name"),
    ("method", "Method"),
    ("reference", "Reference"),
    ("amount", "Amount"),
    ("fee", "Processing fee"),
    ("status", "Payment status"),
)
PaymentResource = _resource("Payment", PAYMENT_COLUMNS)


def _payment_rows(year) -> Iterator[SimpleNamespace]:
    """One row per payment received and one per refund (or chargeback), negative."""
    payments = (
        season.payments_received(year)
        .select_related("invoice__renewal__holder")
        .order_by("created_at", "pk")
    )
    for payment in payments.iterator(chunk_size=CHUNK):
        invoice, holder = payment.invoice, payment.invoice.renewal.holder
        common = {
            "invoice": invoice.number,
            "invoice_total": dollars(invoice.total_cents),
            "email": holder.email,
            "name": holder.get_full_name(),
            "method": payment.get_method_display(),
            "reference": payment.receipt_number
            or payment.cheque_number
            or payment.stripe_payment_intent
            or "",
            "fee": "",  # the provider's fee is not recorded by the portal
            "status": payment.get_status_display(),
        }
        received_on = payment.received_on or _local_date(payment.created_at)
        yield SimpleNamespace(
            date=received_on, kind="Payment", amount=dollars(payment.amount_cents), **common
        )
        if payment.amount_refunded_cents:
            kind = "Chargeback" if payment.stripe_dispute else "Refund"
            yield SimpleNamespace(
                date=_local_date(payment.refunded_at or payment.updated_at),
                kind=kind,
                amount=-dollars(payment.amount_refunded_cents),
                **common,
            )


# --- The CEC ledger for NAAEI ---------------------------------------------------------------

LEDGER_COLUMNS = (
    ("email", "Holder email"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("credential_numbers", "Credential numbers"),
    ("earned_on", "Earned on"),
    ("title", "Title"),
    ("hours", "CEC hours"),
    ("source", "Source"),
    ("in_network", "In-network"),
    ("participation", "Participation"),
    ("state", "State"),
    ("certificate", "Certificate number"),
)
LedgerResource = _resource("Ledger", LEDGER_COLUMNS)


def _ledger_rows(year) -> Iterator[SimpleNamespace]:
    """The entries earned in the year renewal `year` counts (its earning window)."""
    first, last = rules.earning_window(year)
    entries = (
        LedgerEntry.objects.filter(
            state__in=EARNING_STATES, earned_on__gte=first, earned_on__lte=last
        )
        .select_related("holder")
        .order_by("holder__last_name", "holder__first_name", "holder_id", "earned_on", "pk")
    )
    numbers = {}
    for holder_id, number in Credential.objects.filter(
        holder__ledger_entries__earned_on__gte=first
    ).values_list("holder_id", "number"):
        numbers.setdefault(holder_id, set()).add(number)
    for entry in entries.iterator(chunk_size=CHUNK):
        yield SimpleNamespace(
            email=entry.holder.email,
            first_name=entry.holder.first_name,
            last_name=entry.holder.last_name,
            credential_numbers=" ".join(sorted(numbers.get(entry.holder_id, ()))),
            earned_on=entry.earned_on,
            title=entry.title,
            hours=entry.hours,
            source=entry.get_source_display(),
            in_network="yes" if entry.in_network else "no",
            participation="yes" if entry.participation else "no",
            state=entry.get_state_display(),
            certificate=entry.certificate_number or "",
        )


# --- One entry point ------------------------------------------------------------------------


def report(kind: str, year: int, on=None) -> tuple[type[RowResource], Iterable, int]:
    """The Resource, the rows (lazy) and how many there are, of report `kind` for `year`."""
    if kind == ExportKind.RENEWALS:
        renewals = Renewal.objects.filter(year=year)
        return RenewalResource, _renewal_rows(renewals, on), renewals.count()
    if kind == ExportKind.BEHIND:
        renewals = season.behind(year, on)
        return BehindResource, _renewal_rows(renewals, on), renewals.count()
    if kind == ExportKind.PAYMENTS:
        received = season.payments_received(year)
        total = received.count() + received.filter(amount_refunded_cents__gt=0).count()
        return PaymentResource, _payment_rows(year), total
    if kind == ExportKind.CEC_LEDGER:
        first, last = rules.earning_window(year)
        total = LedgerEntry.objects.filter(
            state__in=EARNING_STATES, earned_on__gte=first, earned_on__lte=last
        ).count()
        return LedgerResource, _ledger_rows(year), total
    raise ValueError(f"Unknown report {kind!r}.")


def build_dataset(kind: str, year: int, *, on=None, progress=None):
    """The report as a tablib Dataset (django-import-export's export), calling
    `progress(done, total)` every chunk of rows."""
    resource_class, rows, total = report(kind, year, on)
    resource = resource_class()
    dataset = resource.export([])
    batch = []
    done = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            done += _append(dataset, resource, batch)
            batch = []
            if progress:
                progress(done, total)
    done += _append(dataset, resource, batch)
    if progress:
        progress(done, total)
    return dataset


def _append(dataset, resource, batch) -> int:
    for row in resource.export(batch):
        dataset.append(row)
    return len(batch)


def render(dataset, file_format: str) -> bytes:
    data = FORMATS[file_format]().export_data(dataset)
    return data.encode("utf-8") if isinstance(data, str) else data
