"""Querysets compiled to SQL once per process, run with each request's values (issue 19).

Building a queryset with joins (select_related) into SQL costs the ORM more CPU than
SQLite takes to run it: a holder page's one-row read of its renewal spent 13-18 % of the
page compiling. A CompiledQuery builds its queryset once per database, from marker
values standing for the parameters, and keeps the SQL and what the ORM needs to turn rows
into model instances; each call only substitutes the values, runs the SQL and builds the
instances as the ORM does (select_related objects included), so the results are the
queryset's. credentials/backends.py does the same for the signed-in user.

Markers are ints, plain strings and dates, which reach the parameters as the ORM puts
the values there: a date as the database's adapter writes it (SQLite: text), an int of a
small-integer field in psycopg's Int2 on PostgreSQL; not values a lookup rewrites
(`__contains`...). Compiling checks that each marker appears exactly once among the
SQL's parameters.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators


def _adapted(value, connection):
    """`value` as the ORM puts it among a query's parameters."""
    if type(value) is dt.date:
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass(frozen=True)
class _Compiled:
    query: object  # the sql.Query compiled; only read from then on
    sql: str
    params: tuple
    positions: tuple  # where each marker's value goes in params
    wrappers: tuple  # the int subclass the ORM wrapped each marker in (psycopg's Int2), or None
    select: list
    klass_info: dict
    annotation_col_map: dict
    init_list: list  # the model's attribute names, in the order of its columns
    model_columns: slice
    populators: list  # select_related: the related objects to build from each row


class CompiledQuery:
    """`build(*markers)` -> a queryset of model instances; `CompiledQuery(build, *markers)
    .all(*values)` is `list(build(*values))`, compiled once per process and database."""

    def __init__(self, build, *markers):
        if len(set(markers)) != len(markers):
            raise ImproperlyConfigured("Each marker of a compiled query must be distinct.")
        self._build = build
        self._markers = markers
        self._compiled = {}  # (database alias, vendor) -> _Compiled

    def _compile(self, alias) -> _Compiled:
        queryset = self._build(*self._markers).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions, wrappers = [], []
        for marker in self._markers:
            adapted = _adapted(marker, compiler.connection)
            found = [i for i, param in enumerate(params) if param == adapted]
            wrapper = type(params[found[0]]) if len(found) == 1 else None
            if wrapper is type(adapted):
                wrapper = None
            elif wrapper is not None and not (type(adapted) is int and issubclass(wrapper, int)):
                found = []
            if len(found) != 1:
                raise ImproperlyConfigured(
                    f"Marker {marker!r} must reach the SQL's parameters once, unchanged."
                )
            positions.append(found[0])
            wrappers.append(wrapper)
        if compiler.has_extra_select or queryset._prefetch_related_lookups:
            raise ImproperlyConfigured("A compiled query has no extra select or prefetch.")
        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        model_columns = slice(fields[0], fields[-1] + 1)
        return _Compiled(
            query=queryset.query,
            sql=sql,
            params=tuple(params),
            positions=tuple(positions),
            wrappers=tuple(wrappers),
            select=compiler.select,
            klass_info=klass_info,
            annotation_col_map=compiler.annotation_col_map,
            init_list=[column[0].target.attname for column in compiler.select[model_columns]],
            model_columns=model_columns,
            populators=get_related_populators(klass_info, compiler.select, alias),
        )

    def all(self, *values, using=DEFAULT_DB_ALIAS) -> list:
        """The model instances the queryset built from `values` holds."""
        key = (using, connections[using].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        params = list(compiled.params)
        connection = connections[using]
        for position, wrapper, marker, value in zip(
            compiled.positions, compiled.wrappers, self._markers, values, strict=True
        ):
            if type(value) is not type(marker):
                raise TypeError(f"{value!r} cannot stand where {marker!r} stood.")
            value = _adapted(value, connection)
            params[position] = value if wrapper is None else wrapper(value)
        # A compiler of this thread's connection, given what compiling found instead of
        # compiling again: it converts the database's values as the ORM does.
        compiler = compiled.query.get_compiler(using=using)
        compiler.select = compiled.select
        compiler.klass_info = compiled.klass_info
        compiler.annotation_col_map = compiled.annotation_col_map
        compiler.col_count = len(compiled.select)
        with compiler.connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        model = compiled.klass_info["model"]
        instances = []
        for row in compiler.results_iter([rows]):
            instance = model.from_db(using, compiled.init_list, row[compiled.model_columns])
            for populator in compiled.populators:
                populator.populate(row, instance)
            for name, column in compiled.annotation_col_map.items():
                setattr(instance, name, row[column])
            instances.append(instance)
        return instances

    def first(self, *values, using=DEFAULT_DB_ALIAS):
        """The first instance, or None (build the queryset with its order and [:1])."""
        instances = self.all(*values, using=using)
        return instances[0] if instances else None
