"""The Bitstring Status List (W3C, suspension purpose) of every credential the portal has
issued as a badge: bit i is set while the credential with status_index i is lapsed.

The bits are read from the credentials themselves (their recorded lapse), so a lapse or a
reinstatement shows in the list from the commit of the service that made it, without
reissuing anything. The signed list is cached for STATUS_LIST_MAX_AGE seconds and
dropped when a service reports a change; verifiers may cache it as long.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse

from credentials.models import Credential

from . import documents, issuer, keys, proofs

LIST_ID = 1
MIN_BITS = 131072  # 16 KB, the spec's minimum for group privacy
STATUS_LIST_MAX_AGE = 300
CACHE_KEY = "badges:status-list:1"
PURPOSE = "suspension"


def status_list_url() -> str:
    return settings.SITE_URL + reverse("badges:status_list", args=[LIST_ID])


def ensure_index(credential: Credential) -> int:
    """The credential's bit in the list, given the next free one the first time."""
    if credential.status_index is not None:
        return credential.status_index
    for _ in range(5):
        try:
            with transaction.atomic():
                top = Credential.objects.aggregate(top=Max("status_index"))["top"]
                index = 0 if top is None else top + 1
                updated = Credential.objects.filter(
                    pk=credential.pk, status_index__isnull=True
                ).update(status_index=index)
        except IntegrityError:
            continue  # another issuer took that index first
        if not updated:
            credential.refresh_from_db(fields=["status_index"])
            return credential.status_index
        credential.status_index = index
        return index
    raise RuntimeError("Could not give the credential a status list index.")


def ensure_indexes(credential_ids) -> None:
    for credential in Credential.objects.filter(pk__in=list(credential_ids), status_index=None):
        ensure_index(credential)


def entry_for(credential: Credential) -> dict:
    index = ensure_index(credential)
    url = status_list_url()
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def suspended_indexes() -> list[int]:
    return list(
        Credential.objects.filter(status_index__isnull=False, lapsed_on__isnull=False)
        .order_by("status_index")
        .values_list("status_index", flat=True)
    )


def encode_bits(set_indexes, size: int | None = None) -> str:
    """GZIP-compressed bitstring, base64url without padding, multibase 'u' prefix; bit 0
    is the most significant bit of the first byte."""
    set_indexes = list(set_indexes)
    top = max(set_indexes, default=0) + 1
    size = size or max(MIN_BITS, -(-top // MIN_BITS) * MIN_BITS)
    bits = bytearray(size // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def bit_at(encoded_list: str, index: int) -> bool:
    """The bit at `index`; ValueError if the list cannot be read."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise ValueError("The status list is not base64url multibase.")
    body = encoded_list[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError("The status list cannot be decompressed.") from exc
    if index < 0 or index // 8 >= len(bits):
        raise ValueError("The status list is shorter than the credential's index.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def build_status_list_credential(now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now(dt.UTC)
    url = status_list_url()
    unsigned = {
        "@context": [documents.CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.issuer_did(),
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_bits(suspended_indexes()),
        },
    }
    key = keys.current_key()
    return proofs.sign(unsigned, key.private_key, issuer.method_id(key))


def signed_status_list() -> dict:
    """The signed status list credential, from the cache when it is fresh."""
    credential = cache.get(CACHE_KEY)
    if credential is None:
        credential = build_status_list_credential()
        cache.set(CACHE_KEY, credential, STATUS_LIST_MAX_AGE)
    return credential


def forget_cached() -> None:
    cache.delete(CACHE_KEY)
