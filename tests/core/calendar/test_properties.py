"""Invariants of deadline arithmetic (A3 reading (clock)), for every unit, on the official data,
and for working days into a year a company has declared (or not)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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


# --- a declared year on top of the official data --------------------------------------------
# Company overrides are drawn at random over late 2026 to 2027 (the uncovered year); 2027 is
# declared or not. The walk then crosses from official data into the declared year.
late_starts = st.datetimes(
    min_value=datetime(2026, 9, 1), max_value=datetime(2027, 9, 30), timezones=st.just(UTC)
)
company_days = st.dictionaries(
    keys=st.dates(min_value=date(2026, 9, 1), max_value=date(2027, 12, 31)),
    values=st.booleans(),
    max_size=60,
)


def company_lookup(overrides: dict[date, bool], declared: frozenset[int]) -> rules.DayStatusLookup:
    def day_status(day: date) -> rules.DayStatus:
        working = overrides.get(day)
        return rules.company_day_status(
            day,
            official=official.official_day_status,
            override=None if working is None else rules.CompanyDay(day, working, "测试"),
            declared_years=declared,
        )

    return day_status


@settings(max_examples=200)
@given(start=late_starts, amount=st.integers(min_value=1, max_value=60), overrides=company_days)
def test_in_a_declared_year_workdays_still_count_exactly(
    start: datetime, amount: int, overrides: dict[date, bool]
) -> None:
    decision = rules.due_at(
        start=start,
        amount=amount,
        unit=Unit.WORKDAY,
        day_status=company_lookup(overrides, frozenset({2027})),
    )
    walked = decision.days
    start_day = rules.local_date(start)
    assert [d.day for d in walked] == [
        start_day + timedelta(days=i + 1) for i in range(len(walked))
    ]
    assert len(decision.counted) == amount and walked[-1].is_working_day
    for status in walked:
        if status.day in overrides:  # an override always decides its date
            assert status.is_working_day == overrides[status.day]
            assert status.kind in (rules.DayKind.COMPANY_WORKDAY, rules.DayKind.COMPANY_HOLIDAY)
        elif status.day.year == 2027:  # otherwise the ordinary week, and it says so
            assert status.is_working_day == (status.day.weekday() < 5)
            assert status.name_zh == "公司已声明2027年安排"


@settings(max_examples=200)
@given(
    start=late_starts,
    amount=st.integers(min_value=1, max_value=40),
    gap=gaps,
    overrides=company_days,
)
def test_in_a_declared_year_a_later_start_or_more_days_is_never_earlier(
    start: datetime, amount: int, gap: timedelta, overrides: dict[date, bool]
) -> None:
    lookup = company_lookup(overrides, frozenset({2027}))

    def due(begin: datetime, n: int) -> datetime:
        return rules.due_at(start=begin, amount=n, unit=Unit.WORKDAY, day_status=lookup).due_at

    assert due(start + gap, amount) >= due(start, amount)
    assert due(start, amount + 1) > due(start, amount)


@settings(max_examples=200)
@given(start=late_starts, amount=st.integers(min_value=1, max_value=60), overrides=company_days)
def test_without_a_declaration_nothing_is_guessed(
    start: datetime, amount: int, overrides: dict[date, bool]
) -> None:
    # Either the count stops with YearNotCovered, or every 2027 date it walked was overridden.
    try:
        decision = rules.due_at(
            start=start,
            amount=amount,
            unit=Unit.WORKDAY,
            day_status=company_lookup(overrides, frozenset()),
        )
    except rules.YearNotCovered as error:
        assert error.year == 2027 and error.day not in overrides
        return
    assert all(d.day in overrides for d in decision.days if d.day.year == 2027)
