"""The OpenBadgeCredential (Open Badges 3.0 on W3C Verifiable Credentials 2.0) for a
credential a holder holds: NAAEI's achievement, the holder by an opaque identifier, the
validity the renewals give it, its bit in the suspension status list, and the office's
eddsa-rdfc-2022 proof."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings

from credentials import rules, selectors
from credentials.models import Credential

from . import documents, issuer, keys, proofs, status_list

NAAEI = {
    "id": "https://www.naahq.org/",
    "type": ["Profile"],
    "name": "National Apartment Association Education Institute (NAAEI)",
    "url": "https://www.naahq.org/",
}


def subject_id(credential: Credential) -> str:
    return f"urn:uuid:{credential.badge_id}"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_until(valid_through: dt.date) -> str:
    """The last second of `valid_through` in the office's time zone, in UTC."""
    end = dt.datetime.combine(valid_through, dt.time(23, 59, 59), ZoneInfo(settings.TIME_ZONE))
    return _utc(end)


def valid_from(earned_on: dt.date) -> str:
    return _utc(dt.datetime.combine(earned_on, dt.time(0, 0), ZoneInfo(settings.TIME_ZONE)))


def criteria_narrative(credential: Credential, book: selectors.RequirementBook) -> str:
    credential_type = credential.credential_type
    earned = (
        f"Earned by completing NAAEI's {credential_type.name} ({credential_type.code}) "
        "program and its assessment."
    )
    if not credential_type.renews_annually:
        return f"{earned} A lifetime credential: it does not renew."
    year = rules.renewal_year_of_credential(credential.valid_through or selectors.today())
    requirement_set = book.set_for(credential_type.pk, year) or book.set_for(
        credential_type.pk, year - 1
    )
    cecs = (
        f"{rules.plural_cecs(requirement_set.cecs_owed)} (continuing education credits)"
        if requirement_set and requirement_set.cecs_owed
        else "the continuing education credits NAAEI requires"
    )
    return (
        f"{earned} Kept current by renewing each year through the association office: "
        f"{cecs} earned and approved by NAAEI, contact details confirmed, and the annual "
        "fee paid. A renewed credential is valid through 31 December; after that it is in "
        "grace until the grace period ends, and then it lapses (suspended) until reinstated."
    )


def achievement(credential: Credential, book: selectors.RequirementBook) -> dict:
    credential_type = credential.credential_type
    return {
        "id": f"urn:naaei:credential:{credential_type.code.lower()}",
        "type": ["Achievement"],
        "achievementType": "Certification",
        "humanCode": credential_type.code,
        "name": credential_type.name,
        "description": credential_type.description
        or f"The {credential_type.name} ({credential_type.code}) credential of NAAEI.",
        "criteria": {"narrative": criteria_narrative(credential, book)},
        "creator": NAAEI,
    }


def credential_id(credential: Credential) -> str:
    """One id per credential and validity: a reissue after a renewal is a new credential."""
    through = credential.valid_through.isoformat() if credential.valid_through else "lifetime"
    return f"urn:uuid:{uuid.uuid5(credential.badge_id, through)}"


def unsigned_badge(credential: Credential, book: selectors.RequirementBook | None = None) -> dict:
    book = book or selectors.RequirementBook()
    credential_type = credential.credential_type
    badge = {
        "@context": [documents.CREDENTIALS_V2, documents.OB_V3P0],
        "id": credential_id(credential),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{credential_type.code} – {credential_type.name}",
        "issuer": issuer.issuer_profile(),
        "validFrom": valid_from(credential.earned_on),
        "credentialSubject": {
            "id": subject_id(credential),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": credential.number,
                    "identityType": "identifier",
                    "hashed": False,
                }
            ],
            "achievement": achievement(credential, book),
        },
        "credentialStatus": status_list.entry_for(credential),
    }
    if credential.valid_through is not None:
        badge["validUntil"] = valid_until(credential.valid_through)
    return badge


def issue_badge(credential: Credential, book: selectors.RequirementBook | None = None) -> dict:
    """The signed OpenBadgeCredential for `credential`, signed now with the current key."""
    key = keys.current_key()
    return proofs.sign(unsigned_badge(credential, book), key.private_key, issuer.method_id(key))
