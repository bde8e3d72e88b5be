"""Audit packets: the verification token a packet prints, and staff's background builds
of many renewals' packets (issue 11).

A build is a background run (renewal_portal.infra.runs, which plans, claims, retries,
finishes and reports progress); this module is its kind, `PACKET_BUILDS`. A build
records one item per renewal; each item is one Celery task that writes that renewal's
ZIP to the media storage. Building is idempotent (an item done is skipped, and
its file is written under a fixed name), so a task that runs twice builds nothing twice.
When the last item is done, one task claims the build and puts every renewal's packet
into a single archive for staff to download. Progress is the share of items done.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from credentials.models import PacketBuild, PacketBuildItem, PacketToken, Renewal
from renewal_portal.composition.packets import packet as packets
from renewal_portal.composition.packets.pdf import packet_basename, write_packet_zip
from renewal_portal.infra.runs import services as runs
from renewal_portal.infra.runs.tasks import define_tasks

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


class PacketBuilds(runs.RunKind):
    """A build: one renewal's packet ZIP per item, then one archive of them all."""

    run_model = PacketBuild
    unit_model = PacketBuildItem
    noun = "packets"
    noun_one = "packet"
    finishing_status = PacketBuild.Status.ASSEMBLING

    def make_units(self, build, renewal_ids=()):
        return [PacketBuildItem(build=build, renewal_id=renewal_id) for renewal_id in renewal_ids]

    def planned(self, build, items):
        return {"renewals_total": len(items)}

    def process(self, item):
        """Build one renewal's packet ZIP into the storage."""
        item = PacketBuildItem.objects.select_related("renewal").get(pk=item.pk)
        name = item_storage_name(item)
        packet = audit_packet_of(item.renewal)
        with tempfile.TemporaryFile() as spool:
            write_packet_zip(packet, spool)
            spool.seek(0)
            # A fixed name: a re-run replaces its own half-written file, never adds one.
            if default_storage.exists(name):
                default_storage.delete(name)
            return {"file": default_storage.save(name, File(spool))}

    def finish(self, build):
        return {"archive": assemble_archive(build)}

    def describe(self, build, p):
        """What a build did so far, in words."""
        text = f"{p['done']} of {p['total']} packets built"
        if p["failing"]:
            text += f"; {p['failing']} failing (see their errors below, then resume the build)"
        if build.status == PacketBuild.Status.ASSEMBLING:
            text += "; putting the archive together"
        elif build.status == PacketBuild.Status.DONE:
            text += "; the archive is ready to download" if build.archive else "; no archive"
        elif build.last_error:
            text += f"; the archive failed ({build.last_error}), resume the build"
        return text + "."


PACKET_BUILDS = PacketBuilds()
run_packet_build, build_audit_packet = define_tasks(
    PACKET_BUILDS,
    start_name="composition.packets.run_packet_build",
    unit_name="composition.packets.build_audit_packet",
)


def start_packet_build(renewals, *, by=None, reason="") -> PacketBuild:
    """Record a build of the packets of `renewals` (a queryset, e.g. a year filtered in
    admin) and start it in the background once this commits."""
    renewals = Renewal.objects.filter(pk__in=renewals.values("pk"))
    title, year = build_title(renewals)
    ids = list(renewals.order_by("year", "pk").values_list("pk", flat=True))
    with transaction.atomic():
        build = PacketBuild.objects.create(
            title=title, year=year, requested_by=by, reason=reason or f"{title}, started by staff."
        )
        runs.plan(PACKET_BUILDS, build, renewal_ids=ids)
        runs.dispatch(PACKET_BUILDS, build)
    build.refresh_from_db()
    return build


def item_storage_name(item: PacketBuildItem) -> str:
    return f"{STORAGE_FOLDER}/build-{item.build_id}/{packet_basename(item.renewal)}.zip"


def build_item(item: PacketBuildItem) -> bool:
    """Build one renewal's packet of a build (and the archive after the last); False if
    it was done already."""
    return runs.run_unit(PACKET_BUILDS, item)


def finish_if_done(build: PacketBuild) -> bool:
    """When every item is done, claim the build (one task wins) and assemble the archive."""
    return runs.finish_if_done(PACKET_BUILDS, build)


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
    return runs.resume(PACKET_BUILDS, build)


def progress(build: PacketBuild) -> dict:
    """Items in all, done, the share done, and failing (runs.counts)."""
    return runs.counts(PACKET_BUILDS, build)
