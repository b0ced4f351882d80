"""Invariants of deadline arithmetic (A3 reading (clock)), for every unit, on the official data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.core.calendar import official, rules
from kehu.core.calendar.rules import Unit

# Starts well inside the covered years, so that even the largest workday count below stays in
# data (2026 is the last covered year; 60 working days never need more than ~100 days).
starts = st.datetimes(
    min_value=datetime(2004, 1, 1), max_value=datetime(2026, 8, 31), timezones=st.just(UTC)
)
units = st.sampled_from(list(Unit))
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))


def amounts_for(unit: Unit) -> st.SearchStrategy[int]:
    high = {Unit.HOUR: 24 * 60, Unit.DAY: 60, Unit.WORKDAY: 60, Unit.SAMEDAY: 1}[unit]
    return st.integers(min_value=rules.MIN_AMOUNT[unit], max_value=high)


def due(start: datetime, amount: int, unit: Unit) -> datetime:
    return rules.due_at(
        start=start, amount=amount, unit=unit, day_status=official.official_day_status
    ).due_at


@given(start=starts, data=st.data(), unit=units)
def test_a_due_time_is_never_before_its_start(
    start: datetime, data: st.DataObject, unit: Unit
) -> None:
    amount = data.draw(amounts_for(unit))
    assert due(start, amount, unit) >= start


@settings(max_examples=200)
@given(start=starts, gap=gaps, data=st.data(), unit=units)
def test_a_later_start_never_gives_an_earlier_due_time(
    start: datetime, gap: timedelta, data: st.DataObject, unit: Unit
) -> None:
    amount = data.draw(amounts_for(unit))
    assert due(start + gap, amount, unit) >= due(start, amount, unit)


@settings(max_examples=200)
@given(start=starts, data=st.data(), unit=units)
def test_more_amount_never_gives_an_earlier_due_time(
    start: datetime, data: st.DataObject, unit: Unit
) -> None:
    amount = data.draw(amounts_for(unit))
    more = data.draw(st.integers(min_value=amount, max_value=amount + 30))
    if more > rules.MAX_AMOUNT[unit]:
        more = amount
    assert due(start, more, unit) >= due(start, amount, unit)


@given(start=starts, amount=st.integers(min_value=1, max_value=60))
def test_workdays_count_exactly_amount_working_days_after_the_start_day(
    start: datetime, amount: int
) -> None:
    decision = rules.due_at(
        start=start, amount=amount, unit=Unit.WORKDAY, day_status=official.official_day_status
    )
    walked = decision.days
    start_day = rules.local_date(start)
    # The walk covers every date from the day after the start day to the due date, once.
    assert [d.day for d in walked] == [
        start_day + timedelta(days=i + 1) for i in range(len(walked))
    ]
    assert walked[-1].day == decision.due_at.astimezone(rules.LOCAL_TZ).date()
    assert walked[-1].is_working_day
    assert len(decision.counted) == amount
    assert all(d.is_working_day for d in decision.counted)
    assert not any(d.is_working_day for d in decision.skipped)


@given(start=starts, unit=st.sampled_from([Unit.DAY, Unit.WORKDAY, Unit.SAMEDAY]))
def test_day_based_deadlines_end_at_the_last_microsecond_of_a_local_day(
    start: datetime, unit: Unit
) -> None:
    local = due(start, 1, unit).astimezone(rules.LOCAL_TZ)
    assert (local.hour, local.minute, local.second, local.microsecond) == (23, 59, 59, 999999)
