from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    """The project package as an app, so its system checks are registered in every
    process (manage.py, gunicorn, Celery) and `migrate` creates the cache table."""

    name = "renewal_portal"
    label = "renewal_portal"
    verbose_name = "AASC renewal portal"

    def ready(self):
        from renewal_portal import checks  # noqa: F401 (registers the checks)

        post_migrate.connect(create_cache_table, sender=self)


def create_cache_table(using="default", verbosity=1, **kwargs):
    """The database cache's table (settings.CACHES without REDIS_URL), wherever `migrate`
    runs: `make run`, the deploy steps, the test database, prod-smoke. Nothing to do with
    Redis; idempotent."""
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
