"""Registering a visit at the sales office (issue #4, Performance): kehu against its floor.

``python -m benchmarks.suite_sales_register [--quick] [--only sqlite|postgresql]``

Each database runs in its own worker process (``python -m benchmarks.worker --suite
sales_register``), one after the other: a fresh database (SQLite ``var/bench/
kehu-bench-sales-<mode>.sqlite3``; PostgreSQL ``KEHU_BENCH_DATABASE_URL`` with ``_sales_<mode>``
appended to its name, dropped and re-created), ``migrate``, the generated book bulk-loaded
(1,000,000 registration lines by default: ``benchmarks.sales_dataset``,
``benchmarks.sales_loading``), today's rotation opened at every sales office, then three
paths timed call by call in rotation (so a burst of noise from a neighbour hits all three):

- **in-process**: ``reception_services.visit_arrive`` (the rotation names the receiver) +
  ``visit_register`` (the registration line with A7.4 identity matching, first-registration
  keys and its ledger entry, the facts, the ownership engine's decision stored with its own
  ledger entry, the owner applied) — what the front desk's 登记 does;
- **API**: the same two calls as HTTP requests through Django's whole stack in-process
  (``django.test.Client``: middleware, session authentication, django-ninja parsing and the
  JSON answer; no socket, no WSGI server — a real server adds its own accept/parse cost);
- **floor**: the same registration by hand on the raw connection: one transaction with the
  indexed lookups of the identity keys (one UNION statement), the customer's first-registration
  key and earlier lines, then the inserts (new customer and phone when new, the line, its keys)
  and its ledger row with the SHA-256 chain hash computed.

The visitors are a mix (``sales_dataset.VISITOR_MIX``): new customers, earlier customers
recognised by phone or by brand + plate + surname (the desk then picks the customer), and new
visitors sharing a full name with earlier customers (A7.4 Reading: kept for the sales manager's
confirmation). Every visit is ended after its timing (``visit_end``, not timed) so the
receiver is free again (A2.5).

Results go to ``benchmarks/out/sales_register.json`` and print as tables; ``--markdown`` prints
a saved run for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks import config
from benchmarks.worker import run_in_worker


def sqlite_path(mode: str) -> Path:
    """One file per mode: a quick run must not remove the file a default run is using."""
    return config.BENCH_VAR_DIR / f"kehu-bench-sales-{mode}.sqlite3"


OUT_FILE = config.OUT_DIR / "sales_register.json"


@dataclass(frozen=True)
class SalesSizes:
    mode: str
    registrations: int  # lines in the book
    calls: int  # timed calls per path (in-process, API, floor)
    warmup: int
    profiled: int  # in-process calls profiled with cProfile after the timing
    # The book ends the day before the run instead of on BOOK_END: earlier customers' A7.15
    # windows (and namesakes') are then partly still open, as in an office's live book.
    book_ends_today: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


QUICK = SalesSizes(mode="quick", registrations=10_000, calls=60, warmup=10, profiled=20)
# 400 timed calls per path: on this shared 2-core machine one kehu registration takes a quarter
# of a second or more under load, and the run must fit beside the others' work.
DEFAULT = SalesSizes(mode="default", registrations=1_000_000, calls=400, warmup=20, profiled=40)


def sizes_for(mode: str) -> SalesSizes:
    """The mode's sizes; ``--registrations`` / ``--calls`` override them (passed to the worker
    in the environment, and recorded with the results)."""
    sizes = QUICK if mode == "quick" else DEFAULT
    registrations = os.environ.get("KEHU_BENCH_SALES_REGISTRATIONS")
    calls = os.environ.get("KEHU_BENCH_SALES_CALLS")
    return replace(
        sizes,
        registrations=int(registrations) if registrations else sizes.registrations,
        calls=int(calls) if calls else sizes.calls,
        book_ends_today=os.environ.get("KEHU_BENCH_SALES_BOOK_ENDS_TODAY") == "1",
    )


def pg_url(mode: str) -> str:
    """The bench database's name + ``_sales_<mode>`` (dropped and re-created by each run)."""
    parts = urlsplit(config.pg_url())
    name = parts.path.lstrip("/") + f"_sales_{mode}"
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


# --- the worker (one database, in its own process) ---------------------------------------------


def run_worker(database: str, mode: str, seed: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Create the database, load the book, time the three paths; returns the JSON record."""
    from benchmarks.database import pg_fresh

    started = perf_counter()
    if database == "sqlite":
        config.BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = sqlite_path(mode)
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{sqlite_path(mode)}"
    else:
        url = pg_url(mode)
        pg_fresh(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    os.environ["KEHU_DATABASE_URL"] = url
    os.environ["KEHU_VAR_DIR"] = str(config.BENCH_VAR_DIR)
    import django

    django.setup()
    from benchmarks.sales_timing import measure

    return measure(database, sizes_for(mode), seed, log, started)


# --- the orchestrator ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from benchmarks.database import pg_check
    from benchmarks.machine import machine_info

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.suite_sales_register", description=__doc__
    )
    parser.add_argument("--quick", action="store_true", help="a small book (a smoke test)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--output", type=Path, default=OUT_FILE)
    parser.add_argument("--registrations", type=int, help="lines in the book (overrides the mode)")
    parser.add_argument("--calls", type=int, help="timed calls per path (overrides the mode)")
    parser.add_argument(
        "--book-ends-today",
        action="store_true",
        help="shift the book to end yesterday (default: it ends on 2026-06-01, so every earlier "
        "customer's 60-day window has passed by the timed visits)",
    )
    parser.add_argument(
        "--markdown",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="print saved runs (default: the last one) as Markdown, and run nothing; several "
        "files (e.g. one --only run per database) are printed one after the other",
    )
    args = parser.parse_args(argv)
    if args.markdown is not None:
        for path in args.markdown or [OUT_FILE]:
            print(markdown(json.loads(path.read_text(encoding="utf-8"))))
        return 0
    mode = "quick" if args.quick else "default"
    if args.registrations:
        os.environ["KEHU_BENCH_SALES_REGISTRATIONS"] = str(args.registrations)
    if args.calls:
        os.environ["KEHU_BENCH_SALES_CALLS"] = str(args.calls)
    if args.book_ends_today:
        os.environ["KEHU_BENCH_SALES_BOOK_ENDS_TODAY"] = "1"
    sizes = sizes_for(mode)
    started = perf_counter()
    run: dict[str, Any] = {
        "suite": "sales_register",
        "machine": machine_info(),
        "config": {**sizes.as_dict(), "seed": args.seed},
        "databases": {},
    }
    if args.only != "postgresql":
        run["databases"]["sqlite"] = run_in_worker(
            "sqlite", sizes.mode, args.seed, suite="sales_register"
        )
    if args.only != "sqlite":
        reason = pg_check(pg_url(sizes.mode))
        if reason is None:
            run["databases"]["postgresql"] = run_in_worker(
                "postgresql", sizes.mode, args.seed, suite="sales_register"
            )
        else:
            print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
            run["databases"]["postgresql"] = {"skipped": reason}
    run["seconds"] = round(perf_counter() - started, 1)
    run["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(run, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(markdown(run))
    print(f"\n{run['seconds']:.0f} s in all; written to {args.output}")
    return 1 if any(db.get("failed") for db in run["databases"].values()) else 0


# --- reporting ----------------------------------------------------------------------------------


def _t(us: float) -> str:
    return f"{us / 1000:,.2f} ms" if us >= 1000 else f"{us:,.0f} µs"


def markdown(run: dict[str, Any]) -> str:
    from benchmarks.report import DATABASE_TITLES, database_settings

    m, c = run["machine"], run["config"]
    out = [
        f"- run: {m['date']}, commit {m.get('git_commit') or '?'}, mode `{c['mode']}`, seed "
        f"{c['seed']}, {run.get('seconds', 0):.0f} s in all",
        f"- machine: {m['nproc']} × {m['cpu_model']}, {m['ram_gib']} GiB RAM, load average "
        f"at start {', '.join(str(x) for x in m['load_average'])}"
        + (
            f", at end {', '.join(str(x) for x in m['load_average_end'])}"
            if m.get("load_average_end")
            else ""
        ),
        f"- software: Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}",
        f"- timed calls per path: {c['calls']:,} (after {c['warmup']} warm-up calls)",
        "",
    ]
    for name, db in run["databases"].items():
        title = DATABASE_TITLES.get(name, name)
        if "skipped" in db:
            out += [f"#### {title}", "", f"Skipped: {db['skipped']}", ""]
            continue
        info = db["database"]
        out += [f"#### {title} {info.get('server_version', '')} ({database_settings(info)})", ""]
        load = db["load"]
        out.append(
            f"Book: {load['rows'].get('registrations', 0):,} registration lines, "
            f"{load['rows'].get('customers', 0):,} customers, "
            f"{load['rows'].get('phones', 0):,} phones, "
            f"{load['rows'].get('registration_keys', 0):,} registration keys, "
            f"{load['rows'].get('ledger_entries', 0):,} ledger entries, "
            f"{load['rows'].get('phone_enquiries', 0):,} phone enquiries, "
            f"{load['rows'].get('family_links', 0):,} family links; database "
            f"{db.get('database_mb', 0):,.0f} MB. Load {load['total_seconds']:.0f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in load["seconds"].items())
            + f"); generated in {db.get('generate_seconds', 0):.0f} s, migrated in "
            f"{db.get('migrate_seconds', 0):.0f} s; `ledger_verify` of the loaded stream "
            f"{db.get('ledger_verify_seconds', 0):.0f} s (passed)."
        )
        checkpoints = db.get("background_checkpoints") or {}
        if checkpoints.get("runs"):
            out += [
                "",
                f"WAL checkpoints off the request path during the timing, between saves as the "
                f"worker meets them at an office's pace: at most every "
                f"{checkpoints['every_seconds']:g} s, {checkpoints['runs']} runs "
                f"({checkpoints['busy']} cut short), the longest "
                f"{checkpoints.get('longest_ms', 0):g} ms (untimed).",
            ]
        out += ["", "| path | median | p99 | floor median / p99 | ratio (median) | queries |"]
        out.append("|---|---:|---:|---:|---:|---:|")
        for r in db["results"]:
            k, f = r["kehu"], r["floor"]
            out.append(
                f"| {r['operation']} | {_t(k['median_us'])} | {_t(k['p99_us'])} | "
                f"{_t(f['median_us'])} / {_t(f['p99_us'])} | {r['ratio']:.1f}× | "
                f"{r['kehu_queries']} / {r['floor_queries']} |"
            )
        out.append("")
        for r in db["results"]:
            for label, s in r.get("extras", {}).items():
                out.append(
                    f"- {r['operation']} → {label}: median {_t(s['median_us'])}, "
                    f"p99 {_t(s['p99_us'])} (n {s['n']})"
                )
        slowest = db.get("slowest_register_calls") or []
        if slowest:
            out += [
                "",
                "The slowest in-process registrations, taken apart (ms):",
                "",
                "| total | statements | commit | collector | the rest (Python) | visitor "
                "| statements | slowest statement |",
                "|---:|---:|---:|---:|---:|---|---:|---|",
            ]
            for call in slowest:
                out.append(
                    f"| {call['total']:.1f} | {call['statements']:.1f} | {call['commit']:.1f} "
                    f"| {call['gc']:.1f} | {call['python']:.1f} | {call['visitor']} "
                    f"| {call['statements_count']} | {call['slowest_statement_ms']:.1f}: "
                    f"`{call['slowest_statement'][:48]}…` |"
                )
        if db.get("errors"):
            out.append(f"- errors: {db['errors']}")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
