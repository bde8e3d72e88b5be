"""The engine every kind of background run shares.

A run is recorded by its kind's own start function (which checks what it must and says
why), then started once the transaction commits (`dispatch`). The start task plans the
run's units once (`plan`, under the run's row lock, so a second delivery finds them made),
marks it running (`begin`) and enqueues one task per unit not done. A unit task claims
its unit (`run_unit`: one attempt more, refused once done or after `max_attempts`),
does the kind's work, and marks it done; the task of the last unit finishes the run
(`finish_if_done`: one task wins the claim). Every step can run twice without doing
anything twice, so a worker that dies mid-run costs only a redelivery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from renewal_portal.infra.runs.models import BackgroundRun, RunStatus, RunUnit

ERROR_LENGTH = 2000


@dataclass(frozen=True)
class RunTasks:
    """A kind's two Celery tasks (made by tasks.define_tasks)."""

    start: Any
    unit: Any

    def __iter__(self):  # start, unit = define_tasks(...)
        return iter((self.start, self.unit))


class RunKind:
    """What one kind of background run does. Subclass it next to the kind's models (an
    app's services), fill in the class attributes and `make_units` and `process`, make
    one instance, and give it its tasks with tasks.define_tasks."""

    run_model: type[BackgroundRun]
    unit_model: type[RunUnit]
    noun = "units"  # what the progress counts: "3 of 5 chunks"
    noun_one = "unit"
    max_attempts = 6  # attempts of a unit before it waits for staff to resume the run
    # A status the run holds while `finish` runs (claimed by one task); None: no
    # finishing step, the last unit's task marks the run done.
    finishing_status: str | None = None
    tasks: RunTasks | None = None

    def make_units(self, run, **options) -> Iterable[RunUnit]:
        """The run's units, unsaved, in the order they should run (`options`: what the
        kind's start function passed to `plan`, if it plans at once)."""
        raise NotImplementedError

    def planned(self, run, units: list[RunUnit]) -> dict:
        """Fields of the run to save once its units are made (e.g. how many holders)."""
        return {}

    def process(self, unit) -> dict:
        """Do one unit's work (the unit is fresh, with its run); return the fields of the
        unit to save with it done. Raise to fail the attempt; it must be safe to repeat."""
        raise NotImplementedError

    def finish(self, run) -> dict:
        """The finishing step, after the last unit (with `finishing_status`); return the
        fields of the run to save with it done."""
        return {}

    def progress(self, run, units_done) -> dict:
        """What the kind adds to the progress snapshot (units_done: a queryset)."""
        return {}

    def describe(self, run, snapshot: dict) -> str:
        """The sentence that says what the run did so far."""
        text = f"{snapshot['done']} of {snapshot['total']} {self.noun} done"
        if snapshot["failing"]:
            text += f"; {snapshot['failing']} failing (see their errors, then resume the run)"
        return text + "."


# --- Reading ------------------------------------------------------------------------------


def units_of(kind: RunKind, run) -> models.QuerySet:
    return kind.unit_model.objects.filter(**{kind.unit_model.run_field: run})


def pending_units(kind: RunKind, run) -> models.QuerySet:
    return units_of(kind, run).filter(done_at__isnull=True).order_by("pk")


def counts(kind: RunKind, run) -> dict:
    """Units in all, done, the share done (a run without units is 100% once finished),
    and units whose last attempt failed."""
    units = units_of(kind, run)
    total = units.count()
    done = units.filter(done_at__isnull=False).count()
    return {
        "total": total,
        "done": done,
        "percent": int(done * 100 / total) if total else (100 if run.finished_at else 0),
        "failing": units.filter(done_at__isnull=True).exclude(last_error="").count(),
    }


def snapshot(kind: RunKind, run) -> dict:
    """Where a run stands: the counts, whether it started and finished, its status, the
    kind's own figures and the sentence staff read (what admin and its JSON show)."""
    result = {
        **counts(kind, run),
        "started": run.started_at is not None,
        "finished": run.finished_at is not None,
        "status": run.get_status_display(),
        "error": run.last_error,
    }
    result.update(kind.progress(run, units_of(kind, run).filter(done_at__isnull=False)))
    result["summary"] = kind.describe(run, result)
    return result


# --- Running ------------------------------------------------------------------------------


def dispatch(kind: RunKind, run) -> None:
    """Start the run in the background once the current transaction commits."""
    assert kind.tasks is not None, f"{type(kind).__name__} has no tasks (tasks.define_tasks)"
    start = kind.tasks.start
    transaction.on_commit(lambda: start.delay(run.pk))


def plan(kind: RunKind, run, **options) -> list[RunUnit]:
    """Make the run's units, once; later calls return the same units. The start task
    plans a run the kind did not plan when it recorded it."""
    with transaction.atomic():
        run = kind.run_model.objects.select_for_update().get(pk=run.pk)
        existing = list(units_of(kind, run).order_by("pk"))
        if existing:
            return existing
        units = kind.unit_model.objects.bulk_create(list(kind.make_units(run, **options)))
        fields = kind.planned(run, units)
        if fields:
            kind.run_model.objects.filter(pk=run.pk).update(**fields)
    return units


def begin(kind: RunKind, run) -> list[int]:
    """Mark the run running (the first time) and return the ids of its units not done;
    a run with none left is finished here."""
    kind.run_model.objects.filter(pk=run.pk, started_at__isnull=True).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    pending = list(pending_units(kind, run).values_list("pk", flat=True))
    if not pending:
        finish_if_done(kind, run)
    return pending


def start(kind: RunKind, run) -> list[int]:
    """The start task's work: plan, begin, and the ids of the units to enqueue."""
    plan(kind, run)
    return begin(kind, run)


def run_unit(kind: RunKind, unit) -> bool:
    """Claim one unit and do its work; False if it was done already or has used its
    `max_attempts` (it then waits for staff to resume the run). A failure is recorded on
    the unit and raised, so the task retries."""
    unit = (
        kind.unit_model.objects.select_related(kind.unit_model.run_field).filter(pk=unit.pk).first()
    )
    if unit is None or unit.done_at is not None:
        return False
    claimed = kind.unit_model.objects.filter(
        pk=unit.pk, done_at__isnull=True, attempts__lt=kind.max_attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return False
    try:
        fields = kind.process(unit)
    except Exception as exc:
        kind.unit_model.objects.filter(pk=unit.pk).update(last_error=_error(exc))
        raise
    kind.unit_model.objects.filter(pk=unit.pk, done_at__isnull=True).update(
        done_at=timezone.now(), last_error="", **(fields or {})
    )
    finish_if_done(kind, getattr(unit, kind.unit_model.run_field))
    return True


def finish_if_done(kind: RunKind, run) -> bool:
    """When every unit is done, one task claims the run, runs the kind's finishing step
    if it has one, and marks the run done. A failing finishing step leaves the run
    running with its error, for a resume to finish."""
    if pending_units(kind, run).exists():
        return False
    unfinished = kind.run_model.objects.filter(
        pk=run.pk,
        finished_at__isnull=True,
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
    )
    if kind.finishing_status is None:
        return bool(
            unfinished.update(status=RunStatus.DONE, finished_at=timezone.now(), last_error="")
        )
    if not unfinished.update(status=kind.finishing_status):
        return False
    run = kind.run_model.objects.get(pk=run.pk)
    try:
        fields = kind.finish(run)
    except Exception as exc:
        kind.run_model.objects.filter(pk=run.pk).update(
            status=RunStatus.RUNNING, last_error=_error(exc)
        )
        raise
    kind.run_model.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), last_error="", **(fields or {})
    )
    return True


def resume(kind: RunKind, run) -> int:
    """Staff's "resume": give the units not done a fresh set of attempts and start the
    run again once this commits (planning it if a worker died before it could). Returns
    how many units are queued again."""
    with transaction.atomic():
        pending = pending_units(kind, run)
        count = pending.count()
        pending.update(attempts=0)
        dispatch(kind, run)
    return count


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
