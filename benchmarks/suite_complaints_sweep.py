"""The complaints sweep (issue #5, Performance): ``complaint_sweep(now=…)`` against its floor.

``python -m benchmarks.suite_complaints_sweep [--quick] [--only sqlite|postgresql]``

Each database runs in its own worker process (``python -m benchmarks.worker --suite
complaints_sweep``), one after the other: a database (SQLite ``var/bench/
kehu-bench-csweep-<mode>.sqlite3``; PostgreSQL ``KEHU_BENCH_DATABASE_URL`` with
``_csweep_<mode>`` appended to its name, dropped and re-created) copied from a migrated
template (kept per migration state, so only the first run pays for ``migrate``), two
companies with supervisor chains, then the open complaints bulk-loaded
(``benchmarks.complaints_loading``), and the timings, in two phases:

1. **open complaints only** (0 closed);
2. **after loading the closed complaints** (10,000,000 on PostgreSQL by default): the same due
   set at the same ``now``, so the two phases differ only by the closed rows.

In each phase, for several rounds (the order rotating, so a burst of a neighbour's noise hits
all three):

- **(a) floor**: the bare SQL on the raw driver connection — ``SELECT`` of the columns the sweep
  reads, from the due checks joined to their complaints: ``WHERE k.next_check_at <= now AND NOT
  (c.stage = 'closed') ORDER BY k.next_check_at LIMIT 250`` (the checks' index
  ``complaint_check_due``, then each complaint by its primary key; its plan is recorded and
  checked), all rows fetched; and the same with ids only;
- **(b)** ``services.sweep_candidates(now=…, limit=250)`` (the ORM read alone, ids);
- **(c)** one whole ``services.complaint_sweep(now=…)`` (read with ``FOR UPDATE SKIP LOCKED``,
  verdicts from ``rules.timing``, bulk update, bulk insert of the events, A8.2 fines to the
  discipline ledger) inside a transaction that is rolled back, so every run starts from the
  same state (the evidence tables are append-only: restoring rows is not possible). The final
  ``COMMIT`` is therefore not in the timing;
- **(d)** the sweep's writes by hand, as a second floor: the same read with its row lock, the
  three fields of every due row and one event per row, each as one multi-row statement per 500
  rows (the events by ``COPY`` on PostgreSQL, as kehu inserts them), rolled back the same way.
  (a) is the issue's floor; (d) says how much of the gap is the writing a sweep must do rather
  than kehu's code.

Results go to ``benchmarks/out/complaints_sweep.json`` and print as Markdown; ``--markdown``
prints a saved run for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import os
import pstats
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from time import perf_counter, perf_counter_ns
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks import config
from benchmarks.worker import run_in_worker

OUT_FILE = config.OUT_DIR / "complaints_sweep.json"
SWEEP_LIMIT = 250  # complaint_sweep's batch (services.SWEEP_BATCH; _phase checks)


@dataclass(frozen=True)
class SweepSizes:
    mode: str
    open: int  # open complaints (both companies)
    closed: int  # closed complaints loaded for the second phase
    interval_seconds: int  # the time since the previous sweep: what the due set covers
    rounds: int  # timed rounds per phase (each: floor, candidates, sweep)
    # The first sweep after local midnight, when every unsettled same-day (A8.2) complaint
    # breaches at once and posts its fines, instead of the 10:00 one.
    at_midnight: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Quick: a smoke test; an hour since the last sweep so that a few hundred rows are due.
QUICK = SweepSizes(mode="quick", open=20_000, closed=100_000, interval_seconds=3600, rounds=5)
# The sizes on PostgreSQL; the sweep runs every minute (Huey), so one minute's rows.
DEFAULT_PG = SweepSizes(
    mode="default", open=1_000_000, closed=10_000_000, interval_seconds=60, rounds=9
)
# SQLite: a fifth of the open rows and of the closed ones (see docs/performance.md: why).
DEFAULT_SQLITE = replace(DEFAULT_PG, open=200_000, closed=2_000_000)


def sizes_for(mode: str, database: str) -> SweepSizes:
    sizes = QUICK if mode == "quick" else DEFAULT_SQLITE if database == "sqlite" else DEFAULT_PG
    opened = os.environ.get("KEHU_BENCH_CSWEEP_OPEN")
    closed = os.environ.get("KEHU_BENCH_CSWEEP_CLOSED")
    at_midnight = os.environ.get("KEHU_BENCH_CSWEEP_AT_MIDNIGHT") == "1"
    return replace(
        sizes,
        open=int(opened) if opened else sizes.open,
        closed=int(closed) if closed else sizes.closed,
        at_midnight=at_midnight,
        # a midnight sweep writes thousands of rows and fines: fewer rounds
        rounds=min(sizes.rounds, 3) if at_midnight else sizes.rounds,
    )


def sqlite_path(mode: str) -> Path:
    return config.BENCH_VAR_DIR / f"kehu-bench-csweep-{mode}.sqlite3"


def pg_url(mode: str, suffix: str | None = None) -> str:
    parts = urlsplit(config.pg_url())
    name = parts.path.lstrip("/") + (suffix or f"_csweep_{mode}")
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def migration_key() -> str:
    """The migration state (every migration file's name and text, and Django's version)."""
    import django

    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted((config.PROJECT_DIR / "src").rglob("migrations/*.py")):
        digest.update(str(path.relative_to(config.PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- the worker (one database, in its own process) ---------------------------------------------


def _fresh_database(database: str, mode: str, log: Callable[[str], None]) -> tuple[str, bool]:
    """The bench database as a copy of the migrated template if there is one; returns (url,
    whether it still needs migrating)."""
    from benchmarks.database import _libpq_url, _pg_maintenance_url, pg_fresh

    key = migration_key()
    if database == "sqlite":
        config.BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
        path = sqlite_path(mode)
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        template = config.BENCH_VAR_DIR / f"kehu-bench-csweep-template-{key}.sqlite3"
        if template.exists():
            shutil.copyfile(template, path)
            log(f"copied the migrated template {template.name}")
            return f"sqlite:///{path}", False
        return f"sqlite:///{path}", True
    import psycopg
    from psycopg import sql

    url = pg_url(mode)
    name = urlsplit(url).path.lstrip("/")
    template_name = urlsplit(pg_url(mode, f"_csweep_tpl_{key}")).path.lstrip("/")
    with psycopg.connect(_libpq_url(_pg_maintenance_url(url)), autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [template_name]
        ).fetchone()
        if found:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template_name)
                )
            )
            log(f"created from the migrated template {template_name}")
            return url, False
    pg_fresh(url)
    return url, True


def _save_template(database: str, mode: str, url: str, log: Callable[[str], None]) -> None:
    from django.db import connection

    from benchmarks.database import _libpq_url, _pg_maintenance_url

    key = migration_key()
    connection.close()
    if database == "sqlite":
        template = config.BENCH_VAR_DIR / f"kehu-bench-csweep-template-{key}.sqlite3"
        for old in config.BENCH_VAR_DIR.glob("kehu-bench-csweep-template-*.sqlite3"):
            old.unlink(missing_ok=True)
        shutil.copyfile(sqlite_path(mode), template)
        log(f"saved the migrated template {template.name}")
        return
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    template_name = urlsplit(pg_url(mode, f"_csweep_tpl_{key}")).path.lstrip("/")
    prefix = urlsplit(pg_url(mode, "_csweep_tpl_")).path.lstrip("/")
    with psycopg.connect(_libpq_url(_pg_maintenance_url(url)), autocommit=True) as conn:
        for (old,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]
        ).fetchall():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(old)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(template_name), sql.Identifier(name)
            )
        )
    log(f"saved the migrated template {template_name}")


def run_worker(database: str, mode: str, seed: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Create the database, load the complaints, time the three reads/sweeps per phase."""
    started = perf_counter()
    url, needs_migrate = _fresh_database(database, mode, log)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    os.environ["KEHU_DATABASE_URL"] = url
    os.environ["KEHU_VAR_DIR"] = str(config.BENCH_VAR_DIR)
    import django

    django.setup()
    from django.core.management import call_command

    migrate_seconds = 0.0
    if needs_migrate:
        log(f"{database}: migrating (kept as a template for the next runs)")
        t0 = perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrate_seconds = perf_counter() - t0
        _save_template(database, mode, url, log)
    outcome = measure(sizes_for(mode, database), seed, log)
    outcome["migrate_seconds"] = round(migrate_seconds, 1)
    outcome["seconds"] = round(perf_counter() - started, 1)
    return outcome


# --- measuring ----------------------------------------------------------------------------------

_FLOOR_COLUMNS = (
    "c.id, c.company_id, c.profile, c.stage, c.stage_started_at, c.due_at, c.warn_at, "
    "k.next_check_at, c.time_state, c.escalation_level, c.handler_id, c.received_by_id, "
    "c.penalised"
)
# The due checks, then each complaint by its primary key (the sweep's own read).
_FLOOR_FROM = (
    "FROM complaints_complaintcheck AS k JOIN complaints_complaint AS c ON c.id = k.complaint_id"
)


def _floor_sql(columns: str, placeholder: str) -> str:
    return (
        f"SELECT {columns} {_FLOOR_FROM} WHERE k.next_check_at <= {placeholder} "
        f"AND NOT (c.stage = 'closed') ORDER BY k.next_check_at LIMIT {SWEEP_LIMIT}"
    )


def _stats(samples_ns: list[int]) -> dict[str, float]:
    us = sorted(s / 1000 for s in samples_ns)
    return {
        "n": len(us),
        "median_us": round(statistics.median(us), 1),
        "min_us": round(us[0], 1),
        "max_us": round(us[-1], 1),
    }


def _plans(now: dt.datetime) -> dict[str, str]:
    from django.db import connection, transaction

    from kehu.complaints import services

    placeholder = "%s"
    param = connection.ops.adapt_datetimefield_value(now)
    prefix = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {_floor_sql(_FLOOR_COLUMNS, placeholder)}", [param])
        floor = "\n".join(" ".join(str(x) for x in row) for row in cursor.fetchall())
    with transaction.atomic():
        sweep = (
            services._sweep_due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list(*services._SWEEP_FIELDS)[:SWEEP_LIMIT]
            .explain()
        )
    candidates = services._sweep_due(now).values_list("pk", flat=True)[:SWEEP_LIMIT].explain()
    plans = {"floor": floor, "sweep_candidates": candidates, "complaint_sweep read": sweep}
    for label, plan in plans.items():
        if "complaint_check_due" not in plan:
            raise AssertionError(f"the {label} plan does not use complaint_check_due:\n{plan}")
    return plans


def _phase(label: str, sizes: SweepSizes, now: dt.datetime, log: Callable[[str], None]) -> Any:
    """Time the floor, ``sweep_candidates`` and ``complaint_sweep`` at ``now``."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from kehu.complaints import services

    if services.SWEEP_BATCH != SWEEP_LIMIT:
        raise AssertionError(f"the floor's LIMIT {SWEEP_LIMIT} is not the sweep's batch")
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    placeholder = "%s" if connection.vendor == "postgresql" else "?"
    param = connection.ops.adapt_datetimefield_value(now)
    floor_rows_sql = _floor_sql(_FLOOR_COLUMNS, placeholder)
    floor_ids_sql = _floor_sql("id", placeholder)

    def floor(sql: str) -> int:
        cursor = raw.cursor()
        cursor.execute(sql, [param])
        rows = cursor.fetchall()
        cursor.close()
        if connection.vendor == "postgresql":
            raw.rollback()  # psycopg opened a transaction for the read: end it, as autocommit
        return len(rows)

    outcomes: list[dict[str, int]] = []

    def sweep() -> None:
        with transaction.atomic():
            result = services.complaint_sweep(now=now)
            transaction.set_rollback(True)
        outcomes.append(
            {
                "looked_at": result.looked_at,
                "warnings": result.warnings,
                "breaches": result.breaches,
                "escalations": result.escalations,
                "fines": result.fines,
            }
        )

    def write_floor() -> None:
        """(d) the sweep's writes by hand: the floor's read with a row lock, then two fields of
        every due complaint and its check's next time, and one event per row — no rules, no
        Python model objects; rolled back like the sweep. On PostgreSQL as kehu writes them:
        both updates in one statement over ``unnest`` arrays, the events by ``COPY``; on SQLite
        one ``UPDATE … FROM (VALUES …)`` per table and one multi-row ``INSERT``, per 500."""
        postgres = connection.vendor == "postgresql"
        lock = " FOR UPDATE OF c SKIP LOCKED" if postgres else ""
        later = dt.timedelta(minutes=1)
        columns = "(id, time_state, escalation_level, next_check_at)"
        by_id = "FROM v WHERE complaints_complaint.id = v.id"
        set_complaint = (
            "UPDATE complaints_complaint SET time_state = v.time_state, "
            f"escalation_level = v.escalation_level {by_id}"
        )
        set_check = (
            "UPDATE complaints_complaintcheck SET next_check_at = v.next_check_at "
            "FROM v WHERE complaints_complaintcheck.complaint_id = v.id"
        )
        events_into = (
            "complaints_complaintevent (company_id, complaint_id, action, "
            "from_stage, to_stage, at, note, due_at, rule_ids, detail)"
        )
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(_floor_sql(_FLOOR_COLUMNS, "%s") + lock, [param])
                rows = cursor.fetchall()
                at = connection.ops.adapt_datetimefield_value(now)
                for start in range(0, len(rows), 500):
                    chunk = rows[start : start + 500]
                    updates: list[tuple[Any, ...]] = []
                    events: list[list[Any]] = []
                    for r in chunk:
                        next_check = r[7] if isinstance(r[7], dt.datetime) else now
                        updates.append((r[0], r[8], r[9], next_check + later))
                        events.append([r[1], r[0], "sweep_warning", r[3], r[3], at, "", r[5]])
                        events[-1] += ["[]", "{}"]
                    if postgres:
                        cursor.execute(
                            f"WITH v {columns} AS (SELECT * FROM unnest(%s::bigint[], "
                            "%s::varchar[], %s::smallint[], %s::timestamptz[])), "
                            f"done AS ({set_complaint}) {set_check}",
                            [list(column) for column in zip(*updates, strict=True)],
                        )
                        with cursor.cursor.copy(f"COPY {events_into} FROM STDIN") as copy:
                            for event in events:
                                copy.write_row(event)
                        continue
                    listed = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                    values = f"WITH v {columns} AS (VALUES {listed})"
                    params = [
                        value if i < 3 else connection.ops.adapt_datetimefield_value(value)
                        for update in updates
                        for i, value in enumerate(update)
                    ]
                    cursor.execute(f"{values} {set_complaint}", params)
                    cursor.execute(f"{values} {set_check}", params)
                    one = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    cursor.execute(
                        f"INSERT INTO {events_into} VALUES {', '.join([one] * len(chunk))}",
                        [value for event in events for value in event],
                    )
            transaction.set_rollback(True)

    paths: dict[str, Callable[[], Any]] = {
        "floor": lambda: floor(floor_rows_sql),
        "write_floor": write_floor,
        "floor_ids": lambda: floor(floor_ids_sql),
        "sweep_candidates": lambda: services.sweep_candidates(now=now, limit=SWEEP_LIMIT),
        "complaint_sweep": sweep,
    }
    # warm-up: one of each (caches, the policy fallback, imports)
    due = floor(floor_rows_sql)
    ids = services.sweep_candidates(now=now, limit=SWEEP_LIMIT)
    if len(ids) != due:
        raise AssertionError(f"sweep_candidates found {len(ids)} rows, the floor {due}")
    sweep()
    samples: dict[str, list[int]] = {name: [] for name in paths}
    names = list(paths)
    for round_ in range(sizes.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            t0 = perf_counter_ns()
            paths[name]()
            samples[name].append(perf_counter_ns() - t0)
    if any(o != outcomes[0] for o in outcomes):
        raise AssertionError(f"the sweeps did not start from the same state: {outcomes}")
    # statements and where their time goes (one more sweep, not timed)
    with CaptureQueriesContext(connection) as captured:
        sweep()
    statements: list[dict[str, Any]] = [
        {"sql": q["sql"][:160], "ms": round(float(q["time"]) * 1000, 2)}
        for q in captured.captured_queries
    ]
    # a profile of one more sweep
    profiler = cProfile.Profile()
    profiler.enable()
    sweep()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(18)
    stats = {name: _stats(s) for name, s in samples.items()}
    floor_median = stats["floor"]["median_us"]
    drain = _drain(now) if sizes.at_midnight else None
    log(
        f"{label}: {due} due; floor {floor_median / 1000:.2f} ms, sweep "
        f"{stats['complaint_sweep']['median_us'] / 1000:.2f} ms "
        f"({stats['complaint_sweep']['median_us'] / floor_median:.1f}×)"
    )
    return {
        "label": label,
        "due": due,
        "sweep_outcome": outcomes[0],
        "timings": stats,
        "ratios": {
            "sweep_candidates / floor": round(
                stats["sweep_candidates"]["median_us"] / floor_median, 2
            ),
            "sweep_candidates / floor_ids": round(
                stats["sweep_candidates"]["median_us"] / stats["floor_ids"]["median_us"], 2
            ),
            "complaint_sweep / floor": round(
                stats["complaint_sweep"]["median_us"] / floor_median, 2
            ),
            "complaint_sweep / write_floor": round(
                stats["complaint_sweep"]["median_us"] / stats["write_floor"]["median_us"], 2
            ),
        },
        "sweep_statements": statements,
        "sweep_sql_ms": round(sum(s["ms"] for s in statements), 2),
        "profile": "\n".join(text.getvalue().splitlines()[:45]),
        "plans": _plans(now),
        "drain": drain,
    }


def _drain(now: dt.datetime) -> dict[str, Any]:
    """Everything due at ``now``, as the job sweeps it (``complaint_sweep_all``: batch after
    batch, each its own transaction — savepoints here, rolled back): how many rows, batches,
    and the whole time. Timed once."""
    from django.db import connection, transaction

    from kehu.complaints import services

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) {_FLOOR_FROM} WHERE k.next_check_at <= %s "
            "AND NOT (c.stage = 'closed')",
            # as the database stores it: SQLite compares text, so not a +08:00 literal
            [connection.ops.adapt_datetimefield_value(now)],
        )
        due_in_all = int(cursor.fetchone()[0])
    with transaction.atomic():
        t0 = perf_counter_ns()
        result = services.complaint_sweep_all(now=now)
        elapsed = perf_counter_ns() - t0
        transaction.set_rollback(True)
    return {
        "due_in_all": due_in_all,
        "looked_at": result.looked_at,
        "batches": result.batches,
        "fines": result.fines,
        "seconds": round(elapsed / 1e9, 2),
        "slowest_batch_seconds": round(result.slowest_batch_seconds, 3),
        "batch_ms": [round(x * 1000, 1) for x in result.batch_seconds],
        "max_batches": services.SWEEP_MAX_BATCHES,
    }


def measure(sizes: SweepSizes, seed: int, log: Callable[[str], None]) -> dict[str, Any]:

    from benchmarks import complaints_loading as loading

    now = loading.MIDNIGHT if sizes.at_midnight else loading.NOW
    interval = dt.timedelta(seconds=sizes.interval_seconds)
    log(f"organisation; {sizes.open:,} open, {sizes.closed:,} closed complaints")
    org = loading.build_org(staff_scale=1 if sizes.mode == "quick" else 4)
    stats = loading.OpenStats()
    load_open = loading.load(
        org,
        open_count=sizes.open,
        closed_count=0,
        seed=seed,
        now=now,
        interval=interval,
        log=log,
        stats=stats,
    )
    phases = [_phase("0 closed", sizes, now, log)]
    if not sizes.closed:  # the finding does not depend on the closed rows: one phase is enough
        return _summary(sizes, now, org, stats, phases, {"open": load_open, "closed": {}})
    load_closed = loading.load(
        org,
        open_count=0,
        closed_count=sizes.closed,
        seed=seed,
        now=now,
        interval=interval,
        log=log,
    )
    loading.check_references()
    phases.append(_phase(f"{sizes.closed:,} closed", sizes, now, log))
    return _summary(sizes, now, org, stats, phases, {"open": load_open, "closed": load_closed})


def _summary(
    sizes: SweepSizes,
    now: dt.datetime,
    org: Any,
    stats: Any,
    phases: list[Any],
    load_seconds: dict[str, Any],
) -> dict[str, Any]:
    from django.db import connection

    from benchmarks import complaints_loading as loading
    from benchmarks.database import database_info

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM complaints_complaint WHERE stage = 'closed'")
        (closed,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM complaints_complaint WHERE stage <> 'closed'")
        (opened,) = cursor.fetchone()
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        else:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            size = pages * cursor.fetchone()[0]
    return {
        "database": database_info(),
        "sizes": sizes.as_dict(),
        "now": now.isoformat(),
        "rows": {"open": opened, "closed": closed, "staff": org.staff_count},
        "open_mix": {
            "by_state_at_last_sweep": stats.by_state,
            "by_profile": stats.by_profile,
            "by_stage": stats.by_stage,
        },
        "load_seconds": load_seconds,
        "database_mb": round(size / 1024 / 1024),
        "indexes": loading.secondary_indexes(),
        "phases": phases,
    }


# --- the orchestrator ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from benchmarks.database import pg_check
    from benchmarks.machine import machine_info

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.suite_complaints_sweep", description=__doc__
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--output", type=Path, default=OUT_FILE)
    parser.add_argument("--open", type=int, help="open complaints (overrides the mode)")
    parser.add_argument("--closed", type=int, help="closed complaints (overrides the mode)")
    parser.add_argument(
        "--at-midnight",
        action="store_true",
        help="time the first sweep after local midnight (A8.2 same-day breaches and fines)",
    )
    parser.add_argument(
        "--markdown",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="print saved runs (default: the last one) as Markdown, and run nothing",
    )
    args = parser.parse_args(argv)
    if args.markdown is not None:
        for path in args.markdown or [OUT_FILE]:
            print(markdown(json.loads(path.read_text(encoding="utf-8"))))
        return 0
    mode = "quick" if args.quick else "default"
    if args.open:
        os.environ["KEHU_BENCH_CSWEEP_OPEN"] = str(args.open)
    if args.closed is not None:
        os.environ["KEHU_BENCH_CSWEEP_CLOSED"] = str(args.closed)
    if args.at_midnight:
        os.environ["KEHU_BENCH_CSWEEP_AT_MIDNIGHT"] = "1"
    started = perf_counter()
    run: dict[str, Any] = {
        "suite": "complaints_sweep",
        "machine": machine_info(),
        "config": {"mode": mode, "seed": args.seed},
        "command": " ".join(
            ["python -m benchmarks.suite_complaints_sweep", *(argv or sys.argv[1:])]
        ),
        "databases": {},
    }
    if args.only != "postgresql":
        run["databases"]["sqlite"] = run_in_worker(
            "sqlite", mode, args.seed, suite="complaints_sweep"
        )
    if args.only != "sqlite":
        reason = pg_check(pg_url(mode))
        if reason is None:
            run["databases"]["postgresql"] = run_in_worker(
                "postgresql", mode, args.seed, suite="complaints_sweep"
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

    m = run["machine"]
    out = [
        f"- run: {m['date']}, commit {m.get('git_commit') or '?'}, mode `{run['config']['mode']}`, "
        f"seed {run['config']['seed']}, {run.get('seconds', 0):.0f} s in all; command "
        f"`{run.get('command', '')}`",
        f"- machine: {m['nproc']} × {m['cpu_model']}, {m['ram_gib']} GiB RAM, load average "
        f"at start {', '.join(str(x) for x in m['load_average'])}"
        + (
            f", at end {', '.join(str(x) for x in m['load_average_end'])}"
            if m.get("load_average_end")
            else ""
        ),
        f"- software: Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}",
        "",
    ]
    for name, db in run["databases"].items():
        title = DATABASE_TITLES.get(name, name)
        if "skipped" in db:
            out += [f"#### {title}", "", f"Skipped: {db['skipped']}", ""]
            continue
        info, sizes = db["database"], db["sizes"]
        out += [f"#### {title} {info.get('server_version', '')} ({database_settings(info)})", ""]
        mix = db["open_mix"]
        out.append(
            f"Data: {db['rows']['open']:,} open and {db['rows']['closed']:,} closed complaints "
            f"({db['rows']['staff']} staff in two companies); open by profile "
            f"{mix['by_profile']}, by state at the previous sweep {mix['by_state_at_last_sweep']}; "
            f"sweep at {db.get('now', '?')}, interval {sizes['interval_seconds']} s; "
            f"database {db['database_mb']:,} MB. "
            f"Load: open {db['load_seconds']['open']}, closed {db['load_seconds']['closed']} "
            f"(seconds); migrated in {db.get('migrate_seconds', 0):.0f} s (0: from the template)."
        )
        out += [
            "",
            "| closed rows | due rows | (a) floor | (a′) floor, ids | (b) sweep_candidates | "
            "(c) complaint_sweep | (b)/(a) | (c)/(a) | (d) writes by hand | (c)/(d) | "
            "sweep: statements, SQL time |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p in db["phases"]:
            t = p["timings"]
            out.append(
                f"| {p['label']} | {p['due']:,} | {_t(t['floor']['median_us'])} | "
                f"{_t(t['floor_ids']['median_us'])} | {_t(t['sweep_candidates']['median_us'])} | "
                f"{_t(t['complaint_sweep']['median_us'])} | "
                f"{p['ratios']['sweep_candidates / floor']:.1f}× | "
                f"{p['ratios']['complaint_sweep / floor']:.1f}× | "
                + (
                    f"{_t(t['write_floor']['median_us'])} | "
                    f"{p['ratios']['complaint_sweep / write_floor']:.1f}× | "
                    if "write_floor" in t
                    else "— | — | "
                )
                + f"{len(p['sweep_statements'])}, {p['sweep_sql_ms']:.1f} ms |"
            )
        out.append("")
        for p in db["phases"]:
            o = p["sweep_outcome"]
            t = p["timings"]["complaint_sweep"]
            out.append(
                f"- {p['label']}: one sweep looked at {o['looked_at']}, warnings {o['warnings']}, "
                f"breaches {o['breaches']}, escalations {o['escalations']}, fines {o['fines']}; "
                f"sweep min/max {_t(t['min_us'])} / {_t(t['max_us'])} (n {t['n']})"
            )
            if p.get("drain"):
                d = p["drain"]
                out.append(
                    f"- {p['label']}, the whole drain (`complaint_sweep_all`, once): "
                    f"{d['due_in_all']:,} due in all; {d['looked_at']:,} swept in "
                    f"{d['batches']} batches (at most {d['max_batches']} a run), "
                    f"{d['fines']} fines, {d['seconds']:.2f} s — "
                    f"{d['seconds'] / max(d['batches'], 1) * 1000:.0f} ms a batch on average"
                    + (
                        f", the slowest {d['slowest_batch_seconds'] * 1000:.0f} ms"
                        if "slowest_batch_seconds" in d
                        else ""
                    )
                    + (
                        f"; batches over 1 s: {sum(1 for b in d['batch_ms'] if b >= 1000)}, "
                        f"median {statistics.median(d['batch_ms']):.0f} ms, in order (ms): "
                        + ", ".join(f"{b:.0f}" for b in d["batch_ms"])
                        if d.get("batch_ms")
                        else ""
                    )
                )
        plan = db["phases"][-1]["plans"]["floor"].replace("\n", " / ")
        out += ["", f"Floor plan ({db['phases'][-1]['label']}): `{plan}`", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
