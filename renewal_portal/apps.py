from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package as an app, so its system checks are registered in every
    process (manage.py, gunicorn, Celery)."""

    name = "renewal_portal"
    label = "renewal_portal"
    verbose_name = "AASC renewal portal"

    def ready(self):
        from renewal_portal import checks  # noqa: F401 (registers the checks)
