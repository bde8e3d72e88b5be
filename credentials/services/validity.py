"""A credential's validity dates, corrected by the office (issue 15.2).

The change form in admin shows the dates read-only: they change here, with the reason
in the credential's history (who, when, from, to, why), never by editing the row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from credentials import roles, rules
from credentials.models import Credential
from credentials.permissions import CHANGE_CREDENTIAL
from renewal_portal.infra.history import save_with_history

# The history keeps a reason of this many characters (simple-history's column).
REASON_MAX_LENGTH = 100


def check_can_change_dates(credential: Credential, by) -> None:
    if by is None or not by.is_active or not by.has_perm(CHANGE_CREDENTIAL):
        raise PermissionDenied("Only AASC staff change a credential's dates.")
    if roles.credits_own_ledger(by, credential.holder):
        raise PermissionDenied(
            "Nobody changes the dates of their own credential: ask another AASC staff member."
        )


@transaction.atomic
def change_validity_dates(
    credential: Credential,
    *,
    by,
    earned_on: dt.date,
    valid_through: dt.date | None,
    reason: str,
) -> Credential:
    """Staff set when a credential was earned and until when it is valid, saying why; the
    history records who did it, the dates before and after, and the reason."""
    check_can_change_dates(credential, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the dates change (it goes into the credential's history).")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(f"Keep the reason to {REASON_MAX_LENGTH} characters.")
    credential = (
        Credential.objects.select_for_update()
        .select_related("credential_type")
        .get(pk=credential.pk)
    )
    if earned_on is None:
        raise ValidationError("Enter the date the credential was earned.")
    if valid_through is None and credential.credential_type.renews_annually:
        raise ValidationError(
            f"{credential.credential_type.code} renews every year: enter the date it is valid "
            "through (only lifetime credentials have none)."
        )
    refusal = rules.credential_dates_refusal(earned_on, valid_through, timezone.localdate())
    if refusal:
        raise ValidationError(refusal)
    if (credential.earned_on, credential.valid_through) == (earned_on, valid_through):
        raise ValidationError("These are the credential's dates already: nothing to change.")
    credential.earned_on = earned_on
    credential.valid_through = valid_through
    save_with_history(credential, by=by, why=reason, update_fields=["earned_on", "valid_through"])
    return credential
