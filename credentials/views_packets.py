"""The audit packet of a renewal (PDF, and ZIP with the evidence), and the public page
its QR code opens.

Downloads are scoped by credentials.packet.renewals_with_packets_for: a holder gets
their own (another holder's is a 404), AASC staff any, NAAEI reviewers those submitted to
them. The verification page is public and confirms the renewal, nothing more.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from credentials import packet as selectors
from credentials.packet_pdf import packet_basename, packet_pdf, write_packet_zip
from credentials.services.packets import audit_packet_of
from renewal_portal import errors


def _renewal_or_404(user, pk):
    return get_object_or_404(selectors.renewals_with_packets_for(user), pk=pk)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def packet_pdf_view(request, pk):
    renewal = _renewal_or_404(request.user, pk)
    content = packet_pdf(selectors.for_viewer(audit_packet_of(renewal), request.user))
    return _download(content, "application/pdf", f"{packet_basename(renewal)}.pdf")


@login_required
@require_GET
def packet_zip_view(request, pk):
    renewal = _renewal_or_404(request.user, pk)
    # Evidence files can be large: the ZIP goes through a temporary file, not memory.
    spool = tempfile.TemporaryFile()
    write_packet_zip(selectors.for_viewer(audit_packet_of(renewal), request.user), spool)
    spool.seek(0)
    response = FileResponse(
        spool,
        content_type="application/zip",
        as_attachment=True,
        filename=f"{packet_basename(renewal)}.zip",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
def packet_verify(request, token):
    """Public: the holder's name, the credentials, the year and the status; nothing else."""
    renewal = selectors.renewal_by_packet_token(token)
    if renewal is None:
        return errors.not_verified(request, "audit packet")
    response = render(
        request,
        "credentials/packet_verify.html",
        {
            "holder_name": renewal.holder.public_name,
            "year": renewal.year,
            "credentials": [item.credential.credential_type for item in renewal.items.all()],
            "status": selectors.packet_status(renewal),
            "completed": renewal.completed_at is not None,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
