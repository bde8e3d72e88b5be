"""Celery tasks: thin wrappers that take ids or ISO dates, load fresh rows and call a
service. Every one can run twice (a retry, a redelivery after a worker died before
acknowledging, a second beat) without doing anything twice: the services are idempotent
and every email goes through the outbox's unique key."""

import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError

from credentials import rules, selectors
from credentials.models import IssueRun, IssueRunChunk
from credentials.notifications import enqueue_send
from credentials.services import imports, issue_runs, lapses, outbox

logger = logging.getLogger(__name__)


def _date(value):
    return dt.date.fromisoformat(value) if value else selectors.today()


# --- Outbox ------------------------------------------------------------------------------


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
)
def send_outbox_message(message_id):
    """Send one outbox message; a mail failure is recorded on the row and retried with
    backoff (30 s, 1 min, 2 min … up to an hour)."""
    return outbox.send_outbox_message(message_id)


@shared_task(acks_late=True)
def enqueue_outbox_sends(message_ids):
    """Fan a batch of queued messages (a season's invoice emails) out to one send task
    each, here in a worker rather than in the service that queued them. Run twice, it
    enqueues sends twice, which send nothing twice (a send claims its row)."""
    return sum(1 for message_id in message_ids if enqueue_send(message_id))


@shared_task(acks_late=True)
def send_pending_outbox():
    """The outbox relay's sweep: enqueue pending messages that were never picked up."""
    return outbox.send_pending()


# --- Lapses (daily; the reminders task is renewal_portal.composition.tasks) ---------------


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=60, max_retries=5)
def lapse_overdue_credentials(on=None):
    """Lapse the credentials whose grace ended and tell their holders."""
    summary = lapses.lapse_overdue_credentials(_date(on))
    logger.info("%s", summary)
    return summary.lapsed


# --- Issuing renewals (the season's start, and staff's "issue now") ----------------------


@shared_task(acks_late=True)
def issue_renewals_for_season(year=None, chunk_size=issue_runs.DEFAULT_CHUNK_SIZE):
    """The schedule's entry point: start issuing the renewal year that is open today
    (on 1 November, next year's). A year that already has a run is not started again."""
    year = year or rules.renewal_year_on(selectors.today())
    if IssueRun.objects.filter(year=year).exists():
        logger.info("Renewals for %s were issued by an earlier run; nothing to do", year)
        return None
    return issue_runs.start_issue_run(year, chunk_size=chunk_size).pk


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=5)
def run_issue_run(run_id):
    """Plan a run's chunks (once) and enqueue those not done yet."""
    run = IssueRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    issue_runs.plan_chunks(run)
    chunk_ids = list(issue_runs.pending_chunks(run).values_list("pk", flat=True))
    for chunk_id in chunk_ids:
        issue_renewals_chunk.delay(chunk_id)
    return len(chunk_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=15, max_retries=5)
def issue_renewals_chunk(chunk_id):
    """Issue the renewals (and queue the invoice emails) of one chunk of holders."""
    chunk = IssueRunChunk.objects.filter(pk=chunk_id).first()
    if chunk is None:
        return 0
    summary = issue_runs.run_chunk(chunk)
    return summary.issued if summary is not None else 0


# --- Audit packets of many renewals (staff's "build audit packets" in admin) -------------


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=5)
def run_packet_build(build_id):
    """Enqueue the renewals of a packet build that are not built yet."""
    from credentials.models import PacketBuild
    from credentials.services import packets

    build = PacketBuild.objects.filter(pk=build_id).first()
    if build is None:
        return 0
    item_ids = packets.begin(build)
    for item_id in item_ids:
        build_audit_packet.delay(item_id)
    return len(item_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=15, max_retries=5)
def build_audit_packet(item_id):
    """Build one renewal's audit packet of a build (and the archive after the last)."""
    from credentials.models import PacketBuildItem
    from credentials.services import packets

    item = PacketBuildItem.objects.filter(pk=item_id).first()
    if item is None:
        return False
    return packets.build_item(item)


# --- Imports of the office's spreadsheets (issue 18) -------------------------------------


@shared_task(acks_late=True)
def run_import_batch(batch_id):
    """Write a confirmed import; a second delivery finds it no longer running and stops."""
    batch = imports.run_batch(batch_id)
    return batch.status if batch is not None else None
