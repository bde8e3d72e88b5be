import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client, override_settings

from credentials import catalog_reads
from tests.factories import HolderFactory, ReviewerFactory, StaffFactory


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """The portal hashes with Argon2id; the suite creates about a thousand users, so it
    hashes with MD5 instead (tests only). The portal's own hashers stay readable after it,
    for hashes made by another process (a live server, a subprocess)."""
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            *django_settings.PASSWORD_HASHERS,
        ]
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _cache_in_memory():
    """The portal's cache is Redis or a database table, shared by every process. Tests
    run in one process and clear it before each test (below), with or without database
    access, so they use a per-process memory cache. Tests that start other processes
    (tests/deploy/test_sign_in_throttling_gunicorn.py) give them the real ones."""
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            # The page cache (renewal_portal/infra/page_cache.py) in its own.
            "pages": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "pages",
            },
        }
    ):
        yield


@pytest.fixture(autouse=True)
def _office_mfa_off(settings):
    # Tests sign office users in with force_login; tests/test_security.py turns it on.
    settings.OFFICE_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files of a test never land in the developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Nor do Open Badges signing keys (issue 20) come from or land in var/badge-keys.
    settings.BADGE_KEY_DIR = str(tmp_path / "badge-keys")
    settings.BADGE_PRIVATE_KEY = ""


DENVER = ZoneInfo("America/Denver")


def moment(year, month, day, hour=10, minute=0) -> dt.datetime:
    """A moment in the office's time (Colorado Springs), where the portal's days turn."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=DENVER)


class Clock:
    """The portal's clock in a test: stopped (no tick) at a moment the test chose, and
    moved only when the test says so."""

    def __init__(self, traveller):
        self._traveller = traveller

    def move_to(self, *when):
        """`clock.move_to(2027, 2, 1)` (10:00 in Denver; hour and minute optional), or
        `clock.move_to(a_datetime)`."""
        target = when[0] if len(when) == 1 else moment(*when)
        self._traveller.move_to(target)
        return target

    def shift(self, delta: dt.timedelta):
        self._traveller.shift(delta)

    def now(self) -> dt.datetime:
        return dt.datetime.now(tz=DENVER)

    def today(self) -> dt.date:
        return self.now().date()


@pytest.fixture
def clock(request):
    """The one clock of the suite. Mark a test, a class or a module with
    `pytest.mark.clock(2026, 11, 25)` (hour 10 in Denver unless given, or a datetime) and
    it runs at that moment, stopped; ask for `clock` to move it during the test."""
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        pytest.fail("A test that asks for `clock` says when: @pytest.mark.clock(y, m, d)")
    start = marker.args[0] if len(marker.args) == 1 else moment(*marker.args)
    with time_machine.travel(start, tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture(autouse=True)
def _clock_from_marker(request):
    # A test marked `clock` runs on the clock, whether or not it asks for it.
    if request.node.get_closest_marker("clock") is not None:
        request.getfixturevalue("clock")


@pytest.fixture
def holder(db):
    return HolderFactory(email="holder-a@example.org")


@pytest.fixture
def other_holder(db):
    return HolderFactory(email="holder-b@example.org")


@pytest.fixture
def staff(db):
    return StaffFactory(email="clerk@example.org")


@pytest.fixture
def reviewer(db):
    return ReviewerFactory(email="naaei@example.org")


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def holder_client(holder):
    return _client_for(holder)


@pytest.fixture
def other_holder_client(other_holder):
    return _client_for(other_holder)


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def reviewer_client(reviewer):
    return _client_for(reviewer)


@pytest.fixture(autouse=True)
def _celery_runs_eagerly():
    # Unit and view tests run tasks in-process; integration tests start a real worker.
    from renewal_portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _shared_cache_cleared():
    # Counters in the shared cache (document downloads per person, issue 15 item 8) key on
    # user ids, which a rolled-back test hands out again: each test starts from zero.
    # So do cached pages, whose keys hold user ids and content versions.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    # Catalog reads kept per process by catalog version (credentials.catalog_reads): a
    # rolled-back test hands the same versions out again, for other rows.
    catalog_reads.forget_all()
    yield
