"""A credential held, issued as an Open Badges 3.0 credential, and our verifier's verdict
in plain words."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from credentials.badges import badges, verify
from tests.factories import CredentialFactory, HolderFactory, credential_type

pytestmark = pytest.mark.django_db

DURING_2026 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def cam(db):
    return CredentialFactory(
        holder=HolderFactory(email="manager@example.org"),
        credential_type=credential_type("CAM"),
        number="CAM-204411",
        earned_on=dt.date(2019, 5, 1),
        valid_through=dt.date(2026, 12, 31),
    )


def test_the_badge_is_an_open_badge_of_the_naaei_achievement(cam, issuer_key):
    badge = badges.issue_badge(cam)
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["issuer"]["id"] == "did:web:renew.aasc.example.org"
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == "CAM"
    assert "NAAEI" in achievement["creator"]["name"]
    assert "renewing each year" in achievement["criteria"]["narrative"]
    assert badge["credentialSubject"]["id"] == f"urn:uuid:{cam.badge_id}"
    assert "manager@example.org" not in json.dumps(badge)
    # The last second of 31 December in Colorado.
    assert badge["validUntil"] == "2027-01-01T06:59:59Z"
    assert badge["credentialStatus"]["statusPurpose"] == "suspension"
    assert badge["credentialStatus"]["statusListCredential"] == (
        "https://renew.aasc.example.org/badges/status/1"
    )
    assert badge["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert badge["proof"]["verificationMethod"].startswith("did:web:renew.aasc.example.org#z6Mk")


def test_an_issued_badge_verifies_as_valid(cam, issuer_key):
    result = verify.verify(json.dumps(badges.issue_badge(cam)), now=DURING_2026)
    assert result.status == verify.VALID, result.checks
    assert result.is_valid


def test_a_badge_with_one_byte_changed_is_tampered(cam, issuer_key):
    text = json.dumps(badges.issue_badge(cam))
    changed = text.replace("CAM-204411", "CAM-204412")
    assert changed != text
    assert verify.verify(changed, now=DURING_2026).status == verify.TAMPERED


def test_a_badge_with_a_later_valid_until_is_tampered(cam, issuer_key):
    badge = badges.issue_badge(cam)
    badge["validUntil"] = "2030-01-01T06:59:59Z"
    assert verify.verify(badge, now=DURING_2026).status == verify.TAMPERED


def test_a_badge_signed_with_another_key_is_from_an_unknown_issuer(cam, settings, tmp_path):
    settings.BADGE_KEY_DIR = str(tmp_path / "someone-else")
    call_command("badge_keys", "--generate")
    forged = badges.issue_badge(cam)
    settings.BADGE_KEY_DIR = str(tmp_path / "office")
    call_command("badge_keys", "--generate")
    assert verify.verify(forged, now=DURING_2026).status == verify.UNKNOWN_ISSUER


def test_a_badge_of_another_issuer_is_from_an_unknown_issuer(cam, issuer_key):
    badge = badges.issue_badge(cam)
    badge["issuer"]["id"] = "did:web:elsewhere.example"
    assert verify.verify(badge, now=DURING_2026).status == verify.UNKNOWN_ISSUER


def test_a_badge_past_its_valid_until_and_grace_is_expired(cam, issuer_key):
    badge = badges.issue_badge(cam)
    after_grace = dt.datetime(2027, 4, 15, 12, 0, tzinfo=dt.UTC)
    assert verify.verify(badge, now=after_grace).status == verify.EXPIRED


def test_a_badge_past_its_valid_until_within_grace_is_valid_but_in_grace(cam, issuer_key):
    badge = badges.issue_badge(cam)
    in_grace = dt.datetime(2027, 2, 15, 12, 0, tzinfo=dt.UTC)
    result = verify.verify(badge, now=in_grace)
    assert result.status == verify.IN_GRACE
    assert result.is_valid


def test_old_badges_still_verify_after_the_key_is_rotated(cam, issuer_key):
    badge = badges.issue_badge(cam)
    call_command("badge_keys", "--rotate")
    assert verify.verify(badge, now=DURING_2026).status == verify.VALID


def test_an_unreadable_status_list_is_status_unknown_never_valid(cam, issuer_key):
    badge = badges.issue_badge(cam)

    def unreachable(url):
        raise ConnectionError("status list unreachable")

    def garbled(url):
        return {"credentialSubject": {"encodedList": "not a list"}}

    for fetch in (unreachable, garbled):
        result = verify.verify(badge, now=DURING_2026, fetch_status_list=fetch)
        assert result.status == verify.STATUS_UNKNOWN
        assert not result.is_valid


def test_text_that_is_not_a_credential_is_said_so():
    assert verify.verify("{not json", now=DURING_2026).status == verify.UNREADABLE
    assert verify.verify('{"a": 1}', now=DURING_2026).status == verify.UNREADABLE


def test_a_subject_id_that_is_not_ours_is_not_in_grace(cam, issuer_key):
    badge = badges.issue_badge(cam)
    badge["credentialSubject"]["id"] = "urn:uuid:not-a-uuid"
    assert not verify._in_grace(badge, dt.datetime(2027, 2, 15, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        '{"type": 5}',
        '{"type": "VerifiableCredential"}',
        '{"type": ["VerifiableCredential"], "issuer": {"id": []}, "proof": []}',
        '{"type": ["VerifiableCredential"], "@context": 7, "issuer": "did:web:x"}',
    ],
)
def test_odd_input_is_refused_in_words_never_an_error(text, issuer_key):
    assert verify.verify(text, now=DURING_2026).status in (
        verify.UNREADABLE,
        verify.UNKNOWN_ISSUER,
        verify.TAMPERED,
    )


def test_odd_contents_signed_by_us_are_tampered_not_an_error(cam, issuer_key):
    badge = badges.issue_badge(cam)
    for key, value in (("@context", 7), ("credentialSubject", [[[]]]), ("validFrom", {})):
        changed = {**badge, key: value}
        assert verify.verify(changed, now=DURING_2026).status == verify.TAMPERED
