"""One CSV-injection guard (issue 16 item 7): text a person typed never runs as a formula
in any CSV or XLSX the portal writes, and every such file is written through
renewal_portal.infra.spreadsheets."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from renewal_portal.infra.spreadsheets import csv_text, safe_cell, unguard

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "typed",
    ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tX", "\rX", "\nX", '=HYPERLINK("http://x")'],
)
def test_text_that_starts_like_a_formula_is_shown_as_text(typed):
    assert safe_cell(typed) == "'" + typed
    assert unguard(safe_cell(typed)) == typed


@pytest.mark.parametrize(
    "value",
    [3, Decimal("-12.50"), "-12.50", "42", dt.date(2026, 4, 22), True, "Maria O'Neil"],
)
def test_numbers_dates_and_plain_text_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_nothing_is_an_empty_cell_and_a_person_is_their_name_guarded():
    class Person:
        def __str__(self):
            return "=Evil Clerk"

    assert safe_cell(None) == ""
    assert safe_cell(Person()) == "'=Evil Clerk"


def test_a_csv_guards_every_cell():
    text = csv_text(["name", "hours"], [["=cmd|' /C calc'!A0", "2.00"]])
    assert text.splitlines()[1].startswith("'=cmd")


WRITERS = re.compile(r"csv\.writer|csv\.DictWriter|openpyxl|xlsxwriter|export_data\(")


def test_every_spreadsheet_the_portal_writes_goes_through_the_guard():
    """A module that writes CSV or XLSX itself must call the guard."""
    unguarded = [
        str(path.relative_to(ROOT))
        for app in ("credentials", "cec", "payments", "renewal_portal")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and path.name != "spreadsheets.py"
        and WRITERS.search(text := path.read_text())
        and "safe_cell" not in text
    ]
    assert unguarded == []
