"""Channel reports, pure rules (X7.1 protection period, X7.3 visit decides): the edges of the
period in hours and in days, and where a report stands with the switch on and off."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from kehu.sales import channel_rules as rules
from kehu.sales.channel_rules import ReportStatus

TZ = ZoneInfo("Asia/Shanghai")
REPORTED = dt.datetime(2026, 11, 2, 15, 30, tzinfo=TZ)


def _state(hours_later: float, *, visit_decides: bool, visited_after: float | None = None) -> Any:
    until = rules.protected_until(REPORTED, amount=72, unit="hours", tz=TZ)
    return rules.report_state(
        reported_at=REPORTED,
        until=until,
        visit_decides=visit_decides,
        visited_at=None if visited_after is None else REPORTED + dt.timedelta(hours=visited_after),
        now=REPORTED + dt.timedelta(hours=hours_later),
    )


def test_x7_1_hours_mode_hour_71_is_protected_hour_73_is_not() -> None:
    # given a report protected for 72 hours, no visit
    # when the desk looks at hour 71, then at hour 73
    at_71 = _state(71, visit_decides=False)
    at_73 = _state(73, visit_decides=False)
    # then hour 71 still protects with one hour left, hour 73 no longer does
    assert at_71.status is ReportStatus.PROTECTED and at_71.holds
    assert at_71.remaining == dt.timedelta(hours=1)
    assert at_73.status is ReportStatus.EXPIRED and not at_73.holds


def test_x7_1_hours_mode_the_period_ends_exactly_at_hour_72() -> None:
    assert _state(72, visit_decides=False).status is ReportStatus.EXPIRED
    assert _state(71.99, visit_decides=False).holds


def test_x7_1_days_mode_day_n_is_still_protected_and_day_n_plus_1_is_not() -> None:
    # given a report at 15:30 on 2 Nov protected for 3 days (day of the report = day 0)
    until = rules.protected_until(REPORTED, amount=3, unit="days", tz=TZ)
    # then it protects through the whole of 5 Nov (day 3) and ends at midnight starting 6 Nov
    assert until == dt.datetime(2026, 11, 6, 0, 0, tzinfo=TZ)
    last_minute_of_day_3 = dt.datetime(2026, 11, 5, 23, 59, tzinfo=TZ)
    first_minute_of_day_4 = dt.datetime(2026, 11, 6, 0, 0, tzinfo=TZ)
    on = rules.report_state(
        reported_at=REPORTED,
        until=until,
        visit_decides=False,
        visited_at=None,
        now=last_minute_of_day_3,
    )
    off = rules.report_state(
        reported_at=REPORTED,
        until=until,
        visit_decides=False,
        visited_at=None,
        now=first_minute_of_day_4,
    )
    assert on.holds and not off.holds


def test_x7_3_visit_decides_on_a_visit_within_the_period_confirms_and_holds_after_it() -> None:
    # given visit decides on, and the customer visits at hour 50
    # when we look at hour 100, long after the period
    state = _state(100, visit_decides=True, visited_after=50)
    # then the report is confirmed and still holds the customer
    assert state.status is ReportStatus.CONFIRMED and state.holds
    assert "X7.3" in state.rule_ids


def test_x7_3_visit_decides_on_no_visit_lapses_at_the_end_of_the_period() -> None:
    assert _state(71, visit_decides=True).status is ReportStatus.PROTECTED
    lapsed = _state(73, visit_decides=True)
    assert lapsed.status is ReportStatus.LAPSED and not lapsed.holds


def test_x7_3_visit_decides_on_a_visit_after_the_period_does_not_confirm() -> None:
    state = _state(80, visit_decides=True, visited_after=75)
    assert state.status is ReportStatus.LAPSED and state.visited_at is None
    assert not rules.visit_in_time(
        reported_at=REPORTED,
        until=REPORTED + dt.timedelta(hours=72),
        visited_at=REPORTED + dt.timedelta(hours=75),
    )


def test_x7_3_visit_decides_off_the_report_protects_for_the_period_visit_or_not() -> None:
    # given the switch off: the report itself protects
    # then without a visit it protects until hour 72, and with a visit it still ends there
    assert _state(71, visit_decides=False).holds
    visited = _state(73, visit_decides=False, visited_after=10)
    assert visited.status is ReportStatus.EXPIRED and not visited.holds
    assert visited.visited_at == REPORTED + dt.timedelta(hours=10)  # recorded all the same


def test_x7_1_countdown_reads_as_days_hours_minutes() -> None:
    assert rules.remaining_text(dt.timedelta(days=2, hours=5, minutes=3)) == "2天5小时"
    assert rules.remaining_text(dt.timedelta(hours=5, minutes=12)) == "5小时12分"
    assert rules.remaining_text(dt.timedelta(minutes=12)) == "12分"
    assert rules.remaining_text(None) == ""


@given(
    amount=st.integers(min_value=1, max_value=2000),
    unit=st.sampled_from(["hours", "days"]),
    offset_minutes=st.integers(min_value=0, max_value=60 * 24 * 400),
    visit_decides=st.booleans(),
)
def test_x7_1_invariant_a_report_holds_while_it_counts_down_and_the_period_ends_after_it_starts(
    amount: int, unit: str, offset_minutes: int, visit_decides: bool
) -> None:
    until = rules.protected_until(REPORTED, amount=amount, unit=unit, tz=TZ)
    assert until > REPORTED
    now = REPORTED + dt.timedelta(minutes=offset_minutes)
    state = rules.report_state(
        reported_at=REPORTED, until=until, visit_decides=visit_decides, visited_at=None, now=now
    )
    # without a visit: it holds exactly while now < until, and the countdown is what is left
    assert state.holds == (now < until)
    assert state.remaining == (until - now if now < until else None)
