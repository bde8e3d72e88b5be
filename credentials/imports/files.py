"""Reading the office's spreadsheets: CSV (comma, semicolon or tab; UTF-8 or the Windows
encoding Excel writes) and Excel workbooks (.xlsx), with column names as people write
them ("E-mail", "Email Address", "Zip", "Credential #").

A file that cannot be an import at all (empty, too large, not a spreadsheet, a missing
column) is refused in one plain sentence before any row is read (ImportFileError). Each
data row keeps the row number a spreadsheet shows (the header is row 1) in ROW_COLUMN, so
every error names the cell as the clerk sees it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from io import BytesIO

import tablib
from import_export.formats.base_formats import XLSX

from cec.imports import roster_separator
from renewal_portal.infra.spreadsheets import unguard

# The row number a spreadsheet shows, carried through the import with each row.
ROW_COLUMN = "__row__"

# Below nginx's 12 MB upload limit (deploy/nginx), so the clerk reads this sentence, not
# nginx's error page; 5,000 holders with 40,000 CEC rows is about 4 MB of CSV.
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000

XLSX_SIGNATURE = b"PK\x03\x04"
OTHER_BINARY = {
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook (or another Office document)",
    b"%PDF": "a PDF document",
}

DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
)


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing is read from it."""


def normalize_header(value) -> str:
    """'E-mail' -> 'e mail', 'Credential #' -> 'credential number', ' Zip\ufeff' -> 'zip'."""
    text = str(value or "").replace("\ufeff", "").strip().lower()
    text = text.replace("#", " number ").replace("&", " and ")
    text = re.sub(r"\bno\b\.?", "number", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def read_spreadsheet(data: bytes, file_name: str = "") -> tablib.Dataset:
    """The rows of an uploaded file under its header row, each with ROW_COLUMN; blank
    rows are dropped. ImportFileError for a file that is not a spreadsheet."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"This file is {len(data) / 1024 / 1024:.1f} MB; an import can be at most "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into several files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty: it needs a header row and one row per record.")
    if data.startswith(XLSX_SIGNATURE):
        rows = _xlsx_rows(data)
    else:
        for signature, what in OTHER_BINARY.items():
            if data.startswith(signature):
                raise ImportFileError(
                    f"This file is {what}, not a spreadsheet the portal reads: in Excel choose "
                    "File › Save As › Excel Workbook (.xlsx) or CSV UTF-8, then upload that file."
                )
        if b"\x00" in data[:4096]:
            raise ImportFileError(
                "This file is not a spreadsheet (it holds binary data): upload a CSV or an "
                "Excel workbook (.xlsx)."
            )
        rows = _csv_rows(data)
    if not rows:
        raise ImportFileError("The file is empty: it needs a header row and one row per record.")
    header, body = rows[0], rows[1:]
    headers = [str(h or "").replace("\ufeff", "").strip() for h in header]
    dataset = tablib.Dataset(headers=[*headers, ROW_COLUMN])
    for number, row in enumerate(body, start=2):
        cells = list(row)[: len(headers)]
        cells += [None] * (len(headers) - len(cells))
        if all(_blank(cell) for cell in cells):
            continue
        dataset.append([*cells, number])
    if len(dataset) > MAX_ROWS:
        raise ImportFileError(
            f"This file has {len(dataset):,} rows; an import can have at most {MAX_ROWS:,}. "
            "Split it into several files."
        )
    if not len(dataset):
        raise ImportFileError("The file has its header row but no records below it.")
    return dataset


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv_rows(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in its own encoding, not UTF-8.
        text = data.decode("cp1252", errors="replace")
    text = text.lstrip()
    try:
        dataset = tablib.import_set(text, format="csv", delimiter=roster_separator(text))
    except Exception:
        raise ImportFileError(
            "This file cannot be read as CSV: save it from the spreadsheet as CSV UTF-8 (or "
            "as an Excel workbook) and upload it again."
        ) from None
    return [list(dataset.headers or [])] + [list(row) for row in dataset]


def _xlsx_rows(data: bytes) -> list[list]:
    try:
        dataset = XLSX().create_dataset(BytesIO(data).read())
    except Exception:
        raise ImportFileError(
            "This file cannot be read as an Excel workbook (.xlsx): open it in Excel, save it "
            "again as Excel Workbook or CSV UTF-8, and upload that file."
        ) from None
    return [list(dataset.headers or [])] + [list(row) for row in dataset]


def map_columns(headers, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{canonical name: the file's header} for the columns the import knows; columns it
    does not know are ignored. Two columns meaning the same thing refuse the file."""
    wanted = {normalize_header(alias): name for name, names in aliases.items() for alias in names}
    wanted.update({normalize_header(name): name for name in aliases})
    found: dict[str, str] = {}
    for header in headers:
        if header == ROW_COLUMN:
            continue
        name = wanted.get(normalize_header(header))
        if name is None:
            continue
        if name in found:
            raise ImportFileError(
                f"The columns '{found[name]}' and '{header}' mean the same thing: keep one "
                "of them and upload the file again."
            )
        found[name] = header
    return found


# --- Cells -------------------------------------------------------------------------------


def text(value) -> str:
    """A cell as text, as typed: a formula-looking name stays text, never evaluated."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores member ids and ZIP codes typed as numbers as floats
    return unguard(str(value).strip())  # the guard of our own export taken off


def parse_date(value) -> dt.date:
    """A date cell: an Excel date, or text such as 2026-03-05, 3/5/2026, Mar 5, 2026."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{raw}' is not a date (write it as YYYY-MM-DD or MM/DD/YYYY).")


def parse_hours(value) -> Decimal:
    """CEC hours: a positive number with at most two decimals, e.g. 1.5."""
    raw = text(value)
    try:
        hours = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"'{raw}' is not a number of hours (write it like 1.5).") from None
    if not hours.is_finite() or hours <= 0 or hours >= 1000:
        raise ValueError(f"'{raw}' is not a number of hours between 0 and 1,000.")
    if hours != hours.quantize(Decimal("0.01")):
        raise ValueError(f"'{raw}' has more than two decimals; CEC hours are kept to 0.01.")
    return hours.quantize(Decimal("0.01"))
