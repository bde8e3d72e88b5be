"""Writes to a holder's contact details and their confirmation for a renewal (step 1,
whose transition lives with the other steps in credentials.services.steps)."""

from django.db import transaction

from credentials.models import ContactProfile, Renewal
from credentials.services.steps import confirm_contact_details
from renewal_portal.infra.history import stamp

__all__ = ["confirm_contact_details", "get_or_create_profile", "update_contact_details"]


def get_or_create_profile(user):
    profile, _ = ContactProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def update_contact_details(form, *, confirm_renewal: Renewal | None = None):
    """Save the contact form; with `confirm_renewal`, also confirm the details for it."""
    stamp(form.instance, by=form.user, why="Contact details updated by the holder")
    profile = form.save()
    if confirm_renewal is not None:
        confirm_contact_details(confirm_renewal, by=form.user)
    return profile
