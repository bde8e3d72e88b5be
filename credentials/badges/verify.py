"""Our verifier: checks a pasted credential's proof, issuer, dates and status, and says in
plain words what holds and what does not.

Outcomes, worst first: tampered (the proof does not match the contents, or there is no
usable proof), unknown issuer (not signed by one of the office's keys), suspended (the
status list says the credential lapsed), expired (past validUntil), status unknown (the
status list could not be read or checked; never "valid"), in grace (past validUntil but
the holder's renewal is still in its grace period: valid, flagged), valid.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from pyld.jsonld import JsonLdError

from credentials import selectors
from credentials.models import Credential

from . import issuer, proofs, status_list

VALID = "valid"
IN_GRACE = "in grace"
SUSPENDED = "suspended"
EXPIRED = "expired"
TAMPERED = "tampered"
UNKNOWN_ISSUER = "unknown issuer"
STATUS_UNKNOWN = "status unknown"
UNREADABLE = "not a credential"

HEADLINES = {
    VALID: "Valid: issued by the office, unchanged, current and not suspended.",
    IN_GRACE: "Valid, in grace: the renewal is overdue but the grace period has not ended.",
    SUSPENDED: "Suspended: the credential lapsed and has not been reinstated.",
    EXPIRED: "Expired: the credential's validity has ended.",
    TAMPERED: "Tampered: the contents do not match the issuer's signature.",
    UNKNOWN_ISSUER: "Unknown issuer: not signed by this office's keys.",
    STATUS_UNKNOWN: "Status unknown: the suspension list could not be checked, so this "
    "credential cannot be confirmed as valid.",
    UNREADABLE: "Not a credential this page can read.",
}


@dataclass
class Check:
    label: str
    ok: bool | None  # None: not checked
    detail: str = ""


@dataclass
class Verification:
    status: str
    checks: list[Check] = field(default_factory=list)
    name: str = ""
    valid_until: dt.datetime | None = None

    @property
    def headline(self) -> str:
        return HEADLINES[self.status]

    @property
    def is_valid(self) -> bool:
        return self.status in (VALID, IN_GRACE)


def _parse_time(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _issuer_id(document) -> str | None:
    value = document.get("issuer")
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _check_proof(document, label) -> tuple[str | None, Check]:
    """(failing status or None, check)."""
    if _issuer_id(document) != issuer.issuer_did():
        return UNKNOWN_ISSUER, Check(label, False, f"Issuer {_issuer_id(document)!r} is not us.")
    try:
        proofs.verify(document, issuer.public_key_for)
    except LookupError:
        return UNKNOWN_ISSUER, Check(label, False, "Signed with a key the office never had.")
    except proofs.ProofError as exc:
        return TAMPERED, Check(label, False, str(exc))
    except proofs.InvalidSignature:
        return TAMPERED, Check(label, False, "The signature does not match the contents.")
    except (JsonLdError, TypeError, ValueError, KeyError, AttributeError, RecursionError):
        return TAMPERED, Check(label, False, "The contents cannot be read as signed.")
    return None, Check(label, True, "Signed by the office; unchanged since.")


def _fetch_status_list(url: str) -> dict:
    """The status list credential at `url`. Only the portal's own list is read (never a
    URL from the pasted document, which could point anywhere)."""
    if url != status_list.status_list_url():
        raise LookupError("The status list is not this office's.")
    return status_list.signed_status_list()


def _check_status(document, fetch) -> tuple[str | None, Check]:
    label = "Suspension status"
    entry = document.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return STATUS_UNKNOWN, Check(label, None, "The credential names no status list.")
    try:
        index = int(entry["statusListIndex"])
        listed = fetch(entry["statusListCredential"])
        failure, _ = _check_proof(listed, "status list")
        if failure:
            raise ValueError("The status list is not signed by the office.")
        subject = listed["credentialSubject"]
        if entry.get("statusPurpose") != "suspension" or subject["statusPurpose"] != "suspension":
            raise ValueError("Not a suspension list.")
        suspended = status_list.bit_at(subject["encodedList"], index)
    except Exception as exc:  # unreachable or unparsable: never "valid"
        return STATUS_UNKNOWN, Check(label, None, f"Could not check: {exc}")
    if suspended:
        return SUSPENDED, Check(label, False, "Suspended: the credential lapsed.")
    return None, Check(label, True, "Not suspended.")


def _in_grace(document, now: dt.datetime) -> bool:
    """Past validUntil, but the office's record says the renewal is in grace."""
    subject = document.get("credentialSubject") or {}
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    if not isinstance(subject_id, str) or not subject_id.startswith("urn:uuid:"):
        return False
    try:
        credential = Credential.objects.select_related("credential_type").get(
            badge_id=subject_id.removeprefix("urn:uuid:")
        )
    except (Credential.DoesNotExist, ValidationError, ValueError):
        return False
    if credential.lapsed_on is not None:
        return False
    on = now.astimezone(dt.UTC).date()
    return selectors.RequirementBook().status_of(credential, on) == "in_grace"


def verify(credential_json, *, now: dt.datetime | None = None, fetch_status_list=None):
    """Verify a credential (JSON text or a parsed dict) and say what holds."""
    now = now or dt.datetime.now(dt.UTC)
    fetch = fetch_status_list or _fetch_status_list
    document = credential_json
    if isinstance(credential_json, (str, bytes)):
        try:
            document = json.loads(credential_json)
        except (ValueError, RecursionError):
            return Verification(UNREADABLE, [Check("Format", False, "Not JSON.")])
    types = document.get("type") if isinstance(document, dict) else None
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return Verification(UNREADABLE, [Check("Format", False, "Not a credential.")])
    result = Verification(VALID, name=str(document.get("name", ""))[:200])
    failure, check = _check_proof(document, "Issuer and signature")
    result.checks.append(check)
    if failure:
        result.status = failure
        return result

    status_failure, status_check = _check_status(document, fetch)
    starts, ends = _parse_time(document.get("validFrom")), _parse_time(document.get("validUntil"))
    result.valid_until = ends
    dates_failure = None
    if starts is None or starts > now:
        dates_failure = EXPIRED
        result.checks.append(Check("Dates", False, "Not valid yet, or no start date."))
    elif ends is not None and ends < now:
        if _in_grace(document, now):
            dates_failure = IN_GRACE
            result.checks.append(Check("Dates", True, "Past its end date, in grace."))
        else:
            dates_failure = EXPIRED
            result.checks.append(Check("Dates", False, f"Ended {document['validUntil']}."))
    else:
        result.checks.append(Check("Dates", True, "Within its validity."))
    result.checks.append(status_check)
    for status in (SUSPENDED, EXPIRED, STATUS_UNKNOWN, IN_GRACE):
        if status in (status_failure, dates_failure):
            result.status = status
            break
    return result
