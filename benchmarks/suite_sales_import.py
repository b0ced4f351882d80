"""Importing a legacy register (旧客户登记本) of 100,000 rows, against a raw-``executemany`` floor.

kehu's figure is ``legacy_import_run`` end to end: reading the .xlsx, checking every row
(dates, phones to E.164, salespeople), looking every deciding identity key up in a book of
``customers`` existing customers, and writing the customers, phones, registration lines,
first-registration keys and one sealed ledger entry per line in one transaction. The dry run
(``legacy_import_check``: everything but the writes) is timed beside it.

The floor is the same run's rows — the values kehu wrote, read back untimed — inserted again
into the same tables by ``cursor.executemany`` in one transaction, under a company of their own
(so the unique keys do not collide), with nothing computed: no parsing, no normalising, no
hashing, no lookups. The ratio says what the import's checks and evidence cost over the bare
writes.

Each figure is one run of the whole import (a single sample): a 100,000-row import is itself
the unit a user waits for. Standalone:
``python -m benchmarks.suite_sales_import [--rows N] [--customers N] [--only sqlite|postgresql]``
(fresh databases, as ``python -m benchmarks``; results in ``benchmarks/out/sales_import.json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter, perf_counter_ns
from typing import Any

from benchmarks import config

ROWS = 100_000
QUICK_ROWS = 2_000
SOURCES = ("朋友介绍", "路过", "报纸广告", "网络", "老客户介绍", "户外广告", "电台", "")
INTENTIONS = ("两居室", "三居室，预算 300 万", "大平层", "学区房", "投资", "商铺", "")


def rows_for(mode: str) -> int:
    """``make bench`` imports 100,000 rows; ``--quick`` 2,000."""
    return QUICK_ROWS if mode == "quick" else ROWS


def legacy_rows(world: Any, rows: int, seed: int) -> list[list[Any]]:
    """A realistic legacy register: names by the census weights, fresh mobiles typed the ways
    staff type them, 40% with a car, dates over five years, the company's salespeople; about
    1% repeats of an earlier row's phone and 0.5% mistyped phones (rejected as a real book's)."""
    from benchmarks.dataset import Generator

    gen = Generator(seed)
    rng = random.Random(seed)
    taken_mobiles = set(world.book.mobiles)
    taken_plates = set(world.book.plates)
    names = [s.name for s in world.salespeople]
    start = dt.date(2021, 1, 1)
    out: list[list[Any]] = []
    for _ in range(rows):
        roll = rng.random()
        if roll < 0.01 and out:
            phone = out[rng.randrange(len(out))][3]
        elif roll < 0.015:
            phone = f"1{rng.randrange(10**8):08d}"  # nine digits: a mistyped mobile
        else:
            phone = gen.typed_mobile(gen.mobile(taken_mobiles))
        brand, plate = "", ""
        if rng.random() < 0.4:
            name_, spellings = gen.brand()
            brand = gen.typed_brand(name_, spellings)
            plate = gen.typed_plate(gen.plate(taken_plates))
        out.append(
            [
                start + dt.timedelta(days=rng.randrange(5 * 365)),
                gen.surname() + gen.given_name(),
                gen.address(),
                phone,
                brand,
                plate,
                rng.choice(INTENTIONS),
                rng.choice(SOURCES),
                rng.choice(names),
            ]
        )
    return out


def xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    from kehu.sales.import_rules import HEADERS

    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户登记本")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _tables() -> list[tuple[Any, str]]:
    from kehu.core.customers.models import Customer, CustomerPhone
    from kehu.core.ledger.models import LedgerEntry
    from kehu.sales.models.registration import Registration, RegistrationKey

    return [
        (Customer, "customer"),
        (CustomerPhone, "phone"),
        (Registration, "registration"),
        (RegistrationKey, "key"),
        (LedgerEntry, "ledger"),
    ]


def _floor_rows(company_id: int, first_ids: dict[str, int], floor_company_id: int) -> Any:
    """The rows kehu wrote for the import (ids ≥ ``first_ids``), re-keyed for the floor."""
    from django.db.models import Max

    from kehu.core.ledger.models import LedgerEntry

    shifted: dict[str, int] = {}
    batches = []
    for model, key in _tables():
        top = model.objects.aggregate(top=Max("pk"))["top"] or 0
        shifted[key] = top + 1 - first_ids[key]
    for model, key in _tables():
        fields = list(model._meta.concrete_fields)
        qs = model.objects.filter(company_id=company_id, pk__gte=first_ids[key])
        if model is LedgerEntry:
            qs = qs.filter(kind="registration.imported")
        raw = list(qs.order_by("pk").values_list(*[f.attname for f in fields]))
        rows = []
        for values in raw:
            row = []
            for field, value in zip(fields, values, strict=True):
                name = field.attname
                if name == "id":
                    value += shifted[key]
                elif name == "company_id":
                    value = floor_company_id
                elif name == "customer_id" and key != "customer":
                    value += shifted["customer"]
                elif name == "registration_id":
                    value += shifted["registration"]
                row.append(field.get_db_prep_save(value, connection=_connection()))
            rows.append(row)
        columns = ", ".join(_connection().ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})"
        batches.append((sql, rows))
    return batches


def _connection() -> Any:
    from django.db import connection

    return connection


def _reset_sequences() -> None:
    connection = _connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model, _key in _tables():
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )


def run_import(world: Any, *, rows: int, seed: int, log: Any) -> list[Any]:
    from django.db import transaction
    from django.db.models import Max

    from benchmarks.timing import Result, Stats
    from kehu.core.org.models import Company
    from kehu.sales import import_services

    log(f"sales import: generating a {rows:,}-row legacy register")
    content = xlsx(legacy_rows(world, rows, seed))
    staff = world.manager
    site = staff.site
    first_ids = {
        key: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for model, key in _tables()
    }
    log(f"sales import: dry run ({len(content) / 1e6:.1f} MB)")
    started = perf_counter_ns()
    read = sum(1 for _ in import_services.read_sheet(content))
    read_ns = perf_counter_ns() - started
    started = perf_counter_ns()
    dry = import_services.legacy_import_check(staff=staff, site=site.pk, content=content)
    dry_ns = perf_counter_ns() - started
    log(f"sales import: real run ({dry.accepted:,} accepted, {dry.rejected:,} rejected)")
    started = perf_counter_ns()
    done = import_services.legacy_import_run(
        staff=staff, site=site.pk, content=content, file_name="bench.xlsx", plan=dry.plan
    )
    run_ns = perf_counter_ns() - started
    assert done.written == dry.accepted and read == rows
    floor_company = Company.objects.create(
        group=world.company.group, code="bench-floor", name="基准地板公司", kind="real_estate"
    )
    batches = _floor_rows(world.company.pk, first_ids, floor_company.pk)
    inserted = sum(len(r) for _sql, r in batches)
    log(f"sales import: floor ({inserted:,} rows by executemany)")
    connection = _connection()
    started = perf_counter_ns()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in batches:
            cursor.executemany(sql, params)
    floor_ns = perf_counter_ns() - started
    _reset_sequences()
    per_table = {sql.split()[2]: len(params) for sql, params in batches}
    return [
        Result(
            group="sales import",
            operation=f"import a {rows:,}-row legacy register (one transaction)",
            size=rows,
            kehu=Stats.of([run_ns]),
            floor=Stats.of([floor_ns]),
            note=(
                f"{done.written:,} lines written, {done.rejected:,} rows rejected; "
                f"{inserted:,} rows in all ({per_table}); file {len(content) / 1e6:.1f} MB; "
                f"kehu {done.written / (run_ns / 1e9):,.0f} lines/s"
            ),
            extras={
                "dry run (read, check, look up; no writes)": Stats.of([dry_ns]),
                "reading the .xlsx alone": Stats.of([read_ns]),
            },
        )
    ]


# --- standalone run ------------------------------------------------------------------------------


def _worker(database: str, rows: int, customers: int, seed: int, result: Path) -> None:
    from benchmarks.database import database_info, pg_fresh, sqlite_fresh_url
    from benchmarks.worker import _setup_django, log

    if database == "sqlite":
        url = sqlite_fresh_url()
    else:
        url = config.pg_url()
        pg_fresh(url)
    _setup_django(url)
    from django.core.management import call_command

    from benchmarks.world import build_world

    log(f"{database}: migrating a fresh database")
    call_command("migrate", interactive=False, verbosity=0)
    world = build_world(seed=seed, customers=customers, log=log)
    results = run_import(world, rows=rows, seed=seed + 11, log=log)
    result.write_text(
        json.dumps(
            {
                "database": database_info(),
                "load": {
                    "rows": world.load_rows,
                    "seconds": world.load_seconds,
                    "rows_per_second": {
                        t: round(n / world.load_seconds[t])
                        for t, n in world.load_rows.items()
                        if world.load_seconds.get(t)
                    },
                },
                "results": [r.as_dict() for r in results],
            },
            ensure_ascii=False,
            default=str,
        ),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    from benchmarks.database import pg_check
    from benchmarks.machine import machine_info
    from benchmarks.report import markdown_tables, text_tables

    parser = argparse.ArgumentParser(prog="python -m benchmarks.suite_sales_import")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--customers", type=int, default=config.DEFAULT.customers)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--worker", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=config.OUT_DIR / "sales_import.json")
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.rows, args.customers, args.seed, args.result)
        return 0
    started = perf_counter()
    run: dict[str, Any] = {
        "machine": machine_info(),
        "config": {
            **config.DEFAULT.as_dict(),
            "mode": f"sales import {args.rows:,} rows",
            "customers": args.customers,
            "seed": args.seed,
        },
        "databases": {},
    }
    for database in ("sqlite", "postgresql"):
        if args.only and args.only != database:
            continue
        if database == "postgresql":
            reason = pg_check(config.pg_url())
            if reason is not None:
                run["databases"][database] = {"skipped": reason}
                continue
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            result = Path(handle.name)
        command = [
            sys.executable, "-m", "benchmarks.suite_sales_import", "--worker", database,
            "--result", str(result), "--rows", str(args.rows),
            "--customers", str(args.customers), "--seed", str(args.seed),
        ]  # fmt: skip
        done = subprocess.run(command, cwd=config.PROJECT_DIR, check=False)
        if done.returncode != 0:
            run["databases"][database] = {"skipped": "the worker failed", "failed": True}
        else:
            run["databases"][database] = json.loads(result.read_text(encoding="utf-8"))
        result.unlink(missing_ok=True)
    run["seconds"] = round(perf_counter() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(run, ensure_ascii=False, indent=2, default=str) + "\n")
    print(text_tables(run))
    print()
    print(markdown_tables(run))
    return 1 if any(db.get("failed") for db in run["databases"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
