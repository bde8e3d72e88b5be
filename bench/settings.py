"""Settings of the benchmark runs: the product's settings, plus a URLconf with the
framework-floor view, a database of its own and no outside services.

The product's middleware, templates, sessions and database settings are kept as they
are: the point is to measure the portal as deployed, beside a bare view on the same stack.
"""

import os
from pathlib import Path

_VAR = Path(__file__).resolve().parent.parent / "var" / "bench"
_VAR.mkdir(parents=True, exist_ok=True)
# Never the developer's portal database: SQLite in var/bench unless DATABASE_URL says
# otherwise (scripts/with-postgres.sh sets it for the PostgreSQL run).
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_VAR / 'bench.sqlite3'}")
os.environ["DEBUG"] = "false"

from renewal_portal.settings import *  # noqa: E402,F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
# Tasks go to an in-memory broker: issuing renewals still enqueues one send per email,
# as it would with Redis, but nothing is delivered (mail is the outbox's job).
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Every bench client signs in from 127.0.0.1: allauth's limit of 30 sign-ins a minute per
# address would stop the load run's 100 sign-ins. The limit is still checked on every
# sign-in (the same cache look-up and count as in production), only set higher; the
# failed-sign-in limits are the product's.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "100000/m/ip"}  # noqa: F405
