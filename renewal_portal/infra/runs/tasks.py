"""The Celery shape of a background run: two small, idempotent tasks per kind, made by
`define_tasks` next to the kind (so the kind's services can start a run without importing
a tasks module that imports them back).

- the start task plans the run (once), marks it running and enqueues one unit task per
  unit not done; a database hiccup retries it;
- the unit task processes one unit; any failure retries it with backoff, as many times
  as the kind allows attempts (the engine refuses an attempt past `max_attempts`).

Both take ids and load fresh rows, and can run twice without doing anything twice.
"""

from celery import shared_task
from django.db import OperationalError

from renewal_portal.infra.runs import services
from renewal_portal.infra.runs.services import RunKind, RunTasks


def define_tasks(kind: RunKind, *, start_name: str, unit_name: str) -> RunTasks:
    """Make and register `kind`'s two tasks under these names (keep a name once workers
    may hold messages for it) and hand them to the kind."""

    @shared_task(
        name=unit_name,
        acks_late=True,
        autoretry_for=(Exception,),
        retry_backoff=15,
        max_retries=kind.max_attempts - 1,
    )
    def process_unit(unit_id):
        """Process one unit of a run (False: done already, or out of attempts)."""
        unit = kind.unit_model.objects.filter(pk=unit_id).first()
        if unit is None:
            return False
        return services.run_unit(kind, unit)

    @shared_task(
        name=start_name,
        acks_late=True,
        autoretry_for=(OperationalError,),
        retry_backoff=10,
        max_retries=5,
    )
    def start_run(run_id):
        """Plan a run (once), mark it running and enqueue its units not done."""
        run = kind.run_model.objects.filter(pk=run_id).first()
        if run is None:
            return 0
        unit_ids = services.start(kind, run)
        for unit_id in unit_ids:
            process_unit.delay(unit_id)
        return len(unit_ids)

    kind.tasks = RunTasks(start=start_run, unit=process_unit)
    return kind.tasks
