"""The holder's pages that compose everything: home (the one next action) and the
renewal page (four steps, invoice, CEC progress)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cec.selectors.ledger import progress_for_renewal
from credentials import page_versions, roles, rules, selectors
from payments.selectors import lines_of
from renewal_portal.composition import holder_status
from renewal_portal.composition.renewal_steps import invoice_of, renewal_steps
from renewal_portal.infra.page_cache import cache_page_by_version


@cache_page_by_version(page_versions.holder_page)
def home(request):
    context = {}
    if request.user.is_authenticated:
        if roles.is_holder(request.user) and not selectors.has_credentials_on_record(request.user):
            return welcome(request)
        context["next_action"] = holder_status.next_action_for(request.user)
    return render(request, "credentials/home.html", context)


def welcome(request):
    """A new holder whose credentials the office has not linked yet: what happens next."""
    contact = getattr(request.user, "profile", None)
    return render(
        request,
        "credentials/welcome.html",
        {
            "office": selectors.office_contact(),
            "contact_complete": contact is not None and contact.is_complete,
        },
    )


@login_required
@require_http_methods(["GET"])
@cache_page_by_version(page_versions.holder_page)
def renewal(request):
    """The holder's renewal for the current year as four steps (SPEC rule 8), or why
    there is none."""
    year = selectors.current_renewal_year()
    current = selectors.open_renewal_for(request.user)
    context = {"year": year, "renewal": current}
    if current is None:
        context["why"] = selectors.why_no_renewal(request.user, year)
        context["new_holder"] = not selectors.has_credentials_on_record(request.user)
        context["lapsed"] = selectors.lapsed_credentials_of(request.user)
    else:
        first, last = rules.earning_window(current.year)
        invoice = invoice_of(current)
        reinstatements = holder_status.reinstatements_of(current)
        context.update(
            reinstatements=reinstatements,
            reinstatement_cost=holder_status.reinstatement_cost(current, reinstatements)
            if reinstatements
            else "",
            steps=renewal_steps(current),
            phase=selectors.renewal_phase(current),
            invoice=invoice,
            invoice_lines=lines_of(invoice) if invoice is not None else [],
            items=selectors.items_of(current),
            progress=progress_for_renewal(current),
            window_first=first,
            window_last=last,
        )
    return render(request, "credentials/renewal.html", context)
