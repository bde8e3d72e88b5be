"""Email to holders goes through the outbox: a row first, then a Celery task sends it.

`queue_message` is what services call. The row's unique `dedupe_key` means a repeated
call (a retried task, a double click) queues nothing new and so sends nothing twice.
Sending happens after the surrounding transaction commits.
"""

from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string

from credentials.models import OutboxMessage

# Documents attached at send time: name -> "module.function" returning
# (filename, bytes, mimetype) for an object id.
ATTACHMENT_RENDERERS = {
    "invoice_pdf": "payments.pdf.invoice_attachment",
    "receipt_pdf": "payments.pdf.receipt_attachment",
}


def queue_message(*, holder, kind, dedupe_key, context=None, renewal=None, attachments=()):
    """Record an email from templates/emails/<kind>_subject.txt, <kind>.txt and
    (optionally) <kind>.html; returns the new message, or None if it was queued before."""
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
        return None
    transaction.on_commit(lambda: _enqueue_send(message.pk))
    return message


def _enqueue_send(message_id):
    from credentials.tasks import send_outbox_message

    send_outbox_message.delay(message_id)


def render_attachment(spec):
    module_path, func_name = ATTACHMENT_RENDERERS[spec["document"]].rsplit(".", 1)
    return getattr(import_module(module_path), func_name)(spec["id"])
