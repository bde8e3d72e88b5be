"""Issuing a renewal year from admin, the one way: staff pick the year (only the current
renewal year can be issued, rule 12), read a confirmation that says how many holders will
be emailed, and start a background issue run, whose page then shows its progress by
itself. Runs whose chunks stopped on an error can be resumed."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from credentials import rules, selectors
from credentials.models import IssueRun, IssueRunChunk, Renewal
from credentials.permissions import ADD_ISSUE_RUN, ADD_RENEWAL
from credentials.services import issue_runs
from renewal_portal.infra.runs.admin import RunAdmin, RunUnitInline


class IssueRunChunkInline(RunUnitInline):
    model = IssueRunChunk
    fields = readonly_fields = [
        "index",
        "holders",
        "renewals_issued",
        "already_issued",
        "unit_status",
        "attempts",
        "done_at",
        "last_error",
    ]

    @admin.display(description="holders")
    def holders(self, obj):
        return len(obj.holder_ids)


class IssueYearForm(forms.Form):
    """The year to issue; only the current renewal year passes (rules.issue_year_refusal)."""

    year = forms.IntegerField(
        label="Renewal year",
        help_text="Renewals for a year are issued from November 1 of the year before; "
        "only the current renewal year can be issued.",
    )
    chunk_size = forms.IntegerField(
        label="Holders per background task",
        initial=issue_runs.DEFAULT_CHUNK_SIZE,
        min_value=1,
        max_value=issue_runs.MAX_CHUNK_SIZE,
        error_messages={
            "min_value": f"Choose between 1 and {issue_runs.MAX_CHUNK_SIZE} holders per task.",
            "max_value": f"Choose between 1 and {issue_runs.MAX_CHUNK_SIZE} holders per task.",
        },
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        refusal = rules.issue_year_refusal(year, selectors.today())
        if refusal:
            raise forms.ValidationError(refusal)
        return year


def can_issue(request) -> bool:
    return request.user.has_perm(ADD_ISSUE_RUN) and request.user.has_perm(ADD_RENEWAL)


def issue_year_view(model_admin, request):
    """Pick the year, confirm what it will do, then start the background run.

    The first POST only shows the confirmation (nothing is issued); the second, with
    `confirm`, starts the run and opens its page."""
    if not can_issue(request):
        raise PermissionDenied
    form = IssueYearForm(
        request.POST or None,
        initial={"year": selectors.current_renewal_year()},
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Renewal._meta,
        "title": "Issue renewals for a year",
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        year, chunk_size = form.cleaned_data["year"], form.cleaned_data["chunk_size"]
        if "confirm" not in request.POST:
            return confirmation(
                model_admin,
                request,
                year,
                hidden=[("year", year), ("chunk_size", chunk_size)],
                cancel_url=reverse("admin:credentials_renewal_changelist"),
            )
        try:
            run = issue_runs.start_issue_run(year, by=request.user, chunk_size=chunk_size)
        except ValidationError as exc:
            form.add_error("year", exc)
        else:
            return _started(model_admin, request, run)
    return TemplateResponse(request, "admin/credentials/renewal/issue.html", context)


def issue_for_holders(model_admin, request, holder_ids, hidden):
    """The same, for the holders of credentials selected in a list (an admin action):
    the current renewal year only, confirmed first, as a background run of those holders.
    `hidden` re-posts the action and the selection with the confirmation."""
    if not can_issue(request):
        raise PermissionDenied
    year = selectors.current_renewal_year()
    if "confirm" not in request.POST:
        return confirmation(
            model_admin,
            request,
            year,
            hidden=hidden,
            holder_ids=holder_ids,
            cancel_url=request.get_full_path(),
        )
    try:
        run = issue_runs.start_issue_run(year, by=request.user, holder_ids=holder_ids)
    except ValidationError as exc:
        model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)
        return None
    return _started(model_admin, request, run)


def confirmation(model_admin, request, year, *, hidden, cancel_url, holder_ids=None):
    """The page that says how many holders will be emailed, before anything is issued."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Renewal._meta,
        "title": f"Issue the {year} renewals?",
        "preview": issue_runs.preview(year, holder_ids),
        "year": year,
        "hidden": hidden,
        "selected": holder_ids is not None,
        "form_action": request.get_full_path(),
        "cancel_url": cancel_url,
    }
    return TemplateResponse(request, "admin/credentials/renewal/issue_confirm.html", context)


def _started(model_admin, request, run):
    model_admin.message_user(
        request,
        f"Issuing the {run.year} renewals in the background; this page shows the progress.",
        messages.SUCCESS,
    )
    return redirect(reverse("admin:credentials_issuerun_change", args=[run.pk]))


@admin.register(IssueRun)
class IssueRunAdmin(RunAdmin, admin.ModelAdmin):
    run_kind = issue_runs.ISSUE_RUNS
    resume_permission = ADD_ISSUE_RUN  # who may start a run may resume one
    list_display = [
        "year",
        "status",
        "progress",
        "holders_total",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "year"]
    fields = readonly_fields = [
        "year",
        "status",
        "progress",
        "holders_total",
        "chunk_size",
        "requested_by",
        "reason",
        "created_at",
        "started_at",
        "finished_at",
        "last_error",
    ]
    inlines = [IssueRunChunkInline]

    def add_view(self, request, form_url="", extra_context=None):
        # One way to issue a year: the confirmation page on the renewals list.
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:credentials_renewal_issue"))
