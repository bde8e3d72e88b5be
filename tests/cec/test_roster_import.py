"""CSV class rosters imported from the admin: every row previewed, nothing imported
until the file is clean, each bad row reported with its reason."""

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cec.models import Attendance, EntryState, LedgerEntry
from cec.services.ledger import record_attendance
from tests.factories import ClassSessionFactory, CredentialFactory, HolderFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:cec_attendance_import"
PROCESS_URL = "admin:cec_attendance_process_import"


def _csv(text):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return SimpleUploadedFile("roster.csv", data, content_type="text/csv")


def _upload(client, session, text):
    return client.post(
        reverse(IMPORT_URL),
        {"session": session.pk, "format": "0", "resource": "0", "import_file": _csv(text)},
    )


def _file_error(preview):
    """The one sentence the import form shows beside the file; asserts no traceback."""
    page = html.unescape(preview.content.decode())
    assert "Traceback" not in page and "object has no attribute" not in page
    assert "confirm_form" not in preview.context
    assert "result" not in preview.context  # no row was read
    [error] = preview.context["form"].errors["import_file"]
    return error


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse(PROCESS_URL), {k: v for k, v in form.initial.items()})


@pytest.fixture
def session():
    return ClassSessionFactory(date=dt.date(2026, 3, 12))


def test_a_good_roster_previews_every_row_before_importing(staff_client, session):
    a = HolderFactory(email="ann@example.org")
    b = CredentialFactory(number="CAM123456").holder
    preview = _upload(
        staff_client,
        session,
        "email,credential_number,date\nann@example.org,,2026-03-12\n,CAM123456,03/12/2026\n",
    )
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert len(result.valid_rows()) == 2
    page = preview.content.decode()
    assert str(a) in page and str(b) in page
    assert not Attendance.objects.exists()


def test_confirming_a_good_roster_credits_every_attendee(staff_client, staff, session):
    ann = HolderFactory(email="ann@example.org")
    bob = CredentialFactory(number="CAM123456").holder
    preview = _upload(
        staff_client, session, "email,credential_number\nann@example.org,\n,CAM123456\n"
    )
    response = _confirm(staff_client, preview)
    assert response.status_code == 302
    assert response.url == reverse("admin:cec_classsession_change", args=[session.pk])
    for holder in (ann, bob):
        entry = LedgerEntry.objects.get(holder=holder)
        assert entry.attendance.session == session
        assert entry.state == EntryState.CREDITED
        assert entry.history.get().history_user == staff


def test_holders_are_matched_by_email_whatever_its_case(staff_client, session):
    ann = HolderFactory(email="ann@example.org")
    preview = _upload(staff_client, session, "Email\n ANN@Example.org \n")
    _confirm(staff_client, preview)
    assert LedgerEntry.objects.filter(holder=ann).count() == 1


def test_a_bad_roster_imports_nothing_and_reports_every_bad_row(staff_client, session):
    HolderFactory(email="ann@example.org")
    CredentialFactory(number="CAM123456", holder=HolderFactory(email="bob@example.org"))
    roster = (
        "email,credential_number,date\n"  # row 1 in Excel: the header
        "ann@example.org,,2026-03-12\n"  # 2: fine
        "nobody@example.org,,2026-03-12\n"  # 3: unknown holder (email)
        ",CAM999999,2026-03-12\n"  # 4: unknown holder (credential number)
        "ANN@example.org,,2026-03-12\n"  # 5: duplicate of row 2
        "bob@example.org,,2026-03-13\n"  # 6: wrong date
        "bob@example.org,,12th of March\n"  # 7: not a date (and a duplicate of row 6)
        ",,\n"  # 8: nobody named
    )
    preview = _upload(staff_client, session, roster)
    result = preview.context["result"]
    assert "confirm_form" not in preview.context
    # import-export numbers data rows from 1; the page shows the spreadsheet's numbers.
    errors = {row.number + 1: " ".join(row.error.messages) for row in result.invalid_rows}
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "Unknown holder: no account uses the email nobody@example.org" in errors[3]
    assert "Unknown holder: no credential has the number CAM999999" in errors[4]
    assert "Duplicate: ann@example.org is already on row 2" in errors[5]
    assert "Wrong date: March 13, 2026 is not the date of this session" in errors[6]
    assert "Wrong date: '12th of March' is not a date" in errors[7]
    assert "Unknown holder: the row has no email or credential number" in errors[8]
    page = preview.content.decode()
    assert "Unknown holder: no account uses the email nobody@example.org" in page
    assert "<td>3</td>" in page and "<td>8</td>" in page and "<td>2</td>" not in page
    assert not Attendance.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_an_email_and_credential_number_of_different_people_is_refused(staff_client, session):
    HolderFactory(email="ann@example.org")
    CredentialFactory(number="CAM123456", holder=HolderFactory(email="bob@example.org"))
    preview = _upload(staff_client, session, "email,credential_number\nann@example.org,CAM123456\n")
    [row] = preview.context["result"].invalid_rows
    assert "Credential CAM123456 belongs to bob@example.org, not to ann@example.org." in (
        row.error.messages
    )


def test_attendees_already_recorded_are_skipped_not_credited_twice(staff_client, staff, session):
    ann = HolderFactory(email="ann@example.org")
    bob = HolderFactory(email="bob@example.org")
    record_attendance(session, ann, by=staff)
    preview = _upload(staff_client, session, "email\nann@example.org\nbob@example.org\n")
    _confirm(staff_client, preview)
    assert LedgerEntry.objects.filter(holder=ann).count() == 1
    assert LedgerEntry.objects.filter(holder=bob).count() == 1


def test_a_roster_with_wrong_headers_is_refused_in_one_sentence(staff_client, session):
    preview = _upload(staff_client, session, "name,phone\nAnn,555\n")
    error = _file_error(preview)
    assert error == (
        "The first row must name the columns: 'email' or 'credential_number' (or both), "
        "and optionally 'date'; this file's first row has name, phone."
    )
    assert not Attendance.objects.exists()


def test_a_roster_for_a_class_not_yet_held_is_refused_in_one_sentence(staff_client):
    HolderFactory(email="ann@example.org")
    future = ClassSessionFactory(date=dt.date.today() + dt.timedelta(days=10))
    preview = _upload(staff_client, future, "email\nann@example.org\n")
    assert f"The session on {future.date:%B %-d, %Y} has not taken place yet" in (
        _file_error(preview)
    )
    assert not Attendance.objects.exists()


def test_a_semicolon_separated_roster_is_read_like_a_comma_separated_one(staff_client, session):
    ann = HolderFactory(email="ann@example.org")
    bob = CredentialFactory(number="CAM123456").holder
    preview = _upload(
        staff_client,
        session,
        "email;credential_number;date\nann@example.org;;2026-03-12\n;CAM123456;\n",
    )
    assert "Traceback" not in preview.content.decode()
    assert len(preview.context["result"].valid_rows()) == 2
    _confirm(staff_client, preview)
    assert {entry.holder for entry in LedgerEntry.objects.all()} == {ann, bob}


def test_an_empty_roster_is_refused_in_one_sentence(staff_client, session):
    assert _file_error(_upload(staff_client, session, "")) == "The submitted file is empty."
    assert _file_error(_upload(staff_client, session, "\n \n")).startswith("The file is empty")
    assert _file_error(_upload(staff_client, session, "email\n")) == (
        "The file has its header row but no attendees below it."
    )


def test_a_binary_file_is_refused_in_one_sentence(staff_client, session):
    workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb6\xbf\x00\xff"
    assert "is not a CSV file" in _file_error(_upload(staff_client, session, workbook))
    assert "is not a CSV file" in _file_error(_upload(staff_client, session, b"\x00\x01\x02"))


def test_a_file_not_in_utf8_is_refused_in_one_sentence(staff_client, session):
    latin1 = "email\nren\xe9@example.org\n".encode("latin-1")
    assert "save it as CSV UTF-8" in _file_error(_upload(staff_client, session, latin1))


def test_the_import_form_requires_a_session(staff_client):
    response = staff_client.post(
        reverse(IMPORT_URL), {"format": "0", "resource": "0", "import_file": _csv("email\n")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["session"]


def test_the_session_page_links_to_its_roster_import(staff_client, session):
    response = staff_client.get(reverse("admin:cec_classsession_change", args=[session.pk]))
    assert f"{reverse(IMPORT_URL)}?session={session.pk}" in response.content.decode()
    form = staff_client.get(reverse(IMPORT_URL), {"session": session.pk}).context["form"]
    assert str(form["session"].value()) == str(session.pk)


def test_reviewers_cannot_import_rosters(reviewer, session):
    from django.test import Client

    reviewer.is_staff = True  # even with admin access, the role has no attendance rights
    reviewer.save()
    client = Client()
    client.force_login(reviewer)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
