"""Builders for the ownership-engine tests: a sales office with four salespeople (李明, 赵强,
钱芳, 孙磊) and 王经理 the sales manager; times in March 2026 on the office's clock.

The usual story: 李明 registered 张三 on 1 February; on 1 March 张三 walks in, asks for nobody,
and the rotation gives him to 赵强, who registers him at 11:00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from kehu.core.customers.rules import IdentityKey, IdentityMatch
from kehu.sales.rules import (
    Claim,
    ClaimKind,
    Consent,
    Deal,
    OwnershipDecision,
    OwnershipFacts,
    OwnershipPolicy,
    Ruling,
    Visit,
    decide_ownership,
)

TZ = ZoneInfo("Asia/Shanghai")
LI, ZHAO, QIAN, SUN, WANG = "li", "zhao", "qian", "sun", "wang"
NAMES = {LI: "李明", ZHAO: "赵强", QIAN: "钱芳", SUN: "孙磊", WANG: "王经理"}
POLICY = OwnershipPolicy()

PHONE = IdentityMatch(
    keys=(IdentityKey.PHONE,), matched_phones=("+8613800138000",), rule_ids=("A7.4",)
)
PLATE = IdentityMatch(keys=(IdentityKey.CAR_PLATE_SURNAME,), rule_ids=("A7.4",))
NAME_ONLY = IdentityMatch(
    keys=(IdentityKey.FULL_NAME,), needs_confirmation=True, rule_ids=("A7.4", "A7.20")
)
NAME_DECIDES = IdentityMatch(keys=(IdentityKey.FULL_NAME,), rule_ids=("A7.4",))
NO_MATCH = IdentityMatch()

HUNDRED = Decimal(100)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


ARRIVED = at(3, 1, 10)
REGISTERED = at(3, 1, 11)
DURING = at(3, 1, 10, 30)  # while 赵强 is still receiving
NOW = at(4, 30)


def visit(**overrides: Any) -> Visit:
    values: dict[str, Any] = {
        "id": "v1",
        "arrived_at": ARRIVED,
        "receiver": ZHAO,
        "registered_at": REGISTERED,
    }
    values.update(overrides)
    return Visit(**values)


def claim(**overrides: Any) -> Claim:
    values: dict[str, Any] = {
        "id": "c1",
        "kind": ClaimKind.REGISTERED,
        "holder": LI,
        "since": at(2, 1),
        "found_at": at(3, 2),
        "match": PHONE,
    }
    values.update(overrides)
    return Claim(**values)


def deal(closer: str = ZHAO, when: dt.datetime | None = None, **overrides: Any) -> Deal:
    when = when or at(3, 1, 10, 45)
    values: dict[str, Any] = {
        "id": "d1",
        "closer": closer,
        "deposit_paid_at": when,
        "subscription_signed_at": when,
        "subscriber": "张三",
    }
    values.update(overrides)
    return Deal(**values)


def consent(given: bool = True, when: dt.datetime = DURING, holder: str = LI) -> Consent:
    return Consent(holder=holder, receiver=ZHAO, given=given, at=when)


def decide(
    the_visit: Visit,
    *claims: Claim,
    deal: Deal | None = None,
    consents: tuple[Consent, ...] = (),
    rulings: tuple[Ruling, ...] = (),
    now: dt.datetime = NOW,
    policy: OwnershipPolicy = POLICY,
) -> OwnershipDecision:
    facts = OwnershipFacts(
        now=now,
        visit=the_visit,
        claims=claims,
        deal=deal,
        consents=consents,
        rulings=rulings,
    )
    return decide_ownership(facts, policy, NAMES)


def shares_of(decision: OwnershipDecision) -> dict[str, Decimal]:
    """salesperson (or department kind) → paid percent; cancelled shares under 'cancelled'."""
    assert decision.deal is not None
    out: dict[str, Decimal] = {}
    for share in decision.deal.shares:
        key = "cancelled" if share.cancelled else (share.party.salesperson or share.party.kind)
        out[key] = out.get(key, Decimal(0)) + share.percent
    return {k: v for k, v in out.items() if v or k == "cancelled"}
