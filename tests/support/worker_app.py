"""The portal's Celery app as the integration tests' worker runs it (`celery -A
tests.support.worker_app worker`): the same tasks and settings, except that tasks a
killed worker held come back within seconds instead of after Redis's one-hour
visibility timeout, so a test can kill a worker and watch the next one finish its work."""

import os

from renewal_portal.celery import app

VISIBILITY_TIMEOUT = int(os.environ.get("TEST_CELERY_VISIBILITY_TIMEOUT", "20"))

_ = app.conf.broker_url  # load the Django settings first, then override on top of them
app.conf.update(
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    },
)

__all__ = ["app"]
