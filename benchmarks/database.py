"""The benchmark databases: a fresh SQLite file under ``var/bench/``, or a PostgreSQL database
(dropped and re-created, so its name must contain ``bench``)."""

from __future__ import annotations

import threading
from time import perf_counter_ns
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks.config import BENCH_VAR_DIR, SQLITE_PATH


class DatabaseUnavailable(Exception):
    pass


def sqlite_fresh_url() -> str:
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        SQLITE_PATH.with_name(SQLITE_PATH.name + suffix).unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def _pg_database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _pg_maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def _libpq_url(url: str) -> str:
    """psycopg wants postgresql:// (dj-database-url accepts postgres:// too)."""
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql", "pgsql"} else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def pg_check(url: str) -> str | None:
    """``None`` when the server answers; otherwise why not (for the skip message)."""
    import psycopg

    name = _pg_database_name(url)
    if "bench" not in name:
        return (
            f"the database name {name!r} does not contain 'bench'; refusing to drop and "
            "re-create it"
        )
    try:
        with psycopg.connect(_libpq_url(_pg_maintenance_url(url)), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"cannot connect to {_pg_maintenance_url(url)}: {' '.join(str(error).split())}"


def pg_fresh(url: str) -> None:
    """Drop and re-create the benchmark database."""
    import psycopg
    from psycopg import sql

    reason = pg_check(url)
    if reason is not None:
        raise DatabaseUnavailable(reason)
    name = _pg_database_name(url)
    with psycopg.connect(_libpq_url(_pg_maintenance_url(url)), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


PG_SETTINGS = (
    "server_version",
    "synchronous_commit",
    "fsync",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",  # decides hash join + seq scan vs primary-key lookups for searches
    "plan_cache_mode",
)


def database_info() -> dict[str, Any]:
    """The database's version and the settings that move the floors (commit cost, plans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            info: dict[str, Any] = {"vendor": "postgresql"}
            for name in PG_SETTINGS:
                cursor.execute("SELECT current_setting(%s)", [name])
                info[name] = cursor.fetchone()[0]
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            info["lc_collate"] = cursor.fetchone()[0]
            host = connection.settings_dict.get("HOST") or "unix socket"
            info["connection"] = f"{host}:{connection.settings_dict.get('PORT') or 5432}"
            return info
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0])
        return {
            "vendor": "sqlite",
            "server_version": version,
            "journal_mode": journal,
            "synchronous": synchronous,
            "file": str(SQLITE_PATH),
        }


class BackgroundCheckpoints:
    """What kehu's worker does on SQLite (``kehu.core.web.tasks``): checkpoint the write-ahead
    log off the request path — here every ``every`` seconds in a thread, because the benchmark
    writes ≈ 40 registrations a second where an office writes a few a minute (the worker runs
    once a minute). Nothing on PostgreSQL, whose own checkpointer runs in the server.
    Use as a context manager; ``runs`` and ``busy`` say what it did."""

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self.runs = 0
        self.busy = 0
        # (start, end) of each run, perf_counter_ns: which timed calls ran alongside one
        self.spans: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="checkpoints", daemon=True)

    def __enter__(self) -> BackgroundCheckpoints:
        from django.db import connection

        if connection.vendor == "sqlite":
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        from django.db import connection

        from kehu.core.web.maintenance import sqlite_checkpoint

        try:
            while not self._stop.wait(self.every):
                started = perf_counter_ns()
                done = sqlite_checkpoint()
                self.spans.append((started, perf_counter_ns()))
                self.runs += 1
                self.busy += bool(done and done.busy)
        finally:
            connection.close()  # this thread's own connection

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a call that ran from ``start`` to ``end`` (perf_counter_ns) ran alongside a
        checkpoint."""
        return any(started < end and start < ended for started, ended in self.spans)

    def as_dict(self) -> dict[str, Any]:
        spans_ms = [(end - start) / 1e6 for start, end in self.spans]
        return {
            "every_seconds": self.every,
            "runs": self.runs,
            "busy": self.busy,
            "longest_ms": round(max(spans_ms), 1) if spans_ms else 0,
        }
