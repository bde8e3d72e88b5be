"""The production settings mode passes Django's deployment checklist, and refuses to run
with a secret that is missing or a development value (renewal_portal/checks.py)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Production-looking secrets: set, and none of them a development value.
PRODUCTION_SECRETS = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(12),
    "STRIPE_PUBLISHABLE_KEY": "pk_live_" + secrets.token_hex(12),
    "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
}
# What a development checkout runs with (settings.DEVELOPMENT_SECRETS).
DEVELOPMENT_VALUES = {
    "SECRET_KEY": "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopq",
    "STRIPE_SECRET_KEY": "sk_test_localstripe",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
    "STRIPE_WEBHOOK_SECRET": "whsec_localstripe_dev",
}


def production_env(**overrides):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check,
    # nor the caller's own Stripe keys.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k != "DJANGO_ALLOW_ASYNC_UNSAFE" and not k.startswith("STRIPE_") and k != "SECRET_KEY"
    }
    env = {
        **inherited,
        "DJANGO_PRODUCTION": "true",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "renew.aasc.example.org",
        **PRODUCTION_SECRETS,
        **overrides,
    }
    return {key: value for key, value in env.items() if value is not None}


def _check(extra_env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=production_env(**extra_env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_deploy(extra_env):
    return _check(extra_env, "--deploy", "--fail-level", "WARNING")


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = _check_deploy({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    result = _check_deploy({"SECRET_KEY": ""})
    assert result.returncode != 0


@pytest.mark.parametrize("name", sorted(PRODUCTION_SECRETS))
def test_production_refuses_a_missing_secret(name):
    result = _check_deploy({name: None})
    assert result.returncode != 0
    assert name in result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(DEVELOPMENT_VALUES))
def test_production_refuses_a_development_secret(name):
    result = _check_deploy({name: DEVELOPMENT_VALUES[name]})
    assert result.returncode != 0
    assert name in result.stdout + result.stderr


def test_a_missing_webhook_secret_is_an_error_that_plain_check_reports_too():
    # Not only a --deploy warning: `check`, `migrate` and `runserver` stop on it as well.
    result = _check({"STRIPE_WEBHOOK_SECRET": None})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "portal.E001" in output and "STRIPE_WEBHOOK_SECRET" in output


def test_the_env_example_placeholders_are_refused():
    result = _check_deploy({"STRIPE_WEBHOOK_SECRET": "whsec_change-me"})
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET" in result.stdout + result.stderr


def test_development_keeps_its_defaults_without_complaint():
    env = production_env(DJANGO_PRODUCTION="false", DEBUG="true")
    for name in PRODUCTION_SECRETS:
        env.pop(name)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
