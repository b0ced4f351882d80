"""Plain ``SELECT``s for the few hot paths where building the query costs more than running it.

On the benchmark machine the ORM spends 0.3–0.5 ms turning a queryset into SQL, against
0.02–0.15 ms to run an indexed look-up (docs/performance.md, "Sales office: registering a
visit"). Registering a visit reads a dozen such rows, so those reads go through
``Manager.raw()``: same model instances, same converters, no query building. Everything else
keeps the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


def _connection(model: type[models.Model]) -> Any:
    return connections[router.db_for_read(model)]


def table(model: type[models.Model]) -> str:
    """The model's table, quoted for the database in use."""
    return str(_connection(model).ops.quote_name(model._meta.db_table))


def db_value(model: type[models.Model], value: Any) -> Any:
    """``value`` as a raw parameter: aware datetimes the way the ORM stores them (on SQLite,
    naive UTC text — the default adapter would add an offset and break comparisons)."""
    if isinstance(value, dt.datetime):
        return _connection(model).ops.adapt_datetimefield_value(value)
    return value


def in_list(values: Iterable[Any]) -> tuple[str, list[Any]]:
    """``(%s, %s, …)`` and its parameters, for ``column IN …`` (never empty: ``(NULL)``)."""
    items = list(values)
    if not items:
        return "(NULL)", []
    return "(" + ", ".join(["%s"] * len(items)) + ")", items


def select(
    model: type[M], where: str, params: Sequence[Any], *, order_by: str = "", limit: int = 0
) -> list[M]:
    """``SELECT * FROM <model> WHERE <where> [ORDER BY …] [LIMIT …]`` as model instances.
    ``where`` uses column names and ``%s`` placeholders; pass datetimes through ``db_value``."""
    sql = f"SELECT * FROM {table(model)} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return list(model._default_manager.raw(sql, [db_value(model, p) for p in params]))


def scalars(model: type[models.Model], sql: str, params: Sequence[Any]) -> list[Any]:
    """The first column of every row of ``sql`` (a plain cursor; no instances)."""
    with _connection(model).cursor() as cursor:
        cursor.execute(sql, [db_value(model, p) for p in params])
        return [row[0] for row in cursor.fetchall()]


def insert_many(model: type[M], rows: Sequence[M], *, batch: int = 500) -> None:
    """Insert ``rows`` (unsaved instances) with one multi-row ``INSERT`` per ``batch``, without
    ``bulk_create``'s per-object work (it was a third of a 562-row sweep; docs/performance.md,
    "Complaints: the sweep"). Every concrete field but the auto primary key is written, from the
    instance's attribute through the field's own ``get_db_prep_save``; ids are not read back."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[Any] = []
            for row in chunk:
                # the instance's defaults were applied when it was built
                params += [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
            cursor.execute(
                f"INSERT INTO {table(model)} ({columns}) VALUES {', '.join([one] * len(chunk))}",
                params,
            )
