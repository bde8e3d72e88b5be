"""Writes to a holder's contact details and their confirmation for a renewal (step 1)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import update_change_reason

from credentials.models import ContactProfile, Renewal


def get_or_create_profile(user):
    profile, _ = ContactProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def update_contact_details(form, *, confirm_renewal: Renewal | None = None):
    """Save the contact form; with `confirm_renewal`, also confirm the details for it."""
    profile = form.save()
    update_change_reason(profile, "Contact details updated by the holder")
    if confirm_renewal is not None:
        confirm_contact_details(confirm_renewal, by=form.user)
    return profile


@transaction.atomic
def confirm_contact_details(renewal: Renewal, *, by):
    """Step 1: the holder confirms their contact details are current for this renewal."""
    renewal = Renewal.objects.select_for_update().get(pk=renewal.pk)
    if renewal.holder_id != by.pk:
        raise ValidationError("Only the holder can confirm their own contact details.")
    profile = get_or_create_profile(renewal.holder)
    if not profile.is_complete:
        raise ValidationError(
            "Fill in your name, phone and mailing address before confirming them."
        )
    if renewal.contact_confirmed_at is None:
        renewal.contact_confirmed_at = timezone.now()
        renewal._change_reason = "Contact details confirmed"
        renewal.save(update_fields=["contact_confirmed_at"])
    return renewal
