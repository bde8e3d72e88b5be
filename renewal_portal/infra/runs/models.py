"""The abstract models of a background run and its units (chunks, items).

A kind's concrete models subclass them in their own app, add what the kind needs (the
year, the holder ids of a chunk, the file an item wrote) and give the unit its foreign
key to the run, named in `RunUnit.run_field`.
"""

from django.conf import settings
from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class BackgroundRun(models.Model):
    """One run: queued when recorded, running once a worker planned and began it, done
    when its last unit is done (and the kind's finishing step, if any, succeeded).

    A kind that needs a status of its own (a packet build's "putting the archive
    together") declares its own `Status` with these three values and redeclares `status`.
    """

    Status = RunStatus

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who started the run; blank when a schedule started it.",
    )
    reason = models.CharField(
        "why", max_length=200, blank=True, help_text="Why the run was started, in words."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(
        blank=True, help_text="The error of the run's finishing step, if it failed."
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class UnitStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    FAILING = "failing", "Failing"
    DONE = "done", "Done"


class RunUnit(models.Model):
    """One unit of a run, processed by one task: done once `done_at` is set; failing
    while its last attempt raised (the error is kept until an attempt succeeds).
    `attempts` counts the attempts since the run was started or last resumed."""

    run_field = "run"  # the name of the concrete unit's foreign key to its run

    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def status(self) -> str:
        if self.done_at is not None:
            return UnitStatus.DONE
        return UnitStatus.FAILING if self.last_error else UnitStatus.PENDING
