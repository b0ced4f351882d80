"""A7.10: where a pre-registration stands — waiting, open up to the 7th day after the visit's
registration, expired from the 8th (calendar days on the office's clock)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kehu.sales.prereg_rules import PreregState, prereg_validity

SH = dt.timezone(dt.timedelta(hours=8))
PRE = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)  # pre-registered
VISIT = dt.datetime(2026, 11, 24, 15, 0, tzinfo=SH)  # the introduced person visits
REGISTERED = dt.datetime(2026, 11, 24, 16, 0, tzinfo=SH)  # …and is registered


def at(day: int, hour: int = 12) -> dt.datetime:
    return (
        dt.datetime(2026, 11, day, hour, 0, tzinfo=SH)
        if day <= 30
        else dt.datetime(2026, 12, day - 30, hour, 0, tzinfo=SH)
    )


def test_a7_10_before_the_visit_the_pre_registration_is_waiting_and_valid() -> None:
    v = prereg_validity(
        preregistered_at=PRE, visit_registered_at=None, visit_arrived_at=None, now=at(30)
    )
    assert v.state == PreregState.WAITING and v.valid and v.rule_ids == ("A7.10",)


def test_a7_10_the_7th_day_after_the_visits_registration_is_still_open() -> None:
    # given the visit was registered on 24 November
    # when it is 1 December (7 days later), late in the evening
    v = prereg_validity(
        preregistered_at=PRE, visit_registered_at=REGISTERED, visit_arrived_at=VISIT, now=at(31, 23)
    )
    # then the conflict may still be raised: last day 1 December
    assert v.state == PreregState.OPEN and v.valid
    assert v.last_day == dt.date(2026, 12, 1) and v.days_left == 0


def test_a7_10_the_8th_day_is_expired_the_receiver_keeps_the_customer() -> None:
    v = prereg_validity(
        preregistered_at=PRE, visit_registered_at=REGISTERED, visit_arrived_at=VISIT, now=at(32, 0)
    )
    assert v.state == PreregState.EXPIRED and not v.valid
    assert "超过7天" in v.explanation_zh and "A7.10" in v.explanation_zh


def test_a7_10_a_visit_before_the_pre_registration_is_not_covered() -> None:
    v = prereg_validity(
        preregistered_at=VISIT + dt.timedelta(hours=2),
        visit_registered_at=REGISTERED,
        visit_arrived_at=VISIT,
        now=at(25),
    )
    assert v.state == PreregState.LATE and not v.valid


def test_a7_10_the_window_is_a_policy_setting() -> None:
    v = prereg_validity(
        preregistered_at=PRE,
        visit_registered_at=REGISTERED,
        visit_arrived_at=VISIT,
        now=at(27),
        valid_days=2,
    )
    assert v.state == PreregState.EXPIRED and "超过2天" in v.explanation_zh


@given(
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=14),
)
def test_a7_10_property_open_exactly_through_the_nth_local_day(
    days_after: int, hour: int, valid_days: int
) -> None:
    now = dt.datetime.combine(
        REGISTERED.date() + dt.timedelta(days=days_after), dt.time(hour), tzinfo=SH
    )
    if now < REGISTERED:
        now = REGISTERED
    v = prereg_validity(
        preregistered_at=PRE,
        visit_registered_at=REGISTERED,
        visit_arrived_at=VISIT,
        now=now,
        valid_days=valid_days,
    )
    assert v.valid == (days_after <= valid_days)
    assert v.last_day == REGISTERED.date() + dt.timedelta(days=valid_days)
