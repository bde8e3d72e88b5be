"""The CSV-injection guard: the one function every CSV and XLSX the portal writes puts
its cells through (transcripts, attendance lists, audit packets, season exports, the
import spreadsheets' exports).

Text a person typed (a name, a title, a note) that starts like a formula is prefixed with
a quote, so a spreadsheet shows it as text and never runs it. Numbers, dates and plain
numbers written as text ("-12.50") stay what they are, so an export still adds up.
`unguard` takes the quote off again when one of our own exports is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

# What a spreadsheet would run as a formula when a cell starts with it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_TYPED = (bool, int, float, Decimal, dt.date, dt.datetime, dt.time)


def safe_cell(value):
    """`value` as a cell a spreadsheet shows as written: None is empty, numbers and dates
    keep their type, anything else is text, quoted when it starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, _TYPED):
        return value
    text = str(value)
    if text[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values) -> list:
    """Every cell of a row through `safe_cell`."""
    return [safe_cell(value) for value in values]


def unguard(text: str) -> str:
    """A cell of one of our own exports as it was typed: the guard's quote taken off."""
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def csv_text(columns, rows) -> str:
    """A CSV file as text: the header `columns`, then `rows`, every cell guarded."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue()
