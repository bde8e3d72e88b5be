"""A signed-in user's roles and two-factor set-up are loaded with the user at every
request (credentials.backends, issue 19), not cached across requests: a role granted or
taken away, an authenticator added or removed, counts from the very next request. And
sessions still end on sign-out and on a password change, with the sessions in a cache."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credentials import roles
from credentials.backends import PortalModelBackend
from tests.factories import ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db

SESSION_ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
]


@pytest.fixture
def office_mfa_on(settings):
    settings.OFFICE_MFA_REQUIRED = True


def test_a_holder_made_a_reviewer_reaches_the_review_queue_at_the_next_request(
    holder, holder_client
):
    queue = reverse("review:queue")
    assert holder_client.get(queue).status_code in (302, 403)
    holder.groups.add(Group.objects.get(name=roles.NAAEI_REVIEWER))
    response = holder_client.get(queue)
    assert response.status_code == 200
    assert response.context["role"]["reviewer"] is True


def test_a_reviewer_whose_role_is_taken_away_loses_the_queue_at_the_next_request(
    reviewer, reviewer_client
):
    queue = reverse("review:queue")
    assert reviewer_client.get(queue).status_code == 200
    reviewer.groups.remove(Group.objects.get(name=roles.NAAEI_REVIEWER))
    assert reviewer_client.get(queue).status_code in (302, 403)
    assert reviewer_client.get(reverse("credentials:faq")).context["role"]["holder"] is True


def test_staff_reach_the_admin_once_they_set_up_two_factor(office_mfa_on, staff, staff_client):
    assert staff_client.get("/admin/")["Location"].startswith(reverse("mfa_activate_totp"))
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert staff_client.get("/admin/").status_code == 200


def test_staff_whose_authenticator_is_removed_are_sent_to_set_it_up_again(
    office_mfa_on, staff, staff_client
):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert staff_client.get("/admin/").status_code == 200
    Authenticator.objects.filter(user=staff).delete()
    assert staff_client.get("/admin/")["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_holder_made_staff_must_set_up_two_factor_at_the_next_request(
    office_mfa_on, holder, holder_client
):
    assert holder_client.get(reverse("credentials:renewal")).status_code == 200
    holder.groups.add(Group.objects.get(name=roles.AASC_STAFF))
    response = holder_client.get(reverse("credentials:renewal"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_the_roles_and_two_factor_come_with_the_user_in_one_query(
    staff, staff_client, django_assert_num_queries
):
    # The session and the user with its roles and authenticators: nothing else before the
    # view (the FAQ page's own query is its entries).
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("credentials:faq"))
    assert response.context["role"] == {
        "anonymous": False,
        "holder": False,
        "staff": True,
        "reviewer": False,
    }


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_signing_out_ends_the_session(settings, holder, engine):
    settings.SESSION_ENGINE = engine
    client = Client()
    client.force_login(holder)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("credentials:renewal")).status_code == 200
    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get(reverse("credentials:renewal")).status_code == 302


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_a_password_change_ends_the_other_sessions(settings, holder, engine):
    settings.SESSION_ENGINE = engine
    laptop, phone = Client(), Client()
    laptop.force_login(holder)
    phone.force_login(holder)
    assert phone.get(reverse("credentials:renewal")).status_code == 200
    holder.set_password("a new passphrase for the season")
    holder.save()
    assert phone.get(reverse("credentials:renewal")).status_code == 302
    assert laptop.get(reverse("credentials:renewal")).status_code == 302


# --- Permissions: a user with no group and no permission of its own is not asked ---------


def test_a_holder_asked_for_a_permission_costs_no_query(holder, holder_client):
    user = holder_client.get(reverse("credentials:faq")).wsgi_request.user
    with CaptureQueriesContext(connection) as queries:
        assert not user.has_perm("payments.view_invoice")
    assert len(queries) == 0


def test_a_permission_granted_to_a_holders_account_counts_at_the_next_request(
    holder, holder_client
):
    holder.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    user = holder_client.get(reverse("credentials:faq")).wsgi_request.user
    assert user.has_perm("payments.view_invoice")


def test_a_permission_added_to_a_group_counts_for_its_members_at_the_next_request(
    reviewer, reviewer_client
):
    group = Group.objects.get(name=roles.NAAEI_REVIEWER)
    user = reviewer_client.get(reverse("credentials:faq")).wsgi_request.user
    assert user.has_perm("cec.review_submission")
    assert not user.has_perm("payments.view_invoice")
    group.permissions.add(Permission.objects.get(codename="view_invoice"))
    user = reviewer_client.get(reverse("credentials:faq")).wsgi_request.user
    assert user.has_perm("payments.view_invoice")


@pytest.mark.parametrize("who", ["reviewer", "staff", "superuser", "inactive reviewer"])
def test_group_permissions_are_what_djangos_model_backend_says(who, django_user_model):
    user = {
        "reviewer": ReviewerFactory,
        "staff": StaffFactory,
        "superuser": lambda: django_user_model.objects.create_superuser(
            email="root@example.org", password="x-long-enough-password"
        ),
        "inactive reviewer": lambda: ReviewerFactory(is_active=False),
    }[who]()
    loaded = PortalModelBackend().get_user(user.pk) or django_user_model.objects.get(pk=user.pk)
    expected = ModelBackend().get_group_permissions(django_user_model.objects.get(pk=user.pk))
    assert PortalModelBackend().get_group_permissions(loaded) == expected


def test_a_reviewers_permission_check_builds_no_orm_query(reviewer, reviewer_client, monkeypatch):
    """The group permissions' SQL is compiled once per process (building it with the ORM
    was half of a cached review queue's time)."""
    reviewer_client.get(reverse("credentials:faq"))  # compiled here, once
    user = reviewer_client.get(reverse("credentials:faq")).wsgi_request.user
    built = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1) or original(self, *a, **k)
    )
    assert user.has_perm("cec.review_submission")
    assert not user.has_perm("payments.view_invoice")
    assert built == []
