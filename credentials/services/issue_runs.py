"""Issuing a renewal year for the whole membership in the background, in chunks: the
one way to issue a year, whether staff start it in admin, `manage.py issue_renewals`
runs it or the season's schedule does.

Every path checks the year with rules.issue_year_refusal (rule 12) and, for people,
shows `preview` first: how many holders will be issued a renewal and emailed an invoice.

An IssueRun is a background run (renewal_portal.infra.runs, which plans, claims, retries,
finishes and reports progress): this module is its kind, `ISSUE_RUNS`. It splits the
holders due (renewals.holders_due) into chunks of `chunk_size` holder ids; each chunk is
one Celery task calling renewals.issue_renewals for its ids. Issuing is idempotent (one
renewal per holder and year, one invoice email per renewal), so a chunk that runs twice,
because a worker died before acknowledging it, issues nothing twice. Progress is the
share of chunks done, shown in admin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from credentials import rules, selectors
from credentials.models import Credential, IssueRun, IssueRunChunk, Renewal
from credentials.services import renewals
from renewal_portal.infra.runs import services as runs
from renewal_portal.infra.runs.tasks import define_tasks

# One chunk is one task and one batch of renewals.issue_renewals (BATCH_SIZE): 500
# holders cost about 0.15 s of CPU and a few dozen statements (issue 19), so a season of
# 50,000 is 100 tasks, not 1,000 with their fixed cost each.
DEFAULT_CHUNK_SIZE = 500
MAX_CHUNK_SIZE = 1000


def check_year(year: int, on: dt.date | None = None) -> None:
    """Refuse, with the reason, a year the office cannot issue today (rule 12)."""
    refusal = rules.issue_year_refusal(year, on or selectors.today())
    if refusal:
        raise ValidationError(refusal)


@dataclass(frozen=True)
class IssuePreview:
    """What issuing `year` now would do: the confirmation staff read before starting."""

    year: int
    holders_due: int
    already_issued: int
    missing_requirement_sets: tuple[str, ...] = ()

    @property
    def to_issue(self) -> int:
        return self.holders_due - self.already_issued

    def __str__(self) -> str:
        holders = "holder" if self.to_issue == 1 else "holders"
        text = (
            f"{self.to_issue} {holders} will be issued their {self.year} renewal and emailed "
            f"the invoice; {self.already_issued} already have theirs and get nothing new."
        )
        if self.missing_requirement_sets:
            text += (
                f" No requirement set for {self.year}: "
                f"{', '.join(self.missing_requirement_sets)} (those are not invoiced)."
            )
        return text


def _holders_due(year: int, holder_ids=None):
    due = renewals.holders_due(year)
    if holder_ids is not None:
        due = due.filter(holder_id__in=list(holder_ids))
    return due


def preview(year: int, holder_ids=None) -> IssuePreview:
    """Count, without issuing anything, the holders a run for `year` (of every holder
    due, or only of `holder_ids`) would email."""
    due = _holders_due(year, holder_ids)
    already = Renewal.objects.filter(year=year, holder_id__in=due).count()
    book = selectors.RequirementBook()
    types = (
        Credential.objects.filter(holder_id__in=due)
        .filter(credential_type__renews_annually=True)
        .values_list("credential_type_id", "credential_type__code")
        .distinct()
    )
    missing = sorted({code for type_id, code in types if book.set_for(type_id, year) is None})
    return IssuePreview(
        year=year,
        holders_due=due.count(),
        already_issued=already,
        missing_requirement_sets=tuple(missing),
    )


class IssueRuns(runs.RunKind):
    """Issuing a year: a chunk of holder ids per unit, each issued their renewal."""

    run_model = IssueRun
    unit_model = IssueRunChunk
    noun = "chunks"
    noun_one = "chunk"

    def make_units(self, run):
        ids = list(_holders_due(run.year, run.only_holder_ids))
        # Who had their renewal before the run: what the run then issued is the rest.
        had_one = set(Renewal.objects.filter(year=run.year).values_list("holder_id", flat=True))
        for index, start in enumerate(range(0, len(ids), run.chunk_size)):
            holder_ids = ids[start : start + run.chunk_size]
            yield IssueRunChunk(
                run=run,
                index=index,
                holder_ids=holder_ids,
                already_issued=sum(1 for holder_id in holder_ids if holder_id in had_one),
            )

    def planned(self, run, units):
        return {"holders_total": sum(len(chunk.holder_ids) for chunk in units)}

    def process(self, chunk):
        renewals.issue_renewals(
            chunk.run.year, holder_ids=chunk.holder_ids, by=chunk.run.requested_by
        )
        # Counted from the records, not from this call: a chunk re-run after a crash
        # issues nothing new but still reports how many of its holders have their renewal.
        with_renewal = Renewal.objects.filter(
            year=chunk.run.year, holder_id__in=chunk.holder_ids
        ).count()
        return {"renewals_issued": with_renewal}

    def progress(self, run, units_done):
        """Of the holders in the chunks done, how many got a new renewal, already had
        one, or had nothing due."""
        done_chunks = list(
            units_done.values_list("holder_ids", "renewals_issued", "already_issued")
        )
        issued = sum(with_renewal for _, with_renewal, _ in done_chunks)
        already = sum(already for _, _, already in done_chunks)
        holders_done = sum(len(ids) for ids, _, _ in done_chunks)
        return {
            "renewals_issued": issued,
            "new": issued - already,
            "already_issued": already,
            "nothing_due": holders_done - issued,
            "holders_total": run.holders_total,
            "holders_done": holders_done,
        }

    def describe(self, run, p):
        """What a run did so far, in words: 'Issued 0 new renewals; 2 already issued.'"""
        if not p["started"] and not p["finished"]:
            return "Queued: waiting for a background worker to start issuing."
        new = p["new"]
        text = f"Issued {new} new {run.year} {'renewal' if new == 1 else 'renewals'}"
        text += f" (each emailed its invoice); {p['already_issued']} already issued"
        if p["nothing_due"]:
            text += f"; {p['nothing_due']} with nothing due"
        text += "."
        if not p["finished"]:
            text += f" {p['holders_done']} of {p['holders_total']} holders done so far."
        if p["failing"]:
            text += f" {p['failing']} chunk(s) failing: see their errors below and resume the run."
        return text


ISSUE_RUNS = IssueRuns()
# The names they always had: credentials.tasks re-exports them (and Celery finds them there).
run_issue_run, issue_renewals_chunk = define_tasks(
    ISSUE_RUNS,
    start_name="credentials.tasks.run_issue_run",
    unit_name="credentials.tasks.issue_renewals_chunk",
)


def start_issue_run(
    year: int,
    *,
    by=None,
    reason: str = "",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on: dt.date | None = None,
    background: bool = True,
    holder_ids=None,
) -> IssueRun:
    """Record a run for `year` (refused for a year outside its season, rule 12) and start
    it in the background once this commits; `background=False` leaves the running to the
    caller (`run_in_foreground`, for the management command). `holder_ids` limits the run
    to those holders (staff issuing the renewals of selected credentials); `reason` says
    why, in words (by default, who started it)."""
    check_year(year, on)
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValidationError(f"Choose between 1 and {MAX_CHUNK_SIZE} holders per task.")
    if not reason:
        who = "staff" if by is not None else "the season's schedule"
        scope = "of selected holders" if holder_ids is not None else "of every holder due"
        reason = f"The {year} renewals {scope}, started by {who}."
    run = IssueRun.objects.create(
        year=year,
        requested_by=by,
        reason=reason,
        chunk_size=chunk_size,
        only_holder_ids=sorted(set(holder_ids)) if holder_ids is not None else None,
    )
    if background:
        runs.dispatch(ISSUE_RUNS, run)
    return run


def run_in_foreground(
    run: IssueRun, progress: Callable[[int, int], None] | None = None
) -> IssueRun:
    """Run a run's chunks here, one after another, instead of on the workers: the same
    chunks, records and progress as in the background. `progress(done, total)` counts
    holders after each chunk."""
    chunks = plan_chunks(run)
    total = sum(len(chunk.holder_ids) for chunk in chunks)
    done = 0
    for chunk in chunks:
        run_chunk(chunk)
        done += len(chunk.holder_ids)
        if progress is not None:
            progress(done, total)
    run.refresh_from_db()
    return run


def plan_chunks(run: IssueRun) -> list[IssueRunChunk]:
    """Split the holders due into the run's chunks, once (later calls return the same),
    and mark the run running."""
    chunks = runs.plan(ISSUE_RUNS, run)
    runs.begin(ISSUE_RUNS, run)
    return chunks


def run_chunk(chunk: IssueRunChunk) -> bool:
    """Issue the renewals of one chunk; False if the chunk was done already."""
    return runs.run_unit(ISSUE_RUNS, chunk)


def resume(run: IssueRun) -> int:
    """Staff's "resume" in admin: enqueue the unfinished chunks of a run again."""
    return runs.resume(ISSUE_RUNS, run)


def progress(run: IssueRun) -> dict:
    """Where a run stands (runs.snapshot): chunks done, and of the holders in the chunks
    done, how many got a new renewal, already had one, or had nothing due."""
    snapshot = runs.snapshot(ISSUE_RUNS, run)
    return {**snapshot, "chunks_total": snapshot["total"], "chunks_done": snapshot["done"]}
