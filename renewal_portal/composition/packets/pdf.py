"""The audit packet's documents: the PDF, the CSV of its entries, and the ZIP that holds
both with the original evidence files (read through the storage API, so the files may
live on disk or in an object store)."""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import replace

from django.conf import settings
from django.urls import reverse

from cec.pdf import qr_code_data_uri
from credentials import rules
from renewal_portal.composition.packets.packet import AuditPacket
from renewal_portal.infra.documents import StoredDocument, file_document, pdf_document, version_of
from renewal_portal.infra.pdf import render_pdf
from renewal_portal.infra.spreadsheets import csv_text

logger = logging.getLogger(__name__)


def verification_url(packet: AuditPacket) -> str:
    return settings.SITE_URL + reverse("credentials:packet_verify", args=[packet.token.token])


def packet_basename(renewal) -> str:
    return f"AASC-audit-packet-{renewal.year}-R{renewal.pk}"


# --- PDF ---------------------------------------------------------------------------------


def packet_context(packet: AuditPacket) -> dict:
    url = verification_url(packet)
    return {
        "packet": packet,
        "renewal": packet.renewal,
        "holder": packet.holder,
        "contact": packet.contact,
        "progress": packet.progress,
        "fmt": rules.fmt_hours,
        "earned": rules.fmt_hours(packet.progress.earned),
        "owed": rules.fmt_hours(packet.progress.owed),
        "in_network": rules.fmt_hours(packet.progress.in_network),
        "in_network_min": rules.fmt_hours(packet.progress.in_network_min),
        "participation": rules.fmt_hours(packet.progress.participation),
        "participation_counted": rules.fmt_hours(packet.progress.participation_counted),
        "participation_cap": (
            rules.fmt_hours(packet.progress.participation_cap)
            if packet.progress.participation_cap is not None
            else None
        ),
        "verification_url": url,
        "qr_code": qr_code_data_uri(url),
    }


def packet_pdf(packet: AuditPacket) -> bytes:
    return render_pdf("pdf/audit_packet.html", packet_context(packet))


def _slot(packet: AuditPacket) -> str:
    # The reviewer's copy leaves payments out: it is a document of its own.
    copy = "reviewer" if packet.payments_withheld else "full"
    return f"{packet.renewal.pk}-{copy}"


def packet_document(packet: AuditPacket) -> StoredDocument:
    """The packet PDF for a download, rendered again only when what it shows changed (the
    time it was generated is not part of its version: it prints when it was rendered)."""
    return pdf_document(
        f"packet-pdf/{_slot(packet)}",
        "pdf/audit_packet.html",
        packet_context(packet),
        filename=f"{packet_basename(packet.renewal)}.pdf",
        version_context=packet_context(replace(packet, generated_at=None)),
    )


# --- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS = [
    "date",
    "activity",
    "source",
    "in_network",
    "participation",
    "cec_hours",
    "state",
    "recorded_by",
    "recorded_at",
    "certificate_number",
    "class",
    "instructor",
    "reporting_form",
    "signed_by",
    "signed_at",
    "signature_note",
    "evidence_files",
    "decision",
    "decided_by",
    "decided_at",
    "decision_note",
]


def _iso(value) -> str:
    return value.isoformat() if value else ""


def packet_csv(packet: AuditPacket) -> str:
    rows = []
    for row in packet.entries:
        entry, form, attendance = row.entry, row.form, row.attendance
        decision = row.decisions[-1] if row.decisions else None
        rows.append(
            [
                entry.earned_on.isoformat(),
                entry.title,
                entry.get_source_display(),
                "yes" if entry.in_network else "no",
                "yes" if entry.participation else "no",
                f"{entry.hours:.2f}",
                entry.get_state_display(),
                row.recorded_by,
                _iso(row.recorded_at),
                entry.certificate_number or "",
                attendance.course if attendance else "",
                attendance.instructor if attendance else "",
                f"#{form.form_id}" if form else "",
                form.signed_by if form else "",
                _iso(form.signed_at) if form else "",
                form.signature_note if form else "",
                "; ".join(f.zip_name for f in form.files) if form else "",
                decision.state if decision else "",
                decision.decided_by if decision else "",
                _iso(decision.decided_at) if decision else "",
                decision.note if decision else "",
            ]
        )
    return csv_text(CSV_COLUMNS, rows)


# --- ZIP ---------------------------------------------------------------------------------


def write_packet_zip(packet: AuditPacket, target, pdf: bytes | None = None) -> None:
    """Write the packet's ZIP to the binary file `target`: the PDF, the CSV and every
    evidence file, in one folder named after the renewal. An evidence file missing from
    the storage is listed in MISSING-EVIDENCE.txt rather than failing the packet."""
    base = packet_basename(packet.renewal)
    pdf = pdf if pdf is not None else packet_pdf(packet)
    missing = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{base}/{base}.pdf", pdf)
        archive.writestr(f"{base}/cec-entries.csv", packet_csv(packet))
        for file in packet.evidence_files:
            evidence, name = file.evidence, f"{base}/{file.zip_name}"
            try:
                with evidence.file.storage.open(evidence.file.name, "rb") as source:
                    with archive.open(name, "w") as sink:
                        while chunk := source.read(1024 * 1024):
                            sink.write(chunk)
            except OSError:
                logger.warning("Evidence %s of form %s is missing", evidence.pk, evidence.form_id)
                missing.append(f"{file.zip_name} ({file.original_name})")
        if missing:
            archive.writestr(
                f"{base}/MISSING-EVIDENCE.txt",
                "These evidence files could not be read from storage:\n" + "\n".join(missing),
            )


def packet_zip_document(packet: AuditPacket) -> StoredDocument:
    """The packet ZIP for a download: its PDF (kept as above), its CSV and its evidence
    files; built again only when one of them changed, written to the storage through a
    temporary file and streamed from there."""
    pdf = packet_document(packet)
    evidence = [
        f"{file.evidence.pk}:{file.evidence.file.name}:{file.evidence.size_bytes}:{file.zip_name}"
        for file in packet.evidence_files
    ]
    csv_text = packet_csv(packet)
    version = version_of("zip", pdf.name, csv_text, *evidence)
    return file_document(
        f"packet-zip/{_slot(packet)}",
        version,
        extension="zip",
        filename=f"{packet_basename(packet.renewal)}.zip",
        content_type="application/zip",
        write=lambda target: write_packet_zip(packet, target, pdf=pdf.read()),
    )


def packet_zip(packet: AuditPacket) -> bytes:
    out = io.BytesIO()
    write_packet_zip(packet, out)
    return out.getvalue()
