"""Email to holders goes through the outbox: a row first, then a Celery task sends it.

`queue_message` is what services call. The row's unique `dedupe_key` means a repeated
call (a retried task, a double click, a second worker) queues nothing new and so sends
nothing twice. The row is written in the caller's transaction and the send is enqueued
only after it commits, so a rolled-back state change never emails anyone. If the broker
cannot be reached at that moment the row stays pending and the periodic outbox sweep
(credentials.tasks.send_pending_outbox) sends it later.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string

from credentials.models import OutboxMessage

logger = logging.getLogger(__name__)

# Documents attached at send time: name -> "module.function" returning
# (filename, bytes, mimetype) for an object id.
ATTACHMENT_RENDERERS = {
    "invoice_pdf": "payments.pdf.invoice_attachment",
    "receipt_pdf": "payments.receipts.receipt_attachment",
}


def queue_message(*, holder, kind, dedupe_key, context=None, renewal=None, attachments=()):
    """Record an email from templates/emails/<kind>_subject.txt, <kind>.txt and
    (optionally) <kind>.html; returns the new message, or None if it was queued before."""
    for spec in attachments:
        if spec.get("document") not in ATTACHMENT_RENDERERS:
            raise ValueError(f"Unknown attachment document {spec.get('document')!r}.")
    if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None  # cheap check first: rendering templates for a duplicate is wasted work
    context = {
        "holder": holder,
        "renewal": renewal,
        "site_url": settings.SITE_URL,
        "office_signature": settings.OFFICE_SIGNATURE,
        **(context or {}),
    }
    subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
    body_text = render_to_string(f"emails/{kind}.txt", context)
    try:
        body_html = render_to_string(f"emails/{kind}.html", context)
    except TemplateDoesNotExist:
        body_html = ""
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                holder=holder,
                renewal=renewal,
                kind=kind,
                dedupe_key=dedupe_key,
                to_email=holder.email,
                subject=subject[:300],
                body_text=body_text,
                body_html=body_html,
                attachments=list(attachments),
            )
    except IntegrityError:
        return None  # queued meanwhile by a concurrent caller
    transaction.on_commit(lambda: enqueue_send(message.pk), robust=True)
    return message


def queue_messages(messages) -> list[int]:
    """queue_message for many emails at once (issuing a year's invoices): one query for
    the dedupe keys already used, one bulk insert, one query for the new ids. Each item of
    `messages` is a dict of queue_message's keyword arguments. Returns the new ids."""
    messages = list(messages)
    for message in messages:
        for spec in message.get("attachments", ()):
            if spec.get("document") not in ATTACHMENT_RENDERERS:
                raise ValueError(f"Unknown attachment document {spec.get('document')!r}.")
    keys = [message["dedupe_key"] for message in messages]
    used = set(
        OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    rows = []
    for message in messages:
        if message["dedupe_key"] in used:
            continue
        used.add(message["dedupe_key"])
        holder, kind, renewal = message["holder"], message["kind"], message.get("renewal")
        context = {
            "holder": holder,
            "renewal": renewal,
            "site_url": settings.SITE_URL,
            "office_signature": settings.OFFICE_SIGNATURE,
            **(message.get("context") or {}),
        }
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        try:
            body_html = render_to_string(f"emails/{kind}.html", context)
        except TemplateDoesNotExist:
            body_html = ""
        rows.append(
            OutboxMessage(
                holder=holder,
                renewal=renewal,
                kind=kind,
                dedupe_key=message["dedupe_key"],
                to_email=holder.email,
                subject=subject[:300],
                body_text=render_to_string(f"emails/{kind}.txt", context),
                body_html=body_html,
                attachments=list(message.get("attachments", ())),
            )
        )
    if not rows:
        return []
    # A concurrent caller may take a key meanwhile: its row wins, ours is skipped.
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        OutboxMessage.objects.filter(
            dedupe_key__in=[row.dedupe_key for row in rows], status=OutboxMessage.Status.PENDING
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: [enqueue_send(pk) for pk in ids], robust=True)
    return ids


def enqueue_send(message_id) -> bool:
    """Hand a message to Celery. A broker failure leaves it pending for the sweep."""
    from credentials.tasks import send_outbox_message

    try:
        send_outbox_message.delay(message_id)
    except Exception:
        if _tasks_run_eagerly():
            raise  # in tests and eager mode the "broker" is the task itself: show its error
        logger.exception("Could not enqueue outbox message %s; the sweep will send it", message_id)
        return False
    return True


def _tasks_run_eagerly() -> bool:
    from renewal_portal.celery import app

    return bool(app.conf.task_always_eager)


def render_attachment(spec):
    module_path, func_name = ATTACHMENT_RENDERERS[spec["document"]].rsplit(".", 1)
    return getattr(import_module(module_path), func_name)(spec["id"])
