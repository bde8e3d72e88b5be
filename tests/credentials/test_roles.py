"""Roles are Django groups with permissions: staff cannot approve for NAAEI, reviewers
cannot verify for AASC or see payments."""

import pytest
from django.contrib.auth.models import Group, Permission

from credentials import roles

pytestmark = pytest.mark.django_db


def test_both_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        roles.AASC_STAFF,
        roles.NAAEI_REVIEWER,
    }


@pytest.mark.parametrize("role", list(roles.ROLE_PERMISSIONS))
def test_every_permission_a_role_lists_exists(role):
    for perm in roles.ROLE_PERMISSIONS[role]:
        app_label, codename = perm.split(".")
        assert Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).exists(), perm


def test_staff_cannot_approve_submissions(staff):
    assert staff.has_perm("cec.verify_reportingform")
    assert not staff.has_perm("cec.review_submission")


def test_reviewers_cannot_verify_forms_or_see_payments(reviewer):
    assert reviewer.has_perm("cec.review_submission")
    assert not reviewer.has_perm("cec.verify_reportingform")
    assert not any(perm.startswith("payments.") for perm in reviewer.get_all_permissions())


def test_holders_have_no_office_permissions(holder):
    assert holder.get_all_permissions() == set()
    assert roles.is_holder(holder)
    assert not roles.is_aasc_staff(holder)
    assert not roles.is_naaei_reviewer(holder)


def test_role_helpers_recognise_each_role(staff, reviewer):
    assert roles.is_aasc_staff(staff) and not roles.is_holder(staff)
    assert roles.is_naaei_reviewer(reviewer) and not roles.is_aasc_staff(reviewer)
