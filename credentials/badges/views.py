"""Pages and endpoints of the badges: the holder's download; and, public, the issuer's DID
document, the status list and the verification page."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from credentials.selectors import credentials_held_by
from renewal_portal.infra.downloads import download as download_response

from . import badges, baking, issuer, keys, status_list
from .forms import VerifyForm
from .verify import verify


def _json(data, content_type):
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Type"] = content_type
    response["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers fetch these
    return response


@require_safe
@cache_control(public=True, max_age=status_list.STATUS_LIST_MAX_AGE)
def did_document(request):
    return _json(issuer.did_document(), "application/did+json")


@require_safe
@cache_control(public=True, max_age=status_list.STATUS_LIST_MAX_AGE)
def status_list_credential(request, list_id):
    if list_id != status_list.LIST_ID:
        raise Http404("No such status list.")
    try:
        credential = status_list.signed_status_list()
    except keys.NoIssuerKey as exc:
        raise Http404("The issuer has no signing key yet.") from exc
    return _json(credential, "application/vc+ld+json")


def _own_badge(request, badge_id):
    """The signed-in holder's own credential and its badge, signed now."""
    credential = get_object_or_404(credentials_held_by(request.user), badge_id=badge_id)
    try:
        return credential, badges.issue_badge(credential)
    except keys.NoIssuerKey as exc:
        raise Http404("Badges are not set up yet.") from exc


def _filename(credential, extension):
    return f"{credential.credential_type.code}-{credential.number}.{extension}"


@login_required
@require_safe
def download(request, badge_id):
    """The holder's own credential as a signed Open Badge (JSON), signed now."""
    credential, badge = _own_badge(request, badge_id)
    return download_response(
        json.dumps(badge, indent=2, ensure_ascii=False),
        filename=_filename(credential, "json"),
        content_type="application/vc+ld+json",
    )


@login_required
@require_safe
def download_svg(request, badge_id):
    """The holder's own credential as a baked SVG badge (the signed credential inside)."""
    credential, badge = _own_badge(request, badge_id)
    return download_response(
        baking.bake_svg(credential, badge),
        filename=_filename(credential, "svg"),
        content_type="image/svg+xml",
    )


@require_http_methods(["GET", "POST"])
def verify_page(request):
    """Anyone pastes or uploads a credential; the page says what holds and what does not."""
    result = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            result = verify(form.cleaned_data["credential"])
    else:
        form = VerifyForm()
    return render(
        request,
        "badges/verify.html",
        {"form": form, "result": result, "did": issuer.issuer_did()},
    )
