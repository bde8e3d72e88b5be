"""What renewal_portal.infra.page_cache stores and replays: only a page it can give back
byte for byte, under a key that changes with anything the page depends on."""

import datetime as dt
import os
import subprocess
import sys
import zlib
from types import SimpleNamespace

import pytest
from csp.decorators import csp_update
from django.conf import settings as django_settings
from django.contrib.messages import add_message, constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt

from credentials import page_versions
from renewal_portal.infra import page_cache
from renewal_portal.infra.page_cache import cache_page_by_version

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]

PAGE = "<!doctype html><p>Your renewal</p>" + "<p>a row</p>" * 400


class Viewer:
    is_authenticated = True

    def __init__(self, pk=7):
        self.pk = pk


def make_request(method="get", path="/renewal/", user=None, csrf_secret=None, data=None):
    request = getattr(RequestFactory(), method)(path, data or {})
    request.user = user or Viewer()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    if csrf_secret:
        request.META["CSRF_COOKIE"] = csrf_secret
    return request


class CountingView:
    """A view that counts its renders and answers what `answer` makes."""

    def __init__(self, answer=lambda request: HttpResponse(PAGE), versions=(1, 2)):
        self.renders = 0
        self.answer = answer
        self.versions = versions
        self.view = cache_page_by_version(lambda request: self.versions, query=("year",))(
            self._render
        )

    def _render(self, request):
        self.renders += 1
        return self.answer(request)

    def __call__(self, request):
        return self.view(request)


SECRET = "a" * 32


def twice(view, **request_kwargs):
    first = view(make_request(csrf_secret=SECRET, **request_kwargs))
    second = view(make_request(csrf_secret=SECRET, **request_kwargs))
    return first, second


def test_a_page_is_rendered_once_and_then_replayed_byte_for_byte():
    view = CountingView()
    first, second = twice(view)
    assert view.renders == 1
    assert second.content == first.content == PAGE.encode()
    assert second["Content-Type"] == first["Content-Type"]


def test_a_large_page_is_stored_compressed_and_a_small_one_as_it_is():
    cache = caches["pages"]
    CountingView()(make_request(csrf_secret=SECRET))
    (stored,) = [cache.get(key.split(":", 2)[-1]) for key in cache._cache]  # locmem internals
    assert stored[2] is True and zlib.decompress(stored[3]) == PAGE.encode()
    assert len(stored[3]) < len(PAGE) / 5

    cache.clear()
    CountingView(answer=lambda request: HttpResponse("<p>short</p>"))(
        make_request(csrf_secret=SECRET)
    )
    (stored,) = [cache.get(key.split(":", 2)[-1]) for key in cache._cache]
    assert stored[2] is False and stored[3] == b"<p>short</p>"


def test_headers_the_view_set_come_back_on_a_hit():
    def answer(request):
        response = HttpResponse(PAGE, content_type="text/html; charset=utf-8")
        response["X-Robots-Tag"] = "noindex"
        return response

    first, second = twice(CountingView(answer=answer))
    assert second["X-Robots-Tag"] == "noindex"
    assert second["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: HttpResponse(PAGE, status=404),
        lambda request: HttpResponse(PAGE, status=201),
        lambda request: HttpResponse(status=302, headers={"Location": "/"}),
        lambda request: JsonResponse({"a": 1}),
        lambda request: HttpResponse("a,b", content_type="text/csv"),
        lambda request: StreamingHttpResponse(iter([PAGE]), content_type="text/html"),
        never_cache(lambda request: HttpResponse(PAGE)),
        csp_update({"script-src": "https://js.stripe.com"})(lambda request: HttpResponse(PAGE)),
        xframe_options_exempt(lambda request: HttpResponse(PAGE)),
    ],
    ids=[
        "404",
        "201",
        "redirect",
        "json",
        "csv",
        "streaming",
        "never_cache",
        "csp_update",
        "xframe_exempt",
    ],
)
def test_what_cannot_be_replayed_is_rendered_every_time(answer):
    view = CountingView(answer=answer)
    twice(view)
    assert view.renders == 2


def test_a_page_that_set_a_cookie_is_not_stored():
    def answer(request):
        response = HttpResponse(PAGE)
        response.set_cookie("seen", "1")
        return response

    view = CountingView(answer=answer)
    twice(view)
    assert view.renders == 2


def test_a_page_that_changed_the_session_is_not_stored():
    def answer(request):
        request.session["step"] = "seen"
        return HttpResponse(PAGE)

    view = CountingView(answer=answer)
    twice(view)
    assert view.renders == 2


def test_a_page_that_added_or_showed_a_message_is_not_stored():
    def answer(request):
        add_message(request, constants.INFO, "This form cannot be edited.")
        return HttpResponse(PAGE)

    view = CountingView(answer=answer)
    twice(view)
    assert view.renders == 2


def test_a_pending_message_is_neither_served_from_nor_consumed_by_the_cache():
    view = CountingView()
    view(make_request(csrf_secret=SECRET))
    request = make_request(csrf_secret=SECRET)
    add_message(request, constants.SUCCESS, "Paid.")
    request._messages._loaded_data = list(request._messages._queued_messages)
    request._messages._queued_messages = []
    view(request)
    assert view.renders == 2
    assert [str(m) for m in request._messages] == ["Paid."]


def test_only_get_and_head_are_served_from_the_cache():
    view = CountingView()
    view(make_request(csrf_secret=SECRET))
    view(make_request("post", csrf_secret=SECRET))
    view(make_request("put", csrf_secret=SECRET))
    assert view.renders == 3
    view(make_request("head", csrf_secret=SECRET))
    assert view.renders == 3


def test_no_versions_means_no_cache():
    view = CountingView(versions=None)
    twice(view)
    assert view.renders == 2


def test_anonymous_visitors_are_never_cached():
    view = CountingView()
    anonymous = SimpleNamespace(is_authenticated=False, pk=None)
    twice(view, user=anonymous)
    assert view.renders == 2


@pytest.mark.parametrize(
    "change",
    [
        {"versions": (1, 3)},
        {"user": Viewer(pk=8)},
        {"csrf_secret": "b" * 32},
        {"path": "/renewal/?year=2027"},
        {"path": "/cec/"},
    ],
    ids=["version", "user", "csrf secret", "query string", "path"],
)
def test_anything_in_the_key_changing_renders_anew(change):
    view = CountingView()
    view(make_request(csrf_secret=SECRET))
    view.versions = change.pop("versions", view.versions)
    kwargs = {"csrf_secret": SECRET, **change}
    view(make_request(**kwargs))
    assert view.renders == 2
    view(make_request(**kwargs))
    assert view.renders == 2


def test_a_new_day_renders_anew(clock):
    # The date in the office's time zone, not the server's (UTC turned hours earlier).
    clock.move_to(2026, 11, 25, 23, 50)
    view = CountingView()
    view(make_request(csrf_secret=SECRET))
    clock.move_to(2026, 11, 25, 23, 59)
    view(make_request(csrf_secret=SECRET))
    assert view.renders == 1
    clock.shift(dt.timedelta(minutes=2))  # after midnight in Colorado Springs
    view(make_request(csrf_secret=SECRET))
    assert view.renders == 2


def test_a_visitor_without_a_csrf_cookie_gets_one_and_its_own_entry():
    view = CountingView()
    first = make_request()
    view(first)
    assert first.META["CSRF_COOKIE_NEEDS_UPDATE"]  # the middleware will set the cookie
    second = make_request()
    view(second)
    assert first.META["CSRF_COOKIE"] != second.META["CSRF_COOKIE"]
    assert view.renders == 2


def test_a_changed_setting_or_release_renders_anew(settings, monkeypatch):
    view = CountingView()
    view(make_request(csrf_secret=SECRET))
    settings.OFFICE_SIGNATURE = "Another office"
    view(make_request(csrf_secret=SECRET))
    assert view.renders == 2
    monkeypatch.setattr(page_cache, "_code_release", lambda: "next-deploy")
    view(make_request(csrf_secret=SECRET))
    assert view.renders == 3


def test_the_release_is_the_same_in_every_process_of_one_deploy():
    code = (
        "import django; django.setup(); "
        "from renewal_portal.infra.page_cache import release; print(release())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "renewal_portal.settings"}
    releases = {
        subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(releases) == 1 and releases != {""}
    assert "0x" not in repr(page_cache._plain(object()))


def test_the_release_covers_templates_code_and_static_files():
    files = {str(path) for path in page_cache._release_files()}
    assert any(path.endswith("templates/credentials/renewal.html") for path in files)
    assert any(path.endswith("cec/views/ledger.py") for path in files)
    assert any(path.endswith("static/css/portal.css") for path in files)
    assert not any("__pycache__" in path for path in files)


def test_a_cache_that_fails_serves_the_page_fresh(monkeypatch):
    class Broken:
        def get(self, key):
            raise ConnectionError("Redis is down")

        def set(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(page_cache, "caches", {"pages": Broken()})
    view = CountingView()
    first, second = twice(view)
    assert view.renders == 2
    assert second.content == PAGE.encode()


def test_page_cache_off_renders_every_time(settings):
    settings.PAGE_CACHE = False
    view = CountingView()
    twice(view)
    assert view.renders == 2


def test_a_user_loaded_without_versions_is_never_cached(holder):
    request = make_request(user=holder)
    assert page_versions.holder_page(request) is None
    holder.holder_version, holder.catalog_version = 3, 5
    assert page_versions.holder_page(request)[-2:] == (3, 5)


def test_office_accounts_are_not_cached_as_holders(staff, reviewer):
    for user in (staff, reviewer):
        user.holder_version = user.catalog_version = user.review_version = 1
        assert page_versions.holder_page(make_request(user=user)) is None
    assert page_versions.review_queue_page(make_request(user=staff)) is None
    assert page_versions.review_queue_page(make_request(user=reviewer)) is not None
    # The age filter counts from the time of day: that queue is always fresh.
    aged = make_request(path="/review/?age=3", user=reviewer)
    assert page_versions.review_queue_page(aged) is None


def test_only_the_query_parameters_a_page_reads_are_cached():
    renders = []

    @cache_page_by_version(lambda request: (1,), query=("year",))
    def view(request):
        renders.append(request.get_full_path())
        return HttpResponse(PAGE)

    for path in ("/review/?year=2027", "/review/?year=2027"):
        view(make_request(path=path, csrf_secret=SECRET))
    assert len(renders) == 1
    for path in ("/review/?year=2027&x=1", "/review/?year=2027&x=1", "/review/?year=" + "9" * 600):
        view(make_request(path=path, csrf_secret=SECRET))
    assert len(renders) == 4
