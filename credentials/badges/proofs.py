"""The eddsa-rdfc-2022 Data Integrity proof (W3C vc-di-eddsa, section 3.3): canonicalise
the proof options and the document with RDFC-1.0, hash each with SHA-256, sign
proofConfigHash + documentHash with Ed25519, and carry the signature as base58btc
multibase in `proofValue`."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import multibase
from .documents import canonize

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(Exception):
    """The proof is missing, malformed or of a kind this verifier does not check."""


def hash_data(document: dict, proof_config: dict, loader=None) -> bytes:
    """proofConfigHash + transformedDocumentHash (the spec's "hashData")."""
    proof_hash = hashlib.sha256(canonize(proof_config, loader).encode()).digest()
    document_hash = hashlib.sha256(canonize(document, loader).encode()).digest()
    return proof_hash + document_hash


def proof_config(document: dict, verification_method: str, created: str) -> dict:
    return {
        "@context": document["@context"],
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }


def sign(
    document: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: str | None = None,
    loader=None,
) -> dict:
    """A copy of `document` (without a proof) with an eddsa-rdfc-2022 proof added."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    created = created or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = proof_config(unsigned, verification_method, created)
    signature = private_key.sign(hash_data(unsigned, config, loader))
    proof = {key: value for key, value in config.items() if key != "@context"}
    proof["proofValue"] = multibase.encode(signature)
    signed = copy.deepcopy(unsigned)
    signed["proof"] = proof
    return signed


def verify(document: dict, public_key_for, *, loader=None) -> dict:
    """Check the document's single eddsa-rdfc-2022 proof. `public_key_for(method_id)`
    returns the Ed25519PublicKey of a verification method, or None if the issuer does not
    own it. Returns the proof; raises ProofError (malformed), LookupError (unknown key)
    or InvalidSignature (the document or proof was changed)."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if not isinstance(proof, dict):
        raise ProofError("The credential has no proof, or more than one.")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("The proof is not an eddsa-rdfc-2022 Data Integrity proof.")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("The proof is not an assertion by the issuer.")
    try:
        signature = multibase.decode(proof.get("proofValue"))
    except ValueError as exc:
        raise ProofError("The proof value is not base58btc multibase.") from exc
    method = proof.get("verificationMethod")
    public_key: Ed25519PublicKey | None = public_key_for(method)
    if public_key is None:
        raise LookupError(method)
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    config["@context"] = unsigned.get("@context")
    public_key.verify(signature, hash_data(unsigned, config, loader))
    return proof


__all__ = ["InvalidSignature", "ProofError", "hash_data", "proof_config", "sign", "verify"]
