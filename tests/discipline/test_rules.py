"""Named cases for the rewards-and-penalties rules (A4 五.5, A4 五.6, A4 四.六, A4 四.七)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.discipline.rules import (
    DisciplinePolicy,
    Entry,
    HazardSeverity,
    Kind,
    WindowMode,
    fine_within_range,
    hazard_report_reward,
    months_before,
    standing,
    theft_report_reward,
)

POLICY = DisciplinePolicy()
D = dt.date


def e(entry_id: str, kind: Kind, on: dt.date, **extra: object) -> Entry:
    return Entry(id=entry_id, kind=kind, on=on, **extra)  # type: ignore[arg-type]


AS_OF = D(2026, 6, 30)


def counts(entries: list[Entry], as_of: dt.date = AS_OF) -> dict[str, int]:
    return standing(entries, POLICY, as_of).counts


# -- accumulation (A4 五.5.5) ----------------------------------------------------------------


def test_two_criticisms_make_one_minor_demerit() -> None:
    s = standing(
        [e("c1", Kind.CRITICISM, D(2026, 1, 5)), e("c2", Kind.CRITICISM, D(2026, 2, 5))],
        POLICY,
        D(2026, 3, 1),
    )
    assert s.counts["criticism"] == 0
    assert s.counts["minor_demerit"] == 1
    assert [d.kind for d in s.derived] == [Kind.MINOR_DEMERIT]
    assert s.derived[0].from_ids == ("c1", "c2")
    assert "A4 五.5.5(惩罚)" in s.rule_ids


def test_four_criticisms_chain_to_one_major_demerit() -> None:
    entries = [e(f"c{i}", Kind.CRITICISM, D(2026, 1, i + 1)) for i in range(4)]
    c = counts(entries)
    assert c["criticism"] == 0 and c["minor_demerit"] == 0 and c["major_demerit"] == 1


def test_two_major_demerits_raise_a_termination_proposal_not_a_termination() -> None:
    entries = [
        e("m1", Kind.MAJOR_DEMERIT, D(2026, 1, 1)),
        e("m2", Kind.MAJOR_DEMERIT, D(2026, 2, 1)),
    ]
    s = standing(entries, POLICY, D(2026, 3, 1))
    assert [p.kind for p in s.proposals] == ["termination"]
    assert s.proposals[0].from_ids == ("m1", "m2")
    assert s.counts["major_demerit"] == 0


def test_eight_criticisms_reach_termination_proposal() -> None:
    entries = [e(f"c{i}", Kind.CRITICISM, D(2026, 1, i + 1)) for i in range(8)]
    s = standing(entries, POLICY, D(2026, 2, 1))
    assert [p.kind for p in s.proposals] == ["termination"]


def test_two_commendations_make_one_minor_merit_and_chain_up() -> None:
    entries = [e(f"p{i}", Kind.COMMENDATION, D(2026, 1, i + 1)) for i in range(4)]
    c = counts(entries)
    assert c["commendation"] == 0 and c["minor_merit"] == 0 and c["major_merit"] == 1


def test_two_major_merits_grant_the_2000_bonus_once_and_consume_the_pair() -> None:
    entries = [e(f"M{i}", Kind.MAJOR_MERIT, D(2026, 1, i + 1)) for i in range(3)]
    s = standing(entries, POLICY, D(2026, 2, 1))
    assert s.bonuses == Decimal("2000.00")
    assert s.counts["major_merit"] == 1
    four = [*entries, e("M3", Kind.MAJOR_MERIT, D(2026, 1, 9))]
    assert standing(four, POLICY, D(2026, 2, 1)).bonuses == Decimal("4000.00")


def test_bonus_amount_is_policy() -> None:
    policy = DisciplinePolicy(major_merit_pair_bonus=Decimal("3000"))
    entries = [e(f"M{i}", Kind.MAJOR_MERIT, D(2026, 1, i + 1)) for i in range(2)]
    assert standing(entries, policy, D(2026, 2, 1)).bonuses == Decimal("3000")


def test_entries_outside_the_window_do_not_pair() -> None:
    # Reading: only entries within the 12 months before the entry being processed accumulate.
    entries = [
        e("c1", Kind.CRITICISM, D(2025, 1, 10)),
        e("c2", Kind.CRITICISM, D(2026, 1, 11)),
    ]
    c = counts(entries, D(2026, 2, 1))
    assert c["minor_demerit"] == 0
    assert c["criticism"] == 1


def test_entries_inside_the_window_pair_at_its_edge() -> None:
    entries = [
        e("c1", Kind.CRITICISM, D(2025, 1, 11)),
        e("c2", Kind.CRITICISM, D(2026, 1, 10)),
    ]
    assert counts(entries, D(2026, 1, 10))["minor_demerit"] == 1


def test_window_is_policy() -> None:
    policy = DisciplinePolicy(accumulation_window_months=24)
    entries = [
        e("c1", Kind.CRITICISM, D(2025, 1, 10)),
        e("c2", Kind.CRITICISM, D(2026, 1, 11)),
    ]
    assert standing(entries, policy, D(2026, 2, 1)).counts["minor_demerit"] == 1


def test_processing_is_in_time_order_not_input_order() -> None:
    entries = [
        e("c2", Kind.CRITICISM, D(2026, 1, 11)),
        e("c1", Kind.CRITICISM, D(2025, 1, 10)),
        e("c3", Kind.CRITICISM, D(2026, 1, 12)),
    ]
    s = standing(entries, POLICY, D(2026, 2, 1))
    assert s.derived[0].from_ids == ("c2", "c3")


# -- offsets (A4 五.5.6) ----------------------------------------------------------------------


def test_offset_is_only_proposed_until_a_manager_approves() -> None:
    entries = [
        e("c1", Kind.CRITICISM, D(2026, 1, 5)),
        e("p1", Kind.COMMENDATION, D(2026, 3, 5)),
    ]
    s = standing(entries, POLICY, D(2026, 4, 1))
    assert s.counts["criticism"] == 1 and s.counts["commendation"] == 1
    assert [(p.kind, p.from_ids) for p in s.proposals] == [("offset", ("p1", "c1"))]
    approved = [*entries, e("o1", Kind.OFFSET, D(2026, 3, 20), refs=("p1", "c1"))]
    s2 = standing(approved, POLICY, D(2026, 4, 1))
    assert s2.counts["criticism"] == 0 and s2.counts["commendation"] == 0
    assert s2.proposals == []
    assert "A4 五.5.6" in s2.rule_ids


def test_offset_only_at_the_same_level() -> None:
    entries = [
        e("d1", Kind.MINOR_DEMERIT, D(2026, 1, 5)),
        e("p1", Kind.COMMENDATION, D(2026, 3, 5)),
        e("o1", Kind.OFFSET, D(2026, 3, 6), refs=("p1", "d1")),
    ]
    s = standing(entries, POLICY, D(2026, 4, 1))
    assert s.counts["minor_demerit"] == 1 and s.counts["commendation"] == 1
    assert all(p.kind != "offset" for p in s.proposals)


def test_merit_before_the_penalty_is_not_proposed_as_offset() -> None:
    entries = [
        e("p1", Kind.COMMENDATION, D(2026, 1, 5)),
        e("c1", Kind.CRITICISM, D(2026, 3, 5)),
    ]
    assert standing(entries, POLICY, D(2026, 4, 1)).proposals == []


def test_no_offset_proposed_after_the_penalty_period() -> None:
    entries = [
        e("c1", Kind.CRITICISM, D(2025, 1, 5)),
        e("p1", Kind.COMMENDATION, D(2025, 3, 5)),
    ]
    assert standing(entries, POLICY, D(2026, 1, 6)).proposals == []


def test_an_offset_never_makes_a_count_negative() -> None:
    entries = [
        e("c1", Kind.CRITICISM, D(2026, 1, 5)),
        e("c2", Kind.CRITICISM, D(2026, 1, 6)),  # c1+c2 convert: nothing left to offset
        e("p1", Kind.COMMENDATION, D(2026, 2, 1)),
        e("o1", Kind.OFFSET, D(2026, 2, 2), refs=("p1", "c1")),
    ]
    s = standing(entries, POLICY, D(2026, 3, 1))
    assert min(s.counts.values()) >= 0
    assert s.counts["commendation"] == 1
    assert any("未生效" in step.text_zh for step in s.steps)


# -- supervision failures and warnings (A4 四.六) ---------------------------------------------


NEW_YEAR = D(2026, 1, 1)


def failures(n: int, failure_type: int, start: dt.date = NEW_YEAR) -> list[Entry]:
    return [
        e(
            f"f{failure_type}-{i}",
            Kind.SUPERVISION_FAILURE,
            start + dt.timedelta(days=7 * i),
            failure_type=failure_type,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("failure_type", [1, 2, 3, 4])
def test_third_same_type_failure_brings_heavier_deduction_and_warning(failure_type: int) -> None:
    two = standing(failures(2, failure_type), POLICY, D(2026, 12, 31))
    assert two.warnings_in_window == 0 and two.points == -4
    three = standing(failures(3, failure_type), POLICY, D(2026, 12, 31))
    assert three.warnings_in_window == 1
    assert three.points == -(2 + 2 + 5)
    assert f"A4 四.六.{failure_type}" in three.rule_ids


def test_different_types_do_not_add_up() -> None:
    mixed = failures(2, 1) + failures(1, 2)
    assert standing(mixed, POLICY, D(2026, 12, 31)).warnings_in_window == 0


def test_second_missing_monthly_report_brings_a_warning() -> None:
    s = standing(failures(2, 5), POLICY, D(2026, 12, 31))
    assert s.warnings_in_window == 1


def test_second_cover_up_raises_a_demotion_proposal() -> None:
    one = standing(failures(1, 6), POLICY, D(2026, 12, 31))
    assert one.proposals == []
    two = standing(failures(2, 6), POLICY, D(2026, 12, 31))
    assert [p.kind for p in two.proposals] == ["demotion"]
    assert two.proposals[0].rule_ids == ("A4 四.六.6",)


def test_same_type_counts_within_the_calendar_year() -> None:
    entries = failures(2, 1, D(2025, 12, 1)) + failures(1, 1, D(2026, 1, 2))
    assert standing(entries, POLICY, D(2026, 12, 31)).warnings_in_window == 0
    rolling = DisciplinePolicy(same_type_window=WindowMode.ROLLING_12_MONTHS)
    assert standing(entries, rolling, D(2026, 1, 31)).warnings_in_window == 1


def test_two_warnings_in_a_year_raise_reassignment_or_demotion() -> None:
    entries = failures(3, 1) + failures(2, 5, D(2026, 6, 1))
    s = standing(entries, POLICY, D(2026, 12, 31))
    assert s.warnings_in_window == 2
    assert [p.kind for p in s.proposals] == ["reassignment_or_demotion"]
    assert "A4 四.六.7" in s.rule_ids


def test_recorded_warnings_count_too() -> None:
    entries = [e("w1", Kind.WARNING, D(2026, 2, 1)), e("w2", Kind.WARNING, D(2026, 9, 1))]
    s = standing(entries, POLICY, D(2026, 12, 31))
    assert [p.kind for p in s.proposals] == ["reassignment_or_demotion"]


def test_warnings_in_different_years_do_not_pair() -> None:
    entries = [e("w1", Kind.WARNING, D(2025, 12, 1)), e("w2", Kind.WARNING, D(2026, 1, 5))]
    assert standing(entries, POLICY, D(2026, 12, 31)).proposals == []


# -- appeals (A4 四.七): an upheld appeal reverses by a new entry ------------------------------


def test_reversal_removes_the_entry_and_what_it_caused() -> None:
    entries = [
        e("c1", Kind.CRITICISM, D(2026, 1, 5)),
        e("c2", Kind.CRITICISM, D(2026, 1, 6)),
        e("r1", Kind.REVERSAL, D(2026, 2, 1), refs=("c2",)),
    ]
    s = standing(entries, POLICY, D(2026, 3, 1))
    assert s.counts["minor_demerit"] == 0 and s.counts["criticism"] == 1
    assert s.ignored_ids == ["c2"]
    assert "A4 四.七" in s.rule_ids


def test_standing_as_of_a_date_ignores_later_entries() -> None:
    entries = [e("c1", Kind.CRITICISM, D(2026, 1, 5)), e("c2", Kind.CRITICISM, D(2026, 5, 6))]
    assert counts(entries, D(2026, 3, 1))["criticism"] == 1


def test_money_and_points() -> None:
    entries = [
        e("f1", Kind.FINE, D(2026, 1, 5), amount=Decimal("300"), rule_ids=("A7.13",)),
        e("b1", Kind.BONUS, D(2026, 1, 6), amount=Decimal("100")),
        e("p1", Kind.POINTS, D(2026, 1, 7), points=-3),
    ]
    s = standing(entries, POLICY, D(2026, 3, 1))
    assert s.fines == Decimal("300.00") and s.bonuses == Decimal("100.00")
    assert s.money_net == Decimal("-200.00") and s.points == -3
    assert "A7.13" in s.rule_ids


# -- external rewards (A4 五.6) ---------------------------------------------------------------

AMOUNTS = {
    HazardSeverity.MINOR: Decimal("200"),
    HazardSeverity.ORDINARY: Decimal("500"),
    HazardSeverity.MAJOR: Decimal("1000"),
    HazardSeverity.SERIOUS: Decimal("2000"),
}


@pytest.mark.parametrize(
    ("severity", "amount"),
    [("minor", "200.00"), ("ordinary", "500.00"), ("major", "1000.00"), ("serious", "2000.00")],
)
def test_hazard_report_reward_by_severity(severity: str, amount: str) -> None:
    decision = hazard_report_reward(
        severity=HazardSeverity(severity), own_home=False, verified=True, amounts=AMOUNTS
    )
    assert decision.amount == Decimal(amount)
    assert decision.rule_ids == ("A4 五.6.1",)


def test_no_hazard_reward_for_own_home_or_unverified() -> None:
    for own_home, verified in [(True, True), (False, False)]:
        decision = hazard_report_reward(
            severity=HazardSeverity.SERIOUS, own_home=own_home, verified=verified, amounts=AMOUNTS
        )
        assert decision.amount == Decimal("0.00")


@pytest.mark.parametrize(("rate", "amount"), [("0.05", "150.00"), ("0.10", "300.00")])
def test_theft_report_reward_is_a_rate_of_the_fine(rate: str, amount: str) -> None:
    decision = theft_report_reward(basis=Decimal("3000"), rate=Decimal(rate), verified=True)
    assert decision.amount == Decimal(amount)
    assert decision.rule_ids == ("A4 五.6.2",)


def test_fine_within_range() -> None:
    assert fine_within_range(amount=Decimal("200"), low=Decimal("200"), high=Decimal("500"))
    assert not fine_within_range(amount=Decimal("501"), low=Decimal("200"), high=Decimal("500"))


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(D(2026, 3, 31), 1) == D(2026, 2, 28)
    assert months_before(D(2024, 3, 31), 1) == D(2024, 2, 29)
    assert months_before(D(2026, 1, 15), 12) == D(2025, 1, 15)


# -- invariants -----------------------------------------------------------------------------

ADMIN_KINDS = [
    Kind.CRITICISM,
    Kind.MINOR_DEMERIT,
    Kind.MAJOR_DEMERIT,
    Kind.COMMENDATION,
    Kind.MINOR_MERIT,
    Kind.MAJOR_MERIT,
    Kind.WARNING,
]


@st.composite
def ledgers(draw: st.DrawFn) -> list[Entry]:
    n = draw(st.integers(min_value=0, max_value=25))
    entries: list[Entry] = []
    for i in range(n):
        on = draw(st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)))
        choice = draw(st.sampled_from(["admin", "failure", "offset", "reversal", "fine"]))
        if choice == "admin":
            entries.append(e(f"e{i}", draw(st.sampled_from(ADMIN_KINDS)), on, seq=i))
        elif choice == "failure":
            entries.append(
                e(
                    f"e{i}",
                    Kind.SUPERVISION_FAILURE,
                    on,
                    seq=i,
                    failure_type=draw(st.integers(1, 6)),
                )
            )
        elif choice == "fine":
            amount = draw(st.decimals(min_value=0, max_value=1000, places=2))
            entries.append(e(f"e{i}", Kind.FINE, on, seq=i, amount=amount))
        elif entries:
            refs = draw(st.lists(st.sampled_from([x.id for x in entries]), min_size=2, max_size=2))
            if choice == "offset":
                entries.append(e(f"e{i}", Kind.OFFSET, on, seq=i, refs=tuple(refs)))
            else:
                entries.append(e(f"e{i}", Kind.REVERSAL, on, seq=i, refs=(refs[0],)))
    return entries


@settings(max_examples=200, deadline=None)
@given(ledgers(), st.randoms(use_true_random=False))
def test_counts_never_negative_and_replay_is_order_independent(entries, rnd) -> None:  # type: ignore[no-untyped-def]
    as_of = D(2026, 12, 31)
    first = standing(entries, POLICY, as_of)
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    second = standing(shuffled, POLICY, as_of)
    assert min(first.counts.values(), default=0) >= 0
    assert first.counts == second.counts
    assert first.proposals == second.proposals
    assert first.fines == second.fines and first.points == second.points
    assert first.derived == second.derived
