"""The signed CEC Reporting Form as a PDF: what was reported, who signed for AASC, when,
and the note."""

from django.utils.text import slugify

from cec.models import FormState
from cec.selectors.forms import form_audit_trail
from renewal_portal.pdf import render_pdf


def signed_form_pdf(form) -> bytes:
    if form.state != FormState.VERIFIED:
        raise ValueError("Only a verified and signed form has a signed PDF.")
    return render_pdf(
        "pdf/signed_form.html",
        {
            "form": form,
            "entry": form.ledger_entries.first(),
            "evidence": list(form.evidence.all()),
            "trail": form_audit_trail(form),
        },
    )


def signed_form_filename(form) -> str:
    return f"cec-reporting-form-{form.pk}-{slugify(form.title)[:40] or 'signed'}.pdf"
