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
from renewal_portal.infra import background
from renewal_portal.infra.bulk import insert_rows

# The Celery tasks that send (credentials/tasks.py), by name: they import this module.
SEND_TASK = "credentials.tasks.send_outbox_message"
FAN_OUT_TASK = "credentials.tasks.enqueue_outbox_sends"

logger = logging.getLogger(__name__)

# Documents attached at send time: name -> "module.function" returning
# (filename, bytes, mimetype) for an object id.
ATTACHMENT_RENDERERS = {
    "invoice_pdf": "payments.pdf.invoice_attachment",
    "receipt_pdf": "payments.receipts.receipt_attachment",
}

# Kinds whose text may be rendered at send time rather than when queued: kind ->
# "module.function" returning the template context for the message's row. Issuing a
# season's invoices then writes rows only; each email is rendered once, when it is sent,
# from the records as they stand (the same ones its PDF attachment is rendered from).
DEFERRED_CONTEXTS = {
    "renewal_invoice": "credentials.services.renewals.invoice_email_context",
}


def queue_message(
    *, holder, kind, dedupe_key, context=None, renewal=None, attachments=(), to_email=None
):
    """Record an email from templates/emails/<kind>_subject.txt, <kind>.txt and
    (optionally) <kind>.html; returns the new message, or None if it was queued before.
    It goes to the holder, or to `to_email` (the office) about the holder."""
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
                to_email=to_email or holder.email,
                subject=subject[:300],
                body_text=body_text,
                body_html=body_html,
                attachments=list(attachments),
            )
    except IntegrityError:
        return None  # queued meanwhile by a concurrent caller
    transaction.on_commit(lambda: enqueue_send(message.pk), robust=True)
    return message


def queue_rendered_message(
    *, holder, to_email, kind, dedupe_key, subject, body_text, body_html=""
) -> OutboxMessage | None:
    """Record an email whose text was rendered elsewhere (django-allauth's account
    emails); returns the new message, or None if its key was queued before."""
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                holder=holder,
                kind=kind,
                dedupe_key=dedupe_key,
                to_email=to_email,
                subject=subject[:300],
                body_text=body_text,
                body_html=body_html,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue_send(message.pk), robust=True)
    return message


def queue_messages(messages) -> list[int]:
    """queue_message for many emails at once (issuing a year's invoices): one query for
    the dedupe keys already used, one bulk insert that returns the new ids. Each item of
    `messages` is a dict of queue_message's keyword arguments, plus `deferred: True` for a
    kind of DEFERRED_CONTEXTS: its text is then rendered when it is sent, not now (a
    season's invoice emails), which may name the holder by `holder_id` and `to_email`
    instead of `holder`. Returns the new ids."""
    messages = list(messages)
    for message in messages:
        for spec in message.get("attachments", ()):
            if spec.get("document") not in ATTACHMENT_RENDERERS:
                raise ValueError(f"Unknown attachment document {spec.get('document')!r}.")
        if message.get("deferred") and message["kind"] not in DEFERRED_CONTEXTS:
            raise ValueError(f"{message['kind']!r} emails cannot be rendered at send time.")
    keys = [message["dedupe_key"] for message in messages]
    used = set(
        OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    rows = []
    for message in messages:
        if message["dedupe_key"] in used:
            continue
        used.add(message["dedupe_key"])
        # A deferred message may name its holder by id and address (the invoice run's).
        holder, kind, renewal = message.get("holder"), message["kind"], message.get("renewal")
        if message.get("deferred"):
            # Subject and body stay blank until the send renders and records them.
            content = {"subject": "", "body_text": "", "body_html": ""}
        else:
            content = render_message(
                kind, {"holder": holder, "renewal": renewal, **(message.get("context") or {})}
            )
        rows.append(
            {
                "holder_id": holder.pk if holder is not None else message["holder_id"],
                # A deferred message may name its renewal by id (the invoice run's).
                "renewal_id": getattr(renewal, "pk", renewal),
                "kind": kind,
                "dedupe_key": message["dedupe_key"],
                "to_email": holder.email if holder is not None else message["to_email"],
                "attachments": list(message.get("attachments", ())),
                **content,
            }
        )
    if not rows:
        return []
    # Plain rows (a season is 50,000 of them); a concurrent caller may take a key
    # meanwhile: its row wins, ours is skipped, and it sends its own.
    ids = insert_rows(OutboxMessage, rows, ignore_conflicts=True)
    transaction.on_commit(lambda: enqueue_sends(ids), robust=True)
    return ids


def render_message(kind, context) -> dict:
    """Subject, text and HTML body of a `kind` email (templates/emails/<kind>…)."""
    context = {
        "site_url": settings.SITE_URL,
        "office_signature": settings.OFFICE_SIGNATURE,
        **context,
    }
    subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
    try:
        body_html = render_to_string(f"emails/{kind}.html", context)
    except TemplateDoesNotExist:
        body_html = ""
    return {
        "subject": subject[:300],
        "body_text": render_to_string(f"emails/{kind}.txt", context),
        "body_html": body_html,
    }


def is_deferred(message: OutboxMessage) -> bool:
    """A message queued without its text, to be rendered when it is sent."""
    return message.kind in DEFERRED_CONTEXTS and not message.body_text


def render_deferred(message: OutboxMessage) -> dict:
    """The subject and bodies of a deferred message, from its records as they stand."""
    module_path, func_name = DEFERRED_CONTEXTS[message.kind].rsplit(".", 1)
    context = getattr(import_module(module_path), func_name)(message)
    return render_message(message.kind, context)


def enqueue_send(message_id) -> bool:
    """Hand a message to Celery. A broker failure leaves it pending for the sweep."""
    try:
        background.task(SEND_TASK).delay(message_id)
    except Exception:
        if background.tasks_run_eagerly():
            raise  # in tests and eager mode the "broker" is the task itself: show its error
        logger.exception("Could not enqueue outbox message %s; the sweep will send it", message_id)
        return False
    return True


def enqueue_sends(message_ids) -> bool:
    """Hand many messages to Celery at once: one task that a worker fans out to a send
    per message (an enqueue costs Celery about half a millisecond; a season's invoice
    run queues tens of thousands). A broker failure leaves them pending for the sweep."""
    message_ids = list(message_ids)
    if len(message_ids) <= 1:
        return all(enqueue_send(message_id) for message_id in message_ids)
    try:
        background.task(FAN_OUT_TASK).delay(message_ids)
    except Exception:
        if background.tasks_run_eagerly():
            raise
        logger.exception(
            "Could not enqueue %s outbox messages; the sweep will send them", len(message_ids)
        )
        return False
    return True


def render_attachment(spec):
    module_path, func_name = ATTACHMENT_RENDERERS[spec["document"]].rsplit(".", 1)
    return getattr(import_module(module_path), func_name)(spec["id"])
