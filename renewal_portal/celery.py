"""The Celery app. The broker comes from settings: Redis in production and CI (REDIS_URL),
kombu's filesystem transport for `make run`, so a development checkout needs no server.
Schedules live in the database (django-celery-beat), where staff can see and edit them."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renewal_portal.settings")

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
