"""django-allauth's account emails (address verification, password reset, security
notices) go through the outbox like every other email, so staff see them in admin and
can retry a failed one; they greet and sign with the office's name and address."""

import hashlib
import uuid
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site

from credentials.notifications import queue_rendered_message

# Context entries that make one account email different from the next one of its kind
# (a new verification key, reset link or code each time the holder asks).
SECRET_CONTEXT = ("key", "code", "activate_url", "password_reset_url", "token")


def account_email_kind(template_prefix: str) -> str:
    """ "account/email/password_reset_key" -> "account_password_reset_key"."""
    return f"account_{template_prefix.rsplit('/', 1)[-1]}"[:50]


def account_email_key(template_prefix: str, email: str, context: dict) -> str:
    """The outbox's unique key: a hash of the message's own key, link or code, so each
    reset a holder asks for is its own message; a notice without one is always new."""
    secrets = [str(context[name]) for name in SECRET_CONTEXT if context.get(name)]
    material = "\n".join([template_prefix, email.lower(), *(secrets or [uuid.uuid4().hex])])
    digest = hashlib.sha256(material.encode()).hexdigest()[:40]
    return f"{account_email_kind(template_prefix)}:{digest}"


def on_site_url(value):
    """An absolute link re-based on SITE_URL. allauth builds its links (verification,
    password reset, sign-up) from the request's Host header, which whoever asks for the
    email chooses: a reset link must never point at another host."""
    if not isinstance(value, str):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return value
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


class OutboxAccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        context = {name: on_site_url(value) for name, value in context.items()}
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "site_url": settings.SITE_URL,
            "office_signature": settings.OFFICE_SIGNATURE,
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        body_text, body_html = message.body, ""
        if message.content_subtype == "html":
            body_text, body_html = "", message.body
        for content, mimetype in getattr(message, "alternatives", ()):
            if mimetype == "text/html":
                body_html = content
        queue_rendered_message(
            holder=self._holder(email, context.get("user")),
            to_email=email,
            kind=account_email_kind(template_prefix),
            dedupe_key=account_email_key(template_prefix, email, context),
            subject=message.subject,
            body_text=body_text,
            body_html=body_html,
        )

    def _holder(self, email, user):
        if user is not None and getattr(user, "pk", None):
            return user
        return get_user_model().objects.filter(email__iexact=email).first()
