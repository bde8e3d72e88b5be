"""The office as issuer: keys outside the database, made and rotated by a command, and
published in a did:web DID document at /.well-known/did.json."""

import json
import os
import stat

import pytest
from django.core.management import call_command

from credentials.badges import issuer, keys, multibase

pytestmark = pytest.mark.django_db


def test_generate_makes_one_key_in_the_key_directory_readable_only_by_the_owner(settings):
    call_command("badge_keys", "--generate")
    call_command("badge_keys", "--generate")  # again: the same key, nothing new
    files = list((__import__("pathlib").Path(settings.BADGE_KEY_DIR)).glob("*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    key = keys.current_key()
    assert key.public_key_multibase.startswith("z6Mk")


def test_no_key_is_a_clear_error():
    with pytest.raises(keys.NoIssuerKey, match="badge_keys --generate"):
        keys.current_key()


def test_the_did_is_did_web_on_the_portal_host():
    assert issuer.issuer_did() == "did:web:renew.aasc.example.org"
    assert issuer.issuer_did("http://127.0.0.1:8000") == "did:web:127.0.0.1%3A8000"
    assert issuer.issuer_did("https://example.org/aasc/") == "did:web:example.org:aasc"


def test_the_did_document_publishes_the_key_as_multikey_for_assertions(client, issuer_key):
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    document = json.loads(response.content)
    assert document["id"] == "did:web:renew.aasc.example.org"
    [method] = document["verificationMethod"]
    assert method == {
        "id": f"did:web:renew.aasc.example.org#{issuer_key.public_key_multibase}",
        "type": "Multikey",
        "controller": "did:web:renew.aasc.example.org",
        "publicKeyMultibase": issuer_key.public_key_multibase,
    }
    assert document["assertionMethod"] == [method["id"]]
    assert "privateKeyMultibase" not in response.content.decode()


def test_rotation_makes_a_new_current_key_and_keeps_the_old_public_key(settings, issuer_key):
    call_command("badge_keys", "--rotate")
    found = keys.load_keys()
    assert [k.public_key_multibase for k in found][0] == issuer_key.public_key_multibase
    assert len(found) == 2
    assert found[0].private_key is None  # the retired key cannot sign any more
    assert keys.current_key().public_key_multibase != issuer_key.public_key_multibase
    published = [m["publicKeyMultibase"] for m in issuer.did_document()["verificationMethod"]]
    assert published == [k.public_key_multibase for k in found]


def test_the_private_key_can_come_from_the_environment(settings):
    private = multibase.private_key_multibase(bytes(range(32)))
    settings.BADGE_PRIVATE_KEY = private
    key = keys.current_key()
    assert key.private_key is not None
    assert issuer.public_key_for(issuer.method_id(key)) is not None
