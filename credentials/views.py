from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from credentials import catalog_reads, page_versions, selectors, sites
from credentials.badges import links as badge_links
from credentials.forms import ContactDetailsForm
from credentials.services import profiles, renewals
from renewal_portal.infra.page_cache import cache_page_by_version


@login_required
@require_http_methods(["GET", "POST"])
@cache_page_by_version(page_versions.holder_page)
def profile(request):
    """Contact details (SPEC), and step 1 of the renewal: confirming them for the cycle."""
    contact = profiles.get_or_create_profile(request.user)
    renewal = selectors.open_renewal_for(request.user)
    form = ContactDetailsForm(request.POST or None, instance=contact, user=request.user)
    if request.method == "POST" and form.is_valid():
        confirm = renewal if "confirm" in request.POST and renewal else None
        profiles.update_contact_details(form, confirm_renewal=confirm)
        if confirm:
            messages.success(
                request, f"Contact details saved and confirmed for your {renewal.year} renewal."
            )
            return redirect("credentials:renewal")
        messages.success(request, "Your contact details are saved.")
        return redirect("credentials:profile")
    return render(request, "credentials/profile.html", {"form": form, "renewal": renewal})


@login_required
@require_http_methods(["POST"])
def confirm_contact(request):
    renewal = selectors.open_renewal_for(request.user)
    if renewal is None:
        messages.error(request, "You have no renewal open to confirm your details for.")
        return redirect("credentials:profile")
    try:
        profiles.confirm_contact_details(renewal, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("credentials:profile")
    messages.success(request, f"Contact details confirmed for your {renewal.year} renewal.")
    return redirect("credentials:profile")


@login_required
@require_http_methods(["POST"])
def cec_status_seen(request):
    """Step 3: the holder confirms they have checked their CECs earned against owed."""
    current = selectors.open_renewal_for(request.user)
    if current is None:
        messages.error(request, "You have no renewal open.")
        return redirect("credentials:renewal")
    renewals.mark_cec_status_seen(current, by=request.user)
    messages.success(request, "Step 3 done: you have checked your CEC status.")
    return redirect("credentials:renewal")


@login_required
@require_http_methods(["GET"])
@cache_page_by_version(page_versions.holder_page)
def credentials(request):
    """The holder's credentials with their status and dates, each with its digital badge
    (download, add to LinkedIn)."""
    # The catalog's rows, kept per process while its version stays (catalog_reads).
    version = getattr(request.user, "catalog_version", None)
    book = selectors.RequirementBook(sets=catalog_reads.requirement_sets(version))
    rows = selectors.credentials_of(request.user, book=book)
    organisation = sites.name_of_office(catalog_reads.office_contact(version))
    return render(
        request,
        "credentials/credentials.html",
        {
            "rows": rows,
            "rows_with_badges": list(
                zip(
                    rows,
                    badge_links.links_for((row.credential for row in rows), organisation),
                    strict=True,
                )
            ),
            "verify_url": badge_links.verify_page_url(),
            "verify_qr": badge_links.verify_page_qr_svg() if rows else "",
            "today": selectors.today(),
        },
    )


@cache_page_by_version(page_versions.holder_page)
def faq(request):
    return render(request, "credentials/faq.html", {"entries": selectors.published_faq()})


@cache_page_by_version(page_versions.holder_page)
def contact(request):
    return render(request, "credentials/contact.html", {"office": selectors.office_contact()})
