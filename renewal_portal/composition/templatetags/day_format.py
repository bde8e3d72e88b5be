"""`{{ entry.earned_on|day:"M j, Y" }}`: Django's `date` filter for a calendar day
(a `datetime.date`), each (day, format, language) formatted once per process (issue 19):
a list page formats the same few days in every row, and Django's date formatting costs
as much as a dozen template variables."""

import datetime as dt
import functools

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language

register = template.Library()


@functools.lru_cache(maxsize=4096)
def _formatted(day: dt.date, format_string: str, language: str | None) -> str:
    # language is part of the key only: month and day names follow the active language.
    return date_filter(day, format_string)


@register.filter(expects_localtime=True, is_safe=False)
def day(value, format_string):
    """date_filter(value, format_string) for a date; any other value goes to it as is."""
    if type(value) is not dt.date:
        return date_filter(value, format_string)
    return _formatted(value, format_string, get_language())
