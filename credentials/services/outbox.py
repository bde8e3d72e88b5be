"""Sending one outbox message; the Celery task is a thin wrapper around this."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from credentials.models import OutboxMessage
from credentials.notifications import render_attachment


def send_outbox_message(message_id) -> bool:
    """Send a pending message once. Returns False when there was nothing to send
    (already sent, or gone). A failure is recorded on the row and raised for a retry."""
    failure = None
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id)
            .exclude(status=OutboxMessage.Status.SENT)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            email = EmailMultiAlternatives(
                subject=message.subject,
                body=message.body_text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to_email],
            )
            if message.body_html:
                email.attach_alternative(message.body_html, "text/html")
            for spec in message.attachments:
                email.attach(*render_attachment(spec))
            email.send()
        except Exception as exc:
            message.status = OutboxMessage.Status.FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["status", "last_error", "attempts"])
            failure = exc
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["status", "sent_at", "last_error", "attempts"])
    if failure is not None:
        raise failure  # the failure is committed on the row; the task retries with backoff
    return True
