"""Many rows in few statements, without a model instance per row (issue 19: the invoice
run). Infrastructure: it imports no app.

`bulk_create` builds a model instance per row and runs each value through the field's
pre-save machinery: about 9 rows per holder of a season's invoice run, 0.6 ms of CPU per
holder on the reference machine, most of the run. `insert_rows` takes plain dicts of
attribute names, runs each value through its field's `get_db_prep_save` once (so
Decimals, dates, JSON and UUIDs are stored exactly as the ORM stores them) and writes
multi-row INSERTs that return the new ids in order, as `bulk_create` does on SQLite and
PostgreSQL. `insert_with_history` writes the django-simple-history "created" records of
the same rows, with who and why, as `bulk_create_with_history` does.

No model `save()`, no signals: for the bulk paths of services only, inside their
transaction, with rows the service has already validated.
"""

from __future__ import annotations

import contextlib
import gc

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

# Values the database drivers take as they are (no field conversion needed).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _to_db(field, connection):
    """How a value of `field` goes to the database: as it is, or through the field's
    get_db_prep_save (dates, Decimals, JSON, UUIDs), as the ORM does."""
    target = field.target_field if field.is_relation else field
    if target.get_internal_type() in _AS_IS:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _memo(to_db):
    """`to_db` remembered per value for one insert: a batch repeats the same few
    timestamps, dates and Decimals thousands of times (`now`, a due date, 8.00 CECs)."""
    if to_db is None:
        return None
    seen = {}

    def convert(value):
        try:
            return seen[value]
        except KeyError:
            converted = seen[value] = to_db(value)
            return converted
        except TypeError:  # unhashable (JSON lists and dicts): convert each time
            return to_db(value)

    return convert


def _rows_per_statement(connection, columns: int) -> int:
    # SQLite (3.32+) allows 32,766 variables per statement, PostgreSQL 65,535.
    limit = 32_000 if connection.vendor == "sqlite" else 60_000
    return max(1, min(2_000, limit // max(1, columns)))


def _fillers(model, given):
    """(field, how to get its value) for every column an INSERT of rows with the
    attnames `given` writes: None for the row's own value, a _Same for a value every row
    gets (a constant default, the insert's time for auto_now), else a callable."""
    now = _Same(timezone.now())
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in given:
            continue
        if field.attname in given:
            columns.append((field, None))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            columns.append((field, now))
        elif field.has_default() and callable(field.default):
            columns.append((field, field.default))  # a fresh value per row (list, dict)
        elif field.has_default() or field.null or field.empty_strings_allowed:
            # The ORM's default for the field, the same object for every row, as the ORM
            # gives it (None, "" or the declared constant).
            columns.append((field, _Same(field.get_default())))
        else:
            raise ValueError(f"{model._meta.label}.{field.attname} has no value and no default.")
    return columns


class _Same:
    """A value every row of an insert gets, computed once (not a call per row)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def insert_rows(
    model, rows: list[dict], *, returning: bool = True, ignore_conflicts: bool = False
) -> list[int]:
    """Insert `rows` (dicts of attname -> value; every dict the same keys) into `model`'s
    table. Fields not given take their default (an error if a NOT NULL field has none),
    `auto_now`/`auto_now_add` fields the current time; the dicts are completed in place
    with the values written. Returns the new primary keys in the order of `rows` (an
    empty list with `returning=False`). With `ignore_conflicts` a row that would break a
    unique constraint is skipped (ON CONFLICT DO NOTHING) and only the ids of the rows
    written are returned, in no particular order."""
    if not rows:
        return []
    # The connection itself, not django.db.connection (a proxy that looks it up again on
    # every attribute read: measurable over half a million values).
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    columns = _fillers(model, set(rows[0]))
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field, _ in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returning_sql = f" RETURNING {connection.ops.quote_name(meta.pk.column)}" if returning else ""
    if ignore_conflicts:
        returning_sql = " ON CONFLICT DO NOTHING" + returning_sql
    plan = [(field.attname, filler, _memo(_to_db(field, connection))) for field, filler in columns]
    # PostgreSQL: one array per column through UNNEST, as Django's own bulk_create does
    # there, but bound on the server in binary (see _server_binding_cursor); SQLite:
    # multi-row VALUES.
    unnest = connection.vendor == "postgresql"
    if unnest:
        per_statement = 5_000
        # No length in the array types (varchar[], not varchar(20)[]), as Django does.
        types = [field.db_type(connection).split("(")[0] for field, _ in columns]
        values_sql = "SELECT * FROM UNNEST(" + ", ".join(f"%b::{t}[]" for t in types) + ")"
    else:
        per_statement = _rows_per_statement(connection, len(columns))
    ids = []
    with _server_binding_cursor(connection) if unnest else connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                for name, filler, to_db in plan:
                    if filler is None:
                        value = row[name]
                    elif filler.__class__ is _Same:
                        value = row[name] = filler.value
                    else:
                        value = row[name] = filler()
                    if to_db is None or value is None:
                        params.append(value)
                    else:
                        params.append(to_db(value))
            if unnest:
                width = len(plan)
                params = [params[column::width] for column in range(width)]
                sql = f"INSERT INTO {table} ({names}) {values_sql}{returning_sql}"
            else:
                sql = (
                    f"INSERT INTO {table} ({names}) VALUES "
                    + ", ".join([one] * len(chunk))
                    + returning_sql
                )
            cursor.execute(sql, params)
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _server_binding_cursor(connection):
    """A cursor of `connection` (PostgreSQL) that sends parameters apart from the SQL, in
    binary where the statement says %b; wrapped as Django wraps its own (query logging,
    execute wrappers, IntegrityError and the like as django.db exceptions).

    Django's cursors bind on the client: every array becomes a quoted literal, built in
    Python value by value (~3 s of the invoice run's CPU for 4.5 million values, and the
    server then parses the text back); binary arrays cost psycopg's C dumpers a quarter
    of that, and the server nothing to parse."""
    connection.ensure_connection()
    cursor = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def insert_with_history(model, rows: list[dict], *, by=None, reason: str = "") -> list[int]:
    """`insert_rows`, then one django-simple-history "+" (created) record per row, with
    the user `by` and the change reason; returns the new ids."""
    ids = insert_rows(model, rows)
    if not ids:
        return ids
    history_model = model.history.model
    history_date = timezone.now()
    pk_name = model._meta.pk.attname
    tracked = [
        field.attname
        for field in history_model._meta.concrete_fields
        if field.attname != pk_name and not field.attname.startswith("history_")
    ]
    user_id = getattr(by, "pk", None)
    history_rows = []
    for pk, row in zip(ids, rows, strict=True):
        record = {name: row[name] for name in tracked}
        record[pk_name] = pk
        record["history_date"] = history_date
        record["history_type"] = "+"
        record["history_change_reason"] = reason
        record["history_user_id"] = user_id
        history_rows.append(record)
    insert_rows(history_model, history_rows, returning=False)
    return ids


# Below this many pages a table's planner statistics count as "nearly empty" (see below).
_SMALL_TABLE_PAGES = 16


def refresh_outgrown_statistics() -> list[str]:
    """PostgreSQL: ANALYZE each table of the current schema that was nearly empty when its
    statistics were taken and has since at least doubled (issue 19: the invoice run).

    PostgreSQL plans each foreign-key check once per connection, the first time it runs,
    and keeps the plan. Planned while the referenced table is a few pages (a first season:
    no renewals or invoices yet), the check reads the table sequentially, and goes on
    doing so as the table grows to 50,000 rows: every invoice line's check then read the
    whole invoice table, 15-20 s of a 36 s run. An ANALYZE replaces such plans in every
    connection. Only small tables qualify, so a run analyzes each a few times while it is
    small and never again (autovacuum keeps larger ones current). Outside a transaction
    only (ANALYZE holds its lock to the end of one); returns the tables analyzed."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT format('%%I', c.relname)
            FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace
              AND c.relkind = 'r'
              AND c.relpages < %s
              AND pg_relation_size(c.oid)
                  >= 2 * GREATEST(c.relpages, 1) * current_setting('block_size')::int
            """,
            [_SMALL_TABLE_PAGES],
        )
        tables = [name for (name,) in cursor.fetchall()]
        if tables:
            cursor.execute("ANALYZE " + ", ".join(tables))
    return tables


@contextlib.contextmanager
def garbage_collection_paused():
    """No automatic garbage collection inside the block (one batch of a bulk job).

    A batch holds thousands of rows, model instances and parameter lists at once: each
    young-generation collection walks them, promotes them, and their number soon sets
    off full collections that walk the whole process (2.4 of the invoice run's 11 s of
    CPU). The batch's own objects are freed by reference counting when it ends; anything
    cyclic it left waits for the next collection after the block, as it would anyway."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
