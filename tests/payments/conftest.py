"""Payment tests run against a real localstripe server (tests/support/localstripe.py).

Some of them race two threads for one invoice. The default SQLite test database lives in
memory with a shared cache, where a second writer fails at once with "database table is
locked" instead of waiting its turn as it does on a SQLite file or PostgreSQL; so when
these tests are collected the session's test database becomes a file (as
tests/integration/conftest.py does for worker processes).
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings

from tests.support.localstripe import *  # noqa: F401,F403

_default = settings.DATABASES["default"]
if _default["ENGINE"].endswith("sqlite3"):
    _test = _default.setdefault("TEST", {})
    if not _test.get("NAME"):
        # Mutated in place: Django's connection holds this very dict.
        _test["NAME"] = str(Path(tempfile.gettempdir()) / f"portal-tests-{os.getpid()}.sqlite3")
