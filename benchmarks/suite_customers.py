"""A7.4 identity matching and customer search, against hand-written SQL on a raw cursor.

The floors get the identity keys already normalised (normalising is part of what kehu does per
call, so it counts against kehu) and run the same lookups kehu means — each ground an indexed
equality (matching) or prefix range (search), combined by UNION — returning the same rows: the
customer's columns, its owner's, and for matching the matched phone.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from benchmarks.dataset import Generator
from benchmarks.timing import Result, compare, series
from benchmarks.world import World
from kehu.core.customers import rules, selectors
from kehu.core.customers.models import Customer

PAGE_SIZE = 20  # the API's and the list page's page size


def _sql(text: str) -> str:
    """Hand-written SQL uses %s; the raw sqlite3 cursor wants ?."""
    return text.replace("%s", "?") if connection.vendor == "sqlite" else text


def _raw_cursor() -> Any:
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    return raw.cursor()


def queries_per_call(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _explain(sql: str, params: Sequence[Any]) -> str:
    cursor = _raw_cursor()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    cursor.execute(prefix + sql, list(params))
    rows = cursor.fetchall()
    cursor.close()
    if connection.vendor == "sqlite":
        return "\n".join(str(row[-1]) for row in rows)
    return "\n".join(str(row[0]) for row in rows)


# --- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What a clerk types (for kehu) and the keys it normalises to (for the floor)."""

    name: str
    phone: str
    plate: str
    car_brand: str
    keys: rules.IdentityKeys
    expected_id: int | None  # a customer the match must find (None: a miss)


def _candidate(
    name: str, phone: str, plate: str, brand: str, expected: int | None = None
) -> Candidate:
    keys = rules.IdentityKeys.from_raw(
        name=name, phones=[phone] if phone else [], car_brand=brand, plate=plate
    )
    return Candidate(name, phone, plate, brand, keys, expected)


def match_floor_query(
    company_id: int, keys: rules.IdentityKeys, *, with_owner: bool = True
) -> tuple[str, list[Any]]:
    """The A7.4 lookup by hand: UNION of the indexed grounds, rows in registration order.

    The SQL uses %s placeholders (``_sql`` turns them into the raw sqlite3 cursor's ?)."""
    grounds: list[str] = []
    params: list[Any] = []
    if keys.full_name:
        grounds.append(
            "SELECT id FROM customers_customer WHERE company_id = %s AND full_name_key = %s"
        )
        params += [company_id, keys.full_name]
    phones = sorted(keys.phones)
    marks = ", ".join("%s" for _ in phones)
    if phones:
        grounds.append(
            "SELECT customer_id FROM customers_customerphone "
            f"WHERE company_id = %s AND e164 IN ({marks})"
        )
        params += [company_id, *phones]
    if keys.has_car_key:
        grounds.append(
            "SELECT id FROM customers_customer WHERE company_id = %s AND plate_key = %s "
            "AND car_brand_key = %s AND surname = %s"
        )
        params += [company_id, keys.plate, keys.car_brand, keys.surname]
    matched_phone = "NULL"
    select_params: list[Any] = []
    if phones:
        matched_phone = (
            "(SELECT p.e164 FROM customers_customerphone p WHERE p.customer_id = c.id "
            f"AND p.company_id = %s AND p.e164 IN ({marks}) ORDER BY p.e164 LIMIT 1)"
        )
        select_params = [company_id, *phones]
    owner_columns, owner_join = ", o.*", "LEFT JOIN org_staff o ON o.id = c.owner_id "
    if not with_owner:
        owner_columns, owner_join = "", ""
    sql = (
        f"SELECT c.*{owner_columns}, {matched_phone} AS matched_phone "
        f"FROM customers_customer c {owner_join}"
        f"WHERE c.id IN ({' UNION '.join(grounds)}) ORDER BY c.created_at, c.id"
    )
    return sql, select_params + params


def _match_cases(world: World, calls: int, seed: int) -> dict[str, list[Candidate]]:
    rng = random.Random(seed)
    gen = Generator(seed + 7)  # fresh phones and plates: not in the book
    taken_mobiles = set(world.book.mobiles)
    taken_plates = set(world.book.plates)
    people = world.book.people
    with_car = [p for p in people if p.plate]

    def typed(number_e164: str) -> str:
        national = number_e164[3:]
        return gen.typed_mobile(national) if len(national) == 11 else number_e164

    all_grounds = []
    for person in rng.choices(with_car, k=calls):
        phone = typed(world.phones_by_person[person.index][0])
        brand = person.car_brand
        all_grounds.append(
            _candidate(
                person.name,
                phone,
                gen.typed_plate(person.plate.replace("·", "").replace(" ", "").upper()),
                brand,
                world.customer_id(person.index),
            )
        )
    phone_only = []
    for person in rng.choices(people, k=calls):
        phone = typed(world.phones_by_person[person.index][0])
        phone_only.append(
            _candidate(gen.rare_name(), phone, "", "", world.customer_id(person.index))
        )
    crowd = [name for name, _ in Counter(p.name for p in people).most_common(20)]
    common_name = [
        _candidate(rng.choice(crowd), gen.mobile(taken_mobiles), "", "") for _ in range(calls)
    ]
    miss = []
    for _ in range(calls):
        brand, _spellings = gen.brand()
        miss.append(
            _candidate(gen.rare_name(), gen.mobile(taken_mobiles), gen.plate(taken_plates), brand)
        )
    return {
        "hit on all three grounds (name, phone, brand+plate+surname)": all_grounds,
        "hit on the phone only": phone_only,
        "common full name only (张伟, 王芳…: many rows)": common_name,
        "miss (new name, phone and plate)": miss,
    }


def run_match(world: World, *, calls: int, warmup: int, seed: int, log: Any) -> list[Result]:
    company_id = world.company.pk
    cursor = _raw_cursor()

    def kehu(c: Candidate) -> list[selectors.CustomerMatch]:
        return selectors.customer_match(
            company_id, name=c.name, phone=c.phone, plate=c.plate, car_brand=c.car_brand
        )

    prepared: dict[int, tuple[str, list[Any]]] = {}

    def floor(c: Candidate) -> list[Any]:
        sql, params = prepared[id(c)]
        cursor.execute(sql, params)
        return list(cursor.fetchall())

    def normalise_only(c: Candidate) -> object:
        return rules.IdentityKeys.from_raw(
            name=c.name, phones=[c.phone] if c.phone else [], car_brand=c.car_brand, plate=c.plate
        )

    def orm_query_only(c: Candidate) -> object:
        return list(selectors.customer_match_queryset(company_id, c.keys))

    raw_sql: dict[int, tuple[str, list[Any]]] = {}

    def through_raw(c: Candidate) -> object:
        # Customer.objects.raw wants %s on every backend.
        sql, params = raw_sql[id(c)]
        return list(Customer.objects.raw(sql, params))

    prepared_cursor = None
    if connection.vendor == "postgresql":
        import psycopg

        # Server-side binding, so psycopg can prepare; Django's own cursors bind client-side
        # and never prepare (prepare_threshold=None), so the statement is planned every call.
        prepared_cursor = psycopg.Cursor(connection.connection)

    def floor_prepared(c: Candidate) -> object:
        assert prepared_cursor is not None
        sql, params = prepared[id(c)]
        prepared_cursor.execute(sql, params, prepare=True)
        return prepared_cursor.fetchall()

    results = []
    for label, candidates in _match_cases(world, calls, seed).items():
        log(f"  match: {label}")
        for c in candidates:
            sql, params = match_floor_query(company_id, c.keys)
            prepared[id(c)] = (_sql(sql), params)
            raw_sql[id(c)] = match_floor_query(company_id, c.keys, with_owner=False)
        # The floor must find what kehu finds.
        for c in candidates[:25]:
            found = {m.customer.pk for m in kehu(c)}
            floor_ids = {row[0] for row in floor(c)}
            if found != floor_ids or (c.expected_id is not None and c.expected_id not in found):
                raise AssertionError(f"match floor disagrees for {c}: {found} vs {floor_ids}")
        kehu_stats, floor_stats = compare(kehu, floor, candidates, warmup=warmup)
        extras_n = max(len(candidates) // 4, 50)
        sample = candidates[:extras_n]
        rows = [len(floor(c)) for c in candidates[:100]]
        sql, params = prepared[id(candidates[0])]
        extras = {
            "normalising the typed values (IdentityKeys.from_raw)": series(
                normalise_only, sample, warmup=10
            ),
            "ORM query + model instances (customer_match_queryset)": series(
                orm_query_only, sample, warmup=10
            ),
            "the floor's SQL through Customer.objects.raw (instances, no owner)": series(
                through_raw, sample, warmup=10
            ),
        }
        if prepared_cursor is not None:
            extras["the floor's SQL as a prepared statement (psycopg prepare=True)"] = series(
                floor_prepared, sample, warmup=10
            )
        results.append(
            Result(
                group="match",
                operation=f"customer_match — {label}",
                size=len(world.book.people),
                kehu=kehu_stats,
                floor=floor_stats,
                kehu_queries=queries_per_call(partial(kehu, candidates[0])),
                floor_queries=1,
                note=f"rows per call: mean {sum(rows) / len(rows):.1f}, max {max(rows)}",
                extras=extras,
                plans={
                    "kehu": selectors.customer_match_queryset(
                        company_id, candidates[0].keys
                    ).explain(),
                    "floor": _explain(sql, params),
                },
            )
        )
    cursor.close()
    if prepared_cursor is not None:
        prepared_cursor.close()
    return results


# --- search ----------------------------------------------------------------------------------


def _prefix_condition(column: str, prefix: str) -> tuple[str, list[str]]:
    if connection.vendor == "sqlite":
        return f"{column} >= %s AND {column} < %s", [prefix, prefix + "\U0010ffff"]
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{column} LIKE %s", [escaped + "%"]


def search_floor_hits(company_id: int, query: str) -> tuple[str, list[Any]]:
    """The ids a search box query reads as, by hand: 尾号 on phones, or name / plate / pinyin
    prefixes on customers (the same readings kehu makes of the query)."""
    if query.isdigit() and len(query) == 4:
        return (
            "SELECT customer_id AS id FROM customers_customerphone "
            "WHERE company_id = %s AND last4 = %s",
            [company_id, query],
        )
    parts: list[str] = []
    params: list[Any] = []
    readings = [("name_key", rules.normalise_name(query))]
    plate = rules.normalise_plate(query)
    if len(plate) >= 2:
        readings.append(("plate_key", plate))
    pinyin = rules.normalise_pinyin_query(query)
    readings += [("pinyin_initials", pinyin), ("pinyin_full", pinyin)]
    for column, prefix in readings:
        condition, values = _prefix_condition(column, prefix)
        parts.append(f"SELECT id FROM customers_customer WHERE company_id = %s AND {condition}")
        params += [company_id, *values]
    return " UNION ".join(parts), params


@dataclass(frozen=True)
class SearchFloor:
    page_sql: str
    page_params: list[Any]
    count_sql: str
    count_params: list[Any]


def search_floor(company_id: int, query: str) -> SearchFloor:
    hits, params = search_floor_hits(company_id, query)
    page = (
        "SELECT c.*, o.* FROM customers_customer c LEFT JOIN org_staff o ON o.id = c.owner_id "
        f"WHERE c.id IN ({hits}) ORDER BY c.created_at DESC, c.id DESC LIMIT {PAGE_SIZE}"
    )
    count = f"SELECT COUNT(DISTINCT id) FROM ({hits}) AS hits"
    return SearchFloor(_sql(page), params, _sql(count), params)


def _search_cases(world: World, calls: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    people = rng.choices(world.book.people, k=calls)
    initials = [rules.name_pinyin(p.name)[0] for p in people]  # "zw" for 张伟, "lxm" for 李晓明
    suffixes = [
        rng.choice(world.phones_by_person[p.index])[-4:]
        for p in rng.choices(world.book.people, k=calls)
    ]
    return {
        "pinyin initials (zw → 张伟…)": initials,
        "phone suffix (尾号, last 4 digits)": suffixes,
    }


def run_search(world: World, *, calls: int, warmup: int, seed: int, log: Any) -> list[Result]:
    company_id = world.company.pk
    manager = world.manager
    cursor = _raw_cursor()
    phone_sql_head = "SELECT * FROM customers_customerphone WHERE customer_id IN ("

    def kehu(query: str) -> tuple[list[Customer], int]:
        customers: QuerySet[Customer] = selectors.customer_list_for_user(manager, query)
        return list(customers[:PAGE_SIZE]), customers.count()

    def page_only(query: str) -> object:
        return list(selectors.customer_list_for_user(manager, query)[:PAGE_SIZE])

    def count_only(query: str) -> object:
        return selectors.customer_list_for_user(manager, query).count()

    prepared: dict[str, SearchFloor] = {}

    def floor(query: str) -> tuple[list[Any], int]:
        plan = prepared[query]
        cursor.execute(plan.page_sql, plan.page_params)
        page = cursor.fetchall()
        if page:
            ids = [row[0] for row in page]
            marks = ", ".join("?" if connection.vendor == "sqlite" else "%s" for _ in ids)
            cursor.execute(f"{phone_sql_head}{marks}) ORDER BY id", ids)
            cursor.fetchall()
        cursor.execute(plan.count_sql, plan.count_params)
        return page, cursor.fetchone()[0]

    results = []
    for label, queries in _search_cases(world, calls, seed).items():
        log(f"  search: {label}")
        for q in queries:
            prepared.setdefault(q, search_floor(company_id, q))
        for q in queries[:25]:
            page, count = kehu(q)
            floor_page, floor_count = floor(q)
            if [c.pk for c in page] != [row[0] for row in floor_page] or count != floor_count:
                raise AssertionError(f"search floor disagrees for {q!r}: {count} vs {floor_count}")
        kehu_stats, floor_stats = compare(kehu, floor, queries, warmup=warmup)
        counts = [floor(q)[1] for q in queries[:100]]
        plan = prepared[queries[0]]
        busiest = queries[counts.index(max(counts))]  # plans can change with many matches
        results.append(
            Result(
                group="search",
                operation=f"customer_list_for_user — {label}",
                size=len(world.book.people),
                kehu=kehu_stats,
                floor=floor_stats,
                kehu_queries=queries_per_call(partial(kehu, queries[0])),
                floor_queries=3,
                extras={
                    "page only (list(qs[:20]), phones prefetched)": series(
                        page_only, queries[: max(len(queries) // 4, 25)], warmup=5
                    ),
                    "count only (qs.count())": series(
                        count_only, queries[: max(len(queries) // 4, 25)], warmup=5
                    ),
                },
                note=(
                    f"one page of {PAGE_SIZE} + the count, as the API and list page do; "
                    f"matches per query: mean {sum(counts) / len(counts):.0f}, max {max(counts)}"
                ),
                plans={
                    f"kehu page, {queries[0]!r}": selectors.customer_list_for_user(
                        manager, queries[0]
                    )[:PAGE_SIZE].explain(),
                    f"floor page, {queries[0]!r}": _explain(plan.page_sql, plan.page_params),
                    f"kehu page, {busiest!r} ({max(counts):,} matches)": (
                        selectors.customer_list_for_user(manager, busiest)[:PAGE_SIZE].explain()
                    ),
                    f"floor page, {busiest!r}": _explain(
                        prepared[busiest].page_sql, prepared[busiest].page_params
                    ),
                },
            )
        )
    cursor.close()
    return results
