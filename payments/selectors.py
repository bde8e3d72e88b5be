"""Invoices and payments scoped to who is asking: the one place that says who sees which
(issue 16 item 7). Views and services build on these, never on a filter of their own."""

from credentials import roles
from credentials.permissions import VIEW_INVOICE, VIEW_PAYMENT
from payments.models import Invoice, Payment


def invoices_of(holder):
    """The holder's own invoices (the ones they may pay)."""
    return Invoice.objects.filter(renewal__holder=holder)


def invoices_visible_to(user):
    """AASC staff (or anyone who may view invoices) see every invoice; a holder their own."""
    invoices = Invoice.objects.select_related("renewal__holder__profile", "renewal__governing_type")
    if roles.is_aasc_staff(user) or user.has_perm(VIEW_INVOICE):
        return invoices
    return invoices.filter(renewal__holder=user)


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
