"""A7.4 matching as one hand-written statement per *shape* of candidate, built once.

``selectors.customer_match`` runs on every registration (and on every row of a bulk import).
Building and compiling the equivalent queryset (``selectors.customer_match_queryset``) costs
≈ 1.4 ms of Python per call, against 20–50 µs for the SQL itself on SQLite. Here the statement
depends only on the candidate's *shape* — which grounds are present, how many phones, whether a
customer is excluded — and the backend, so it is built once per shape and cached; the values are
always passed as parameters, never written into the SQL.

The statement (one round trip) returns the matched customers' columns, their owners' columns
(a LEFT JOIN, as ``select_related("owner")``) and the lowest matched phone, in registration
order::

    SELECT c.<customer columns>, o.<staff columns>, m.matched_phone
    FROM (SELECT g.id, MIN(g.matched_phone) AS matched_phone
          FROM (SELECT id, NULL AS matched_phone FROM customers_customer         -- full name
                 WHERE company_id = %(company)s AND full_name_key = %(full_name)s
                UNION ALL
                SELECT customer_id AS id, e164 AS matched_phone                  -- phones
                  FROM customers_customerphone
                 WHERE company_id = %(company)s AND e164 IN (%(phone0)s, %(phone1)s)
                UNION ALL
                SELECT id, NULL AS matched_phone FROM customers_customer         -- car + surname
                 WHERE company_id = %(company)s AND plate_key = %(plate)s
                   AND car_brand_key = %(car_brand)s AND surname = %(surname)s
               ) g
          GROUP BY g.id) m
    INNER JOIN customers_customer c ON c.id = m.id
    LEFT OUTER JOIN org_staff o ON o.id = c.owner_id
    WHERE c.company_id = %(company)s [AND c.id <> %(exclude)s]
    ORDER BY c.created_at, c.id

Each ground is an indexed equality (``cust_full_name_key``, ``cust_phone_e164``,
``cust_plate_brand_surname``), then one primary-key lookup per matched customer. On SQLite the
outer company condition is written ``c.company_id + 0 = %(company)s`` so no index serves it:
SQLite, lacking statistics, would otherwise walk the whole company by its index instead of
looking up the few keys. On PostgreSQL it is written plainly, so the planner's estimates stay
right (it guesses 0.5 % of the rows for an expression).

Parameters are named (``%(company)s``…, one dictionary): the company is passed once, and
Django's SQLite cursor rewrites named placeholders several times faster than ``%s`` ones.

``MIN(matched_phone)`` is the ORM formulation's "first matched phone by ``e164``" (a correlated
``ORDER BY e164 LIMIT 1``) computed once for all rows instead of once per row.

Rows become model instances the way the ORM builds them (``Model.from_db`` with the backend's
and the fields' converters, the owner cached on the customer), so callers cannot tell the
difference; ``tests/core/customers/test_match_behaviour.py`` pins that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from kehu.core import rawsql
from kehu.core.customers import rules
from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.org.models import Staff

_OWNER = Customer._meta.get_field("owner")


@dataclass(frozen=True)
class MatchShape:
    """What the statement depends on: the backend and which parameters there are."""

    vendor: str
    full_name: bool
    phones: int
    car: bool
    exclude: bool
    light: bool = False  # only the id and the identity keys, no owner (see ``match_rows``)
    since: bool = False  # light only: whether each customer's latest visit is at or after one

    @classmethod
    def of(
        cls,
        vendor: str,
        candidate: rules.IdentityKeys,
        exclude_customer_id: int | None,
        light: bool = False,
        since: bool = False,
    ) -> MatchShape:
        return cls(
            vendor=vendor,
            full_name=bool(candidate.full_name),
            phones=len(candidate.phones),
            car=candidate.has_car_key,
            exclude=exclude_customer_id is not None,
            light=light,
            since=light and since,
        )


def _columns(model: type[Model], alias: str, quote: Callable[[str], str]) -> str:
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


# What a light match reads of each customer: what ``identity_match`` compares, and the id —
# in the model's field order, which ``Model.from_db`` expects of a partial row.
LIGHT_ATTNAMES = tuple(
    f.attname
    for f in Customer._meta.concrete_fields
    if f.attname in {"id", "full_name_key", "car_brand_key", "plate_key", "surname"}
)
# With ``since``, a light match also says whether each customer's latest visit
# (``Customer.last_visit_at``) is at or after it — compared in SQL: parsing a common name's
# hundreds of stored times in Python cost ≈ 1 ms (874 namesakes on the 1,000,000-line book).
_SEEN = "COALESCE({column} >= %(since)s, {false}) AS seen"


def _build_light_sql(shape: MatchShape, quote: Callable[[str], str]) -> str:
    """The light statement on PostgreSQL: each ground reads the identity keys itself — the full
    name's from its covering index — instead of collecting ids and reading every matched customer
    again by primary key (871 namesakes: 871 more row reads). The rows are the full statement's:
    the same customers, keys and lowest matched phone, in the same order (pinned by
    ``assert_light_rows_are_the_full_rows`` in ``tests/core/customers/test_match_behaviour.py``,
    for every case there)::

        SELECT g.id, g.full_name_key, …, MIN(g.matched_phone)
        FROM (SELECT id, full_name_key, …, created_at, NULL AS matched_phone
                FROM customers_customer WHERE company_id = … AND full_name_key = …
              UNION ALL
              SELECT c.id, …, p.e164 FROM customers_customerphone p
                JOIN customers_customer c ON c.id = p.customer_id
               WHERE p.company_id = … AND p.e164 IN (…) AND c.company_id = …
              UNION ALL …car…) g
        GROUP BY g.id, …, g.created_at ORDER BY g.created_at, g.id
    """
    customers = quote(Customer._meta.db_table)
    phones = quote(CustomerPhone._meta.db_table)
    read = (*LIGHT_ATTNAMES, "created_at", *(("last_visit_at",) if shape.since else ()))
    plain = ", ".join(quote(name) for name in read)
    of_c = ", ".join(f"c.{quote(name)}" for name in read)
    with_phone = shape.phones > 0
    no_phone = ", NULL AS matched_phone" if with_phone else ""
    exclude = " AND id <> %(exclude)s" if shape.exclude else ""
    exclude_c = " AND c.id <> %(exclude)s" if shape.exclude else ""
    grounds = []
    if shape.full_name:
        grounds.append(
            f"SELECT {plain}{no_phone} FROM {customers} "
            f"WHERE company_id = %(company)s AND full_name_key = %(full_name)s{exclude}"
        )
    if with_phone:
        marks = ", ".join(f"%(phone{i})s" for i in range(shape.phones))
        grounds.append(
            f"SELECT {of_c}, p.e164 AS matched_phone FROM {phones} p "
            f"INNER JOIN {customers} c ON c.id = p.customer_id "
            f"WHERE p.company_id = %(company)s AND p.e164 IN ({marks}) "
            f"AND c.company_id = %(company)s{exclude_c}"
        )
    if shape.car:
        grounds.append(
            f"SELECT {plain}{no_phone} FROM {customers} WHERE company_id = %(company)s "
            "AND plate_key = %(plate)s AND car_brand_key = %(car_brand)s AND surname = %(surname)s"
            f"{exclude}"
        )
    if not grounds:
        raise ValueError("a candidate without keys matches nothing; there is no statement")
    keys = ", ".join(f"g.{quote(name)}" for name in LIGHT_ATTNAMES)
    if shape.since:
        keys += ", " + _SEEN.format(column=f"g.{quote('last_visit_at')}", false="FALSE")
    grouped = ", ".join(f"g.{quote(name)}" for name in read)
    matched = ", MIN(g.matched_phone) AS matched_phone" if with_phone else ""
    return (
        f"SELECT {keys}{matched} FROM ({' UNION ALL '.join(grounds)}) g "
        f"GROUP BY {grouped} ORDER BY g.{quote('created_at')}, g.{quote('id')}"
    )


def _build_sql(shape: MatchShape, quote: Callable[[str], str]) -> str:
    if shape.light and shape.vendor == "postgresql":
        # Elsewhere the light statement is the full one's, narrower: SQLite has no covering
        # index to read the keys from, and grouping the wider rows made a common name slower
        # (871 namesakes on the 1,000,000-line book: 1.5–1.7 ms joined, 2.1 ms grouped).
        return _build_light_sql(shape, quote)
    customers = quote(Customer._meta.db_table)
    phones = quote(CustomerPhone._meta.db_table)
    staff = quote(Staff._meta.db_table)
    with_phone = shape.phones > 0
    phone_col = ", NULL AS matched_phone" if with_phone else ""
    grounds = []
    if shape.full_name:
        grounds.append(
            f"SELECT id{phone_col} FROM {customers} "
            "WHERE company_id = %(company)s AND full_name_key = %(full_name)s"
        )
    if with_phone:
        marks = ", ".join(f"%(phone{i})s" for i in range(shape.phones))
        grounds.append(
            f"SELECT customer_id AS id, e164 AS matched_phone FROM {phones} "
            f"WHERE company_id = %(company)s AND e164 IN ({marks})"
        )
    if shape.car:
        grounds.append(
            f"SELECT id{phone_col} FROM {customers} WHERE company_id = %(company)s "
            "AND plate_key = %(plate)s AND car_brand_key = %(car_brand)s AND surname = %(surname)s"
        )
    if not grounds:
        raise ValueError("a candidate without keys matches nothing; there is no statement")
    # Plain column names inside the grounds: the derived table's columns are ``id`` and
    # ``matched_phone``, whatever the tables call them.
    hits = " UNION ALL ".join(grounds)
    if with_phone:
        matched = "SELECT g.id, MIN(g.matched_phone) AS matched_phone"
        selected = ", m.matched_phone"
    else:
        matched, selected = "SELECT g.id", ""
    company = "c.company_id" + (" + 0" if shape.vendor == "sqlite" else "") + " = %(company)s"
    exclude = " AND c.id <> %(exclude)s" if shape.exclude else ""
    if shape.light:
        columns = ", ".join(f"c.{quote(name)}" for name in LIGHT_ATTNAMES)
        if shape.since:
            false = "FALSE" if shape.vendor == "postgresql" else "0"
            columns += ", " + _SEEN.format(column=f"c.{quote('last_visit_at')}", false=false)
        owner = ""
    else:
        columns = f"{_columns(Customer, 'c', quote)}, {_columns(Staff, 'o', quote)}"
        owner = f"LEFT OUTER JOIN {staff} o ON o.id = c.owner_id "
    return (
        f"SELECT {columns}{selected} "
        f"FROM ({matched} FROM ({hits}) g GROUP BY g.id) m "
        f"INNER JOIN {customers} c ON c.id = m.id "
        f"{owner}"
        f"WHERE {company}{exclude} "
        "ORDER BY c.created_at, c.id"
    )


_SQL: dict[MatchShape, str] = {}


def match_sql(shape: MatchShape, connection: BaseDatabaseWrapper) -> str:
    """The statement for ``shape`` (built on first use, then cached)."""
    sql = _SQL.get(shape)
    if sql is None:
        sql = _SQL[shape] = _build_sql(shape, connection.ops.quote_name)
    return sql


def match_params(
    company_id: int,
    candidate: rules.IdentityKeys,
    exclude_customer_id: int | None,
    since: dt.datetime | None = None,
    connection: BaseDatabaseWrapper | None = None,
) -> dict[str, Any]:
    """The statement's parameters, by placeholder name (``since`` as ``connection`` stores a
    time: on SQLite the text the ORM writes, so that it compares as the stored times do)."""
    params: dict[str, Any] = {"company": company_id}
    if since is not None:
        assert connection is not None
        params["since"] = connection.ops.adapt_datetimefield_value(since)
    if candidate.full_name:
        params["full_name"] = candidate.full_name
    for i, phone in enumerate(sorted(candidate.phones)):
        params[f"phone{i}"] = phone
    if candidate.has_car_key:
        params["plate"] = candidate.plate
        params["car_brand"] = candidate.car_brand
        params["surname"] = candidate.surname
    if exclude_customer_id is not None:
        params["exclude"] = exclude_customer_id
    return params


def match_statement(
    company_id: int,
    candidate: rules.IdentityKeys,
    *,
    exclude_customer_id: int | None = None,
    connection: BaseDatabaseWrapper | None = None,
    light: bool = False,
    since: dt.datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters ``customer_match`` runs (exposed so its plan can be checked);
    ``since`` (light only): each row also says whether the customer was seen since."""
    connection = connection or connections[router.db_for_read(Customer)]
    since = since if light else None
    shape = MatchShape.of(
        connection.vendor, candidate, exclude_customer_id, light, since is not None
    )
    params = match_params(company_id, candidate, exclude_customer_id, since, connection)
    return match_sql(shape, connection), params


# --- rows to model instances -----------------------------------------------------------------


@dataclass(frozen=True)
class _Loader:
    customer_attnames: tuple[str, ...]
    staff_attnames: tuple[str, ...]
    staff_pk: int  # position of the owner's id in the row
    converters: rawsql.Converters


def _loader(connection: BaseDatabaseWrapper) -> _Loader:
    # converters are bound to a connection (each thread has its own): one loader per connection
    def make() -> _Loader:
        customer_fields = list(Customer._meta.concrete_fields)
        staff_fields = list(Staff._meta.concrete_fields)
        n = len(customer_fields)
        return _Loader(
            customer_attnames=tuple(f.attname for f in customer_fields),
            staff_attnames=tuple(f.attname for f in staff_fields),
            staff_pk=n + staff_fields.index(Staff._meta.pk),
            converters=rawsql.converters(customer_fields, Customer._meta.db_table, 0, connection)
            + rawsql.converters(staff_fields, Staff._meta.db_table, n, connection),
        )

    return rawsql.per_connection(connection, "customer_match_loader", make)


class LightRow(NamedTuple):
    """A matched customer as ``match_light_rows`` reads it: the id, the identity keys, the
    phone that matched and, when asked, whether their latest visit is at or after ``since``."""

    id: int
    full_name_key: str
    surname: str
    plate_key: str
    car_brand_key: str
    matched_phone: str | None
    seen_since: bool | None = None  # asked with ``since``: latest visit at or after it


def _fetch_matches(
    company_id: int,
    candidate: rules.IdentityKeys,
    exclude_customer_id: int | None,
    light: bool,
    since: dt.datetime | None = None,
) -> tuple[BaseDatabaseWrapper, list[Any]]:
    connection = connections[router.db_for_read(Customer)]
    sql, params = match_statement(
        company_id,
        candidate,
        exclude_customer_id=exclude_customer_id,
        connection=connection,
        light=light,
        since=since,
    )
    statement = rawsql.cursor(connection)
    statement.execute(sql, params)
    return connection, statement.fetchall()


def match_light_rows(
    company_id: int,
    candidate: rules.IdentityKeys,
    *,
    exclude_customer_id: int | None = None,
    since: dt.datetime | None = None,
) -> list[LightRow]:
    """``match_rows``' customers as plain rows — id, identity keys, matched phone — in the same
    order, from a narrower statement (no owner). A common full name matches hundreds of
    customers; a caller that keeps only their ids need not build each as a model instance
    (≈ 7 µs each: 6 ms for one common name in a book of 720,000 customers). ``since``: each row
    also says whether the customer's latest visit is at or after it (``seen_since``)."""
    _connection, rows = _fetch_matches(
        company_id, candidate, exclude_customer_id, light=True, since=since
    )
    with_phones = bool(candidate.phones)
    at = {name: i for i, name in enumerate(LIGHT_ATTNAMES)}
    pk, name, surname, plate, brand = (
        at["id"],
        at["full_name_key"],
        at["surname"],
        at["plate_key"],
        at["car_brand_key"],
    )
    seen = len(LIGHT_ATTNAMES) if since is not None else None
    return [
        LightRow(
            row[pk],
            row[name],
            row[surname],
            row[plate],
            row[brand],
            row[-1] if with_phones else None,
            None if seen is None else bool(row[seen]),
        )
        for row in rows
    ]


def match_rows(
    company_id: int,
    candidate: rules.IdentityKeys,
    *,
    exclude_customer_id: int | None = None,
) -> list[tuple[Customer, str | None]]:
    """The customers sharing a ground with ``candidate`` (owner loaded), in registration order,
    each with the lowest of its phones among the candidate's (``None`` when none matched).

    One query. As with the queryset, a customer carries ``matched_phone`` when the candidate has
    phones. ``candidate`` must have at least one key.
    """
    connection, rows = _fetch_matches(company_id, candidate, exclude_customer_id, light=False)
    if not rows:
        return []
    db = connection.alias
    loader = _loader(connection)
    n = len(loader.customer_attnames)
    end = n + len(loader.staff_attnames)
    with_phone = bool(candidate.phones)
    results = []
    for fetched in rows:
        row = list(fetched)
        for pos, convs, expression in loader.converters:
            value = row[pos]
            for convert in convs:
                value = convert(value, expression, connection)
            row[pos] = value
        customer = Customer.from_db(db, loader.customer_attnames, row[:n])
        owner = None
        if row[loader.staff_pk] is not None:
            owner = Staff.from_db(db, loader.staff_attnames, row[n:end])
        _OWNER.set_cached_value(customer, owner)  # type: ignore[union-attr]
        hit = None
        if with_phone:
            hit = row[end]
            customer.matched_phone = hit  # type: ignore[attr-defined]
        results.append((customer, hit))
    return results
