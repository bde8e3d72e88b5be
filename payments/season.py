"""The season's money (issue 18): what the dashboard counts, the exports sum and the
admin's season filters list, from one query each."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from payments.models import Invoice, InvoiceStatus, Payment, PaymentStatus

# Money that came in: payments that succeeded, even if some or all of it went back since.
RECEIVED = (
    PaymentStatus.SUCCEEDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.DISPUTED,
    PaymentStatus.CHARGED_BACK,
)


def invoices_of_year(year: int):
    return Invoice.objects.filter(renewal__year=year).exclude(status=InvoiceStatus.VOID)


def payments_received(year: int):
    return Payment.objects.filter(invoice__renewal__year=year, status__in=RECEIVED)


def payments_refunded(year: int):
    return Payment.objects.filter(invoice__renewal__year=year, amount_refunded_cents__gt=0)


def _sum(queryset, field) -> int:
    return queryset.aggregate(total=Sum(field))["total"] or 0


@dataclass(frozen=True)
class Money:
    invoiced_cents: int
    collected_cents: int
    refunded_cents: int

    @property
    def net_cents(self) -> int:
        return self.collected_cents - self.refunded_cents


def money(year: int) -> Money:
    return Money(
        invoiced_cents=_sum(invoices_of_year(year), "total_cents"),
        collected_cents=_sum(payments_received(year), "amount_cents"),
        refunded_cents=_sum(payments_refunded(year), "amount_refunded_cents"),
    )
