"""Plain ``SELECT``s for the few hot paths where building the query costs more than running it.

On the benchmark machine the ORM spends 0.3–0.5 ms turning a queryset into SQL, against
0.02–0.15 ms to run an indexed look-up (docs/performance.md, "Sales office: registering a
visit"). Registering a visit reads and writes a dozen or so rows, so those statements are
written here by hand: ``select`` gives the same model instances as the ORM (the compiler's own
converters, ``Model.from_db``; faster than ``Manager.raw()``, which still cost ≈ 0.1 ms a
query), ``insert`` / ``update`` write the fields as ``save()`` would, ``rows`` / ``scalars``
give plain tuples. No ``save()`` override or signal runs: the caller does what the model's
``save()`` would (``Customer``: ``derive_keys()``), and models with signals keep the ORM, as
does everything off the hot paths.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import orjson
from django.conf import settings
from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


def _connection(model: type[models.Model]) -> Any:
    return connections[router.db_for_read(model)]


# A quoted table name per (database alias, model): building it looked the connection up and
# quoted the name on every statement (≈ 4 µs; a registration builds dozens).
_TABLES: dict[tuple[str, type[models.Model]], str] = {}


def table(model: type[models.Model]) -> str:
    """The model's table, quoted for the database in use."""
    alias = router.db_for_read(model)
    quoted = _TABLES.get((alias, model))
    if quoted is None:
        quoted = _TABLES[(alias, model)] = str(
            connections[alias].ops.quote_name(model._meta.db_table)
        )
    return quoted


def per_connection(connection: Any, key: Hashable, make: Callable[[], T]) -> T:
    """What ``make`` builds for ``connection``, built once and kept on the connection object
    itself (each thread has its own), so it goes when the connection goes: a module-level
    ``WeakKeyDictionary`` kept every thread's connection alive, as what it held (converters,
    cursors) refers back to the connection."""
    kept: dict[Hashable, Any] = connection.__dict__.setdefault("_kehu_rawsql", {})
    if key not in kept:
        kept[key] = make()
    return cast(T, kept[key])


def cursor(connection: Any) -> Any:
    """A cursor for one statement on ``connection`` (Django's wrapper: execute wrappers, error
    translation, the broken-transaction check all apply). It is kept and handed out again while
    its database connection lives: making one cost ≈ 9 µs on the benchmark machine (three
    async-safety checks), a fifth of a simple statement, and a registration runs about twenty.
    While queries are being logged (``DEBUG``, ``CaptureQueriesContext``) every call gets a
    new cursor, so each statement is logged as Django logs it. Nothing here is closed by the
    caller: a kept cursor lives with its connection. Read every row a statement returns
    (``fetchall``): on SQLite a statement left part-read keeps its read snapshot after the
    commit, and the WAL cannot be checkpointed past it until the cursor runs its next one."""
    raw = connection.connection
    if raw is None or connection.queries_logged:
        return connection.cursor()
    kept: list[Any] = per_connection(connection, "cursor", lambda: [None, None])
    if kept[0] is not raw:
        kept[1] = connection.cursor()
        kept[0] = connection.connection
    return kept[1]


def column(model: type[models.Model], name: str) -> str:
    """The field's column, quoted for the database in use (``on`` is a keyword in SQL)."""
    return str(_connection(model).ops.quote_name(_column_field(model, name).column))


def _parameter(connection: Any, value: Any) -> Any:
    """``value`` as a raw parameter: aware datetimes and dates the way the ORM stores them (on
    SQLite, naive UTC text — the default adapter would add an offset and break comparisons)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _parameters(connection: Any, values: Iterable[Any]) -> list[Any]:
    """``_parameter`` of each value; a UTC datetime on SQLite written straight as the text the
    backend's adapter gives (its ``make_naive`` and checks were ≈ 2 % of a registration)."""
    utc_text = per_connection(connection, "utc_text", lambda: _stores_utc_text(connection))
    return [
        value
        if type(value) in _PLAIN_PARAMETERS  # an IN list of a common name's hundreds of ids
        else str(value.replace(tzinfo=None))
        if utc_text and type(value) is dt.datetime and value.tzinfo is dt.UTC
        else _parameter(connection, value)
        for value in values
    ]


_PLAIN_PARAMETERS = frozenset({int, str, bool, type(None)})


def in_list(values: Iterable[Any]) -> tuple[str, list[Any]]:
    """``(%s, %s, …)`` and its parameters, for ``column IN …`` (never empty: ``(NULL)``)."""
    items = list(values)
    if not items:
        return "(NULL)", []
    return "(" + ", ".join(["%s"] * len(items)) + ")", items


def one_of(model: type[models.Model], column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
    """``column IN (%s, …)`` and its parameters, for a statement on ``model``'s database — or,
    on PostgreSQL, ``column = ANY(%s)`` with the values as one array parameter. psycopg's client
    cursor remembers how to split a statement at its placeholders only for statements of at most
    50 parameters and 4 KB, and splits every other one in Python each time it runs: a common
    name's 871 namesake ids made the read 8 ms, one array 4.5 ms. Never empty (``IN (NULL)`` /
    an empty array: no row)."""
    items = list(values)
    if _connection(model).vendor == "postgresql":
        return f"{column} = ANY(%s)", [items]
    ids_sql, params = in_list(items)
    return f"{column} IN {ids_sql}", params


def select(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    order_by: str = "",
    limit: int = 0,
    lock: bool = False,
) -> list[M]:
    """``SELECT * FROM <model> WHERE <where> [ORDER BY …] [LIMIT …] [FOR UPDATE]`` as model
    instances. ``where`` uses column names and ``%s`` placeholders; datetimes are passed as
    the ORM stores them. ``lock``: ``FOR UPDATE`` where the database has it (SQLite locks the
    whole database for the writing transaction anyway)."""
    connection = _connection(model)
    reader = _reader(model, connection)
    sql = f"SELECT {reader.columns} FROM {table(model)} WHERE {where}"
    found = _fetch(connection, sql, params, order_by=order_by, limit=limit, lock=lock)
    return [reader.instance(connection, row) for row in found]


def select_first_of_each(
    model: type[M],
    wheres: Sequence[tuple[str, Sequence[Any]]],
    *,
    order_by: str,
) -> list[M | None]:
    """For each ``(where, params)``, the first row of ``model`` in ``order_by`` order (``None``
    when there is none), all in one statement (``UNION ALL`` of one ``LIMIT 1`` read each):
    one round trip where a caller needs several look-ups of the same shape at once."""
    if not wheres:
        return []
    connection = _connection(model)
    reader = _reader(model, connection)
    parts: list[str] = []
    params: list[Any] = []
    for i, (where, part_params) in enumerate(wheres):
        parts.append(
            f"SELECT {i} AS part, first_{i}.* FROM (SELECT {reader.columns} FROM {table(model)}"
            f" WHERE {where} ORDER BY {order_by} LIMIT 1) AS first_{i}"
        )
        params += part_params
    statement = cursor(connection)
    statement.execute(" UNION ALL ".join(parts), _parameters(connection, params))
    found = statement.fetchall()
    firsts: list[M | None] = [None] * len(wheres)
    for row in found:
        firsts[row[0]] = reader.instance(connection, row[1:])
    return firsts


def _fetch(
    connection: Any,
    sql: str,
    params: Sequence[Any],
    *,
    order_by: str,
    limit: int,
    lock: bool,
    lock_of: str = "",
) -> list[Any]:
    """Run ``sql`` with its ``ORDER BY``, ``LIMIT`` and ``FOR UPDATE [OF lock_of]`` (where the
    database has them; SQLite locks the whole database for a writing transaction anyway)."""
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    if lock and connection.features.has_select_for_update:
        of = lock_of and connection.features.has_select_for_update_of
        sql += f" FOR UPDATE OF {lock_of}" if of else " FOR UPDATE"
    statement = cursor(connection)
    statement.execute(sql, _parameters(connection, params))
    return list(statement.fetchall())


def select_with(
    model: type[M],
    related: Sequence[str],
    where: str,
    params: Sequence[Any],
    *,
    order_by: str = "",
    limit: int = 0,
    lock: bool = False,
) -> list[M]:
    """``select`` with the named foreign keys' rows read in the same statement (``LEFT JOIN``),
    as ``select_related(*related)`` gives them: the instances come with those relations
    cached (``None`` where the key is null). In ``where`` and ``order_by`` the model's table is
    ``m`` (``m.user_id = %s``). ``lock``: the model's rows only (``FOR UPDATE OF m``), as
    ``select_for_update(of=("self",))``."""
    connection = _connection(model)
    plan = per_connection(
        connection, ("join", model, tuple(related)), lambda: _join_plan(model, related, connection)
    )
    main, targets = plan.main, plan.targets
    sql = f"{plan.select_from} WHERE {where}"
    found = _fetch(connection, sql, params, order_by=order_by, limit=limit, lock=lock, lock_of="m")
    instances = []
    for row in found:
        start = len(main.attnames)
        instance = main.instance(connection, row[:start])
        for field, reader, pk_at in targets:
            part = row[start : start + len(reader.attnames)]
            start += len(reader.attnames)
            present = part[pk_at] is not None
            field.set_cached_value(instance, reader.instance(connection, part) if present else None)
        instances.append(instance)
    return instances


@dataclass(frozen=True)
class _JoinPlan:
    """``select_with``'s statement up to its ``WHERE`` and how to read its rows, built once per
    model, relations and connection: quoting some sixty column names was about a fifth of
    reading a visit with its site and receiver (py-spy, registering a visit)."""

    select_from: str
    main: _Reader
    # per relation: its field, its reader, and where its primary key sits in its columns
    targets: tuple[tuple[models.ForeignKey[Any, Any], _Reader, int], ...]


def _join_plan(model: type[models.Model], related: Sequence[str], connection: Any) -> _JoinPlan:
    quote = connection.ops.quote_name
    main = _reader(model, connection)
    columns = [main.qualified("m", quote)]
    joins = []
    targets = []
    for i, name in enumerate(related):
        field = model._meta.get_field(name)
        if not isinstance(field, models.ForeignKey):
            raise ValueError(f"{model.__name__}.{name} is not a foreign key")
        target = field.related_model
        assert isinstance(target, type)
        alias = f"r{i}"
        reader = _reader(target, connection)
        columns.append(reader.qualified(alias, quote))
        joins.append(
            f"LEFT JOIN {table(target)} AS {alias} ON "
            f"{alias}.{quote(field.target_field.column)} = m.{quote(field.column)}"
        )
        targets.append((field, reader, reader.attnames.index(target._meta.pk.attname)))
    return _JoinPlan(
        select_from=f"SELECT {', '.join(columns)} FROM {table(model)} AS m {' '.join(joins)}",
        main=main,
        targets=tuple(targets),
    )


@dataclass(frozen=True)
class _Reader:
    """How to turn one model's rows into instances: its columns in order and, per column, the
    converters the ORM's compiler would apply (SQLite's datetimes, ``JSONField``…)."""

    model: type[models.Model]
    attnames: tuple[str, ...]
    column_names: tuple[str, ...]
    columns: str
    converters: Converters  # (position, converters, column)

    def qualified(self, alias: str, quote: Any) -> str:
        """The columns as ``alias."column"``, for a statement that joins tables."""
        return ", ".join(f"{alias}.{quote(name)}" for name in self.column_names)

    def instance(self, connection: Any, row: Sequence[Any]) -> Any:
        values = list(row)
        for i, converters, column in self.converters:
            for convert in converters:
                values[i] = convert(values[i], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


Converters = tuple[tuple[int, tuple[Any, ...], Any], ...]


def converters(fields: Sequence[Any], table: str, offset: int, connection: Any) -> Converters:
    """What the ORM's compiler applies to these columns when it reads them (the backend's
    converters, then the field's: SQLite's datetimes, ``JSONField``…), as (position in the row,
    converters, column); ``offset``: where the first field's column sits in the row."""
    found = []
    for i, field in enumerate(fields):
        column = field.get_col(table)
        convs = tuple(
            connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        )
        if convs:
            found.append((offset + i, convs, column))
    return tuple(found)


def _reader(model: type[models.Model], connection: Any) -> _Reader:
    # the converters are bound to the connection's operations: one reader per connection
    def make() -> _Reader:
        fields = model._meta.concrete_fields
        return _Reader(
            model=model,
            attnames=tuple(f.attname for f in fields),
            column_names=tuple(f.column for f in fields),
            columns=", ".join(connection.ops.quote_name(f.column) for f in fields),
            converters=converters(fields, model._meta.db_table, 0, connection),
        )

    return per_connection(connection, ("reader", model), make)


def scalars(model: type[models.Model], sql: str, params: Sequence[Any]) -> list[Any]:
    """The first column of every row of ``sql`` (a plain cursor; no instances)."""
    return [row[0] for row in rows(model, sql, params)]


def rows(model: type[models.Model], sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of ``sql`` as plain tuples (a cursor; no instances). Datetimes an aggregate
    returns come back as the driver gives them: pass them through ``datetime_value``."""
    connection = _connection(model)
    statement = cursor(connection)
    statement.execute(sql, _parameters(connection, params))
    return [tuple(row) for row in statement.fetchall()]


def datetime_value(value: dt.datetime | str) -> dt.datetime:
    """A stored datetime read without the ORM's converters, aware: PostgreSQL gives it aware;
    SQLite gives the text the ORM wrote (naive UTC, ``USE_TZ``)."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _write_connection(model: type[models.Model]) -> Any:
    return connections[router.db_for_write(model)]


@dataclass(frozen=True)
class _InsertPlan:
    """One model's ``INSERT`` on one database: the fields written (every concrete field but the
    auto primary key), how each value is prepared, and the statement's texts, built once
    (quoting each column on every insert was a tenth of the insert's Python)."""

    fields: tuple[Any, ...]
    prepare: tuple[Prepare, ...]  # per field: (instance, connection) -> the parameter
    columns: str  # ("a", "b", …)
    sql: str  # INSERT INTO … VALUES (…)
    returning: str  # … RETURNING <pk>, or the plain insert when there is no auto key
    inserted: str  # after a data-modifying WITH: SELECT <pk> FROM inserted
    pk_column: str  # quoted; "" without an auto primary key
    pk_column_name: str

    def values(self, instance: models.Model, connection: Any) -> list[Any]:
        return [prepare(instance, connection) for prepare in self.prepare]

    def values_with_json(
        self, instance: models.Model, connection: Any, json_texts: Mapping[str, str]
    ) -> list[Any]:
        """``values``, with the JSON fields named in ``json_texts`` written as that text."""
        return [
            _json_text_parameter(connection, json_texts[field.attname])
            if field.attname in json_texts
            else prepare(instance, connection)
            for field, prepare in zip(self.fields, self.prepare, strict=True)
        ]


_INSERT_PLANS: dict[tuple[str, type[models.Model]], _InsertPlan] = {}


def _insert_plan(connection: Any, model: type[models.Model]) -> _InsertPlan:
    plan = _INSERT_PLANS.get((connection.alias, model))
    if plan is None:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = tuple(f for f in meta.concrete_fields if f is not meta.auto_field)
        columns = ", ".join(quote(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table(model)} ({columns}) VALUES ({placeholders})"
        pk_column = quote(meta.auto_field.column) if meta.auto_field else ""
        plan = _INSERT_PLANS[(connection.alias, model)] = _InsertPlan(
            fields=fields,
            prepare=tuple(preparer(f, connection) for f in fields),
            columns=f"({columns})",
            sql=sql,
            returning=f"{sql} RETURNING {pk_column}" if pk_column else sql,
            inserted=f"SELECT {pk_column} FROM inserted" if pk_column else "SELECT 1",
            pk_column=pk_column,
            pk_column_name=meta.auto_field.column if meta.auto_field else "",
        )
    return plan


# --- preparing a field's value for writing ------------------------------------------------------
#
# Django prepares every value it writes through the field's ``pre_save`` and
# ``get_db_prep_save`` (three or four calls deep: ``get_prep_value``, ``to_python``, the
# backend's adapter). For the plain fields that make up most of a row — text, integers,
# booleans, integer foreign keys — that path returns a value of the right type unchanged, and
# going through it was ≈ 8 % of a registration's samples on SQLite (py-spy; a same-run A/B could
# not tell the difference from noise, docs/performance.md). ``preparer`` checks once
# per field and database whether the field is such a plain field; the value is then used as it
# is when its type is exactly one the path would return unchanged, and anything else (a
# subclass of ``str``, a lazy translation, an expression) still takes Django's path.

Prepare = Callable[[models.Model, Any], Any]


_NONE = type(None)
_TEXT_FIELDS = (models.CharField, models.TextField)
_INTEGER_FIELDS = (
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)
_AUTO_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _unchanged_types(field: Any, connection: Any) -> frozenset[type] | None:
    """The exact types of value that Django's preparation of ``field`` returns unchanged on
    ``connection`` (``None`` when that is not known for the field's class)."""
    kind = type(field)
    ops = type(connection.ops)
    integers_as_they_are = (
        ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
    )
    if kind in _TEXT_FIELDS:
        return frozenset({str, _NONE})
    if kind is models.BooleanField:
        return frozenset({bool, _NONE})
    if kind in _INTEGER_FIELDS and integers_as_they_are:
        return frozenset({int, _NONE})
    if (
        kind is models.ForeignKey
        and type(field.target_field) in _AUTO_FIELDS
        and ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
    ):
        return frozenset({int, _NONE})
    return None


def _stores_utc_text(connection: Any) -> bool:
    """Whether ``connection`` stores datetimes as naive UTC text (SQLite with ``USE_TZ``):
    Django's adapter makes an aware UTC datetime naive and writes ``str()`` of it."""
    return connection.vendor == "sqlite" and bool(settings.USE_TZ) and connection.timezone == dt.UTC


def _utc_datetimes_as_text(field: Any, connection: Any) -> bool:
    """Whether ``field`` is a plain ``DateTimeField`` on such a connection."""
    return (
        type(field) is models.DateTimeField
        and not field.auto_now
        and not field.auto_now_add
        and _stores_utc_text(connection)
    )


def preparer(field: Any, connection: Any) -> Prepare:
    """How to prepare ``field``'s value of an unsaved instance for an ``INSERT`` on
    ``connection``: what ``field.get_db_prep_save(field.pre_save(instance, True), connection)``
    gives, by a shorter path where the field and the value allow it (see above)."""

    def django(instance: models.Model, connection: Any) -> Any:
        return field.get_db_prep_save(field.pre_save(instance, True), connection)

    attname = field.attname
    unchanged = _unchanged_types(field, connection)
    if unchanged is not None:

        def plain(instance: models.Model, connection: Any) -> Any:
            value = getattr(instance, attname)
            return value if type(value) in unchanged else django(instance, connection)

        return plain
    if _utc_datetimes_as_text(field, connection):

        def utc_text(instance: models.Model, connection: Any) -> Any:
            value = getattr(instance, attname)
            if type(value) is dt.datetime and value.tzinfo is dt.UTC:
                return str(value.replace(tzinfo=None))
            return django(instance, connection)

        return utc_text
    if type(field) is models.JSONField and field.encoder is None:

        def json_text(instance: models.Model, connection: Any) -> Any:
            value = getattr(instance, attname)
            text = _plain_json_text(value) if type(value) in _JSON_CONTAINERS else None
            if text is None:
                return django(instance, connection)
            return _json_text_parameter(connection, text)

        return json_text
    return django


# A JSON field's dict or list is written by orjson (a decision stores ≈ 2 KB of JSON in seven
# fields; the standard library took ≈ 4 % of a registration on SQLite, orjson a tenth of
# that). A datetime, a dataclass, a subclass of a built-in type other than an enum, a non-text
# key or an integer beyond 64 bits makes orjson refuse, and Django's path then gives its usual
# error or text (``{1: …}``'s key becomes ``"1"``). The text differs only in form: no spaces,
# Chinese unescaped, floats in their shortest form. Three values are written where the standard
# library raised or wrote no JSON: an enum (its value), a UUID (its text), and NaN or an
# infinity (null; the standard library writes a ``NaN`` token that PostgreSQL refuses).
_JSON_CONTAINERS = (dict, list)
_PLAIN_JSON = (
    orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _plain_json_text(value: dict[Any, Any] | list[Any]) -> str | None:
    """``value``'s JSON text, or ``None`` when it holds anything but plain JSON values."""
    try:
        return orjson.dumps(value, option=_PLAIN_JSON).decode("utf-8")
    except TypeError:
        return None


# --- JSON already written -------------------------------------------------------------------


class _JsonText:
    """JSON text already written, handed to the backend's JSON adapter as if it were a value."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _VerbatimEncoder(json.JSONEncoder):
    """Writes a ``_JsonText`` as its text: the backend's adapter (``json.dumps`` on SQLite,
    psycopg's ``Jsonb`` on PostgreSQL) then stores it as any JSON value it was given."""

    def encode(self, o: Any) -> str:
        return o.text if isinstance(o, _JsonText) else super().encode(o)


def _json_text_parameter(connection: Any, text: str) -> Any:
    return connection.ops.adapt_json_value(_JsonText(text), _VerbatimEncoder)


def insert(
    instance: M,
    *,
    then: tuple[str, Sequence[Any]] | None = None,
    json_texts: Mapping[str, str] | None = None,
) -> M:
    """``INSERT`` one unsaved ``instance`` and read back its id (``RETURNING`` where the database
    has it), as ``Model.objects.create`` would, without building the query: every concrete
    field but the auto primary key, through the field's ``pre_save`` (``auto_now`` and friends)
    and ``get_db_prep_save``. No ``save()`` override or signal runs (see the module's
    docstring).

    ``json_texts``: JSON fields (by name) whose JSON text the caller has written already — the
    ledger's canonical text of a payload — stored as that text instead of being written again.
    The text must be the JSON of the instance's value: nothing here checks it.

    ``then``: one more writing statement (SQL, parameters as ``execute`` takes them) that does
    not depend on the insert, run after it in the same transaction: on PostgreSQL in the same
    statement (a data-modifying ``WITH``, so one round trip instead of two; the ledger's append
    moves its stream's head this way), elsewhere as a statement of its own."""
    model = type(instance)
    connection = _write_connection(model)
    plan = _insert_plan(connection, model)
    values = (
        plan.values_with_json(instance, connection, json_texts)
        if json_texts
        else plan.values(instance, connection)
    )
    statement = cursor(connection)
    if then is not None and connection.vendor == "postgresql":
        then_sql, then_params = then
        then_values = _parameters(connection, then_params)
        statement.execute(
            f"WITH inserted AS ({plan.returning}), then_done AS ({then_sql}) {plan.inserted}",
            [*values, *then_values],
        )
        if plan.pk_column:
            instance.pk = statement.fetchall()[0][0]
        then = None
    elif not plan.pk_column:
        statement.execute(plan.sql, values)
    elif connection.features.can_return_columns_from_insert:
        statement.execute(plan.returning, values)
        instance.pk = statement.fetchall()[0][0]
    else:  # SQLite before 3.35
        statement.execute(plan.sql, values)
        instance.pk = connection.ops.last_insert_id(
            statement, model._meta.db_table, plan.pk_column_name
        )
    if then is not None:
        statement.execute(then[0], _parameters(connection, then[1]))
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def _column_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def update(instance: models.Model, fields: Sequence[str]) -> int:
    """``UPDATE`` the named ``fields`` of a saved ``instance`` from its attributes, as
    ``save(update_fields=…)`` would, without building the query; returns the rows changed."""
    model = type(instance)
    connection = _write_connection(model)
    meta = model._meta
    columns = [_column_field(model, name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    values = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in columns]
    pk_column = connection.ops.quote_name(meta.pk.column)
    statement = cursor(connection)
    statement.execute(
        f"UPDATE {table(model)} SET {assignments} WHERE {pk_column} = %s",
        [*values, meta.pk.get_db_prep_value(instance.pk, connection)],
    )
    return int(statement.rowcount)


def execute(model: type[models.Model], sql: str, params: Sequence[Any]) -> int:
    """Run one writing statement on ``model``'s database; returns the rows it changed."""
    connection = _write_connection(model)
    statement = cursor(connection)
    statement.execute(sql, _parameters(connection, params))
    return int(statement.rowcount)


def _insert_values(
    connection: Any,
    model: type[models.Model],
    rows: Sequence[models.Model],
    json_texts: Sequence[Mapping[str, str]] | None = None,
) -> tuple[str, list[Any]]:
    """``INSERT INTO <table> (<columns>) VALUES (…), (…)`` for ``rows`` and its parameters:
    every concrete field but the auto primary key, prepared as ``insert`` prepares them
    (``pre_save``: ``auto_now_add``; defaults were applied when the instance was built)."""
    plan = _insert_plan(connection, model)
    params: list[Any] = []
    for i, row in enumerate(rows):
        if json_texts is not None and json_texts[i]:
            params += plan.values_with_json(row, connection, json_texts[i])
        else:
            params += plan.values(row, connection)
    one = "(" + ", ".join(["%s"] * len(plan.fields)) + ")"
    sql = f"INSERT INTO {table(model)} {plan.columns} VALUES {', '.join([one] * len(rows))}"
    return sql, params


def insert_many(
    model: type[M],
    rows: Sequence[M],
    *,
    batch: int = 500,
    read_ids: bool = False,
    json_texts: Sequence[Mapping[str, str]] | None = None,
) -> None:
    """Insert ``rows`` (unsaved instances) with one multi-row ``INSERT`` per ``batch``, without
    ``bulk_create``'s per-object work (it was a third of a 562-row sweep; docs/performance.md,
    "Complaints: the sweep"). ``read_ids``: each row's id is read back (``RETURNING``, in the
    order of the rows, as ``bulk_create`` relies on). ``json_texts``: per row, as ``insert``
    takes them. On PostgreSQL, rows whose ids are not read and that are too many for one
    cached statement go in by ``COPY`` (``_copy_in``)."""
    if not rows:
        return
    connection = _write_connection(model)
    meta = model._meta
    returning = ""
    if read_ids:
        if not connection.features.can_return_rows_from_bulk_insert or meta.auto_field is None:
            raise NotImplementedError("read_ids needs RETURNING and an auto primary key")
        returning = f" RETURNING {connection.ops.quote_name(meta.auto_field.column)}"
    if not read_ids and _copies(connection, model, len(rows)):
        _copy_in(connection, model, rows, json_texts)
        return
    statement = cursor(connection)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        texts = json_texts[start : start + batch] if json_texts is not None else None
        sql, params = _insert_values(connection, model, chunk, texts)
        statement.execute(sql + returning, params)
        if read_ids:
            for row, (pk,) in zip(chunk, statement.fetchall(), strict=True):
                row.pk = pk
                row._state.adding = False
                row._state.db = connection.alias


# psycopg's client cursor (Django's) keeps how it split a statement at its placeholders only for
# statements of at most 50 parameters and 4 KB (psycopg/_queries.py); any larger multi-row INSERT
# is split again in Python on every run and each value written into the text as a literal. COPY
# sends the rows as data instead: 560 sweep events took 25 ms as one INSERT, 4 ms as COPY
# (docs/performance.md, "Twelfth session"). Below this many values the INSERT is kept: its split
# is cached and COPY costs one more round trip.
_COPY_FROM_VALUES = 50


def _copies(connection: Any, model: type[models.Model], count: int) -> bool:
    """Whether ``count`` rows of ``model`` go in by COPY (PostgreSQL, past the statement cache)."""
    if connection.vendor != "postgresql":
        return False
    return count * len(_insert_plan(connection, model).fields) > _COPY_FROM_VALUES


def _copy_in(
    connection: Any,
    model: type[models.Model],
    rows: Sequence[models.Model],
    json_texts: Sequence[Mapping[str, str]] | None,
) -> None:
    """``COPY <table> (<columns>) FROM STDIN`` of ``rows``, each value prepared as the INSERT
    prepares it. Database errors come out as Django's (``IntegrityError`` …), and the statement
    is logged like any other while queries are being logged."""
    plan = _insert_plan(connection, model)
    sql = f"COPY {table(model)} {plan.columns} FROM STDIN"
    started = time.monotonic()
    with connection.wrap_database_errors, cursor(connection).cursor.copy(sql) as copy:
        for i, row in enumerate(rows):
            if json_texts is not None and json_texts[i]:
                copy.write_row(plan.values_with_json(row, connection, json_texts[i]))
            else:
                copy.write_row(plan.values(row, connection))
    if connection.queries_logged:
        took = time.monotonic() - started
        connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": f"{took:.3f}"})


def insert_new(
    model: type[models.Model], rows: Sequence[models.Model], returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (unsaved instances) in one statement, skipping every row a unique
    constraint already holds (``ON CONFLICT DO NOTHING``), and return the ``returning`` columns
    of the rows inserted. No savepoint is needed to survive a taken key. On PostgreSQL a row
    another transaction is inserting at the same moment waits for that transaction, then is
    skipped if it committed (and inserted if it rolled back)."""
    if not rows:
        return []
    connection = _write_connection(model)
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("insert_new needs INSERT … RETURNING")
    quote = connection.ops.quote_name
    returned = ", ".join(quote(_column_field(model, name).column) for name in returning)
    sql, params = _insert_values(connection, model, rows)
    statement = cursor(connection)
    statement.execute(f"{sql} ON CONFLICT DO NOTHING RETURNING {returned}", params)
    return [tuple(found) for found in statement.fetchall()]
