"""Time a registration against its floor again, statement by statement, on the SQLite book that a
``suite_sales_register`` run left in ``var/bench/`` — without generating and loading it again
(the load takes ≈ 5 minutes of every run; this takes ≈ 40 s).

``python -m benchmarks.sales_retime [--calls N] [--round K] [--statements]``

A copy of the loaded file is timed (the run's own file stays as it left it), migrated first so
the code's latest schema is the one measured. The office (company, sites, staff) is read back
from the copy; the book is generated again from the same seed, and the visitors the loaded run
used are drawn again and skipped, so the fresh visitors are new to the copy. ``--round K`` skips
``K`` further batches, so repeated runs on fresh copies time different visitors.

Two paths only, call by call in alternating order: kehu in-process (``visit_register`` after an
untimed ``visit_arrive``) and the hand-written floor (``sales_timing.Floor``). ``--statements``
adds the time of every statement and commit of both, per call, grouped by the statement's
shape: where the two differ. Nothing is written but the copy; figures print to stdout. Not part
of ``make bench``: a tool for finding where a registration's time goes between full runs."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from benchmarks import config
from benchmarks.suite_sales_register import sizes_for, sqlite_path

COPY = config.BENCH_VAR_DIR / "kehu-bench-sales-retime.sqlite3"
SUFFIXES = ("", "-wal", "-shm", "-journal")


def _fresh_copy(source: Path, copy: Path) -> None:
    if not source.exists():
        raise SystemExit(
            f"{source} does not exist: run `python -m benchmarks.suite_sales_register "
            "--only sqlite` first (it leaves the loaded book there)."
        )
    with sqlite3.connect(source) as db:  # the run's last writes into the file itself
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy.parent.mkdir(parents=True, exist_ok=True)
    for suffix in SUFFIXES:
        copy.with_name(copy.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, copy)


class StatementClock:
    """Time per statement shape (digits folded, first 70 characters) over the timed calls."""

    def __init__(self) -> None:
        self.ns: Counter[tuple[str, str]] = Counter()
        self.count: Counter[tuple[str, str]] = Counter()
        self.calls = {"kehu": 0, "floor": 0}

    def add(self, path: str, sql: str, spent: int) -> None:
        shape = re.sub(r"\d+", "N", re.sub(r"\s+", " ", sql))[:70]
        self.ns[(path, shape)] += spent
        self.count[(path, shape)] += 1

    def table(self) -> str:
        lines = ["| path | µs a call | statements a call | statement |", "|---|---:|---:|---|"]
        for key, spent in sorted(self.ns.items(), key=lambda kv: -kv[1]):
            path, shape = key
            calls = max(self.calls[path], 1)
            lines.append(
                f"| {path} | {spent / calls / 1000:.1f} | {self.count[key] / calls:.2f} "
                f"| `{shape}` |"
            )
        for path in ("kehu", "floor"):
            total = sum(v for (p, _), v in self.ns.items() if p == path)
            lines.append(f"| {path} | **{total / max(self.calls[path], 1) / 1000:.1f}** | | all |")
        return "\n".join(lines)


class _TimedCursor:
    """The floor's raw cursor, timing each statement into ``clock`` while ``counting``."""

    def __init__(self, cursor: Any, clock: StatementClock, counting: dict[str, str]) -> None:
        self._cursor = cursor
        self._clock = clock
        self._counting = counting

    def execute(self, sql: str, params: Any = ()) -> Any:
        started = perf_counter_ns()
        try:
            return self._cursor.execute(sql, params)
        finally:
            if self._counting["path"] == "floor":
                self._clock.add("floor", sql, perf_counter_ns() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sales_retime", description=__doc__)
    parser.add_argument("--calls", type=int, default=400, help="timed calls per path")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--round", type=int, default=0, help="further visitor batches to skip")
    parser.add_argument("--statements", action="store_true", help="time every statement too")
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--source", type=Path, default=sqlite_path("default"))
    args = parser.parse_args(argv)

    _fresh_copy(args.source, COPY)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    os.environ["KEHU_DATABASE_URL"] = f"sqlite:///{COPY}"
    os.environ["KEHU_VAR_DIR"] = str(config.BENCH_VAR_DIR)
    import django

    django.setup()
    print(_retime(args), end="")
    return 0


def _retime(args: argparse.Namespace) -> str:
    import gc

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks.database import IdleCheckpoints
    from benchmarks.sales_dataset import draw_visitors, generate_sales_book
    from benchmarks.sales_loading import Office
    from benchmarks.sales_timing import Desk, Floor
    from kehu.core.errors import KehuError
    from kehu.core.org.models import Company, Site, Staff
    from kehu.sales.models import RegistrationKey, RotationDay
    from kehu.sales.registration_selectors import full_name_alone_policy
    from kehu.sales.rotation_services import rotation_day_open

    call_command("migrate", interactive=False, verbosity=0)
    loaded = sizes_for("default")
    book = generate_sales_book(args.seed, loaded.registrations)
    company = Company.objects.get(code="bench-east")
    sites = list(Site.objects.filter(company=company).order_by("pk"))
    # build_office made the staff in this order, numbering their user names
    staff = list(
        Staff.objects.filter(company=company).select_related("user").order_by("user__username")
    )
    sellers, n = staff[: len(book.sellers)], len(book.sellers)
    desks, pms = staff[n : n + len(sites)], staff[n + len(sites) : n + 2 * len(sites)]
    office = Office(company, sites, sellers, desks, pms, staff[n + 2 * len(sites)])
    _policy, policy_ref = full_name_alone_policy(desks[0], timezone.now())
    today = timezone.localdate()
    for pm, site in zip(pms, sites, strict=True):
        if not RotationDay.objects.filter(site=site, on=today).exists():
            rotation_day_open(actor=pm, site=site, on=today)

    # the loaded run's visitors (measure(): three paths, two spares, two profiled batches)
    per_path = loaded.calls + loaded.warmup + 1
    draw_visitors(book, 3 * per_path + 2 + 2 * loaded.profiled, seed=args.seed + 11)
    for k in range(args.round):
        draw_visitors(book, 3 * per_path, seed=args.seed + 100 + k)
    wanted = 2 * (args.calls + args.warmup)
    # an earlier customer already registered today would be a second visit of the day for
    # kehu and a duplicate key for the floor: left out
    visited = set(
        RegistrationKey.objects.filter(
            company=company, kind="visit", value__endswith=f"|{today.isoformat()}"
        ).values_list("value", flat=True)
    )
    visitors = []
    for v in draw_visitors(book, 2 * wanted, seed=args.seed + 7):
        if v.customer is not None:
            key = f"{v.customer + 1}|{today.isoformat()}"  # load_book: customer id = index + 1
            if key in visited:
                continue
            visited.add(key)
        visitors.append(v)
    visitors = visitors[:wanted]

    desk = Desk(office, [i + 1 for i in range(len(book.people))])
    floor = Floor(desk, policy_ref)
    clock = StatementClock()
    timed: dict[str, list[int]] = {"kehu": [], "floor": []}
    by_kind: dict[str, list[int]] = {}
    errors: Counter[str] = Counter()
    counting = {"path": ""}  # whose statements are being timed ("" while none are)

    @contextmanager
    def counted(path: str, on: bool) -> Iterator[None]:
        if not (on and args.statements):
            yield
            return
        clock.calls[path] += 1
        counting["path"] = path
        if path == "floor":
            try:
                yield
            finally:
                counting["path"] = ""
            return

        def wrapper(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
            started = perf_counter_ns()
            try:
                return execute(sql, *rest)
            finally:
                clock.add("kehu", sql, perf_counter_ns() - started)

        try:
            with connection.execute_wrapper(wrapper):
                yield
        finally:
            counting["path"] = ""

    commit = connection._commit

    def timed_commit() -> Any:
        started = perf_counter_ns()
        try:
            return commit()
        finally:
            if counting["path"]:
                clock.add(counting["path"], "COMMIT", perf_counter_ns() - started)

    if args.statements:
        floor.cursor = _TimedCursor(floor.cursor, clock, counting)
        connection._commit = timed_commit  # type: ignore[method-assign]

    checkpoints = IdleCheckpoints()
    gc.collect()
    gc.freeze()  # the generated book: see sales_timing.measure
    for i in range(args.calls + args.warmup):
        on = i >= args.warmup
        for path in ("kehu", "floor") if i % 2 else ("floor", "kehu"):
            checkpoints.idle()
            v = visitors[2 * i + (path == "floor")]
            if path == "kehu":
                visit_id = desk.arrive(v)
                try:
                    with counted("kehu", on):
                        started = perf_counter_ns()
                        desk.register(v, visit_id)
                        spent = perf_counter_ns() - started
                except KehuError as error:  # a fresh visitor the book already holds
                    errors[f"kehu {v.kind}: {error.code}"] += 1
                    desk.end(visit_id, v.site)
                    continue
                desk.end(visit_id, v.site)
                if on:
                    by_kind.setdefault(str(v.kind), []).append(spent)
            else:
                try:
                    with counted("floor", on):
                        started = perf_counter_ns()
                        floor.register(v)
                        spent = perf_counter_ns() - started
                except sqlite3.IntegrityError:  # the same, on the floor: rolled back
                    errors[f"floor {v.kind}: duplicate key"] += 1
                    continue
            if on:
                timed[path].append(spent)

    def ms(samples: list[int], q: float) -> float:
        ordered = sorted(samples)
        return ordered[min(int(len(ordered) * q), len(ordered) - 1)] / 1e6

    kehu, fl = timed["kehu"], timed["floor"]
    out = [
        f"book {loaded.registrations:,} lines (copy of {args.source.name}), "
        f"{len(kehu)} / {len(fl)} timed calls",
        f"kehu  median {statistics.median(kehu) / 1e6:.3f} ms  p99 {ms(kehu, 0.99):.2f} ms",
        f"floor median {statistics.median(fl) / 1e6:.3f} ms  p99 {ms(fl, 0.99):.2f} ms",
        f"ratio median {statistics.median(kehu) / statistics.median(fl):.2f}x  "
        f"p99 {ms(kehu, 0.99) / ms(fl, 0.99):.2f}x",
    ]
    out += [
        f"  {kind}: median {statistics.median(xs) / 1e6:.3f} ms (n {len(xs)})"
        for kind, xs in sorted(by_kind.items())
    ]
    if errors:
        out.append(f"refused: {dict(errors)}")
    if args.statements:
        out.append(clock.table())
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
