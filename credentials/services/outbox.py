"""Sending outbox messages; the Celery tasks are thin wrappers around these."""

import datetime as dt
import hashlib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from credentials.models import OutboxMessage, Renewal
from credentials.notifications import (
    enqueue_send,
    is_deferred,
    render_attachment,
    render_deferred,
)

# A pending message older than this was not picked up after its commit (the broker was
# down at that moment): the sweep enqueues it again. Long enough that a message merely
# waiting behind a season's invoices in the queue is not enqueued twice (harmless, as a
# send claims its row, but it would render the PDF twice).
STALE_AFTER = dt.timedelta(minutes=30)

# A message in one of these states is never sent (again).
FINISHED = (OutboxMessage.Status.SENT, OutboxMessage.Status.SKIPPED)


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The email of a message; a deferred message's text is rendered now (and kept on
    `message`, for the send to record)."""
    if is_deferred(message):
        for name, value in render_deferred(message).items():
            setattr(message, name, value)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={"Message-ID": message_id_of(message)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for spec in message.attachments:
        email.attach(*render_attachment(spec))
    return email


def message_id_of(message: OutboxMessage) -> str:
    """The same Message-ID every time this message is sent. A worker killed after the
    mail server took a message but before the send was recorded sends it again (a mail
    server and the database cannot commit together); mail clients show one message per
    Message-ID. Made from the row's key and creation time, so another database's row of
    the same id never shares it."""
    created = message.created_at.astimezone(dt.UTC).isoformat()
    seed = f"{message.pk}:{message.dedupe_key}:{created}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:32]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{digest}@{domain}>"


def send_outbox_message(message_id) -> bool:
    """Send a message that was not sent yet. Returns False when there was nothing to send
    (already sent, or gone). A failure is recorded on the row and raised for a retry.

    Attachments (PDFs) are rendered before any lock is taken. The message is then claimed
    with a conditional UPDATE that holds its row (and on SQLite the database) until the
    send is recorded, so two workers given the same message send it once: the second
    one's UPDATE waits, then matches nothing.
    """
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None or message.status in FINISHED:
        return False
    reason = no_longer_needed(message)
    if reason:
        OutboxMessage.objects.filter(pk=message_id).exclude(status__in=FINISHED).update(
            status=OutboxMessage.Status.SKIPPED, last_error=reason
        )
        return False
    deferred = is_deferred(message)
    try:
        email = build_email(message)
    except Exception as exc:
        _record_failure(message_id, exc, count_attempt=True)
        raise
    # A message rendered at send time keeps what was sent, as one rendered when queued does.
    rendered = (
        {name: getattr(message, name) for name in ("subject", "body_text", "body_html")}
        if deferred
        else {}
    )
    failure = None
    with transaction.atomic():
        claimed = (
            OutboxMessage.objects.filter(pk=message_id)
            .exclude(status__in=FINISHED)
            .update(attempts=F("attempts") + 1, **rendered)
        )
        if not claimed:
            return False
        try:
            email.send()
        except Exception as exc:
            failure = exc
            _record_failure(message_id, exc)
        else:
            OutboxMessage.objects.filter(pk=message_id).update(
                status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
            )
    if failure is not None:
        raise failure  # the failure is committed on the row; the task retries with backoff
    return True


def no_longer_needed(message: OutboxMessage) -> str:
    """Why a queued message should not go out any more ('' if it should): a reminder
    whose renewal was completed after it was queued (the holder must never be reminded
    of a finished renewal, however late the queue delivers)."""
    if message.kind == "reminder" and message.renewal_id:
        if Renewal.objects.filter(pk=message.renewal_id, completed_at__isnull=False).exists():
            return "Not sent: the renewal was completed before the reminder went out."
    return ""


def _record_failure(message_id, exc, count_attempt=False):
    changes = {
        "status": OutboxMessage.Status.FAILED,
        "last_error": f"{type(exc).__name__}: {exc}"[:2000],
    }
    if count_attempt:
        changes["attempts"] = F("attempts") + 1
    OutboxMessage.objects.filter(pk=message_id).exclude(status__in=FINISHED).update(**changes)


def retry_failed(messages) -> int:
    """Staff's "retry" in admin: enqueue each failed message again. Sent ones are left."""
    ids = list(messages.filter(status=OutboxMessage.Status.FAILED).values_list("pk", flat=True))
    for message_id in ids:
        transaction.on_commit(lambda message_id=message_id: enqueue_send(message_id), robust=True)
    return len(ids)


def send_pending(now=None, stale_after=STALE_AFTER) -> int:
    """Enqueue again the pending messages that nobody sent (the outbox relay's sweep).
    Failed ones are left to the task's own retries and to staff."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, created_at__lt=now - stale_after
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        enqueue_send(message_id)
    return len(ids)
