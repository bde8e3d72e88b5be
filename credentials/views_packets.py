"""The audit packet of a renewal (PDF, and ZIP with the evidence), and the public page
its QR code opens.

Downloads are scoped by credentials.packet.renewals_with_packets_for: a holder gets
their own (another holder's is a 404), AASC staff any, NAAEI reviewers those submitted to
them. The verification page is public and confirms the renewal, nothing more.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from credentials import packet as selectors
from credentials.packet_pdf import packet_document, packet_zip_document
from credentials.services.packets import audit_packet_of
from renewal_portal.infra import errors
from renewal_portal.infra.downloads import download, limit_document_downloads


def _packet_for(request, pk):
    renewal = get_object_or_404(selectors.renewals_with_packets_for(request.user), pk=pk)
    return selectors.for_viewer(audit_packet_of(renewal), request.user)


@login_required
@require_GET
@limit_document_downloads
def packet_pdf_view(request, pk):
    return download(packet_document(_packet_for(request, pk)))


@login_required
@require_GET
@limit_document_downloads
def packet_zip_view(request, pk):
    # Rendered once per version into the storage, then streamed from there.
    return download(packet_zip_document(_packet_for(request, pk)))


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
