"""``make bench`` = ``python -m benchmarks [--quick] [--only sqlite|postgresql]``.

Runs the suites on a fresh SQLite database under ``var/bench/`` and, when it answers, on
PostgreSQL (``KEHU_BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/kehu_bench``; the database is dropped and re-created, so
its name must contain ``bench``). One worker process per database, one after the other, so
the two never compete for the two cores. Prints the tables and writes everything to
``benchmarks/out/latest.json``.

``python -m benchmarks --markdown [FILE]`` prints the tables of a saved run as Markdown (for
``docs/performance.md``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks import config
from benchmarks.database import pg_check
from benchmarks.machine import machine_info
from benchmarks.report import markdown_tables, text_tables
from benchmarks.worker import run_in_worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument(
        "--output", type=Path, default=config.OUT_DIR / "latest.json", help="where to write"
    )
    parser.add_argument(
        "--markdown",
        nargs="?",
        type=Path,
        const=config.OUT_DIR / "latest.json",
        metavar="FILE",
        help="print the tables of a saved run as Markdown, and run nothing",
    )
    args = parser.parse_args(argv)

    if args.markdown is not None:
        print(markdown_tables(json.loads(args.markdown.read_text(encoding="utf-8"))))
        return 0

    sizes = config.QUICK if args.quick else config.DEFAULT
    started = perf_counter()
    run: dict[str, Any] = {
        "machine": machine_info(),
        "config": {**sizes.as_dict(), "seed": args.seed},
        "databases": {},
    }
    if args.only != "postgresql":
        run["databases"]["sqlite"] = run_in_worker("sqlite", sizes.mode, args.seed)
    if args.only != "sqlite":
        url = config.pg_url()
        reason = pg_check(url)
        if reason is None:
            run["databases"]["postgresql"] = run_in_worker("postgresql", sizes.mode, args.seed)
        else:
            print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
            run["databases"]["postgresql"] = {"skipped": reason}
    run["seconds"] = round(perf_counter() - started, 1)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(run, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(text_tables(run))
    print(f"\n{run['seconds']:.0f} s in all; written to {args.output}")
    # An unreachable PostgreSQL is skipped, not a failure; a worker that crashed is.
    return 1 if any(db.get("failed") for db in run["databases"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
