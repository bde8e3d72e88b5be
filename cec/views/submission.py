"""The holder's one CEC submission for the current renewal (SPEC rule 5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cec.forms_review import SubmissionForm
from cec.selectors import submissions as selectors
from cec.services.submissions import submit_cecs
from credentials import page_versions
from credentials.selectors import open_renewal_for
from renewal_portal.infra.page_cache import cache_page_by_version


@login_required
@require_http_methods(["GET", "POST"])
@cache_page_by_version(page_versions.holder_page)
def start(request):
    renewal = open_renewal_for(request.user)
    if renewal is None:
        return render(request, "cec/submission/start.html", {"renewal": None})
    live = selectors.live_submission_for(renewal)
    proposal = selectors.submission_proposal(renewal)
    form = None
    if live is None:
        form = SubmissionForm(
            request.POST if request.method == "POST" else None, countable=proposal.countable
        )
        if request.method == "POST" and form.is_valid():
            try:
                submit_cecs(renewal, form.cleaned_data["entries"], by=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, f"Your CECs for the {renewal.year} renewal are submitted to NAAEI."
                )
                return redirect("cec_submission:start")
    elif request.method == "POST":
        messages.error(request, "There is one submission per renewal, and yours is already in.")
        return redirect("cec_submission:start")
    return render(
        request,
        "cec/submission/start.html",
        {
            "renewal": renewal,
            "live": live,
            "latest": selectors.latest_submission_for(renewal),
            "proposal": proposal,
            "form": form,
            "selected": {str(value) for value in (form["entries"].value() or [])}
            if form
            else set(),
            "live_progress": selectors.submission_progress(live) if live else None,
        },
    )
