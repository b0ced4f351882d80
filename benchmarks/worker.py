"""One database, in its own process (Django reads its database settings once, at start-up):
``python -m benchmarks.worker --database sqlite|postgresql --mode quick|default --result F``.

Creates the database fresh, migrates it, loads the data and runs every suite, then writes its
results as JSON to ``F``. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks import config
from benchmarks.database import pg_fresh, sqlite_fresh_url

_STARTED = perf_counter()


def log(message: str) -> None:
    print(f"[{perf_counter() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def _setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    os.environ["KEHU_DATABASE_URL"] = url
    # Keep the bench's side files (huey's queue file) beside its database, not in var/.
    os.environ["KEHU_VAR_DIR"] = str(config.BENCH_VAR_DIR)
    import django

    django.setup()


def run(database: str, sizes: config.Sizes, seed: int) -> dict[str, Any]:
    if database == "sqlite":
        url = sqlite_fresh_url()
    else:
        url = config.pg_url()
        pg_fresh(url)
    _setup_django(url)

    from django.core.management import call_command

    from benchmarks import suite_calendar, suite_customers, suite_ledger, suite_sales_import
    from benchmarks.database import database_info
    from benchmarks.world import build_world

    log(f"{database}: migrating a fresh database")
    started = perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = perf_counter() - started
    world = build_world(seed=seed, customers=sizes.customers, log=log)
    log(f"loaded in {sum(world.load_seconds.values()):.1f} s: {world.load_rows}")

    results = []
    results += suite_customers.run_match(
        world, calls=sizes.match_calls, warmup=sizes.warmup, seed=seed + 1, log=log
    )
    results += suite_customers.run_search(
        world, calls=sizes.search_calls, warmup=min(sizes.warmup, 20), seed=seed + 2, log=log
    )
    results += suite_ledger.run_append(
        world, calls=sizes.append_calls, warmup=sizes.warmup, log=log
    )
    results += suite_ledger.run_verify(
        world, entries=sizes.ledger_entries, runs=sizes.verify_runs, log=log
    )
    results += suite_calendar.run_deadline(
        world, calls=sizes.deadline_calls, warmup=sizes.warmup, seed=seed + 3, log=log
    )
    results += suite_sales_import.run_import(
        world, rows=suite_sales_import.rows_for(sizes.mode), seed=seed + 4, log=log
    )
    log(f"{database}: done")
    return {
        "database": database_info(),
        "migrate_seconds": round(migrate_seconds, 2),
        "load": {
            "rows": world.load_rows,
            "seconds": world.load_seconds,
            "rows_per_second": {
                table: round(rows / world.load_seconds[table])
                for table, rows in world.load_rows.items()
                if world.load_seconds.get(table)
            },
        },
        "results": [r.as_dict() for r in results],
        "seconds": round(perf_counter() - _STARTED, 1),
    }


def run_in_worker(database: str, mode: str, seed: int, suite: str = "kernel") -> dict[str, Any]:
    """Run ``suite`` on one database in a fresh ``python -m benchmarks.worker`` process (Django
    reads its database settings once, at start-up) and return its results; a worker that fails
    is reported as skipped, so the other database's figures are still written."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    try:
        command = [sys.executable, "-m", "benchmarks.worker", "--suite", suite]
        command += ["--database", database, "--mode", mode, "--seed", str(seed)]
        command += ["--result", str(result)]
        done = subprocess.run(command, cwd=config.PROJECT_DIR, check=False)
        if done.returncode != 0:
            return {
                "skipped": f"the {database} worker failed (exit {done.returncode})",
                "failed": True,
            }
        data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        return data
    finally:
        result.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--mode", choices=("quick", "default"), default="default")
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--result", required=True)
    # sales_register: issue #4's registration benchmark (python -m benchmarks.suite_sales_register)
    # complaints_sweep: issue #5's sweep benchmark (python -m benchmarks.suite_complaints_sweep)
    parser.add_argument(
        "--suite", choices=("kernel", "sales_register", "complaints_sweep"), default="kernel"
    )
    args = parser.parse_args(argv)
    sizes = config.QUICK if args.mode == "quick" else config.DEFAULT
    if args.suite == "sales_register":
        from benchmarks.suite_sales_register import run_worker

        outcome = run_worker(args.database, args.mode, args.seed, log)
    elif args.suite == "complaints_sweep":
        from benchmarks.suite_complaints_sweep import run_worker as run_sweep_worker

        outcome = run_sweep_worker(args.database, args.mode, args.seed, log)
    else:
        outcome = run(args.database, sizes, args.seed)
    with open(args.result, "w", encoding="utf-8") as out:
        json.dump(outcome, out, ensure_ascii=False, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
