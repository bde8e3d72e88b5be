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

from credentials.admin.progress import progress_bar, progress_json
from credentials.models import PacketBuild, PacketBuildItem
from credentials.permissions import ADD_PACKET_BUILD
from credentials.services import packets
from renewal_portal.infra.downloads import download


class PacketBuildItemInline(admin.TabularInline):
    model = PacketBuildItem
    fields = readonly_fields = ["renewal", "attempts", "done_at", "last_error"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("renewal__holder")


@admin.register(PacketBuild)
class PacketBuildAdmin(admin.ModelAdmin):
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
        "created_at",
        "started_at",
        "finished_at",
        "last_error",
    ]
    inlines = [PacketBuildItemInline]
    actions = ["resume"]

    class Media:
        js = ["js/admin-progress.js"]

    def has_add_permission(self, request):
        return False  # builds start from the renewals list

    def has_change_permission(self, request, obj=None):
        return False  # a build is a record; only its tasks change it

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/progress.json",
                self.admin_site.admin_view(self.progress_view),
                name="credentials_packetbuild_progress",
            ),
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

    def progress_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        build = get_object_or_404(PacketBuild, pk=pk)
        return progress_json(
            self._progress(build), done_key="done", total_key="total", noun="packets"
        )

    def _progress(self, obj):
        if not hasattr(obj, "_progress_cache"):
            p = packets.progress(obj)
            p["finished"] = obj.finished_at is not None
            p["status"] = obj.get_status_display()
            p["summary"] = _describe(obj, p)
            obj._progress_cache = p
        return obj._progress_cache

    @admin.display(description="progress")
    def progress(self, obj):
        p = self._progress(obj)
        return progress_bar(
            percent=p["percent"],
            done=p["done"],
            total=p["total"],
            noun="packets",
            failing=p["failing"],
            summary=p["summary"],
            url=reverse("admin:credentials_packetbuild_progress", args=[obj.pk]),
            finished=p["finished"],
        )

    @admin.display(description="archive")
    def download(self, obj):
        if obj.status != PacketBuild.Status.DONE or not obj.archive:
            return "–"
        url = reverse("admin:credentials_packetbuild_archive", args=[obj.pk])
        return format_html('<a href="{}">Download ZIP</a>', url)

    @admin.action(
        description="Resume the unfinished packets of the selected builds", permissions=["resume"]
    )
    def resume(self, request, queryset):
        count = sum(packets.resume(build) for build in queryset.filter(finished_at__isnull=True))
        self.message_user(request, f"{count} packet(s) queued again.")

    def has_resume_permission(self, request):
        return request.user.has_perm(ADD_PACKET_BUILD)


def _describe(build, p) -> str:
    """What a build did so far, in words."""
    text = f"{p['done']} of {p['total']} packets built"
    if p["failing"]:
        text += f"; {p['failing']} failing (see their errors below, then resume the build)"
    if build.status == PacketBuild.Status.ASSEMBLING:
        text += "; putting the archive together"
    elif build.status == PacketBuild.Status.DONE:
        text += "; the archive is ready to download" if build.archive else "; no archive"
    return text + "."
