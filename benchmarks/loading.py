"""Bulk loading: ``executemany`` on SQLite, ``COPY`` on PostgreSQL (5–7× faster than
``bulk_create``, see the performance notes). Rows are dicts by field ``attname``; missing
fields take the model's default, and values are prepared for the database by the model's own
fields (datetimes, JSON), so what is loaded reads back as if Django had written it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from time import perf_counter
from typing import Any

from django.db import connection, models


def _preparers(
    fields: list[models.Field[Any, Any]],
) -> list[Callable[[Any], Any] | None]:
    preparers: list[Callable[[Any], Any] | None] = []
    for f in fields:
        if f.get_internal_type() in {"DateTimeField", "JSONField", "DateField"}:

            def prepare(value: Any, f: models.Field[Any, Any] = f) -> Any:
                return f.get_db_prep_save(value, connection)

            preparers.append(prepare)
        else:
            preparers.append(None)
    return preparers


def bulk_insert(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, with_ids: bool = False
) -> tuple[int, float]:
    """Insert ``rows`` into ``model``'s table in one transaction; returns (rows, seconds)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if with_ids or not (isinstance(f, models.AutoField | models.BigAutoField))
    ]
    columns = [f.column for f in fields]
    defaults = [None if f.null and not f.has_default() else f.get_default() for f in fields]
    attnames = [f.attname for f in fields]
    preparers = _preparers(fields)

    def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for attname, default, prepare in zip(attnames, defaults, preparers, strict=True):
            value = row.get(attname, default)
            out.append(prepare(value) if prepare is not None and value is not None else value)
        return tuple(out)

    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    started = perf_counter()
    count = 0
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    if connection.vendor == "postgresql":
        with raw.transaction(), raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
                    count += 1
            if with_ids:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    else:
        placeholders = ", ".join("?" for _ in columns)
        prepared = [values(row) for row in rows]
        count = len(prepared)
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", prepared)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
        cursor.close()
    return count, perf_counter() - started


def analyze() -> None:
    """Give the planner statistics, as a database in service has them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM also sets the visibility map, so index-only scans work as in service.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
