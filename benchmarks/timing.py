"""Timing kehu against its floor: interleaved calls, medians and p99 in microseconds.

kehu and the floor are timed call by call in alternation (kehu first on even inputs, the floor
first on odd ones), so a burst of noise from a neighbour on this 2-core machine hits both
rather than one. Garbage collection stays on: it is part of what a real call costs.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from time import perf_counter_ns
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Stats:
    """Summary of one series of timed calls, in microseconds."""

    n: int
    median_us: float
    p99_us: float
    mean_us: float
    min_us: float
    max_us: float

    @classmethod
    def of(cls, samples_ns: Sequence[int]) -> Stats:
        if not samples_ns:
            raise ValueError("no samples")
        ordered = sorted(samples_ns)
        n = len(ordered)
        # Nearest-rank p99: with fewer than 100 samples it is the slowest one.
        p99 = ordered[max(0, math.ceil(0.99 * n) - 1)]
        return cls(
            n=n,
            median_us=statistics.median(ordered) / 1000,
            p99_us=p99 / 1000,
            mean_us=statistics.fmean(ordered) / 1000,
            min_us=ordered[0] / 1000,
            max_us=ordered[-1] / 1000,
        )


@dataclass
class Result:
    """One line of the report: an operation of kehu and its floor."""

    group: str
    operation: str
    size: int  # rows the operation works against (customers, stream entries, …)
    kehu: Stats
    floor: Stats
    kehu_queries: int | None = None  # SQL statements per kehu call
    floor_queries: int | None = None
    note: str = ""
    extras: dict[str, Stats] = field(default_factory=dict)  # further breakdowns
    plans: dict[str, str] = field(default_factory=dict)  # EXPLAIN output, for the record

    @property
    def ratio(self) -> float:
        return self.kehu.median_us / self.floor.median_us

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = round(self.ratio, 2)
        return data


def time_one(fn: Callable[[T], object], arg: T) -> int:
    started = perf_counter_ns()
    fn(arg)
    return perf_counter_ns() - started


def compare(
    kehu: Callable[[T], object],
    floor: Callable[[T], object],
    inputs: Sequence[T],
    *,
    warmup: int,
) -> tuple[Stats, Stats]:
    """Time ``kehu(x)`` and ``floor(x)`` for every input, interleaved; warm both up first."""
    for arg in inputs[:warmup]:
        kehu(arg)
        floor(arg)
    kehu_ns: list[int] = []
    floor_ns: list[int] = []
    for i, arg in enumerate(inputs):
        if i % 2 == 0:
            kehu_ns.append(time_one(kehu, arg))
            floor_ns.append(time_one(floor, arg))
        else:
            floor_ns.append(time_one(floor, arg))
            kehu_ns.append(time_one(kehu, arg))
    return Stats.of(kehu_ns), Stats.of(floor_ns)


def series(fn: Callable[[T], object], inputs: Sequence[T], *, warmup: int) -> Stats:
    """Time one function alone (for breakdowns that have no floor of their own)."""
    for arg in inputs[:warmup]:
        fn(arg)
    return Stats.of([time_one(fn, arg) for arg in inputs])
