"""Season exports built in the background (issue 18): staff ask for a report, Celery
builds the file with progress on the export's admin page, and it lands as a download.
Building is idempotent: a finished export is not built again."""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from credentials.models import ExportFormat, ExportKind, SeasonExport
from credentials.permissions import ADD_SEASON_EXPORT
from renewal_portal.composition import exports, tasks

logger = logging.getLogger(__name__)


def start_export(*, kind: str, year: int, file_format: str, by) -> SeasonExport:
    """Record the export and build it in the background once this commits."""
    if by is None or not by.has_perm(ADD_SEASON_EXPORT):
        raise PermissionDenied("Only AASC staff export the season.")
    if kind not in ExportKind.values or file_format not in ExportFormat.values:
        raise ValidationError("Choose a report and a format from the lists.")
    export = SeasonExport.objects.create(
        kind=kind, year=year, file_format=file_format, requested_by=by
    )
    # The task module imports this one; its attribute is looked up when this runs.
    transaction.on_commit(lambda: tasks.build_season_export.delay(export.pk))
    return export


def build_export(export: SeasonExport) -> SeasonExport:
    """Build the file of `export`, saving progress every chunk of rows."""
    if export.status == SeasonExport.Status.DONE:
        return export
    export.status = SeasonExport.Status.RUNNING
    export.save(update_fields=["status"])

    def progress(done, total):
        SeasonExport.objects.filter(pk=export.pk).update(rows_done=done, rows_total=total)

    try:
        dataset = exports.build_dataset(export.kind, export.year, progress=progress)
        content = exports.render(dataset, export.file_format)
        name = default_storage.save(
            f"exports/{uuid.uuid4().hex}.{export.file_format}", ContentFile(content)
        )
    except Exception as exc:
        logger.exception("Season export %s failed", export.pk)
        SeasonExport.objects.filter(pk=export.pk).update(
            status=SeasonExport.Status.FAILED, last_error=str(exc)[:2000]
        )
        raise
    export.refresh_from_db()
    export.file = name
    export.status = SeasonExport.Status.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "finished_at"])
    return export


def progress(export: SeasonExport) -> dict:
    total = export.rows_total
    done = export.rows_done
    finished = export.status in (SeasonExport.Status.DONE, SeasonExport.Status.FAILED)
    percent = (
        100
        if export.status == SeasonExport.Status.DONE
        else (int(done * 100 / total) if total else 0)
    )
    return {
        "percent": percent,
        "done": done,
        "total": total,
        "failing": 1 if export.status == SeasonExport.Status.FAILED else 0,
        "finished": finished,
        "status": export.get_status_display(),
        "summary": export.last_error[:200] if export.last_error else export.get_status_display(),
    }
