"""Inserting many rows fast: COPY on PostgreSQL, ``executemany`` elsewhere.

Django's ``bulk_create`` costs seconds at 50,000 rows: it builds a model instance per row, and
on PostgreSQL sends every column as an array literal whose JSON quotes must all be escaped.
COPY sends rows as they are; elsewhere one prepared INSERT runs over batches of plain tuples.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models import JSONField

BATCH = 2000
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def insert_all(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows`` (column values by attribute name; the database assigns the keys)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        _execute_many(model, fields, rows)
        return
    names = [f.attname for f in fields]
    json_names = {f.attname for f in fields if isinstance(f, JSONField)}
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [
                    _JSON.encode(row[n]) if n in json_names and row[n] is not None else row[n]
                    for n in names
                ]
            )


def _execute_many(
    model: type[models.Model], fields: list[models.Field[Any, Any]], rows: Iterable[dict[str, Any]]
) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
    prepare = [(f.attname, f.get_db_prep_save) for f in fields]
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(to_db(row[name], connection) for name, to_db in prepare))
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
