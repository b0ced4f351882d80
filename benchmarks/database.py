"""The benchmark databases: a fresh SQLite file under ``var/bench/``, or a PostgreSQL database
(dropped and re-created, so its name must contain ``bench``)."""

from __future__ import annotations

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


class IdleCheckpoints:
    """What kehu's worker does on SQLite (``kehu.core.web.tasks``): checkpoint the write-ahead
    log off the request path. At an office's pace (a few saves a minute, the worker once a
    minute) the checkpoint meets a connection with no save in flight, so the next save starts
    the log afresh. The benchmark writes back to back (≈ 180 transactions a second): a
    checkpoint from a thread nearly always finished while a save was in flight, the log was then
    never restarted, grew to ``wal_autocheckpoint`` every ≈ 0.3 s and the save that crossed it
    checkpointed inside its own commit (three ``fdatasync`` calls, 15–18 ms: the SQLite p99 of
    every earlier run; docs/performance.md, ninth session). So the timing loop calls ``idle()``
    between saves, and a checkpoint runs there, untimed, at most every ``every`` seconds.
    ``runs``, ``busy`` and the longest run are reported. Nothing on PostgreSQL, whose own
    checkpointer runs in the server."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.runs = 0
        self.busy = 0
        self.longest_ns = 0
        self._last = perf_counter_ns()

    def idle(self) -> None:
        """No save is in flight: checkpoint if ``every`` seconds have passed since the last."""
        from kehu.core.web.maintenance import sqlite_checkpoint

        started = perf_counter_ns()
        if started - self._last < self.every * 1e9:
            return
        done = sqlite_checkpoint()
        self._last = perf_counter_ns()
        if done is None:
            return
        self.runs += 1
        self.busy += done.busy
        self.longest_ns = max(self.longest_ns, self._last - started)

    def as_dict(self) -> dict[str, Any]:
        return {
            "every_seconds": self.every,
            "runs": self.runs,
            "busy": self.busy,
            "longest_ms": round(self.longest_ns / 1e6, 1),
        }
