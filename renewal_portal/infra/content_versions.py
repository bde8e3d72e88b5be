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
# The PostgreSQL setting move_once_per_transaction turns on for one transaction.
ONCE_SETTING = "portal.content_versions_once"


@dataclass(frozen=True)
class Bump:
    """A row of `table` written moves the counter (`scope`, `key`).

    `key` is an SQL expression over the row, named `{row}` (`{row}.holder_id`), or a
    constant (`0`). `through` follows foreign keys first, each step a (column, parent
    table) pair whose parent's primary key is `id`: with `through=(("invoice_id",
    "payments_invoice"), ("renewal_id", "credentials_renewal"))`, `{row}` in `key` is the
    renewal of the invoice of the row. `when` (SQL over the row written, `{row}`) moves
    the counter only for the rows it holds for."""

    table: str
    scope: str
    key: str
    through: tuple[tuple[str, str], ...] = ()
    when: str | None = None

    @property
    def per_row(self) -> bool:
        return "{row}" in self.key


def _over(sql: str, row: str) -> str:
    return sql.replace("{row}", row)


def _joins(bump: Bump, row: str) -> tuple[str, str]:
    """The JOIN clauses of `bump.through` from the row `row`, and the last alias."""
    joins, alias = [], row
    for step, (column, parent) in enumerate(bump.through, start=1):
        joins.append(f'JOIN "{parent}" AS step{step} ON step{step}.id = {alias}.{column}')
        alias = f"step{step}"
    return " ".join(joins), alias


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


def move_once_per_transaction(connection) -> None:
    """For the rest of the current transaction (call it inside `transaction.atomic()`),
    move each counter at most once on PostgreSQL, however many statements write the
    rows it counts. Nobody sees the transaction's writes before it commits, so one move
    counts for all of them: a bulk writer (the invoice run's batch writes renewals, their
    credentials, invoices and lines of the same holders) rewrites each counter once, not
    once per statement. Not the default, because a reader inside the same transaction
    (a test wrapped in one transaction, reading the version after each write) would see
    it stand still. (A counter moved inside a savepoint carries the savepoint's id and
    is moved again: more moves, never fewer.) Nothing to do on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [ONCE_SETTING])


def trigger_name(table: str, event: str) -> str:
    name = f"{PREFIX}{table}_{EVENTS[event]}"
    if len(name) > _PG_NAME_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: _PG_NAME_MAX - 9]}_{digest}"
    return name


def _sqlite_part(bump: Bump, row: str) -> str:
    """The (scope, key) a row-level trigger moves for `bump`, the row being NEW or OLD."""
    if bump.through and bump.per_row:
        (column, parent), *rest = bump.through
        source = f'"{parent}" AS step1'
        for step, (next_column, next_parent) in enumerate(rest, start=2):
            on = f"step{step}.id = step{step - 1}.{next_column}"
            source += f' JOIN "{next_parent}" AS step{step} ON {on}'
        last = f"step{len(bump.through)}"
        key = f"(SELECT {_over(bump.key, last)} FROM {source} WHERE step1.id = {row}.{column})"
    else:
        key = _over(bump.key, row)
    where = f" WHERE {_over(bump.when, row)}" if bump.when else ""
    return f"SELECT '{bump.scope}' AS scope, {key} AS key{where}"


def _postgresql_part(bump: Bump, transition: str) -> str:
    """The (scope, key) pairs a statement-level trigger moves for `bump`: one per row of
    the transition table `transition`, or one for the statement when the key is constant."""
    when = f" WHERE {_over(bump.when, 'changed')}" if bump.when else ""
    if not bump.per_row:
        return (
            f"SELECT '{bump.scope}' AS scope, {bump.key} AS key "
            f"WHERE EXISTS (SELECT 1 FROM {transition} AS changed{when})"
        )
    joins, last = _joins(bump, "changed")
    joins = f" {joins}" if joins else ""
    return (
        f"SELECT '{bump.scope}' AS scope, {_over(bump.key, last)} AS key "
        f"FROM {transition} AS changed{joins}{when}"
    )


def sqlite_trigger_sql(counter_table: str, name: str, table: str, event: str, bumps) -> str:
    """A row-level trigger: one upsert of the keys of the row written."""
    keys = "\n    UNION ".join(
        _sqlite_part(bump, row) for row in _ROWS_OF_EVENT[event] for bump in bumps
    )
    return (
        f'CREATE TRIGGER {name} AFTER {event} ON "{table}" FOR EACH ROW BEGIN\n'
        f'  INSERT INTO "{counter_table}" ("scope", "key", "version")\n'
        f"  SELECT scope, key, 1 FROM (\n    {keys}\n  ) WHERE key IS NOT NULL\n"
        f'  ON CONFLICT ("scope", "key") DO UPDATE SET "version" = "version" + 1;\n'
        f"END"
    )


# A statement writing more rows than this has its upsert planned for it (EXECUTE).
PG_BULK_ROWS = 16


def postgresql_trigger_sql(counter_table: str, name: str, table: str, event: str, bumps):
    """A trigger function and a statement-level trigger reading the transition tables:
    one upsert of the statement's distinct keys, in key order (two transactions moving
    the same counters lock them in the same order).

    A statement of a few rows (a request's service) runs the upsert's plan PL/pgSQL
    keeps for the session: planned for a few rows, it looks each parent row up by its
    key, which stays cheap however large the tables grow. A bulk statement has its own
    plan made for it (EXECUTE, ~0.5 ms): a kept plan made for the first batch of a bulk
    run, when the parent tables were nearly empty, scanned them whole for every row of
    every later batch (3.1 s of a 7.8 s invoice run at 5,000 holders).

    In a transaction that called `move_once_per_transaction`, a counter the transaction
    already moved is left as it is (its row's xmin is the transaction's id)."""
    keys = "\n    UNION ALL ".join(
        _postgresql_part(bump, _PG_TRANSITION[row])
        for row in _ROWS_OF_EVENT[event]
        for bump in bumps
    )
    referencing = " ".join(f"{row} TABLE AS {_PG_TRANSITION[row]}" for row in _ROWS_OF_EVENT[event])
    written = _PG_TRANSITION[_ROWS_OF_EVENT[event][-1]]
    upsert = (
        f'INSERT INTO "{counter_table}" AS counter ("scope", "key", "version")\n'
        f"  SELECT DISTINCT bump.scope, bump.key, 1 FROM (\n    {keys}\n  ) AS bump\n"
        f"  WHERE bump.key IS NOT NULL ORDER BY bump.scope, bump.key\n"
        f'  ON CONFLICT ("scope", "key") DO UPDATE SET "version" = counter."version" + 1\n'
        f"  WHERE counter.xmin <> pg_current_xact_id()::xid\n"
        f"  OR current_setting('{ONCE_SETTING}', true) IS DISTINCT FROM 'on'"
    )
    function = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"BEGIN\n"
        f"  IF EXISTS (SELECT 1 FROM {written} OFFSET {PG_BULK_ROWS}) THEN\n"
        f"  EXECUTE $upsert$\n  {upsert}\n  $upsert$;\n"
        f"  ELSE\n  {upsert};\n  END IF;\n"
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
