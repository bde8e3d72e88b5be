"""Every badge the portal issues verifies in an implementation we did not write: Digital
Bazaar's @digitalbazaar/vc with @digitalbazaar/eddsa-rdfc-2022-cryptosuite (npm, installed
by `make install-test` from tests/badges/package.json), run by verify_independent.mjs with
our DID document and bundled contexts served offline. A copy with one byte changed fails
there too, and a lapse reads as suspended from the public status list."""

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from credentials.badges import badges, documents, issuer, status_list
from credentials.services.renewals import lapse_overdue_credentials
from tests.factories import CredentialFactory, HolderFactory, credential_type

HERE = Path(__file__).parent
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.integration,
    pytest.mark.skipif(NODE is None, reason="node is not installed (apt install nodejs)"),
    pytest.mark.skipif(
        not (HERE / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
        reason="npm packages missing: npm --prefix tests/badges install (make install-test)",
    ),
]


def independent_verify(tmp_path, credential, now="2026-06-01T12:00:00Z"):
    contexts = {url: documents.bundled(url) for url in documents.BUNDLED}
    payload = {
        "credential": credential,
        "didDocument": issuer.did_document(),
        "contexts": contexts,
        "statusList": status_list.build_status_list_credential(),
        "now": now,
    }
    path = tmp_path / "input.json"
    path.write_text(json.dumps(payload))
    run = subprocess.run(
        [NODE, str(HERE / "verify_independent.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture
def cam(db):
    return CredentialFactory(
        holder=HolderFactory(),
        credential_type=credential_type("CAM"),
        number="CAM-318822",
        earned_on=dt.date(2019, 5, 1),
        valid_through=dt.date(2026, 12, 31),
    )


def test_our_badge_verifies_in_digital_bazaars_verifier(tmp_path, cam, issuer_key):
    result = independent_verify(tmp_path, badges.issue_badge(cam))
    assert result == {"verified": True, "suspended": False, "error": ""}


def test_a_copy_with_one_byte_changed_fails_in_digital_bazaars_verifier(tmp_path, cam, issuer_key):
    text = json.dumps(badges.issue_badge(cam))
    changed = text.replace("CAM-318822", "CAM-318823")
    assert len(changed) == len(text) and changed != text
    result = independent_verify(tmp_path, json.loads(changed))
    assert result["verified"] is False
    assert "Invalid signature" in result["error"], result["error"]


def test_a_lapsed_holders_badge_reads_suspended_there(tmp_path, cam, issuer_key):
    badge = badges.issue_badge(cam)
    lapse_overdue_credentials(on=dt.date(2027, 4, 1))
    result = independent_verify(tmp_path, badge, now="2026-12-01T12:00:00Z")
    assert result["suspended"] is True
