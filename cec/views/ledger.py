"""The holder's CEC ledger (/cec/), its documents, and the public certificate check.

Every queryset is scoped to the person asking: another holder's entry is a 404. Only
the verification page is public, and it shows what the printed certificate shows.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cec import pdf
from cec.selectors import ledger as selectors
from credentials import page_versions, rules
from credentials import selectors as credential_selectors
from credentials.services.renewals import mark_cec_status_seen
from renewal_portal.infra import errors
from renewal_portal.infra.downloads import download, limit_document_downloads
from renewal_portal.infra.page_cache import cache_page_by_version

# Transcripts exist for years the portal can have entries for; anything else is a 404.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@login_required
@require_GET
@cache_page_by_version(page_versions.holder_page)
def ledger(request):
    """Every CEC the holder earned, by year, and progress on the current renewal.
    Seeing this page is step 3 of the renewal (CEC status checked)."""
    holder = request.user
    renewal = credential_selectors.open_renewal_for(holder)
    # One read of the ledger for the progress, the close-the-gap list and the years.
    entries = selectors.holder_ledger(holder)
    context = {"renewal": renewal}
    if renewal is not None:
        renewal_year = renewal.year
        progress = selectors.progress_from(renewal, entries)
        context.update(
            progress=progress,
            approved=selectors.progress_from(renewal, entries, approved_only=True),
            window=rules.earning_window(renewal.year),
            gap=None
            if progress.complete
            else selectors.close_the_gap(renewal, progress, entries=entries),
        )
        # Only the first visit writes: a write (a lock on SQLite) on every view of the
        # ledger would serialise the holders' page views in renewal season.
        if renewal.completed_at is None and renewal.cec_status_seen_at is None:
            mark_cec_status_seen(renewal, by=holder)
    else:
        renewal_year = credential_selectors.current_renewal_year()
        context["no_renewal_reason"] = credential_selectors.why_no_renewal(holder, renewal_year)
        context["window"] = rules.earning_window(renewal_year)
    cap = renewal.participation_cap if renewal is not None else None
    context.update(
        renewal_year=renewal_year,
        years=selectors.ledger_years(holder, renewal_year, cap, entries=entries),
    )
    return render(request, "cec/ledger.html", context)


@login_required
@require_GET
@limit_document_downloads
def certificate(request, pk):
    entry = get_object_or_404(
        selectors.certificate_entries_visible_to(request.user).select_related(
            "holder", "attendance__session__course"
        ),
        pk=pk,
    )
    return download(pdf.certificate_document(entry))


def _year_or_404(year):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("No transcript for that year.")
    return year


@login_required
@require_GET
@limit_document_downloads
def transcript_pdf(request, year):
    year = _year_or_404(year)
    return download(pdf.transcript_document(request.user, year))


@login_required
@require_GET
@limit_document_downloads
def transcript_csv(request, year):
    year = _year_or_404(year)
    return download(
        pdf.transcript_csv(request.user, year),
        filename=pdf.transcript_filename(request.user, year, "csv"),
        content_type="text/csv",
    )


@never_cache
@require_GET
def verify(request, token):
    """Public: confirms a certificate from its QR code, and nothing more."""
    entry = selectors.entry_by_verification_token(token)
    if entry is None:
        return errors.not_verified(request, "certificate")
    response = render(request, "cec/certificate_verify.html", {"entry": entry})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
