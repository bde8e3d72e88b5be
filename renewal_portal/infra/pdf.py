"""Render a Django template to PDF with WeasyPrint.

Documents (invoices, receipts, certificates, signed forms, transcripts) are HTML
templates in templates/pdf/ with print CSS, so a designer can edit them. Static files
referenced with {% static %} are read from disk; nothing is fetched over the network.
"""

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

STATIC_BASE = "file:///static/"
_STATIC_PREFIX = "/static/"
# Leading and trailing spaces and control characters, which browsers (and urllib) strip.
_URL_JUNK = "".join(chr(code) for code in range(33))


class LocalStaticFetcher(URLFetcher):
    """Serves /static/… from the project's static files and data: URIs; refuses every
    other URL, whatever the case, spacing or encoding of its scheme and path (a file
    outside the static files, any host, any network protocol)."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"})

    def fetch(self, url, headers=None):
        cleaned = (url or "").strip(_URL_JUNK)
        scheme = cleaned.split(":", 1)[0].lower() if ":" in cleaned else ""
        if scheme == "data":
            return super().fetch(cleaned, headers)
        if scheme == "file":
            path = static_file_for(cleaned)
            if path is not None:
                return super().fetch(Path(path).as_uri(), headers)
        raise ValueError(f"Documents read only the portal's static files ({url!r}).")


def static_file_for(url: str) -> str | None:
    """The local path of the static file that a `file:///static/…` URL names, or None for
    anything else (another host, a path outside /static/, `..` in any encoding)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() != "file" or parts.netloc:
        return None
    path = unquote(parts.path)
    if "\\" in path or "\x00" in path or not path.startswith(_STATIC_PREFIX):
        return None
    name = path[len(_STATIC_PREFIX) :]
    if not name or name.startswith("/") or ".." in re.split(r"/+", name):
        return None
    if posixpath.normpath(path) != path.rstrip("/") or not posixpath.normpath(path).startswith(
        _STATIC_PREFIX
    ):
        return None
    try:
        found = finders.find(name) or _collected_static(name)
    except SuspiciousFileOperation:
        return None
    return found if isinstance(found, str) else None


def _collected_static(name):
    """A collected file by its hashed name ({% static %} in production mode names
    css/print.<hash>.css, which only STATIC_ROOT holds)."""
    try:
        return staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
    except (NotImplementedError, SuspiciousFileOperation):  # a remote static storage
        return None


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=LocalStaticFetcher()).write_pdf()
