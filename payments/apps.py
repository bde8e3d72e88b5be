from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = "Invoices and payments"

    def ready(self):
        # Issued renewals are invoiced, and a lapse's reinstatement fee charged, by
        # payments, in the credential core's transaction (issue 16.1).
        from . import receivers

        receivers.connect()

        # Which content version counters its tables move (issue 19).
        from . import content_versions

        content_versions.declare()
