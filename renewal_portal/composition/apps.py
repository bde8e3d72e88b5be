from django.apps import AppConfig


class CompositionConfig(AppConfig):
    name = "renewal_portal.composition"
    label = "composition"
    verbose_name = "Renewals across the apps"

    def ready(self):
        # An app's `admin` and `tasks` modules are found by name; the audit packets' live
        # in their package, so importing them here registers their ModelAdmin and their
        # Celery tasks (in web processes and workers alike).
        from .packets import admin, services  # noqa: F401
