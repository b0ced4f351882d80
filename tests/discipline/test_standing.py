"""Standings recomputed from the ledger (A4 五.5, A4 四.六, A4 四.七), who may see them, and the
company report. Entries are posted through the services, as the other apps post them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from kehu.core.org.models import Company, Department, Staff
from kehu.core.org.posts import Post
from kehu.core.policy.services import policy_version_create
from kehu.discipline import selectors
from kehu.discipline.errors import DisciplineError
from kehu.discipline.models import DisciplineEntry
from kehu.discipline.rules import Kind, Standing
from kehu.discipline.services import discipline_entry_post, proposal_decide

D = dt.date
TODAY = D(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def team(wang: Staff, li: Staff) -> Staff:
    li.supervisor = wang
    li.save()
    return li


@pytest.fixture
def hr(cast: Any, east: Company) -> Staff:
    return cast.staff(east, "人事刘", Post.HR)


def post(
    employee: Staff, kind: Kind | str, on: dt.date, by: Staff, **extra: Any
) -> DisciplineEntry:
    return discipline_entry_post(
        employee=employee,
        on=on,
        kind=kind,
        reason=extra.pop("reason", "测试"),
        rule_ids=extra.pop("rule_ids", []),
        recorded_by=by,
        **extra,
    )


def standing(employee: Staff, as_of: dt.date = TODAY) -> Standing:
    return selectors.standing_for_employee(viewer=employee, employee=employee, as_of=as_of).standing


# --- accumulation (A4 五.5.5) ----------------------------------------------------------------


def test_two_criticisms_make_one_minor_demerit(team: Staff, wang: Staff) -> None:
    c1 = post(team, "criticism", D(2026, 1, 5), wang)
    c2 = post(team, "criticism", D(2026, 2, 5), wang)
    s = standing(team)
    assert s.counts["criticism"] == 0 and s.counts["minor_demerit"] == 1
    assert s.derived[0].from_ids == (str(c1.pk), str(c2.pk))
    assert "A4 五.5.5(惩罚)" in s.rule_ids


def test_criticisms_chain_to_a_major_demerit_and_then_a_termination_proposal(
    team: Staff, wang: Staff
) -> None:
    for day in range(1, 5):
        post(team, "criticism", D(2026, 1, day), wang)
    assert standing(team).counts["major_demerit"] == 1
    for day in range(5, 9):
        post(team, "criticism", D(2026, 1, day), wang)
    s = standing(team)
    assert s.counts["major_demerit"] == 0
    assert [p.kind for p in s.proposals] == ["termination"]


def test_two_minor_demerits_make_a_major_demerit(team: Staff, wang: Staff) -> None:
    post(team, "minor_demerit", D(2026, 1, 5), wang)
    post(team, "minor_demerit", D(2026, 2, 5), wang)
    s = standing(team)
    assert s.counts["minor_demerit"] == 0 and s.counts["major_demerit"] == 1


def test_commendations_chain_to_merits_and_each_pair_of_major_merits_earns_the_bonus(
    team: Staff, wang: Staff
) -> None:
    post(team, "commendation", D(2026, 1, 1), wang)
    post(team, "commendation", D(2026, 1, 2), wang)
    assert standing(team).counts["minor_merit"] == 1
    post(team, "minor_merit", D(2026, 1, 3), wang)
    assert standing(team).counts["major_merit"] == 1
    post(team, "major_merit", D(2026, 1, 4), wang)
    s = standing(team)
    assert s.counts["major_merit"] == 0 and s.bonuses == Decimal("2000.00")
    # the pair was consumed: two more major merits earn another bonus
    post(team, "major_merit", D(2026, 2, 1), wang)
    post(team, "major_merit", D(2026, 2, 2), wang)
    assert standing(team).bonuses == Decimal("4000.00")


def test_only_entries_inside_the_accumulation_window_pair(team: Staff, wang: Staff) -> None:
    # Reading: the window is the 12 months before the entry being processed
    post(team, "criticism", D(2025, 1, 10), wang)
    post(team, "criticism", D(2026, 3, 1), wang)
    s = standing(team)
    assert s.counts["criticism"] == 1 and s.counts["minor_demerit"] == 0
    assert any("已超出累计期" in step.text_zh for step in s.steps)


def test_the_window_is_company_policy_and_the_standing_names_the_version(
    cast: Any, east: Company, team: Staff, wang: Staff
) -> None:
    gm = cast.staff(east, "总经理周", Post.GENERAL_MANAGER)
    post(team, "criticism", D(2026, 1, 10), wang)
    post(team, "criticism", D(2026, 9, 1), wang)
    assert standing(team).counts["minor_demerit"] == 1
    policy_version_create(
        staff=gm,
        key="discipline",
        values={"accumulation_window_months": 6},
        effective_from=D(2026, 1, 1),
        note="累计期改为 6 个月",
        allow_backdate=True,
    )
    result = selectors.standing_for_employee(viewer=team, employee=team, as_of=D(2026, 11, 27))
    assert result.policy_ref == "discipline@v1"
    assert result.standing.counts["criticism"] == 1 and result.standing.counts["minor_demerit"] == 0


def test_a_standing_as_of_an_earlier_day_ignores_later_entries(team: Staff, wang: Staff) -> None:
    post(team, "criticism", D(2026, 1, 5), wang)
    post(team, "criticism", D(2026, 6, 5), wang)
    assert standing(team, D(2026, 3, 1)).counts["criticism"] == 1
    assert standing(team, D(2026, 6, 5)).counts["minor_demerit"] == 1


# --- offsets (A4 五.5.6) ---------------------------------------------------------------------


def test_an_offset_is_proposed_only_during_the_penalty_period(team: Staff, wang: Staff) -> None:
    post(team, "criticism", D(2025, 6, 1), wang)
    post(team, "commendation", D(2025, 9, 1), wang)
    assert [p.kind for p in standing(team, D(2026, 5, 31)).proposals] == ["offset"]
    # the penalty period (12 months) ended on 1 June 2026
    assert standing(team, D(2026, 6, 2)).proposals == []


def test_a_merit_of_another_level_does_not_offset(team: Staff, wang: Staff) -> None:
    post(team, "minor_demerit", D(2026, 3, 1), wang)
    post(team, "commendation", D(2026, 4, 1), wang)
    assert standing(team).proposals == []


def test_the_standing_shows_which_proposals_are_decided(team: Staff, wang: Staff) -> None:
    post(team, "criticism", D(2026, 3, 1), wang)
    post(team, "commendation", D(2026, 6, 1), wang)
    result = selectors.standing_for_employee(viewer=wang, employee=team)
    (state,) = result.proposals
    assert state.open
    decision = proposal_decide(
        decider=wang, proposal_key=state.key, outcome="rejected", reason="否"
    )
    (state,) = selectors.standing_for_employee(viewer=wang, employee=team).proposals
    assert not state.open and state.decision == decision


# --- supervision failures and warnings (A4 四.六) --------------------------------------------


@pytest.mark.parametrize("failure_type", [1, 2, 3, 4])
def test_the_third_same_type_failure_brings_a_warning_and_a_heavier_deduction(
    team: Staff, wang: Staff, failure_type: int
) -> None:
    for month in (1, 2):
        post(team, "supervision_failure", D(2026, month, 28), wang, failure_type=failure_type)
    s = standing(team)
    assert s.warnings_in_window == 0 and s.points == -4
    post(team, "supervision_failure", D(2026, 3, 28), wang, failure_type=failure_type)
    s = standing(team)
    assert s.warnings_in_window == 1 and s.points == -4 - 5
    assert f"A4 四.六.{failure_type}" in s.rule_ids


def test_failures_of_different_types_do_not_add_up(team: Staff, wang: Staff) -> None:
    for failure_type in (1, 2, 3, 4):
        post(team, "supervision_failure", D(2026, 3, failure_type), wang, failure_type=failure_type)
    assert standing(team).warnings_in_window == 0


def test_the_second_missing_monthly_report_brings_a_warning(team: Staff, wang: Staff) -> None:
    post(team, "supervision_failure", D(2026, 3, 31), wang, failure_type=5)
    assert standing(team).warnings_in_window == 0
    post(team, "supervision_failure", D(2026, 9, 30), wang, failure_type=5)
    assert standing(team).warnings_in_window == 1


def test_the_second_cover_up_brings_a_demotion_proposal(team: Staff, wang: Staff) -> None:
    f1 = post(team, "supervision_failure", D(2026, 3, 1), wang, failure_type=6)
    f2 = post(team, "supervision_failure", D(2026, 4, 1), wang, failure_type=6)
    (proposal,) = standing(team).proposals
    assert proposal.kind == "demotion" and proposal.from_ids == (str(f1.pk), str(f2.pk))
    assert proposal.rule_ids == ("A4 四.六.6",)


def test_same_type_failures_count_within_the_calendar_year(team: Staff, wang: Staff) -> None:
    post(team, "supervision_failure", D(2025, 11, 28), wang, failure_type=1)
    post(team, "supervision_failure", D(2025, 12, 28), wang, failure_type=1)
    post(team, "supervision_failure", D(2026, 1, 28), wang, failure_type=1)
    s = standing(team, D(2026, 1, 31))
    assert s.warnings_in_window == 0 and s.failures_in_window == {1: 1}


def test_two_warnings_in_a_year_bring_reassignment_or_demotion(team: Staff, wang: Staff) -> None:
    # one warning recorded by hand, one from three sampling failures
    post(team, "warning", D(2026, 2, 1), wang)
    for month in (3, 4, 5):
        post(team, "supervision_failure", D(2026, month, 28), wang, failure_type=1)
    s = standing(team)
    assert s.warnings_in_window == 2
    assert [p.kind for p in s.proposals] == ["reassignment_or_demotion"]
    assert s.proposals[0].rule_ids == ("A4 四.六.7",)


def test_warnings_in_different_years_do_not_pair(team: Staff, wang: Staff) -> None:
    post(team, "warning", D(2025, 12, 1), wang)
    post(team, "warning", D(2026, 1, 5), wang)
    assert standing(team).proposals == []


# --- money, points, reversal -----------------------------------------------------------------


def test_fines_bonuses_and_points_add_up(team: Staff, wang: Staff) -> None:
    post(team, "fine", D(2026, 3, 1), wang, amount=Decimal("300"), rule_ids=["A7.13"])
    post(team, "bonus", D(2026, 4, 1), wang, amount=Decimal("150.50"))
    post(team, "special_award", D(2026, 5, 1), wang, amount=Decimal("1000"))
    post(team, "points", D(2026, 6, 1), wang, points=-3)
    post(team, "points", D(2026, 7, 1), wang, points=5)
    s = standing(team)
    assert s.fines == Decimal("300.00") and s.bonuses == Decimal("1150.50")
    assert s.money_net == Decimal("850.50") and s.points == 2
    assert "A7.13" in s.rule_ids


def test_an_upheld_appeal_reverses_the_entry_and_what_was_derived_from_it(
    team: Staff, wang: Staff
) -> None:
    c1 = post(team, "criticism", D(2026, 1, 5), wang)
    post(team, "criticism", D(2026, 2, 5), wang)
    assert standing(team).counts["minor_demerit"] == 1
    post(team, "reversal", D(2026, 3, 1), wang, refs=[c1.pk], rule_ids=["A4 四.七"])
    s = standing(team)
    assert s.counts["minor_demerit"] == 0 and s.counts["criticism"] == 1
    assert s.ignored_ids == [str(c1.pk)]


def test_the_entries_of_the_explanation_resolve_by_the_rules_ids(team: Staff, wang: Staff) -> None:
    c1 = post(team, "criticism", D(2026, 1, 5), wang)
    result = selectors.standing_for_employee(viewer=team, employee=team)
    assert result.entries_by_id[str(c1.pk)] == c1
    assert result.standing.steps[0].entry_ids == (str(c1.pk),)


# --- who may see a standing --------------------------------------------------------------------


def test_staff_see_their_own_standing(team: Staff, wang: Staff) -> None:
    post(team, "criticism", D(2026, 1, 5), wang)
    assert selectors.standing_for_employee(viewer=team, employee=team).employee == team


def test_a_supervisor_sees_the_team_up_the_chain(
    cast: Any, east: Company, team: Staff, wang: Staff
) -> None:
    director = cast.staff(east, "总监吴", Post.SALES_DIRECTOR)
    wang.supervisor = director
    wang.save()
    assert selectors.standing_for_employee(viewer=wang, employee=team).employee == team
    assert selectors.standing_for_employee(viewer=director, employee=team).employee == team


def test_a_manager_with_team_view_does_not_see_people_outside_their_chain(
    wang: Staff, zhao: Staff
) -> None:
    with pytest.raises(DisciplineError) as caught:
        selectors.standing_for_employee(viewer=wang, employee=zhao)
    assert caught.value.status == 404


def test_hr_sees_everyone_in_the_company(hr: Staff, team: Staff, zhao: Staff) -> None:
    for employee in (team, zhao):
        assert selectors.standing_for_employee(viewer=hr, employee=employee).employee == employee


def test_a_colleague_and_an_outsider_get_not_found(team: Staff, zhao: Staff, chen: Staff) -> None:
    for viewer in (zhao, chen):
        with pytest.raises(DisciplineError) as caught:
            selectors.standing_for_employee(viewer=viewer, employee=team)
        assert caught.value.status == 404


def test_an_employee_from_another_company_is_not_found_even_for_hr(
    cast: Any, west: Company, team: Staff
) -> None:
    west_hr = cast.staff(west, "西湖人事", Post.HR)
    with pytest.raises(DisciplineError):
        selectors.employee_get_for_viewer(viewer=west_hr, employee_id=team.pk)


def test_employees_visible_to_each_viewer(
    hr: Staff, team: Staff, wang: Staff, zhao: Staff, chen: Staff
) -> None:
    assert set(selectors.employees_visible_to(team)) == {team}
    assert set(selectors.employees_visible_to(wang)) == {wang, team}
    assert set(selectors.employees_visible_to(hr)) == {hr, team, wang, zhao}
    assert team not in set(selectors.employees_visible_to(chen))


# --- the company report ------------------------------------------------------------------------


def test_the_company_report_counts_by_department_and_month(
    cast: Any, east: Company, hr: Staff, team: Staff, wang: Staff
) -> None:
    service = Department.objects.create(company=east, name="客服部")
    other = cast.staff(east, "客服钱", Post.CUSTOMER_SERVICE, department=service)
    post(team, "criticism", D(2026, 3, 1), wang)
    post(team, "fine", D(2026, 3, 2), wang, amount=Decimal("300"))
    post(team, "bonus", D(2026, 4, 2), wang, amount=Decimal("200"))
    post(other, "points", D(2026, 3, 9), wang, points=-2)
    reversed_entry = post(other, "criticism", D(2026, 3, 10), wang)
    post(other, "reversal", D(2026, 3, 20), wang, refs=[reversed_entry.pk])
    post(team, "criticism", D(2025, 3, 1), wang)  # another year
    rows = selectors.company_report(hr, 2026)
    as_tuples = [
        (r.department, r.month, r.penalties, r.rewards, r.fines, r.bonuses, r.points_deducted)
        for r in rows
    ]
    assert as_tuples == [
        ("客服部", 3, 1, 0, Decimal("0.00"), Decimal("0.00"), 2),
        ("营销部", 3, 2, 0, Decimal("300.00"), Decimal("0.00"), 0),
        ("营销部", 4, 0, 1, Decimal("0.00"), Decimal("200.00"), 0),
    ]


def test_the_company_report_needs_company_view(wang: Staff, chen: Staff) -> None:
    for viewer in (wang, chen):
        with pytest.raises(DisciplineError) as caught:
            selectors.company_report(viewer, 2026)
        assert caught.value.status == 403
