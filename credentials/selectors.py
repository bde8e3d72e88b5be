"""Reads that several pages share. Querysets here are always scoped to a holder."""

import datetime as dt

from django.utils import timezone

from credentials import rules
from credentials.models import FaqEntry, OfficeContact, Renewal


def today() -> dt.date:
    return timezone.localdate()


def current_renewal_year(on: dt.date | None = None) -> int:
    return rules.renewal_year_on(on or today())


def open_renewal_for(user, on: dt.date | None = None) -> Renewal | None:
    """The holder's renewal for the current renewal year, if one was issued."""
    return (
        Renewal.objects.filter(holder=user, year=current_renewal_year(on))
        .select_related("governing_type")
        .first()
    )


def published_faq():
    return FaqEntry.objects.filter(published=True)


def office_contact() -> OfficeContact | None:
    return OfficeContact.objects.order_by("pk").first()
