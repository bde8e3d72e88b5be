"""A bulk writer may ask PostgreSQL to move each counter once per transaction
(`move_once_per_transaction`, issue 19): the invoice run's batch writes renewals, their
credentials, invoices and lines of the same holders, and one move is enough because
nobody sees the transaction's writes before it commits. Without asking, every statement
moves the counters (what a reader inside the transaction, such as a test, expects)."""

import datetime as dt

import pytest
from django.db import connection, transaction

from cec.models import LedgerEntry
from credentials.content_versions import HOLDER
from credentials.models import ContentVersion
from credentials.services.renewals import issue_renewals
from renewal_portal.infra.content_versions import move_once_per_transaction
from tests.factories import CredentialFactory, HolderFactory, LedgerEntryFactory, credential_type

# Transactional (each statement its own transaction), with the seeded rows restored after
# the flush as the suite's other transactional tests do.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def _version(holder):
    return ContentVersion.objects.get(scope=HOLDER, key=holder.pk).version


def _two_statements(holder, *, once):
    before = _version(holder)
    with transaction.atomic():
        if once:
            move_once_per_transaction(connection)
        LedgerEntry.objects.filter(holder=holder).update(title="First")
        LedgerEntry.objects.filter(holder=holder).update(title="Second")
    return _version(holder) - before


def test_each_statement_moves_the_counter_by_default():
    holder = HolderFactory()
    LedgerEntryFactory(holder=holder)
    assert _two_statements(holder, once=False) == 2


def test_a_bulk_writer_moves_each_counter_once_per_transaction_on_postgresql():
    holder = HolderFactory()
    LedgerEntryFactory(holder=holder)
    moved = _two_statements(holder, once=True)
    # SQLite's row triggers move it at every row: more moves, never fewer.
    assert moved == (1 if connection.vendor == "postgresql" else 2)
    # The next transaction moves it again.
    assert _two_statements(holder, once=True) == moved


@pytest.mark.clock(2026, 11, 25)
def test_the_invoice_run_moves_each_holders_counter_once_per_batch_on_postgresql():
    # Issue 19 (helper I): a batch writes the holder's renewal, its credentials, the
    # invoice and its lines in its own transaction: one move on PostgreSQL (four
    # statements would move it four times), a move per row on SQLite.
    holders = [HolderFactory(), HolderFactory()]
    for holder in holders:
        CredentialFactory(
            holder=holder,
            credential_type=credential_type("CAM"),
            valid_through=dt.date(2026, 12, 31),
        )
    before = {holder.pk: _version(holder) for holder in holders}

    summary = issue_renewals(2027, holder_ids=list(before))

    assert summary.issued == 2
    moved = {holder.pk: _version(holder) - before[holder.pk] for holder in holders}
    if connection.vendor == "postgresql":
        assert moved == {holder.pk: 1 for holder in holders}
    else:
        assert all(count >= 4 for count in moved.values())
    # The move-once setting ended with the batch's transaction.
    LedgerEntryFactory(holder=holders[0])
    assert _two_statements(holders[0], once=False) == 2
