"""Audit packets: the verification token a packet prints, and staff's background builds
of many renewals' packets (issue 11).

A build records one item per renewal; each item is one Celery task that writes that
renewal's ZIP to the media storage. Building is idempotent (an item done is skipped, and
its file is written under a fixed name), so a task that runs twice builds nothing twice.
When the last item is done, one task claims the build and puts every renewal's packet
into a single archive for staff to download. Progress is the share of items done.
"""

from __future__ import annotations

import tempfile
import zipfile

from celery import shared_task
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from credentials.models import PacketBuild, PacketBuildItem, PacketToken, Renewal
from renewal_portal.composition.packets import packet as packets
from renewal_portal.composition.packets.pdf import packet_basename, write_packet_zip

STORAGE_FOLDER = "audit-packets"


def token_for(renewal: Renewal) -> PacketToken:
    """The renewal's verification token, made the first time a packet is built."""
    try:
        return PacketToken.objects.get_or_create(renewal=renewal)[0]
    except IntegrityError:  # another request made it at the same moment
        return PacketToken.objects.get(renewal=renewal)


def audit_packet_of(renewal: Renewal) -> packets.AuditPacket:
    return packets.audit_packet(renewal, token_for(renewal))


# --- Background builds -------------------------------------------------------------------


def build_title(renewals) -> tuple[str, int | None]:
    years = sorted(set(renewals.values_list("year", flat=True)))
    if len(years) == 1:
        return f"Audit packets of {years[0]} renewals", years[0]
    if years:
        return f"Audit packets of renewals {years[0]}–{years[-1]}", None
    return "Audit packets (no renewals)", None


@transaction.atomic
def start_packet_build(renewals, *, by=None) -> PacketBuild:
    """Record a build of the packets of `renewals` (a queryset, e.g. a year filtered in
    admin) and start it in the background once this commits."""
    renewals = Renewal.objects.filter(pk__in=renewals.values("pk"))
    title, year = build_title(renewals)
    ids = list(renewals.order_by("year", "pk").values_list("pk", flat=True))
    build = PacketBuild.objects.create(
        title=title, year=year, requested_by=by, renewals_total=len(ids)
    )
    PacketBuildItem.objects.bulk_create(
        PacketBuildItem(build=build, renewal_id=renewal_id) for renewal_id in ids
    )
    transaction.on_commit(lambda: _dispatch_build(build.pk))
    return build


def _dispatch_build(build_id):
    run_packet_build.delay(build_id)


def begin(build: PacketBuild) -> list[int]:
    """Mark the build running and return the ids of its items still to build."""
    PacketBuild.objects.filter(pk=build.pk, started_at__isnull=True).update(
        status=PacketBuild.Status.RUNNING, started_at=timezone.now()
    )
    pending = list(build.items.filter(done_at__isnull=True).values_list("pk", flat=True))
    if not pending:
        finish_if_done(build)
    return pending


def item_storage_name(item: PacketBuildItem) -> str:
    return f"{STORAGE_FOLDER}/build-{item.build_id}/{packet_basename(item.renewal)}.zip"


def build_item(item: PacketBuildItem) -> bool:
    """Build one renewal's packet ZIP into the storage; False if it was done already."""
    item = PacketBuildItem.objects.select_related("renewal", "build").get(pk=item.pk)
    if item.done_at is not None:
        return False
    PacketBuildItem.objects.filter(pk=item.pk).update(attempts=F("attempts") + 1)
    name = item_storage_name(item)
    try:
        packet = audit_packet_of(item.renewal)
        with tempfile.TemporaryFile() as spool:
            write_packet_zip(packet, spool)
            spool.seek(0)
            # A fixed name: a re-run replaces its own half-written file, never adds one.
            if default_storage.exists(name):
                default_storage.delete(name)
            stored = default_storage.save(name, File(spool))
    except Exception as exc:
        PacketBuildItem.objects.filter(pk=item.pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    PacketBuildItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
        done_at=timezone.now(), file=stored, last_error=""
    )
    finish_if_done(item.build)
    return True


def finish_if_done(build: PacketBuild) -> bool:
    """When every item is done, claim the build (one task wins) and assemble the archive."""
    if build.items.filter(done_at__isnull=True).exists():
        return False
    claimed = PacketBuild.objects.filter(
        pk=build.pk,
        finished_at__isnull=True,
        status__in=[build.Status.QUEUED, build.Status.RUNNING],
    ).update(status=PacketBuild.Status.ASSEMBLING)
    if not claimed:
        return False
    try:
        name = assemble_archive(build)
    except Exception as exc:
        PacketBuild.objects.filter(pk=build.pk).update(
            status=PacketBuild.Status.RUNNING, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    PacketBuild.objects.filter(pk=build.pk).update(
        status=PacketBuild.Status.DONE, archive=name, finished_at=timezone.now(), last_error=""
    )
    return True


def archive_name(build: PacketBuild) -> str:
    label = build.year if build.year else "renewals"
    return f"{STORAGE_FOLDER}/build-{build.pk}/AASC-audit-packets-{label}-build-{build.pk}.zip"


def assemble_archive(build: PacketBuild) -> str:
    """One ZIP of every renewal's packet folder (each item's ZIP is copied member by
    member, so the archive opens as folders, not ZIPs in a ZIP)."""
    name = archive_name(build)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for item in build.items.exclude(file="").order_by("pk"):
                with default_storage.open(item.file, "rb") as handle:
                    with zipfile.ZipFile(handle) as part:
                        for member in part.infolist():
                            with (
                                part.open(member) as source,
                                archive.open(member.filename, "w") as sink,
                            ):
                                while chunk := source.read(1024 * 1024):
                                    sink.write(chunk)
        spool.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        return default_storage.save(name, File(spool))


def resume(build: PacketBuild) -> int:
    """Staff's "resume" in admin: enqueue the unfinished items of a build again."""
    transaction.on_commit(lambda: _dispatch_build(build.pk))
    return build.items.filter(done_at__isnull=True).count()


def progress(build: PacketBuild) -> dict:
    items = build.items.all()
    total = items.count()
    done = items.filter(done_at__isnull=False).count()
    return {
        "total": total,
        "done": done,
        "percent": int(done * 100 / total) if total else (100 if build.finished_at else 0),
        "failing": items.filter(done_at__isnull=True).exclude(last_error="").count(),
    }


# --- Tasks -------------------------------------------------------------------------------


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=5)
def run_packet_build(build_id):
    """Enqueue the renewals of a packet build that are not built yet."""
    build = PacketBuild.objects.filter(pk=build_id).first()
    if build is None:
        return 0
    item_ids = begin(build)
    for item_id in item_ids:
        build_audit_packet.delay(item_id)
    return len(item_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=15, max_retries=5)
def build_audit_packet(item_id):
    """Build one renewal's audit packet of a build (and the archive after the last)."""
    item = PacketBuildItem.objects.filter(pk=item_id).first()
    if item is None:
        return False
    return build_item(item)
