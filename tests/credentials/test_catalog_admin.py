"""Staff type money in dollars and cents, read plain labels, cannot delete a requirement
set renewals were judged by, and read a real reason (or none) in history (issue 17.17)."""

import datetime as dt

import pytest
from django.urls import reverse

from credentials.models import CredentialType, Renewal, RequirementSet
from credentials.services.renewals import issue_renewal_for
from renewal_portal.infra.money_fields import DollarsField
from tests.factories import CredentialFactory, CredentialTypeFactory

pytestmark = pytest.mark.django_db

ADD_URL = "admin:credentials_requirementset_add"


def requirement_set_form(credential_type, **fields):
    return {
        "credential_type": credential_type.pk,
        "first_year": 2030,
        "last_year": "",
        "cecs_owed": "8",
        "in_network_min": "5",
        "participation_cap": "2",
        "annual_fee_cents": "100",
        "reinstatement_fee_cents": "50",
        "due_month": 1,
        "due_day": 1,
        "grace_end_month": 3,
        "grace_end_day": 31,
        "reminder_days_before_due": "60,30,7",
        "reminder_days_after_due": "30,75",
        **fields,
    }


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("50", 5000), ("50.00", 5000), ("$1,250.5", 125050), (" 0.99 ", 99), ("0", 0)],
)
def test_money_is_typed_in_dollars_and_cents(typed, cents):
    assert DollarsField().clean(typed) == cents


@pytest.mark.parametrize("typed", ["fifty", "50.005", "-5", "1e3", "NaN"])
def test_money_that_is_not_dollars_and_cents_is_refused_with_a_message(typed):
    field = DollarsField()
    with pytest.raises(Exception) as refused:
        field.clean(typed)
    assert refused.value.messages


def test_a_fee_typed_as_50_is_fifty_dollars(staff_client):
    cam = CredentialTypeFactory(code="ZZ")
    response = staff_client.post(reverse(ADD_URL), requirement_set_form(cam))
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = RequirementSet.objects.get(credential_type=cam, first_year=2030)
    assert (created.annual_fee_cents, created.reinstatement_fee_cents) == (10000, 5000)


def test_the_fee_form_shows_dollars_and_cents_with_plain_labels(staff_client):
    cam = CredentialTypeFactory(code="ZZ")
    rs = RequirementSet.objects.create(credential_type=cam, first_year=2030, annual_fee_cents=5000)
    page = staff_client.get(
        reverse("admin:credentials_requirementset_change", args=[rs.pk])
    ).content.decode()
    assert 'value="50.00"' in page
    assert "Annual renewal fee ($)" in page and "(cents)" not in page
    assert "CECs owed" in page and "Cecs owed" not in page


def test_a_bad_fee_is_refused_beside_the_field_and_nothing_is_saved(staff_client):
    cam = CredentialTypeFactory(code="ZZ")
    response = staff_client.post(
        reverse(ADD_URL), requirement_set_form(cam, annual_fee_cents="fifty")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["annual_fee_cents"] == [
        "Enter an amount in dollars and cents, such as 50 or 50.00."
    ]
    assert not RequirementSet.objects.filter(credential_type=cam, first_year=2030).exists()


def test_labels_are_plain_words():
    assert Renewal._meta.get_field("cecs_owed").verbose_name == "CECs owed"
    assert Renewal._meta.get_field("cec_status_seen_at").verbose_name == "CEC status checked at"
    assert RequirementSet._meta.get_field("annual_fee_cents").verbose_name == "annual renewal fee"


@pytest.fixture
def set_in_use(staff):
    cam = CredentialType.objects.get(code="CAM")
    holder = CredentialFactory(credential_type=cam).holder
    assert issue_renewal_for(holder, 2027, by=staff, on=dt.date(2026, 11, 15)) is not None
    return RequirementSet.objects.get(credential_type=cam, first_year=2022)


def test_a_requirement_set_in_use_cannot_be_deleted(staff_client, set_in_use):
    url = reverse("admin:credentials_requirementset_delete", args=[set_in_use.pk])
    page = staff_client.get(url).content.decode()
    assert "in use by 1 renewal" in page
    staff_client.post(url, {"post": "yes"})
    assert RequirementSet.objects.filter(pk=set_in_use.pk).exists()


def test_the_bulk_delete_refuses_a_requirement_set_in_use(staff_client, set_in_use):
    staff_client.post(
        reverse("admin:credentials_requirementset_changelist"),
        {"action": "delete_selected", "_selected_action": [set_in_use.pk], "post": "yes"},
    )
    assert RequirementSet.objects.filter(pk=set_in_use.pk).exists()


def test_a_requirement_set_not_in_use_can_be_deleted(staff_client):
    unused = RequirementSet.objects.create(
        credential_type=CredentialTypeFactory(code="ZZ"), first_year=2030, annual_fee_cents=5000
    )
    url = reverse("admin:credentials_requirementset_delete", args=[unused.pk])
    staff_client.post(url, {"post": "yes"})
    assert not RequirementSet.objects.filter(pk=unused.pk).exists()


def test_history_shows_a_real_reason_or_nothing_never_none(staff_client):
    cam = CredentialTypeFactory(code="ZZ")
    staff_client.post(reverse(ADD_URL), requirement_set_form(cam))
    rs = RequirementSet.objects.get(credential_type=cam, first_year=2030)
    change_url = reverse("admin:credentials_requirementset_change", args=[rs.pk])
    staff_client.post(change_url, requirement_set_form(cam, annual_fee_cents="125"))
    assert rs.history.first().history_change_reason == "Edited in admin: annual renewal fee ($)"
    RequirementSet.objects.filter(pk=rs.pk).first().save()  # a save with no reason given
    page = staff_client.get(
        reverse("admin:credentials_requirementset_history", args=[rs.pk])
    ).content.decode()
    assert "Created in admin" in page and "Edited in admin: annual renewal fee" in page
    assert "None" not in page


def test_the_credential_types_requirement_sets_show_fees_in_dollars(staff_client):
    cam = CredentialType.objects.get(code="CAM")
    page = staff_client.get(
        reverse("admin:credentials_credentialtype_change", args=[cam.pk])
    ).content.decode()
    fee = cam.requirement_sets.get(first_year=2022).annual_fee_cents
    assert f'value="{fee // 100}.{fee % 100:02d}"' in page
    assert "Annual renewal fee ($)" in page
