"""Named cases for the rotation rules (轮排): A2.1 / A5.1 skips, A7.2 (1)–(4) make-ups, A7.3,
A2.5, A2.2, the turn effects of A7.7 / A7.9 / A7.12 / A7.18 / A1.6, and invariants."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.sales.rotation_rules import (
    AfterCause,
    DayState,
    Makeup,
    Member,
    Reason,
    ReceptionKind,
    RotationPolicy,
    RotationRuleError,
    SkipMakeup,
    Status,
    apply,
    grant,
    makeup_after_fact,
    next_receiver,
    reception_end,
    reorder,
    status_set,
    turn_effect,
)

OWED = RotationPolicy(skip_makeup=SkipMakeup.OWED)
NONE = RotationPolicy(skip_makeup=SkipMakeup.NONE)
LI, ZHANG, WANG, LIU = 1, 2, 3, 4
NAMES = {LI: "李娜", ZHANG: "张伟", WANG: "王芳", LIU: "刘洋"}


def day(*statuses: tuple[int, Status, Reason | None], pointer: int = 0) -> DayState:
    return DayState(
        members=tuple(Member(i, NAMES[i], s, r) for i, s, r in statuses), pointer=pointer
    )


def all_free(pointer: int = 0) -> DayState:
    return day(*((i, Status.FREE, None) for i in NAMES), pointer=pointer)


def away(state: DayState, staff_id: int, reason: Reason) -> DayState:
    return status_set(state, staff_id, Status.AWAY, reason)


def assign(
    state: DayState, policy: RotationPolicy = OWED, kind: ReceptionKind = ReceptionKind.NEW
) -> tuple[DayState, int | None]:
    ids = itertools.count(100 + len(state.makeups) * 7 + state.pointer)
    answer = next_receiver(state, policy, kind)
    receiver = answer.receiver.staff_id if answer.receiver else None
    return apply(state, answer, ids), receiver


# --- A2.1 / A5.1 / A7.1: the rotation order -----------------------------------------------------


def test_a7_1_new_walk_ins_go_round_the_rotation_in_order() -> None:
    # given four salespeople on duty, all free, 李 first
    state = all_free()
    received = []
    # when eight new customers arrive and every reception ends before the next arrival
    for _ in range(8):
        state, who = assign(state)
        assert who is not None
        received.append(who)
        state = reception_end(state, who)
    # then they are received 李 张 王 刘 李 张 王 刘 (A7.1 按照轮排表顺序接待)
    assert received == [LI, ZHANG, WANG, LIU] * 2


def test_the_answer_names_the_rule_and_explains_in_chinese() -> None:
    answer = next_receiver(all_free(pointer=2), OWED)
    assert answer.receiver is not None and answer.receiver.name == "王芳"
    assert answer.via == "rotation" and answer.consumed
    assert {"A2.1", "A5.1", "A7.1"} <= set(answer.rule_ids)
    assert "轮到王芳接待" in answer.explanation_zh and "之后轮到刘洋" in answer.explanation_zh


# --- skipping: A2.1 (none) against A5.1 (owed) -------------------------------------------------


def test_a2_1_skipped_salesperson_gets_no_make_up_under_policy_none() -> None:
    # given 李 is away on work the project team assigned and the company skips without make-up
    state = away(all_free(), LI, Reason.ASSIGNED_WORK)
    # when a new customer arrives
    answer = next_receiver(state, NONE)
    # then 张 receives, 李 is skipped and owed nothing (A2.1 跳过不接)
    assert answer.receiver is not None and answer.receiver.staff_id == ZHANG
    assert [s.staff_id for s in answer.skips] == [LI]
    assert not answer.skips[0].makeup_owed
    assert "A2.1" in answer.skips[0].rule_ids
    assert apply(state, answer).makeups == ()


def test_a5_1_skipped_salesperson_is_owed_a_make_up_under_policy_owed() -> None:
    state = away(all_free(), LI, Reason.ASSIGNED_WORK)
    answer = next_receiver(state, OWED)
    assert answer.receiver is not None and answer.receiver.staff_id == ZHANG
    assert answer.skips[0].makeup_owed
    assert {"A5.1", "A7.2(4)"} <= set(answer.skips[0].rule_ids)
    after = apply(state, answer, [7])
    assert [(m.id, m.staff_id) for m in after.makeups] == [(7, LI)]
    assert after.makeups[0].rule_ids == ("A5.1", "A7.2(4)")


@pytest.mark.parametrize(
    ("status", "reason", "rule"),
    [
        (Status.BUSY, Reason.OWN_CUSTOMER, "A7.2(1)"),
        (Status.BUSY, Reason.COLLEAGUE_CUSTOMER, "A7.2(2)"),
        (Status.BUSY, Reason.HELPING, "A7.2(3)"),
        (Status.AWAY, Reason.ASSIGNED_WORK, "A7.2(4)"),
    ],
    ids=["A7.2(1)", "A7.2(2)", "A7.2(3)", "A7.2(4)"],
)
def test_a7_2_the_four_reasons_earn_a_make_up(status: Status, reason: Reason, rule: str) -> None:
    # given 李, whose turn it is, missed it for one of A7.2's four reasons
    state = day((LI, status, reason), (ZHANG, Status.FREE, None))
    # when a new customer arrives
    answer = next_receiver(state, OWED)
    # then 张 receives and 李 earns a make-up under that clause
    assert answer.receiver is not None and answer.receiver.staff_id == ZHANG
    (skip,) = answer.skips
    assert skip.makeup_owed and rule in skip.rule_ids
    assert "记补接名额" in skip.text_zh


@pytest.mark.parametrize("reason", [Reason.REST, Reason.PERSONAL_LEAVE, Reason.SICK_LEAVE])
def test_a7_3_rest_personal_and_sick_leave_earn_no_make_up(reason: Reason) -> None:
    state = away(all_free(), LI, reason)
    answer = next_receiver(state, OWED)
    (skip,) = answer.skips
    assert not skip.makeup_owed
    assert "A7.3" in skip.rule_ids and "不能补接" in skip.text_zh


def test_a7_2_other_absences_and_a_consumed_reception_earn_no_make_up() -> None:
    state = day((LI, Status.AWAY, Reason.OTHER), (ZHANG, Status.BUSY, Reason.ROTATION))
    state = replace(state, members=(*state.members, Member(WANG, "王芳")))
    answer = next_receiver(state, OWED)
    assert answer.receiver is not None and answer.receiver.staff_id == WANG
    assert [s.makeup_owed for s in answer.skips] == [False, False]
    assert "已占用过名额" in answer.skips[1].text_zh


# --- make-ups are served first, in the order earned ---------------------------------------------


def test_a7_2_a_free_make_up_holder_receives_ahead_of_the_pointer() -> None:
    # given 李 earned a make-up while away on assigned work, and is back
    state = away(all_free(), LI, Reason.ASSIGNED_WORK)
    state, who = assign(state)  # 张 receives, 李 owed
    assert who == ZHANG and len(state.makeups) == 1
    state = status_set(state, LI, Status.FREE, None)
    pointer = state.pointer
    # when the next new customer arrives
    answer = next_receiver(state, OWED)
    # then 李 receives by make-up, before 王 whose turn it is; the pointer does not move
    assert answer.receiver is not None and answer.receiver.staff_id == LI
    assert answer.via == "makeup" and answer.makeup is not None
    assert answer.pointer_after == pointer
    assert "A7.2" in answer.rule_ids and "补接" in answer.explanation_zh
    state = apply(state, answer)
    assert state.makeups == () and state.members[state.pointer].staff_id == WANG


def test_make_ups_are_served_in_the_order_earned_passing_holders_who_are_busy() -> None:
    makeups = (
        Makeup(1, ZHANG, "helping", ("A5.1", "A7.2(3)")),
        Makeup(2, WANG, "assigned_work", ("A5.1", "A7.2(4)")),
        Makeup(3, LIU, "own_customer", ("A5.1", "A7.2(1)")),
    )
    state = replace(all_free(), makeups=makeups)
    state = status_set(state, ZHANG, Status.BUSY, Reason.OWN_CUSTOMER)
    # 张 (first earned) is busy: 王 (second) is served, 张's make-up waits
    answer = next_receiver(state, OWED)
    assert answer.receiver is not None and answer.receiver.staff_id == WANG
    assert [m.id for m in answer.passed_makeups] == [1]
    assert "张伟" in answer.explanation_zh and "顺延" in answer.explanation_zh
    state = apply(state, answer)
    state = reception_end(state, ZHANG)
    state, who = assign(state)
    assert who == ZHANG
    state, who = assign(state)
    assert who == LIU
    assert state.makeups == ()


def test_policy_none_ignores_make_ups_altogether() -> None:
    state = replace(all_free(pointer=1), makeups=(Makeup(1, LI, "assigned_work", ()),))
    answer = next_receiver(state, NONE)
    assert answer.receiver is not None and answer.receiver.staff_id == ZHANG
    assert answer.via == "rotation"


# --- A2.5: a salesperson receiving cannot be given another ---------------------------------------


def test_a2_5_the_salesperson_receiving_is_skipped_and_cannot_be_named() -> None:
    state, first = assign(all_free())
    assert first == LI
    # 李 is receiving; a customer asks for 李
    answer = next_receiver(state, OWED, ReceptionKind.ASKED_FOR, named_staff_id=LI)
    assert answer.receiver is None and answer.via == "none"
    assert "A2.5" in answer.rule_ids and "不能中断" in answer.explanation_zh
    # and applying a stale answer naming 李 is refused
    stale = next_receiver(all_free(), OWED)
    with pytest.raises(RotationRuleError) as refused:
        apply(state, stale)
    assert refused.value.code == "rotation.receiver_busy" and "A2.5" in refused.value.rule_ids


def test_a2_5_a_reception_cannot_be_broken_off_by_going_away() -> None:
    state, _ = assign(all_free())
    with pytest.raises(RotationRuleError) as refused:
        status_set(state, LI, Status.AWAY, Reason.ASSIGNED_WORK)
    assert refused.value.code == "rotation.receiver_busy"
    with pytest.raises(RotationRuleError):
        status_set(state, LI, Status.FREE, None)


def test_nobody_free_means_nobody_is_named_and_nothing_changes() -> None:
    state = day((LI, Status.BUSY, Reason.ROTATION), (ZHANG, Status.AWAY, Reason.SICK_LEAVE))
    answer = next_receiver(state, OWED)
    assert answer.receiver is None and answer.via == "none"
    assert apply(state, answer) == state
    empty = next_receiver(DayState(members=()), OWED)
    assert empty.receiver is None and "开启今日轮排" in empty.explanation_zh


def test_status_needs_a_reason_of_its_kind() -> None:
    with pytest.raises(RotationRuleError) as refused:
        status_set(all_free(), LI, Status.AWAY, None)
    assert refused.value.code == "rotation.bad_reason"
    with pytest.raises(RotationRuleError):
        status_set(all_free(), LI, Status.AWAY, Reason.HELPING)
    with pytest.raises(RotationRuleError):
        status_set(all_free(), LI, Status.BUSY, Reason.ROTATION)  # only through an assignment


# --- turns not consumed: the receiver keeps their place -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        (ReceptionKind.PUBLIC, "A7.7"),
        (ReceptionKind.HELPING, "A7.9(1)"),
        (ReceptionKind.GROUP_BUY, "A7.18"),
    ],
)
def test_receptions_that_consume_no_turn_leave_the_receiver_next(
    kind: ReceptionKind, rule: str
) -> None:
    # given 李 is next
    state = all_free()
    # when a public customer (or a helped one, or a group buy) arrives
    answer = next_receiver(state, OWED, kind)
    # then 李 receives in rotation order, the turn is not consumed and the pointer stays
    assert answer.receiver is not None and answer.receiver.staff_id == LI
    assert not answer.consumed and rule in answer.rule_ids
    assert "保留原轮排位置" in answer.explanation_zh
    state = reception_end(apply(state, answer), LI)
    # and 李 is still next for the following new customer
    nxt = next_receiver(state, OWED)
    assert nxt.receiver is not None and nxt.receiver.staff_id == LI


def test_a7_7_busy_with_a_public_customer_when_the_turn_comes_earns_a_make_up() -> None:
    state, _ = assign(all_free(), kind=ReceptionKind.PUBLIC)  # 李 receives a public customer
    answer = next_receiver(state, OWED)
    assert answer.receiver is not None and answer.receiver.staff_id == ZHANG
    assert answer.skips[0].makeup_owed and "A7.7" in answer.skips[0].rule_ids


def test_group_buy_consumes_a_turn_when_the_policy_says_so() -> None:
    assert not turn_effect(ReceptionKind.GROUP_BUY).consumed
    assert turn_effect(ReceptionKind.GROUP_BUY, RotationPolicy(group_buy_consumes=True)).consumed


def test_a7_12_2_asked_for_salesperson_present_receives_without_using_a_turn() -> None:
    state = all_free()
    answer = next_receiver(state, OWED, ReceptionKind.ASKED_FOR, named_staff_id=WANG)
    assert answer.receiver is not None and answer.receiver.staff_id == WANG
    assert answer.via == "named" and not answer.consumed
    assert {"A7.12(2)", "A7.9(3)"} <= set(answer.rule_ids)
    state = apply(state, answer)
    assert state.pointer == 0
    assert state.member(WANG) == Member(WANG, "王芳", Status.BUSY, Reason.OWN_CUSTOMER)


def test_a7_9_2_asked_for_salesperson_absent_the_rotation_helps_and_hands_back() -> None:
    state = away(all_free(), WANG, Reason.PERSONAL_LEAVE)
    answer = next_receiver(state, OWED, ReceptionKind.ASKED_FOR, named_staff_id=WANG)
    assert answer.kind == ReceptionKind.HELPING
    assert answer.receiver is not None and answer.receiver.staff_id == LI
    assert answer.on_behalf_of is not None and answer.on_behalf_of.staff_id == WANG
    assert not answer.consumed and "A7.12(3)" in answer.rule_ids
    assert "归还王芳" in answer.explanation_zh
    after = apply(state, answer)
    assert after.member(LI) == Member(LI, "李娜", Status.BUSY, Reason.HELPING)
    assert after.pointer == 0


def test_a1_6_company_referral_is_assigned_by_name_and_needs_one() -> None:
    answer = next_receiver(all_free(), OWED, ReceptionKind.COMPANY_REFERRAL, named_staff_id=LIU)
    assert answer.receiver is not None and answer.receiver.staff_id == LIU
    assert answer.rule_ids == ("A1.6",)
    with pytest.raises(RotationRuleError) as refused:
        next_receiver(all_free(), OWED, ReceptionKind.COMPANY_REFERRAL)
    assert refused.value.code == "rotation.name_required"


# --- make-ups earned after the fact --------------------------------------------------------------


def test_a7_7_found_public_afterwards_gives_the_receiver_a_make_up() -> None:
    given_ = makeup_after_fact(AfterCause.FOUND_PUBLIC, OWED)
    assert given_.owed and "A7.7" in given_.rule_ids and "按补客户处理" in given_.text_zh
    state = grant(all_free(pointer=2), LI, 9, given_, AfterCause.FOUND_PUBLIC)
    answer = next_receiver(state, OWED)
    assert answer.receiver is not None and answer.receiver.staff_id == LI
    assert answer.via == "makeup"


@pytest.mark.parametrize(
    ("cause", "rule"),
    [
        (AfterCause.CAME_FOR_COLLEAGUE, "A7.9(3)"),
        (AfterCause.COLLEAGUE_CUSTOMER, "A7.2(2)"),
        (AfterCause.OWN_CUSTOMER, "A7.2(1)"),
        (AfterCause.HELPING, "A7.2(3)"),
        (AfterCause.ASSIGNED_WORK, "A7.2(4)"),
    ],
)
def test_make_ups_found_after_the_fact_cite_their_clause(cause: AfterCause, rule: str) -> None:
    granted = makeup_after_fact(cause, OWED)
    assert granted.owed and rule in granted.rule_ids


def test_a7_9_3_and_a7_2_2_after_the_fact_and_policy_none() -> None:
    assert "A7.9(3)" in makeup_after_fact(AfterCause.CAME_FOR_COLLEAGUE).rule_ids
    assert "A7.2(2)" in makeup_after_fact(AfterCause.COLLEAGUE_CUSTOMER).rule_ids
    refused = makeup_after_fact(AfterCause.FOUND_PUBLIC, NONE)
    assert not refused.owed and "A2.1" in refused.rule_ids
    assert grant(all_free(), LI, 1, refused, "found_public").makeups == ()


# --- A2.2: the PM reorders, the turn stays with whoever had it ------------------------------------


def test_a2_2_reorder_keeps_the_next_salesperson_next_and_adds_newcomers() -> None:
    state = all_free(pointer=1)  # 张 is next
    change = reorder(state, [WANG, LIU, 5, ZHANG, LI], newcomers=[Member(5, "陈晨")])
    assert [m.staff_id for m in change.state.members] == [WANG, LIU, 5, ZHANG, LI]
    assert change.state.members[change.state.pointer].staff_id == ZHANG
    assert change.before == (LI, ZHANG, WANG, LIU) and change.added == (5,)
    assert change.rule_ids == ("A2.2",) and "张伟仍为下一位" in change.explanation_zh


@pytest.mark.parametrize("order", [[LI, ZHANG, WANG], [LI, ZHANG, WANG, LIU, LIU], [1, 2, 3, 9]])
def test_a2_2_reorder_must_list_everyone_once(order: list[int]) -> None:
    with pytest.raises(RotationRuleError) as refused:
        reorder(all_free(), order)
    assert refused.value.code == "rotation.bad_order"


# --- invariants -------------------------------------------------------------------------------


@dataclass
class Sim:
    """A day driven by random desk actions, checking the invariants after every step."""

    policy: RotationPolicy
    state: DayState
    makeup_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    served: list[int] = field(default_factory=list)
    earned_order: list[int] = field(default_factory=list)
    holder: dict[int, int] = field(default_factory=dict)


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("arrive"), st.sampled_from(list(ReceptionKind))),
        st.tuples(st.just("end"), st.sampled_from(list(NAMES))),
        st.tuples(st.just("away"), st.sampled_from(list(NAMES))),
        st.tuples(st.just("back"), st.sampled_from(list(NAMES))),
        st.tuples(st.just("busy"), st.sampled_from(list(NAMES))),
    ),
    max_size=60,
)
AWAY_CHOICES = [Reason.ASSIGNED_WORK, Reason.REST, Reason.SICK_LEAVE, Reason.OTHER]
BUSY_CHOICES = [Reason.OWN_CUSTOMER, Reason.COLLEAGUE_CUSTOMER, Reason.HELPING]


@settings(max_examples=300, deadline=None)
@given(
    policy=st.sampled_from([OWED, NONE]),
    pointer=st.integers(0, 3),
    actions=ACTIONS,
    pick=st.randoms(use_true_random=False),
)
def test_nobody_busy_or_absent_is_ever_named_and_make_ups_go_in_order(
    policy: RotationPolicy, pointer: int, actions: list[tuple[str, object]], pick: object
) -> None:
    import random

    assert isinstance(pick, random.Random)
    sim = Sim(policy, all_free(pointer))
    for action, arg in actions:
        state = sim.state
        if action == "arrive":
            kind = ReceptionKind(str(arg))
            named = pick.choice(list(NAMES)) if kind != ReceptionKind.NEW else None
            if kind in (ReceptionKind.PUBLIC, ReceptionKind.GROUP_BUY):
                named = None
            answer = next_receiver(state, policy, kind, named_staff_id=named)
            if answer.receiver is not None:
                # nobody busy or absent is ever named
                assert state.member(answer.receiver.staff_id).status == Status.FREE  # type: ignore[union-attr]
                # a served make-up is the earliest one whose holder is free
                if answer.makeup is not None:
                    free_holders = [
                        m
                        for m in state.makeups
                        if (h := state.member(m.staff_id)) and h.status == Status.FREE
                    ]
                    assert answer.makeup == free_holders[0]
                    sim.served.append(answer.makeup.id)
                else:
                    # the pointer walk never passes a free salesperson
                    assert all(s.status != Status.FREE for s in answer.skips)
            before = {m.id for m in state.makeups}
            sim.state = apply(state, answer, sim.makeup_ids)
            new = [m for m in sim.state.makeups if m.id not in before]
            sim.earned_order += [m.id for m in new]
            sim.holder.update({m.id: m.staff_id for m in new})
            if policy.skip_makeup == SkipMakeup.NONE:
                assert sim.state.makeups == ()
        else:
            staff_id = int(str(arg))
            member = state.member(staff_id)
            assert member is not None
            try:
                if action == "end":
                    sim.state = reception_end(state, staff_id)
                elif action == "away":
                    reason = pick.choice(AWAY_CHOICES)
                    sim.state = status_set(state, staff_id, Status.AWAY, reason)
                elif action == "busy":
                    reason = pick.choice(BUSY_CHOICES)
                    sim.state = status_set(state, staff_id, Status.BUSY, reason)
                else:
                    sim.state = status_set(state, staff_id, Status.FREE, None)
            except RotationRuleError:
                assert sim.state == state
        # open make-ups stay in the order they were earned
        open_ids = [m.id for m in sim.state.makeups]
        assert open_ids == [i for i in sim.earned_order if i in set(open_ids)]
    # each holder's make-ups were served in the order that holder earned them
    for staff_id in NAMES:
        mine = [i for i in sim.served if sim.holder[i] == staff_id]
        assert mine == sorted(mine)


@settings(max_examples=200, deadline=None)
@given(pointer=st.integers(0, 3), rounds=st.integers(1, 5), policy=st.sampled_from([OWED, NONE]))
def test_fairness_with_no_absences_everyone_receives_round_robin(
    pointer: int, rounds: int, policy: RotationPolicy
) -> None:
    state = all_free(pointer)
    order = [m.staff_id for m in state.members]
    expected = [order[(pointer + i) % 4] for i in range(4 * rounds)]
    received = []
    for _ in range(4 * rounds):
        state, who = assign(state, policy)
        assert who is not None
        received.append(who)
        state = reception_end(state, who)
    assert received == expected


@settings(max_examples=300, deadline=None)
@given(
    statuses=st.lists(
        st.sampled_from(
            [
                (Status.FREE, None),
                (Status.BUSY, Reason.ROTATION),
                (Status.BUSY, Reason.HELPING),
                (Status.AWAY, Reason.REST),
                (Status.AWAY, Reason.ASSIGNED_WORK),
            ]
        ),
        min_size=4,
        max_size=4,
    ),
    pointer=st.integers(0, 3),
    target=st.sampled_from(list(NAMES)),
    policy=st.sampled_from([OWED, NONE]),
)
def test_a_free_salesperson_is_named_within_n_rotation_turns(
    statuses: list[tuple[Status, Reason | None]],
    pointer: int,
    target: int,
    policy: RotationPolicy,
) -> None:
    # given any day where the target is free and stays free until named
    members = [Member(i, NAMES[i], *statuses[i - 1]) for i in NAMES]
    members[target - 1] = Member(target, NAMES[target])
    state = DayState(members=tuple(members), pointer=pointer)
    ids = itertools.count(1)
    walks = 0
    # when new customers keep arriving (receptions of others never end)
    for _ in range(40):
        answer = next_receiver(state, policy)
        assert answer.receiver is not None  # the target is free, so someone can receive
        if answer.receiver.staff_id == target:
            break
        if answer.via == "rotation":
            walks += 1
        state = apply(state, answer, ids)
    else:
        pytest.fail("the free salesperson was never named")
    # then the pointer walked at most N − 1 times before reaching them (make-ups aside)
    assert walks <= len(NAMES) - 1
