"""Holders claim the records the office keeps for them (issue 18).

By email: signing up with the address of a record nobody has signed into sends that
address a link to choose a password (credentials.account_email), so proving the address
gives the person that very record. By credential number + last name + ZIP: a claim that
the office confirms in admin (never automatically); confirming merges the record into the
claimant's account. Claiming never tells whether a number exists, and an account may
send three claims a day.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from credentials import roles
from credentials.models import Claim, ClaimState, ContactProfile, Credential, User
from credentials.notifications import queue_message
from credentials.permissions import DECIDE_CLAIM
from credentials.services.merges import is_unclaimed_record, merge_holders
from renewal_portal.infra.history import save_with_history

CLAIMS_PER_DAY = 3
# The one answer to every claim, matched or not (the number's existence stays secret).
CLAIM_SENT = (
    "We've sent your claim to the AASC office. If it matches a record we keep, the office "
    "checks it and links the credentials to your account, and we email you; this usually "
    "takes a working day or two. If you hear nothing, contact the office."
)
CLAIMS_THROTTLED = (
    "You have sent three claims today, the most an account can send in a day. Try again "
    "tomorrow, or contact the AASC office and we will find your record with you."
)


def _normal_number(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def _normal_name(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _normal_zip(text: str) -> str:
    """ZIP+4 and a bare ZIP match: compare the first five digits."""
    return re.sub(r"\D", "", text or "")[:5]


def claims_sent_today(claimant, now=None) -> int:
    now = now or timezone.now()
    return Claim.objects.filter(
        claimant=claimant, created_at__gt=now - dt.timedelta(days=1)
    ).count()


def _match(number, last_name, postal_code) -> tuple[Credential | None, str]:
    """The credential the claim is for and '' , or None and why not (for staff only)."""
    credential = (
        Credential.objects.select_related("holder", "credential_type")
        .filter(number__iexact=_normal_number(number))
        .first()
    )
    if credential is None:
        return None, "No credential has this number."
    holder = credential.holder
    if _normal_name(holder.last_name) != _normal_name(last_name):
        return None, f"The last name on the record is {holder.last_name or '(none)'}."
    profile = ContactProfile.objects.filter(user=holder).first()
    on_record = _normal_zip(profile.postal_code if profile else "")
    if not on_record or on_record != _normal_zip(postal_code):
        return None, f"The ZIP code on the record is {on_record or '(none)'}."
    if not is_unclaimed_record(holder):
        return None, (
            "The record belongs to an account in use (it has signed in): if both are one "
            "person, merge the records instead."
        )
    return credential, ""


@transaction.atomic
def submit_claim(claimant, *, number: str, last_name: str, postal_code: str) -> Claim:
    """Record a claim; one that matches an unclaimed record waits for the office, one
    that does not is kept for staff. Both get the same answer (CLAIM_SENT)."""
    if not roles.is_holder(claimant):
        raise PermissionDenied("Office accounts do not claim holder records.")
    # Lock the claimant's row so three quick claims in parallel cannot become six.
    User.objects.select_for_update().filter(pk=claimant.pk).first()
    if claims_sent_today(claimant) >= CLAIMS_PER_DAY:
        raise ValidationError(CLAIMS_THROTTLED, code="throttled")
    credential, why_not = _match(number, last_name, postal_code)
    if credential is not None and credential.holder_id == claimant.pk:
        credential, why_not = None, "The claimant already holds this credential."
    claim = Claim(
        claimant=claimant,
        typed_number=number.strip()[:60],
        typed_last_name=last_name.strip()[:150],
        typed_postal_code=postal_code.strip()[:20],
        credential=credential,
        record=credential.holder if credential else None,
        state=ClaimState.WAITING if credential else ClaimState.NO_MATCH,
        staff_note=why_not,
    )
    save_with_history(claim, by=claimant, why="Claim sent by the holder")
    return claim


def _check_decider(by) -> None:
    if by is None or not by.is_active or not by.has_perm(DECIDE_CLAIM):
        raise PermissionDenied("Only AASC staff confirm or refuse claims.")


def _decide(claim, state, by, note):
    claim.state = state
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.staff_note = note[:300]
    save_with_history(claim, by=by, why=f"Claim {claim.get_state_display().lower()}")


@transaction.atomic
def confirm_claim(claim: Claim, *, by, note: str = "") -> Claim:
    """The office checked the evidence: the record (its credentials, renewals, ledger,
    forms) moves to the claimant's account, and other claims to it are refused. Refused
    when the record has meanwhile been claimed or signed into, so two accounts never own
    one holder."""
    _check_decider(by)
    claim = Claim.objects.select_for_update().select_related("record", "claimant").get(pk=claim.pk)
    if claim.state != ClaimState.WAITING:
        raise ValidationError(
            f"This claim is {claim.get_state_display().lower()}: only a claim waiting for the "
            "office can be confirmed."
        )
    record = claim.record
    if record is None or not is_unclaimed_record(record):
        raise ValidationError(
            "The record this claim is for already belongs to an account (it was claimed or "
            "signed into since): refuse this claim, or merge the records if they are one "
            "person."
        )
    if roles.credits_own_ledger(by, claim.claimant):
        raise PermissionDenied("Nobody confirms their own claim: ask another staff member.")
    merge_holders(record, claim.claimant, by=by, reason=f"Claim {claim.pk} confirmed", claim=claim)
    _decide(claim, ClaimState.CONFIRMED, by, note or "Confirmed by the AASC office.")
    for other in (
        Claim.objects.select_for_update()
        .filter(record=record, state=ClaimState.WAITING)
        .exclude(pk=claim.pk)
    ):
        _decide(
            other, ClaimState.REFUSED, by, f"The record went to another account (claim {claim.pk})."
        )
    queue_message(
        holder=claim.claimant,
        kind="claim_confirmed",
        dedupe_key=f"claim_confirmed:{claim.pk}",
        context={"claim": claim},
    )
    return claim


@transaction.atomic
def refuse_claim(claim: Claim, *, by, note: str) -> Claim:
    """The office could not confirm the claim; the note says why (staff only)."""
    _check_decider(by)
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError("Say why the claim is refused (the office keeps the reason).")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.state not in (ClaimState.WAITING, ClaimState.NO_MATCH):
        raise ValidationError(f"This claim is {claim.get_state_display().lower()} already.")
    _decide(claim, ClaimState.REFUSED, by, note)
    return claim
