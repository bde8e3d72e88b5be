"""Background runs in admin: `RunAdmin`, the mixin of a kind's ModelAdmin, and the
progress bar every long job in admin shows (runs, imports, exports).

A run's progress is a bar, a count and a sentence that says what happened, refreshed
without reloading the page.

The element carries the address of the run's JSON progress (`data-progress-url`);
static/js/admin-progress.js polls it while the run is unfinished (a script file, not
inline script, so the Content Security Policy holds) and reloads the page once when the
run finishes, so the chunk list and any download link appear.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from renewal_portal.infra.runs import services
from renewal_portal.infra.runs.services import RunKind

PROGRESS_SCRIPT = "js/admin-progress.js"


def progress_bar(*, percent, done, total, noun, failing=0, summary="", url="", finished=True):
    """A background run's progress: bar, count, failures if any, and what happened."""
    failures = (
        format_html(' <strong style="color:#b02a37">{} failing</strong>', failing)
        if failing
        else ""
    )
    return format_html(
        '<span class="run-progress" data-progress-url="{}" data-finished="{}">'
        '<progress max="100" value="{}"></progress> '
        "<span data-progress-count>{} of {} {}</span>"
        "<span data-progress-failing>{}</span>"
        '<span class="help" style="display:block" data-progress-summary role="status">{}</span>'
        "</span>",
        url if not finished else "",
        "true" if finished else "false",
        percent,
        done,
        total,
        noun,
        failures,
        summary,
    )


def progress_bar_of(progress: dict, *, noun, url) -> str:
    """progress_bar for a progress snapshot (percent, done, total, failing, summary,
    finished), as runs, imports and season exports report it."""
    return progress_bar(
        percent=progress["percent"],
        done=progress["done"],
        total=progress["total"],
        noun=noun,
        failing=progress["failing"],
        summary=progress["summary"],
        url=url,
        finished=progress["finished"],
    )


def progress_json(progress: dict, *, done_key, total_key, noun) -> JsonResponse:
    """The JSON the script polls: what the bar, the count and the sentence show."""
    return JsonResponse(
        {
            "percent": progress["percent"],
            "count": f"{progress[done_key]} of {progress[total_key]} {noun}",
            "failing": progress["failing"],
            "summary": progress.get("summary", ""),
            "finished": progress["finished"],
            "status": progress.get("status", ""),
        },
        headers={"Cache-Control": "no-store"},
    )


class RunUnitInline(admin.TabularInline):
    """A run's units, read-only, shown to whoever may view the run (they are part of its
    record): the base of a kind's inline (add its own fields)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="status")
    def unit_status(self, obj):
        return obj.status.label


class RunAdmin:
    """The admin of a kind of background run, mixed in before admin.ModelAdmin: runs
    are records only their tasks change (no add, change or delete through forms), the
    list and the page show `progress` (put it in list_display and fields), which
    static/js/admin-progress.js refreshes from `<pk>/progress.json` while the run is
    unfinished, and the "resume" action queues the unfinished units of the selected runs
    again, for whoever may start a run (`resume_permission`, by default the model's add
    permission)."""

    run_kind: RunKind
    resume_permission: str | None = None
    actions = ["resume"]

    @property
    def media(self):
        return super().media + forms.Media(js=[PROGRESS_SCRIPT])

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/progress.json",
                self.admin_site.admin_view(self.progress_view),
                name=f"{opts.app_label}_{opts.model_name}_progress",
            ),
            *super().get_urls(),
        ]

    def progress_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_progress", args=[obj.pk])

    def run_progress(self, obj) -> dict:
        """The run's snapshot, read once per request and object."""
        if not hasattr(obj, "_run_progress"):
            obj._run_progress = services.snapshot(self.run_kind, obj)
        return obj._run_progress

    def progress_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(self.model, pk=pk)
        return progress_json(
            self.run_progress(run), done_key="done", total_key="total", noun=self.run_kind.noun
        )

    @admin.display(description="progress")
    def progress(self, obj):
        return progress_bar_of(
            self.run_progress(obj), noun=self.run_kind.noun, url=self.progress_url(obj)
        )

    @admin.action(
        description="Resume the unfinished work of the selected runs", permissions=["resume"]
    )
    def resume(self, request, queryset):
        count = sum(
            services.resume(self.run_kind, run) for run in queryset.filter(finished_at__isnull=True)
        )
        noun = self.run_kind.noun_one if count == 1 else self.run_kind.noun
        self.message_user(request, f"{count} {noun} queued again.")

    def has_resume_permission(self, request):
        opts = self.model._meta
        wanted = self.resume_permission or f"{opts.app_label}.add_{opts.model_name}"
        return request.user.has_perm(wanted)
