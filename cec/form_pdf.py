"""The signed CEC Reporting Form as a PDF: what was reported, who signed for AASC, when,
and the note.

What a holder typed goes into the render cut to DOCUMENT_TEXT_MAX_CHARS, and the history
to its latest DOCUMENT_MAX_HISTORY_ROWS rows, so no form, however long its text or its
history, makes the PDF slow to render (issue 15 item 8)."""

from dataclasses import replace

from django.conf import settings
from django.utils.text import slugify

from cec.models import FormState
from cec.selectors.forms import form_audit_trail
from renewal_portal.infra.documents import StoredDocument, clip, pdf_document
from renewal_portal.infra.pdf import render_pdf


def signed_form_context(form) -> dict:
    if form.state != FormState.VERIFIED:
        raise ValueError("Only a verified and signed form has a signed PDF.")
    limit = settings.DOCUMENT_TEXT_MAX_CHARS
    trail = form_audit_trail(form)
    shown = max(1, settings.DOCUMENT_MAX_HISTORY_ROWS)
    return {
        "form": form,
        "title": clip(form.title, limit),
        "organiser": clip(form.organiser, limit),
        "description": clip(form.description, limit),
        "signature_note": clip(form.signature_note, limit),
        "entry": form.ledger_entries.first(),
        "evidence": list(form.evidence.all()),
        "trail": [replace(step, note=clip(step.note, limit)) for step in trail[-shown:]],
        "earlier_changes": max(0, len(trail) - shown),
    }


def signed_form_pdf(form) -> bytes:
    return render_pdf("pdf/signed_form.html", signed_form_context(form))


def signed_form_document(form) -> StoredDocument:
    """The signed form for a download, rendered again only when what it shows changed."""
    return pdf_document(
        f"signed-form/{form.pk}",
        "pdf/signed_form.html",
        signed_form_context(form),
        filename=signed_form_filename(form),
    )


def signed_form_filename(form) -> str:
    return f"cec-reporting-form-{form.pk}-{slugify(form.title[:200])[:40] or 'signed'}.pdf"
