from django.db import models

from renewal_portal.infra.runs.models import BackgroundRun, RunUnit


class IssueRun(BackgroundRun):
    """One run of issuing a renewal year's renewals for the membership, a background run
    (renewal_portal.infra.runs; the work: services/issue_runs.py).

    The holders are split into chunks, one Celery task each, so progress shows in admin
    and a worker that dies mid-run re-runs only the chunks it had not finished (issuing
    is idempotent, so a chunk run twice issues nothing twice).
    """

    year = models.PositiveSmallIntegerField("renewal year")
    chunk_size = models.PositiveIntegerField(default=50)
    holders_total = models.PositiveIntegerField(default=0)
    only_holder_ids = models.JSONField(
        "only these holders",
        null=True,
        blank=True,
        help_text="Set when staff issued the renewals of selected credentials; blank: every "
        "holder due.",
    )

    def __str__(self):
        return f"Issuing {self.year} renewals ({self.get_status_display().lower()})"


class IssueRunChunk(RunUnit):
    """A batch of holders of an issue run, handled by one task."""

    run = models.ForeignKey(IssueRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    holder_ids = models.JSONField(default=list)
    renewals_issued = models.PositiveIntegerField(
        "renewals", default=0, help_text="Holders of the chunk who have their renewal for the year."
    )
    already_issued = models.PositiveIntegerField(
        "already issued",
        default=0,
        help_text="Holders of the chunk who had their renewal for the year before the run.",
    )

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="one_chunk_per_run_index")
        ]

    def __str__(self):
        return f"Chunk {self.index + 1} of {self.run}"
