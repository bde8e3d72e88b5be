from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = "Invoices and payments"

    def ready(self):
        from credentials.signals import reinstatement_fee_due, renewals_issued

        from . import receivers

        # Issued renewals are invoiced, and a lapse's reinstatement fee charged, by
        # payments, in the credential core's transaction (issue 16.1).
        renewals_issued.connect(receivers.invoice_issued_renewals, dispatch_uid="payments.invoice")
        reinstatement_fee_due.connect(
            receivers.charge_reinstatement_fee, dispatch_uid="payments.reinstatement"
        )
