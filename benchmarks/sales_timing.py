"""The timed part of the registration benchmark (see ``suite_sales_register``): kehu in-process,
kehu through the API, and the hand-written floor, call by call in rotation."""

from __future__ import annotations

import cProfile
import datetime as dt
import gc
import hashlib
import io
import json
import pstats
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter, perf_counter_ns
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.database import IdleCheckpoints, database_info
from benchmarks.dataset import BOOK_END
from benchmarks.sales_dataset import (
    SELLERS_PER_SITE,
    Visitor,
    VisitorKind,
    draw_visitors,
    generate_sales_book,
    shift_book,
)
from benchmarks.sales_loading import LoadedBook, Office, build_office, load_book
from benchmarks.suite_sales_register import SalesSizes, sqlite_path
from benchmarks.timing import Result, Stats
from kehu.core.customers import rules as identity_rules
from kehu.core.errors import KehuError
from kehu.core.ledger import rules as ledger_rules
from kehu.core.ledger.models import LedgerStream
from kehu.core.ledger.selectors import ledger_verify
from kehu.sales import reception_services
from kehu.sales.registration_selectors import full_name_alone_policy, office_tz
from kehu.sales.registration_services import VisitDetails
from kehu.sales.rotation_services import rotation_day_open

API = "/api/v1/sales/receptions/"
FLOOR_STREAM = "floor_registration_book"


# --- kehu -------------------------------------------------------------------------------------


def _arrival(v: Visitor) -> tuple[str, int | None]:
    return ("asked_for", None) if v.asked_for is not None else ("walk_in", None)


def _details(v: Visitor) -> dict[str, str]:
    return {
        "customer_name": v.customer_name,
        "employer_or_address": v.employer_or_address,
        "contact": v.contact,
        "car_brand": v.car_brand,
        "plate": v.plate,
        "intention": v.intention,
        "source": v.source,
    }


@dataclass
class Desk:
    office: Office
    customer_ids: list[int]

    def named(self, v: Visitor) -> int | None:
        return self.office.sellers[v.asked_for].pk if v.asked_for is not None else None

    def customer(self, v: Visitor) -> int | None:
        return self.customer_ids[v.customer] if v.customer is not None else None

    def arrive(self, v: Visitor) -> int:
        visit = reception_services.visit_arrive(
            actor=self.office.desks[v.site],
            site=self.office.sites[v.site],
            arrival="asked_for" if v.asked_for is not None else "walk_in",
            named_staff_id=self.named(v),
        )
        return int(visit.pk)

    def register(self, v: Visitor, visit_id: int) -> None:
        reception_services.visit_register(
            actor=self.office.desks[v.site],
            visit_id=visit_id,
            details=VisitDetails(**_details(v)),
            customer_id=self.customer(v),
        )

    def in_process(self, v: Visitor) -> tuple[int, int]:
        """Arrive + register; returns (visit id, ns spent arriving)."""
        started = perf_counter_ns()
        visit_id = self.arrive(v)
        arrived = perf_counter_ns() - started
        self.register(v, visit_id)
        return visit_id, arrived

    def end(self, visit_id: int, site: int) -> None:
        reception_services.visit_end(actor=self.office.desks[site], visit_id=visit_id)


class ApiDesk:
    """The front desks' browsers: one logged-in test client per site."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.clients = []
        for staff in desk.office.desks:
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(staff.user)
            self.clients.append(client)

    def register(self, v: Visitor) -> tuple[int, int]:
        client = self.clients[v.site]
        started = perf_counter_ns()
        arrived = client.post(
            API,
            {
                "site_id": self.desk.office.sites[v.site].pk,
                "arrival": "asked_for" if v.asked_for is not None else "walk_in",
                "named_staff_id": self.desk.named(v),
            },
            content_type="application/json",
            secure=True,  # kehu redirects plain HTTP to HTTPS (SECURE_SSL_REDIRECT)
        )
        arrive_ns = perf_counter_ns() - started
        if arrived.status_code != 201:
            raise ApiFailed(arrived.status_code, arrived.content)
        visit_id = arrived.json()["id"]
        try:
            self.register_only(v, visit_id)
        except ApiFailed:
            self.desk.end(visit_id, v.site)
            raise
        return visit_id, arrive_ns

    def register_only(self, v: Visitor, visit_id: int) -> None:
        registered = self.clients[v.site].post(
            f"{API}{visit_id}/register",
            {"details": _details(v), "customer_id": self.desk.customer(v)},
            content_type="application/json",
            secure=True,
        )
        if registered.status_code != 201:
            raise ApiFailed(registered.status_code, registered.content)


class ApiFailed(Exception):
    def __init__(self, status: int, content: bytes) -> None:
        super().__init__(f"{status}: {content[:300]!r}")
        self.code = f"http_{status}:" + _error_code(content)


def _error_code(content: bytes) -> str:
    try:
        return str(json.loads(content).get("code", ""))
    except ValueError:
        return ""


# --- the floor ----------------------------------------------------------------------------------


def _sql(text: str) -> str:
    return text.replace("%s", "?") if connection.vendor == "sqlite" else text


CUSTOMER_COLUMNS = (
    "company_id, kind, name, employer, address, car_brand, plate, source, intention, "
    "id_number_encrypted, id_number_masked, owner_id, created_at, created_by_id, updated_at, "
    "name_key, full_name_key, surname, pinyin_initials, pinyin_full, plate_key, car_brand_key, "
    "last_visit_at"
)
REGISTRATION_COLUMNS = (
    "company_id, site_id, customer_id, visited_at, received_on, customer_name, "
    "employer_or_address, contact, phone_e164, car_brand, plate, intention, source, "
    "receiver_id, recorded_by_id, recorded_at, late, name_matches, policy_ref, corrects_id, "
    "original_id, correction_reason"
)
ENTRY_COLUMNS = (
    "company_id, stream, seq, recorded_at, kind, payload, subject_type, subject_id, "
    "corrects_id, reason, recorded_by_id, prev_hash, hash"
)


def _placeholders(columns: str) -> str:
    return ", ".join("%s" for _ in columns.split(","))


class Floor:
    """The registration by hand on the raw connection (values already normalised)."""

    def __init__(self, desk: Desk, policy_ref: str) -> None:
        self.desk = desk
        self.company_id = desk.office.company.pk
        self.policy_ref = policy_ref
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        self.cursor = raw.cursor()
        self.pg = connection.vendor == "postgresql"
        self.begin = "BEGIN" if self.pg else "BEGIN IMMEDIATE"
        self.match_cache: dict[tuple[bool, bool, bool], str] = {}
        self.first_key = _sql(
            "SELECT r.id, r.receiver_id, r.recorded_at FROM sales_registrationkey k "
            "JOIN sales_registration r ON r.id = k.registration_id "
            "WHERE k.company_id = %s AND k.kind = 'customer' AND k.value = %s"
        )
        self.earlier = _sql(
            "SELECT receiver_id, MIN(visited_at), MAX(visited_at) FROM sales_registration "
            "WHERE company_id = %s AND customer_id = %s AND corrects_id IS NULL "
            "GROUP BY receiver_id"
        )
        # the customer's latest visit moves forward with every line (``customer_visit_note``)
        self.note_visit = _sql(
            "UPDATE customers_customer SET last_visit_at = %s WHERE company_id = %s AND id = %s "
            "AND (last_visit_at IS NULL OR last_visit_at < %s)"
        )
        self.insert_customer = _sql(
            f"INSERT INTO customers_customer ({CUSTOMER_COLUMNS}) "
            f"VALUES ({_placeholders(CUSTOMER_COLUMNS)}) RETURNING id"
        )
        self.insert_phone = _sql(
            "INSERT INTO customers_customerphone (company_id, customer_id, raw, e164, last4, "
            "label, created_at) VALUES (%s, %s, %s, %s, %s, '', %s)"
        )
        self.insert_registration = _sql(
            f"INSERT INTO sales_registration ({REGISTRATION_COLUMNS}) "
            f"VALUES ({_placeholders(REGISTRATION_COLUMNS)}) RETURNING id"
        )
        self.insert_key = _sql(
            "INSERT INTO sales_registrationkey (company_id, kind, value, customer_id, "
            "registration_id, claimed_at) VALUES (%s, %s, %s, %s, %s, %s)"
        )
        self.lock_head = _sql(
            "SELECT id, last_seq, last_hash FROM ledger_ledgerstream "
            "WHERE company_id = %s AND name = %s" + (" FOR UPDATE" if self.pg else "")
        )
        self.insert_entry = _sql(
            f"INSERT INTO ledger_ledgerentry ({ENTRY_COLUMNS}) "
            f"VALUES ({_placeholders(ENTRY_COLUMNS)})"
        )
        self.move_head = _sql(
            "UPDATE ledger_ledgerstream SET last_seq = %s, last_hash = %s, updated_at = %s "
            "WHERE id = %s"
        )
        LedgerStream.objects.get_or_create(company_id=self.company_id, name=FLOOR_STREAM)

    def match_sql(self, v: Visitor) -> tuple[str, list[Any]]:
        shape = (bool(v.full_name_key), bool(v.phone_e164), bool(v.plate_key and v.surname))
        params: list[Any] = []
        parts = []
        if shape[0]:
            parts.append(
                "SELECT id FROM customers_customer WHERE company_id = %s AND full_name_key = %s"
            )
            params += [self.company_id, v.full_name_key]
        if shape[1]:
            parts.append(
                "SELECT customer_id FROM customers_customerphone WHERE company_id = %s "
                "AND e164 = %s"
            )
            params += [self.company_id, v.phone_e164]
        if shape[2]:
            parts.append(
                "SELECT id FROM customers_customer WHERE company_id = %s AND plate_key = %s "
                "AND car_brand_key = %s AND surname = %s"
            )
            params += [self.company_id, v.plate_key, v.car_brand_key, v.surname]
        sql = self.match_cache.get(shape)
        if sql is None:
            sql = _sql(
                "SELECT c.id, c.owner_id, c.created_at, o.name FROM customers_customer c "
                "LEFT JOIN org_staff o ON o.id = c.owner_id WHERE c.id IN ("
                + " UNION ".join(parts)
                + ") ORDER BY c.created_at, c.id"
            )
            self.match_cache[shape] = sql
        return sql, params

    def register(self, v: Visitor) -> int:
        office = self.desk.office
        company = self.company_id
        cur = self.cursor
        now = timezone.now()
        at = connection.ops.adapt_datetimefield_value(now)
        today = timezone.localdate(now)
        receiver = (
            office.sellers[v.asked_for].pk
            if v.asked_for is not None
            else office.sellers[v.site * SELLERS_PER_SITE].pk
        )
        desk = office.desks[v.site]
        customer_id = self.desk.customer(v)
        cur.execute(self.begin)
        try:
            sql, params = self.match_sql(v)
            cur.execute(sql, params)
            cur.fetchall()
            first = customer_id is None
            if customer_id is not None:
                cur.execute(self.first_key, [company, str(customer_id)])
                first = cur.fetchone() is None
                cur.execute(self.earlier, [company, customer_id])
                cur.fetchall()
                cur.execute(self.note_visit, [at, company, customer_id, at])
            else:
                names = _name_columns(v.customer_name)
                cur.execute(
                    self.insert_customer,
                    [
                        company,
                        "person",
                        v.customer_name,
                        v.employer_or_address,
                        "",
                        v.car_brand,
                        v.plate,
                        v.source,
                        v.intention,
                        "",
                        "",
                        receiver,
                        at,
                        desk.pk,
                        at,
                        *names,
                        v.plate_key,
                        v.car_brand_key,
                        at,
                    ],
                )
                customer_id = cur.fetchone()[0]
                if v.phone_e164:
                    cur.execute(
                        self.insert_phone,
                        [company, customer_id, v.contact, v.phone_e164, v.phone_e164[-4:], at],
                    )
            cur.execute(
                self.insert_registration,
                [
                    company,
                    office.sites[v.site].pk,
                    customer_id,
                    at,
                    connection.ops.adapt_datefield_value(today),
                    v.customer_name,
                    v.employer_or_address,
                    v.contact,
                    v.phone_e164,
                    v.car_brand,
                    v.plate,
                    v.intention,
                    v.source,
                    receiver,
                    desk.pk,
                    at,
                    False,
                    "[]",
                    self.policy_ref,
                    None,
                    None,
                    "",
                ],
            )
            registration_id = cur.fetchone()[0]
            keys = [("visit", f"{customer_id}|{today.isoformat()}")]
            if first:
                keys.append(("customer", str(customer_id)))
            if customer_id is not None and v.customer is None:
                if v.phone_e164:
                    keys.append(("phone", v.phone_e164))
                if v.plate_key and v.car_brand_key and v.surname:
                    keys.append(("car", f"{v.car_brand_key}|{v.plate_key}|{v.surname}"))
            for kind, value in sorted(keys):
                cur.execute(
                    self.insert_key, [company, kind, value, customer_id, registration_id, at]
                )
            cur.execute(self.lock_head, [company, FLOOR_STREAM])
            head_id, last_seq, last_hash = cur.fetchone()
            payload = {
                "registration_id": registration_id,
                "customer_id": customer_id,
                "site_id": office.sites[v.site].pk,
                "visited_at": now.isoformat(),
                "customer_name": v.customer_name,
                "contact": identity_rules.mask_phone(v.phone_e164) if v.phone_e164 else "",
                "receiver_id": receiver,
                "first": first,
                "rule_ids": ["A7.4", "A1.1", "A1.5"] if first else ["A7.4", "A1.1"],
            }
            recorded_at = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            document = {
                "v": ledger_rules.FORMAT_VERSION,
                "company": company,
                "stream": FLOOR_STREAM,
                "seq": last_seq + 1,
                "recorded_at": recorded_at,
                "kind": "registration",
                "payload": payload,
                "subject": ["sales.registration", str(registration_id)],
                "corrects": None,
                "reason": "",
                "recorded_by": desk.user_id,
                "prev_hash": last_hash,
            }
            digest = hashlib.sha256(
                json.dumps(
                    document, ensure_ascii=False, sort_keys=True, separators=(",", ":")
                ).encode()
            ).hexdigest()
            cur.execute(
                self.insert_entry,
                [
                    company,
                    FLOOR_STREAM,
                    last_seq + 1,
                    at,
                    "registration",
                    json.dumps(payload, ensure_ascii=False),
                    "sales.registration",
                    str(registration_id),
                    None,
                    "",
                    desk.user_id,
                    last_hash,
                    digest,
                ],
            )
            cur.execute(self.move_head, [last_seq + 1, digest, at, head_id])
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")
        return registration_id


_NAME_CACHE: dict[str, list[str]] = {}


def _name_columns(name: str) -> list[str]:
    """name_key … pinyin_full, computed before the timing (the floor gets normalised keys)."""
    cached = _NAME_CACHE.get(name)
    if cached is None:
        initials, full = identity_rules.name_pinyin(name)
        cached = [
            identity_rules.normalise_name(name)[:100],
            identity_rules.full_name_key(name)[:100],
            identity_rules.surname_of(name)[:40],
            initials[:100],
            full[:255],
        ]
        _NAME_CACHE[name] = cached
    return cached


# --- measuring ----------------------------------------------------------------------------------


def _queries(fn: Callable[[], object]) -> list[str]:
    """The statements one call runs (their SQL, shortened), to count and to read."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"][:300] for q in captured.captured_queries]


def _floor_queries(floor: Floor, v: Visitor) -> int:
    """Statements of one floor call (on the raw cursor, so counted by wrapping it)."""
    real = floor.cursor
    counter = _CountingCursor(real)
    floor.cursor = counter  # type: ignore[assignment]
    try:
        floor.register(v)
    finally:
        floor.cursor = real
    return counter.count


class _CountingCursor:
    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.count = 0

    def execute(self, *args: Any) -> Any:
        self.count += 1
        return self.cursor.execute(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


class CallAnatomy:
    """Where the slowest timed registrations spent their time: in statements (the execute
    wrapper), in the commit, in Python's garbage collector, or in the rest of kehu's Python —
    so that a tail can be told from cold pages, a slow commit or a collection. The cost is two
    clock reads per statement."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.calls: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._gc_started = 0
        gc.callbacks.append(self._gc)
        commit = connection._commit

        def timed_commit() -> Any:
            started = perf_counter_ns()
            try:
                return commit()
            finally:
                if self._current is not None:
                    self._current["commit_ns"] += perf_counter_ns() - started

        connection._commit = timed_commit

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if self._current is None:
            return
        if phase == "start":
            self._gc_started = perf_counter_ns()
        else:
            self._current["gc_ns"] += perf_counter_ns() - self._gc_started

    def _statement(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = perf_counter_ns() - started
            call = self._current
            if call is not None:
                call["statements_ns"] += spent
                call["statements"] += 1
                if spent > call["slowest_statement_ns"]:
                    call["slowest_statement_ns"] = spent
                    call["slowest_statement"] = " ".join(sql.split())[:90]

    @contextmanager
    def call(self, label: str, timed: bool) -> Iterator[None]:
        if not timed:
            yield
            return
        self._current = {
            "visitor": label,
            "statements": 0,
            "statements_ns": 0,
            "commit_ns": 0,
            "gc_ns": 0,
            "slowest_statement_ns": 0,
            "slowest_statement": "",
        }
        started = perf_counter_ns()
        try:
            with self.connection.execute_wrapper(self._statement):
                yield
        finally:
            self._current["total_ns"] = perf_counter_ns() - started
            self.calls.append(self._current)
            self._current = None

    def slowest(self, n: int) -> list[dict[str, Any]]:
        """The ``n`` slowest calls, in ms: total, statements, commit, collector, the rest."""
        found = []
        for call in sorted(self.calls, key=lambda c: -c["total_ns"])[:n]:
            ms = {
                k: round(call[f"{k}_ns"] / 1e6, 2) for k in ("total", "statements", "commit", "gc")
            }
            ms["python"] = round(ms["total"] - ms["statements"] - ms["commit"] - ms["gc"], 2)
            found.append(
                {
                    **ms,
                    "visitor": call["visitor"],
                    "statements_count": call["statements"],
                    "slowest_statement_ms": round(call["slowest_statement_ns"] / 1e6, 2),
                    "slowest_statement": call["slowest_statement"],
                }
            )
        return found


def _profile(desk: Desk, visitors: list[Visitor]) -> str:
    profiler = cProfile.Profile()
    for v in visitors:
        profiler.enable()
        visit_id, _ = desk.in_process(v)
        profiler.disable()
        desk.end(visit_id, v.site)
    return _profile_text(profiler, r"kehu/|benchmarks/")


def _profile_api(api: ApiDesk, visitors: list[Visitor]) -> str:
    """The same visitors' registration requests (``POST …/register`` only) through the API:
    what Django, django-ninja and the request's own reads add to ``visit_register``."""
    profiler = cProfile.Profile()
    for v in visitors:
        visit_id = api.desk.arrive(v)
        profiler.enable()
        api.register_only(v, visit_id)
        profiler.disable()
        api.desk.end(visit_id, v.site)
    return _profile_text(profiler, r"kehu/|benchmarks/|django/|ninja/|psycopg/")


def _profile_text(profiler: cProfile.Profile, only: str) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(only, 40)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())[-12_000:]


def _db_megabytes(mode: str) -> float:
    if connection.vendor == "sqlite":
        path = sqlite_path(mode)
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
        return round(size / 1e6, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return round(cursor.fetchone()[0] / 1e6, 1)


def measure(
    database: str, sizes: SalesSizes, seed: int, log: Callable[[str], None], started: float
) -> dict[str, Any]:
    log(f"{database}: migrating a fresh database")
    t0 = perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = perf_counter() - t0

    log(f"generating a book of {sizes.registrations:,} registrations (seed {seed})")
    t0 = perf_counter()
    book = generate_sales_book(seed, sizes.registrations)
    if sizes.book_ends_today:
        shift_book(book, (timezone.now() - BOOK_END).days)
    per_path = sizes.calls + sizes.warmup + 1
    visitors = draw_visitors(book, 3 * per_path + 2 + 2 * sizes.profiled, seed=seed + 11)
    generate_seconds = perf_counter() - t0
    office = build_office(book)
    _policy, policy_ref = full_name_alone_policy(office.desks[0], timezone.now())
    log(f"loading (generated in {generate_seconds:.1f} s)")
    t0 = perf_counter()
    loaded: LoadedBook = load_book(office, book, policy_ref=policy_ref, tz=office_tz(), log=log)
    load_seconds = perf_counter() - t0
    log(f"loaded in {load_seconds:.1f} s: {loaded.rows}")

    today = timezone.localdate()
    for pm, site in zip(office.pms, office.sites, strict=True):
        rotation_day_open(actor=pm, site=site, on=today)
    desk = Desk(office, loaded.customer_ids)
    api = ApiDesk(desk)
    floor = Floor(desk, policy_ref)

    kehu_pool = visitors[0:per_path]
    api_pool = visitors[per_path : 2 * per_path]
    floor_pool = visitors[2 * per_path : 3 * per_path]
    profiled = visitors[3 * per_path + 2 : 3 * per_path + 2 + sizes.profiled]
    profiled_api = visitors[3 * per_path + 2 + sizes.profiled :]

    anatomy = CallAnatomy(connection)
    samples: dict[str, list[int]] = defaultdict(list)
    by_kind: dict[str, list[int]] = defaultdict(list)
    by_kind_register: dict[str, list[int]] = defaultdict(list)
    errors: Counter[str] = Counter()

    def run_kehu(v: Visitor, timed: bool) -> None:
        begin = perf_counter_ns()
        try:
            visit_id = desk.arrive(v)
            arrive_ns = perf_counter_ns() - begin
            with anatomy.call(f"{v.kind}", timed):
                desk.register(v, visit_id)
        except KehuError as error:
            errors[f"in-process {v.kind}: {error.code}"] += 1
            return
        spent = perf_counter_ns() - begin
        if timed:
            samples["kehu"].append(spent)
            samples["kehu_arrive"].append(arrive_ns)
            samples["kehu_register"].append(spent - arrive_ns)
            by_kind[str(v.kind)].append(spent)
            by_kind_register[str(v.kind)].append(spent - arrive_ns)
        desk.end(visit_id, v.site)

    def run_api(v: Visitor, timed: bool) -> None:
        begin = perf_counter_ns()
        try:
            visit_id, arrive_ns = api.register(v)
        except ApiFailed as error:
            errors[f"api {v.kind}: {error.code}"] += 1
            return
        spent = perf_counter_ns() - begin
        if timed:
            samples["api"].append(spent)
            samples["api_arrive"].append(arrive_ns)
            samples["api_register"].append(spent - arrive_ns)
        desk.end(visit_id, v.site)

    def run_floor(v: Visitor, timed: bool) -> None:
        begin = perf_counter_ns()
        floor.register(v)
        spent = perf_counter_ns() - begin
        if timed:
            samples["floor"].append(spent)
            samples[f"floor_{v.kind}"].append(spent)

    paths = (run_kehu, run_api, run_floor)
    pools = (kehu_pool, api_pool, floor_pool)
    # The generated book (millions of Python objects) lives in this process only because the
    # benchmark made it; a server process does not hold it. Left to the collector, every full
    # collection walked it during the timed calls (a p99 of 128 ms against 61 ms frozen, on
    # PostgreSQL at 1,000,000 lines), so it is moved out of the collector's sight first.
    gc.collect()
    gc.freeze()
    log(f"timing {sizes.calls:,} calls per path (+{sizes.warmup} warm-up)")
    t0 = perf_counter()
    checkpoints = IdleCheckpoints()
    for i in range(sizes.calls + sizes.warmup):
        timed = i >= sizes.warmup
        # Rotate which path goes first, so a burst of noise is shared.
        for k in range(3):
            p = (i + k) % 3
            paths[p](pools[p][i], timed)
            checkpoints.idle()
        if i and i % 200 == 0:
            log(f"  {i:,} done ({perf_counter() - t0:.0f} s)")
    timing_seconds = perf_counter() - t0

    last = sizes.calls + sizes.warmup
    # The statements of one call of each path (the visit's end, untimed, is not counted).
    ended: list[tuple[int, int]] = []
    kehu_queries = _queries(lambda: ended.append(desk.in_process(kehu_pool[last])))
    desk.end(ended[-1][0], kehu_pool[last].site)
    spare = visitors[3 * per_path]  # one visitor kept apart for counting
    spare_visit = desk.arrive(spare)
    register_queries = _queries(lambda: desk.register(spare, spare_visit))
    desk.end(spare_visit, spare.site)
    api_queries = _queries(lambda: ended.append(api.register(api_pool[last])))
    desk.end(ended[-1][0], api_pool[last].site)
    spare_api = visitors[3 * per_path + 1]
    spare_api_visit = desk.arrive(spare_api)
    api_register_queries = _queries(lambda: api.register_only(spare_api, spare_api_visit))
    desk.end(spare_api_visit, spare_api.site)
    floor_queries = _floor_queries(floor, floor_pool[last])
    log("profiling")
    profile = _profile(desk, profiled)
    profile_api = _profile_api(api, profiled_api)

    log("verifying the registration book's ledger stream")
    t0 = perf_counter()
    report = ledger_verify(company=office.company, stream="registration_book")
    verify_seconds = perf_counter() - t0
    if not report.ok:
        raise AssertionError(f"the registration book does not verify: {report}")

    if not (samples["kehu"] and samples["api"] and samples["floor"]):
        raise AssertionError(f"a path had no successful call: {dict(errors)}")
    floor_stats = Stats.of(samples["floor"])

    size = loaded.registrations
    kind_note = ", ".join(f"{k} {len(v)}" for k, v in sorted(by_kind.items()))
    results = [
        Result(
            group="sales",
            operation="register a visit, in-process (visit_register)",
            size=size,
            kehu=Stats.of(samples["kehu_register"]),
            floor=floor_stats,
            kehu_queries=len(register_queries),
            floor_queries=floor_queries,
            note=f"visitors: {kind_note}",
            extras={
                **{
                    f"visitor {kind}": Stats.of(values)
                    for kind, values in sorted(by_kind_register.items())
                },
                **{
                    f"floor, visitor {kind}": Stats.of(samples[f"floor_{kind}"])
                    for kind in VisitorKind
                    if samples.get(f"floor_{kind}")
                },
            },
        ),
        Result(
            group="sales",
            operation="register a visit, API (django.test.Client: POST …/register)",
            size=size,
            kehu=Stats.of(samples["api_register"]),
            floor=floor_stats,
            kehu_queries=len(api_queries),
            floor_queries=floor_queries,
            note="statements: both requests (arrival and registration)",
        ),
        Result(
            group="sales",
            operation="arrival + registration, in-process (visit_arrive + visit_register)",
            size=size,
            kehu=Stats.of(samples["kehu"]),
            floor=floor_stats,
            kehu_queries=len(kehu_queries),
            floor_queries=floor_queries,
            extras={
                "visit_arrive alone": Stats.of(samples["kehu_arrive"]),
                **{f"visitor {kind}": Stats.of(values) for kind, values in sorted(by_kind.items())},
            },
        ),
        Result(
            group="sales",
            operation="arrival + registration, API (POST /receptions/ + POST …/register)",
            size=size,
            kehu=Stats.of(samples["api"]),
            floor=floor_stats,
            kehu_queries=len(api_queries),
            floor_queries=floor_queries,
            extras={"POST /receptions/ alone": Stats.of(samples["api_arrive"])},
        ),
    ]
    return {
        "database": database_info(),
        "database_mb": _db_megabytes(sizes.mode),
        "migrate_seconds": round(migrate_seconds, 2),
        "generate_seconds": round(generate_seconds, 2),
        "load": {
            "rows": loaded.rows,
            "seconds": loaded.seconds,
            "total_seconds": round(load_seconds, 1),
        },
        "timing_seconds": round(timing_seconds, 1),
        "background_checkpoints": checkpoints.as_dict(),
        "slowest_register_calls": anatomy.slowest(8),
        "ledger_verify_seconds": round(verify_seconds, 1),
        "errors": dict(errors),
        "results": [r.as_dict() for r in results],
        "profile": profile,
        "profile_api": profile_api,
        "statements_in_process": kehu_queries,
        "statements_api": api_queries,
        "statements_api_register": api_register_queries,
        "seconds": round(perf_counter() - started, 1),
    }
