"""Holder-facing invoice pages: the invoice and its PDF.

A holder sees only their own invoices (anyone else's is a 404); AASC staff may open any.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from credentials import page_versions
from payments.pdf import (
    invoice_context,
    invoice_document,
)
from payments.selectors import invoice_visible_to, invoices_visible_to
from renewal_portal.infra.downloads import download, limit_document_downloads
from renewal_portal.infra.page_cache import cache_page_by_version


@login_required
@require_GET
@cache_page_by_version(page_versions.holder_page)
def invoice_detail(request, number):
    invoice = invoice_visible_to(request.user, number)
    if invoice is None:
        raise Http404("No such invoice.")
    return render(
        request,
        "payments/invoice.html",
        invoice_context(invoice, getattr(request.user, "catalog_version", None)),
    )


@login_required
@require_GET
@limit_document_downloads
def invoice_download(request, number):
    invoice = get_object_or_404(invoices_visible_to(request.user), number=number)
    return download(invoice_document(invoice))
