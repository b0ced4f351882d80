"""The pure decisions: which version is in force, when a new one starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kehu.core.policy.rules import (
    effective_start,
    local_midnight,
    next_version_number,
    values_changed,
    version_in_force,
)

from .support import shanghai


@dataclass(frozen=True)
class Stamp:
    version: int
    effective_from: datetime


def test_no_version_is_in_force_before_the_first_starts() -> None:
    versions = [Stamp(1, shanghai(2026, 3, 15))]
    assert version_in_force(versions, shanghai(2026, 3, 14, 23, 59, 59)) is None
    assert version_in_force(versions, shanghai(2026, 3, 15)) == versions[0]


def test_versions_starting_together_are_decided_by_the_higher_number() -> None:
    start = shanghai(2026, 3, 15)
    versions = [Stamp(2, start), Stamp(3, start), Stamp(1, start)]
    assert version_in_force(versions, start) == Stamp(3, start)


def test_a_date_starts_at_local_midnight_in_shanghai() -> None:
    assert local_midnight(date(2026, 5, 1)).isoformat() == "2026-05-01T00:00:00+08:00"


def test_a_start_later_today_or_in_the_future_is_kept() -> None:
    now = shanghai(2026, 3, 10, 9, 30)
    assert effective_start(shanghai(2026, 3, 10, 18), now=now).moment == shanghai(2026, 3, 10, 18)
    assert effective_start(date(2026, 3, 11), now=now).moment == shanghai(2026, 3, 11)


def test_effective_today_means_from_now_never_this_morning() -> None:
    now = shanghai(2026, 3, 10, 9, 30)
    start = effective_start(date(2026, 3, 10), now=now)
    assert start.moment == now and start.refusal is None and not start.backdated


def test_a_start_before_today_is_refused_unless_backdating_is_allowed() -> None:
    now = shanghai(2026, 3, 10, 0, 5)
    yesterday_evening = now - timedelta(minutes=10)
    assert effective_start(yesterday_evening, now=now).refusal == "backdated"
    allowed = effective_start(date(2026, 1, 1), now=now, allow_backdate=True)
    assert allowed.refusal is None and allowed.backdated
    assert allowed.moment == shanghai(2026, 1, 1)


def test_a_naive_datetime_is_refused() -> None:
    start = effective_start(datetime(2026, 3, 11, 8), now=shanghai(2026, 3, 10))
    assert start.refusal == "naive"


def test_values_changed_names_exactly_the_differing_fields() -> None:
    old = {"a": 1, "b": True, "c": "x"}
    assert values_changed(old, {"a": 1, "b": False, "c": "y"}) == ["b", "c"]
    assert values_changed(old, dict(old)) == []


def test_version_numbers_start_at_one() -> None:
    assert next_version_number(None) == 1
    assert next_version_number(4) == 5
