"""The W3C vc-di-eddsa eddsa-rdfc-2022 test vector, reproduced byte for byte offline by
our proof code (pyld for RDFC-1.0, cryptography for Ed25519), and the 1EdTech Open
Badges 3.0 canonical proof options (vectors/SOURCE.md says where each file is from)."""

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.badges import multibase, proofs
from credentials.badges.documents import canonize, offline_loader

VECTORS = Path(__file__).parent / "vectors"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _json(name):
    return json.loads((VECTORS / name).read_text())


def _text(name):
    return (VECTORS / name).read_text()


def _loader():
    return offline_loader({EXAMPLES_V2: _json("examples-v2.jsonld")})


def _vector_key():
    pair = _json("keyPair.json")
    seed = multibase.decode_key(pair["privateKeyMultibase"], multibase.ED25519_PRIV)
    return Ed25519PrivateKey.from_private_bytes(seed), pair


def test_the_key_pair_of_the_vector_round_trips_through_multikey():
    key, pair = _vector_key()
    raw = key.public_key().public_bytes_raw()
    assert multibase.public_key_multibase(raw) == pair["publicKeyMultibase"]


def test_the_document_and_proof_options_canonicalise_as_in_the_vector():
    document = _json("unsigned.json")
    config = _json("proofConfigDataInt.json")
    assert canonize(document, _loader()) == _text("canonDocDataInt.txt")
    assert canonize(config, _loader()) == _text("proofCanonDataInt.txt")
    doc_hash = hashlib.sha256(_text("canonDocDataInt.txt").encode()).hexdigest()
    proof_hash = hashlib.sha256(_text("proofCanonDataInt.txt").encode()).hexdigest()
    assert doc_hash == _text("docHashDataInt.txt").strip()
    assert proof_hash == _text("proofHashDataInt.txt").strip()
    combined = proofs.hash_data(document, config, _loader()).hex()
    assert combined == _text("combinedHashDataInt.txt").strip()


def test_signing_the_vector_document_gives_the_vector_signature_byte_for_byte():
    key, _ = _vector_key()
    config = _json("proofConfigDataInt.json")
    signed = proofs.sign(
        _json("unsigned.json"),
        key,
        config["verificationMethod"],
        created=config["created"],
        loader=_loader(),
    )
    signature = multibase.decode(signed["proof"]["proofValue"])
    assert signature.hex() == _text("sigHexDataInt.txt").strip()
    assert signed["proof"]["proofValue"] == _text("sigBTC58DataInt.txt").strip()
    assert signed == _json("signedDataInt.json")


def test_the_vector_verifies_and_a_changed_copy_does_not():
    key, _ = _vector_key()
    public = key.public_key()
    signed = _json("signedDataInt.json")
    proofs.verify(signed, lambda method: public, loader=_loader())
    changed = json.loads(json.dumps(signed).replace("School of Examples", "School of Exampley"))
    try:
        proofs.verify(changed, lambda method: public, loader=_loader())
    except proofs.InvalidSignature:
        pass
    else:
        raise AssertionError("a changed credential verified")


def test_the_open_badges_proof_options_canonicalise_as_in_the_1edtech_vector():
    # 1EdTech publishes the canonical forms only; the proof options are those of its
    # OB 3.0 example (created 2010-01-01T19:23:24Z, key z6MkjZRZ… of issuer 565049).
    config = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2010-01-01T19:23:24Z",
        "verificationMethod": "https://example.edu/issuers/565049#"
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "proofPurpose": "assertionMethod",
    }
    assert canonize(config) == _text("ob-proof-canon.txt")


def test_the_open_badges_credential_canonicalises_as_in_the_1edtech_vector():
    # The 1EdTech OB 3.0 example credential (its JSON is in the spec's appendix).
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "http://example.com/credentials/3527",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://example.edu/issuers/565049",
            "type": ["Profile"],
            "name": "Example Corp",
            "url": "https://www.imsglobal.org",
        },
        "validFrom": "2010-01-01T00:00:00Z",
        "name": "Teamwork Badge",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.com/achievements/21st-century-skills/teamwork",
                "type": ["Achievement"],
                "criteria": {
                    "narrative": "Team members are nominated for this badge by their peers "
                    "and recognized upon review by Example Corp management."
                },
                "description": "This badge recognizes the development of the capacity to "
                "collaborate within a group environment.",
                "name": "Teamwork",
            },
        },
    }
    assert canonize(credential) == _text("ob-document-canon.txt")
