"""Named cases for the ownership engine, one or more per clause of Part S that decides ownership,
turns or shares, built from the rulebook's wording (and the seed's 第7篇)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from kehu.core.customers.rules import IdentityKeys, identity_match
from kehu.sales.rules import (
    EVALUATION_ORDER,
    GROUP_BUY,
    SALES_DEPARTMENT,
    Arrival,
    Claim,
    ClaimKind,
    Flag,
    Handling,
    MakeupCause,
    Outcome,
    Owner,
    OwnershipDecision,
    OwnershipPolicy,
    ProtectionAnchor,
    PublicKind,
    Ruling,
    RulingKind,
    Share,
    ShareRole,
    SkipMakeup,
    TransferDealSplit,
    TurnEffect,
    TurnOutcome,
    Visit,
)

from .test_rules_support import (
    ARRIVED,
    DURING,
    LI,
    NAME_DECIDES,
    NAME_ONLY,
    NO_MATCH,
    POLICY,
    QIAN,
    REGISTERED,
    SUN,
    WANG,
    ZHAO,
    at,
    claim,
    consent,
    deal,
    decide,
    shares_of,
    visit,
)

NONE = OwnershipPolicy(skip_makeup=SkipMakeup.NONE)
OWNER_ALL = OwnershipPolicy(transfer_deal_split=TransferDealSplit.OWNER_ALL)


def turn(decision: OwnershipDecision, who: str = ZHAO) -> TurnEffect:
    effect = decision.turn_of(who)
    assert effect is not None
    return effect


def test_the_evaluation_order_is_the_rulebooks() -> None:
    assert EVALUATION_ORDER == (
        "A7.7",
        "A7.18",
        "A1.6",
        "A7.12",
        "A7.9",
        "A7.10",
        "A7.13",
        "A7.14",
        "A7.15",
        "A7.16",
        "A1.5",
        "A7.20",
    )


# --- A7.7 public customers ----------------------------------------------------------------------


def test_a7_7_public_customer_belongs_to_the_sales_department_and_consumes_no_turn() -> None:
    """Given a declared industry peer (A7.6 a), when 赵强 receives in rotation, then the customer
    is the sales department's and 赵强 keeps his place."""
    d = decide(visit(arrival=Arrival.PUBLIC, public_kind=PublicKind.PEER))
    assert (d.decided_by, d.owner_after) == ("A7.7", SALES_DEPARTMENT)
    assert Flag.PERFORMANCE_TO_DEPARTMENT in d.flags
    assert turn(d).outcome == TurnOutcome.NOT_CONSUMED
    assert "A7.6" in d.rule_ids and "销售部公共资源" in d.explanation_zh


@pytest.mark.parametrize("kind", list(PublicKind))
def test_a7_6_each_kind_of_public_customer_a_to_d_is_public(kind: PublicKind) -> None:
    d = decide(visit(arrival=Arrival.PUBLIC, public_kind=kind))
    assert d.decided_by == "A7.7" and d.owner_after == SALES_DEPARTMENT


def test_a7_7_several_salespeople_receive_at_once_and_none_consumes_a_turn() -> None:
    d = decide(visit(arrival=Arrival.PUBLIC, public_kind=PublicKind.AGENCY_GUEST, helpers=(QIAN,)))
    assert [t.outcome for t in d.turns] == [TurnOutcome.NOT_CONSUMED] * 2
    assert turn(d, QIAN).rule_ids == ("A7.7",)


def test_a7_7_found_public_after_the_reception_gives_the_receiver_a_make_up_turn() -> None:
    """事后确定此客户为公共客户则按补客户处理."""
    d = decide(visit(public_kind=PublicKind.SOLICITOR, found_public_at=at(3, 1, 12)))
    assert d.owner_after == SALES_DEPARTMENT
    assert turn(d).outcome == TurnOutcome.MAKEUP_EARNED
    assert turn(d).cause == MakeupCause.FOUND_PUBLIC


def test_a7_7_found_public_afterwards_under_skip_none_earns_no_make_up() -> None:
    d = decide(visit(public_kind=PublicKind.SOLICITOR, found_public_at=at(3, 1, 12)), policy=NONE)
    assert turn(d).outcome == TurnOutcome.CONSUMED
    assert "A2.1" in turn(d).rule_ids


def test_a7_7_found_public_only_counts_once_established() -> None:
    d = decide(visit(public_kind=PublicKind.SOLICITOR, found_public_at=at(3, 5)), now=at(3, 2))
    assert d.decided_by == "A1.5" and d.owner_after == Owner.of(ZHAO)


def test_a7_6_b_developer_guest_given_a_business_card_is_received_in_rotation() -> None:
    """如果派名片则属于轮排接待."""
    d = decide(
        visit(
            arrival=Arrival.PUBLIC,
            public_kind=PublicKind.DEVELOPER_GUEST,
            business_card_given=True,
        )
    )
    assert d.decided_by == "A1.5" and d.owner_after == Owner.of(ZHAO)
    assert turn(d).outcome == TurnOutcome.CONSUMED
    assert "A7.6" in d.rule_ids and "已派名片" in d.explanation_zh


def test_a7_7_a_public_customers_deal_is_the_sales_departments() -> None:
    d = decide(visit(arrival=Arrival.PUBLIC, public_kind=PublicKind.DEVELOPER_GUEST), deal=deal())
    assert shares_of(d) == {"sales_department": Decimal(100)}


def test_a7_7_public_customer_returning_to_buy_is_a_new_customer_in_rotation() -> None:
    """如果公共客户再次来访而以购房为目的，则按新客户轮排顺序接待."""
    earlier = claim(public=True, holder=SUN)
    d = decide(visit(), earlier)
    assert d.owner_before == SALES_DEPARTMENT
    assert (d.decided_by, d.owner_after) == ("A1.5", Owner.of(ZHAO))
    assert turn(d).outcome == TurnOutcome.CONSUMED and "A7.7" in d.rule_ids


# --- A7.18 group buy ----------------------------------------------------------------------------


def test_a7_18_group_buy_performance_is_not_the_receivers_only_a_bonus_weight() -> None:
    d = decide(visit(arrival=Arrival.GROUP_BUY), deal=deal())
    assert (d.decided_by, d.owner_after) == ("A7.18", GROUP_BUY)
    assert shares_of(d) == {"group_buy": Decimal(100)}
    assert Flag.GROUP_BUY_WEIGHT in d.flags and d.group_buy_weight == Decimal("1.5")


def test_a7_18_reading_a_group_buy_consumes_no_turn() -> None:
    assert turn(decide(visit(arrival=Arrival.GROUP_BUY))).outcome == TurnOutcome.NOT_CONSUMED


def test_a7_18_a_company_may_count_a_group_buy_as_a_turn() -> None:
    policy = OwnershipPolicy(group_buy_consumes=True, group_buy_weight=Decimal("1.2"))
    d = decide(visit(arrival=Arrival.GROUP_BUY), policy=policy)
    assert turn(d).outcome == TurnOutcome.CONSUMED and d.group_buy_weight == Decimal("1.2")


# --- A1.6 company referral ----------------------------------------------------------------------


def test_a1_6_company_referral_assigned_by_the_pm_with_commission_negotiated() -> None:
    d = decide(visit(arrival=Arrival.COMPANY_REFERRAL, named=ZHAO), deal=deal())
    assert (d.decided_by, d.owner_after) == ("A1.6", Owner.of(ZHAO))
    assert Flag.COMMISSION_NEGOTIATED in d.flags
    assert d.deal is not None and d.deal.negotiated
    assert shares_of(d) == {ZHAO: Decimal(100)}
    assert turn(d).outcome == TurnOutcome.NOT_CONSUMED


def test_a1_6_decides_before_any_earlier_registration() -> None:
    d = decide(visit(arrival=Arrival.COMPANY_REFERRAL, named=ZHAO), claim(found_at=DURING))
    assert d.decided_by == "A1.6" and d.owner_before == Owner.of(LI)


# --- A7.12 phone customers ----------------------------------------------------------------------


def phone_claim(**overrides: Any) -> Claim:
    values: dict[str, Any] = {"kind": ClaimKind.PHONE_ENQUIRY, "since": at(2, 20)}
    values.update(overrides)
    return claim(**values)


def test_a7_12_1_phone_customer_found_after_the_reception_belongs_to_the_receiver() -> None:
    """完成接待过程后查出的以电话服从接待."""
    d = decide(visit(), phone_claim(found_at=at(3, 1, 15)))
    assert (d.decided_by, d.clause, d.owner_after) == ("A7.12", "A7.12(1)", Owner.of(ZHAO))
    assert d.owner_before == Owner.of(LI)
    assert turn(d).outcome == TurnOutcome.CONSUMED
    assert "以电话服从接待" in d.explanation_zh


def test_a7_12_1_phone_customer_found_during_the_reception_falls_to_a7_13() -> None:
    d = decide(visit(handling=Handling.HANDED_BACK), phone_claim(found_at=DURING))
    assert (d.decided_by, d.owner_after) == ("A7.13", Owner.of(LI))


def test_a7_12_2_phone_customer_asks_for_x_who_is_present_x_receives_no_turn() -> None:
    d = decide(visit(arrival=Arrival.PHONE_CUSTOMER, named=LI, receiver=LI), deal=deal(LI))
    assert (d.clause, d.owner_after) == ("A7.12(2)", Owner.of(LI))
    assert turn(d, LI).outcome == TurnOutcome.NOT_CONSUMED
    assert shares_of(d) == {LI: Decimal(100)}


def test_a7_12_2_asked_for_x_via_the_phone_book_is_a_phone_customer() -> None:
    d = decide(
        visit(arrival=Arrival.ASKED_FOR, named=LI, receiver=LI),
        phone_claim(found_at=ARRIVED),  # type: ignore[arg-type]
    )
    assert d.clause == "A7.12(2)" and d.claim_id == "c1"


def test_a7_12_2_colleague_taking_a_present_xs_phone_customer_without_consent_grabs() -> None:
    d = decide(visit(arrival=Arrival.PHONE_CUSTOMER, named=LI), deal=deal())
    assert (d.decided_by, d.owner_after) == ("A7.13", Owner.of(LI))
    assert Flag.GRAB in d.flags and d.fine is not None
    assert {"A7.12(2)", "A2.12", "A2.8"} <= set(d.rule_ids)


def test_a7_12_3_x_absent_on_duty_helps_deal_splits_20_80_and_x_does_the_procedures() -> None:
    d = decide(visit(arrival=Arrival.PHONE_CUSTOMER, named=LI, named_present=False), deal=deal())
    assert (d.clause, d.owner_after) == ("A7.12(3)", Owner.of(LI))
    assert shares_of(d) == {ZHAO: Decimal(20), LI: Decimal(80)}
    assert d.deal is not None and d.deal.procedures_by == LI
    assert turn(d).outcome == TurnOutcome.NOT_CONSUMED


def test_a7_12_3_a_later_deal_by_x_is_all_xs() -> None:
    d = decide(visit(arrival=Arrival.PHONE_CUSTOMER, named=LI, named_present=False), deal=deal(LI))
    assert shares_of(d) == {LI: Decimal(100)}


@pytest.mark.parametrize(("call_day", "claims"), [(31, True), (30, False)])
def test_a7_12_reading_a_phone_enquiry_claims_for_60_days(call_day: int, claims: bool) -> None:
    """Visit 1 March 2026: a call on 31 Dec is 60 days back (still 李明's phone customer),
    one on 30 Dec is 61 days back (the record has lapsed)."""
    call = at(12, call_day, year=2025)
    d = decide(visit(handling=Handling.HANDED_BACK), phone_claim(since=call, found_at=DURING))
    assert (d.owner_after == Owner.of(LI)) is claims
    if not claims:
        assert d.decided_by == "A1.5" and "已超过有效期" in d.explanation_zh


# --- A7.9 referral by an old customer -----------------------------------------------------------


def test_a7_9_1_old_customer_brings_a_new_one_original_absent_rotation_helps_20_80() -> None:
    d = decide(visit(arrival=Arrival.WITH_OLD_CUSTOMER, named=LI, named_present=False), deal=deal())
    assert (d.decided_by, d.clause, d.owner_after) == ("A7.9", "A7.9(1)", Owner.of(LI))
    assert turn(d).outcome == TurnOutcome.NOT_CONSUMED
    assert shares_of(d) == {ZHAO: Decimal(20), LI: Decimal(80)}
    assert d.deal is not None and d.deal.procedures_by == LI


def test_a7_9_1_original_salesperson_present_receives() -> None:
    d = decide(visit(arrival=Arrival.WITH_OLD_CUSTOMER, named=LI, receiver=LI))
    assert (d.clause, d.owner_after) == ("A7.9(1)", Owner.of(LI))
    assert turn(d, LI).outcome == TurnOutcome.NOT_CONSUMED


def test_a7_9_2_new_customer_asks_for_an_absent_x_on_duty_helps_20_80() -> None:
    d = decide(visit(arrival=Arrival.ASKED_FOR, named=LI, named_present=False), deal=deal())
    assert (d.clause, d.owner_after) == ("A7.9(2)", Owner.of(LI))
    assert shares_of(d) == {ZHAO: Decimal(20), LI: Decimal(80)}


def test_a7_9_2_asked_for_x_present_x_receives_no_turn_and_a2_12_names_the_registrar() -> None:
    d = decide(visit(arrival=Arrival.ASKED_FOR, named=LI, receiver=LI))
    assert (d.clause, d.owner_after) == ("A7.9(2)", Owner.of(LI))
    assert "A2.12" in d.rule_ids and turn(d, LI).outcome == TurnOutcome.NOT_CONSUMED


def test_a7_9_the_help_split_follows_the_policy() -> None:
    policy = OwnershipPolicy(help_closer_percent=Decimal("30"))
    d = decide(
        visit(arrival=Arrival.ASKED_FOR, named=LI, named_present=False),
        deal=deal(),
        policy=policy,
    )
    assert shares_of(d) == {ZHAO: Decimal(30), LI: Decimal(70)}


def test_a7_9_3_new_customer_says_during_the_first_visit_they_came_for_x() -> None:
    """如果该客户在第一次来访的整个接待过程中有说明找某售楼员，则新客户归该售楼员且不占接待名额."""
    d = decide(visit(came_for=LI, came_for_said_at=DURING))
    assert (d.clause, d.owner_after) == ("A7.9(3)", Owner.of(LI))
    assert turn(d).outcome == TurnOutcome.MAKEUP_EARNED
    assert turn(d).cause == MakeupCause.CAME_FOR_COLLEAGUE


def test_a7_9_3_said_at_the_moment_the_registration_completes_still_counts() -> None:
    d = decide(visit(came_for=LI, came_for_said_at=REGISTERED))
    assert d.clause == "A7.9(3)"


def test_a7_9_3_said_after_the_first_visit_ended_does_not_apply() -> None:
    d = decide(visit(came_for=LI, came_for_said_at=at(3, 1, 11, 1)))
    assert (d.decided_by, d.owner_after) == ("A1.5", Owner.of(ZHAO))
    assert "不适用A7.9(3)" in d.explanation_zh


def test_a7_9_3_under_skip_none_the_turn_is_not_given_back() -> None:
    d = decide(visit(came_for=LI), policy=NONE)
    assert d.owner_after == Owner.of(LI) and turn(d).outcome == TurnOutcome.CONSUMED


@pytest.mark.parametrize(
    ("policy", "expected"),
    [(POLICY, {ZHAO: Decimal(20), LI: Decimal(80)}), (OWNER_ALL, {LI: Decimal(100)})],
)
def test_a7_9_3_a_deal_the_receiver_closed_is_split_by_the_transfer_policy(
    policy: OwnershipPolicy, expected: dict[str, Decimal]
) -> None:
    d = decide(visit(came_for=LI), deal=deal(), policy=policy)
    assert shares_of(d) == expected


def test_a7_9_concerns_new_customers_not_an_old_customer_asking_for_someone_else() -> None:
    """钱芳's old customer asks for the absent 李明: 钱芳's customer, not A7.9(2)."""
    d = decide(
        visit(arrival=Arrival.ASKED_FOR, named=LI, named_present=False),
        claim(holder=QIAN, found_at=DURING),
        deal=deal(),
        consents=(consent(holder=QIAN),),
    )
    assert (d.decided_by, d.owner_after) == ("A7.13", Owner.of(QIAN))


# --- A7.10 pre-registered referrals -------------------------------------------------------------


def prereg(**overrides: Any) -> Claim:
    values: dict[str, Any] = {
        "kind": ClaimKind.PRE_REGISTRATION,
        "holder": QIAN,
        "since": at(2, 25),
    }
    values.update(overrides)
    return claim(**values)


def test_a7_10_conflict_found_on_day_7_after_registration_transfers_to_the_pre_registrar() -> None:
    d = decide(visit(), prereg(found_at=at(3, 8, 23, 59)))
    assert (d.decided_by, d.owner_after) == ("A7.10", Owner.of(QIAN))
    assert turn(d).outcome == TurnOutcome.MAKEUP_EARNED
    assert turn(d).cause == MakeupCause.COLLEAGUE_CUSTOMER
    assert "相隔7天" in d.explanation_zh


def test_a7_10_conflict_found_on_day_8_the_rotation_receiver_keeps_the_customer() -> None:
    d = decide(visit(), prereg(found_at=at(3, 9, 0, 1)))
    assert (d.decided_by, d.owner_after) == ("A7.10", Owner.of(ZHAO))
    assert turn(d).outcome == TurnOutcome.CONSUMED and "已过有效期" in d.explanation_zh


def test_a7_10_days_are_calendar_days_on_the_offices_clock() -> None:
    """Registered at 00:10 on 1 March, found at 23:50 on 8 March: 7 days 23 h 40 min, but the
    7th day — within."""
    d = decide(
        visit(registered_at=at(3, 1, 0, 10), arrived_at=at(3, 1, 0, 5)),
        prereg(found_at=at(3, 8, 23, 50)),
    )
    assert d.owner_after == Owner.of(QIAN)


def test_a7_10_validity_follows_the_policy() -> None:
    d = decide(
        visit(),
        prereg(found_at=at(3, 9)),  # type: ignore[arg-type]
        policy=OwnershipPolicy(referral_valid_days=10),
    )
    assert d.owner_after == Owner.of(QIAN)


def test_a7_10_keys_that_do_not_match_leave_the_customer_with_the_receiver() -> None:
    d = decide(visit(), prereg(found_at=at(3, 2), match=NO_MATCH))
    assert (d.decided_by, d.owner_after) == ("A7.10", Owner.of(ZHAO))
    assert "不符" in d.explanation_zh


def test_a7_10_comparison_uses_the_a7_4_keys_plate_brand_and_surname() -> None:
    """The introduction named only 张先生 with his BMW 京A·12345; the visit registers 张伟 with
    宝马 京A12345: plate + brand + surname match (A7.4)."""
    pre = IdentityKeys.from_raw(name="张先生", car_brand="BMW", plate="京A·12345")
    seen = IdentityKeys.from_raw(
        name="张伟", phones=["13900139000"], car_brand="宝马", plate="京A12345"
    )
    match = identity_match(seen, pre)
    d = decide(visit(), prereg(found_at=at(3, 3), match=match))
    assert d.owner_after == Owner.of(QIAN)
    assert "车辆品牌+车牌号+姓氏" in d.explanation_zh


def test_a7_10_an_introduction_registered_after_the_visit_is_no_pre_registration() -> None:
    d = decide(visit(), prereg(since=at(3, 1, 12), found_at=at(3, 2)))
    assert d.owner_after == Owner.of(ZHAO) and d.decided_by == "A1.5"


def test_a7_10_found_before_the_registration_counts_as_within_and_a7_11_is_flagged() -> None:
    """钱芳 walks up during 赵强's reception to ask whether it is her referral (A7.11)."""
    d = decide(visit(), prereg(found_at=DURING, found_by=QIAN))
    assert d.owner_after == Owner.of(QIAN)
    assert Flag.ASKED_DURING_RECEPTION in d.flags and "A7.11" in d.rule_ids


def test_a7_10_a_conflict_not_yet_found_is_not_a_fact() -> None:
    d = decide(visit(), prereg(found_at=at(3, 5)), now=at(3, 3))
    assert (d.decided_by, d.owner_after) == ("A1.5", Owner.of(ZHAO))


def test_a7_10_receiver_deal_before_a_transfer_is_split_by_the_transfer_policy() -> None:
    d = decide(visit(), prereg(found_at=at(3, 3)), deal=deal())
    assert shares_of(d) == {ZHAO: Decimal(20), QIAN: Decimal(80)}


def test_a7_10_applies_only_to_visitors_who_asked_for_nobody() -> None:
    d = decide(
        visit(arrival=Arrival.ASKED_FOR, named=SUN, receiver=SUN),
        prereg(found_at=at(3, 3)),  # type: ignore[arg-type]
    )
    assert (d.clause, d.owner_after) == ("A7.9(2)", Owner.of(SUN))


# --- A7.13 / A2.8 someone else's customer found during the reception ----------------------------


def test_a7_13_found_during_the_reception_and_handed_back_the_owner_keeps_the_customer() -> None:
    d = decide(visit(handling=Handling.HANDED_BACK), claim(found_at=DURING, found_by=ZHAO))
    assert (d.decided_by, d.owner_after) == ("A7.13", Owner.of(LI))
    assert turn(d).outcome == TurnOutcome.MAKEUP_EARNED
    assert turn(d).cause == MakeupCause.COLLEAGUE_CUSTOMER and "A7.2(2)" in turn(d).rule_ids


def test_a7_13_handed_back_under_skip_none_earns_no_make_up() -> None:
    d = decide(visit(handling=Handling.HANDED_BACK), claim(found_at=DURING), policy=NONE)
    assert turn(d).outcome == TurnOutcome.CONSUMED


def test_a7_13_not_yet_handed_back_the_duty_is_stated() -> None:
    d = decide(visit(registered_at=None), claim(found_at=DURING), now=at(3, 1, 10, 40))
    assert d.owner_after == Owner.of(LI) and "应主动交回" in d.explanation_zh


def test_a7_13_continued_with_the_owners_consent_deal_splits_20_80() -> None:
    d = decide(
        visit(handling=Handling.CONTINUED),
        claim(found_at=DURING),
        deal=deal(),
        consents=(consent(),),
    )
    assert (d.decided_by, d.owner_after) == ("A7.13", Owner.of(LI))
    assert shares_of(d) == {ZHAO: Decimal(20), LI: Decimal(80)}
    assert "A2.8" in d.rule_ids and d.fine is None


@pytest.mark.parametrize(
    ("on_site", "reachable", "where"), [(False, True, "不在现场"), (True, False, "无法联络")]
)
def test_a7_13_owner_not_on_site_or_unreachable_receiver_helps_temporarily_20_80(
    on_site: bool, reachable: bool, where: str
) -> None:
    d = decide(
        visit(),
        claim(found_at=DURING, holder_on_site=on_site, holder_reachable=reachable),
        deal=deal(),
    )
    assert d.owner_after == Owner.of(LI) and Flag.GRAB not in d.flags
    assert shares_of(d) == {ZHAO: Decimal(20), LI: Decimal(80)}
    assert where in d.explanation_zh


def test_a7_13_continuing_without_consent_is_grabbing_commission_cancelled_fine_proposed() -> None:
    """否则视为抢客户 … 取消该成交客户的佣金，罚款200-500元; Reading: the owner keeps 80%."""
    d = decide(visit(), claim(found_at=DURING), deal=deal())
    assert (d.decided_by, d.owner_after) == ("A7.13", Owner.of(LI))
    assert {Flag.GRAB, Flag.COMMISSION_CANCELLED} <= set(d.flags)
    assert shares_of(d) == {LI: Decimal(80), "cancelled": Decimal(20)}
    assert d.deal is not None and d.deal.paid_percent == Decimal(80)
    assert d.fine is not None
    assert (d.fine.salesperson, d.fine.minimum, d.fine.maximum) == (
        ZHAO,
        Decimal(200),
        Decimal(500),
    )
    assert turn(d).outcome == TurnOutcome.CONSUMED


def test_a7_13_grab_fine_range_follows_the_policy() -> None:
    policy = OwnershipPolicy(grab_fine_min=Decimal(300), grab_fine_max=Decimal(800))
    d = decide(visit(), claim(found_at=DURING), deal=deal(), policy=policy)
    assert d.fine is not None and (d.fine.minimum, d.fine.maximum) == (300, 800)


def test_a7_13_consent_refused_and_continued_is_grabbing() -> None:
    d = decide(
        visit(handling=Handling.CONTINUED),
        claim(found_at=DURING, holder_on_site=False),
        consents=(consent(given=False),),
    )
    assert Flag.GRAB in d.flags and "不同意" in d.explanation_zh


def test_a7_13_consent_given_only_after_the_deal_does_not_cure_a_grab() -> None:
    d = decide(
        visit(),
        claim(found_at=DURING),
        deal=deal(),
        consents=(consent(when=at(3, 2)),),
    )
    assert Flag.GRAB in d.flags


def test_a7_13_a_grab_without_a_deal_still_proposes_the_fine() -> None:
    d = decide(visit(handling=Handling.CONTINUED), claim(found_at=DURING))
    assert d.fine is not None and d.deal is None
    assert Flag.COMMISSION_CANCELLED not in d.flags


def test_a7_13_a_receiver_who_knew_cannot_claim_an_unknowing_reception() -> None:
    """A7.15/16 need 确实不知; a receiver who knew is judged by A7.13."""
    d = decide(visit(receiver_knew=True), claim(found_at=at(3, 20)), deal=deal())
    assert d.decided_by == "A7.13" and Flag.GRAB in d.flags


def test_a7_13_found_after_the_reception_but_before_the_receivers_deal_needs_consent() -> None:
    d = decide(visit(), claim(found_at=at(3, 2)), deal=deal(when=at(3, 5)))
    assert d.decided_by == "A7.13" and Flag.GRAB in d.flags


def test_a7_13_phone_holder_asking_during_the_reception_is_flagged_a7_11() -> None:
    d = decide(
        visit(handling=Handling.HANDED_BACK),
        claim(kind=ClaimKind.PHONE_ENQUIRY, found_at=DURING, found_by=LI),
    )
    assert Flag.ASKED_DURING_RECEPTION in d.flags


def test_a7_13_holder_recorded_absent_at_arrival_is_not_on_site() -> None:
    """李明's old customer asks for 李明, who is out: 赵强 helps temporarily, no grab."""
    d = decide(
        visit(arrival=Arrival.ASKED_FOR, named=LI, named_present=False),
        claim(found_at=ARRIVED),
        deal=deal(),
    )
    assert d.owner_after == Owner.of(LI) and Flag.GRAB not in d.flags
    assert turn(d).outcome == TurnOutcome.NOT_CONSUMED


# --- A7.14 family or batch ----------------------------------------------------------------------


def family(**overrides: Any) -> Claim:
    values: dict[str, Any] = {
        "kind": ClaimKind.FAMILY,
        "holder": QIAN,
        "since": at(2, 1),
        "match": NO_MATCH,
    }
    values.update(overrides)
    return claim(**values)


def test_a7_14_family_belongs_to_the_first_receiver_not_necessarily_the_first_registrar() -> None:
    """钱芳 first received the husband on 1 Feb (registered by 李明 later); the wife comes."""
    d = decide(visit(), family(), claim(id="c2", since=at(2, 3)))
    assert (d.decided_by, d.owner_after) == ("A7.14", Owner.of(QIAN))
    assert turn(d).cause == MakeupCause.COLLEAGUE_CUSTOMER


@pytest.mark.parametrize(("visit_day", "owner"), [(3, QIAN), (4, ZHAO)])
def test_a7_14_visit_on_day_30_is_still_the_familys_day_31_is_a_new_customer(
    visit_day: int, owner: str
) -> None:
    """First reception 1 Feb 10:00; 3 March is day 30, 4 March day 31."""
    arrived = at(3, visit_day, 9)
    d = decide(
        visit(arrived_at=arrived, registered_at=at(3, visit_day, 10)),
        family(found_at=at(3, visit_day, 12)),  # type: ignore[arg-type]
    )
    assert (d.decided_by, d.owner_after) == ("A7.14", Owner.of(owner))
    assert (Flag.NEW_CUSTOMER in d.flags) is (owner == ZHAO)


def test_a7_14_the_window_runs_from_the_deal_when_that_is_later() -> None:
    """与原始登记或成交时间超过30天: the family bought on 20 Feb, so 21 March is day 29."""
    d = decide(
        visit(arrived_at=at(3, 21), registered_at=at(3, 21, 11)),
        family(deal_at=at(2, 20), found_at=at(3, 22)),  # type: ignore[arg-type]
    )
    assert d.owner_after == Owner.of(QIAN)


def test_a7_14_a_batch_is_one_customer_like_a_family() -> None:
    d = decide(visit(), family(kind=ClaimKind.BATCH))
    assert (d.decided_by, d.owner_after) == ("A7.14", Owner.of(QIAN))


def test_a7_14_family_member_found_during_the_reception_is_a7_13() -> None:
    d = decide(visit(handling=Handling.HANDED_BACK), family(found_at=DURING))
    assert d.decided_by == "A7.13" and d.owner_after == Owner.of(QIAN)


def test_a7_14_window_follows_the_policy() -> None:
    d = decide(
        visit(arrived_at=at(3, 10), registered_at=at(3, 10, 11)),
        family(found_at=at(3, 11)),  # type: ignore[arg-type]
        policy=OwnershipPolicy(family_window_days=45),
    )
    assert d.owner_after == Owner.of(QIAN)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [(POLICY, {ZHAO: Decimal(20), QIAN: Decimal(80)}), (OWNER_ALL, {QIAN: Decimal(100)})],
)
def test_a7_14_receivers_deal_before_the_family_was_found_follows_the_transfer_policy(
    policy: OwnershipPolicy, expected: dict[str, Decimal]
) -> None:
    d = decide(visit(), family(found_at=at(3, 2)), deal=deal(), policy=policy)
    assert d.decided_by == "A7.14" and shares_of(d) == expected


# --- A7.15 unknowing reception, no deal ---------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "owner"), [(at(12, 31, year=2025), LI), (at(12, 30, year=2025), ZHAO)]
)
def test_a7_15_visit_on_day_60_stays_with_the_owner_day_61_is_a_new_customer(
    registered: dt.datetime, owner: str
) -> None:
    """Visit 1 March 2026: 60 days after 31 December 2025, 61 after 30 December."""
    d = decide(visit(), claim(since=registered, found_at=at(3, 2)))
    assert (d.decided_by, d.owner_after) == ("A7.15", Owner.of(owner))
    assert d.owner_before == Owner.of(LI)
    if owner == LI:
        assert turn(d).outcome == TurnOutcome.MAKEUP_EARNED
        assert "A7.2(2)" in turn(d).rule_ids
    else:
        assert turn(d).outcome == TurnOutcome.CONSUMED and Flag.NEW_CUSTOMER in d.flags


def test_a7_15_expired_protection_makes_a_new_customer_even_when_found_during() -> None:
    d = decide(visit(), claim(since=at(12, 1, year=2025), found_at=DURING))
    assert (d.decided_by, d.owner_after) == ("A7.15", Owner.of(ZHAO))


def test_a7_15_under_skip_none_the_receiver_earns_no_make_up() -> None:
    d = decide(visit(), claim(found_at=at(3, 2)), policy=NONE)
    assert d.owner_after == Owner.of(LI) and turn(d).outcome == TurnOutcome.CONSUMED


def test_a7_15_found_at_the_moment_of_registration_counts_as_after_the_reception() -> None:
    d = decide(visit(), claim(found_at=REGISTERED))
    assert d.decided_by == "A7.15"


def test_a7_15_found_a_minute_before_the_registration_is_during_the_reception() -> None:
    d = decide(visit(handling=Handling.HANDED_BACK), claim(found_at=at(3, 1, 10, 59)))
    assert d.decided_by == "A7.13"


@pytest.mark.parametrize(
    ("anchor", "owner"),
    [(ProtectionAnchor.ORIGINAL_REGISTRATION, ZHAO), (ProtectionAnchor.LAST_OWNER_VISIT, LI)],
)
def test_a7_15_protection_anchor_policy(anchor: ProtectionAnchor, owner: str) -> None:
    """Registered by 李明 on 1 Dec, last visited him on 15 Feb: the last_owner_visit anchor
    keeps the customer his on 1 March."""
    d = decide(
        visit(),
        claim(since=at(12, 1, year=2025), last_holder_visit_at=at(2, 15), found_at=at(3, 2)),
        policy=OwnershipPolicy(protection_anchor=anchor),
    )
    assert d.owner_after == Owner.of(owner)


def test_a7_15_window_follows_the_policy() -> None:
    d = decide(
        visit(),
        claim(since=at(12, 1, year=2025), found_at=at(3, 2)),
        policy=OwnershipPolicy(new_customer_after_days=90),
    )
    assert d.owner_after == Owner.of(LI)


# --- A7.16 unknowing reception with a deal ------------------------------------------------------


def test_a7_16_conflict_found_within_3_days_splits_50_50() -> None:
    d = decide(visit(), claim(found_at=at(3, 2)), deal=deal())
    assert (d.decided_by, d.owner_after) == ("A7.16", Owner.of(LI))
    assert shares_of(d) == {ZHAO: Decimal(50), LI: Decimal(50)}


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (at(3, 4, 23, 59), {ZHAO: Decimal(50), LI: Decimal(50)}),
        (at(3, 5, 0, 1), {ZHAO: Decimal(100)}),
    ],
)
def test_a7_16_found_on_day_3_after_the_deal_splits_day_4_all_to_the_closer(
    found: dt.datetime, expected: dict[str, Decimal]
) -> None:
    d = decide(visit(), claim(found_at=found), deal=deal())
    assert d.decided_by == "A7.16" and shares_of(d) == expected


def test_a7_16_found_more_than_3_days_after_the_deal_the_closer_owns() -> None:
    d = decide(visit(), claim(found_at=at(3, 20)), deal=deal())
    assert d.owner_after == Owner.of(ZHAO)
    assert d.deal is not None and d.deal.procedures_by == ZHAO


@pytest.mark.parametrize(
    ("deal_day", "expected"),
    [((3, 2), {ZHAO: Decimal(50), LI: Decimal(50)}), ((3, 3), {ZHAO: Decimal(100)})],
)
def test_a7_16_deal_on_day_60_the_original_shares_day_61_a_new_customers_deal(
    deal_day: tuple[int, int], expected: dict[str, Decimal]
) -> None:
    """Original registration 1 January; visit 1 March (day 59); deal 2 March is day 60 (the
    original receiver shares), 3 March day 61 (a new customer's deal)."""
    closed = at(*deal_day)
    d = decide(
        visit(),
        claim(since=at(1, 1), found_at=at(deal_day[0], deal_day[1], 12)),
        deal=deal(when=closed),
    )
    assert d.decided_by == "A7.16" and shares_of(d) == expected
    if expected == {ZHAO: Decimal(100)}:
        assert Flag.NEW_CUSTOMER in d.flags and "不参与提成" in d.explanation_zh


def test_a7_16_protection_expired_at_the_visit_gives_a_new_customers_deal() -> None:
    d = decide(visit(), claim(since=at(12, 1, year=2025), found_at=at(3, 2)), deal=deal())
    assert (d.decided_by, d.owner_after) == ("A7.16", Owner.of(ZHAO))
    assert shares_of(d) == {ZHAO: Decimal(100)}


def test_a7_16_deal_closed_during_the_reception_and_found_before_registration() -> None:
    """The deal closed at 10:45; the conflict surfaced at 10:50, before the 11:00 registration:
    it was found after the deal, so A7.16 (not A7.13)."""
    d = decide(visit(), claim(found_at=at(3, 1, 10, 50)), deal=deal())
    assert shares_of(d) == {ZHAO: Decimal(50), LI: Decimal(50)}


def test_a7_16_split_follows_the_policy() -> None:
    policy = OwnershipPolicy(unknowing_closer_percent=Decimal(40), discovery_days=5)
    d = decide(visit(), claim(found_at=at(3, 6)), deal=deal(), policy=policy)
    assert shares_of(d) == {ZHAO: Decimal(40), LI: Decimal(60)}


# --- A7.17 deals --------------------------------------------------------------------------------


def test_a7_17_a_deposit_without_a_signed_subscription_is_not_a_deal() -> None:
    d = decide(visit(), claim(found_at=at(3, 2)), deal=deal(subscription_signed_at=None))
    assert d.deal is None and Flag.NOT_A_DEAL_YET in d.flags
    assert d.decided_by == "A7.15" and "A7.17" in d.rule_ids


def test_a7_17_the_deal_date_is_the_later_of_deposit_and_signature() -> None:
    """Deposit 1 March, signed 3 March, found 6 March: day 3 after the deal → 50/50."""
    the_deal = deal(deposit_paid_at=at(3, 1, 10, 45), subscription_signed_at=at(3, 3))
    d = decide(visit(), claim(found_at=at(3, 6)), deal=the_deal)
    assert shares_of(d) == {ZHAO: Decimal(50), LI: Decimal(50)}


def test_a7_17_the_subscriber_is_recorded_with_the_shares() -> None:
    d = decide(visit(), deal=deal())
    assert d.deal is not None and d.deal.subscriber == "张三"


# --- A1.5 the first registration wins -----------------------------------------------------------


def test_a1_5_a_new_walk_in_belongs_to_the_rotation_receiver_and_consumes_the_turn() -> None:
    d = decide(visit(), deal=deal())
    assert (d.decided_by, d.owner_before, d.owner_after) == ("A1.5", None, Owner.of(ZHAO))
    assert turn(d).outcome == TurnOutcome.CONSUMED
    assert {"A7.1", "A2.12"} <= set(d.rule_ids)
    assert shares_of(d) == {ZHAO: Decimal(100)}


def test_a1_5_own_old_customer_by_rotation_keeps_the_customer_and_earns_a7_2_1() -> None:
    d = decide(visit(), claim(holder=ZHAO))
    assert (d.decided_by, d.owner_after) == ("A1.5", Owner.of(ZHAO))
    assert turn(d).outcome == TurnOutcome.MAKEUP_EARNED
    assert turn(d).cause == MakeupCause.OWN_CUSTOMER and "A7.2(1)" in turn(d).rule_ids


def test_a1_5_own_old_customer_under_skip_none_keeps_the_turn_consumed() -> None:
    d = decide(visit(), claim(holder=ZHAO), policy=NONE)
    assert turn(d).outcome == TurnOutcome.CONSUMED


def test_a1_5_own_old_customer_asking_for_the_receiver_consumes_no_turn() -> None:
    d = decide(visit(arrival=Arrival.ASKED_FOR, named=ZHAO), claim(holder=ZHAO))
    assert d.decided_by == "A1.5" and turn(d).outcome == TurnOutcome.NOT_CONSUMED


def test_a1_5_the_earliest_of_two_registrations_governs() -> None:
    d = decide(
        visit(handling=Handling.HANDED_BACK),
        claim(id="c2", holder=QIAN, since=at(2, 10), found_at=DURING),
        claim(id="c1", holder=LI, since=at(2, 1), found_at=DURING),
    )
    assert d.owner_after == Owner.of(LI) and d.claim_id == "c1"


def test_a1_3_a_phone_enquiry_is_not_a_registration_an_old_customer_record_governs() -> None:
    """李明 took the call on 1 Feb; 钱芳 received and registered the customer on 5 Feb."""
    d = decide(
        visit(handling=Handling.HANDED_BACK),
        claim(id="p", kind=ClaimKind.PHONE_ENQUIRY, holder=LI, since=at(2, 1), found_at=DURING),
        claim(id="r", holder=QIAN, since=at(2, 5), found_at=DURING),
    )
    assert d.owner_after == Owner.of(QIAN) and d.claim_id == "r"


def test_a7_4_a_claim_whose_keys_do_not_match_is_not_the_same_customer() -> None:
    d = decide(visit(), claim(match=NO_MATCH, found_at=at(3, 2)))
    assert (d.decided_by, d.owner_after, d.owner_before) == ("A1.5", Owner.of(ZHAO), None)
    assert "不是同一客户" in d.explanation_zh


# --- A7.20 the sales manager --------------------------------------------------------------------


def test_a7_20_a_full_name_only_match_goes_to_the_sales_manager_never_applied_silently() -> None:
    d = decide(visit(), claim(match=NAME_ONLY, found_at=at(3, 2)))
    assert (d.outcome, d.decided_by) == (Outcome.NEEDS_RULING, "A7.20")
    assert d.owner_after == Owner.of(ZHAO) and d.owner_before is None
    assert d.provisional_by == "A1.5" and d.pending_claim_ids == ("c1",)
    assert "仅客户全名相同" in d.explanation_zh and "A7.4" in d.rule_ids


def test_a7_20_a_confirmed_same_customer_is_then_judged_by_the_rules() -> None:
    ruling = Ruling(RulingKind.SAME_CUSTOMER, at(3, 3), WANG, "身份证号一致", claim_id="c1")
    d = decide(visit(), claim(match=NAME_ONLY, found_at=at(3, 2)), rulings=(ruling,))
    assert (d.outcome, d.decided_by, d.owner_after) == (Outcome.DECIDED, "A7.15", Owner.of(LI))
    assert "A7.20" in d.rule_ids and Flag.RULING in d.flags


def test_a7_20_a_ruling_of_different_customers_leaves_the_receiver_the_owner() -> None:
    ruling = Ruling(RulingKind.DIFFERENT_CUSTOMER, at(3, 3), WANG, "同名不同人，年龄不同")
    d = decide(visit(), claim(match=NAME_ONLY, found_at=at(3, 2)), rulings=(ruling,))
    assert (d.outcome, d.decided_by, d.owner_after) == (Outcome.DECIDED, "A1.5", Owner.of(ZHAO))
    assert "A7.20" in d.rule_ids


def test_a7_20_a_ruling_recorded_after_now_is_not_yet_a_fact() -> None:
    ruling = Ruling(RulingKind.SAME_CUSTOMER, at(3, 10), WANG, "核实")
    d = decide(visit(), claim(match=NAME_ONLY, found_at=at(3, 2)), rulings=(ruling,), now=at(3, 5))
    assert d.outcome == Outcome.NEEDS_RULING


def test_a7_20_full_name_alone_decides_when_the_identity_policy_says_so() -> None:
    d = decide(visit(), claim(match=NAME_DECIDES, found_at=at(3, 2)))
    assert (d.outcome, d.decided_by) == (Outcome.DECIDED, "A7.15")


def test_a7_20_an_expired_full_name_match_needs_no_ruling() -> None:
    d = decide(visit(), claim(match=NAME_ONLY, since=at(11, 1, year=2025), found_at=at(3, 2)))
    assert d.outcome == Outcome.DECIDED and d.owner_after == Owner.of(ZHAO)


def test_a7_20_an_award_overrides_the_rules_and_cites_a7_20() -> None:
    award = Ruling(
        RulingKind.AWARD,
        at(3, 10),
        WANG,
        "客户明确表示只认赵强",
        owner=Owner.of(ZHAO),
        shares=(
            Share(Owner.of(ZHAO), ShareRole.CLOSER, Decimal(70)),
            Share(Owner.of(LI), ShareRole.OWNER, Decimal(30)),
        ),
    )
    d = decide(visit(), claim(found_at=at(3, 2)), deal=deal(), rulings=(award,))
    assert (d.decided_by, d.owner_after, d.overridden) == ("A7.20", Owner.of(ZHAO), "A7.16")
    assert shares_of(d) == {ZHAO: Decimal(70), LI: Decimal(30)}
    assert d.rule_ids[0] == "A7.20" and "客户明确表示只认赵强" in d.explanation_zh


def test_a7_20_an_award_without_shares_gives_the_whole_deal_to_the_owner() -> None:
    award = Ruling(RulingKind.AWARD, at(3, 10), WANG, "裁定", owner=Owner.of(LI))
    d = decide(visit(), claim(found_at=at(3, 20)), deal=deal(), rulings=(award,))
    assert shares_of(d) == {LI: Decimal(100)} and d.fine is None


def test_a7_20_an_award_overrides_a_grab_and_its_fine_proposal() -> None:
    award = Ruling(RulingKind.AWARD, at(3, 10), WANG, "经查李明事先已口头同意", owner=Owner.of(LI))
    d = decide(visit(), claim(found_at=DURING), deal=deal(), rulings=(award,))
    assert d.fine is None and Flag.GRAB not in d.flags and d.overridden == "A7.13"


def test_a7_20_an_award_needs_a_reason_and_valid_shares() -> None:
    with pytest.raises(ValueError, match="reason"):
        Ruling(RulingKind.AWARD, at(3, 10), WANG, " ", owner=Owner.of(LI))
    with pytest.raises(ValueError, match="100%"):
        Ruling(
            RulingKind.AWARD,
            at(3, 10),
            WANG,
            "裁定",
            owner=Owner.of(LI),
            shares=(Share(Owner.of(LI), ShareRole.SOLE, Decimal(90)),),
        )


def test_a7_20_two_claimants_registered_at_the_same_moment_need_a_ruling() -> None:
    d = decide(
        visit(),
        claim(id="c1", holder=LI, found_at=at(3, 2)),
        claim(id="c2", holder=QIAN, found_at=at(3, 2)),
    )
    assert d.outcome == Outcome.NEEDS_RULING and "登记时间相同" in d.explanation_zh


# --- facts as of `now`, and malformed facts -----------------------------------------------------


def test_facts_later_than_now_are_ignored() -> None:
    d = decide(visit(), claim(found_at=at(3, 10)), deal=deal(when=at(3, 9)), now=at(3, 5))
    assert (d.decided_by, d.owner_after, d.deal) == ("A1.5", Owner.of(ZHAO), None)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        visit(arrived_at=ARRIVED.replace(tzinfo=None))


def test_a_named_arrival_must_name_the_salesperson() -> None:
    with pytest.raises(ValueError, match="names the salesperson"):
        visit(arrival=Arrival.ASKED_FOR)


def test_a_visit_after_now_is_refused() -> None:
    with pytest.raises(ValueError, match="not happened"):
        decide(visit(), now=at(2, 1))


def test_the_explanation_names_people_and_dates_in_chinese() -> None:
    d = decide(visit(), claim(found_at=at(3, 2)))
    assert "赵强" in d.explanation_zh and "李明" in d.explanation_zh
    assert "2026年2月1日" in d.explanation_zh


def test_the_decision_as_json_carries_the_rule_ids_and_shares_as_text() -> None:
    data = decide(visit(), claim(found_at=at(3, 2)), deal=deal()).as_json()
    assert data["decided_by"] == "A7.16" and "A7.16" in data["rule_ids"]
    assert data["owner_after"] == {"kind": "salesperson", "salesperson": LI}
    assert [s["percent"] for s in data["deal"]["shares"]] == ["50", "50"]
    assert data["turns"][0]["outcome"] == "consumed"


def test_a_visits_helpers_keep_their_place() -> None:
    d = decide(visit(helpers=(QIAN,)))
    assert turn(d, QIAN).outcome == TurnOutcome.NOT_CONSUMED
    assert turn(d, QIAN).rule_ids == ("A7.2(3)",)


def test_visit_replace_keeps_validation() -> None:
    with pytest.raises(ValueError):
        replace(visit(), receiver="")
    assert isinstance(visit(), Visit)
