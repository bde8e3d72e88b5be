from django.apps import AppConfig


class CompositionConfig(AppConfig):
    """The top layer as an app, so its admin, tasks and management commands are found.
    It has no models: the records it composes belong to the apps below."""

    name = "renewal_portal.composition"
    label = "composition"
    verbose_name = "AASC renewal portal: pages and reports"

    def ready(self):
        # Django and Celery find an app's `admin` and `tasks` modules by name; the audit
        # packets' live in their package, so importing them here registers the packet
        # builds' ModelAdmin and their Celery tasks, in web processes and workers alike.
        from .packets import admin, services  # noqa: F401
