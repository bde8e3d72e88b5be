"""Issue 16 item 6: only payments/providers/stripe.py knows Stripe's ids, status strings
and event types; services, webhooks, views, templates and the rest of the portal see the
provider's domain outcomes (payments.providers.base)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRIPE_ONLY = ROOT / "payments" / "providers" / "stripe.py"
STRIPE_WORDS = re.compile(
    r"""import stripe|["'](pi|seti|ch|re|dp|evt|cus)_|payment_intent\.|charge\.(refunded|dispute)"""
    r"|requires_payment_method|warning_closed|Stripe-Signature|STRIPE_(JS_URL|API_BASE|PUBLISHABLE)"
)


def _sources():
    for folder in ("payments", "credentials", "cec", "renewal_portal", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".html") or "migrations" in path.parts:
                continue
            # Settings and their deployment checks name Stripe's keys: configuration.
            if path == STRIPE_ONLY or path.name in ("settings.py", "checks.py"):
                continue
            yield path


def test_no_module_but_the_stripe_provider_knows_stripes_strings():
    leaks = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if STRIPE_WORDS.search(line)
    ]

    assert leaks == []
