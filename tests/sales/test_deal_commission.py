"""The commission ledger (业绩台账): ``commission_sync`` writes a decision's deal shares, reverses
earlier decisions' lines, and is idempotent; shares always add up to 100% minus cancelled."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.sales import rules
from kehu.sales.deal_errors import DealErrorCode
from kehu.sales.deal_services import commission_sync, month_of, share_amount
from kehu.sales.models.deal import CommissionEntry, Deal
from kehu.sales.models.reception import DecisionOutcome

from .test_deal_support import closed_deal, decision_with, registered_visit


def live_percent(deal: Deal) -> Decimal:
    """Net paid percent of a deal: every non-cancelled row, reversals included."""
    rows = CommissionEntry.objects.filter(deal=deal, cancelled=False)
    return sum((e.percent for e in rows), Decimal(0))


def live_amount(deal: Deal) -> Decimal:
    return sum((e.amount for e in CommissionEntry.objects.filter(deal=deal)), Decimal(0))


def test_a7_16_within_days_even_split_lines_with_amounts_in_the_local_month(
    east: Company, li: Staff, zhao: Staff
) -> None:
    # given 赵强 closed a 1,234,567.89 yuan deal at 01:30 on 1 Dec in Shanghai (30 Nov UTC)
    visit = registered_visit(zhao, at=dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC))
    deal = closed_deal(visit, price="1234567.89")
    deal.closed_at = dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC)
    deal.save(update_fields=["closed_at"])
    # and the decision split it 50/50 with 李明, the original receiver (A7.16, found within 3 days)
    decision = decision_with(deal, owner=li, split=rules.Split.EVEN, rule_ids=("A7.16",))
    # when the ledger is synced
    lines = commission_sync(actor=zhao, decision=decision)
    # then two lines, 50% each, amounts half up to the cent, in December (local month)
    by_person = {e.salesperson_id: e for e in lines}
    assert set(by_person) == {li.pk, zhao.pk}
    assert by_person[zhao.pk].percent == Decimal("50") == by_person[li.pk].percent
    assert by_person[zhao.pk].amount == Decimal("617283.95")  # 617283.945 rounds up
    assert all(e.month == dt.date(2026, 12, 1) for e in lines)
    assert all("A7.16" in e.rule_ids and e.decision_id == decision.pk for e in lines)
    # and the sync is a ledger entry that verifies
    assert LedgerEntry.objects.filter(stream="deals", kind="commission.sync").count() == 1
    assert ledger_verify(company=east).ok


def test_commission_sync_is_idempotent_for_the_same_decision(li: Staff) -> None:
    # given a synced decision
    deal = closed_deal(registered_visit(li))
    decision = decision_with(deal, owner=li, split=rules.Split.CLOSER_ALL)
    first = commission_sync(actor=li, decision=decision)
    # when it is synced again
    again = commission_sync(actor=li, decision=decision)
    # then nothing new is written and the same lines come back
    assert [e.pk for e in again] == [e.pk for e in first]
    assert CommissionEntry.objects.filter(deal=deal).count() == 1
    assert LedgerEntry.objects.filter(stream="deals", kind="commission.sync").count() == 1


def test_a7_13_grab_the_grabbers_share_is_cancelled_with_amount_zero(
    li: Staff, zhao: Staff
) -> None:
    # given 赵强 grabbed 李明's customer and closed the deal (A7.13)
    deal = closed_deal(registered_visit(zhao))
    decision = decision_with(deal, owner=li, split=rules.Split.GRAB, rule_ids=("A7.13",))
    # when the ledger is synced
    lines = commission_sync(actor=zhao, decision=decision)
    # then 李明 keeps 80% and 赵强's 20% is cancelled: on the ledger, paid nothing
    by_person = {e.salesperson_id: e for e in lines}
    assert by_person[li.pk].percent == Decimal("80") and not by_person[li.pk].cancelled
    assert by_person[li.pk].amount == Decimal("800000.00")
    assert by_person[zhao.pk].cancelled and by_person[zhao.pk].amount == Decimal("0.00")
    assert by_person[zhao.pk].percent == Decimal("20")
    assert live_percent(deal) == Decimal("80")


def test_a7_20_a_later_decision_reverses_the_earlier_lines(li: Staff, zhao: Staff) -> None:
    # given the deal was split 20/80 and synced
    deal = closed_deal(registered_visit(zhao))
    first = decision_with(deal, owner=li, split=rules.Split.HELP, rule_ids=("A7.12(3)",))
    commission_sync(actor=zhao, decision=first)
    # when a later decision gives the whole deal to the closer (e.g. a ruling, A7.20)
    second = decision_with(deal, owner=zhao, split=rules.Split.CLOSER_ALL, rule_ids=("A7.20",))
    lines = commission_sync(actor=zhao, decision=second)
    # then each earlier line has a negative twin pointing at it, and 赵强 holds 100%
    reversals = CommissionEntry.objects.filter(deal=deal, reverses__isnull=False)
    assert reversals.count() == 2
    assert all(r.amount == -r.reverses.amount for r in reversals)  # type: ignore[union-attr]
    assert [(e.salesperson_id, e.percent) for e in lines] == [(zhao.pk, Decimal("100"))]
    assert live_percent(deal) == Decimal("100")
    assert live_amount(deal) == deal.price
    # and syncing the older decision again is refused (stale), not re-applied
    with pytest.raises(Exception) as refused:
        commission_sync(actor=zhao, decision=first)
    assert getattr(refused.value, "code", "") == DealErrorCode.COMMISSION_STALE


def test_a7_20_a_pending_decision_writes_nothing(li: Staff) -> None:
    deal = closed_deal(registered_visit(li))
    pending = decision_with(
        deal, owner=li, split=rules.Split.CLOSER_ALL, outcome=DecisionOutcome.PENDING
    )
    assert commission_sync(actor=li, decision=pending) == []
    assert not CommissionEntry.objects.filter(deal=deal).exists()


def test_a7_7_a_public_customers_deal_goes_to_the_sales_department(li: Staff) -> None:
    deal = closed_deal(registered_visit(li))
    decision = decision_with(deal, owner=None, split=rules.Split.DEPARTMENT, rule_ids=("A7.7",))
    (line,) = commission_sync(actor=li, decision=decision)
    assert line.salesperson_id is None and line.party_kind == "sales_department"
    assert line.amount == deal.price


def test_outsider_cannot_sync_another_companys_decision(li: Staff, chen: Staff) -> None:
    deal = closed_deal(registered_visit(li))
    decision = decision_with(deal, owner=li, split=rules.Split.CLOSER_ALL)
    with pytest.raises(Exception) as refused:
        commission_sync(actor=chen, decision=decision)
    assert getattr(refused.value, "code", "") == DealErrorCode.COMMISSION_NO_DEAL
    assert not CommissionEntry.objects.filter(deal=deal).exists()


def test_a1_2_commission_lines_are_append_only(li: Staff) -> None:
    deal = closed_deal(registered_visit(li))
    (line,) = commission_sync(
        actor=li, decision=decision_with(deal, owner=li, split=rules.Split.CLOSER_ALL)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionEntry.objects.filter(pk=line.pk).update(amount=Decimal("1"))


def test_month_of_is_the_local_month_and_amounts_round_half_up() -> None:
    assert month_of(dt.datetime(2026, 1, 31, 16, 0, tzinfo=dt.UTC)) == dt.date(2026, 2, 1)
    assert month_of(dt.datetime(2026, 1, 31, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 1, 1)
    assert share_amount(Decimal("0.05"), Decimal("50")) == Decimal("0.03")


_units = itertools.count(1)
_SPLITS = [
    rules.Split.HELP,
    rules.Split.EVEN,
    rules.Split.GRAB,
    rules.Split.CLOSER_ALL,
    rules.Split.OWNER_ALL,
    rules.Split.NEGOTIATED,
    rules.Split.DEPARTMENT,
    rules.Split.GROUP_BUY,
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    price=st.decimals(
        min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2, allow_nan=False
    ),
    steps=st.lists(
        st.tuples(st.sampled_from(_SPLITS), st.booleans(), st.booleans()), min_size=1, max_size=4
    ),
)
def test_property_shares_add_up_to_100_minus_cancelled_after_any_syncs(
    li: Staff, zhao: Staff, price: Decimal, steps: list[tuple[rules.Split, bool, bool]]
) -> None:
    # given a deal closed by 赵强
    deal = closed_deal(registered_visit(zhao), price=str(price), unit=f"P-{next(_units)}")
    for split, owner_is_li, sync_twice in steps:
        # when any decision is synced (sometimes twice)
        decision = decision_with(deal, owner=li if owner_is_li else zhao, split=split)
        commission_sync(actor=zhao, decision=decision)
        if sync_twice:
            commission_sync(actor=zhao, decision=decision)
        # then the live percents are 100 minus the cancelled part of the latest decision
        shares = decision.shares or {}
        cancelled = Decimal(shares["cancelled_percent"])
        assert live_percent(deal) == Decimal(100) - cancelled
        # and the amounts add up to the price minus the cancelled part, within a cent
        expected = deal.price - share_amount(deal.price, cancelled)
        assert abs(live_amount(deal) - expected) <= Decimal("0.01")
        # and every reversed line is reversed exactly once
        reversed_ids = list(
            CommissionEntry.objects.filter(deal=deal, reverses__isnull=False).values_list(
                "reverses_id", flat=True
            )
        )
        assert len(reversed_ids) == len(set(reversed_ids))
