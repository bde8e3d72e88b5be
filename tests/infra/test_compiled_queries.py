"""Querysets compiled once per process (renewal_portal/infra/compiled_queries.py): the
same instances as the ORM's, select_related objects included, in one query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from cec.models import EntryState, LedgerEntry
from cec.selectors.ledger import (
    as_credits,
    earning_entries_in_window,
    holder_ledger,
    progress_for_renewal,
)
from cec.selectors.submissions import submissions_of
from cec.services.ledger import record_attendance
from credentials import rules, selectors
from credentials.models import Renewal
from payments.selectors import lines_of
from renewal_portal.infra.compiled_queries import CompiledQuery
from tests.factories import (
    ClassSessionFactory,
    HolderFactory,
    LedgerEntryFactory,
    StaffFactory,
)
from tests.factories.renewal_states import confirm, earn_enough, renewal_due, submit

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25)]


def orm_open_renewal(holder, year):
    return (
        Renewal.objects.filter(holder=holder, year=year)
        .select_related("governing_type", "invoice")
        .first()
    )


def fields_of(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_the_open_renewal_is_the_orms_with_its_type_and_invoice_in_one_query():
    holder = HolderFactory()
    confirm(renewal_due(holder))  # a datetime column set: converted as the ORM does
    expected = orm_open_renewal(holder, 2027)
    with CaptureQueriesContext(connection) as queries:
        renewal = selectors.open_renewal_for(holder)
        governing_type, invoice = renewal.governing_type, renewal.invoice
    assert len(queries) == 1
    assert fields_of(renewal) == fields_of(expected)
    assert renewal.contact_confirmed_at.tzinfo is not None
    assert fields_of(governing_type) == fields_of(expected.governing_type)
    assert fields_of(invoice) == fields_of(expected.invoice)
    assert invoice.renewal is renewal
    assert renewal._state.db == "default" and not renewal._state.adding


def test_no_renewal_of_the_year_is_none_and_another_holders_is_not_read():
    holder, other = HolderFactory(), HolderFactory()
    renewal_due(other)
    assert selectors.open_renewal_for(holder) is None
    assert selectors.open_renewal_for(other).holder_id == other.pk


def test_a_renewal_without_an_invoice_raises_as_the_orm_does():
    holder = HolderFactory()
    renewal = renewal_due(holder)
    renewal.invoice.lines.all().delete()
    renewal.invoice.delete()
    loaded = selectors.open_renewal_for(holder)
    assert not hasattr(loaded, "invoice")  # Renewal.invoice.RelatedObjectDoesNotExist


def test_a_marker_the_orm_changes_or_repeats_is_refused():
    repeated = CompiledQuery(lambda n: Renewal.objects.filter(year=n, cecs_owed=n), 9_999)
    with pytest.raises(ImproperlyConfigured):
        repeated.all(2027)


def test_a_value_of_another_type_than_its_marker_is_refused():
    by_year = CompiledQuery(lambda year: Renewal.objects.filter(year=year), 9_999)
    with pytest.raises(TypeError):
        by_year.all("2027")


def test_the_holders_ledger_is_the_orms_with_each_entrys_course():
    holder = HolderFactory()
    session = ClassSessionFactory(date=dt.date(2026, 3, 12))
    attended = record_attendance(session, holder, by=StaffFactory())
    LedgerEntryFactory(holder=holder, earned_on=dt.date(2026, 5, 1))
    LedgerEntryFactory(holder=HolderFactory())  # another holder's: not read
    expected = list(
        LedgerEntry.objects.filter(holder=holder)
        .annotate(course_id=F("attendance__session__course_id"))
        .order_by("-earned_on", "-id")
    )
    entries = holder_ledger(holder)
    assert [fields_of(e) for e in entries] == [fields_of(e) for e in expected]
    assert [e.course_id for e in entries] == [None, session.course_id]
    assert entries[1].pk == attended.pk and entries[1].hours == attended.hours


def test_a_renewals_items_are_the_orms_with_credential_and_type_in_one_query():
    holder = HolderFactory()
    renewal = renewal_due(holder, codes=("CAM", "CALP", "CAPS"))
    expected = list(renewal.items.select_related("credential__credential_type"))
    with CaptureQueriesContext(connection) as queries:
        items = selectors.items_of(renewal)
        codes = [item.credential.credential_type.code for item in items]
        assert all(item.renewal is renewal for item in items)
    assert len(queries) == 1
    assert codes == ["CALP", "CAM", "CAPS"]
    assert [fields_of(item) for item in items] == [fields_of(item) for item in expected]


def test_a_renewals_progress_reads_the_window_as_the_orm_does():
    """Date markers: the earning window's days reach the SQL as the ORM writes them."""
    holder = HolderFactory()
    renewal = renewal_due(holder)
    first, last = rules.earning_window(renewal.year)
    for day in (first - dt.timedelta(days=1), first, last, last + dt.timedelta(days=1)):
        LedgerEntryFactory(holder=holder, earned_on=day, hours=Decimal("1.25"))
    LedgerEntryFactory(holder=holder, earned_on=first, state=EntryState.WITHDRAWN)
    orm = earning_entries_in_window(holder, renewal.year)
    assert progress_for_renewal(renewal) == rules.cec_progress(renewal.requirement, as_credits(orm))
    assert progress_for_renewal(renewal).earned == Decimal("2.50")


def test_an_invoices_lines_and_a_renewals_submissions_are_the_orms():
    holder = HolderFactory()
    renewal = renewal_due(holder, codes=("CAM", "CALP"))
    submission = submit(earn_enough_and_check(renewal))
    invoice = renewal.invoice
    assert [fields_of(x) for x in lines_of(invoice)] == [fields_of(x) for x in invoice.lines.all()]
    assert all(line.invoice is invoice for line in lines_of(invoice))
    assert [s.pk for s in submissions_of(renewal)] == [submission.pk]
    assert fields_of(submissions_of(renewal)[0]) == fields_of(submission)
    prefetched = Renewal.objects.prefetch_related("submissions").get(pk=renewal.pk)
    with CaptureQueriesContext(connection) as queries:
        assert [s.pk for s in submissions_of(prefetched)] == [submission.pk]
    assert len(queries) == 0


def earn_enough_and_check(renewal):
    earn_enough(renewal)
    return renewal
