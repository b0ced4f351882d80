"""Deals (A7.17) and how their performance is shared (业绩分成).

A deal exists once the deposit is paid **and** the subscription agreement is signed; its date
is the later of the two; it belongs to the subscriber named on the agreement (A7.17). Shares of
one deal always add up to 100% minus any cancelled share (Part S): a grab (抢客户, A7.13)
cancels the grabber's share, which is then paid to nobody (reading: the owner keeps 80%).

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kehu.sales.rules.messages import Msg, define, gettext_noop, msg
from kehu.sales.rules.vocabulary import (
    A1_6,
    A7_7,
    A7_13,
    A7_16,
    A7_17,
    A7_18,
    GROUP_BUY,
    SALES_DEPARTMENT,
    Owner,
    OwnershipPolicy,
)
from kehu.sales.rules.windows import require_aware

HUNDRED = Decimal("100")
ZERO = Decimal("0")

define(
    {
        "deal.department": gettext_noop("公共客户为销售部公共资源，成交业绩归销售部"),
        "deal.group_buy": gettext_noop(
            "团购客户业绩不完全归接待的%(closer)s所有，计入团购；"
            "分配团购成交奖金时适度增加%(closer)s的比例"
        ),
        "deal.negotiated": gettext_noop(
            "公司转介客户，业绩记在成交的%(closer)s名下，提成另议（不自动分成）"
        ),
        "deal.closer_all": gettext_noop("成交业绩全部归成交的%(closer)s"),
        "deal.owner_all": gettext_noop("成交业绩全部归%(owner)s，成交的%(closer)s不分成"),
        "deal.help": gettext_noop(
            "二八分成：成交的%(closer)s占%(closer_share)s，%(owner)s占%(owner_share)s"
        ),
        "deal.even": gettext_noop(
            "五五分成：成交的%(closer)s占%(closer_share)s，%(owner)s占%(owner_share)s"
        ),
        "deal.grab_own": gettext_noop("成交由%(owner)s本人完成，业绩全部归%(owner)s"),
        "deal.grab": gettext_noop(
            "抢客户：取消%(closer)s该成交客户的佣金（%(closer_share)s不予发放），"
            "%(owner)s保留%(owner_share)s"
        ),
        "deal.procedures": gettext_noop("%(shares)s；成交后该客户的其它手续由%(by)s办理"),
    }
)


@dataclass(frozen=True)
class Deal:
    """A deal as the rules see it (A7.17)."""

    id: str
    closer: str  # the salesperson who closed it (接待成交的售楼员)
    deposit_paid_at: dt.datetime | None = None
    subscription_signed_at: dt.datetime | None = None
    subscriber: str = ""  # 认购方: the deal customer; a later transfer does not change it

    def __post_init__(self) -> None:
        if not self.closer:
            raise ValueError("a deal names its closer")
        for moment in (self.deposit_paid_at, self.subscription_signed_at):
            if moment is not None:
                require_aware(moment, "deal times")

    @property
    def closed_at(self) -> dt.datetime | None:
        """When it became a deal: deposit paid and subscription signed, the later of the two."""
        if self.deposit_paid_at is None or self.subscription_signed_at is None:
            return None
        return max(self.deposit_paid_at, self.subscription_signed_at)


class ShareRole(StrEnum):
    CLOSER = "closer"  # 成交的售楼员
    OWNER = "owner"  # 原售楼员 / 归属售楼员
    SOLE = "sole"  # 全部业绩
    DEPARTMENT = "department"  # 销售部公共资源
    GROUP_BUY = "group_buy"  # 团购


SHARE_ROLE_LABELS: dict[ShareRole, str] = {
    ShareRole.CLOSER: "成交售楼员",
    ShareRole.OWNER: "归属售楼员",
    ShareRole.SOLE: "全部业绩",
    ShareRole.DEPARTMENT: "销售部",
    ShareRole.GROUP_BUY: "团购",
}


@dataclass(frozen=True)
class Share:
    party: Owner
    role: ShareRole
    percent: Decimal
    cancelled: bool = False  # 取消（抢客户）: not paid to anyone

    def __post_init__(self) -> None:
        if not ZERO <= self.percent <= HUNDRED:
            raise ValueError("a share lies between 0% and 100%")

    def as_json(self) -> dict[str, object]:
        return {
            "party": self.party.as_json(),
            "role": self.role.value,
            "percent": str(self.percent),
            "cancelled": self.cancelled,
        }


class Split(StrEnum):
    """How a decision shares a deal (the modes the clauses name)."""

    HELP = "help"  # closer 20 / owner 80 (A7.9(1)(2), A7.12(3), A7.13); all to the owner if closer
    OWNER_ALL = "owner_all"  # all to the owner, whoever closed (transfer reading)
    CLOSER_ALL = "closer_all"  # all to the closer (A7.16 after the days; a new customer's deal)
    EVEN = "even"  # A7.16 found within the days: closer 50 / owner 50
    GRAB = "grab"  # A7.13 抢客户: the owner keeps 80, the closer's 20 is cancelled
    NEGOTIATED = "negotiated"  # A1.6 另议: no automatic split, all recorded on the closer
    DEPARTMENT = "department"  # A7.7
    GROUP_BUY = "group_buy"  # A7.18


@dataclass(frozen=True)
class DealShares:
    """Who gets which part of one deal's performance, and who does the remaining procedures."""

    deal_id: str
    closer: str
    subscriber: str
    closed_at: dt.datetime
    shares: tuple[Share, ...]
    procedures_by: str  # 成交后其它手续由谁办理
    negotiated: bool  # A1.6 提成另议
    rule_ids: tuple[str, ...]
    explanation_zh: str
    explanation: Msg | None = None  # explanation_zh as a message

    def __post_init__(self) -> None:
        check_shares(self.shares)

    @property
    def paid_percent(self) -> Decimal:
        return sum((s.percent for s in self.shares if not s.cancelled), ZERO)

    @property
    def cancelled_percent(self) -> Decimal:
        return sum((s.percent for s in self.shares if s.cancelled), ZERO)

    def percent_of(self, salesperson: str) -> Decimal:
        """The paid share of one salesperson (0 when they have none or it was cancelled)."""
        return sum(
            (
                s.percent
                for s in self.shares
                if not s.cancelled and s.party == Owner.of(salesperson)
            ),
            ZERO,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "deal_id": self.deal_id,
            "closer": self.closer,
            "subscriber": self.subscriber,
            "closed_at": self.closed_at.isoformat(),
            "shares": [s.as_json() for s in self.shares],
            "paid_percent": str(self.paid_percent),
            "cancelled_percent": str(self.cancelled_percent),
            "procedures_by": self.procedures_by,
            "negotiated": self.negotiated,
            "rule_ids": list(self.rule_ids),
            "explanation_zh": self.explanation_zh,
        }


def check_shares(shares: Iterable[Share]) -> None:
    """Shares of one deal: none negative, and paid + cancelled = 100% exactly."""
    shares = tuple(shares)
    if not shares:
        raise ValueError("a deal has at least one share")
    total = sum((s.percent for s in shares), ZERO)
    if total != HUNDRED:
        raise ValueError(f"shares of a deal add up to 100% (paid + cancelled), not {total}%")


def _pct(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"{text}%"


def deal_shares(
    deal: Deal,
    *,
    owner: Owner,
    split: Split,
    policy: OwnershipPolicy,
    rule_ids: tuple[str, ...],
    procedures_by: str | None = None,
    names: Mapping[str, str] | None = None,
) -> DealShares:
    """Share ``deal`` between its closer and ``owner`` the way ``split`` says."""
    closed_at = deal.closed_at
    if closed_at is None:
        raise ValueError("not a deal yet (A7.17): deposit and subscription are both needed")
    names = names or {}
    closer = Owner.of(deal.closer)
    c_name = names.get(deal.closer, deal.closer)
    o_name = owner.label(names)
    extra: tuple[str, ...] = ()
    negotiated = False
    shares: tuple[Share, ...]
    if split == Split.DEPARTMENT:
        shares = (Share(SALES_DEPARTMENT, ShareRole.DEPARTMENT, HUNDRED),)
        text = msg("deal.department")
        extra = (A7_7,)
    elif split == Split.GROUP_BUY:
        shares = (Share(GROUP_BUY, ShareRole.GROUP_BUY, HUNDRED),)
        text = msg("deal.group_buy", closer=c_name)
        extra = (A7_18,)
    elif split == Split.NEGOTIATED:
        shares = (Share(closer, ShareRole.SOLE, HUNDRED),)
        negotiated = True
        text = msg("deal.negotiated", closer=c_name)
        extra = (A1_6,)
    elif split == Split.CLOSER_ALL or (owner == closer and split != Split.GRAB):
        shares = (Share(closer, ShareRole.SOLE, HUNDRED),)
        text = msg("deal.closer_all", closer=c_name)
    elif split == Split.OWNER_ALL:
        shares = (Share(owner, ShareRole.SOLE, HUNDRED), Share(closer, ShareRole.CLOSER, ZERO))
        text = msg("deal.owner_all", owner=o_name, closer=c_name)
    elif split == Split.HELP:
        c_pct = policy.help_closer_percent
        shares = (
            Share(closer, ShareRole.CLOSER, c_pct),
            Share(owner, ShareRole.OWNER, HUNDRED - c_pct),
        )
        text = msg(
            "deal.help",
            closer=c_name,
            closer_share=_pct(c_pct),
            owner=o_name,
            owner_share=_pct(HUNDRED - c_pct),
        )
    elif split == Split.EVEN:
        c_pct = policy.unknowing_closer_percent
        shares = (
            Share(closer, ShareRole.CLOSER, c_pct),
            Share(owner, ShareRole.OWNER, HUNDRED - c_pct),
        )
        text = msg(
            "deal.even",
            closer=c_name,
            closer_share=_pct(c_pct),
            owner=o_name,
            owner_share=_pct(HUNDRED - c_pct),
        )
        extra = (A7_16,)
    elif split == Split.GRAB:
        if owner == closer:
            shares = (Share(owner, ShareRole.SOLE, HUNDRED),)
            text = msg("deal.grab_own", owner=o_name)
        else:
            c_pct = policy.help_closer_percent
            shares = (
                Share(owner, ShareRole.OWNER, HUNDRED - c_pct),
                Share(closer, ShareRole.CLOSER, c_pct, cancelled=True),
            )
            text = msg(
                "deal.grab",
                closer=c_name,
                closer_share=_pct(c_pct),
                owner=o_name,
                owner_share=_pct(HUNDRED - c_pct),
            )
        extra = (A7_13,)
    else:  # pragma: no cover - every Split is handled above
        raise ValueError(f"unknown split {split}")
    if procedures_by is None:
        procedures_by = owner.salesperson if owner.is_salesperson else deal.closer
    p_name = names.get(procedures_by, procedures_by)
    text = msg("deal.procedures", shares=text, by=p_name)
    return DealShares(
        deal_id=deal.id,
        closer=deal.closer,
        subscriber=deal.subscriber,
        closed_at=closed_at,
        shares=shares,
        procedures_by=procedures_by,
        negotiated=negotiated,
        rule_ids=tuple(dict.fromkeys((*rule_ids, *extra, A7_17))),
        explanation_zh=text.zh,
        explanation=text,
    )
