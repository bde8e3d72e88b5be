"""Render a Django template to PDF with WeasyPrint.

Documents (invoices, receipts, certificates, signed forms, transcripts) are HTML
templates in templates/pdf/ with print CSS, so a designer can edit them. Static files
referenced with {% static %} are read from disk; nothing is fetched over the network.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

_STATIC_BASE = "file:///static/"


class LocalStaticFetcher(URLFetcher):
    """Serves /static/… from the project's static files; refuses every remote URL."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"})

    def fetch(self, url, headers=None):
        if url.startswith(_STATIC_BASE):
            name = url[len(_STATIC_BASE) :].split("?", 1)[0]
            path = finders.find(name) or _collected_static(name)
            if not path:
                raise ValueError(f"No static file for {url}")
            url = f"file://{path}"
        elif url.startswith("file:"):
            raise ValueError(f"Documents read only static files ({url}).")
        return super().fetch(url, headers)


def _collected_static(name):
    """A collected file by its hashed name ({% static %} in production mode names
    css/print.<hash>.css, which only STATIC_ROOT holds)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        return staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
    except NotImplementedError:  # a remote static storage has no local path
        return None


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=_STATIC_BASE, url_fetcher=LocalStaticFetcher()).write_pdf()
