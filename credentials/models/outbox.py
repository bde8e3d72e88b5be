from django.conf import settings
from django.db import models


class OutboxMessage(models.Model):
    """An email to a holder, recorded before it is sent.

    `dedupe_key` is unique, so a retried or duplicated task can never queue, and so
    never send, the same message twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent (no longer needed)"

    # Empty only for an account email to an address with no account (allauth's "unknown
    # account" reply to a password reset).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    renewal = models.ForeignKey(
        "credentials.Renewal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    kind = models.CharField(max_length=50)
    dedupe_key = models.CharField(max_length=200, unique=True)
    to_email = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="Documents rendered at send time, e.g. invoice PDF."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} to {self.to_email} ({self.status})"
