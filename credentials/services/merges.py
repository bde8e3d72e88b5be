"""Two records of one person become one (issue 18): a staff action with history.

Everything the holder has moves from one record to the other (credentials, renewals with
their invoices and submissions, ledger entries, Reporting Forms, class attendance); the
merge is refused, with the reason, when both records have something that can exist only
once per holder. Confirming a claim (credentials.services.claims) is a merge too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from credentials import roles
from credentials.models import ContactProfile, Credential, HolderMerge, Renewal, User
from credentials.permissions import ADD_HOLDER_MERGE
from renewal_portal.infra.history import save_with_history

REASON_MAX_LENGTH = 100
PROFILE_FIELDS = ContactProfile.CONTACT_FIELDS


@dataclass(frozen=True)
class MergePart:
    """What an app above the core keeps per holder, for a merge: why both records
    cannot be merged ('' when they can) and how to move the source's rows (returns
    {what: how many}). cec registers its part in cec/apps.py."""

    refusal: Callable[[User, User], str]
    move: Callable[..., dict[str, int]]


MERGE_PARTS: list[MergePart] = []


def register_merge_part(part: MergePart) -> None:
    if part not in MERGE_PARTS:
        MERGE_PARTS.append(part)


def is_unclaimed_record(user) -> bool:
    """A record the office made (imported or typed in) that nobody has signed into: no
    usable password and never a sign-in. Only such a record can go to a claimant."""
    return bool(
        user is not None
        and user.is_active
        and not roles.is_office_account(user)
        and not user.has_usable_password()
        and user.last_login is None
    )


def merge_refusal(source: User, into: User) -> str:
    """Why `source` cannot be merged into `into`, in plain words; '' when it can."""
    if source.pk == into.pk:
        return "A record cannot be merged into itself: choose two different records."
    if roles.is_office_account(source) or roles.is_office_account(into):
        return "Office accounts (staff, reviewers, superusers) are never merged."
    if not into.is_active:
        return f"{into.email} is not an active account: merge into the record still in use."
    both_years = sorted(
        set(Renewal.objects.filter(holder=source).values_list("year", flat=True))
        & set(Renewal.objects.filter(holder=into).values_list("year", flat=True))
    )
    if both_years:
        years = ", ".join(str(year) for year in both_years)
        return (
            f"Both records have a renewal for {years}: a holder renews once a year, so the "
            "office must first settle which renewal stands (for example, void the unpaid "
            "invoice of the other) before merging."
        )
    both_types = sorted(
        set(
            Credential.objects.filter(holder=source).values_list("credential_type__code", flat=True)
        )
        & set(
            Credential.objects.filter(holder=into).values_list("credential_type__code", flat=True)
        )
    )
    if both_types:
        return (
            f"Both records hold a {' and a '.join(both_types)} credential: a holder has one "
            "credential of each type, so correct the duplicate first."
        )
    for part in MERGE_PARTS:
        refusal = part.refusal(source, into)
        if refusal:
            return refusal
    return ""


def move_rows(rows, into, by, why) -> int:
    """Give each row to `into`, one history record each saying why."""
    moved = 0
    for row in rows:
        row.holder = into
        save_with_history(row, by=by, why=why, update_fields=["holder"])
        moved += 1
    return moved


@transaction.atomic
def merge_holders(source: User, into: User, *, by, reason: str, claim=None) -> HolderMerge:
    """Move everything of `source` to `into` and close `source`, with the reason in the
    history of every row moved; refused (nothing moves) when both hold what a holder has
    once (a renewal of the same year, a credential of the same type, one class attended)."""
    if by is None or not by.is_active or not by.has_perm(ADD_HOLDER_MERGE):
        raise PermissionDenied("Only AASC staff merge holder records.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Say why the records are merged (it goes into their history).")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(f"Keep the reason to {REASON_MAX_LENGTH} characters.")
    # Lock both accounts in a fixed order so two merges of one record cannot interleave.
    locked = {
        user.pk: user
        for user in User.objects.select_for_update().filter(pk__in=[source.pk, into.pk])
    }
    source, into = locked.get(source.pk, source), locked.get(into.pk, into)
    if roles.credits_own_ledger(by, source) or roles.credits_own_ledger(by, into):
        raise PermissionDenied("Nobody merges their own records: ask another staff member.")
    refusal = merge_refusal(source, into)
    if refusal:
        raise ValidationError(refusal)
    why = f"Merged from {source.email}: {reason}"[:REASON_MAX_LENGTH]
    moved = {
        "credentials": move_rows(Credential.objects.filter(holder=source), into, by, why),
        "renewals": move_rows(Renewal.objects.filter(holder=source), into, by, why),
    }
    for part in MERGE_PARTS:
        moved.update(part.move(source, into, by=by, why=why))
    _fill_blank_contact_details(source, into, by, why)
    source.is_active = False
    source.save(update_fields=["is_active"])
    return HolderMerge.objects.create(
        source=source,
        into=into,
        reason=reason,
        moved=", ".join(f"{count} {kind}" for kind, count in moved.items()),
        claim=claim,
        merged_by=by,
    )


def _fill_blank_contact_details(source, into, by, why) -> None:
    """What the kept record lacks (name, phone, address…) comes from the merged one;
    nothing the kept record has is overwritten."""
    names = [f for f in ("first_name", "last_name") if not getattr(into, f) and getattr(source, f)]
    for field in names:
        setattr(into, field, getattr(source, field))
    if names:
        into.save(update_fields=names)
    old = ContactProfile.objects.filter(user=source).first()
    if old is None:
        return
    profile, _ = ContactProfile.objects.get_or_create(user=into)
    fields = [f for f in PROFILE_FIELDS if not getattr(profile, f) and getattr(old, f)]
    for field in fields:
        setattr(profile, field, getattr(old, field))
    if fields:
        save_with_history(profile, by=by, why=why, update_fields=[*fields, "updated_at"])
