"""Sign-in throttling through gunicorn with two workers, as behind nginx: every request
comes from 127.0.0.1 with the client's address in X-Forwarded-For (TRUSTED_PROXY_COUNT=1),
and the counts live in the shared cache, the database cache table on a file SQLite
database (the embedded default) or Redis (production). A flood from one client never
blocks another client's correct password; an account is tried at most its limit, however
the requests are spread over the workers."""

import html
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from renewal_portal import settings as portal_settings
from tests.support.processes import free_port, kill_group, start_group, tail, wait_for
from tests.support.redis import redis_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "throttle-" + "correct-horse"
HOLDER = "holly@example.org"
TARGET = "target@example.org"
WRONG = "The email address and/or password you specified are not correct."
TOO_MANY = "Too many failed login attempts."

pytestmark = pytest.mark.integration

SEED = f"""
from allauth.account.models import EmailAddress
from credentials.models import User
for address in ({HOLDER!r}, {TARGET!r}):
    user = User.objects.create_user(email=address, password={PASSWORD!r})
    EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
"""


def base_env(database_url):
    env = {
        key: value
        for key, value in __import__("os").environ.items()
        if not key.startswith(("DJANGO_", "STRIPE_", "CELERY_", "S3_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="renewal_portal.settings",
        DATABASE_URL=database_url,
        REDIS_URL="",
        DEBUG="false",
        TRUSTED_PROXY_COUNT="1",
    )
    return env


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A file SQLite database, migrated (which creates the cache table) and seeded with
    two holders, with the portal's own password hasher."""
    folder = tmp_path_factory.mktemp("throttle-db")
    url = f"sqlite:///{folder / 'portal.sqlite3'}"
    for command in (["migrate", "--noinput"], ["shell", "-c", SEED]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=base_env(url),
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
    return url


class Portal:
    def __init__(self, base, log_path):
        self.base = base
        self.log_path = log_path
        page = requests.get(f"{base}/accounts/login/", timeout=30)
        self.csrf_cookie = page.cookies["csrftoken"]
        self.csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]

    def sign_in(self, client_address, email, password):
        """'signed in', 'wrong' (the password was checked) or 'throttled'."""
        response = requests.post(
            f"{self.base}/accounts/login/",
            data={"csrfmiddlewaretoken": self.csrf_token, "login": email, "password": password},
            cookies={"csrftoken": self.csrf_cookie},
            headers={"X-Forwarded-For": client_address},
            allow_redirects=False,
            timeout=60,
        )
        body = html.unescape(response.text)
        if response.status_code == 302:
            return "signed in"
        if response.status_code == 429 or TOO_MANY in body:
            return "throttled"
        assert WRONG in body, (response.status_code, body[-2000:])
        return "wrong"

    def pids_that_served_sign_ins(self):
        log = tail(self.log_path, 100000)
        return set(re.findall(r"^PID <(\d+)> POST /accounts/login/", log, re.MULTILINE))


def start_portal(env, log_path):
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    process = start_group(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
         "--access-logformat", "PID %(p)s %(m)s %(U)s %(s)s", "renewal_portal.wsgi"],
        log_path=log_path, env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up():
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{tail(log_path)}")
        try:
            return requests.get(f"{base}/accounts/login/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(up, timeout=90, message="gunicorn")
    except TimeoutError:
        kill_group(process)
        raise
    return process, Portal(base, log_path)


@pytest.fixture(params=["database cache", "redis"])
def portal(request, database_url, tmp_path):
    env = base_env(database_url)
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_server").url
    process, portal = start_portal(env, tmp_path / "gunicorn.log")
    try:
        yield portal
    finally:
        kill_group(process)


def in_parallel(calls):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda call: call(), calls))


def account_limit():
    return int(portal_settings.ACCOUNT_RATE_LIMITS["login_failed_account"].split("/")[0])


def test_sign_in_throttling_holds_across_two_gunicorn_workers(portal):
    # A flood from one client on the holder's account and on made-up ones.
    attacker = "203.0.113.7"
    flood = in_parallel(
        [lambda: portal.sign_in(attacker, HOLDER, "guess")] * 12
        + [lambda n=n: portal.sign_in(attacker, f"nobody{n}@example.org", "x") for n in range(8)]
    )
    assert flood.count("throttled") >= 10
    assert flood.count("wrong") <= 10  # the client's own limit, whichever worker answered

    # The holder, from their own address, gets in at once.
    assert portal.sign_in("198.51.100.20", HOLDER, PASSWORD) == "signed in"

    # Many clients together try one account: only its limit reaches the password check.
    limit = account_limit()
    spread = in_parallel(
        [lambda n=n: portal.sign_in(f"192.0.2.{n}", TARGET, f"wrong-{n}") for n in range(1, 41)]
    )
    assert limit // 2 <= spread.count("wrong") <= limit
    assert spread.count("throttled") == 40 - spread.count("wrong")
    # Until the window passes, even the right password from a fresh client waits.
    assert portal.sign_in("192.0.2.200", TARGET, PASSWORD) == "throttled"

    # Both workers answered sign-ins, so the counts were shared between them.
    assert len(portal.pids_that_served_sign_ins()) == 2
