"""Celery tasks of the top layer: thin wrappers that load fresh rows and call a service.
Their names are the ones they had in credentials.tasks, so schedules stored in the
database (django-celery-beat) and messages already queued keep finding them."""

import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError

from credentials import selectors
from credentials.models import SeasonExport
from renewal_portal.composition import export_runs, reminders

logger = logging.getLogger(__name__)


@shared_task(
    name="credentials.tasks.send_due_reminders",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    max_retries=5,
)
def send_due_reminders(on=None):
    """Queue today's renewal reminders (`on`: ISO date, for a re-run of a missed day)."""
    summary = reminders.send_due_reminders(dt.date.fromisoformat(on) if on else selectors.today())
    logger.info("%s", summary)
    return len(summary.queued)


@shared_task(name="credentials.tasks.build_season_export", acks_late=True)
def build_season_export(export_id):
    """Build one season export's file (idempotent: a finished export is left alone)."""
    export = SeasonExport.objects.filter(pk=export_id).first()
    if export is not None:
        export_runs.build_export(export)
