"""The suspension status list follows the renewal: a lapse through the lapse service sets
the credential's bit, completing the reinstating renewal clears it, both visible in the
public status list as soon as the service commits (no badge is reissued)."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from credentials.badges import badges, status_list, verify
from credentials.models import Credential
from credentials.services.renewals import lapse_overdue_credentials
from payments.services.reversals import record_cheque_refund
from tests.factories import renewal_states as states

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


def at(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 10, 0, tzinfo=DENVER), tick=False)


def public_bit(client, index):
    response = client.get("/badges/status/1")
    assert response.status_code == 200
    listed = json.loads(response.content)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["credentialSubject"]["statusPurpose"] == "suspension"
    return status_list.bit_at(listed["credentialSubject"]["encodedList"], index)


@pytest.fixture
def due_renewal(holder):
    with at(2026, 11, 25):
        return states.renewal_due(holder, 2027, codes=("CAM",))


def test_the_status_list_is_public_signed_and_cached_for_five_minutes(client, issuer_key):
    response = client.get("/badges/status/1")
    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    listed = json.loads(response.content)
    assert verify._check_proof(listed, "status list")[0] is None
    assert client.get("/badges/status/2").status_code == 404


def test_a_lapse_suspends_the_badge_and_reinstating_clears_it(
    client, holder, staff, reviewer, due_renewal, issuer_key, django_capture_on_commit_callbacks
):
    with at(2026, 11, 25):
        badge = badges.issue_badge(Credential.objects.get(holder=holder))
    index = int(badge["credentialStatus"]["statusListIndex"])
    assert public_bit(client, index) is False  # and now cached

    with at(2027, 4, 1), django_capture_on_commit_callbacks(execute=True):
        assert lapse_overdue_credentials() == 1
    assert public_bit(client, index) is True
    after_lapse = dt.datetime(2027, 4, 2, 12, 0, tzinfo=dt.UTC)
    assert verify.verify(badge, now=after_lapse).status == verify.SUSPENDED

    with at(2027, 4, 10), django_capture_on_commit_callbacks(execute=True):
        states.complete(due_renewal, staff, reviewer)
    assert public_bit(client, index) is False
    [confirmation] = [m for m in mail.outbox if "renewed through" in m.body]
    assert "Your digital badges (Open Badges) show the new date too" in confirmation.body
    later = dt.datetime(2027, 4, 11, 12, 0, tzinfo=dt.UTC)
    # The old badge is no longer suspended, only past its end; the reissued one is valid.
    assert verify.verify(badge, now=later).status == verify.EXPIRED
    with at(2027, 4, 10):
        renewed = badges.issue_badge(Credential.objects.get(holder=holder))
    assert renewed["credentialStatus"] == badge["credentialStatus"]
    assert renewed["validUntil"] == "2028-01-01T06:59:59Z"
    assert verify.verify(renewed, now=later).status == verify.VALID


def test_a_badge_first_downloaded_after_the_lapse_is_suspended(
    client, holder, due_renewal, issuer_key, django_capture_on_commit_callbacks
):
    with at(2027, 4, 1), django_capture_on_commit_callbacks(execute=True):
        lapse_overdue_credentials()
    with at(2027, 4, 2):
        badge = badges.issue_badge(Credential.objects.get(holder=holder))
    assert public_bit(client, int(badge["credentialStatus"]["statusListIndex"])) is True
    after_lapse = dt.datetime(2027, 4, 2, 12, 0, tzinfo=dt.UTC)
    assert verify.verify(badge, now=after_lapse).status == verify.SUSPENDED


def test_a_refunded_reinstatement_suspends_the_badge_again(
    client, holder, staff, reviewer, due_renewal, issuer_key, django_capture_on_commit_callbacks
):
    with at(2027, 4, 1), django_capture_on_commit_callbacks(execute=True):
        lapse_overdue_credentials()
    with at(2027, 4, 10), django_capture_on_commit_callbacks(execute=True):
        states.complete(due_renewal, staff, reviewer)
        badge = badges.issue_badge(Credential.objects.get(holder=holder))
    index = int(badge["credentialStatus"]["statusListIndex"])
    assert public_bit(client, index) is False
    cheque = due_renewal.invoice.payments.get()
    with at(2027, 4, 20), django_capture_on_commit_callbacks(execute=True):
        record_cheque_refund(cheque, by=staff, reason="The cheque bounced.")
    assert public_bit(client, index) is True
    later = dt.datetime(2027, 4, 21, 12, 0, tzinfo=dt.UTC)
    assert verify.verify(badge, now=later).status == verify.SUSPENDED


def test_bits_are_numbered_from_the_first_byte_s_high_bit():
    encoded = status_list.encode_bits([0, 9])
    assert status_list.bit_at(encoded, 0) and status_list.bit_at(encoded, 9)
    assert not status_list.bit_at(encoded, 1)
    assert not status_list.bit_at(encoded, 131071)
    with pytest.raises(ValueError):
        status_list.bit_at(encoded, 131072)
