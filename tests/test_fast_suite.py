"""The suite's own promises (issue 16 item 8): people made by the factories are hashed with
the fast test hasher, in the test process and in the live server the browser tests use;
and the one clock stops where a test says."""

import datetime as dt
import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.hashers import get_hasher
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
def test_the_live_server_signs_in_with_the_fast_hasher_and_keeps_it(live_server):
    # Were the live server on the portal's Argon2id, signing in would re-hash the password.
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
