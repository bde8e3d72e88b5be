"""Issue 18: the import pages in admin, from upload to confirmed import, undo and
invitations; and the invitation link that lets an imported holder set a password."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from credentials.models import ImportBatch, OutboxMessage, User
from tests.credentials.test_imports import HOLDERS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

ADD = reverse("admin:credentials_importbatch_add")


def upload(client, kind, data, name):
    return client.post(ADD, {"kind": kind, "import_file": SimpleUploadedFile(name, data)})


def confirm(client, batch):
    # The confirmed import starts its background run once the request commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("admin:credentials_importbatch_confirm", args=[batch.pk]))


def test_upload_shows_the_dry_run_then_confirm_imports(staff_client):
    response = upload(staff_client, "holders", xlsx_bytes(HOLDERS), "members.xlsx")
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    page = staff_client.get(response["Location"]).content.decode()
    assert "Confirm the import" in page
    assert not User.objects.filter(email="jane@example.org").exists()
    confirm(staff_client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE  # Celery runs eagerly in tests
    assert User.objects.filter(email="jane@example.org").exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert "Invite everyone from this import" in page
    assert "Undo this import" in page


def test_a_file_with_errors_lists_them_and_cannot_be_confirmed(staff_client):
    rows = [HOLDERS[0], ["M-1", "Ann", "Bee", "not-an-email", "", "", "", "", "", "", ""]]
    response = upload(staff_client, "holders", csv_bytes(rows), "bad.csv")
    page = staff_client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page
    assert "&#x27;not-an-email&#x27; is not an email address." in page
    assert "Confirm the import" not in page
    batch = ImportBatch.objects.get()
    confirm(staff_client, batch)
    assert not User.objects.filter(last_name="Bee").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_beside_the_field(staff_client):
    response = upload(staff_client, "holders", b"%PDF-1.4 nothing", "scan.pdf")
    assert response.status_code == 200
    assert "This file is a PDF document" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_undo_from_the_page(staff_client):
    response = upload(staff_client, "holders", csv_bytes(HOLDERS), "m.csv")
    batch = ImportBatch.objects.get()
    confirm(staff_client, batch)
    staff_client.post(reverse("admin:credentials_importbatch_undo", args=[batch.pk]))
    assert not User.objects.filter(email="jane@example.org").exists()
    assert "Undone by" in staff_client.get(response["Location"]).content.decode()


def test_invite_everyone_once_and_the_link_sets_a_password_and_signs_in(staff_client, client):
    upload(staff_client, "holders", csv_bytes(HOLDERS), "m.csv")
    batch = ImportBatch.objects.get()
    confirm(staff_client, batch)
    invite = reverse("admin:credentials_importbatch_invite", args=[batch.pk])
    staff_client.post(invite)
    staff_client.post(invite)
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    message = OutboxMessage.objects.get(kind="invitation", to_email="jane@example.org")
    path = re.search(r"https?://[^/]+(/account/invitation/\S+)", message.body_text).group(1)
    response = client.get(path, follow=True)
    assert "Set my password and sign in" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a-long-new-passphrase-9", "new_password2": "a-long-new-passphrase-9"},
    )
    assert response.status_code == 302
    jane = User.objects.get(email="jane@example.org")
    assert jane.has_usable_password()
    assert jane.emailaddress_set.get().verified
    assert client.get(reverse("credentials:credentials")).status_code == 200
    assert client.session["_auth_user_id"] == str(jane.pk)
    # The link is spent once used.
    again = client.get(path, follow=True).content.decode()
    assert "used already or has expired" in again


def test_the_user_list_action_invites_selected_holders(staff_client):
    upload(staff_client, "holders", csv_bytes(HOLDERS), "m.csv")
    batch = ImportBatch.objects.get()
    confirm(staff_client, batch)
    jane = User.objects.get(email="jane@example.org")
    staff_client.post(
        reverse("admin:credentials_user_changelist"),
        {"action": "invite_holders", "_selected_action": [jane.pk]},
    )
    assert list(
        OutboxMessage.objects.filter(kind="invitation").values_list("to_email", flat=True)
    ) == ["jane@example.org"]
