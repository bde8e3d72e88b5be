"""Sign-up and the first visit of a new holder (issue 17.10): the name is asked at sign-up,
the verification link signs the new holder in, the pages speak plainly, and a new holder
without credentials gets a welcome page that says what happens next."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse

from tests.factories import CredentialFactory, HolderFactory
from tests.factories.credentials import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
PASSPHRASE = "a-long-renewal-passphrase"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth sends one verification email per address every few minutes (its rate
    # limits live in the cache): each test signs Nora up afresh.
    cache.clear()


def sign_up(client, **overrides):
    data = {
        "first_name": "Nora",
        "last_name": "Newholder",
        "email": "nora@example.org",
        "password1": PASSPHRASE,
        "password2": PASSPHRASE,
        **overrides,
    }
    # Account emails go through the outbox, which sends after the transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(SIGNUP, data)


def confirmation_path():
    [email] = [m for m in mail.outbox if "confirm-email" in m.body]
    return re.search(r"/accounts/confirm-email/\S+/", email.body).group(0)


def test_the_sign_up_form_asks_for_the_first_and_last_name_first(client):
    form = client.get(SIGNUP).context["form"]
    assert list(form.fields)[:3] == ["first_name", "last_name", "email"]
    page = client.get(SIGNUP).content.decode()
    assert 'autocomplete="given-name"' in page
    assert 'autocomplete="family-name"' in page


def test_signing_up_keeps_the_name(client):
    sign_up(client)
    user = get_user_model().objects.get(email="nora@example.org")
    assert (user.first_name, user.last_name) == ("Nora", "Newholder")


def test_signing_up_without_a_name_is_refused_and_creates_no_account(client):
    response = sign_up(client, first_name=" ", last_name="")
    assert response.status_code == 200
    assert response.context["form"].errors["first_name"]
    assert response.context["form"].errors["last_name"]
    assert not get_user_model().objects.filter(email="nora@example.org").exists()


def test_the_confirm_page_says_plainly_what_confirming_does(client):
    sign_up(client)
    page = client.get(confirmation_path()).content.decode()
    assert "for user" not in page
    assert "Please confirm that" not in page
    assert "Confirm your email address" in page
    assert "nora@example.org" in page


def test_confirming_signs_the_new_holder_in_and_greets_them_by_name(client):
    sign_up(client)
    response = client.post(confirmation_path(), follow=True)
    assert response.wsgi_request.user.is_authenticated
    page = response.content.decode()
    assert "Successfully signed in" not in page
    assert "Welcome, Nora" in page


def test_confirming_signs_in_also_when_the_email_took_a_while_to_read(client):
    # allauth's default keeps the sign-up pending for 15 minutes only: a holder who read
    # the email later had to sign in again.
    sign_up(client)
    path = confirmation_path()
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=50)):
        response = client.post(path, follow=True)
    assert response.wsgi_request.user.is_authenticated


def test_confirming_in_another_browser_asks_to_sign_in_and_says_why(client):
    sign_up(client)
    other_browser = Client()
    response = other_browser.post(confirmation_path(), follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert response.request["PATH_INFO"] == reverse("account_login")
    assert "Your email address nora@example.org is confirmed" in response.content.decode()


def test_signing_in_greets_the_holder_by_name_not_by_email(client):
    holder = HolderFactory(email="dana@example.org", first_name="Dana", last_name="Reyes")
    response = client.post(
        reverse("account_login"), {"login": holder.email, "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "Welcome, Dana. You are signed in." in page
    assert "Successfully signed in as" not in page


def test_a_new_holder_without_credentials_gets_a_welcome_page(client):
    sign_up(client)
    response = client.post(confirmation_path(), follow=True)
    page = response.content.decode()
    assert "Welcome to the AASC renewal portal" in page
    assert "renewal is open" not in page
    assert "links your credentials to this account" in page
    assert reverse("credentials:profile") in page
    assert reverse("credentials:faq") in page
    assert reverse("credentials:contact") in page


def test_a_holder_with_credentials_does_not_get_the_welcome_page(holder_client, holder):
    CredentialFactory(holder=holder)
    page = holder_client.get(reverse("credentials:home")).content.decode()
    assert "Welcome to the AASC renewal portal" not in page


def test_the_renewal_page_of_a_new_holder_is_not_headed_as_a_renewal(holder_client):
    page = holder_client.get(reverse("credentials:renewal")).content.decode()
    assert "renewal</h1>" not in page
    assert "No credentials on record yet" in page
