"""Season exports in admin (issue 18): "Add" asks for a report, a year and a format;
Celery builds it in the background with progress on the export's page, which then
offers the file to download."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from credentials import selectors
from credentials.models import SeasonExport
from renewal_portal.composition import export_runs as export_services
from renewal_portal.composition.exports import FORMATS
from renewal_portal.infra.admin_display import short_datetime
from renewal_portal.infra.downloads import download
from renewal_portal.infra.runs.admin import progress_bar_of, progress_json


class SeasonExportForm(forms.ModelForm):
    year = forms.IntegerField(min_value=2000, max_value=2100, label="Renewal year")

    class Meta:
        model = SeasonExport
        fields = ["kind", "year", "file_format"]


@admin.register(SeasonExport)
class SeasonExportAdmin(admin.ModelAdmin):
    form = SeasonExportForm
    list_display = ["created", "kind", "year", "file_format", "progress", "download"]
    list_filter = ["kind", "year", "status"]

    class Media:
        js = ["js/admin-progress.js"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "year", "file_format"]
        return [
            "kind",
            "year",
            "file_format",
            "progress",
            "download",
            "requested_by",
            "created_at",
            "finished_at",
            "last_error",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("year", selectors.current_renewal_year())
        return initial

    def has_change_permission(self, request, obj=None):
        return False  # an export is a record; only its task changes it

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        export = export_services.start_export(
            kind=obj.kind, year=obj.year, file_format=obj.file_format, by=request.user
        )
        obj.pk = export.pk
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        """To the export's own page, where its progress and then its file appear."""
        self.message_user(request, f"Building “{obj}” in the background.", messages.SUCCESS)
        return redirect(reverse("admin:credentials_seasonexport_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<int:pk>/progress.json",
                self.admin_site.admin_view(self.progress_view),
                name="credentials_seasonexport_progress",
            ),
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.file_view),
                name="credentials_seasonexport_file",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = get_object_or_404(SeasonExport, pk=pk, status=SeasonExport.Status.DONE)
        try:
            handle = default_storage.open(export.file, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404("The file is missing.") from exc
        return download(
            handle,
            content_type=FORMATS[export.file_format].CONTENT_TYPE,
            filename=export.download_name,
        )

    def progress_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = get_object_or_404(SeasonExport, pk=pk)
        return progress_json(
            export_services.progress(export), done_key="done", total_key="total", noun="rows"
        )

    @admin.display(description="asked", ordering="created_at")
    def created(self, obj):
        return short_datetime(obj.created_at)

    @admin.display(description="progress")
    def progress(self, obj):
        return progress_bar_of(
            export_services.progress(obj),
            noun="rows",
            url=reverse("admin:credentials_seasonexport_progress", args=[obj.pk]),
        )

    @admin.display(description="file")
    def download(self, obj):
        if obj.status != SeasonExport.Status.DONE:
            return "–"
        url = reverse("admin:credentials_seasonexport_file", args=[obj.pk])
        return format_html('<a href="{}">Download {}</a>', url, obj.download_name)
