from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class SubmissionState(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for NAAEI review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Submission(models.Model):
    """The holder's one submission of all CECs owed for a renewal (SPEC rule 5)."""

    renewal = models.ForeignKey(
        "credentials.Renewal", on_delete=models.CASCADE, related_name="submissions"
    )
    entries = models.ManyToManyField("cec.LedgerEntry", related_name="submissions")
    total_hours = models.DecimalField(max_digits=6, decimal_places=2)
    in_network_hours = models.DecimalField(max_digits=6, decimal_places=2)
    state = models.CharField(
        max_length=10, choices=SubmissionState.choices, default=SubmissionState.SUBMITTED
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["submitted_at"]
        permissions = [("review_submission", "Can approve or reject CEC submissions for NAAEI")]
        constraints = [
            # One open (or approved) submission per renewal; a rejected one may be redone.
            models.UniqueConstraint(
                fields=["renewal"],
                condition=Q(state__in=["submitted", "approved"]),
                name="one_live_submission_per_renewal",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            # The review queue's order when it lists every state (issue 19): a page is an
            # index walk, not a sort of the whole table.
            models.Index(fields=["submitted_at", "id"], name="cec_submission_queue_order"),
        ]

    def __str__(self):
        return f"CEC submission for {self.renewal}"
