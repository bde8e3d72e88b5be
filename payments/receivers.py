"""Payments follows the credential core's events (connected in PaymentsConfig.ready):
credentials sends the signals and never imports payments (issue 16.1)."""

from credentials.signals import reinstatement_fee_due, renewals_issued
from payments.services import invoices


def invoice_issued_renewals(sender, renewals, by=None, **kwargs):
    """credentials.signals.renewals_issued: invoice the new renewals, email the invoices."""
    invoices.invoice_issued_renewals(renewals, by=by)


def charge_reinstatement_fee(sender, renewal, credential, fee_cents, by=None, **kwargs):
    """credentials.signals.reinstatement_fee_due: True when the open invoice took it."""
    return invoices.add_reinstatement_fee(renewal, credential, fee_cents, by=by)


def connect() -> None:
    """Listen to the core's issuing and lapsing signals (once, whatever calls it)."""
    renewals_issued.connect(invoice_issued_renewals, dispatch_uid="payments.invoice")
    reinstatement_fee_due.connect(charge_reinstatement_fee, dispatch_uid="payments.reinstatement")
