"""Issue 18: importing the office's holders, credentials and CEC history (dry run first,
errors by cell, idempotent, undo, invitations)."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from cec.models import EntryState, LedgerEntry, Source
from cec.selectors.ledger import progress_for_renewal
from credentials.imports.files import ImportFileError
from credentials.models import ContactProfile, Credential, ImportBatch, OutboxMessage, User
from credentials.services import imports
from credentials.services.renewals import issue_renewal_for
from tests.factories.credentials import CredentialFactory, HolderFactory
from tests.factories.renewal_states import renewal_due

pytestmark = pytest.mark.django_db

HOLDERS = [
    [
        "Member ID",
        "First Name",
        "Last Name",
        "E-mail",
        "Phone",
        "Address",
        "City",
        "State",
        "Zip",
        "Company",
        "Job Title",
    ],
    [
        "M-1001",
        "Jane",
        "Smith",
        "jane@example.org",
        "719-555-0101",
        "1 Main St",
        "Denver",
        "CO",
        "80202",
        "Acme Living",
        "Community Manager",
    ],
    [
        "M-1002",
        "Raúl",
        "Ortiz",
        "raul@example.org",
        "",
        "2 Elm St",
        "Boulder",
        "CO",
        "80301",
        "",
        "Leasing Consultant",
    ],
]
CREDENTIALS = [
    ["Email Address", "Designation", "Credential #", "Date Earned", "Expires", "Status"],
    ["jane@example.org", "CAM", "CAM-1001", "2019-05-01", "12/31/2026", "Active"],
    ["jane@example.org", "NALP", "NALP-77", "2020-02-02", "2026-12-31", "Active"],
    ["raul@example.org", "CALP", "CALP-9", "2018-03-03", "2023-12-31", "Lapsed"],
]
HISTORY = [
    ["Member ID", "Date", "Course", "CEC Hours", "Type", "Provider", "Certificate"],
    ["M-1001", "2026-03-05", "Fair housing", "4", "AASC class", "AASC", "AASC-2026-1"],
    ["M-1001", "2026-04-05", "Budgets", "3", "In-network", "NAA", ""],
    ["M-1001", "2026-05-05", "Volunteering at Expo", "1.5", "Participation", "AASC", ""],
]


def csv_bytes(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(kind, data, by, name="file.csv"):
    batch = imports.check_upload(kind, name, data, by)
    if batch.status == ImportBatch.Status.CHECKED:
        imports.confirm(batch, by)
        imports.run_batch(batch.pk)
        batch.refresh_from_db()
    return batch


def errors_of(batch):
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


# --- Dry run ------------------------------------------------------------------------------


def test_the_dry_run_counts_rows_and_writes_nothing(staff):
    batch = imports.check_upload("holders", "members.csv", csv_bytes(HOLDERS), staff)
    assert batch.status == ImportBatch.Status.CHECKED
    assert (batch.created_count, batch.updated_count, batch.error_count) == (2, 0, 0)
    assert not User.objects.filter(email="jane@example.org").exists()
    assert not ContactProfile.objects.filter(member_id="M-1001").exists()


def test_confirming_creates_holders_without_a_usable_password(staff):
    batch = run("holders", csv_bytes(HOLDERS), staff)
    assert batch.status == ImportBatch.Status.DONE
    assert batch.created_count == 2
    jane = User.objects.get(email="jane@example.org")
    assert not jane.has_usable_password()
    assert jane.profile.member_id == "M-1001"
    assert jane.profile.postal_code == "80202"
    assert jane.profile.employer == "Acme Living"
    assert batch.rows.filter(model="user", created=True).count() == 2


def test_xlsx_and_semicolon_csv_read_the_same(staff):
    assert run("holders", xlsx_bytes(HOLDERS), staff, "members.xlsx").created_count == 2
    again = imports.check_upload("holders", "m.csv", csv_bytes(HOLDERS, ";"), staff)
    assert (again.created_count, again.unchanged_count) == (0, 2)


def test_reimporting_the_same_file_changes_nothing(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    run("credentials", csv_bytes(CREDENTIALS), staff)
    run("cec_history", csv_bytes(HISTORY), staff)
    for kind, rows in (
        ("holders", HOLDERS),
        ("credentials", CREDENTIALS),
        ("cec_history", HISTORY),
    ):
        again = run(kind, csv_bytes(rows), staff)
        assert (again.created_count, again.updated_count) == (0, 0), kind
        assert again.unchanged_count == len(rows) - 1
        assert not again.rows.exists()


def test_the_portals_own_export_reimports_unchanged(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    run("credentials", csv_bytes(CREDENTIALS), staff)
    run("cec_history", csv_bytes(HISTORY), staff)
    for kind in ("holders", "credentials", "cec_history"):
        resource = imports.RESOURCES[kind]()
        exported = resource.export().export("csv").encode()
        again = imports.check_upload(kind, "export.csv", exported, staff)
        assert again.error_count == 0, (kind, again.errors)
        assert (again.created_count, again.updated_count) == (0, 0), kind


def test_nalp_is_read_as_calp_and_lapsed_is_recorded(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    batch = run("credentials", csv_bytes(CREDENTIALS), staff)
    assert batch.created_count == 3
    calp = Credential.objects.get(number="NALP-77")
    assert calp.credential_type.code == "CALP"
    assert Credential.objects.get(number="CALP-9").lapsed_on == dt.date(2023, 12, 31)


def test_an_update_keeps_previous_values_and_blank_cells_leave_details(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    changed = [
        HOLDERS[0],
        ["M-1001", "Jane", "Smith-Lee", "jane@example.org", "", "", "", "", "", "", ""],
    ]
    batch = run("holders", csv_bytes(changed), staff)
    assert batch.updated_count == 1
    jane = User.objects.get(email="jane@example.org")
    assert jane.last_name == "Smith-Lee"
    assert jane.profile.phone == "719-555-0101"
    row = batch.rows.get(model="user")
    assert row.previous == {"last_name": "Smith"}


def test_a_row_that_became_wrong_after_the_check_stops_the_run_and_writes_nothing(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    batch = imports.check_upload("credentials", "c.csv", csv_bytes(CREDENTIALS), staff)
    raul = User.objects.get(email="raul@example.org")
    CredentialFactory(holder=raul, number="CAM-1001")  # entered by hand meanwhile
    imports.confirm(batch, staff)
    batch = imports.run_batch(batch.pk)
    assert batch.status == ImportBatch.Status.FAILED
    assert "Stopped at row" in batch.message
    assert errors_of(batch)[0][2] == (
        "Credential number CAM-1001 belongs to another holder (raul@example.org)."
    )
    assert Credential.objects.count() == 1


def test_a_second_delivery_of_the_run_does_nothing(staff):
    batch = imports.check_upload("holders", "m.csv", csv_bytes(HOLDERS), staff)
    imports.confirm(batch, staff)
    assert imports.run_batch(batch.pk).status == ImportBatch.Status.DONE
    assert imports.run_batch(batch.pk) is None
    batch.refresh_from_db()
    assert (batch.created_count, batch.rows.count()) == (2, 2)


# --- Errors -------------------------------------------------------------------------------


def test_each_error_names_the_row_and_column(staff):
    HolderFactory(email="taken@example.org")
    run("holders", csv_bytes(HOLDERS), staff)
    rows = [
        CREDENTIALS[0],
        ["jane@example.org", "XYZ", "X-1", "2019-05-01", "2026-12-31", "Active"],
        ["jane@example.org", "CAM", "CAM-1001", "yesterday", "2026-12-31", "Active"],
        ["raul@example.org", "CAS", "DUP-1", "2019-05-01", "2026-12-31", "Active"],
        ["raul@example.org", "AIME", "DUP-1", "2019-05-01", "2026-12-31", "Active"],
        ["nobody@example.org", "CAM", "N-1", "2019-05-01", "2026-12-31", "Active"],
        ["raul@example.org", "CAPS", "C-2", "2019-05-01", "", "Active"],
    ]
    batch = imports.check_upload("credentials", "creds.csv", csv_bytes(rows), staff)
    assert batch.status == ImportBatch.Status.REFUSED
    found = errors_of(batch)
    assert (
        2,
        "Designation",
        "Unknown type code 'XYZ': use one of AIME, CALP, CAM, CAMT, CAPS, CAS, NALP.",
    ) in found
    assert (
        3,
        "Date Earned",
        "'yesterday' is not a date (write it as YYYY-MM-DD or MM/DD/YYYY).",
    ) in found
    assert (
        5,
        "Credential #",
        "Two rows for one credential number: DUP-1 is also on row 4.",
    ) in found
    assert any(e[0] == 6 and e[1] == "Email Address" and "Unknown holder" in e[2] for e in found)
    assert any(e[0] == 7 and e[1] == "Expires" and "missing" in e[2] for e in found)
    assert batch.error_count == 5
    assert not Credential.objects.exists()
    with pytest.raises(ValidationError):
        imports.confirm(batch, staff)


def test_an_email_that_belongs_to_another_holder_is_refused(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    rows = [HOLDERS[0], ["M-1002", "Raúl", "Ortiz", "jane@example.org", "", "", "", "", "", "", ""]]
    batch = imports.check_upload("holders", "m.csv", csv_bytes(rows), staff)
    assert errors_of(batch) == [
        (
            2,
            "E-mail",
            "The email jane@example.org belongs to another "
            "holder (Jane Smith), not to member ID M-1002.",
        )
    ]


def test_hours_that_are_not_a_number_and_an_unknown_kind(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    rows = [HISTORY[0], ["M-1001", "2026-03-05", "Fair housing", "four", "Webinar", "", ""]]
    batch = imports.check_upload("cec_history", "h.csv", csv_bytes(rows), staff)
    found = errors_of(batch)
    assert (2, "CEC Hours", "'four' is not a number of hours (write it like 1.5).") in found
    assert any(e[1] == "Type" and "Unknown kind 'webinar'" in e[2] for e in found)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty"),
        (b"%PDF-1.7\n...", "a PDF document"),
        (b"\x00\x01\x02binary", "not a spreadsheet"),
        (b"PK\x03\x04broken zip", "cannot be read as an Excel workbook"),
        (b"Name,Phone\nJane,1\n", "needs a column 'Email'"),
        (b"Email\n", "no records below it"),
    ],
)
def test_a_file_that_cannot_be_an_import_is_refused_in_one_sentence(staff, data, message):
    with pytest.raises(ImportFileError, match=message):
        imports.check_upload("holders", "f.csv", data, staff)
    assert not ImportBatch.objects.exists()


def test_a_huge_file_is_refused_with_a_clear_message(staff, monkeypatch):
    monkeypatch.setattr("credentials.imports.files.MAX_BYTES", 1000)
    with pytest.raises(ImportFileError, match="at most 0 MB|an import can be at most"):
        imports.check_upload("holders", "f.csv", csv_bytes(HOLDERS) * 20, staff)


def test_a_formula_in_a_name_is_stored_as_text(staff):
    rows = [
        HOLDERS[0],
        ["M-9", "=cmd|' /C calc'!A0", "Evil", "evil@example.org", "", "", "", "", "", "", ""],
    ]
    run("holders", csv_bytes(rows), staff)
    assert User.objects.get(email="evil@example.org").first_name == "=cmd|' /C calc'!A0"


def test_the_export_guards_formulas_and_reimports_them_unchanged(staff):
    rows = [
        HOLDERS[0],
        ["M-9", "=cmd|' /C calc'!A0", "Evil", "evil@example.org", "", "", "", "", "", "", ""],
    ]
    run("holders", csv_bytes(rows), staff)
    exported = imports.RESOURCES["holders"]().export().export("csv")
    assert "'=cmd|" in exported
    assert ",=cmd" not in exported
    again = imports.check_upload("holders", "export.csv", exported.encode(), staff)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)


def test_header_variants_are_understood(staff):
    rows = [
        [
            "EMAIL ADDRESS",
            "Given Name",
            "Surname",
            "Member #",
            "Postal Code",
            "Organization",
            "Position",
        ],
        ["v@example.org", "Vi", "Variant", "77", "80903", "Org", "Manager"],
    ]
    run("holders", csv_bytes(rows), staff)
    profile = ContactProfile.objects.get(member_id="77")
    assert (profile.user.first_name, profile.postal_code, profile.employer) == (
        "Vi",
        "80903",
        "Org",
    )


# --- CEC history counts for the renewal ---------------------------------------------------


def test_imported_cec_history_counts_for_the_renewal(staff, holder):
    renewal = renewal_due(holder, 2027, codes=("CAM",))
    rows = [
        ["Email", "Date", "Title", "Hours", "Kind", "Verified"],
        [holder.email, "2026-03-05", "Fair housing", "5", "AASC class", "yes"],
        [holder.email, "2026-04-05", "Budgets", "2", "Other", "yes"],
        [holder.email, "2026-05-05", "Not yet checked", "1", "Other", "no"],
        [holder.email, "2025-05-05", "Too early", "3", "Other", "yes"],
    ]
    run("cec_history", csv_bytes(rows), staff)
    entry = LedgerEntry.objects.get(title="Fair housing")
    assert (entry.source, entry.state, entry.in_network) == (
        Source.IMPORTED,
        EntryState.VERIFIED,
        True,
    )
    assert LedgerEntry.objects.get(title="Not yet checked").state == EntryState.PENDING_VERIFICATION
    progress = progress_for_renewal(renewal)
    assert progress.earned == Decimal("7")


# --- Undo ---------------------------------------------------------------------------------


def test_undo_takes_the_import_back(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    credentials = run("credentials", csv_bytes(CREDENTIALS), staff)
    imports.undo_batch(credentials, staff)
    assert not Credential.objects.exists()
    credentials.refresh_from_db()
    assert credentials.status == ImportBatch.Status.UNDONE


def test_undo_of_an_update_restores_the_previous_values(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    changed = [
        HOLDERS[0],
        ["M-1001", "Jane", "Smith-Lee", "jane@example.org", "1", "", "", "", "", "", ""],
    ]
    batch = run("holders", csv_bytes(changed), staff)
    imports.undo_batch(batch, staff)
    jane = User.objects.get(email="jane@example.org")
    assert (jane.last_name, jane.profile.phone) == ("Smith", "719-555-0101")


def test_undo_is_refused_once_a_holder_signed_in(staff, client):
    batch = run("holders", csv_bytes(HOLDERS), staff)
    jane = User.objects.get(email="jane@example.org")
    client.force_login(jane)
    assert "jane@example.org has signed in" in imports.undo_refusal(batch)
    with pytest.raises(ValidationError):
        imports.undo_batch(batch, staff)
    assert User.objects.filter(email="jane@example.org").exists()


def test_undo_is_refused_after_the_credential_changed(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    batch = run("credentials", csv_bytes(CREDENTIALS), staff)
    credential = Credential.objects.get(number="CAM-1001")
    credential.valid_through = dt.date(2027, 12, 31)
    credential.save()
    assert imports.undo_refusal(batch) == "Credential CAM-1001 has changed since the import."


def test_undo_is_refused_once_a_renewal_was_issued(staff):
    run("holders", csv_bytes(HOLDERS), staff)
    batch = run("credentials", csv_bytes(CREDENTIALS), staff)
    jane = User.objects.get(email="jane@example.org")
    assert issue_renewal_for(jane, 2027, on=dt.date(2026, 11, 2)) is not None
    assert imports.undo_refusal(batch).startswith("A renewal was issued for credential")


def test_undo_of_holders_is_refused_while_their_credentials_remain(staff):
    holders = run("holders", csv_bytes(HOLDERS), staff)
    run("credentials", csv_bytes(CREDENTIALS), staff)
    assert "undo that import" in imports.undo_refusal(holders)


# --- Invitations --------------------------------------------------------------------------


def test_invitations_are_queued_once_per_holder(staff):
    batch = run("holders", csv_bytes(HOLDERS), staff)
    holders = list(imports.holders_of(batch))
    assert imports.invite_holders(holders, staff) == 2
    assert imports.invite_holders(holders, staff) == 0
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    message = OutboxMessage.objects.get(to_email="jane@example.org")
    assert "/account/invitation/" in message.body_text


def test_a_holder_with_a_password_is_not_invited(staff, holder):
    assert imports.invite_holders([holder], staff) == 0


# --- The demo's sample spreadsheets -------------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[2] / "static" / "samples"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_sample_spreadsheets_import_cleanly_in_order(staff, extension):
    for kind in ("holders", "credentials", "cec_history"):
        data = (SAMPLES / f"{kind}.{extension}").read_bytes()
        batch = run(kind, data, staff, f"{kind}.{extension}")
        assert batch.status == ImportBatch.Status.DONE, (kind, batch.errors[:3])
        assert batch.created_count > 30
    assert User.objects.filter(email__endswith="@sample.aasc-demo.org").count() == 36
    assert Credential.objects.get(number="CALP-71203").credential_type.code == "CALP"  # NALP


def test_the_sample_with_mistakes_shows_the_error_preview(staff):
    data = (SAMPLES / "holders_with_mistakes.csv").read_bytes()
    batch = imports.check_upload("holders", "holders_with_mistakes.csv", data, staff)
    assert batch.status == ImportBatch.Status.REFUSED
    assert [e["row"] for e in batch.errors] == [2, 3, 4]
