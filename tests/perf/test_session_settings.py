"""Sessions are read from the shared cache when it is Redis (issue 19), and from their
table when the cache is itself a database table (no Redis): a cached_db session over the
database cache would cost the same query and write twice."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def session_engine(**env):
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environment.update(env, DJANGO_SETTINGS_MODULE="renewal_portal.settings")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SESSION_ENGINE)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_with_redis_sessions_are_read_from_the_cache_and_kept_in_the_database():
    engine = session_engine(REDIS_URL="redis://127.0.0.1:6399/0")
    assert engine == "django.contrib.sessions.backends.cached_db"


def test_without_redis_sessions_are_read_from_their_table():
    assert session_engine() == "django.contrib.sessions.backends.db"
