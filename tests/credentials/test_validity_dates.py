"""A credential's validity dates change only through a service that records who and why
(issue 15.2): read-only on the admin's change form, "Change validity dates" asks for a
reason and leaves a history record."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from credentials.services.validity import change_validity_dates
from tests.factories import CredentialFactory, StaffFactory, SuperuserFactory
from tests.support.admin_forms import admin_post_data, editable_fields

pytestmark = pytest.mark.django_db

DATES = {"earned_on", "valid_through", "lapsed_on", "lapse_reason"}


@pytest.fixture
def credential(holder):
    return CredentialFactory(holder=holder, valid_through=dt.date(2026, 12, 31))


@pytest.fixture
def superuser():
    return SuperuserFactory(email="root@example.org")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _change_url(credential):
    return reverse("admin:credentials_credential_change", args=[credential.pk])


def _validity_url(credential):
    return reverse("admin:credentials_credential_validity", args=[credential.pk])


# --- The service -------------------------------------------------------------------------


def test_changing_the_dates_records_who_and_why(credential, staff):
    change_validity_dates(
        credential,
        by=staff,
        earned_on=dt.date(2019, 5, 1),
        valid_through=dt.date(2027, 12, 31),
        reason="NAAEI confirmed the 2027 renewal by letter",
    )
    credential.refresh_from_db()
    assert credential.valid_through == dt.date(2027, 12, 31)
    record = credential.history.latest()
    assert record.history_user == staff
    assert record.history_change_reason == "NAAEI confirmed the 2027 renewal by letter"
    assert record.prev_record.valid_through == dt.date(2026, 12, 31)


def test_a_reason_is_required(credential, staff):
    with pytest.raises(ValidationError, match="Say why the dates change"):
        change_validity_dates(
            credential,
            by=staff,
            earned_on=credential.earned_on,
            valid_through=dt.date(2027, 12, 31),
            reason="  ",
        )
    credential.refresh_from_db()
    assert credential.valid_through == dt.date(2026, 12, 31)


def test_valid_through_cannot_come_before_earned_on(credential, staff):
    with pytest.raises(ValidationError, match="before"):
        change_validity_dates(
            credential,
            by=staff,
            earned_on=dt.date(2020, 1, 1),
            valid_through=dt.date(2019, 12, 31),
            reason="Typo",
        )


def test_nobody_changes_the_dates_of_their_own_credential(staff, superuser):
    for person in (staff, superuser):
        own = CredentialFactory(holder=person)
        with pytest.raises(PermissionDenied):
            change_validity_dates(
                own,
                by=person,
                earned_on=own.earned_on,
                valid_through=dt.date(2030, 12, 31),
                reason="Mine",
            )


def test_holders_and_reviewers_cannot_change_dates(credential, other_holder, reviewer):
    for person in (other_holder, reviewer):
        with pytest.raises(PermissionDenied):
            change_validity_dates(
                credential,
                by=person,
                earned_on=credential.earned_on,
                valid_through=dt.date(2030, 12, 31),
                reason="Because",
            )


# --- Admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "superuser"])
def test_the_change_form_shows_the_dates_read_only(role, credential, staff, superuser):
    client = _client({"staff": staff, "superuser": superuser}[role])
    response = client.get(_change_url(credential))
    assert response.status_code == 200
    assert not editable_fields(response) & DATES
    assert "Change validity dates" in response.content.decode()


@pytest.mark.parametrize("role", ["staff", "superuser"])
def test_a_crafted_post_does_not_change_the_dates(role, credential, staff, superuser):
    client = _client({"staff": staff, "superuser": superuser}[role])
    data = admin_post_data(client.get(_change_url(credential)))
    data.update(valid_through="2031-12-31", earned_on="2001-01-01", lapsed_on="2020-01-01")
    client.post(_change_url(credential), data)
    credential.refresh_from_db()
    assert credential.valid_through == dt.date(2026, 12, 31)
    assert credential.lapsed_on is None


def test_staff_change_the_dates_with_a_reason_in_admin(credential, staff):
    client = _client(staff)
    assert client.get(_validity_url(credential)).status_code == 200
    response = client.post(
        _validity_url(credential),
        {"earned_on": "2019-05-01", "valid_through": "2027-12-31", "reason": "Paid by cheque"},
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.valid_through == dt.date(2027, 12, 31)
    assert credential.history.latest().history_change_reason == "Paid by cheque"


def test_the_admin_form_asks_for_the_reason_next_to_the_field(credential, staff):
    response = _client(staff).post(
        _validity_url(credential),
        {"earned_on": "2019-05-01", "valid_through": "2027-12-31", "reason": ""},
    )
    assert response.status_code == 200
    assert "Say why the dates change" in response.content.decode()
    credential.refresh_from_db()
    assert credential.valid_through == dt.date(2026, 12, 31)


def test_the_admin_form_refuses_the_clerks_own_credential(staff):
    own = CredentialFactory(holder=staff)
    response = _client(staff).post(
        _validity_url(own),
        {"earned_on": "2019-05-01", "valid_through": "2030-12-31", "reason": "Mine"},
        follow=True,
    )
    assert "their own credential" in response.content.decode()
    own.refresh_from_db()
    assert own.valid_through == dt.date(2026, 12, 31)


def test_reviewers_and_holders_never_reach_the_validity_form(credential, reviewer, other_holder):
    for person in (reviewer, other_holder):
        response = _client(person).get(_validity_url(credential))
        assert response.status_code == 302 and "/login" in response["Location"]


def test_staff_cannot_add_a_credential_to_their_own_account(staff):
    from tests.factories import credential_type

    response = _client(staff).post(
        reverse("admin:credentials_credential_add"),
        {
            "holder": staff.pk,
            "credential_type": credential_type("CAM").pk,
            "number": "CAM999999",
            "earned_on": "2019-05-01",
            "valid_through": "2030-12-31",
        },
    )
    assert response.status_code == 200
    assert not staff.credentials.exists()


def test_a_colleague_may_change_a_staff_members_credential(staff):
    own = CredentialFactory(holder=staff)
    colleague = StaffFactory(email="colleague@example.org")
    change_validity_dates(
        own,
        by=colleague,
        earned_on=own.earned_on,
        valid_through=dt.date(2027, 12, 31),
        reason="Renewed on paper",
    )
    own.refresh_from_db()
    assert own.valid_through == dt.date(2027, 12, 31)
