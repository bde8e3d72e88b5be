"""Whole pages cached under the versions of what they show (issue 19).

A page that is a function of a few content versions (counters the database moves at
every write to the rows behind them), today's date and the code that renders it can be
served again without running its view: `cache_page_by_version(versions_of)` wraps such a
view. `versions_of(request)` belongs to the app layer (it knows which versions a page
shows and which viewers may be cached); it returns a tuple, or None for "render it
fresh". This module knows no app.

The key is a hash of: the release (the deployed code, templates, static files, installed
packages and settings: computed once per process, so every worker of one deploy shares
entries and a deploy never serves old markup), the host and scheme, the path and the query
parameters as the view reads them (decoded: one entry however they are spelt), the user's
id, the versions (with the role facts the app layer adds), today's date in the office's
time zone, the language, and the browser's CSRF secret (the page holds CSRF tokens, which
must keep working after a sign-in rotates the secret).

Only what can be replayed byte for byte is stored: a GET or HEAD answered 200 with HTML,
no cookie set by the view, no flash message shown or queued, no session change, no
marker a middleware reads from the response object, no `Cache-Control: no-store` or
`no-cache`. The view-level position means every middleware still runs on a hit (the
session, CSRF cookie, security headers, CSP), and the decorators outside this one (sign-in
and permission checks) still run before it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sys
import zlib
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from renewal_portal.infra.transactions import in_open_transaction

logger = logging.getLogger(__name__)

# Bodies smaller than this are stored as they are: compressing them saves little.
COMPRESS_FROM_BYTES = 2048
# A longer query string is never a link of the portal's own: rendered, not stored.
MAX_QUERY_CHARS = 512
# What a stored entry starts with, so a format change never misreads an older entry.
_FORMAT = 1
# The attributes every HttpResponse has; anything more is a marker set by a decorator
# for a middleware (django-csp's csp_update, xframe_options_exempt...), which a response
# rebuilt from the cache would lose: such responses are not cached.
_PLAIN_RESPONSE_ATTRIBUTES = frozenset(vars(HttpResponse()))
_CACHEABLE_METHODS = ("GET", "HEAD")


def cache_page_by_version(versions_of, query=()):
    """Serve the wrapped view's page from the page cache while the versions
    `versions_of(request)` returns (None: do not cache) and everything else in the key
    are unchanged. Put it inside the sign-in and permission decorators.

    `query`: the names of the query parameters the page reads. A request with any other
    parameter, or a query string longer than MAX_QUERY_CHARS, is rendered and not stored,
    so nobody fills the cache with copies of one page under made-up addresses."""
    allowed = frozenset(query)

    def decorator(view):
        @functools.wraps(view)
        def cached_view(request, *args, **kwargs):
            key = _key_for(request, versions_of) if _cacheable_query(request, allowed) else None
            if key is None:
                return view(request, *args, **kwargs)
            cache = caches[settings.PAGE_CACHE_ALIAS]
            stored = _read(cache, key)
            if stored is not None:
                response = _response_from(stored)
                if response is not None:
                    return response
            response = view(request, *args, **kwargs)
            if _replayable(request, response):
                _write(cache, key, response)
            return response

        return cached_view

    return decorator


def _cacheable_query(request, allowed) -> bool:
    query_string = request.META.get("QUERY_STRING", "")
    if not query_string:
        return True
    # Each parameter once: repeating one (the page reads the last) makes endless addresses.
    return len(query_string) <= MAX_QUERY_CHARS and all(
        name in allowed and len(values) == 1 for name, values in request.GET.lists()
    )


def _key_for(request, versions_of) -> str | None:
    if not settings.PAGE_CACHE or request.method not in _CACHEABLE_METHODS:
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or _has_messages(request):
        return None
    versions = versions_of(request)
    if versions is None:
        return None
    parts = (
        release(),
        request.scheme,
        request.get_host(),
        # The path and parameters as the view reads them (decoded), not as spelt: `?&&`,
        # `?y%65ar=2027` and `?year=2027&` are the same page, not one entry per spelling.
        request.path,
        tuple(request.GET.lists()),
        user.pk,
        tuple(versions),
        timezone.localdate().isoformat(),
        translation.get_language(),
        _csrf_secret(request),
    )
    digest = hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"page:{digest}"


def _csrf_secret(request) -> str:
    """The browser's CSRF secret, which the page's tokens are masked from. As when the page
    renders (get_token), the middleware then sends the cookie: a new visitor gets a new
    secret, a known one has its cookie renewed. Masking a token for the key would only
    cost a random string."""
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # what get_token does for it
        return secret
    get_token(request)
    return request.META["CSRF_COOKIE"]


def _has_messages(request) -> bool:
    """Whether flash messages are pending or were added: counting them neither shows nor
    consumes them."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _replayable(request, response) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if response.cookies or set(vars(response)) - _PLAIN_RESPONSE_ATTRIBUTES:
        return False
    cache_control = response.get("Cache-Control", "")
    if "no-store" in cache_control or "no-cache" in cache_control:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return not _has_messages(request)


def _stored_form(response) -> tuple:
    body = response.content
    compressed = len(body) >= COMPRESS_FROM_BYTES
    if compressed:
        body = zlib.compress(body, 1)
    return (_FORMAT, tuple(response.headers.items()), compressed, body)


def _response_from(stored) -> HttpResponse | None:
    """The response an entry holds, or None for anything but an entry this code wrote (an
    older format, a truncated or tampered value): the page is then rendered afresh."""
    try:
        form, headers, compressed, body = stored
        if form != _FORMAT or not isinstance(body, bytes):
            return None
        response = HttpResponse(zlib.decompress(body) if compressed else body)
        for name, value in headers:
            if not isinstance(name, str) or not isinstance(value, str):
                return None
            response.headers[name] = value  # BadHeaderError (a ValueError) on a newline
    except (TypeError, ValueError, zlib.error):
        return None
    return response


def _read(cache, key):
    try:
        return cache.get(key)
    except Exception:
        # A cache that is down serves every page fresh rather than failing it.
        logger.warning("page cache read failed", exc_info=True)
        return None


def _write(cache, key, response) -> None:
    """Store the page once the data it was rendered from is committed. Rendered inside a
    transaction (ATOMIC_REQUESTS, a view's own atomic block), it may show writes that are
    then rolled back, and rolling back also moves the content versions back: a later,
    different write would move them to the same numbers and find this page under its key.
    So it is stored on commit, and never if the transaction rolls back. (A test case's own
    transaction, which never commits, does not count.)"""
    stored = _stored_form(response)

    def store():
        try:
            cache.set(key, stored, timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache write failed", exc_info=True)

    if in_open_transaction():
        transaction.on_commit(store)
    else:
        store()


# --- The release: what a deploy renders with ------------------------------------------------


def release() -> str:
    """The deployed code, templates, static files and packages (hashed once per process)
    and the settings (hashed again only when a setting changes, as tests do)."""
    return f"{_code_release()}.{_settings_release()}"


@functools.cache
def _code_release() -> str:
    digest = hashlib.sha256()
    for path in sorted(_release_files()):
        digest.update(str(path).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        with path.open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    for name, version in sorted(_installed_packages()):
        digest.update(f"{name}=={version}\0".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def _release_files() -> set[Path]:
    """Every file of the project's own apps and of its template and static folders."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [
        Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
    ]
    for engine in settings.TEMPLATES:
        roots.extend(Path(folder).resolve() for folder in engine.get("DIRS", ()))
    for folder in settings.STATICFILES_DIRS:
        roots.append(Path(folder[1] if isinstance(folder, tuple) else folder).resolve())
    files = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files.add(path)
    return files


def _installed_packages():
    for distribution in metadata.distributions():
        yield (distribution.metadata["Name"] or "", distribution.version or "")


@functools.cache
def _settings_release() -> str:
    values = []
    for name in sorted(dir(settings)):
        if name.isupper():
            values.append((name, _plain(getattr(settings, name, None))))
    # Keyed with SECRET_KEY: the hash says nothing of the settings it covers.
    return salted_hmac("page-cache-release", repr(values)).hexdigest()[:16]


def _plain(value):
    """A value's data, the same in every process (an object's default repr holds its
    address, which differs between workers)."""
    if value is None or isinstance(value, str | int | float | bool | Path):
        return value
    if isinstance(value, dict):
        return tuple(sorted((repr(key), _plain(item)) for key, item in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = tuple(_plain(item) for item in value)
        return tuple(sorted(items, key=repr)) if isinstance(value, set | frozenset) else items
    return type(value).__qualname__


@receiver(setting_changed)
def _settings_changed(**kwargs):
    _settings_release.cache_clear()
