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
    attnames `given` writes: None for the row's own value, else a callable."""
    now = timezone.now()
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in given:
            continue
        if field.attname in given:
            columns.append((field, None))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            columns.append((field, lambda now=now: now))
        elif field.has_default() or field.null or field.empty_strings_allowed:
            columns.append((field, field.get_default))
        else:
            raise ValueError(f"{model._meta.label}.{field.attname} has no value and no default.")
    return columns


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
    # there (a statement of thousands of placeholders costs psycopg more to parse than
    # the rows cost to send); SQLite: multi-row VALUES.
    unnest = connection.vendor == "postgresql"
    if unnest:
        per_statement = 5_000
        # No length in the array types (varchar[], not varchar(20)[]), as Django does.
        types = [field.db_type(connection).split("(")[0] for field, _ in columns]
        values_sql = "SELECT * FROM UNNEST(" + ", ".join(f"%s::{t}[]" for t in types) + ")"
    else:
        per_statement = _rows_per_statement(connection, len(columns))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                for name, filler, to_db in plan:
                    if filler is None:
                        value = row[name]
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
