"""The content version triggers (issue 19) cover every table a page shows, and are in the
database: installed after every migrate, put back when a table rebuild dropped them, and
checked by `manage.py check --deploy --database default`."""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from credentials.content_versions import REGISTRY, triggers_check
from renewal_portal.infra.content_versions import trigger_name

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PROJECT_APPS = {"credentials", "cec", "payments"}


def _tables():
    """Every table of the installed apps: its app label and the tables it points at."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        tables[meta.db_table] = (
            meta.app_label,
            {
                field.related_model._meta.db_table
                for field in meta.concrete_fields
                if field.is_relation and field.related_model is not None
            },
        )
    return tables


def _tables_reaching_a_user(tables):
    """The tables with a chain of foreign keys to the user table."""
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    reaching = {user_table}
    grew = True
    while grew:
        grew = False
        for table, (_, targets) in tables.items():
            if table not in reaching and targets & reaching:
                reaching.add(table)
                grew = True
    return reaching


def test_every_table_of_a_holder_or_of_the_portal_is_declared_or_said_not_shown():
    """A new model cannot be forgotten: any table with a path to a user, and any table of
    the portal's apps, either moves a counter or says why no versioned page shows it."""
    tables = _tables()
    must_be_decided = _tables_reaching_a_user(tables) | {
        table for table, (app, _) in tables.items() if app in PROJECT_APPS
    }
    decided = set(REGISTRY.tables()) | set(REGISTRY.not_shown)
    assert sorted(must_be_decided - decided) == []


def test_every_declared_table_exists_and_is_declared_once():
    tables = _tables()
    assert sorted((set(REGISTRY.tables()) | set(REGISTRY.not_shown)) - set(tables)) == []
    assert sorted(set(REGISTRY.tables()) & set(REGISTRY.not_shown)) == []


def test_every_declared_trigger_is_in_the_database():
    assert REGISTRY.missing(connection) == []
    assert triggers_check(databases=["default"]) == []


def test_a_dropped_trigger_is_reported_and_back_after_the_next_migrate():
    """As when SQLite rebuilds a table in a migration (its triggers go with the old
    table): the deploy check names it, and migrate's post_migrate installs it again."""
    name = trigger_name("cec_ledgerentry", "UPDATE")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute(f"DROP TRIGGER {name} ON cec_ledgerentry")
    assert REGISTRY.missing(connection) == [f"cec_ledgerentry: {name}"]
    [error] = triggers_check(databases=["default"])
    assert error.id == "portal.E002" and name in error.msg

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert REGISTRY.missing(connection) == []
