"""Turn effects of an ownership decision (A7.2(1)–(4), A7.7, A7.9(3); A2.1 / A5.1)."""

from __future__ import annotations

import pytest

from kehu.sales.rules import (
    MAKEUP_CAUSE_RULES,
    MakeupCause,
    OwnershipPolicy,
    SkipMakeup,
    TurnEffect,
    TurnOutcome,
)
from kehu.sales.rules.turns import helper_turn, receiver_turn

OWED = OwnershipPolicy(skip_makeup=SkipMakeup.OWED)
NONE = OwnershipPolicy(skip_makeup=SkipMakeup.NONE)


def effect(at_arrival: bool, should: bool, policy: OwnershipPolicy = OWED) -> TurnEffect:
    return receiver_turn(
        receiver="zhao",
        consumed_at_arrival=at_arrival,
        should_consume=should,
        cause=MakeupCause.COLLEAGUE_CUSTOMER,
        rule_ids=("A7.15",),
        why_zh="接待",
        policy=policy,
        names={"zhao": "赵强"},
    )


@pytest.mark.parametrize("policy", [OWED, NONE])
def test_a_rotation_reception_that_should_consume_is_consumed(policy: OwnershipPolicy) -> None:
    assert effect(True, True, policy).outcome == TurnOutcome.CONSUMED


@pytest.mark.parametrize("policy", [OWED, NONE])
def test_a_named_reception_that_should_not_consume_keeps_the_place(
    policy: OwnershipPolicy,
) -> None:
    e = effect(False, False, policy)
    assert e.outcome == TurnOutcome.NOT_CONSUMED and "保留轮排位置" in e.explanation_zh


def test_a5_1_owed_a_rotation_reception_given_back_earns_a_make_up_turn() -> None:
    e = effect(True, False, OWED)
    assert e.outcome == TurnOutcome.MAKEUP_EARNED and e.makeup_earned
    assert e.cause == MakeupCause.COLLEAGUE_CUSTOMER
    assert {"A7.2(2)", "A5.1"} <= set(e.rule_ids)


def test_a2_1_none_a_rotation_reception_given_back_stays_consumed() -> None:
    e = effect(True, False, NONE)
    assert e.outcome == TurnOutcome.CONSUMED and not e.makeup_earned
    assert "A2.1" in e.rule_ids and "不设补接名额" in e.explanation_zh


def test_a_turn_given_back_needs_its_cause() -> None:
    with pytest.raises(ValueError, match="cause"):
        receiver_turn(
            receiver="zhao",
            consumed_at_arrival=True,
            should_consume=False,
            cause=None,
            rule_ids=(),
            why_zh="",
            policy=OWED,
        )


def test_a7_2_each_make_up_cause_cites_its_clause() -> None:
    assert MAKEUP_CAUSE_RULES == {
        MakeupCause.OWN_CUSTOMER: "A7.2(1)",
        MakeupCause.COLLEAGUE_CUSTOMER: "A7.2(2)",
        MakeupCause.HELPING: "A7.2(3)",
        MakeupCause.ASSIGNED_WORK: "A7.2(4)",
        MakeupCause.FOUND_PUBLIC: "A7.7",
        MakeupCause.CAME_FOR_COLLEAGUE: "A7.9(3)",
    }


def test_make_up_causes_use_the_rotation_boards_words() -> None:
    """The rotation board stores causes as its Reason / AfterCause values."""
    assert {c.value for c in MakeupCause} == {
        "own_customer",
        "colleague_customer",
        "helping",
        "assigned_work",
        "found_public",
        "came_for_colleague",
    }


def test_a7_2_3_a_helper_keeps_their_place() -> None:
    e = helper_turn("qian", public=False, names={"qian": "钱芳"})
    assert e.outcome == TurnOutcome.NOT_CONSUMED and e.rule_ids == ("A7.2(3)",)
    assert e.explanation_zh.startswith("钱芳")


def test_a7_7_public_customers_received_by_several_consume_no_turn() -> None:
    e = helper_turn("qian", public=True)
    assert e.outcome == TurnOutcome.NOT_CONSUMED and e.rule_ids == ("A7.7",)
