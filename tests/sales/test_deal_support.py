"""Helpers for the deal tests: a registered visit, a closed deal and hand-made ownership
decisions carrying the engine's own ``DealShares`` (no tests here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kehu.core.customers.models import Customer
from kehu.core.org.models import Staff
from kehu.sales import rules
from kehu.sales.models.deal import Deal
from kehu.sales.models.reception import DecisionOutcome, OwnershipDecision, Visit

CLOSED = dt.datetime(2026, 11, 26, 17, 30, tzinfo=dt.UTC)  # 27 Nov 01:30 in Shanghai


def registered_visit(receiver: Staff, *, name: str = "张客户", at: dt.datetime = CLOSED) -> Visit:
    """A walk-in received and registered by ``receiver`` (rows made directly)."""
    site = receiver.site
    assert site is not None
    customer = Customer.objects.create(
        company_id=receiver.company_id, name=name, owner=receiver, created_by=receiver
    )
    return Visit.objects.create(
        company_id=receiver.company_id,
        site=site,
        arrived_at=at - dt.timedelta(hours=2),
        arrival="walk_in",
        receiver=receiver,
        customer=customer,
        registered_at=at - dt.timedelta(hours=1),
        recorded_by=receiver,
    )


def closed_deal(
    visit: Visit, *, price: str = "1000000.00", unit: str = "1-1801", closer: Staff | None = None
) -> Deal:
    assert visit.customer is not None
    return Deal.objects.create(
        company_id=visit.company_id,
        site_id=visit.site_id,
        customer=visit.customer,
        visit=visit,
        unit=unit,
        price=Decimal(price),
        subscriber=visit.customer.name,
        closer=closer or visit.receiver,
        deposit_paid_at=CLOSED - dt.timedelta(hours=1),
        subscription_signed_at=CLOSED,
        closed_at=CLOSED,
        recorded_by=visit.receiver,
    )


def decision_with(
    deal: Deal,
    *,
    owner: Staff | None,
    split: rules.Split,
    rule_ids: tuple[str, ...] = ("A1.5",),
    outcome: str = DecisionOutcome.DECIDED,
) -> OwnershipDecision:
    """A stored decision of ``deal``'s visit whose shares the engine computes for ``split``."""
    assert deal.visit_id is not None
    engine_deal = rules.Deal(
        id=str(deal.pk),
        closer=str(deal.closer_id),
        deposit_paid_at=deal.deposit_paid_at,
        subscription_signed_at=deal.subscription_signed_at,
        subscriber=deal.subscriber,
    )
    party = rules.Owner.of(str(owner.pk)) if owner is not None else rules.SALES_DEPARTMENT
    shares = rules.deal_shares(
        engine_deal, owner=party, split=split, policy=rules.OwnershipPolicy(), rule_ids=rule_ids
    )
    return OwnershipDecision.objects.create(
        company_id=deal.company_id,
        visit_id=deal.visit_id,
        customer_id=deal.customer_id,
        outcome=outcome,
        owner_after=party.as_json(),
        clause=rule_ids[0],
        rule_ids=list(shares.rule_ids),
        shares=shares.as_json() if outcome == DecisionOutcome.DECIDED else None,
        policy_ref="sales@default",
        explanation_zh=shares.explanation_zh,
        decided_by=deal.closer,
        deal=deal,
    )
