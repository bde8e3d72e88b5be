"""Account emails (issue 17.7): they name the office and the portal's real address, never
"example.com", and go through the outbox like every other email, so staff see and retry
them."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from credentials.models import OfficeContact, OutboxMessage
from credentials.sites import site_domain
from tests.factories import HolderFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email="new.holder@example.org"):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "New",
            "last_name": "Holder",
            "email": email,
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )


def ask_for_password_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_the_site_names_the_office_and_the_portals_address():
    site = Site.objects.get_current()
    assert site.domain == site_domain(settings.SITE_URL) != "example.com"
    assert site.name == OfficeContact.objects.get().name


def test_renaming_the_office_renames_the_site():
    office = OfficeContact.objects.get()
    office.name = "AASC Colorado Springs"
    office.save()
    assert Site.objects.get_current().name == "AASC Colorado Springs"


def test_the_site_follows_site_url_after_migrate(settings):
    from django.apps import apps

    from credentials.sites import sync_site_after_migrate

    settings.SITE_URL = "http://127.0.0.1:8100"
    sync_site_after_migrate(sender=apps.get_app_config("credentials"), apps=apps)
    assert Site.objects.get_current().domain == "127.0.0.1:8100"


def test_the_verification_email_is_an_outbox_message_naming_the_office(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    message = OutboxMessage.objects.get(kind="account_email_confirmation_signup")
    assert message.to_email == "new.holder@example.org"
    assert message.holder.email == "new.holder@example.org"
    assert message.status == OutboxMessage.Status.SENT
    assert "example.com" not in message.body_text
    assert OfficeContact.objects.get().name in message.body_text
    assert f"{settings.SITE_URL}/" in message.body_text
    assert [email.to for email in mail.outbox] == [["new.holder@example.org"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_each_password_reset_is_its_own_outbox_message(client):
    holder = HolderFactory(email="forgetful@example.org")
    ask_for_password_reset(client, "forgetful@example.org")
    with time_machine.travel(dt.timedelta(minutes=2)):
        ask_for_password_reset(client, "forgetful@example.org")
    resets = OutboxMessage.objects.filter(kind="account_password_reset_key", holder=holder)
    assert resets.count() == 2
    assert len({reset.dedupe_key for reset in resets}) == 2
    assert all("/accounts/password/reset/key/" in reset.body_text for reset in resets)
    assert all("example.com" not in reset.body_text for reset in resets)


def test_a_reset_for_an_unknown_address_is_recorded_without_a_holder(client):
    ask_for_password_reset(client, "nobody@example.org")
    message = OutboxMessage.objects.get(to_email="nobody@example.org")
    assert message.holder is None
    assert "There is no account with this address" in message.body_text


def test_a_failed_account_email_can_be_retried_by_staff(client, staff_client, monkeypatch):
    HolderFactory(email="forgetful@example.org")
    ask_for_password_reset(client, "forgetful@example.org")
    message = OutboxMessage.objects.get(kind="account_password_reset_key")
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED)
    url = reverse("admin:credentials_outboxmessage_changelist")
    response = staff_client.post(
        url, {"action": "retry_failed", "_selected_action": [message.pk]}, follow=True
    )
    assert "1 failed message(s) queued to be sent again." in response.content.decode()


def test_staff_do_not_see_the_link_of_an_account_email(client, staff_client):
    HolderFactory(email="forgetful@example.org")
    ask_for_password_reset(client, "forgetful@example.org")
    message = OutboxMessage.objects.get(kind="account_password_reset_key")
    response = staff_client.get(
        reverse("admin:credentials_outboxmessage_change", args=[message.pk])
    )
    assert response.status_code == 200
    assert "/accounts/password/reset/key/" not in response.content.decode()
