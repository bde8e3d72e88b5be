"""Invoices and payments scoped to who is asking: the one place that says who sees which
(issue 16 item 7). Views and services build on these, never on a filter of their own."""

from credentials import roles
from credentials.permissions import VIEW_INVOICE, VIEW_PAYMENT
from payments.models import Invoice, InvoiceLine, Payment
from renewal_portal.infra.compiled_queries import CompiledQuery


def invoices_of(holder):
    """The holder's own invoices (the ones they may pay)."""
    return Invoice.objects.filter(renewal__holder=holder)


def _with_renewal_and_holder():
    return Invoice.objects.select_related("renewal__holder__profile", "renewal__governing_type")


def _may_see_every_invoice(user) -> bool:
    return roles.is_aasc_staff(user) or user.has_perm(VIEW_INVOICE)


def invoices_visible_to(user):
    """AASC staff (or anyone who may view invoices) see every invoice; a holder their own."""
    invoices = _with_renewal_and_holder()
    if _may_see_every_invoice(user):
        return invoices
    return invoices.filter(renewal__holder=user)


# A holder's invoice page, compiled once per process: its four joins cost more to compile
# than to run (issue 19). Markers: where the holder's id and the invoice number go.
_HOLDERS_INVOICE = CompiledQuery(
    lambda holder_id, number: _with_renewal_and_holder().filter(
        renewal__holder_id=holder_id, number=number
    )[:1],
    2_026_120_400,
    "invoice-number-marker",
)


def invoice_visible_to(user, number: str) -> Invoice | None:
    """The invoice `number` if `user` may see it (invoices_visible_to), else None."""
    if _may_see_every_invoice(user):
        return _with_renewal_and_holder().filter(number=number).first()
    return _HOLDERS_INVOICE.first(user.pk, number)


# invoice.lines.all(), compiled once per process (issue 19); the marker is the invoice's id.
_LINES_OF_INVOICE = CompiledQuery(
    lambda invoice_id: InvoiceLine.objects.filter(invoice_id=invoice_id), 2_026_120_400
)


def lines_of(invoice: Invoice) -> list[InvoiceLine]:
    """The invoice's lines, in their order: invoice.lines.all()."""
    lines = _LINES_OF_INVOICE.all(invoice.pk)
    for line in lines:
        line.invoice = invoice  # as the related manager gives them
    return lines


def payments_of(holder):
    """The payments of the holder's own invoices."""
    return Payment.objects.filter(invoice__renewal__holder=holder)


def payments_visible_to(user):
    """AASC staff who may view payments see every payment; a holder those of their own
    invoices."""
    payments = Payment.objects.select_related("invoice__renewal__holder")
    if roles.is_aasc_staff(user) and user.has_perm(VIEW_PAYMENT):
        return payments
    return payments.filter(invoice__renewal__holder=user)
