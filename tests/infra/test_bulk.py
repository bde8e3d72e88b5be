"""renewal_portal.infra.bulk, the plain-row inserts of the invoice run (issues 9 and 19):
values stored as the ORM stores them, errors as Django's, a missing row a foreign key
names rolls the transaction back; and on PostgreSQL, the statistics of tables a run
filled from empty are refreshed between batches. Run on SQLite and on PostgreSQL
(marker `postgres`)."""

import gc

import pytest
from django.db import IntegrityError, connection, transaction

from credentials.models import OutboxMessage
from renewal_portal.infra.bulk import (
    garbage_collection_paused,
    insert_rows,
    refresh_outgrown_statistics,
)
from tests.factories import HolderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Text a literal or array encoding would have to quote: quotes, braces, commas,
# backslashes, NULL spelled out, a newline, non-ASCII.
AWKWARD = ['it\'s "{a,b}"', "back\\slash", "NULL", "two\nlines", "Zoë — 🎓", ""]


def outbox_row(holder, n, **values):
    return {
        "holder_id": holder.pk,
        "kind": "renewal_invoice",
        "dedupe_key": f"bulk-test:{n}",
        "to_email": holder.email,
        "attachments": [{"document": "invoice_pdf", "id": n}],
        **values,
    }


def test_rows_are_stored_as_the_orm_stores_them_and_their_ids_come_back_in_order():
    holder = HolderFactory()
    rows = [outbox_row(holder, n, subject=text) for n, text in enumerate(AWKWARD)]

    ids = insert_rows(OutboxMessage, rows)

    assert len(ids) == len(AWKWARD)
    stored = OutboxMessage.objects.in_bulk(ids)
    for n, (pk, text) in enumerate(zip(ids, AWKWARD, strict=True)):
        message = stored[pk]
        assert message.subject == text
        assert message.dedupe_key == f"bulk-test:{n}"
        assert message.attachments == [{"document": "invoice_pdf", "id": n}]
        assert message.holder_id == holder.pk
        assert message.renewal_id is None
        assert message.created_at is not None  # auto_now_add, filled as the ORM fills it


def test_with_ignore_conflicts_a_taken_key_is_skipped_and_only_new_ids_return():
    holder = HolderFactory()
    (first,) = insert_rows(OutboxMessage, [outbox_row(holder, 1)])

    ids = insert_rows(
        OutboxMessage, [outbox_row(holder, 1), outbox_row(holder, 2)], ignore_conflicts=True
    )

    assert len(ids) == 1 and first not in ids
    assert OutboxMessage.objects.filter(dedupe_key__startswith="bulk-test:").count() == 2


def test_a_taken_unique_key_is_djangos_integrity_error_and_writes_nothing():
    holder = HolderFactory()
    insert_rows(OutboxMessage, [outbox_row(holder, 1)])

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(OutboxMessage, [outbox_row(holder, 2), outbox_row(holder, 1)])

    assert OutboxMessage.objects.filter(dedupe_key="bulk-test:2").count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_naming_a_holder_that_does_not_exist_rolls_its_transaction_back():
    # Foreign keys are checked when the transaction commits (Django declares them
    # DEFERRABLE INITIALLY DEFERRED): the whole transaction goes, its good rows too.
    holder = HolderFactory()
    missing = HolderFactory()
    missing_id = missing.pk
    missing.delete()

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            insert_rows(
                OutboxMessage,
                [outbox_row(holder, 1), {**outbox_row(holder, 2), "holder_id": missing_id}],
            )

    assert not OutboxMessage.objects.filter(dedupe_key__startswith="bulk-test:").exists()


def test_garbage_collection_is_paused_inside_the_block_and_resumes_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), garbage_collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("the batch failed")
    assert gc.isenabled()


def test_garbage_collection_stays_off_after_the_block_when_it_was_off_before():
    gc.disable()
    try:
        with garbage_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_inside_a_transaction_statistics_are_left_alone():
    with transaction.atomic():
        assert refresh_outgrown_statistics() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_table_analyzed_while_empty_is_analyzed_again_once_it_has_grown():
    if connection.vendor != "postgresql":
        assert refresh_outgrown_statistics() == []  # SQLite plans its checks by index
        return
    table = OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    holder = HolderFactory()
    body = "x" * 400  # ~20 rows a page: 100 rows are several pages
    insert_rows(OutboxMessage, [outbox_row(holder, n, body_text=body) for n in range(100)])

    assert table in refresh_outgrown_statistics()

    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, reltuples FROM pg_class WHERE relname = %s", [table])
        pages, tuples = cursor.fetchone()
    assert pages >= 2 and tuples == 100
    assert table not in refresh_outgrown_statistics()  # up to date now
