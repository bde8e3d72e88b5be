"""Rendered documents kept until their content changes (issue 15 item 8).

Rendering a PDF takes WeasyPrint seconds; rendering the HTML it is made from takes
milliseconds. So each document is rendered to HTML on every request, and the HTML is
what names its version: a SHA-256 of the HTML, of every static file it references
(print CSS, fonts, images) and of the WeasyPrint version. Any change to the rows a
document shows, to its template or to its CSS gives a new HTML, so a new version, so a
new render; an unchanged document is streamed from the default storage (the same
private storage as evidence files, never served by a public URL).

Each document has a slot (e.g. "invoice/41"); a slot keeps only its newest version, so
the storage holds at most one file per document and viewer.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass

import weasyprint
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from renewal_portal.infra.pdf import STATIC_BASE, html_to_pdf, static_file_for

logger = logging.getLogger(__name__)

FOLDER = "documents"
_STATIC_REFERENCE = re.compile(r"""(?:href|src|url)\s*[=(]\s*["']?(/static/[^"')\s?#]+)""")
_SLOT = re.compile(r"^[a-z0-9-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class StoredDocument:
    """A rendered document in the default storage, and what the download calls it."""

    name: str
    filename: str
    content_type: str
    # Archives are streamed from the storage; a PDF (bounded, see clip) is sent whole.
    stream: bool = False

    def open(self):
        return default_storage.open(self.name, "rb")

    def read(self) -> bytes:
        with self.open() as handle:
            return handle.read()


def clip(text, limit: int) -> str:
    """At most `limit` characters of a text a person typed, so that no text, however long,
    makes a document slow to render; the cut is said, never silent."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + f" … [{len(text) - limit:,} more characters not shown]"


def version_of(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def html_version(html: str) -> str:
    """The version of the PDF made from `html`: its text, the static files it reads and
    the renderer."""
    static = [_static_fingerprint(path) for path in sorted(set(_STATIC_REFERENCE.findall(html)))]
    return version_of("pdf", weasyprint.__version__, html, *static)


def _static_fingerprint(path: str) -> str:
    local = static_file_for(STATIC_BASE.removesuffix("/static/") + path)
    if local is None:
        return f"{path}:missing"
    stat = os.stat(local)
    # By content, not by date: every web server of a deploy names the same version.
    return f"{path}:{_file_digest(local, stat.st_size, stat.st_mtime_ns)}"


@functools.lru_cache(maxsize=256)
def _file_digest(local: str, size: int, mtime_ns: int) -> str:
    with open(local, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def pdf_document(
    slot: str,
    template_name: str,
    context: dict,
    *,
    filename: str,
    version_context: dict | None = None,
) -> StoredDocument:
    """The PDF of `template_name` with `context`, rendered only if this version is not
    stored yet. `version_context` is the context without what changes on every render
    (e.g. a "generated at" time), when there is such a thing."""
    basis = render_to_string(template_name, version_context or context)
    name = _name(slot, html_version(basis), "pdf")
    if not default_storage.exists(name):
        html = basis if version_context is None else render_to_string(template_name, context)
        _store(slot, name, ContentFile(html_to_pdf(html)))
    return StoredDocument(name=name, filename=filename, content_type="application/pdf")


def file_document(
    slot: str, version: str, *, extension: str, filename: str, content_type: str, write
) -> StoredDocument:
    """A document written by `write(binary_file)` (e.g. a ZIP), only if this version is not
    stored yet; it is spooled through a temporary file, never held in memory."""
    name = _name(slot, version, extension)
    if not default_storage.exists(name):
        with tempfile.TemporaryFile() as spool:
            write(spool)
            spool.seek(0)
            _store(slot, name, File(spool))
    return StoredDocument(name=name, filename=filename, content_type=content_type, stream=True)


def _name(slot: str, version: str, extension: str) -> str:
    if not _SLOT.match(slot):
        raise ValueError(f"Not a document slot: {slot!r}")
    return f"{FOLDER}/{slot}/{version}.{extension}"


def _store(slot: str, name: str, content) -> None:
    # Two requests may render the same version at once: the second finds the first's file.
    if default_storage.exists(name):
        return
    stored = default_storage.save(name, content)
    if stored != name:  # a concurrent request stored it first under the exact name
        default_storage.delete(stored)
    _forget_older_versions(slot, keep=name)


def _forget_older_versions(slot: str, keep: str) -> None:
    folder = f"{FOLDER}/{slot}"
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for file in files:
        name = f"{folder}/{file}"
        if name != keep:
            try:
                default_storage.delete(name)
            except OSError:  # already gone, or being read on a platform that locks files
                logger.info("Could not delete the old document version %s", name)
