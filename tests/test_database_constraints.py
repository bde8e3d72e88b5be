"""Constraints the database itself enforces, whatever code path writes: these run on
SQLite and again on PostgreSQL (marker `postgres`)."""

import pytest
from django.db import IntegrityError, transaction

from credentials.models import User
from tests.factories import RenewalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_holder_has_one_renewal_per_year():
    renewal = RenewalFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RenewalFactory(holder=renewal.holder, year=renewal.year)


def test_emails_are_unique_whatever_their_case():
    User.objects.create_user("Holder@Example.org", "x-long-password")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("holder@example.org", "x-long-password")
