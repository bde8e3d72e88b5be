"""Documents render from templates, with the project's print CSS and no network."""

import io

import pytest
from pypdf import PdfReader

from renewal_portal.pdf import LocalStaticFetcher, render_pdf


def test_a_document_renders_with_the_letterhead():
    pdf = render_pdf("pdf/base.html", {})
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert pdf.startswith(b"%PDF")
    assert "Apartment Association of Southern Colorado" in text


def test_documents_never_fetch_remote_resources():
    with pytest.raises(ValueError):
        LocalStaticFetcher().fetch("https://example.org/tracker.png")


def test_documents_read_static_files_but_no_other_local_file():
    assert LocalStaticFetcher().fetch("file:///static/css/print.css") is not None
    with pytest.raises(ValueError):
        LocalStaticFetcher().fetch("file:///etc/passwd")
