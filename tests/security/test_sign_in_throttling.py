"""Failed sign-ins are throttled per client and per account (allauth's rate limits on a
shared cache). Behind nginx every request comes from 127.0.0.1, so the client is the
address nginx puts in X-Forwarded-For, trusted for TRUSTED_PROXY_COUNT proxies (1 in
production, 0 elsewhere). A flood from one client never blocks another client's correct
password; an account is tried at most its limit, from however many clients.
tests/integration/test_sign_in_throttling_gunicorn.py runs the same rules through
gunicorn with two workers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import HolderFactory
from tests.factories.credentials import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TOO_MANY = "Too many failed login attempts"

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_nginx(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def client_at(address):
    """A browser at `address`, seen through nginx (which connects from 127.0.0.1)."""
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


def sign_in(client, email, password):
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return response.status_code, response.content.decode()


def throttled(result):
    status, body = result
    return status == 429 or TOO_MANY in body


def test_a_flood_from_one_client_does_not_block_another_clients_correct_password(behind_nginx):
    HolderFactory(email="holly@example.org")
    attacker = client_at("203.0.113.7")
    results = [sign_in(attacker, f"guess{n}@example.org", "wrong") for n in range(15)]
    assert throttled(results[-1])

    status, _body = sign_in(client_at("198.51.100.20"), "holly@example.org", PASSWORD)
    assert status == 302


def test_a_flood_on_an_account_from_one_client_does_not_lock_its_holder_out(behind_nginx):
    HolderFactory(email="holly@example.org")
    attacker = client_at("203.0.113.7")
    results = [sign_in(attacker, "holly@example.org", f"wrong-{n}") for n in range(8)]
    assert throttled(results[-1])
    assert not throttled(results[0])

    status, _body = sign_in(client_at("198.51.100.20"), "holly@example.org", PASSWORD)
    assert status == 302


def test_an_account_is_tried_at_most_its_limit_from_however_many_clients(behind_nginx, settings):
    HolderFactory(email="holly@example.org")
    limit = int(settings.ACCOUNT_RATE_LIMITS["login_failed_account"].split("/")[0])
    results = [
        sign_in(client_at(f"198.51.100.{n}"), "holly@example.org", f"wrong-{n}")
        for n in range(1, limit + 3)
    ]
    assert not any(throttled(result) for result in results[:limit])
    assert all(throttled(result) for result in results[limit:])
    # Even the right password waits until the window has passed.
    assert throttled(sign_in(client_at("192.0.2.1"), "holly@example.org", PASSWORD))


def test_a_successful_sign_in_does_not_count_against_the_limits(behind_nginx):
    HolderFactory(email="holly@example.org")
    browser = client_at("198.51.100.20")
    for _ in range(8):
        assert sign_in(browser, "holly@example.org", PASSWORD)[0] == 302
        browser.logout()
    assert not throttled(sign_in(browser, "holly@example.org", "one-typo"))


def test_a_client_cannot_choose_its_own_address_with_a_forged_header(behind_nginx):
    HolderFactory(email="holly@example.org")
    # nginx appends the address it saw; only that last one is believed.
    for n in range(15):
        forged = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7")
        result = sign_in(forged, f"guess{n}@example.org", "wrong")
    assert throttled(result)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(15):
        result = sign_in(client_at(f"198.51.100.{n}"), f"guess{n}@example.org", "wrong")
    # Every request came from 127.0.0.1: outside production nothing stands in front.
    assert throttled(result)


def _settings_in_a_fresh_process(**env_overrides):
    script = (
        "import json; from django.conf import settings\n"
        "print(json.dumps({'proxies': settings.ALLAUTH_TRUSTED_PROXY_COUNT,"
        " 'cache': settings.CACHES['default']['BACKEND']}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "renewal_portal.settings", **env_overrides}
    env = {key: value for key, value in env.items() if value is not None}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return __import__("json").loads(result.stdout.strip().splitlines()[-1])


def test_trusted_proxy_count_comes_from_the_environment_and_defaults_to_none():
    assert _settings_in_a_fresh_process(TRUSTED_PROXY_COUNT=None)["proxies"] == 0
    assert _settings_in_a_fresh_process(TRUSTED_PROXY_COUNT="1")["proxies"] == 1


def test_counts_live_in_a_cache_every_web_worker_shares():
    embedded = _settings_in_a_fresh_process(REDIS_URL="")
    assert embedded["cache"] == "django.core.cache.backends.db.DatabaseCache"
    production = _settings_in_a_fresh_process(REDIS_URL="redis://127.0.0.1:6379/0")
    assert production["cache"] == "django.core.cache.backends.redis.RedisCache"
