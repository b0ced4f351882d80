"""Deals (A7.17) and their shares: 20/80 (A7.9, A7.12(3), A7.13), 50/50 (A7.16), the grab
(A7.13), 另议 (A1.6), public (A7.7) and group buy (A7.18); always 100% minus any cancelled."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kehu.sales.rules import (
    GROUP_BUY,
    SALES_DEPARTMENT,
    Deal,
    DealShares,
    Owner,
    OwnershipPolicy,
    Share,
    ShareRole,
    Split,
    check_shares,
    deal_shares,
)

from .test_rules_support import LI, NAMES, ZHAO, at, deal

POLICY = OwnershipPolicy()
LI_OWNS = Owner.of(LI)


def split(mode: Split, owner: Owner = LI_OWNS, closer: str = ZHAO) -> DealShares:
    return deal_shares(
        deal(closer), owner=owner, split=mode, policy=POLICY, rule_ids=("X",), names=NAMES
    )


def paid(shares: DealShares) -> dict[str, Decimal]:
    return {
        (s.party.salesperson or s.party.kind.value): s.percent
        for s in shares.shares
        if not s.cancelled and s.percent
    }


def test_a7_17_a_deal_needs_the_deposit_and_the_signed_subscription() -> None:
    assert Deal("d", ZHAO, deposit_paid_at=at(3, 1)).closed_at is None
    assert Deal("d", ZHAO, subscription_signed_at=at(3, 1)).closed_at is None
    both = Deal("d", ZHAO, deposit_paid_at=at(3, 2), subscription_signed_at=at(3, 1))
    assert both.closed_at == at(3, 2)


def test_a7_17_no_shares_before_it_is_a_deal() -> None:
    with pytest.raises(ValueError, match=r"A7\.17"):
        deal_shares(
            Deal("d", ZHAO, deposit_paid_at=at(3, 1)),
            owner=Owner.of(LI),
            split=Split.HELP,
            policy=POLICY,
            rule_ids=(),
        )


def test_the_help_split_is_closer_20_owner_80_and_the_owner_does_the_procedures() -> None:
    s = split(Split.HELP)
    assert paid(s) == {ZHAO: Decimal(20), LI: Decimal(80)}
    assert s.procedures_by == LI and "二八分成" in s.explanation_zh
    assert s.percent_of(ZHAO) == Decimal(20)


def test_the_help_split_when_the_owner_closed_is_all_the_owners() -> None:
    assert paid(split(Split.HELP, closer=LI)) == {LI: Decimal(100)}


def test_the_even_split_is_50_50() -> None:
    assert paid(split(Split.EVEN)) == {ZHAO: Decimal(50), LI: Decimal(50)}


def test_closer_all_and_owner_all() -> None:
    assert paid(split(Split.CLOSER_ALL)) == {ZHAO: Decimal(100)}
    assert paid(split(Split.OWNER_ALL)) == {LI: Decimal(100)}


def test_a7_13_grab_cancels_the_grabbers_share_and_the_owner_keeps_80() -> None:
    s = split(Split.GRAB)
    assert paid(s) == {LI: Decimal(80)}
    assert (s.paid_percent, s.cancelled_percent) == (Decimal(80), Decimal(20))
    assert s.percent_of(ZHAO) == 0 and "取消" in s.explanation_zh


def test_a1_6_negotiated_records_all_on_the_closer() -> None:
    s = split(Split.NEGOTIATED)
    assert s.negotiated and paid(s) == {ZHAO: Decimal(100)}


def test_a7_7_and_a7_18_department_and_group_buy_shares() -> None:
    assert paid(split(Split.DEPARTMENT, owner=SALES_DEPARTMENT)) == {
        "sales_department": Decimal(100)
    }
    assert paid(split(Split.GROUP_BUY, owner=GROUP_BUY)) == {"group_buy": Decimal(100)}
    assert split(Split.GROUP_BUY, owner=GROUP_BUY).procedures_by == ZHAO


@pytest.mark.parametrize("mode", list(Split))
def test_every_split_adds_up_to_100_minus_cancelled(mode: Split) -> None:
    s = split(mode)
    assert s.paid_percent + s.cancelled_percent == 100
    assert all(x.percent >= 0 for x in s.shares)


def test_check_shares_refuses_shares_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="100%"):
        check_shares([Share(Owner.of(LI), ShareRole.SOLE, Decimal(99))])
    with pytest.raises(ValueError):
        Share(Owner.of(LI), ShareRole.SOLE, Decimal(-1))


def test_an_owner_is_exactly_one_salesperson_or_a_department() -> None:
    with pytest.raises(ValueError):
        Owner.of("")
    assert Owner.of(LI).label_zh(NAMES) == "李明"
    assert SALES_DEPARTMENT.label_zh() == "销售部（公共资源）"
