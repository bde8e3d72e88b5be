"""Documents render from templates, with the project's print CSS and no network."""

import io

import pytest
from pypdf import PdfReader

from renewal_portal.infra.pdf import LocalStaticFetcher, render_pdf


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


# --- Issue 15 item 11: only our static files and data: URIs, whatever the spelling ---------

LOCAL_FILE_VARIANTS = [
    "FILE:///etc/passwd",
    "File:///etc/passwd",
    "fIlE:///etc/passwd",
    " file:///etc/passwd",
    "\tFILE:///etc/passwd",
    "file:///etc/passwd ",
    "file://localhost/etc/passwd",
    "FILE://localhost/etc/passwd",
    "file://127.0.0.1/etc/passwd",
    "file://example.org/static/css/print.css",
    "file:/etc/passwd",
    "FILE:/etc/passwd",
    "file:etc/passwd",
    "file:///static/../../etc/passwd",
    "FILE:///static/../../etc/passwd",
    "file:///static/%2e%2e/%2e%2e/etc/passwd",
    "file:///static/..%2f..%2fetc%2fpasswd",
    "file:///static/%2E%2E/%2E%2E/etc/passwd",
    "file:///static//etc/passwd",
    "file:///static/css/../../../etc/passwd",
    "file:///%73tatic/../etc/passwd",
    "file:///etc/%70asswd",
    "file:%2F%2F%2Fetc%2Fpasswd",
    "jar:file:///etc/passwd!/",
    "ftp://example.org/x.png",
    "HTTP://example.org/tracker.png",
    "Https://example.org/tracker.png",
    "//example.org/tracker.png",
    "/etc/passwd",
    "../../etc/passwd",
    "",
]


@pytest.mark.parametrize("url", LOCAL_FILE_VARIANTS)
def test_documents_refuse_every_spelling_of_a_file_outside_static(url):
    with pytest.raises(ValueError):
        LocalStaticFetcher().fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///static/css/print.css",
        "FILE:///static/css/print.css",
        "File:///static/css/print.css?v=2",
        " file:///static/css/print.css",
        "file:///static/css/%70rint.css",
        "data:text/plain;base64,aGVsbG8=",
        "DATA:text/plain,hello",
    ],
)
def test_documents_read_static_files_and_data_uris_in_any_case(url):
    assert LocalStaticFetcher().fetch(url) is not None


@pytest.mark.parametrize(
    "href",
    [
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/hostname",
        "css/../../../../../../../etc/passwd",
    ],
)
def test_a_template_cannot_pull_a_local_file_into_a_document(href, tmp_path):
    # A relative or absolute reference in a document resolves against file:///static/;
    # anything it reaches outside the static files is left out of the PDF.
    secret = "root:x:0:0"
    html = f'<html><body><p>Visible</p><iframe src="{href}"></iframe>'
    html += f'<object data="{href}"></object><img src="{href}"></body></html>'
    from weasyprint import HTML

    from renewal_portal.infra.pdf import STATIC_BASE

    pdf = HTML(string=html, base_url=STATIC_BASE, url_fetcher=LocalStaticFetcher()).write_pdf()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Visible" in text
    assert secret not in text
