"""Render a Django template to PDF with WeasyPrint.

Documents (invoices, receipts, certificates, signed forms, transcripts) are HTML
templates in templates/pdf/ with print CSS, so a designer can edit them. Static files
referenced with {% static %} are read from disk, never fetched over the network.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML, default_url_fetcher


def _local_static_fetcher(url, *args, **kwargs):
    marker = "/static/"
    if marker in url and not url.startswith("data:"):
        path = finders.find(url.split(marker, 1)[1].split("?", 1)[0])
        if path:
            return default_url_fetcher(f"file://{path}", *args, **kwargs)
    if url.startswith(("data:", "file:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"Documents load no remote resources ({url}).")


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    return HTML(
        string=html, base_url="file:///static/", url_fetcher=_local_static_fetcher
    ).write_pdf()
