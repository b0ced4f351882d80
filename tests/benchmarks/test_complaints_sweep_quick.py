"""The complaints sweep benchmark of issue #5 (``python -m benchmarks.suite_complaints_sweep``):
its generated open complaints are in the state the sweep itself would have left them in at its
previous run (A3 timing: warning at 80 %, breach at the deadline, 督办 every 24 h), and a tiny run
goes end to end — the floor, ``sweep_candidates`` and ``complaint_sweep`` on the same due rows,
over the partial index, with and without closed complaints.

No timing is asserted: only that every path ran on the same rows and what was loaded is
consistent."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the benchmarks package

from benchmarks.suite_complaints_sweep import SweepSizes, measure

from benchmarks import complaints_loading as loading
from kehu.complaints import rules


class _FakeCompany:
    def __init__(self, pk: int) -> None:
        self.pk = pk


def _fake_org() -> Any:
    east, west = _FakeCompany(1), _FakeCompany(2)
    return loading.Org(
        east=east,  # type: ignore[arg-type]
        west=west,  # type: ignore[arg-type]
        receivers={1: {"a3": [10, 11], "a8_2": [12]}, 2: {"a3": [20], "a8_2": [21]}},
        departments={1: [100, 101], 2: [200]},
        handlers={
            1: {"service": [13], "department": [14]},
            2: {"service": [22], "department": [23]},
        },
        staff_count=0,
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), interval=st.sampled_from([60, 3600]))
def test_a3_a8_2_generated_open_complaints_are_as_the_previous_sweep_left_them(
    seed: int, interval: int
) -> None:
    # given open complaints generated as of the previous sweep, ``interval`` seconds ago
    now = loading.NOW
    last = now - dt.timedelta(seconds=interval)
    policy = rules.ComplaintPolicy()
    stats = loading.OpenStats()
    rows = list(
        loading.open_rows(_fake_org(), 400, seed, now, dt.timedelta(seconds=interval), stats)
    )
    # then each one's stage started before that sweep, its warning sits at 80 % of its time
    # (A3 reading) and its state is what rules.timing said then
    for row in rows:
        start, due = row["stage_started_at"], row["due_at"]
        assert start <= last < row["next_check_at"]
        assert start <= row["warn_at"] <= due
        assert row["warn_at"] == rules.warn_at(start, due, policy.warn_at_percent)
        verdict = rules.timing(started_at=start, due=due, now=last, policy=policy)
        assert row["time_state"] == verdict.state.value
        assert row["escalation_level"] == verdict.escalation_level
        # and an A8.2 complaint already breached has had its fines proposed (once)
        assert row["penalised"] == (row["profile"] == "a8_2" and verdict.state.value == "breached")
        assert row["profile"] == "a3" or row["channel"] == "sales_office"
    # and the due set is exactly the rows whose next check fell inside the interval
    assert stats.due == sum(row["next_check_at"] <= now for row in rows)
    assert stats.rows == 400 and sum(stats.by_state.values()) == 400


@pytest.mark.django_db(transaction=True)
def test_a3_a_tiny_run_sweeps_the_same_rows_as_the_floor_with_and_without_closed_complaints() -> (
    None
):
    # given a tiny load: 3,000 open complaints (an hour since the last sweep) and 6,000 closed
    sizes = SweepSizes(mode="smoke", open=3_000, closed=6_000, interval_seconds=3600, rounds=2)
    logged: list[str] = []
    # when the benchmark measures both phases (it raises if a sweep did not start from the same
    # state, if the ORM read found other rows than the floor, or a plan skips the checks' index)
    outcome = measure(sizes, 20260527, logged.append)
    # then the closed rows were loaded behind the open ones, with the migration's indexes back
    assert outcome["rows"] == {"open": 3_000, "closed": 6_000, "staff": outcome["rows"]["staff"]}
    names = {name for name, _ in outcome["indexes"]}
    assert {"complaint_check_due", "complaint_open_queue"} <= names
    # and both phases swept the same due rows with the same verdicts
    first, second = outcome["phases"]
    assert first["due"] == second["due"] > 0
    assert first["sweep_outcome"] == second["sweep_outcome"]
    assert first["sweep_outcome"]["looked_at"] == first["due"]
    for phase in outcome["phases"]:
        assert all(t["n"] == 2 for t in phase["timings"].values())
        assert "complaint_check_due" in phase["plans"]["floor"]


@pytest.mark.django_db(transaction=True)
def test_a8_2_a_tiny_midnight_run_breaches_the_same_day_complaints_and_posts_their_fines() -> None:
    # given a tiny load swept last just before local midnight, and no closed complaints
    sizes = SweepSizes(
        mode="smoke", open=2_000, closed=0, interval_seconds=60, rounds=1, at_midnight=True
    )
    # when the benchmark times the first sweep after midnight (one phase: nothing closed)
    outcome = measure(sizes, 20260527, [].append)
    (phase,) = outcome["phases"]
    assert outcome["now"] == "2026-11-28T00:00:30+08:00"
    # then the same-day (A8.2) complaints still open breached at once and posted their fines
    swept = phase["sweep_outcome"]
    assert swept["breaches"] > 0 and swept["fines"] > 0
    assert phase["due"] == swept["looked_at"]
