"""Background issue runs in admin: start one for a renewal year, watch its chunks
progress, and resume a run whose chunks stopped on an error."""

from django import forms
from django.contrib import admin

from credentials import selectors
from credentials.admin.progress import progress_bar
from credentials.models import IssueRun, IssueRunChunk
from credentials.services import issue_runs


class IssueRunChunkInline(admin.TabularInline):
    model = IssueRunChunk
    fields = ["index", "holders", "renewals_issued", "attempts", "done_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="holders")
    def holders(self, obj):
        return len(obj.holder_ids)


class IssueRunForm(forms.ModelForm):
    class Meta:
        model = IssueRun
        fields = ["year", "chunk_size"]
        help_texts = {
            "year": "The renewal year to issue (renewals are idempotent: holders who have "
            "theirs already are skipped).",
            "chunk_size": "Holders per background task.",
        }

    def clean_year(self):
        year = self.cleaned_data["year"]
        current = selectors.current_renewal_year()
        if not current - 1 <= year <= current + 1:
            raise forms.ValidationError(
                f"Issue the current renewal year ({current}) or the one next to it."
            )
        return year

    def clean_chunk_size(self):
        size = self.cleaned_data["chunk_size"]
        if not 1 <= size <= 1000:
            raise forms.ValidationError("Choose between 1 and 1000 holders per task.")
        return size


@admin.register(IssueRun)
class IssueRunAdmin(admin.ModelAdmin):
    form = IssueRunForm
    list_display = [
        "year",
        "status",
        "progress",
        "holders_total",
        "renewals",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "year"]
    inlines = [IssueRunChunkInline]
    actions = ["resume"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["year", "chunk_size"]
        return [
            "year",
            "status",
            "progress",
            "holders_total",
            "renewals",
            "chunk_size",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # a run is a record; only its tasks change it
        run = issue_runs.start_issue_run(
            form.cleaned_data["year"], by=request.user, chunk_size=form.cleaned_data["chunk_size"]
        )
        obj.pk = run.pk

    def _progress(self, obj):
        if not hasattr(obj, "_progress_cache"):
            obj._progress_cache = issue_runs.progress(obj)
        return obj._progress_cache

    @admin.display(description="progress")
    def progress(self, obj):
        p = self._progress(obj)
        return progress_bar(
            percent=p["percent"],
            done=p["chunks_done"],
            total=p["chunks_total"],
            noun="chunks",
            failing=p["failing"],
        )

    @admin.display(description="renewals")
    def renewals(self, obj):
        return self._progress(obj)["renewals_issued"]

    @admin.action(
        description="Resume the unfinished chunks of the selected runs", permissions=["change"]
    )
    def resume(self, request, queryset):
        count = sum(issue_runs.resume(run) for run in queryset.filter(finished_at__isnull=True))
        self.message_user(request, f"{count} chunk(s) queued again.")
