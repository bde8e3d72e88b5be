"""The office as issuer: a did:web identifier on the portal's own host, whose DID
document (served at /.well-known/did.json) lists every signing key the office has had as
a Multikey verification method for assertions."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings

from credentials import sites
from credentials.models import OfficeContact

from . import documents, keys


def issuer_did(site_url: str | None = None) -> str:
    """did:web for SITE_URL: the host (a port percent-encoded), then any path segments."""
    parts = urlsplit(site_url or settings.SITE_URL)
    did = "did:web:" + quote(parts.netloc, safe="")
    segments = [s for s in parts.path.split("/") if s]
    return ":".join([did, *segments])


def method_id(key: keys.IssuerKey) -> str:
    return f"{issuer_did()}#{key.public_key_multibase}"


def did_document() -> dict:
    did = issuer_did()
    methods = [
        {
            "id": f"{did}#{key.public_key_multibase}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys.load_keys()
    ]
    return {
        "@context": [documents.DID_V1, documents.MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def public_key_for(method: str):
    """The public key of one of the office's verification methods, or None."""
    if not isinstance(method, str):
        return None
    did, _, fragment = method.partition("#")
    if did != issuer_did():
        return None
    for key in keys.load_keys():
        if key.public_key_multibase == fragment:
            return key.public_key
    return None


def issuer_profile() -> dict:
    return {
        "id": issuer_did(),
        "type": ["Profile"],
        "name": sites.office_name(OfficeContact),
        "url": settings.SITE_URL + "/",
    }
