"""CEC documents: the certificate of an AASC class and the transcript of a year."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse

from cec.models import LedgerEntry
from cec.selectors import ledger as ledger_selectors
from credentials import rules
from renewal_portal.infra.documents import StoredDocument, pdf_document
from renewal_portal.infra.pdf import render_pdf
from renewal_portal.infra.spreadsheets import csv_text


def verification_url(entry: LedgerEntry) -> str:
    return settings.SITE_URL + reverse("cec:verify", args=[entry.verification_token])


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI, so the PDF needs no file and no network."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def certificate_filename(entry: LedgerEntry) -> str:
    return f"AASC-certificate-{entry.certificate_number}.pdf"


def certificate_context(entry: LedgerEntry) -> dict:
    session = entry.attendance.session if entry.attendance_id else None
    url = verification_url(entry)
    return {
        "entry": entry,
        "holder": entry.holder,
        "session": session,
        "hours": rules.fmt_hours(entry.hours),
        "cec_word": rules.plural_cecs(entry.hours),
        "verification_url": url,
        "qr_code": qr_code_data_uri(url),
    }


def certificate_pdf(entry: LedgerEntry) -> bytes:
    return render_pdf("pdf/certificate.html", certificate_context(entry))


def certificate_document(entry: LedgerEntry) -> StoredDocument:
    """The certificate PDF for a download, rendered again only when what it shows changed."""
    return pdf_document(
        f"certificate/{entry.pk}",
        "pdf/certificate.html",
        certificate_context(entry),
        filename=certificate_filename(entry),
    )


# --- Transcript ------------------------------------------------------------------------


def transcript_context(holder, year: int) -> dict:
    entries = list(ledger_selectors.transcript_entries(holder, year))
    return {
        "holder": holder,
        "year": year,
        "renewal_year": year + 1,
        "entries": entries,
        "total": sum((e.hours for e in entries), rules.ZERO),
        "in_network": sum(
            (e.hours for e in entries if e.in_network and not e.participation), rules.ZERO
        ),
        "participation": sum((e.hours for e in entries if e.participation), rules.ZERO),
    }


def transcript_filename(holder, year: int, extension: str) -> str:
    return f"AASC-CEC-transcript-{year}.{extension}"


def transcript_pdf(holder, year: int) -> bytes:
    return render_pdf("pdf/transcript.html", transcript_context(holder, year))


def transcript_document(holder, year: int) -> StoredDocument:
    """The transcript PDF for a download, rendered again only when what it shows changed
    (a new entry, a changed state, the issue date it prints)."""
    return pdf_document(
        f"transcript/{holder.pk}-{year}",
        "pdf/transcript.html",
        transcript_context(holder, year),
        filename=transcript_filename(holder, year, "pdf"),
    )


TRANSCRIPT_COLUMNS = [
    "date",
    "activity",
    "source",
    "in_network",
    "participation",
    "cec_hours",
    "state",
    "certificate_number",
]


def transcript_csv(holder, year: int) -> str:
    rows = (
        [
            entry.earned_on.isoformat(),
            entry.title,
            entry.get_source_display(),
            "yes" if entry.in_network else "no",
            "yes" if entry.participation else "no",
            f"{entry.hours:.2f}",
            entry.get_state_display(),
            entry.certificate_number or "",
        ]
        for entry in ledger_selectors.transcript_entries(holder, year)
    )
    return csv_text(TRANSCRIPT_COLUMNS, rows)
