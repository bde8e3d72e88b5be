"""Short forms of dates and times for admin lists, so a list fits a 1280 px screen with
one line per row (issue 17.15); the object's page shows the full value."""

import datetime as dt

from django.utils import dateformat, timezone


def short_datetime(value) -> str:
    """'Dec 4, 3:15 p.m.' this year, 'Dec 4, 2025' before; '–' for none."""
    if value is None:
        return "–"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if local.year == timezone.localdate().year:
        return dateformat.format(local, "M j, g:i a")
    return dateformat.format(local, "M j, Y")


def short_date(value: dt.date | None) -> str:
    """'Dec 4, 2026'; '–' for none."""
    return dateformat.format(value, "M j, Y") if value else "–"
