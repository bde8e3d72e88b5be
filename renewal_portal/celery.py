"""The Celery app. The broker comes from settings: Redis in production and CI (REDIS_URL),
kombu's filesystem transport for `make run`, so a development checkout needs no server.
Schedules live in the database (django-celery-beat), where staff can see and edit them."""

import logging
import os
import sys
from pathlib import Path

import django
from celery import Celery
from celery.signals import import_modules
from django.conf import settings

from renewal_portal.checks import UnsafeConfiguration, refuse_to_start_on_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renewal_portal.settings")
logger = logging.getLogger(__name__)

app = Celery("renewal_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, **kwargs):
    # kombu's filesystem transport expects its folders to exist; the first task a web
    # request or `load_demo` sends would fail without them.
    if not str(sender.conf.broker_url or "").startswith("filesystem:"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@import_modules.connect
def _refuse_an_unsafe_production_worker_or_beat(**kwargs):
    """Celery runs no system checks: in production a worker or beat with a missing or
    development secret must not start. Their loader sends `import_modules` once at start,
    before the worker forks its pool or beat reads its schedules (a web process never
    sends it). Celery logs and swallows an Exception raised by a signal handler, so the
    refusal is a SystemExit."""
    django.setup()
    if not settings.PRODUCTION:
        return
    try:
        refuse_to_start_on_errors("Celery worker or beat")
    except UnsafeConfiguration as exc:
        logger.critical("%s", exc)
        print(exc, file=sys.stderr, flush=True)
        raise SystemExit(1) from exc
