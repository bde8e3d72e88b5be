"""Background builds of audit packets in admin: started from the renewals list (the
"Build audit packets" action on the renewals selected, e.g. a year filtered), watched
here with their progress, and downloaded as one archive when done."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from credentials.models import PacketBuild, PacketBuildItem
from credentials.permissions import ADD_PACKET_BUILD
from renewal_portal.composition.packets import services as packets
from renewal_portal.infra.downloads import download
from renewal_portal.infra.runs.admin import RunAdmin, RunUnitInline


class PacketBuildItemInline(RunUnitInline):
    model = PacketBuildItem
    fields = readonly_fields = ["renewal", "unit_status", "attempts", "done_at", "last_error"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("renewal__holder")


@admin.register(PacketBuild)
class PacketBuildAdmin(RunAdmin, admin.ModelAdmin):
    run_kind = packets.PACKET_BUILDS
    resume_permission = ADD_PACKET_BUILD  # who may start a build may resume one
    list_display = ["title", "status", "progress", "renewals_total", "download", "created_at"]
    list_filter = ["status", "year"]
    fields = readonly_fields = [
        "title",
        "year",
        "status",
        "progress",
        "download",
        "renewals_total",
        "requested_by",
        "reason",
        "created_at",
        "started_at",
        "finished_at",
        "last_error",
    ]
    inlines = [PacketBuildItemInline]

    def has_add_permission(self, request):
        return False  # builds start from the renewals list

    def get_urls(self):
        return [
            path(
                "<int:pk>/archive/",
                self.admin_site.admin_view(self.archive_view),
                name="credentials_packetbuild_archive",
            ),
            *super().get_urls(),
        ]

    def archive_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        build = get_object_or_404(PacketBuild, pk=pk, status=PacketBuild.Status.DONE)
        try:
            handle = default_storage.open(build.archive, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404("The archive is missing.") from exc
        return download(
            handle, content_type="application/zip", filename=build.archive.rsplit("/", 1)[-1]
        )

    @admin.display(description="archive")
    def download(self, obj):
        if obj.status != PacketBuild.Status.DONE or not obj.archive:
            return "–"
        url = reverse("admin:credentials_packetbuild_archive", args=[obj.pk])
        return format_html('<a href="{}">Download ZIP</a>', url)
