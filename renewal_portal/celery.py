"""The Celery app. The broker comes from settings: Redis in production and CI,
kombu's filesystem transport for `make run` (no server needed)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renewal_portal.settings")

app = Celery("renewal_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
