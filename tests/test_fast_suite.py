"""The suite's own promises (issue 16 items 2 and 8): people made by the factories are
hashed with the fast test hasher, in the test process and in the live server the browser
tests use; the one clock stops where a test says; and no test sets a renewal's step
fields itself: state that matters goes through the services (tests/factories/
renewal_states.py)."""

import datetime as dt
import http.cookiejar
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import get_hasher
from django.contrib.sites.models import Site
from django.utils import timezone

from tests.conftest import DENVER
from tests.factories import HolderFactory, StaffFactory
from tests.factories.credentials import PASSWORD


@pytest.mark.django_db
def test_factory_people_are_hashed_with_the_fast_test_hasher():
    assert get_hasher().algorithm == "md5"
    for person in (HolderFactory(), StaffFactory()):
        assert person.password.startswith("md5$")
        assert person.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_the_live_server_signs_in_with_the_fast_hasher_and_keeps_it(live_server, settings):
    # Were the live server on the portal's Argon2id, signing in would re-hash the password.
    # The sign-in page reads the Site, which an earlier transaction=True test's flush may
    # have emptied (the browser tests restore theirs with serialized_rollback).
    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "localhost", "name": "Renewal portal"}
    )
    holder = HolderFactory(email="live@example.org")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{live_server.url}/accounts/login/"
    form = opener.open(login_url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": holder.email, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(login_url, data=data, headers={"Referer": login_url})
    with opener.open(request, timeout=30) as response:
        assert "/accounts/login/" not in response.url  # signed in, sent on
    holder.refresh_from_db()
    assert holder.password.startswith("md5$")
    assert holder.last_login is not None


@pytest.mark.clock(2027, 2, 1, 9, 30)
def test_the_clock_stops_at_the_marked_moment_in_denver(clock):
    assert timezone.now() == dt.datetime(2027, 2, 1, 9, 30, tzinfo=DENVER)
    assert timezone.now() == timezone.now()  # stopped, not ticking
    clock.move_to(2027, 4, 1)
    assert timezone.localdate() == dt.date(2027, 4, 1)
    clock.shift(dt.timedelta(days=1))
    assert clock.today() == dt.date(2027, 4, 2)


TESTS = Path(__file__).resolve().parent
# Writing a step's record by hand: the renewal's fields, an update() or a factory keyword,
# or an invoice marked paid without the payments service.
STEP_WRITES = re.compile(
    r"\b(contact_confirmed_at|paid_at|cec_status_seen_at|cecs_approved_at|completed_at)\s*=(?!=)"
    r"|\binvoice\.status\s*=(?!=)"
    r"|\bstatus\s*=\s*(InvoiceStatus\.PAID|\"paid\")"
)
# Last year's invoice of the browser tests' world: a receipt to look at, not a step of the
# renewal under test (paying it through the card service would call Stripe after commit).
KNOWN = {"tests/support/portal_world.py": 1}


def test_no_test_sets_a_renewal_step_by_hand():
    found = {}
    for path in TESTS.rglob("*.py"):
        if "node_modules" in path.parts or path == Path(__file__).resolve():
            continue
        hits = [line for line in path.read_text().splitlines() if STEP_WRITES.search(line)]
        if hits:
            found[str(path.relative_to(TESTS.parent))] = len(hits)
    assert found == KNOWN
