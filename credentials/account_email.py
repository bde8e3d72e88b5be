"""django-allauth's account emails (address verification, password reset, security
notices) go through the outbox like every other email, so staff see them in admin and
can retry a failed one; they greet and sign with the office's name and address."""

import hashlib
import uuid
from urllib.parse import urlsplit, urlunsplit

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site

from credentials.notifications import queue_rendered_message
from credentials.services.accounts import prove_email_address
from credentials.services.merges import is_unclaimed_record
from renewal_portal.infra.accounts import ThrottledSignInAdapter

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


class OutboxAccountAdapter(ThrottledSignInAdapter):
    """The portal's allauth adapter: account emails through the outbox, failed sign-ins
    throttled per client and per account (renewal_portal/infra/accounts.py)."""

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

    def send_account_already_exists_mail(self, email):
        """Someone signed up with the address of an existing account. When the account is
        a record the office made and nobody has signed into (issue 18), the address gets a
        link to choose a password for that record: proving the address gives the person
        their record, and no second account is made. Otherwise allauth's notice. The page
        answers the same either way (allauth's enumeration prevention)."""
        record = unclaimed_record_for(email)
        if record is None:
            return super().send_account_already_exists_mail(email)
        token = default_token_generator.make_token(record)
        key = f"{user_pk_to_url_str(record)}-{token}"
        self.send_mail(
            "account/email/claim_record",
            email,
            {"user": record, "password_reset_url": self.get_reset_password_from_key_url(key)},
        )

    def _holder(self, email, user):
        if user is not None and getattr(user, "pk", None):
            return user
        return get_user_model().objects.filter(email__iexact=email).first()


def unclaimed_record_for(email):
    """The office's record with this address that nobody has signed into, if any."""
    record = get_user_model().objects.filter(email__iexact=email).first()
    return record if is_unclaimed_record(record) else None


def address_proven_by_password_reset(sender, request, user, **kwargs):
    """Following the emailed link to choose a password proves the address: mark it
    verified, so a holder who claims their record by email signs in straight away."""
    prove_email_address(user)
