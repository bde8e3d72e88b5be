"""Money is integer cents everywhere; this is the one place that turns it into text."""

from decimal import Decimal


def format_cents(cents, currency="usd"):
    """1234567 -> '$12,345.67' (exact: Decimal, never float)."""
    if cents is None:
        return ""
    amount = Decimal(int(cents)) / 100
    symbol = "$" if currency.lower() == "usd" else f"{currency.upper()} "
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"
