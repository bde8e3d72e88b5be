"""In production mode every log line is one JSON object on stdout carrying the request id
(django-guid: nginx's X-Request-ID when it sent one, else a new one, returned in the
response); in development the plain console lines stay."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A request whose health check fails (an empty database has no migrations), so the
# portal logs warnings while serving it.
SCRIPT = """
import logging, sys
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="renew.aasc.example.org")
response = client.get("/healthz/", HTTP_X_REQUEST_ID=sys.argv[1])
print("RESPONSE", response.status_code, response["X-Request-ID"], file=sys.stderr)
"""


def run(tmp_path, request_id, production):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renewal_portal.settings",
        "DJANGO_PRODUCTION": "true" if production else "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "renew.aasc.example.org",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, request_id], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def test_production_logs_json_lines_with_the_request_id_nginx_sent(tmp_path):
    request_id = uuid.uuid4().hex
    result = run(tmp_path, request_id, production=True)
    assert f"RESPONSE 503 {request_id}" in result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, "nothing was logged on stdout"
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for record in records:
        assert {"time", "level", "logger", "message", "request_id"} <= record.keys()
    of_request = [r for r in records if r["request_id"] == request_id]
    assert any(r["logger"] == "django.request" and r["level"] == "ERROR" for r in of_request)
    assert any(r["logger"] == "health_check" and r["level"] == "WARNING" for r in of_request)


def test_a_request_without_an_id_gets_a_new_one_in_its_logs_and_response(tmp_path):
    result = run(tmp_path, "", production=True)
    returned = result.stderr.split("RESPONSE 503 ")[1].split()[0]
    assert len(returned) == 32 and int(returned, 16) >= 0
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert any(r["request_id"] == returned for r in records)


def test_development_keeps_plain_console_lines(tmp_path):
    result = run(tmp_path, uuid.uuid4().hex, production=False)
    logged = result.stderr.splitlines()
    assert any(line.startswith("Service Unavailable: /healthz/") for line in logged)
    assert not any(line.startswith("{") for line in logged + result.stdout.splitlines())
