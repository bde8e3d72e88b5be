"""The portal's own system checks, and the guard that runs them where Django does not.

`manage.py check`, `check --deploy`, `migrate` and `runserver` run every system check and
stop on an error. gunicorn and Celery run none, so `refuse_to_start_on_errors` runs them
when the web application is loaded (renewal_portal/wsgi.py) and when a Celery worker or
beat starts (renewal_portal/celery.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Each secret and the prefix a real value of it has.
PRODUCTION_SECRETS = {
    "SECRET_KEY": "",
    "STRIPE_SECRET_KEY": ("sk_", "rk_"),
    "STRIPE_PUBLISHABLE_KEY": "pk_",
    "STRIPE_WEBHOOK_SECRET": "whsec_",
}
# deploy/env.example's placeholders ("sk_live_change-me", "SECRET_KEY=change-me").
PLACEHOLDER = "change-me"


@checks.register(checks.Tags.security)
def production_secrets(app_configs=None, **kwargs):
    """In production every secret is set, and none is a development value or a
    placeholder: a webhook signed with the public localstripe secret must never mark an
    invoice paid."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    development = getattr(settings, "DEVELOPMENT_SECRETS", {})
    errors = []
    for name, prefix in PRODUCTION_SECRETS.items():
        try:
            value = str(getattr(settings, name, "") or "")
        except ImproperlyConfigured:  # Django refuses to read an empty SECRET_KEY
            value = ""
        if not value:
            problem = "is not set"
        elif value == development.get(name):
            problem = "is the development value"
        elif PLACEHOLDER in value.lower():
            problem = f"is the placeholder from deploy/env.example ({value!r})"
        elif prefix and not value.startswith(prefix):
            expected = " or ".join(prefix) if isinstance(prefix, tuple) else prefix
            problem = f"does not look like one (it starts with {expected})"
        else:
            continue
        errors.append(
            checks.Error(
                f"{name} {problem}, and DJANGO_PRODUCTION is on.",
                hint=f"Set {name} in the environment (/etc/aasc-portal/env) to the "
                "production value; see deploy/env.example.",
                id="portal.E001",
            )
        )
    return errors


class UnsafeConfiguration(ImproperlyConfigured):
    pass


def refuse_to_start_on_errors(process: str) -> None:
    """Run the system checks as `manage.py check` does and raise UnsafeConfiguration,
    naming every error, when one is found (silenced checks stay silent)."""
    found = checks.run_checks(include_deployment_checks=False)
    errors = [message for message in found if message.is_serious() and not message.is_silenced()]
    if errors:
        lines = "\n".join(f"  {message}" for message in errors)
        raise UnsafeConfiguration(
            f"The {process} refuses to start: the system checks found "
            f"{len(errors)} error(s):\n{lines}"
        )
