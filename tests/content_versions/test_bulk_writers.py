"""A bulk writer may ask PostgreSQL to move each counter once per transaction
(`move_once_per_transaction`, issue 19): the invoice run's batch writes renewals, their
credentials, invoices and lines of the same holders, and one move is enough because
nobody sees the transaction's writes before it commits. Without asking, every statement
moves the counters (what a reader inside the transaction, such as a test, expects)."""

import pytest
from django.db import connection, transaction

from cec.models import LedgerEntry
from credentials.content_versions import HOLDER
from credentials.models import ContentVersion
from renewal_portal.infra.content_versions import move_once_per_transaction
from tests.factories import HolderFactory, LedgerEntryFactory

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
