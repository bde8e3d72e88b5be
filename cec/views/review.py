"""The NAAEI reviewer's queue: approve or reject CEC submissions (SPEC rule 7).

Only users with cec.review_submission (the "NAAEI reviewer" group) get in; everyone
else signed in gets 403. Nothing here shows payments.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cec.forms_review import BulkApproveForm, QueueFilterForm, RejectForm
from cec.models import Submission
from cec.selectors import submissions as selectors
from cec.services import submissions as services
from credentials import catalog_reads, page_versions
from credentials.permissions import REVIEW_SUBMISSION
from renewal_portal.infra.history import history_of
from renewal_portal.infra.page_cache import cache_page_by_version


def reviewer_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(REVIEW_SUBMISSION):
            raise PermissionDenied("The review queue is for NAAEI reviewers.")
        return view(request, *args, **kwargs)

    return wrapper


# The queue is read a page at a time, by key (after or before a submission), not by
# offset: in season thousands of submissions wait, and any page of them costs the same
# few queries however many there are.
QUEUE_PAGE_SIZE = 50


def _queue_versions(request):
    """The queue's versions, for its first page under filters it accepts. A filter it
    ignores (a made-up year or state) is rendered and not stored, and so is a page further
    on (`after`/`before` are cursors anyone can make up, left out of `query`): nobody fills
    the cache with copies of the queue under made-up addresses."""
    if request.GET and not QueueFilterForm(request.GET).is_valid():
        return None
    return page_versions.review_queue_page(request)


@reviewer_required
@require_GET
@cache_page_by_version(_queue_versions, query=("state", "year", "credential"))
def queue(request):
    filters = QueueFilterForm(
        request.GET or None,
        credential_types=catalog_reads.credential_type_names(
            getattr(request.user, "catalog_version", None)
        ),
    )
    page = selectors.review_queue_page(
        filters.filters(),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=QUEUE_PAGE_SIZE,
    )
    query = request.GET.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    return render(
        request,
        "review/queue.html",
        {
            "filters": filters,
            "submissions": page.rows,
            "page": page,
            "page_query": query.urlencode(),
            "waiting": not request.GET.get("state"),
            # A submission's page is this prefix and its id (one reverse for the page).
            "detail_url": reverse("review:queue"),
        },
    )


def _submission_or_404(pk):
    try:
        return selectors.submission_for_review(pk)
    except Submission.DoesNotExist as exc:
        raise Http404("No such submission.") from exc


def _render_detail(request, submission, reject_form=None, status=200):
    return render(
        request,
        "review/detail.html",
        {
            "submission": submission,
            "renewal": submission.renewal,
            "progress": selectors.submission_progress(submission),
            "reject_form": reject_form or RejectForm(),
            "history": history_of(submission),
        },
        status=status,
    )


# Approving completes step 4 of a renewal and cannot be undone here: it takes a tick.
NOT_CONFIRMED = (
    "Tick “I have checked every entry and its evidence” to approve: nothing was approved."
)


@reviewer_required
@require_GET
def detail(request, pk):
    return _render_detail(request, _submission_or_404(pk))


@reviewer_required
@require_POST
def approve(request, pk):
    submission = _submission_or_404(pk)
    if not request.POST.get("confirm"):
        messages.error(request, NOT_CONFIRMED)
        return redirect("review:detail", pk=submission.pk)
    try:
        services.approve_submission(submission, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return redirect("review:detail", pk=submission.pk)
    messages.success(
        request, f"Approved the {submission.renewal.year} CECs of {submission.renewal.holder}."
    )
    return redirect("review:queue")


@reviewer_required
@require_POST
def reject(request, pk):
    submission = _submission_or_404(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, submission, reject_form=form)
    try:
        services.reject_submission(submission, by=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return redirect("review:detail", pk=submission.pk)
    messages.success(
        request, f"Rejected the {submission.renewal.year} CECs of {submission.renewal.holder}."
    )
    return redirect("review:queue")


@reviewer_required
@require_POST
def approve_several(request):
    form = BulkApproveForm(request.POST)
    if not request.POST.get("confirm"):
        messages.error(request, NOT_CONFIRMED)
        return redirect("review:queue")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("review:queue")
    approved, refused = services.approve_submissions(
        form.cleaned_data["submissions"], by=request.user
    )
    if approved:
        messages.success(
            request, f"Approved {len(approved)} submission{'s' if len(approved) != 1 else ''}."
        )
    for submission, message in refused:
        messages.error(request, f"{submission.renewal.holder}: {message}")
    return redirect("review:queue")


def _message(exc):
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
