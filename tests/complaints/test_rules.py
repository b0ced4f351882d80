"""The complaint engine (Part C: A3, A8.2, A4 hotline, A9, A11), from the rulebook's wording.

Holiday premises are checked against the official calendar itself, so a wrong premise fails
loudly instead of passing for the wrong reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.complaints import rules
from kehu.complaints.rules import (
    Action,
    ComplaintPolicy,
    Profile,
    Stage,
    StageClock,
    TimeState,
)
from kehu.core.calendar.official import official_day_status
from kehu.core.calendar.rules import LOCAL_TZ, Unit

POLICY = ComplaintPolicy()


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def with_clock(profile: Profile, stage: Stage, amount: int, unit: Unit) -> ComplaintPolicy:
    clocks = {p: dict(c) for p, c in rules.DEFAULT_CLOCKS.items()}
    clocks[profile][stage] = replace(clocks[profile][stage], amount=amount, unit=unit)
    return ComplaintPolicy(clocks=clocks)


def deadline(
    stage: Stage,
    start: str,
    *,
    profile: Profile = Profile.A3,
    policy: ComplaintPolicy = POLICY,
    agreed: dt.date | None = None,
) -> rules.StageDeadline:
    return rules.stage_deadline(
        profile=profile,
        stage=stage,
        started_at=local(start),
        policy=policy,
        day_status=official_day_status,
        agreed_date=agreed,
    )


def is_working(day: str) -> bool:
    return official_day_status(dt.date.fromisoformat(day)).is_working_day


# --- A3 stage clocks ------------------------------------------------------------------------


def test_a3_receiving_unit_forwards_within_24_clock_hours_even_across_national_day() -> None:
    # given a complaint received on the evening before National Day 2025
    assert not is_working("2025-10-01")
    # when the forwarding deadline is computed
    due = deadline(Stage.RECEIVED, "2025-09-30T20:00")
    # then it is 24 clock hours later: holidays do not pause hours
    assert due.due_at == local("2025-10-01T20:00")
    assert due.rule_ids == (rules.A3_FORWARD, rules.A3_CLOCK)


def test_a3_customer_service_dispatches_within_24_hours() -> None:
    due = deadline(Stage.AT_SERVICE, "2026-03-02T09:15")
    assert due.due_at == local("2026-03-03T09:15")
    assert rules.A3_DISPATCH in due.rule_ids


def test_a3_department_result_within_3_calendar_days_by_default() -> None:
    # the start day is not counted; the deadline is the end of the 3rd day
    due = deadline(Stage.DISPATCHED, "2026-03-06T16:00")  # a Friday
    assert due.due_at == local("2026-03-09T23:59:59.999999")
    assert rules.A3_RESULT in due.rule_ids


def test_a3_customer_told_within_2_days_of_the_result() -> None:
    due = deadline(Stage.RESULT, "2026-03-09T10:00")
    assert due.due_at == local("2026-03-11T23:59:59.999999")
    assert rules.A3_TELL in due.rule_ids


def test_a3_working_day_clock_received_2025_09_30_evening_skips_the_national_day_holiday() -> None:
    # given the policy sets the department's stage to 2 working days
    policy = with_clock(Profile.A3, Stage.DISPATCHED, 2, Unit.WORKDAY)
    assert not any(is_working(f"2025-10-0{d}") for d in range(1, 9))
    assert is_working("2025-10-09") and is_working("2025-10-10")
    # when a complaint is dispatched on 2025-09-30 evening
    due = deadline(Stage.DISPATCHED, "2025-09-30T19:30", policy=policy)
    # then 1–8 October are skipped and the 2nd working day is Friday 10 October
    assert due.due_at == local("2025-10-10T23:59:59.999999")
    assert [d.day.day for d in due.calendar.counted] == [9, 10]  # type: ignore[union-attr]


def test_a3_working_day_clock_before_the_2026_spring_festival_counts_the_adjusted_saturday() -> (
    None
):
    # given 2026-02-14 is a Saturday worked in exchange (调休) and 15–23 February are holidays
    assert dt.date(2026, 2, 14).weekday() == 5 and is_working("2026-02-14")
    assert not any(is_working(f"2026-02-{d}") for d in range(15, 24))
    policy = with_clock(Profile.A3, Stage.DISPATCHED, 2, Unit.WORKDAY)
    # when a complaint is dispatched on Friday 2026-02-13
    due = deadline(Stage.DISPATCHED, "2026-02-13T15:00", policy=policy)
    # then Saturday the 14th counts and the 2nd working day is Tuesday the 24th
    assert due.due_at == local("2026-02-24T23:59:59.999999")


def test_a3_one_working_day_from_friday_before_the_festival_is_the_adjusted_saturday() -> None:
    policy = with_clock(Profile.A3, Stage.RESULT, 1, Unit.WORKDAY)
    due = deadline(Stage.RESULT, "2026-02-13T18:00", policy=policy)
    assert due.due_at == local("2026-02-14T23:59:59.999999")


# --- cannot be solved soon: the agreed new date is the deadline ------------------------------


def test_a3_cannot_solve_soon_customer_told_within_3_days() -> None:
    due = deadline(Stage.NOT_SOON, "2026-04-01T11:00")
    assert due.due_at == local("2026-04-04T23:59:59.999999")
    assert rules.A3_NOT_SOON in due.rule_ids


def test_a3_the_agreed_new_date_becomes_the_deadline() -> None:
    due = deadline(Stage.AGREED, "2026-04-02T11:00", agreed=dt.date(2026, 4, 20))
    assert due.due_at == local("2026-04-20T23:59:59.999999")
    assert "2026-04-20" in due.explanation_zh


def test_a3_an_agreed_date_before_the_agreement_is_refused() -> None:
    with pytest.raises(rules.AgreedDateMissing):
        deadline(Stage.AGREED, "2026-04-02T11:00", agreed=dt.date(2026, 4, 1))
    with pytest.raises(rules.AgreedDateMissing):
        deadline(Stage.AGREED, "2026-04-02T11:00")


# --- A8.2 same day ----------------------------------------------------------------------------


def test_a8_2_a_sales_office_complaint_is_settled_the_same_day() -> None:
    due = deadline(Stage.RECEIVED, "2026-05-08T17:40", profile=Profile.A8_2)
    assert due.due_at == local("2026-05-08T23:59:59.999999")
    assert due.rule_ids == (rules.A8_2,)


def test_a8_2_several_departments_tell_the_customer_the_same_day_when() -> None:
    assert rules.next_stage(Profile.A8_2, Stage.RECEIVED, Action.REPORT_NOT_SOON) is Stage.NOT_SOON
    due = deadline(Stage.NOT_SOON, "2026-05-08T18:00", profile=Profile.A8_2)
    assert due.due_at == local("2026-05-08T23:59:59.999999")


def test_a8_2_unsettled_in_time_fines_customer_service_100_and_director_and_assistant_50() -> None:
    fines = rules.a8_2_penalties(profile=Profile.A8_2, already_penalised=False, policy=POLICY)
    assert {(f.role, f.amount) for f in fines} == {
        (rules.PenaltyRole.CUSTOMER_SERVICE, Decimal("100")),
        (rules.PenaltyRole.SALES_DIRECTOR, Decimal("50")),
        (rules.PenaltyRole.DIRECTOR_ASSISTANT, Decimal("50")),
    }
    assert all(f.rule_ids == (rules.A8_2,) for f in fines)


def test_a8_2_fines_are_proposed_once_per_complaint_and_never_for_a3() -> None:
    assert rules.a8_2_penalties(profile=Profile.A8_2, already_penalised=True, policy=POLICY) == ()
    assert rules.a8_2_penalties(profile=Profile.A3, already_penalised=False, policy=POLICY) == ()


# --- transitions: one-stop, no refusal ----------------------------------------------------------


@pytest.mark.parametrize("profile", list(Profile))
def test_a3_one_stop_no_profile_can_refuse_or_send_a_complaint_elsewhere(profile: Profile) -> None:
    actions = {action for (_stage, action) in rules.TRANSITIONS[profile]}
    assert not {a for a in actions if "refuse" in a or "redirect" in a or "reject" in a}
    # every open stage has a way forward, and every path can reach CLOSED
    for stage in rules.OPEN_STAGES:
        if profile is Profile.A8_2 and stage in (Stage.AT_SERVICE, Stage.DISPATCHED):
            continue  # the same-day profile skips these stages
        assert rules.allowed_actions(profile, stage), stage


def test_a3_the_full_path_received_to_closed() -> None:
    stage = Stage.RECEIVED
    for action in (Action.FORWARD, Action.DISPATCH, Action.REPORT_RESULT, Action.TELL_CUSTOMER):
        stage = rules.next_stage(Profile.A3, stage, action)
    assert stage is Stage.CLOSED


def test_a3_the_not_soon_path_goes_through_the_agreed_date() -> None:
    stage = rules.next_stage(Profile.A3, Stage.DISPATCHED, Action.REPORT_NOT_SOON)
    stage = rules.next_stage(Profile.A3, stage, Action.AGREE_DATE)
    assert stage is Stage.AGREED
    assert rules.next_stage(Profile.A3, stage, Action.REPORT_RESULT) is Stage.RESULT


def test_a3_an_action_out_of_order_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(rules.TransitionRefused) as refused:
        rules.next_stage(Profile.A3, Stage.RECEIVED, Action.TELL_CUSTOMER)
    assert refused.value.allowed == (Action.FORWARD,)


def test_a4_an_unhappy_customer_at_callback_reopens_the_complaint() -> None:
    assert rules.next_stage(Profile.A3, Stage.CLOSED, Action.REOPEN) is Stage.DISPATCHED


# --- the sweep: warning, breach, escalation ------------------------------------------------------


def test_sweep_warning_band_starts_at_80_percent_of_the_time() -> None:
    start, due = local("2026-03-02T08:00"), local("2026-03-03T08:00")
    before = rules.timing(started_at=start, due=due, now=local("2026-03-03T03:11"), policy=POLICY)
    at = rules.timing(started_at=start, due=due, now=local("2026-03-03T03:12"), policy=POLICY)
    assert before.state is TimeState.ON_TIME
    assert at.state is TimeState.WARNING
    assert at.escalation_level == 0


def test_sweep_the_deadline_itself_is_still_on_time_and_a_moment_later_breached() -> None:
    start, due = local("2026-03-02T08:00"), local("2026-03-03T08:00")
    on = rules.timing(started_at=start, due=due, now=due, policy=POLICY)
    late = rules.timing(
        started_at=start, due=due, now=due + dt.timedelta(microseconds=1), policy=POLICY
    )
    assert on.state is TimeState.WARNING
    assert late.state is TimeState.BREACHED
    assert late.escalation_level == 1  # 催办 the owner


def test_sweep_escalates_one_level_up_per_further_period() -> None:
    start, due = local("2026-03-02T08:00"), local("2026-03-03T08:00")
    levels = [
        rules.timing(
            started_at=start, due=due, now=due + dt.timedelta(hours=h), policy=POLICY
        ).escalation_level
        for h in (1, 23, 24, 25, 48, 49)
    ]
    assert levels == [1, 1, 2, 2, 3, 3]


# --- grouping (one explanation session) ---------------------------------------------------------


def key(cid: str, place: str, category: str, when: str) -> rules.GroupingKey:
    return rules.GroupingKey(cid, place, category, local(when))


def test_a3_complaints_about_one_problem_are_suggested_as_one_group() -> None:
    items = [
        key("1", "云栖府3栋", "漏水", "2026-06-01T09:00"),
        key("2", "云栖府3栋", "漏水", "2026-06-03T09:00"),
        key("3", "云栖府3栋", "漏水", "2026-06-09T09:00"),  # 6 days after #2: same run
        key("4", "云栖府3栋", "电梯", "2026-06-02T09:00"),  # another category
        key("5", "云栖府5栋", "漏水", "2026-06-02T09:00"),  # another building
        key("6", "云栖府3栋", "漏水", "2026-06-30T09:00"),  # weeks later: alone
        key("7", "", "漏水", "2026-06-02T09:00"),  # place unknown: never grouped
    ]
    assert rules.suggest_groups(items, window_days=7) == (("1", "2", "3"),)


# --- needs (A11) and work orders (A4, A9) ---------------------------------------------------------


def test_a11_management_and_service_needs_go_to_the_management_office_business_to_ehome() -> None:
    assert rules.need_route(rules.NeedClass.MANAGEMENT) is rules.NeedUnit.MANAGEMENT_OFFICE
    assert rules.need_route(rules.NeedClass.SERVICE) is rules.NeedUnit.MANAGEMENT_OFFICE
    assert rules.need_route(rules.NeedClass.BUSINESS) is rules.NeedUnit.BUSINESS_SERVICES


def test_a4_a_leak_report_is_urgent_and_cites_the_hotline_rule() -> None:
    assert rules.is_urgent(rules.WorkKind.LEAK)
    assert rules.work_order_rule_ids(rules.WorkKind.LEAK) == (rules.A4_HOTLINE,)
    assert not rules.is_urgent(rules.WorkKind.REPAIR)
    assert rules.work_order_rule_ids(rules.WorkKind.PAID_CLEANING) == (rules.A9,)


def test_a9_every_completed_work_order_gets_a_callback_unhappy_reopens() -> None:
    assert rules.callbacks_missing(["a", "b", "c"], ["b"]) == ["a", "c"]
    unhappy = rules.callback_verdict(kind=rules.WorkKind.REPAIR, satisfied=False)
    happy = rules.callback_verdict(kind=rules.WorkKind.REPAIR, satisfied=True)
    assert unhappy.reopen and not happy.reopen


# --- invariants -----------------------------------------------------------------------------------

# Starts, plus a later start (≤ 30 days) and a clock (≤ 20 working days), must stay within the
# years chinesecalendar covers (to 2026): a deadline in 2027 is refused (calendar.year_not_covered).
_STARTS = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 10, 31)).map(
    lambda d: d.replace(tzinfo=LOCAL_TZ)
)
_CLOCKS = st.tuples(
    st.sampled_from([Unit.HOUR, Unit.DAY, Unit.WORKDAY, Unit.SAMEDAY]), st.integers(1, 20)
)


def _policy_for(unit: Unit, amount: int) -> ComplaintPolicy:
    return with_clock(Profile.A3, Stage.DISPATCHED, 0 if unit is Unit.SAMEDAY else amount, unit)


@given(start=_STARTS, clock=_CLOCKS)
def test_a_deadline_is_never_before_its_stage_starts(
    start: dt.datetime, clock: tuple[Unit, int]
) -> None:
    unit, amount = clock
    due = rules.stage_deadline(
        profile=Profile.A3,
        stage=Stage.DISPATCHED,
        started_at=start,
        policy=_policy_for(unit, amount),
        day_status=official_day_status,
    )
    assert due.due_at is not None and due.due_at >= start


@given(
    start=_STARTS,
    later_by=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
    clock=_CLOCKS,
)
def test_a_later_start_never_gives_an_earlier_deadline(
    start: dt.datetime, later_by: dt.timedelta, clock: tuple[Unit, int]
) -> None:
    unit, amount = clock
    later = start + later_by
    policy = _policy_for(unit, amount)

    def due(at: dt.datetime) -> dt.datetime:
        answer = rules.stage_deadline(
            profile=Profile.A3,
            stage=Stage.DISPATCHED,
            started_at=at,
            policy=policy,
            day_status=official_day_status,
        ).due_at
        assert answer is not None
        return answer

    assert due(later) >= due(start)


@given(
    start=_STARTS,
    hours=st.integers(1, 200),
    now_offset=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
)
def test_timing_escalation_never_goes_down_as_time_passes(
    start: dt.datetime, hours: int, now_offset: dt.timedelta
) -> None:
    due = start + dt.timedelta(hours=hours)
    first = rules.timing(started_at=start, due=due, now=start + now_offset, policy=POLICY)
    later = rules.timing(
        started_at=start, due=due, now=start + now_offset + dt.timedelta(hours=5), policy=POLICY
    )
    order = [TimeState.ON_TIME, TimeState.WARNING, TimeState.BREACHED]
    assert order.index(later.state) >= order.index(first.state)
    assert later.escalation_level >= first.escalation_level


def test_stage_clock_defaults_cite_their_rules() -> None:
    for profile, clocks in rules.DEFAULT_CLOCKS.items():
        for stage, clock in clocks.items():
            assert isinstance(clock, StageClock)
            assert clock.rule_ids, (profile, stage)
