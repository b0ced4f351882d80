"""Day windows (A7.10, A7.14, A7.15, A7.16): calendar days on the sales office's clock, the
N-th day inside, day N + 1 outside."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.sales.rules import days_between, local_day, window_check

from .test_rules_support import TZ, at

UTC = dt.UTC


def test_days_are_counted_between_local_dates_not_24_hour_periods() -> None:
    assert days_between(at(3, 1, 23, 59), at(3, 2, 0, 1)) == 1
    assert days_between(at(3, 1, 0, 1), at(3, 1, 23, 59)) == 0


def test_utc_moments_are_read_on_the_shanghai_wall_clock() -> None:
    """17:00 UTC on 28 Feb is 01:00 on 1 March in Shanghai."""
    moment = dt.datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
    assert local_day(moment) == dt.date(2026, 3, 1)
    assert days_between(at(3, 1, 0, 30), moment) == 0


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(dt.datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("limit", "end", "within"),
    [
        (7, at(3, 8, 23, 59), True),  # A7.10: day 7 is inside
        (7, at(3, 9, 0, 0), False),  # day 8 is outside
        (3, at(3, 4), True),  # A7.16: day 3 inside
        (3, at(3, 5), False),
        (30, at(3, 31), True),  # A7.14
        (30, at(4, 1), False),
        (60, at(4, 30), True),  # A7.15: 1 March + 60 days = 30 April
        (60, at(5, 1), False),
    ],
)
def test_the_nth_day_is_inside_and_the_next_is_outside(
    limit: int, end: dt.datetime, within: bool
) -> None:
    check = window_check("A7.x", at(3, 1), end, limit)
    assert check.within is within and check.beyond is not within


def test_a_window_check_explains_itself_in_chinese() -> None:
    check = window_check("A7.10", at(3, 1), at(3, 9), 7)
    assert check.text_zh("来访登记", "发现冲突") == (
        "来访登记2026年3月1日至发现冲突2026年3月9日相隔8天，超过7天"
    )


def test_a_moment_before_the_start_is_within() -> None:
    assert window_check("A7.10", at(3, 2), at(3, 1), 7).within


@given(
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(TZ)
    ),
    st.integers(min_value=0, max_value=400),
)
def test_day_n_is_within_n_and_beyond_n_minus_one(start: dt.datetime, n: int) -> None:
    end = dt.datetime.combine(local_day(start) + dt.timedelta(days=n), dt.time(12), tzinfo=TZ)
    assert days_between(start, end) == n
    assert window_check("A", start, end, n).within
    if n:
        assert window_check("A", start, end, n - 1).beyond
