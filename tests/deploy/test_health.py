"""/healthz for load balancers: 200 when the database answers, every migration is applied
and the Celery broker is reachable; otherwise 503 naming the failing part, with no stack
trace. /healthz/workers also wants a Celery worker to answer."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from tests.support.celery_worker import celery_broker  # noqa: F401
from tests.support.processes import free_port
from tests.support.redis import redis_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# The embedded default's cache (settings.CACHES without REDIS_URL; `migrate` makes the table).
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }
}


def health(path="/healthz/"):
    response = Client().get(path, {"format": "json"})
    return response, json.loads(response.content)


def part(body, name):
    """The result of the check whose name starts with `name`."""
    matches = [value for key, value in body.items() if key.startswith(name)]
    assert len(matches) == 1, body
    return matches[0]


@pytest.fixture
def unreachable_broker():
    from renewal_portal.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    yield
    app.conf.broker_url = saved


@pytest.mark.django_db
def test_healthz_is_200_when_database_migrations_and_redis_broker_are_fine(
    celery_broker,  # noqa: F811
):
    response, body = health()
    assert response.status_code == 200, body
    assert part(body, "Database") == "OK"
    assert part(body, "Migrations") == "OK"
    assert part(body, "Cache") == "OK"
    assert part(body, "Redis") == "OK"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_checks_the_database_cache_of_the_embedded_default(settings):
    settings.CACHES = DATABASE_CACHE  # tests run with a memory cache (conftest)
    call_command("createcachetable")  # what `migrate` does where this is the cache
    response, body = health()
    assert response.status_code == 200, body
    assert part(body, "Cache") == "OK"


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_cache_when_its_table_is_missing(settings):
    settings.CACHES = DATABASE_CACHE  # with no `createcachetable` this time
    response, body = health()
    assert response.status_code == 503
    assert part(body, "Cache").startswith("Unavailable: The cache failed")
    assert part(body, "Database") == "OK"
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_cache_when_redis_is_unreachable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response, body = health()
    assert response.status_code == 503
    assert part(body, "Cache") == "Unavailable: The cache failed (ConnectionError)"


def test_migrate_creates_the_cache_table(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renewal_portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert "portal_cache" in tables


@pytest.mark.django_db
def test_healthz_answers_without_the_trailing_slash_too():
    response = Client().get("/healthz", {"format": "json"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_is_503_and_names_redis_when_the_broker_is_unreachable(unreachable_broker):
    response, body = health()
    assert response.status_code == 503
    assert part(body, "Redis").startswith("Unavailable: Unable to connect to Redis")
    assert part(body, "Database") == "OK"
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_is_503_and_names_a_migration_that_is_not_applied():
    latest = max(
        name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "payments"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = %s AND name = %s", ["payments", latest]
        )
    response, body = health()
    assert response.status_code == 503
    assert part(body, "Migrations") == f"Unavailable: 1 not applied: payments.{latest}"
    assert part(body, "Database") == "OK"


@pytest.mark.django_db
def test_healthz_in_plain_text_names_each_part():
    response = Client().get("/healthz/", HTTP_ACCEPT="text/plain")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert [line.split("(")[0] for line in lines] == ["Database", "Migrations", "Cache", "Broker"]
    assert all(line.endswith(": OK") for line in lines)


MONITOR_TOKEN = "monitor-" + "0123456789abcdef0123456789abcdef"


@pytest.fixture
def monitor_token(settings):
    settings.HEALTHZ_WORKERS_TOKEN = MONITOR_TOKEN


def as_monitor(path="/healthz/workers/", token=MONITOR_TOKEN):
    response = Client().get(path, {"format": "json"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    return response, (json.loads(response.content) if response.status_code != 403 else None)


@pytest.mark.django_db
def test_healthz_workers_is_503_when_no_celery_worker_answers(celery_broker, monitor_token):  # noqa: F811
    response, body = as_monitor()
    assert response.status_code == 503
    assert part(body, "Workers()") == "Unavailable: Celery workers unavailable"
    assert part(body, "Redis") == "OK"


@pytest.mark.django_db
def test_healthz_workers_refuses_anonymous_visitors(monitor_token):
    # Each call pings every Celery worker: not for anyone on the internet to trigger.
    response = Client().get("/healthz/workers/", {"format": "json"})
    assert response.status_code == 403
    assert b"Workers" not in response.content


@pytest.mark.django_db
def test_healthz_workers_refuses_a_wrong_token(monitor_token):
    response, _body = as_monitor(token="monitor-guess")
    assert response.status_code == 403


@pytest.mark.django_db
def test_healthz_workers_refuses_every_token_when_none_is_configured(settings):
    settings.HEALTHZ_WORKERS_TOKEN = ""
    response, _body = as_monitor(token="")
    assert response.status_code == 403


@pytest.mark.django_db
def test_healthz_workers_answers_signed_in_staff(staff_client, holder_client):
    assert staff_client.get("/healthz/workers/").status_code in (200, 503)
    assert holder_client.get("/healthz/workers/").status_code == 403


@pytest.mark.django_db
def test_healthz_itself_stays_open_to_the_load_balancer():
    assert Client().get("/healthz/").status_code == 200


def test_healthz_is_not_redirected_to_https_in_production(tmp_path):
    """A load balancer probes over plain http; every other page goes to https."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='renew.aasc.example.org')\n"
        "print(c.get('/healthz/').status_code, c.get('/faq/').status_code)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renewal_portal.settings",
        "DJANGO_PRODUCTION": "true",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "renew.aasc.example.org",
        # An empty database: the probe answers 503 (no migrations), but it answers.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    healthz, faq = result.stdout.split()[-2:]
    assert healthz == "503"
    assert faq == "301"
