"""Separation of duties (issue 15.2): nobody credits CECs to their own ledger, whichever
way they try (the service, the session's attendance inline, the attendance admin, a CSV
roster, verifying their own Reporting Form, restoring a ledger entry's history)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cec.models import Attendance, EntryState, FormState, LedgerEntry
from cec.services.ledger import record_attendance
from credentials import roles
from tests.cec.test_attendance import _inline_post
from tests.factories import (
    ClassSessionFactory,
    HolderFactory,
    StaffFactory,
    SuperuserFactory,
    sent_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return ClassSessionFactory(date=dt.date(2026, 3, 12))


@pytest.fixture
def superuser():
    return SuperuserFactory(email="root@example.org")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


# --- The service: the one place --------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_nobody_records_their_own_attendance(who, session, staff, superuser):
    person = {"staff": staff, "superuser": superuser}[who]
    with pytest.raises(ValidationError) as refused:
        record_attendance(session, person, by=person)
    assert refused.value.messages == [roles.SELF_CREDIT_REFUSED]
    assert not LedgerEntry.objects.exists()
    assert not Attendance.objects.exists()


def test_a_colleague_records_a_staff_members_attendance(session, staff):
    colleague = StaffFactory(email="colleague@example.org")
    entry = record_attendance(session, staff, by=colleague)
    assert entry.holder == staff
    assert entry.history.get().history_user == colleague


def test_a_pre_verified_entry_for_oneself_is_refused_too(session, staff):
    with pytest.raises(ValidationError):
        record_attendance(session, staff, by=staff, pre_verified=True)
    assert not LedgerEntry.objects.exists()


# --- Admin: a clear message, nothing recorded -------------------------------------------


def test_the_session_inline_refuses_the_clerk_as_attendee(staff_client, staff, session):
    url = reverse("admin:cec_classsession_change", args=[session.pk])
    response = staff_client.post(url, _inline_post(session, holders_new=[staff]))
    assert response.status_code == 200
    assert "Nobody can credit CECs to their own ledger" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_the_attendance_admin_refuses_the_clerk_as_holder(staff_client, staff, session):
    response = staff_client.post(
        reverse("admin:cec_attendance_add"), {"session": session.pk, "holder": staff.pk}
    )
    assert response.status_code == 200
    assert "Nobody can credit CECs to their own ledger" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_superuser_is_refused_in_the_inline_too(superuser, session):
    url = reverse("admin:cec_classsession_change", args=[session.pk])
    response = _client(superuser).post(url, _inline_post(session, holders_new=[superuser]))
    assert response.status_code == 200
    assert not LedgerEntry.objects.exists()


def _upload(client, session, text):
    return client.post(
        reverse("admin:cec_attendance_import"),
        {
            "session": session.pk,
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("roster.csv", text.encode(), "text/csv"),
        },
    )


def test_a_roster_naming_the_clerk_imports_nothing_and_says_why(staff_client, staff, session):
    HolderFactory(email="ann@example.org")
    preview = _upload(staff_client, session, f"email\nann@example.org\n{staff.email}\n")
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "Nobody can credit CECs to their own ledger" in preview.content.decode()
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert not Attendance.objects.exists()


def test_a_roster_imported_without_its_preview_still_refuses_the_clerk(staff, session):
    """Whatever reaches the import (a crafted confirm step), the service refuses."""
    import tablib

    from cec.imports import RosterResource

    dataset = tablib.Dataset(headers=["email"])
    dataset.append([staff.email])
    result = RosterResource(session=session).import_data(dataset, dry_run=False, user=staff)
    assert result.has_validation_errors() or result.has_errors()
    assert not LedgerEntry.objects.filter(holder=staff).exists()


def test_staff_cannot_verify_their_own_form_in_admin(staff_client, staff):
    form = sent_form(holder=staff)
    response = staff_client.post(
        reverse("admin:cec_reportingform_verify", args=[form.pk]),
        {"note": "Looks fine.", "in_network": ""},
        follow=True,
    )
    assert "Nobody can verify their own Reporting Form" in response.content.decode()
    form.refresh_from_db()
    assert form.state == FormState.SENT
    assert not LedgerEntry.objects.filter(holder=staff).exists()


def test_a_crafted_ledger_entry_edit_changes_nothing(staff_client, staff, session):
    colleague = StaffFactory(email="colleague@example.org")
    entry = record_attendance(session, staff, by=colleague)
    url = reverse("admin:cec_ledgerentry_change", args=[entry.pk])
    staff_client.post(url, {"hours": "99", "state": "approved", "holder": staff.pk})
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.50")
    assert entry.state == EntryState.CREDITED


def test_an_attendee_cannot_correct_the_class_they_attended(staff_client, staff, session):
    colleague = StaffFactory(email="colleague@example.org")
    entry = record_attendance(session, staff, by=colleague)
    url = reverse("admin:cec_classsession_change", args=[session.pk])
    data = _inline_post(session, existing=[entry.attendance])
    data["end_time"] = "17:00"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "You attended this class" in response.content.decode()
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.50")


def test_the_correction_service_refuses_an_attendee(session, staff):
    from cec.services.ledger import update_session_entries

    record_attendance(session, staff, by=StaffFactory(email="colleague@example.org"))
    with pytest.raises(ValidationError, match="You attended this class"):
        update_session_entries(session, by=staff)
