"""The one way a personal document leaves the portal (issue 15 items 8 and 14).

`download()` answers every document view (invoice, receipt, certificate, transcript,
signed form, evidence, audit packet, CSV exports): streamed from the storage or a file,
`Cache-Control: private, no-store` (no shared cache or browser history keeps a copy),
`nosniff`, and a safe Content-Disposition. `@limit_document_downloads` counts each
person's downloads of rendered documents in the shared cache, so the limit holds across
every web worker, and answers 429 with a plain page once it is reached.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from renewal_portal.infra.documents import StoredDocument

PRIVATE = {"private": True, "no_store": True}


def download(
    content,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    inline: bool = False,
) -> HttpResponse:
    """A personal document as a response: `content` is a StoredDocument, an open binary
    file (streamed), or bytes/str (small, e.g. a CSV)."""
    if isinstance(content, StoredDocument):
        filename = filename or content.filename
        content_type = content_type or content.content_type
        content = content.open() if content.stream else content.read()
    if isinstance(content, str | bytes):
        response = HttpResponse(content, content_type=content_type)
        disposition = "inline" if inline else "attachment"
        response["Content-Disposition"] = _disposition(disposition, filename)
    else:
        response = FileResponse(
            content, content_type=content_type, as_attachment=not inline, filename=filename
        )
    return private(response)


def private(response):
    """Mark a response personal: never stored by a proxy, a shared cache or the browser."""
    response.headers.pop("Cache-Control", None)
    patch_cache_control(response, **PRIVATE)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _disposition(kind: str, filename: str | None) -> str:
    # The same quoting and encoding of the name as FileResponse gives streamed files.
    return content_disposition_header(kind == "attachment", filename) if filename else kind


# --- Rate limit --------------------------------------------------------------------------


def limit_document_downloads(view):
    """At most DOCUMENT_DOWNLOADS_PER_WINDOW downloads of rendered documents per person in
    DOCUMENT_DOWNLOAD_WINDOW_SECONDS, counted in the shared cache; beyond it, a 429 page
    that says when to try again. Put it under @login_required."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        allowed, retry_after = _count_download(request.user.pk)
        if not allowed:
            return too_many_downloads(request, retry_after)
        return view(request, *args, **kwargs)

    return wrapper


def _count_download(user_id) -> tuple[bool, int]:
    # The window starts at a person's first download (not on the clock's minute), so two
    # downloads a second apart always share a count, whenever they fall.
    window = max(1, int(settings.DOCUMENT_DOWNLOAD_WINDOW_SECONDS))
    limit = int(settings.DOCUMENT_DOWNLOADS_PER_WINDOW)
    now = time.time()
    start_key = f"document-downloads:{user_id}:start"
    count_key = f"document-downloads:{user_id}:count"
    if cache.add(start_key, now, timeout=window):
        cache.set(count_key, 0, timeout=window + 5)
    start = cache.get(start_key, now)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between the two calls
        cache.set(count_key, 1, timeout=window + 5)
        count = 1
    retry_after = max(1, int(start + window - now) + 1)
    return count <= limit, retry_after


def too_many_downloads(request, retry_after: int):
    response = render(
        request,
        "downloads/too_many.html",
        {
            "limit": settings.DOCUMENT_DOWNLOADS_PER_WINDOW,
            "window_seconds": settings.DOCUMENT_DOWNLOAD_WINDOW_SECONDS,
            "retry_after": retry_after,
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return private(response)
