"""Integration tests start real services: Redis and Celery worker processes.

A worker is another process, so it must open the very database the tests write to. The
default SQLite test database lives in memory, private to pytest; when this folder's
tests are collected, the session's test database becomes a SQLite file instead (one per
pytest process, in the temp folder, removed by pytest-django at the end), and each worker
is given its path. With DATABASE_URL naming a server database (PostgreSQL) the test
database is already shared and nothing changes here.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings

from tests.support.celery_worker import *  # noqa: F401,F403
from tests.support.redis import *  # noqa: F401,F403

_default = settings.DATABASES["default"]
if _default["ENGINE"].endswith("sqlite3"):
    _test = _default.setdefault("TEST", {})
    if not _test.get("NAME"):
        # Mutated in place: Django's connection holds this very dict.
        _test["NAME"] = str(Path(tempfile.gettempdir()) / f"portal-tests-{os.getpid()}.sqlite3")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker("integration")
