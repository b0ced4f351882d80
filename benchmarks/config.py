"""Sizes, seeds and paths: everything that makes two runs comparable."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = PROJECT_DIR / "benchmarks" / "out"
BENCH_VAR_DIR = PROJECT_DIR / "var" / "bench"
SQLITE_PATH = BENCH_VAR_DIR / "kehu-bench.sqlite3"

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/kehu_bench"
PG_URL_ENV = "KEHU_BENCH_DATABASE_URL"

SEED = 20260527


@dataclass(frozen=True)
class Sizes:
    """How much data, and how many timed calls per operation."""

    mode: str
    customers: int  # in the measured company (a second company holds a tenth as many)
    ledger_entries: int  # the stream ledger_verify checks
    match_calls: int  # per match case
    search_calls: int  # per search case
    append_calls: int
    verify_runs: int
    deadline_calls: int
    warmup: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


QUICK = Sizes(
    mode="quick",
    customers=5_000,
    ledger_entries=5_000,
    match_calls=300,
    search_calls=100,
    append_calls=300,
    verify_runs=3,
    deadline_calls=300,
    warmup=20,
)

DEFAULT = Sizes(
    mode="default",
    customers=200_000,
    ledger_entries=100_000,
    match_calls=2_000,
    search_calls=400,
    append_calls=2_000,
    verify_runs=5,
    deadline_calls=2_000,
    warmup=100,
)


def pg_url() -> str:
    return os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL
