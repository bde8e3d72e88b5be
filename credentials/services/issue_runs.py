"""Issuing a renewal year for the whole membership in the background, in chunks.

An IssueRun splits the holders due (renewals.holders_due) into chunks of `chunk_size`
holder ids; each chunk is one Celery task calling renewals.issue_renewals for its ids.
Issuing is idempotent (one renewal per holder and year, one invoice email per renewal),
so a chunk that runs twice, because a worker died before acknowledging it, issues
nothing twice. Progress is the share of chunks done, shown in admin.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from credentials.models import IssueRun, IssueRunChunk, Renewal
from credentials.services import renewals

DEFAULT_CHUNK_SIZE = 50


def start_issue_run(year: int, *, by=None, chunk_size: int = DEFAULT_CHUNK_SIZE) -> IssueRun:
    """Record a run for `year` and start it in the background once this commits."""
    if chunk_size < 1:
        raise ValueError("A chunk holds at least one holder.")
    run = IssueRun.objects.create(year=year, requested_by=by, chunk_size=chunk_size)
    transaction.on_commit(lambda: _dispatch_run(run.pk))
    return run


def _dispatch_run(run_id):
    from credentials.tasks import run_issue_run

    run_issue_run.delay(run_id)


def plan_chunks(run: IssueRun) -> list[IssueRunChunk]:
    """Split the holders due into the run's chunks, once; later calls return the same."""
    with transaction.atomic():
        run = IssueRun.objects.select_for_update().get(pk=run.pk)
        if run.chunks.exists():
            return list(run.chunks.all())
        ids = list(renewals.holders_due(run.year))
        chunks = IssueRunChunk.objects.bulk_create(
            IssueRunChunk(run=run, index=index, holder_ids=ids[start : start + run.chunk_size])
            for index, start in enumerate(range(0, len(ids), run.chunk_size))
        )
        run.holders_total = len(ids)
        run.status = IssueRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["holders_total", "status", "started_at"])
    if not chunks:
        finish_if_done(run)
    return chunks


def run_chunk(chunk: IssueRunChunk) -> renewals.IssueSummary | None:
    """Issue the renewals of one chunk; None if the chunk was done already."""
    chunk = IssueRunChunk.objects.select_related("run", "run__requested_by").get(pk=chunk.pk)
    if chunk.done_at is not None:
        return None
    IssueRunChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)
    try:
        summary = renewals.issue_renewals(
            chunk.run.year, holder_ids=chunk.holder_ids, by=chunk.run.requested_by
        )
    except Exception as exc:
        IssueRunChunk.objects.filter(pk=chunk.pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    # Counted from the records, not from this call: a chunk re-run after a crash issues
    # nothing new but still reports how many of its holders have their renewal.
    with_renewal = Renewal.objects.filter(
        year=chunk.run.year, holder_id__in=chunk.holder_ids
    ).count()
    IssueRunChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(
        done_at=timezone.now(), renewals_issued=with_renewal, last_error=""
    )
    finish_if_done(chunk.run)
    return summary


def finish_if_done(run: IssueRun) -> bool:
    if run.chunks.filter(done_at__isnull=True).exists():
        return False
    return bool(
        IssueRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            status=IssueRun.Status.DONE, finished_at=timezone.now()
        )
    )


def pending_chunks(run: IssueRun):
    return run.chunks.filter(done_at__isnull=True).order_by("index")


def resume(run: IssueRun) -> int:
    """Staff's "resume" in admin: enqueue the unfinished chunks of a run again."""
    from credentials.tasks import issue_renewals_chunk

    ids = list(pending_chunks(run).values_list("pk", flat=True))
    if not run.chunks.exists():
        transaction.on_commit(lambda: _dispatch_run(run.pk))
        return 0
    for chunk_id in ids:
        transaction.on_commit(lambda chunk_id=chunk_id: issue_renewals_chunk.delay(chunk_id))
    return len(ids)


def progress(run: IssueRun) -> dict:
    chunks = run.chunks.all()
    total = chunks.count()
    done = chunks.filter(done_at__isnull=False).count()
    issued = chunks.aggregate(n=Sum("renewals_issued"))["n"] or 0
    return {
        "chunks_total": total,
        "chunks_done": done,
        "renewals_issued": issued,
        "percent": int(done * 100 / total) if total else (100 if run.finished_at else 0),
        "failing": chunks.filter(done_at__isnull=True).exclude(last_error="").count(),
    }
