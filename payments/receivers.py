"""Payments follows the credential core's events (connected in PaymentsConfig.ready):
credentials sends the signals and never imports payments (issue 16.1)."""

from payments.services import invoices


def invoice_issued_renewals(sender, renewals, by=None, **kwargs):
    """credentials.signals.renewals_issued: invoice the new renewals, email the invoices."""
    invoices.invoice_issued_renewals(renewals, by=by)


def charge_reinstatement_fee(sender, renewal, credential, fee_cents, by=None, **kwargs):
    """credentials.signals.reinstatement_fee_due: True when the open invoice took it."""
    return invoices.add_reinstatement_fee(renewal, credential, fee_cents, by=by)
