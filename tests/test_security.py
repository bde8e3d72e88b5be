"""Office accounts need two-factor authentication; admin sign-in goes through allauth."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_mfa_on(settings):
    settings.OFFICE_MFA_REQUIRED = True


def test_staff_without_two_factor_are_sent_to_set_it_up(office_mfa_on, staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_reviewers_without_two_factor_are_sent_to_set_it_up(office_mfa_on, reviewer_client):
    response = reviewer_client.get(reverse("credentials:home"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_the_set_up_page_itself_is_reachable(office_mfa_on, staff_client):
    response = staff_client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before changing authenticators.
    assert response.status_code == 200 or response["Location"].startswith("/accounts/")


def test_staff_with_two_factor_reach_the_admin(office_mfa_on, staff, staff_client):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert staff_client.get("/admin/").status_code == 200


def test_holders_may_but_need_not_use_two_factor(office_mfa_on, holder_client):
    assert holder_client.get(reverse("credentials:profile")).status_code == 200
    assert holder_client.get(reverse("mfa_index")).status_code == 200


def test_admin_sign_in_goes_through_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_repeated_failed_sign_ins_are_throttled(client, holder):
    url = reverse("account_login")
    bodies = [
        client.post(url, {"login": holder.email, "password": f"wrong-{i}"}).content.decode()
        for i in range(7)
    ]
    assert "Too many failed login attempts" in bodies[-1]
    assert "Too many failed login attempts" not in bodies[0]
