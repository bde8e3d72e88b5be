"""The four steps of a renewal (SPEC rule 8) and their reversal (rule 11), in one place.

Each step's record lives where it belongs: step 1 and step 3 on the renewal, step 2 on
the invoice (payments), step 4 on the submission (cec). Whichever service records a step
calls its transition here, which stamps the step on the renewal (so the core decides
completion from its own record, never reading payments or cec), and every transition
ends in `complete_if_done`, so the renewal completes whichever step is done last:

    1. confirm_contact_details   (credentials.services.profiles, the holder)
    2. invoice_paid              (payments.services.payments, card or cheque)
    3. mark_cec_status_seen      (the ledger page or the renewal page, the holder)
    4. cecs_approved             (cec.services.submissions, an NAAEI reviewer)

`payment_reversed` undoes step 2 (a full refund, a dispute opened or lost): the renewal
is no longer complete and the credentials it extended go back to the dates they had
before, each with a history record that says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credentials import rules
from credentials.models import ContactProfile, Credential, OutboxMessage, Renewal
from credentials.notifications import queue_message
from credentials.signals import credential_standing_changed
from renewal_portal.infra.history import save_with_history


def _locked(renewal: Renewal) -> Renewal:
    return (
        Renewal.objects.select_for_update()
        .select_related("holder", "governing_type")
        .get(pk=renewal.pk)
    )


# --- Step 1 ----------------------------------------------------------------------------


@transaction.atomic
def confirm_contact_details(renewal: Renewal, *, by) -> Renewal:
    """Step 1: the holder confirms their contact details are current for this renewal."""
    renewal = _locked(renewal)
    if renewal.holder_id != by.pk:
        raise ValidationError("Only the holder can confirm their own contact details.")
    profile, _ = ContactProfile.objects.get_or_create(user=renewal.holder)
    if not profile.is_complete:
        raise ValidationError(
            "Fill in your name, phone and mailing address before confirming them."
        )
    if renewal.contact_confirmed_at is None:
        renewal.contact_confirmed_at = timezone.now()
        save_with_history(
            renewal, by=by, why="Contact details confirmed", update_fields=["contact_confirmed_at"]
        )
        complete_if_done(renewal, by=by)
    return renewal


# --- Step 2 ----------------------------------------------------------------------------


@transaction.atomic
def invoice_paid(renewal: Renewal, *, by=None) -> bool:
    """Step 2: the renewal's invoice has just been marked paid (payments records it, in
    this transaction). True if that completed the renewal."""
    renewal = _locked(renewal)
    if renewal.paid_at is None:
        renewal.paid_at = timezone.now()
        save_with_history(renewal, by=by, why="Invoice paid", update_fields=["paid_at"])
    return complete_if_done(renewal, by=by)


@dataclass(frozen=True)
class Reversal:
    """What `payment_reversed` undid."""

    was_complete: bool
    restored: list  # [(credential, valid_through before, valid_through the renewal set)]


@transaction.atomic
def payment_reversed(renewal: Renewal, *, why: str, by=None) -> Reversal:
    """Step 2 undone (SPEC rule 11): the money that paid the invoice went back (a full
    refund, a dispute opened or lost; payments has already changed the invoice). If the
    renewal was complete, it is no longer, and each credential it extended returns to the
    dates it had before, with a history record that says `why`."""
    renewal = _locked(renewal)
    if renewal.paid_at is not None:
        renewal.paid_at = None
        save_with_history(
            renewal, by=by, why=f"{why}: invoice no longer paid", update_fields=["paid_at"]
        )
    if renewal.completed_at is None:
        return Reversal(was_complete=False, restored=[])
    items = list(renewal.items.select_related("credential__credential_type"))
    credentials = {
        credential.pk: credential
        for credential in Credential.objects.select_for_update().filter(
            pk__in=[item.credential_id for item in items]
        )
    }
    restored = []
    for item in items:
        credential = credentials[item.credential_id]
        if item.extended_through is None:
            continue  # completed before the previous dates were kept: nothing to go back to
        if credential.valid_through != item.extended_through:
            # A later change (another renewal, staff) moved it since: leave it, say so.
            save_with_history(
                credential,
                by=by,
                why=f"{why}: the {renewal.year} renewal is undone, but this credential's dates "
                "changed since, so they were left as they are",
            )
            continue
        credential.valid_through = item.previous_valid_through
        credential.lapsed_on = item.previous_lapsed_on
        credential.lapse_reason = item.previous_lapse_reason
        save_with_history(
            credential, by=by, why=f"{why}: {renewal.year} renewal undone, dates restored"
        )
        restored.append((credential, item.previous_valid_through, item.extended_through))
        item.extended_through = None
        item.save(update_fields=["extended_through"])
    renewal.completed_at = None
    save_with_history(renewal, by=by, why=f"{why}: step 2 open again, renewal no longer complete")
    if restored:
        credential_standing_changed.send(
            sender=Credential, credential_ids=[credential.pk for credential, _, _ in restored]
        )
    return Reversal(was_complete=True, restored=restored)


# --- Step 3 ----------------------------------------------------------------------------


@transaction.atomic
def mark_cec_status_seen(renewal: Renewal, *, by=None) -> Renewal:
    """Step 3: the holder has seen their CECs earned against the CECs owed."""
    renewal = _locked(renewal)
    if by is not None and by.pk != renewal.holder_id:
        raise ValidationError("Only the holder can check their own CEC status.")
    if renewal.cec_status_seen_at is None:
        renewal.cec_status_seen_at = timezone.now()
        save_with_history(
            renewal,
            by=by,
            why="CEC status checked by the holder",
            update_fields=["cec_status_seen_at"],
        )
        complete_if_done(renewal, by=by)
    return renewal


# --- Step 4 ----------------------------------------------------------------------------


@transaction.atomic
def cecs_approved(renewal: Renewal, *, by=None) -> bool:
    """Step 4: a reviewer has just approved the renewal's CEC submission (cec records it,
    in this transaction). True if that completed the renewal."""
    renewal = _locked(renewal)
    if renewal.cecs_approved_at is None:
        renewal.cecs_approved_at = timezone.now()
        save_with_history(
            renewal, by=by, why="CECs approved by NAAEI", update_fields=["cecs_approved_at"]
        )
    return complete_if_done(renewal, by=by)


# --- Completion ------------------------------------------------------------------------


@transaction.atomic
def complete_if_done(renewal: Renewal, *, by=None) -> bool:
    """When all four steps are done, renew each credential on the renewal through
    31 December of its year and confirm it to the holder. True if this call completed
    the renewal; calling it again does nothing. Each credential's dates before are kept
    on the renewal, so a payment that goes back can restore them."""
    renewal = _locked(renewal)
    if renewal.completed_at is not None or not rules.renewal_complete(renewal):
        return False
    through = rules.valid_through_after_renewal(renewal.year)
    items = list(renewal.items.all())
    credentials = {
        credential.pk: credential
        for credential in Credential.objects.select_for_update()
        .filter(pk__in=[item.credential_id for item in items])
        .select_related("credential_type")
    }
    for item in items:
        credential = credentials[item.credential_id]
        item.previous_valid_through = credential.valid_through
        item.previous_lapsed_on = credential.lapsed_on
        item.previous_lapse_reason = credential.lapse_reason
        reason = f"Renewed through {through:%B %-d, %Y} by the {renewal.year} renewal"
        if credential.lapsed_on is not None:
            reason = f"Reinstated and renewed through {through:%B %-d, %Y}"
            credential.lapsed_on = None
            credential.lapse_reason = ""
        if credential.valid_through is None or credential.valid_through < through:
            credential.valid_through = through
        item.extended_through = credential.valid_through
        save_with_history(credential, by=by, why=reason)
        item.save(
            update_fields=[
                "previous_valid_through",
                "previous_lapsed_on",
                "previous_lapse_reason",
                "extended_through",
            ]
        )
    renewal.completed_at = timezone.now()
    save_with_history(
        renewal, by=by, why="All four steps done: renewal complete", update_fields=["completed_at"]
    )
    # Renewed or reinstated: their badges verify as valid again (credentials.badges).
    credential_standing_changed.send(sender=Credential, credential_ids=list(credentials))
    key = f"renewal_complete:{renewal.pk}"
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        # Completed again after a payment went back and was restored (a dispute won).
        key = f"{key}:{renewal.completed_at:%Y%m%dT%H%M%S%f}"
    queue_message(
        holder=renewal.holder,
        kind="renewal_complete",
        dedupe_key=key,
        renewal=renewal,
        context={
            "credentials": sorted(credentials.values(), key=lambda c: c.credential_type.code),
            "valid_through": through,
            "renewal_url": reverse("credentials:renewal"),
        },
    )
    return True
