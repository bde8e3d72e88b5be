"""With DJANGO_PRODUCTION on, the web (gunicorn) and the Celery worker and beat refuse to
start when a secret is missing or a development value. Django runs its system checks for
runserver and migrate but not for gunicorn or Celery, so the portal runs them itself
(renewal_portal/wsgi.py, renewal_portal/celery.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import free_port
from tests.test_settings import production_env

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def run_until_exit(command, env, timeout=60):
    """The process's exit code and output, or None for the code if it was still running
    after `timeout` seconds (then it is stopped)."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = process.communicate(timeout=timeout)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return None, output


def portal_env(tmp_path, **overrides):
    return production_env(
        DJANGO_SETTINGS_MODULE="renewal_portal.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        REDIS_URL="",
        GUNICORN_BIND=f"127.0.0.1:{free_port()}",
        WEB_CONCURRENCY="1",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        **overrides,
    )


def test_gunicorn_refuses_to_start_with_the_development_webhook_secret(tmp_path):
    env = portal_env(tmp_path, STRIPE_WEBHOOK_SECRET="whsec_localstripe_dev")
    code, output = run_until_exit(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "renewal_portal.wsgi"],
        env,
    )
    assert code not in (None, 0), output[-3000:]
    assert "portal.E001" in output and "STRIPE_WEBHOOK_SECRET" in output


def test_gunicorn_refuses_to_start_without_a_webhook_secret(tmp_path):
    env = portal_env(tmp_path, STRIPE_WEBHOOK_SECRET=None)
    code, output = run_until_exit(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "renewal_portal.wsgi"],
        env,
    )
    assert code not in (None, 0), output[-3000:]
    assert "portal.E001" in output and "STRIPE_WEBHOOK_SECRET" in output


def test_the_celery_worker_refuses_to_start_without_a_webhook_secret(tmp_path):
    env = portal_env(tmp_path, STRIPE_WEBHOOK_SECRET=None)
    code, output = run_until_exit(
        [sys.executable, "-m", "celery", "-A", "renewal_portal", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        env,
    )  # fmt: skip
    assert code not in (None, 0), output[-3000:]
    assert "portal.E001" in output and "STRIPE_WEBHOOK_SECRET" in output


def test_celery_beat_refuses_to_start_with_a_development_stripe_key(tmp_path):
    env = portal_env(tmp_path, STRIPE_SECRET_KEY="sk_test_localstripe")
    code, output = run_until_exit(
        [sys.executable, "-m", "celery", "-A", "renewal_portal", "beat", "--loglevel", "INFO",
         "--schedule", str(tmp_path / "beat-schedule"), "--pidfile", str(tmp_path / "beat.pid")],
        env,
    )  # fmt: skip
    assert code not in (None, 0), output[-3000:]
    assert "portal.E001" in output and "STRIPE_SECRET_KEY" in output
