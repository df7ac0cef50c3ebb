"""Plain-row writes for the few hot paths where the ORM's per-object work is most of the time.

``bulk_create`` and ``bulk_update`` build a model instance per row, run every field's
``pre_save`` and, on PostgreSQL, send each column as an array that psycopg escapes element
by element; at thousands of rows a minute (the SLA sweep's backlog) that costs more than
the database does. These functions take column values by field name, prepare each value
once with its field's own ``get_db_prep_save`` (so SQLite and PostgreSQL get what the ORM
would send them) and run one parametrized statement per batch. No ``auto_now``: give
``created_at`` and ``updated_at`` yourself. Only our own quoted table and column names go
into the SQL text; every value is a parameter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    AutoField,
    BigAutoField,
    BooleanField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    SmallAutoField,
)

Prepare = Callable[[Any], Any]
# psycopg caches the parsing of a statement with at most 50 parameters.
PIPELINE_ABOVE = 50
# Values that both drivers take as they are: no preparation needed (a call per value
# through the field's methods costs more than the database's work on the row).
_PLAIN = (IntegerField, BooleanField, AutoField, BigAutoField, SmallAutoField)


def _fields(
    db: BaseDatabaseWrapper, model: type[Model], names: Sequence[str]
) -> tuple[list[Prepare], list[str]]:
    """How to prepare each value of ``names`` (each a field's name or ``attname``) and the
    quoted column names; concrete fields only."""
    prepares: list[Prepare] = []
    columns: list[str] = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, Field) or field.column is None:
            raise ValueError(f"{model.__name__}.{name} is not a column")
        target = field.target_field if isinstance(field, ForeignKey) else field
        if isinstance(target, _PLAIN):
            prepares.append(_plain)
        else:
            prepares.append(functools.partial(field.get_db_prep_save, connection=db))
        columns.append(db.ops.quote_name(field.column))
    return prepares, columns


def _plain(value: Any) -> Any:
    return value


def _pk_column(model: type[Model]) -> str:
    pk = model._meta.pk
    if pk is None or pk.column is None:
        raise ValueError(f"{model.__name__} has no primary key column")
    return pk.column


def rows_insert(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (each a mapping of the same field names to values); with
    ``returning``, the new primary keys in the order of ``rows``.

    A few rows go in one multi-row VALUES statement. More, on PostgreSQL: one single-row
    statement run for every row in a pipeline (psycopg's ``executemany``; a long VALUES
    list is past psycopg's statement cache and is re-parsed on every call, and a pipeline
    costs more than it saves for a row or two). On SQLite: VALUES lists of as many rows
    as its parameter limit allows (its parser is in C and cheap).
    """
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    names = list(rows[0])
    prepares, columns = _fields(db, model, names)
    quote = db.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(_pk_column(model))}" if returning else ""
    prepared = [
        [prepare(row[name]) for name, prepare in zip(names, prepares, strict=True)] for row in rows
    ]
    keys: list[int] = []
    with db.cursor() as cursor:
        if db.vendor == "postgresql" and len(rows) * len(columns) > PIPELINE_ABOVE:
            raw = cursor.cursor  # psycopg's own: Django's executemany cannot return rows
            raw.executemany(head + one + tail, prepared, returning=returning)
            if returning:
                keys = [result.fetchone()[0] for result in raw.results()]
            return keys
        size = max(1, (db.features.max_query_params or 999) // len(columns))
        for start in range(0, len(prepared), size):
            batch = prepared[start : start + size]
            cursor.execute(
                head + ", ".join([one] * len(batch)) + tail,
                [value for row in batch for value in row],
            )
            if returning:
                keys.extend(row[0] for row in cursor.fetchall())
    return keys


def rows_update(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``UPDATE … SET name = value, … WHERE pk = …`` for each row of ``(*values, pk)``: one
    statement run for every row (``executemany``; psycopg pipelines them)."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    prepares, columns = _fields(db, model, names)
    quote = db.ops.quote_name
    assignments = ", ".join(f"{column} = %s" for column in columns)
    pk = quote(_pk_column(model))
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    params = [
        [*(prepare(value) for prepare, value in zip(prepares, row[:-1], strict=True)), row[-1]]
        for row in rows
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)


@contextmanager
def one_round_trip() -> Iterator[None]:
    """On PostgreSQL, send the statements run inside as one pipeline: a single round trip
    for writes whose results nobody reads before the block ends (an error is raised, as
    Django's own, when it ends). Elsewhere (SQLite is in-process) it changes nothing."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        yield
        return
    db.ensure_connection()
    with db.wrap_database_errors, db.connection.pipeline():
        yield
