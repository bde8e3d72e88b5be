"""SQLite rebuilds a table to alter it (Django's `_remake_table`: copy, drop, rename). A
content version trigger that reads the rebuilt table from another table's trigger makes
the rename fail, so the triggers are dropped before a migrate and installed after it
(credentials.content_versions, issue 19). SQLite only: PostgreSQL alters in place."""

import pytest
from django.db import OperationalError, connection

from cec.models import Submission
from credentials.content_versions import REGISTRY

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's table rebuilds"),
]


def _rebuild_submissions():
    """Alter a column of cec_submission and back: two rebuilds of the table, as a
    migration altering a field does on SQLite."""
    old = Submission._meta.get_field("total_hours")
    new = old.clone()
    new.set_attributes_from_name("total_hours")
    new.max_digits = old.max_digits + 1
    new.model = Submission
    with connection.schema_editor() as editor:
        editor.alter_field(Submission, old, new)
        editor.alter_field(Submission, new, old)


def test_a_table_another_trigger_reads_cannot_be_rebuilt_while_the_triggers_are_there():
    with pytest.raises(OperationalError, match="error in trigger"):
        _rebuild_submissions()
    assert REGISTRY.missing(connection) == []


def test_a_migrate_drops_the_triggers_first_and_puts_them_back_after():
    REGISTRY.drop_for_migrate(connection)
    _rebuild_submissions()
    REGISTRY.install(connection)
    assert REGISTRY.missing(connection) == []
