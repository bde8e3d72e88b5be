"""Content version counters kept by database triggers (issue 19), for any tables.

A counter table holds `(scope, key) -> version`. Each app declares, for its own tables,
which counter a written row moves (a `Bump`: a scope, and the key as an SQL expression
over the row, `{row}.holder_id` or `(SELECT holder_id FROM parent WHERE id =
{row}.parent_id)`; a key that is NULL moves nothing). This module turns the
declarations into triggers, so every write counts, whoever makes it: a service, admin, a
bulk insert, `QuerySet.update()`, raw SQL.

- SQLite: a row-level trigger per table and event (AFTER INSERT, UPDATE, DELETE), one
  upsert of the row's keys.
- PostgreSQL: a statement-level trigger per table and event reading the transition
  tables, one upsert of the statement's distinct keys, so a bulk insert of 100,000 rows
  costs one statement.

An UPDATE moves the keys of the row before and after it (a merge moves rows from one
holder to another: both holders' counters move); a DELETE the keys of the row before.

`install` is idempotent and runs after every migrate (post_migrate): a later table
rebuild cannot leave a table without its triggers. On SQLite a trigger whose body reads
another table stops Django from rebuilding that table (the rename of its rebuilt copy
fails with "error in trigger ...: no such table"), so the triggers are dropped before
migrating (`drop_for_migrate`, pre_migrate) and installed again after. `missing` names
the declared triggers the database lacks (a system check and a test read it).

Knows no app: the counter table and every table name come from the caller.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# Every trigger (and PostgreSQL trigger function) made here starts with it.
PREFIX = "content_version_"
EVENTS = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}
# The rows an event's keys are read from: the row after (NEW), before (OLD), or both.
_ROWS_OF_EVENT = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}
_PG_TRANSITION = {"NEW": "content_version_new", "OLD": "content_version_old"}
_PG_NAME_MAX = 63


@dataclass(frozen=True)
class Bump:
    """A row of `table` written moves the counter (`scope`, `key`): `key` is an SQL
    expression over the row, named `{row}` (e.g. `{row}.holder_id`), or a constant (`0`)."""

    table: str
    scope: str
    key: str

    @property
    def per_row(self) -> bool:
        return "{row}" in self.key

    def key_of(self, row: str) -> str:
        return self.key.replace("{row}", row)


@dataclass(frozen=True)
class NotShown:
    """A table whose rows no versioned page shows, and why (so that leaving it without
    triggers is a decision, not an oversight)."""

    table: str
    reason: str


@dataclass
class Registry:
    """The declarations of every app, and the triggers they make."""

    counter_table: str
    bumps: list[Bump] = field(default_factory=list)
    not_shown: dict[str, str] = field(default_factory=dict)

    def declare(self, *declarations: Bump | NotShown) -> None:
        for declaration in declarations:
            if isinstance(declaration, NotShown):
                self.not_shown[declaration.table] = declaration.reason
            elif declaration not in self.bumps:
                self.bumps.append(declaration)

    def tables(self) -> dict[str, list[Bump]]:
        by_table: dict[str, list[Bump]] = {}
        for bump in self.bumps:
            by_table.setdefault(bump.table, []).append(bump)
        return by_table

    def triggers(self) -> dict[str, tuple[str, str, list[Bump]]]:
        """Every trigger's name: (table, event, bumps)."""
        return {
            trigger_name(table, event): (table, event, bumps)
            for table, bumps in self.tables().items()
            for event in EVENTS
        }

    # --- the database --------------------------------------------------------------

    def install(self, connection) -> list[str]:
        """Create or replace every declared trigger on the tables that exist, and drop
        this module's triggers nothing declares any more. Returns the names installed."""
        existing_tables = set(connection.introspection.table_names())
        wanted = {
            name: spec for name, spec in self.triggers().items() if spec[0] in existing_tables
        }
        present = _present_triggers(connection)
        with connection.cursor() as cursor:
            for name, table in present.items():
                if name not in wanted:
                    for statement in _drop_sql(connection, name, table):
                        cursor.execute(statement)
            for name, (table, event, bumps) in wanted.items():
                if connection.vendor == "sqlite":
                    sql = sqlite_trigger_sql(self.counter_table, name, table, event, bumps)
                    if _sqlite_trigger_sql(cursor, name) == sql:
                        continue
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(sql)
                elif connection.vendor == "postgresql":
                    for statement in postgresql_trigger_sql(
                        self.counter_table, name, table, event, bumps
                    ):
                        cursor.execute(statement)
                else:
                    raise NotImplementedError(
                        f"No content version triggers for {connection.vendor}."
                    )
        return sorted(wanted)

    def drop_for_migrate(self, connection) -> None:
        """Drop this module's triggers before a migrate on SQLite, whose table rebuilds
        fail while a trigger reads the rebuilt table (install puts them back)."""
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            for name, table in _present_triggers(connection).items():
                for statement in _drop_sql(connection, name, table):
                    cursor.execute(statement)

    def missing(self, connection) -> list[str]:
        """The declared triggers the database lacks (or, on SQLite, has in another
        version than the declarations make), as "table: trigger" lines."""
        present = _present_triggers(connection)
        missing = []
        with connection.cursor() as cursor:
            for name, (table, event, bumps) in self.triggers().items():
                if present.get(name) != table:
                    missing.append(f"{table}: {name}")
                elif connection.vendor == "sqlite" and _sqlite_trigger_sql(
                    cursor, name
                ) != sqlite_trigger_sql(self.counter_table, name, table, event, bumps):
                    missing.append(f"{table}: {name} (out of date)")
        return missing


def trigger_name(table: str, event: str) -> str:
    name = f"{PREFIX}{table}_{EVENTS[event]}"
    if len(name) > _PG_NAME_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: _PG_NAME_MAX - 9]}_{digest}"
    return name


def _keys_select(bumps: list[Bump], event: str, row_source, union="UNION") -> str:
    """A SELECT of the (scope, key) pairs an event moves, the parts joined by `union`.
    `row_source(row)` is the FROM clause of the rows before or after ("" for a row-level
    trigger, whose OLD and NEW need none)."""
    parts = []
    for row in _ROWS_OF_EVENT[event]:
        for bump in bumps:
            scope = f"'{bump.scope}'"
            source, alias = row_source(row, bump)
            parts.append(f"SELECT {scope} AS scope, {bump.key_of(alias)} AS key{source}")
    return f"\n    {union} ".join(parts)


def sqlite_trigger_sql(counter_table: str, name: str, table: str, event: str, bumps) -> str:
    """A row-level trigger: one upsert of the keys of the row written."""
    keys = _keys_select(bumps, event, lambda row, bump: ("", row))
    return (
        f'CREATE TRIGGER {name} AFTER {event} ON "{table}" FOR EACH ROW BEGIN\n'
        f'  INSERT INTO "{counter_table}" ("scope", "key", "version")\n'
        f"  SELECT scope, key, 1 FROM (\n    {keys}\n  ) WHERE key IS NOT NULL\n"
        f'  ON CONFLICT ("scope", "key") DO UPDATE SET "version" = "version" + 1;\n'
        f"END"
    )


def postgresql_trigger_sql(counter_table: str, name: str, table: str, event: str, bumps):
    """A trigger function and a statement-level trigger reading the transition tables:
    one upsert of the statement's distinct keys, in key order (two transactions moving
    the same counters lock them in the same order)."""

    def row_source(row, bump):
        transition = _PG_TRANSITION[row]
        if bump.per_row:
            return f" FROM {transition} AS changed", "changed"
        # A constant key: once per statement that wrote any row.
        return f" WHERE EXISTS (SELECT 1 FROM {transition})", ""

    keys = _keys_select(bumps, event, row_source, union="UNION ALL")
    referencing = " ".join(f"{row} TABLE AS {_PG_TRANSITION[row]}" for row in _ROWS_OF_EVENT[event])
    function = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"BEGIN\n"
        f'  INSERT INTO "{counter_table}" AS counter ("scope", "key", "version")\n'
        f"  SELECT DISTINCT bump.scope, bump.key, 1 FROM (\n    {keys}\n  ) AS bump\n"
        f"  WHERE bump.key IS NOT NULL ORDER BY bump.scope, bump.key\n"
        f'  ON CONFLICT ("scope", "key") DO UPDATE SET "version" = counter."version" + 1;\n'
        f"  RETURN NULL;\n"
        f"END\n$body$"
    )
    trigger = (
        f'CREATE OR REPLACE TRIGGER {name} AFTER {event} ON "{table}" '
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )
    return [function, trigger]


def _present_triggers(connection) -> dict[str, str]:
    """This module's triggers in the database: name -> table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s ESCAPE '\\'",
                [PREFIX.replace("_", "\\_") + "%"],
            )
        else:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' "
                "AND n.nspname = current_schema() AND t.tgname LIKE %s",
                [PREFIX.replace("_", "\\_") + "%"],
            )
        return dict(cursor.fetchall())


def _sqlite_trigger_sql(cursor, name: str) -> str | None:
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [name])
    row = cursor.fetchone()
    return row[0] if row else None


def _drop_sql(connection, name: str, table: str) -> list[str]:
    if connection.vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}"]
    return [f'DROP TRIGGER IF EXISTS {name} ON "{table}"', f"DROP FUNCTION IF EXISTS {name}()"]
