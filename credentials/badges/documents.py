"""The JSON-LD document loader for canonicalisation: it serves the contexts bundled in
`contexts/` and refuses every other URL, so signing and verifying never touch the
network (a credential naming an unknown context cannot be checked, rather than making
the portal fetch it)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

BUNDLED = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-context-3.0.3.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class UnknownContext(Exception):
    """A document names a context the portal does not bundle."""


@cache
def bundled(url: str) -> dict:
    return json.loads((CONTEXTS_DIR / BUNDLED[url]).read_text())


def offline_loader(extra: dict[str, dict] | None = None):
    """A pyld document loader over the bundled contexts (plus `extra`, url -> document,
    for tests); any other URL raises, nothing is fetched."""
    extra = extra or {}

    def load(url, options=None):
        if url in extra:
            document = extra[url]
        elif url in BUNDLED:
            document = bundled(url)
        else:
            raise jsonld.JsonLdError(
                f"Context {url} is not bundled with the portal; it is not fetched.",
                "jsonld.LoadDocumentError",
                {"url": url},
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonize(document: dict, loader=None) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, pyld's URDNA2015) to N-Quads."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": loader or offline_loader(),
        },
    )
