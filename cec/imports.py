"""CSV class rosters: who attended one class session, imported from the admin.

A roster row names an attendee by email or credential number (or both); an optional
date column must be the session's date. Every row is previewed; a file with any bad
row (unknown holder, duplicate, wrong date) imports nothing, and each bad row says why,
by the row number a spreadsheet shows (the header is row 1). A file that cannot be a
roster at all (empty, not text, no name column, a session not held yet) is refused
before any row is read, with one plain sentence. Comma-, semicolon- and tab-separated
files are all read (Excel writes semicolons in many locales).
Each good row goes through cec.services.ledger.record_attendance, so an import credits
the ledger exactly as recording attendance by hand does.
"""

from __future__ import annotations

import csv
import datetime as dt

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from import_export import fields, resources
from import_export.formats.base_formats import CSV

from cec.models import Attendance, ClassSession
from cec.services.ledger import record_attendance
from credentials import roles
from credentials.models import Credential, User

EMAIL, NUMBER, DATE = "email", "credential_number", "date"
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")


class RosterError(ValueError):
    """The file as a whole cannot be a roster for the session; nothing is imported."""


SEPARATORS = ",;\t"
# The first bytes of files people upload by mistake: an .xlsx/.docx (a ZIP), an old .xls,
# a PDF.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")


def roster_text(data: bytes | str) -> str:
    """The file as text, or RosterError in one sentence when it is not a text file."""
    if isinstance(data, str):
        return data
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data[:4096]:
        raise RosterError(
            "This file is not a CSV file (it looks like an Excel workbook or another "
            "document): in Excel choose File › Save As › CSV UTF-8, then upload that file."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(
            "This file's characters cannot be read: save it as CSV UTF-8 and upload it again."
        ) from None


def roster_separator(text: str) -> str:
    """The column separator of the header row: comma, semicolon or tab."""
    header = text.lstrip().splitlines()[0] if text.strip() else ""
    try:
        return csv.Sniffer().sniff(header, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ","


def read_roster(data: bytes | str) -> tablib.Dataset:
    """The roster as rows under their header (the admin's format calls this)."""
    text = roster_text(data)
    if not text.strip():
        return tablib.Dataset()
    return tablib.import_set(text.lstrip(), format="csv", delimiter=roster_separator(text))


def check_roster_file(data: bytes, session: ClassSession | None) -> None:
    """Refuse a file that cannot be a roster for `session`, with one plain sentence
    (RosterError), before any row is read."""
    if session is not None and session.date > timezone.localdate():
        raise RosterError(
            f"The session on {session.date:%B %-d, %Y} has not taken place yet: "
            "import its roster after the class."
        )
    text = roster_text(data)
    if not text.strip():
        raise RosterError(
            "The file is empty: a roster needs a header row (email or credential_number) "
            "and one row per attendee."
        )
    try:
        dataset = read_roster(text)
    except Exception:
        raise RosterError(
            "This file cannot be read as a CSV roster: save it from the spreadsheet as "
            "CSV UTF-8 and upload it again."
        ) from None
    headers = [_header(h) for h in (dataset.headers or [])]
    if not set(headers) & {EMAIL, NUMBER}:
        found = ", ".join(h for h in headers if h) or "nothing"
        raise RosterError(
            "The first row must name the columns: 'email' or 'credential_number' (or both), "
            f"and optionally 'date'; this file's first row has {found}."
        )
    if not len(dataset):
        raise RosterError("The file has its header row but no attendees below it.")


class RosterCSV(CSV):
    """CSV as spreadsheets write it: comma, semicolon or tab between columns."""

    def create_dataset(self, in_stream, **kwargs):
        return read_roster(in_stream)


def parse_roster_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _cell(row, column) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


class RosterResource(resources.ModelResource):
    """One row per attendee of `session` (chosen on the import form)."""

    email = fields.Field(attribute="holder__email", column_name=EMAIL)
    credential_number = fields.Field(attribute="roster_number", column_name=NUMBER)
    date = fields.Field(attribute="session__date", column_name=DATE)
    holder = fields.Field(attribute="holder", column_name="holder (matched)")

    class Meta:
        model = Attendance
        fields = (EMAIL, NUMBER, DATE, "holder")
        import_order = (EMAIL, NUMBER, DATE, "holder")
        clean_model_instances = False
        report_skipped = True

    def __init__(self, session: ClassSession | None = None, recorded_by=None, **kwargs):
        super().__init__()
        self.session = session
        self.recorded_by = recorded_by

    def get_user_visible_fields(self):
        # The matched holder is shown in the preview, not asked for in the file.
        return [f for f in super().get_user_visible_fields() if f.column_name != "holder (matched)"]

    # -- Before any row: resolve every name in the file with two queries ------------------

    def before_import(self, dataset, **kwargs):
        # Set before any check can fail, so that rows read after a refused file find them.
        self.by_email, self.by_number = {}, {}
        self.already_attending: set[int] = set()
        self.line_of_holder: dict[int, int] = {}
        if self.session is None:
            raise RosterError("Choose the class session this roster is for.")
        if self.session.date > timezone.localdate():
            raise RosterError(
                f"The session on {self.session.date:%B %-d, %Y} has not taken place yet: "
                "import its roster after the class."
            )
        dataset.headers = [_header(h) for h in (dataset.headers or [])]
        if not set(dataset.headers) & {EMAIL, NUMBER}:
            raise RosterError(
                "The roster needs an 'email' or a 'credential_number' column (or both)."
            )
        emails = {_cell(r, EMAIL).lower() for r in dataset.dict} - {""}
        numbers = {_cell(r, NUMBER).upper() for r in dataset.dict} - {""}
        # Case-insensitive matches, two queries for the whole file.
        self.by_email = {
            user.email_key: user
            for user in User.objects.annotate(email_key=Lower("email")).filter(
                email_key__in=emails, is_active=True
            )
        }
        self.by_number = {
            credential.number_key: credential.holder
            for credential in Credential.objects.annotate(number_key=Upper("number"))
            .filter(number_key__in=numbers)
            .select_related("holder")
        }
        self.already_attending = set(
            Attendance.objects.filter(session=self.session).values_list("holder_id", flat=True)
        )

    # -- Each row: match the holder, check the date, refuse duplicates --------------------

    def get_or_init_instance(self, instance_loader, row):
        line = self._line_number(row)
        holder, errors = self._match_holder(row)
        date_text = _cell(row, DATE)
        if date_text:
            attended_on = parse_roster_date(date_text)
            if attended_on is None:
                errors[DATE] = (
                    f"Wrong date: '{date_text}' is not a date (use YYYY-MM-DD or MM/DD/YYYY)."
                )
            elif attended_on != self.session.date:
                errors[DATE] = (
                    f"Wrong date: {attended_on:%B %-d, %Y} is not the date of this session "
                    f"({self.session.date:%B %-d, %Y})."
                )
        if roles.credits_own_ledger(self.recorded_by, holder):
            errors[NON_FIELD_ERRORS] = roles.SELF_CREDIT_REFUSED
        if holder is not None:
            first = self.line_of_holder.setdefault(holder.pk, line)
            if first != line:
                errors[NON_FIELD_ERRORS] = (
                    f"Duplicate: {holder.email} is already on row {first} of this roster."
                )
        if errors:
            raise ValidationError(errors)
        instance = Attendance(session=self.session, holder=holder)
        instance.roster_number = _cell(row, NUMBER)
        # Someone already recorded as attending is skipped: recording twice credits once.
        return instance, holder.pk not in self.already_attending

    def _match_holder(self, row):
        email, number = _cell(row, EMAIL).lower(), _cell(row, NUMBER).upper()
        if not email and not number:
            return None, {
                NON_FIELD_ERRORS: "Unknown holder: the row has no email or credential number."
            }
        by_email = self.by_email.get(email) if email else None
        by_number = self.by_number.get(number) if number else None
        errors = {}
        if email and by_email is None:
            errors[EMAIL] = f"Unknown holder: no account uses the email {email}."
        if number and by_number is None:
            errors[NUMBER] = f"Unknown holder: no credential has the number {number}."
        if errors:
            return None, errors
        if by_email and by_number and by_email.pk != by_number.pk:
            return None, {
                NUMBER: f"Credential {number} belongs to {by_number.email}, not to {email}."
            }
        return by_email or by_number, {}

    def _line_number(self, row):
        # import-export numbers data rows from 1; a spreadsheet shows the header as row 1.
        return excel_row(self._current_row_number)

    def import_row(self, row, instance_loader, **kwargs):
        self._current_row_number = kwargs.get("row_number")
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        # Nothing to copy from the row: the holder was matched and the session is given.
        return None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return instance.holder_id in self.already_attending

    def save_instance(self, instance, is_create, row, **kwargs):
        by = kwargs.get("user") or self.recorded_by
        entry = record_attendance(self.session, instance.holder, by=by)
        instance.pk = entry.attendance_id


def excel_row(data_row_number: int) -> int:
    """The row a spreadsheet shows for import-export's data row (the header is row 1)."""
    return data_row_number + 1


def _header(value) -> str:
    # Spreadsheets add byte-order marks, capitals and spaces to column names.
    return str(value or "").replace("\ufeff", "").strip().lower().replace(" ", "_")
