"""A signed-in holder without credentials claims the record the office keeps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from credentials import roles, selectors
from credentials.forms import ClaimForm
from credentials.models import Claim, ClaimState
from credentials.services import claims


@login_required
@require_http_methods(["GET", "POST"])
def claim(request):
    """Credential number + last name + ZIP; the same answer whether or not it matches."""
    if not roles.is_holder(request.user):
        raise PermissionDenied("Office accounts do not claim holder records.")
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claims.submit_claim(request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, claims.CLAIM_SENT)
            return redirect("credentials:claim")
    return render(
        request,
        "credentials/claim.html",
        {
            "form": form,
            "has_credentials": selectors.credentials_held_by(request.user).exists(),
            "waiting": Claim.objects.filter(
                claimant=request.user, state__in=[ClaimState.WAITING, ClaimState.NO_MATCH]
            ).exists(),
        },
    )
