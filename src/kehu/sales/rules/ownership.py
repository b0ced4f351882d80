"""Ownership (业绩归属), decided per visit: facts in, one ``OwnershipDecision`` out.

Rulebook Part S, "Ownership — decided per visit", and the seed's 第1篇 5–6, 第2篇 8/12,
第5篇 12 and 第7篇 1–20. No Django, no I/O, no clock: the caller passes what is known about
the visit and the customer as of ``facts.now`` and the policy in force, and gets back the owner
before and after, the clause that decided, each receiver's turn, the deal's shares, flags, a
fine proposal for a grab, a Chinese explanation and every rule ID involved. The explanation is
also kept as a message (``explanation``: a key and its parameters, see ``messages``) that
``kehu.sales.labels.explanation`` renders in English; the Chinese is that message in Chinese.

Evaluation (the first rule that applies decides):

0. a recorded A7.20 ruling that awards the customer overrides everything and cites A7.20;
1. **A7.7** public customer · **A7.18** group buy · **A1.6** company referral (by how the
   visitor came; identity does not matter to them);
2. an unconfirmed full-name-only match (A7.4 reading) or two claimants registered at the same
   moment → **A7.20**: the sales manager's queue; the decision the rules would give without
   the unconfirmed match is recorded as provisional, never applied silently;
3. **A7.12** phone customer · **A7.9** referral by an old customer / asked for someone ·
   **A7.10** pre-registered referral — these concern new customers (first visit);
4. **A7.13** someone else's customer found during the reception (or known all along) ·
   **A7.14** family or batch · **A7.15** unknowing reception, no deal · **A7.16** unknowing
   reception with a deal;
5. **A1.5** the first registration wins (also: a plain new customer, and one's own customer).

Facts the rules take as given (decided elsewhere): identity matching (the kernel's
``identity_match`` result per claim), who received and helped, when the conflict was found,
whether the owner was on site and reachable, consent, the deal's dates. See docs/sales-rules.md
for each clause's inputs and outputs, the readings and a worked example per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kehu.core.customers.rules import IDENTITY_KEY_LABELS_ZH, IdentityMatch
from kehu.sales.rules.commission import (
    Deal,
    DealShares,
    Share,
    ShareRole,
    Split,
    check_shares,
    deal_shares,
)
from kehu.sales.rules.messages import (
    RULES_CONTEXT,
    Moment,
    Msg,
    Param,
    Term,
    define,
    gettext_noop,
    msg,
    pgettext,
    seq,
    terms,
    terms_in,
)
from kehu.sales.rules.turns import (
    MakeupCause,
    TurnEffect,
    helper_turn,
    receiver_turn,
)
from kehu.sales.rules.vocabulary import (
    A1_3,
    A1_5,
    A1_6,
    A2_6,
    A2_8,
    A2_12,
    A5_12,
    A7_1,
    A7_4,
    A7_6,
    A7_7,
    A7_9,
    A7_9_1,
    A7_9_2,
    A7_9_3,
    A7_10,
    A7_11,
    A7_12,
    A7_12_1,
    A7_12_2,
    A7_12_3,
    A7_13,
    A7_14,
    A7_15,
    A7_16,
    A7_17,
    A7_18,
    A7_20,
    GROUP_BUY,
    SALES_DEPARTMENT,
    Owner,
    OwnershipPolicy,
    ProtectionAnchor,
    TransferDealSplit,
)
from kehu.sales.rules.windows import (
    LOCAL_TZ,
    WindowCheck,
    local_day,
    require_aware,
    window_check,
)

# --- facts --------------------------------------------------------------------------------------


class Arrival(StrEnum):
    """How the visitor came, as the front desk records it (A7.6, A7.9, A7.12, A7.18, A1.6)."""

    WALK_IN = "walk_in"  # 未主动找售楼员：按轮排接待
    ASKED_FOR = "asked_for"  # 主动找某售楼员（named）
    PHONE_CUSTOMER = "phone_customer"  # 来电客户，主动找接听电话的售楼员（named）
    WITH_OLD_CUSTOMER = "with_old_customer"  # 老客户带来，named = 老客户的原售楼员
    PUBLIC = "public"  # 公共客户 a–d（public_kind）
    GROUP_BUY = "group_buy"  # 团购客户
    COMPANY_REFERRAL = "company_referral"  # 公司转介，named = 项目经理安排的售楼员


ARRIVAL_LABELS: dict[Arrival, str] = {
    Arrival.WALK_IN: gettext_noop("未点名（按轮排）"),
    Arrival.ASKED_FOR: gettext_noop("主动找某售楼员"),
    Arrival.PHONE_CUSTOMER: gettext_noop("来电客户，找接听电话的售楼员"),
    Arrival.WITH_OLD_CUSTOMER: gettext_noop("老客户带来的新客户"),
    Arrival.PUBLIC: gettext_noop("公共客户"),
    Arrival.GROUP_BUY: gettext_noop("团购客户"),
    Arrival.COMPANY_REFERRAL: gettext_noop("公司转介客户"),
}

# Receptions the rotation board takes a turn for at arrival (see turns.py).
_NAMED_ARRIVALS = (Arrival.ASKED_FOR, Arrival.PHONE_CUSTOMER, Arrival.WITH_OLD_CUSTOMER)


class PublicKind(StrEnum):
    """A7.6 公共客户 a–d."""

    PEER = "a"  # 同行且其他同事知情
    DEVELOPER_GUEST = "b"  # 甲方领导引领单纯参观（派名片则属于轮排接待）
    AGENCY_GUEST = "c"  # 乙方营销部领导引领或事先说明情况的特殊客户
    SOLICITOR = "d"  # 单纯拉业务而无购房意向，客户主动说明


PUBLIC_KIND_LABELS: dict[PublicKind, str] = {
    PublicKind.PEER: gettext_noop("a. 明确自己是同行且其他同事知情"),
    PublicKind.DEVELOPER_GUEST: gettext_noop("b. 甲方领导引领单纯参观"),
    PublicKind.AGENCY_GUEST: gettext_noop("c. 乙方营销部领导引领或事先说明情况的特殊客户"),
    PublicKind.SOLICITOR: gettext_noop("d. 单纯拉业务而无购房意向"),
}


class ClaimKind(StrEnum):
    """What links the visitor to another (or the same) salesperson."""

    REGISTERED = "registered"  # an earlier registration in the book: an old customer
    PHONE_ENQUIRY = "phone_enquiry"  # the phone-enquiry book (A7.5; not a registration, A1.3)
    PRE_REGISTRATION = "pre_registration"  # an introduction registered before the visit (A7.10)
    FAMILY = "family"  # 一家人 (A7.6, A7.14): holder = first receiver of any member
    BATCH = "batch"  # 一批人 (A7.14): holder = first receiver of any member


CLAIM_KIND_LABELS: dict[ClaimKind, str] = {
    ClaimKind.REGISTERED: pgettext("sales rules", "老客户"),
    ClaimKind.PHONE_ENQUIRY: pgettext("sales rules", "来电客户"),
    ClaimKind.PRE_REGISTRATION: pgettext("sales rules", "预先登记的介绍客户"),
    ClaimKind.FAMILY: pgettext("sales rules", "一家人"),
    ClaimKind.BATCH: pgettext("sales rules", "同一批人"),
}
# What ``Claim.since`` records, per kind.
_SINCE_VERBS: dict[ClaimKind, str] = {
    ClaimKind.REGISTERED: pgettext("sales rules", "登记"),
    ClaimKind.PHONE_ENQUIRY: pgettext("sales rules", "来电"),
    ClaimKind.PRE_REGISTRATION: pgettext("sales rules", "预先登记"),
    ClaimKind.FAMILY: pgettext("sales rules", "首次接待"),
    ClaimKind.BATCH: pgettext("sales rules", "首次接待"),
}

terms_in(RULES_CONTEXT, [*CLAIM_KIND_LABELS.values(), *_SINCE_VERBS.values()])
terms(
    [
        *ARRIVAL_LABELS.values(),
        *PUBLIC_KIND_LABELS.values(),
        *IDENTITY_KEY_LABELS_ZH.values(),
    ]
)

_OLD_CUSTOMER_KINDS = (ClaimKind.REGISTERED, ClaimKind.FAMILY, ClaimKind.BATCH)
_OWN_MAKEUP_KINDS = (*_OLD_CUSTOMER_KINDS, ClaimKind.PHONE_ENQUIRY)


class Handling(StrEnum):
    """What the receiver did once they knew the customer was someone else's (A7.13)."""

    HANDED_BACK = "handed_back"  # 主动交回给原售楼员
    CONTINUED = "continued"  # 继续接待


@dataclass(frozen=True)
class Visit:
    """One visit to the sales office and its reception."""

    id: str
    arrived_at: dt.datetime
    receiver: str  # the salesperson who received (staff id as text)
    arrival: Arrival = Arrival.WALK_IN
    # ASKED_FOR / PHONE_CUSTOMER: the salesperson asked for; WITH_OLD_CUSTOMER: the old
    # customer's original salesperson; COMPANY_REFERRAL: the salesperson the PM assigned.
    named: str | None = None
    named_present: bool = True  # the named salesperson was on site to receive
    helpers: tuple[str, ...] = ()  # salespeople who received alongside the receiver
    public_kind: PublicKind | None = None
    business_card_given: bool = False  # A7.6(b): a card handed out → rotation applies
    found_public_at: dt.datetime | None = None  # A7.7: established as public only afterwards
    # Reception complete and registered (A7.15 完成接待（客户登记完毕）); A7.10's days start here.
    registered_at: dt.datetime | None = None
    came_for: str | None = None  # A7.9(3): the customer said they came for this salesperson
    came_for_said_at: dt.datetime | None = None  # when (default: at arrival)
    handling: Handling | None = None  # A7.13: handed back, or continued
    receiver_knew: bool = False  # the receiver knew it was someone else's customer (not A7.15/16)

    def __post_init__(self) -> None:
        if not self.receiver:
            raise ValueError("a visit names its receiver")
        for name in ("arrived_at", "found_public_at", "registered_at", "came_for_said_at"):
            moment = getattr(self, name)
            if moment is not None:
                require_aware(moment, name)
        if self.arrival in _NAMED_ARRIVALS and not self.named:
            raise ValueError(f"a visit that came as {self.arrival} names the salesperson")
        if self.arrival == Arrival.PUBLIC and self.public_kind is None:
            raise ValueError("a public customer's kind (A7.6 a–d) is needed")
        if self.found_public_at is not None and self.public_kind is None:
            raise ValueError("a customer found public afterwards needs the kind (A7.6 a–d)")
        if self.receiver in self.helpers:
            raise ValueError("the receiver is not their own helper")


@dataclass(frozen=True)
class Claim:
    """A salesperson's earlier hold on the visitor, found at ``found_at`` (撞单).

    ``since``: the original registration with the holder (REGISTERED), the call (PHONE_ENQUIRY),
    the pre-registration (PRE_REGISTRATION), or the first reception of any member (FAMILY/BATCH,
    A7.14: "第一时间（不一定属于第一登记）接待"). ``match``: the kernel's A7.4 result comparing the
    visit with the claim's record (FAMILY/BATCH claims are links, not key matches).
    """

    id: str
    kind: ClaimKind
    holder: str
    since: dt.datetime
    found_at: dt.datetime
    found_by: str | None = None
    match: IdentityMatch = field(default_factory=IdentityMatch)
    last_holder_visit_at: dt.datetime | None = None  # for the last_owner_visit anchor
    deal_at: dt.datetime | None = None  # an earlier deal of the customer or family (A7.14)
    holder_on_site: bool = True  # A7.13: 原售楼员在现场
    holder_reachable: bool = True  # A7.13: 可以联络
    public: bool = False  # the earlier record is a public customer (sales department, A7.7)

    def __post_init__(self) -> None:
        if not self.holder:
            raise ValueError("a claim names its holder")
        for name in ("since", "found_at", "last_holder_visit_at", "deal_at"):
            moment = getattr(self, name)
            if moment is not None:
                require_aware(moment, name)


@dataclass(frozen=True)
class Consent:
    """The holder's answer to the receiver's request to continue (A2.8, A7.13)."""

    holder: str
    receiver: str
    given: bool
    at: dt.datetime

    def __post_init__(self) -> None:
        require_aware(self.at, "consent time")


class RulingKind(StrEnum):
    SAME_CUSTOMER = "same_customer"  # a full-name-only match confirmed (A7.4 reading, A7.20)
    DIFFERENT_CUSTOMER = "different_customer"  # …or rejected
    AWARD = "award"  # the sales manager awards the customer (and the deal's shares)


@dataclass(frozen=True)
class Ruling:
    """A recorded ruling of the sales manager (A7.20): final, with its reason."""

    kind: RulingKind
    ruled_at: dt.datetime
    ruled_by: str
    reason: str
    claim_id: str | None = None  # SAME/DIFFERENT: the claim (None: every pending claim)
    owner: Owner | None = None  # AWARD
    shares: tuple[Share, ...] = ()  # AWARD, optional (default: all to the owner)

    def __post_init__(self) -> None:
        require_aware(self.ruled_at, "ruling time")
        if not self.reason.strip():
            raise ValueError("a ruling states its reason (A7.20)")
        if self.kind == RulingKind.AWARD and self.owner is None:
            raise ValueError("an award names the owner")
        if self.shares:
            check_shares(self.shares)


@dataclass(frozen=True)
class OwnershipFacts:
    """Everything known about one visit as of ``now``; later facts are ignored."""

    now: dt.datetime
    visit: Visit
    claims: tuple[Claim, ...] = ()
    deal: Deal | None = None
    consents: tuple[Consent, ...] = ()
    rulings: tuple[Ruling, ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.now, "now")
        if self.visit.arrived_at > self.now:
            raise ValueError("the visit has not happened yet at `now`")
        ids = [c.id for c in self.claims]
        if len(set(ids)) != len(ids):
            raise ValueError("claim ids must be unique")


# --- the decision -------------------------------------------------------------------------------


class Outcome(StrEnum):
    DECIDED = "decided"
    NEEDS_RULING = "needs_ruling"  # on the sales manager's queue (A7.20); owner is provisional


class Flag(StrEnum):
    PERFORMANCE_TO_DEPARTMENT = "performance_to_department"  # A7.7
    GROUP_BUY_WEIGHT = "group_buy_weight"  # A7.18
    COMMISSION_NEGOTIATED = "commission_negotiated"  # A1.6 另议
    GRAB = "grab"  # A7.13 抢客户
    COMMISSION_CANCELLED = "commission_cancelled"  # A7.13
    NEW_CUSTOMER = "new_customer"  # a window ran out: counted as a new customer
    ASKED_DURING_RECEPTION = "asked_during_reception"  # A7.11 conduct report
    NOT_A_DEAL_YET = "not_a_deal_yet"  # A7.17: deposit or subscription missing
    RULING = "ruling"  # an A7.20 ruling decided or settled identity


FLAG_LABELS: dict[Flag, str] = {
    Flag.PERFORMANCE_TO_DEPARTMENT: gettext_noop("业绩归销售部"),
    Flag.GROUP_BUY_WEIGHT: gettext_noop("团购奖金加权"),
    Flag.COMMISSION_NEGOTIATED: gettext_noop("提成另议"),
    Flag.GRAB: gettext_noop("抢客户"),
    Flag.COMMISSION_CANCELLED: gettext_noop("取消佣金"),
    Flag.NEW_CUSTOMER: gettext_noop("按新客户处理"),
    Flag.ASKED_DURING_RECEPTION: gettext_noop("接待中有同事上前询问（A7.11）"),
    Flag.NOT_A_DEAL_YET: gettext_noop("尚未成交"),
    Flag.RULING: gettext_noop("销售经理裁定"),
}


terms(FLAG_LABELS.values())

# The engine's sentences (each rule's answer, the notes, the turn and deal lines are composed
# of these; labels and fixed phrases are ``Term``\ s).
define(
    {
        "own.explanation": gettext_noop("%(sentences)s。"),
        "own.decided": gettext_noop("%(text)s（%(clause)s）"),
        "own.deal": gettext_noop("成交（%(deal)s）：%(shares)s"),
        "own.needs_ruling": gettext_noop(
            "%(unsettled)s。裁定前暂按%(clause)s：归%(owner)s。%(decision)s"
        ),
        "own.pending": gettext_noop(
            "与%(claims)s仅客户全名相同，须销售经理确认是否同一客户（A7.4、A7.20），不自动认定"
        ),
        "own.tied": gettext_noop(
            "%(who)s的登记时间相同，无法按“以先登记者为准”判定（A1.5），须销售经理裁定"
        ),
        "own.claim": gettext_noop("%(holder)s的%(kind)s（%(since)s%(verb)s%(by)s）"),
        "own.claim.by_keys": gettext_noop("，依据%(keys)s相同"),
        "own.note.not_a_deal": gettext_noop(
            "尚未成交：成交须客户已交定金且签订认购书（A7.17），暂不计算业绩分成"
        ),
        "own.note.prereg_late": gettext_noop(
            "%(holder)s的介绍登记晚于本次来访，不是来访前的预先登记，不予考虑"
        ),
        "own.note.not_matched": gettext_noop(
            "%(holder)s的%(kind)s与本次登记的客户全名、联系电话、车辆品牌+车牌+姓均不相符，"
            "不是同一客户"
        ),
        "own.note.ruled_different": gettext_noop(
            "销售经理裁定：与%(holder)s的登记仅全名相同，不是同一客户（%(reason)s）"
        ),
        "own.note.ruled_same": gettext_noop(
            "销售经理裁定：与%(holder)s的登记为同一客户（%(reason)s）"
        ),
        "own.note.card_given": gettext_noop(
            "甲方领导引领参观的客户，已派名片，属于轮排接待，不按公共客户处理（A7.6 b）"
        ),
        "own.note.came_for_late": gettext_noop(
            "客户在首次来访的接待过程结束后才说明找%(name)s，不适用A7.9(3)"
        ),
        "own.note.asked_during": gettext_noop(
            "接待过程中有同事主动上前询问是否为自己的来电或介绍客户，违反A7.11，另行记录"
        ),
        "own.a7_7": gettext_noop(
            "%(when)s为公共客户（A7.6 %(kind)s）：公共客户为销售部公共资源，不属于第一接待的售楼员"
        ),
        "own.a7_18": gettext_noop(
            "与开发商或营销部直接联系的团购客户，由当值售楼员按顺序接待；业绩不完全归其所有，"
            "分配团购成交奖金时适度增加%(receiver)s的比例（权重%(weight)s）"
        ),
        "own.a1_6": gettext_noop("公司转介的客户，由项目经理安排%(name)s接待；成交提成另议"),
        "own.a7_12.known": gettext_noop("来电客户主动找%(name)s且其在场"),
        "own.a7_12.present": gettext_noop("来电客户来访主动找%(name)s，%(name)s在场，由其接待"),
        "own.a7_12.absent": gettext_noop(
            "来电客户来访主动找%(name)s，%(name)s不在，当值的%(receiver)s帮忙接待，事后归还%(name)s"
        ),
        "own.a7_12.after": gettext_noop(
            "来电客户来访未主动找售楼员，按轮排由%(receiver)s接待；"
            "完成接待后（%(found)s）才查出是%(claim)s，以电话服从接待，客户归%(receiver)s"
        ),
        "own.a7_9.how_old": gettext_noop("老客户带新客户来访，老客户的原售楼员是%(name)s"),
        "own.a7_9.how_asked": gettext_noop("新客户来访主动找%(name)s"),
        "own.a7_9.known": gettext_noop("%(how)s，且%(name)s在场"),
        "own.a7_9.present": gettext_noop("%(how)s，%(name)s在场，由其接待，客户归%(name)s"),
        "own.a7_9.absent": gettext_noop(
            "%(how)s，%(name)s不在，由%(receiver)s帮忙接待，事后归还%(name)s"
        ),
        "own.a7_9_3": gettext_noop(
            "新客户未说明找某售楼员，按轮排由%(receiver)s接待；在第一次来访的接待过程中"
            "（%(said)s）说明是来找%(name)s的，新客户归%(name)s"
        ),
        "own.a7_10.pre": gettext_noop("%(holder)s为其客户介绍的人作了预先登记（%(since)s）"),
        "own.a7_10.match": gettext_noop(
            "%(pre)s；客户来访未主动找售楼员，按轮排由%(receiver)s接待；%(days)s"
            "（有效期内），按登记制度（A7.4）核实%(claim)s相符，移交%(holder)s"
        ),
        "own.a7_10.mismatch": gettext_noop(
            "%(days)s（有效期内），但按登记制度（A7.4）核实与预先登记不符"
        ),
        "own.a7_10.late": gettext_noop("%(days)s，已过有效期"),
        "own.a7_10.keep": gettext_noop(
            "%(pre)s；客户来访未主动找售楼员，按轮排由%(receiver)s接待；%(why)s，"
            "仍按轮排接待归%(receiver)s"
        ),
        "own.a7_13.knew": gettext_noop("%(receiver)s接待时即知道是%(claim)s"),
        "own.a7_13.during": gettext_noop("接待过程中（%(found)s）%(by)s发现接待的是%(claim)s"),
        "own.a7_13.by": gettext_noop("由%(name)s"),
        "own.a7_13.after": gettext_noop(
            "接待完成后（%(found)s）已查出是%(claim)s，其后%(receiver)s仍与客户成交"
        ),
        "own.a7_13.handed": gettext_noop(
            "%(known)s；%(receiver)s已主动交回给%(holder)s，客户归%(holder)s"
        ),
        "own.a7_13.hand_back": gettext_noop(
            "%(known)s；客户归%(holder)s，%(receiver)s应主动交回，或经%(holder)s同意方可继续接待"
        ),
        "own.a7_13.consent": gettext_noop(
            "%(known)s；经%(holder)s同意（%(at)s），%(receiver)s继续接待，客户仍归%(holder)s"
        ),
        "own.a7_13.away": gettext_noop(
            "%(known)s；%(holder)s%(where)s，%(receiver)s暂时帮忙接待，客户仍归%(holder)s"
        ),
        "own.a7_13.refused": gettext_noop("%(holder)s不同意（%(at)s）"),
        "own.a7_13.reachable": gettext_noop("%(holder)s在现场可以联络"),
        "own.a7_13.fine": gettext_noop(
            "%(receiver)s未交回%(holder)s的客户，也未经其同意继续接待（抢客户），"
            "罚款%(min)s–%(max)s元，由销售经理在范围内确定"
        ),
        "own.a7_13.grab": gettext_noop(
            "%(known)s；%(who_said)s，%(receiver)s未交回也未经同意继续接待，视为抢客户："
            "客户归%(holder)s，提请罚款%(min)s–%(max)s元"
        ),
        "own.a7_13.grab_deal": gettext_noop(
            "%(known)s；%(who_said)s，%(receiver)s未交回也未经同意继续接待，视为抢客户："
            "客户归%(holder)s，取消该成交客户的佣金，提请罚款%(min)s–%(max)s元"
        ),
        "own.a7_14.first": gettext_noop(
            "%(kind)s以第一时间接待为准（不一定是第一登记）："
            "%(holder)s于%(since)s最先接待；%(window)s，客户归%(holder)s"
        ),
        "own.a7_14.expired": gettext_noop(
            "%(claim)s：%(window)s，按新客户处理，归接待的%(receiver)s"
        ),
        "own.a7_15.owner": gettext_noop(
            "%(receiver)s确实不知客户已被接待过；接待完成、登记完毕后"
            "（%(found)s）查出是%(claim)s；%(window)s，不是新客户，仍归%(holder)s"
        ),
        "own.a7_15.new": gettext_noop("%(claim)s：%(window)s，视为新客户，归接待的%(receiver)s"),
        "own.a7_16.lead": gettext_noop(
            "%(receiver)s确实不知客户已被接待过，接待并成交（%(closed)s）后才查出是%(claim)s"
        ),
        "own.a7_16.new": gettext_noop(
            "%(lead)s；%(window)s，视为新客户成交，原始接待员%(holder)s不参与提成"
        ),
        "own.a7_16.within": gettext_noop(
            "%(lead)s；%(window)s（三天内发现），成交五五分成，客户仍归%(holder)s"
        ),
        "own.a7_16.after": gettext_noop(
            "%(lead)s；%(window)s（三天后发觉），成交业绩归接待成交的%(receiver)s所有"
        ),
        "own.a1_5.own": gettext_noop("接待的是%(claim)s，以先登记者为准，仍归%(receiver)s"),
        "own.a1_5.other": gettext_noop("与%(claim)s冲突，以先登记者为准，客户归%(holder)s"),
        "own.a1_5.new": gettext_noop(
            "新客户，按轮排由%(receiver)s接待登记，%(none_before)s，以先登记者为准，"
            "客户归%(receiver)s"
        ),
        "own.a1_5.expired": gettext_noop("%(claim)s已超过有效期（%(window)s）；%(text)s"),
        "own.a1_5.public_again": gettext_noop(
            "该客户此前作为公共客户来访，此次以购房为目的再次来访，"
            "按新客户轮排顺序接待（A7.7）；%(text)s"
        ),
        "own.award": gettext_noop(
            "销售经理%(by)s于%(at)s裁定：客户归%(owner)s（理由：%(reason)s），"
            "为最终裁定（A7.20）；按规则本应依%(clause)s处理：%(base)s"
        ),
        "own.award.shares": gettext_noop("按销售经理裁定分配：%(who)s"),
        "own.award.share": gettext_noop("%(party)s%(percent)s"),
        "own.award.share_cancelled": gettext_noop("%(party)s%(percent)s（取消）"),
        # what a reception was, in the receiver's turn line (turns.receiver_turn's "why")
        "own.turn.help_phone": gettext_noop("帮%(name)s接待其来电客户，事后归还"),
        "own.turn.help": gettext_noop("帮%(name)s接待，事后归还"),
        "own.turn.came_for": gettext_noop("客户说明找%(name)s"),
        "own.turn.prereg": gettext_noop("接待的是%(holder)s预先登记的客户（已查明）"),
        "own.turn.colleague": gettext_noop("接待的是%(holder)s的客户（已查明）"),
        "own.turn.consented": gettext_noop("经同意帮%(holder)s接待其客户"),
        "own.turn.away": gettext_noop("%(holder)s%(where)s，暂时帮忙接待其客户"),
        "own.turn.family": gettext_noop("接待的是%(holder)s的客户（%(kind)s，已查明）"),
        "own.turn.old": gettext_noop("接待的是%(holder)s的老客户（已查明）"),
    }
)
# Fixed phrases passed as Term (labels of a kind of reception, of a moment, of a window's ends).
terms(
    [
        gettext_noop("公共客户按轮排表顺序接待"),
        gettext_noop("团购客户由当值售楼员按顺序接待（按本公司规则占用名额）"),
        gettext_noop("团购客户由当值售楼员按顺序接待（规则解读：不占用名额）"),
        gettext_noop("项目经理安排接待公司转介客户"),
        gettext_noop("客户主动找其接待"),
        gettext_noop("按轮排接待新客户"),
        gettext_noop("抢客户，不补接"),
        gettext_noop("按新客户接待"),
        gettext_noop("接待并成交新客户"),
        gettext_noop("不知情接待并成交，分得业绩"),
        gettext_noop("不知情接待并成交"),
        gettext_noop("接待自己的老客户或来电客户"),
        gettext_noop("按轮排接待自己预先登记的新客户"),
        gettext_noop("接待"),
        gettext_noop("事后确定"),
        gettext_noop("来访时即明确"),
        gettext_noop("在来访登记完成之前发现冲突"),
        gettext_noop("不在现场"),
        gettext_noop("无法联络"),
        gettext_noop("无已确认的在先登记"),
        gettext_noop("无在先登记"),
    ]
)
# The ends of a day window (windows.WindowCheck.text), words inside a sentence.
terms_in(
    RULES_CONTEXT,
    [
        pgettext("sales rules", "原售楼员最近一次登记来访"),
        pgettext("sales rules", "原始登记"),
        pgettext("sales rules", "原始登记或成交"),
        pgettext("sales rules", "本次来访"),
        pgettext("sales rules", "来访登记"),
        pgettext("sales rules", "发现冲突"),
        pgettext("sales rules", "成交"),
        pgettext("sales rules", "发现"),
        pgettext("sales rules", "来电"),
    ],
)


@dataclass(frozen=True)
class FineProposal:
    """A7.13: a fine the sales manager chooses within the range, posted to discipline."""

    salesperson: str
    minimum: Decimal
    maximum: Decimal
    rule_ids: tuple[str, ...]
    reason_zh: str
    reason: Msg | None = None  # reason_zh as a message

    def as_json(self) -> dict[str, object]:
        return {
            "salesperson": self.salesperson,
            "minimum": str(self.minimum),
            "maximum": str(self.maximum),
            "rule_ids": list(self.rule_ids),
            "reason_zh": self.reason_zh,
        }


@dataclass(frozen=True)
class OwnershipDecision:
    visit_id: str
    at: dt.datetime
    outcome: Outcome
    decided_by: str  # the clause of the evaluation order that decided (A7.20 when queued)
    clause: str  # the exact sub-clause, e.g. "A7.12(3)"
    owner_before: Owner | None
    owner_after: Owner
    turns: tuple[TurnEffect, ...]
    deal: DealShares | None
    flags: tuple[Flag, ...]
    fine: FineProposal | None
    group_buy_weight: Decimal | None
    claim_id: str | None  # the claim the decision turned on
    pending_claim_ids: tuple[str, ...]  # awaiting the sales manager's confirmation
    provisional_by: str | None  # NEEDS_RULING: the clause behind the provisional owner
    overridden: str | None  # an A7.20 award: the clause the ruling overrode
    rule_ids: tuple[str, ...]
    explanation_zh: str
    explanation: Msg | None = None  # explanation_zh as a message (kehu.sales.labels renders it)

    @property
    def owner_changed(self) -> bool:
        return self.owner_before != self.owner_after

    def turn_of(self, salesperson: str) -> TurnEffect | None:
        return next((t for t in self.turns if t.salesperson == salesperson), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "visit_id": self.visit_id,
            "at": self.at.isoformat(),
            "outcome": self.outcome.value,
            "decided_by": self.decided_by,
            "clause": self.clause,
            "owner_before": self.owner_before.as_json() if self.owner_before else None,
            "owner_after": self.owner_after.as_json(),
            "turns": [t.as_json() for t in self.turns],
            "deal": self.deal.as_json() if self.deal else None,
            "flags": [f.value for f in self.flags],
            "fine": self.fine.as_json() if self.fine else None,
            "group_buy_weight": str(self.group_buy_weight) if self.group_buy_weight else None,
            "claim_id": self.claim_id,
            "pending_claim_ids": list(self.pending_claim_ids),
            "provisional_by": self.provisional_by,
            "overridden": self.overridden,
            "rule_ids": list(self.rule_ids),
            "explanation_zh": self.explanation_zh,
            **self._explanation_json(),
        }

    def _explanation_json(self) -> dict[str, Any]:
        """``explanation_key`` and ``explanation_params``: the explanation as a message."""
        if self.explanation is None:
            return {}
        message = self.explanation.as_json()
        return {"explanation_key": message["key"], "explanation_params": message["params"]}


def decide_ownership(
    facts: OwnershipFacts,
    policy: OwnershipPolicy | None = None,
    names: Mapping[str, str] | None = None,
) -> OwnershipDecision:
    """Who owns the visitor after this visit, and what follows: see the module docstring.

    ``names`` maps salesperson ids to the names the explanation uses (default: the ids).
    Deterministic: the same facts and policy give the same decision, whatever the order of
    ``claims``, ``consents`` and ``rulings``.
    """
    return _Case(facts, policy or OwnershipPolicy(), names or {}).decide()


@dataclass(frozen=True)
class NamesakeHorizon:
    """See ``namesake_horizon``."""

    since: dt.datetime  # aware; local midnight on the sales office's wall clock
    rule_ids: tuple[str, ...]


def namesake_horizon(arrived_at: dt.datetime, policy: OwnershipPolicy) -> NamesakeHorizon:
    """How far back an unconfirmed full-name-only match (a namesake's file, A7.4 reading) can
    matter to a visit arriving at ``arrived_at``: a namesake whose holder's latest visit is
    before ``since`` never changes the decision, so a first decision (no A7.20 ruling can
    confirm it yet) may leave it out of the facts.

    Why: such a claim waits for the sales manager (A7.20) only while it is live — its A7.15
    window, counted from its anchor, still covers the visit (``days ≤ N``, windows.py). The
    anchor is the holder's first registration or, under ``last_owner_visit``, their latest
    visit before this one; either way no later than that latest visit. So a latest visit before
    local midnight of (the visit's local day − N days) is beyond the window under both anchors,
    and the engine drops the claim (``_Case._classify_claims``). A *confirmed* namesake
    (ruled the same customer) is another matter — it can count as an expired earlier owner —
    so this holds only while no identity ruling exists."""
    require_aware(arrived_at, "arrived_at")
    first_day = local_day(arrived_at) - dt.timedelta(days=policy.new_customer_after_days)
    since = dt.datetime.combine(first_day, dt.time(), tzinfo=LOCAL_TZ)
    return NamesakeHorizon(since=since, rule_ids=(A7_4, A7_15, A7_20))


# --- evaluation ---------------------------------------------------------------------------------


class _Phase(StrEnum):
    DURING = "during"  # found while receiving (or known all along): A7.13
    AFTER_RECEPTION = "after_reception"  # after the reception was complete and registered
    AFTER_DEAL = "after_deal"  # after the receiver's deal: A7.16


@dataclass
class _Draft:
    """A rule's answer before it is dressed as a decision."""

    decided_by: str
    clause: str
    owner: Owner
    text: Msg
    should_consume: bool
    cause: MakeupCause | None = None
    turn_text: Param = ""
    split: Split = Split.HELP
    procedures_by: str | None = None
    flags: list[Flag] = field(default_factory=list)
    fine: FineProposal | None = None
    rule_ids: list[str] = field(default_factory=list)
    claim: Claim | None = None


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def _moment_zh(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.year}年{local.month}月{local.day}日{local.hour:02d}:{local.minute:02d}"


def _at(moment: dt.datetime) -> Moment:
    return Moment(moment)


class _Case:
    def __init__(
        self, facts: OwnershipFacts, policy: OwnershipPolicy, names: Mapping[str, str]
    ) -> None:
        self.facts = facts
        self.policy = policy
        self.names = names
        self.now = facts.now
        self.v = facts.visit
        self.r = facts.visit.receiver
        self.notes: list[tuple[tuple[str, ...], Msg]] = []  # (rule ids, sentence)
        self.flags: list[Flag] = []
        self.registered_at = (
            self.v.registered_at
            if self.v.registered_at is not None and self.v.registered_at <= self.now
            else None
        )
        self._deal_facts()
        self.consents = sorted(
            (c for c in facts.consents if c.at <= self.now),
            key=lambda c: (c.at, c.holder, c.receiver, c.given),
        )
        self.rulings = sorted(
            (r for r in facts.rulings if r.ruled_at <= self.now),
            key=lambda r: (r.ruled_at, r.kind.value, r.claim_id or "", r.ruled_by, r.reason),
        )
        self._classify_claims()

    # -- names and sentences -------------------------------------------------------------------
    def n(self, salesperson: str | None) -> str:
        if not salesperson:
            return "—"
        return self.names.get(salesperson, salesperson)

    # -- deal (A7.17) ----------------------------------------------------------------------------
    def _deal_facts(self) -> None:
        deal = self.facts.deal
        self.deal: Deal | None = None
        if deal is None:
            return
        closed_at = deal.closed_at
        if closed_at is not None and closed_at <= self.now:
            self.deal = deal
            return
        self.flags.append(Flag.NOT_A_DEAL_YET)
        self.notes.append(((A7_17,), msg("own.note.not_a_deal")))

    @property
    def r_deal(self) -> Deal | None:
        """The deal, when the receiver closed it."""
        return self.deal if self.deal is not None and self.deal.closer == self.r else None

    # -- claims ------------------------------------------------------------------------------------
    def _classify_claims(self) -> None:
        confirmed: list[Claim] = []
        self.pending: list[Claim] = []
        self.unmatched_prereg: list[Claim] = []
        self.public_claims: list[Claim] = []
        self.identity_rulings: list[Ruling] = []
        ordered = sorted(self.facts.claims, key=lambda c: (c.since, c.holder, c.kind.value, c.id))
        for claim in ordered:
            if claim.found_at > self.now:
                continue
            if claim.public:
                self.public_claims.append(claim)
                continue
            if claim.kind == ClaimKind.PRE_REGISTRATION and claim.since >= self.v.arrived_at:
                self.notes.append(
                    (
                        (A7_10,),
                        msg("own.note.prereg_late", holder=self.n(claim.holder)),
                    )
                )
                continue
            if claim.kind in (ClaimKind.FAMILY, ClaimKind.BATCH):
                confirmed.append(claim)
                continue
            if not claim.match.matched:
                if claim.kind == ClaimKind.PRE_REGISTRATION:
                    self.unmatched_prereg.append(claim)
                else:
                    self.notes.append(
                        (
                            (A7_4,),
                            msg(
                                "own.note.not_matched",
                                holder=self.n(claim.holder),
                                kind=Term(CLAIM_KIND_LABELS[claim.kind], RULES_CONTEXT),
                            ),
                        )
                    )
                continue
            if claim.match.needs_confirmation:
                ruling = self._identity_ruling(claim)
                if ruling is None:
                    self.pending.append(claim)
                    continue
                self.identity_rulings.append(ruling)
                self.flags.append(Flag.RULING)
                if ruling.kind == RulingKind.DIFFERENT_CUSTOMER:
                    self.notes.append(
                        (
                            (A7_4, A7_20),
                            msg(
                                "own.note.ruled_different",
                                holder=self.n(claim.holder),
                                reason=ruling.reason,
                            ),
                        )
                    )
                    continue
                self.notes.append(
                    (
                        (A7_4, A7_20),
                        msg(
                            "own.note.ruled_same", holder=self.n(claim.holder), reason=ruling.reason
                        ),
                    )
                )
            confirmed.append(claim)
        self.live = [c for c in confirmed if self.is_live(c)]
        self.expired = [c for c in confirmed if not self.is_live(c) and c.holder != self.r]
        self.pending = [c for c in self.pending if self.is_live(c) and c.holder != self.r]
        old = [c for c in self.live if c.kind in _OLD_CUSTOMER_KINDS]
        pool = old or [c for c in self.live if c.kind not in _OLD_CUSTOMER_KINDS]
        self.gov: Claim | None = pool[0] if pool else None
        self.tied = [
            c
            for c in pool[1:]
            if self.gov and c.since == self.gov.since and c.holder != self.gov.holder
        ]
        expired_old = [c for c in self.expired if c.kind in _OLD_CUSTOMER_KINDS]
        expired_any = expired_old or self.expired
        self.expired_gov: Claim | None = expired_any[0] if expired_any else None

    def _identity_ruling(self, claim: Claim) -> Ruling | None:
        found = None
        for ruling in self.rulings:
            if ruling.kind == RulingKind.AWARD:
                continue
            if ruling.claim_id in (None, claim.id):
                found = ruling  # the latest applicable ruling counts
        return found

    def anchor(self, claim: Claim) -> dt.datetime:
        """Where the claim's protection window starts (Reading: protection anchor; A7.14)."""
        start = claim.since
        if (
            self.policy.protection_anchor == ProtectionAnchor.LAST_OWNER_VISIT
            and claim.kind in _OLD_CUSTOMER_KINDS
            and claim.last_holder_visit_at is not None
            and claim.last_holder_visit_at < self.v.arrived_at
        ):
            start = max(start, claim.last_holder_visit_at)
        if (
            claim.kind in (ClaimKind.FAMILY, ClaimKind.BATCH)
            and claim.deal_at is not None
            and claim.deal_at < self.v.arrived_at
        ):
            start = max(start, claim.deal_at)  # A7.14 "与原始登记或成交时间"
        return start

    def window(self, claim: Claim, at: dt.datetime | None = None) -> WindowCheck | None:
        at = at or self.v.arrived_at
        if claim.kind == ClaimKind.REGISTERED:
            return window_check(A7_15, self.anchor(claim), at, self.policy.new_customer_after_days)
        if claim.kind in (ClaimKind.FAMILY, ClaimKind.BATCH):
            return window_check(A7_14, self.anchor(claim), at, self.policy.family_window_days)
        if claim.kind == ClaimKind.PHONE_ENQUIRY:
            return window_check(A7_12, claim.since, at, self.policy.phone_enquiry_valid_days)
        return None  # a pre-registration has no window before the visit (A7.10)

    def is_live(self, claim: Claim) -> bool:
        check = self.window(claim)
        return check is None or check.within

    def phase(self, claim: Claim) -> _Phase:
        if self.v.receiver_knew:
            return _Phase.DURING
        r_deal = self.r_deal
        if (
            r_deal is not None
            and r_deal.closed_at is not None
            and r_deal.closed_at <= claim.found_at
        ):
            return _Phase.AFTER_DEAL
        if self.registered_at is None or claim.found_at < self.registered_at:
            return _Phase.DURING
        return _Phase.AFTER_RECEPTION

    def claim_zh(self, claim: Claim) -> str:
        return self.claim_msg(claim).zh

    def claim_msg(self, claim: Claim) -> Msg:
        keys = [Term(IDENTITY_KEY_LABELS_ZH[k]) for k in claim.match.keys]
        return msg(
            "own.claim",
            holder=self.n(claim.holder),
            kind=Term(CLAIM_KIND_LABELS[claim.kind], RULES_CONTEXT),
            since=_at(claim.since),
            verb=Term(_SINCE_VERBS[claim.kind], RULES_CONTEXT),
            by=msg("own.claim.by_keys", keys=seq(keys)) if keys else "",
        )

    @property
    def owner_before(self) -> Owner | None:
        for claim in (self.gov, self.expired_gov):
            if claim is not None:
                return Owner.of(claim.holder)
        if self.public_claims:
            return SALES_DEPARTMENT
        return None

    @property
    def consumed_at_arrival(self) -> bool:
        if self.v.arrival == Arrival.WALK_IN:
            return True
        return self.v.arrival == Arrival.GROUP_BUY and self.policy.group_buy_consumes

    # -- the evaluation ------------------------------------------------------------------------
    def decide(self) -> OwnershipDecision:
        base = self._by_rules()
        award = next((r for r in reversed(self.rulings) if r.kind == RulingKind.AWARD), None)
        if award is not None:
            return self._award(award, base)
        return base

    def _by_rules(self) -> OwnershipDecision:
        for rule in (self.a7_7, self.a7_18, self.a1_6):
            draft = rule()
            if draft is not None:
                return self.finish(draft)
        draft = self._claim_rules()
        unsettled: list[Msg] = []
        if self.pending:
            listed = seq((self.claim_msg(c) for c in self.pending), "clauses")
            unsettled.append(msg("own.pending", claims=listed))
        if self.tied:
            who = seq(self.n(c.holder) for c in (self.gov, *self.tied) if c is not None)
            unsettled.append(msg("own.tied", who=who))
        if unsettled:
            decision = self.finish(draft)
            text = msg(
                "own.needs_ruling",
                unsettled=seq(unsettled, "clauses"),
                clause=draft.clause,
                owner=draft.owner.label(self.names),
                decision=decision.explanation or decision.explanation_zh,
            )
            return replace(
                decision,
                outcome=Outcome.NEEDS_RULING,
                decided_by=A7_20,
                clause=A7_20,
                provisional_by=draft.decided_by,
                rule_ids=_unique((A7_20, A7_4, *decision.rule_ids)),
                explanation_zh=text.zh,
                explanation=text,
            )
        return self.finish(draft)

    def _claim_rules(self) -> _Draft:
        for rule in (
            self.a7_12,
            self.a7_9,
            self.a7_10,
            self.a7_13,
            self.a7_14,
            self.a7_15,
            self.a7_16,
        ):
            draft = rule()
            if draft is not None:
                return draft
        return self.a1_5()

    # -- A7.7 public customer ----------------------------------------------------------------------
    def a7_7(self) -> _Draft | None:
        v = self.v
        found_after = (
            v.arrival != Arrival.PUBLIC
            and v.found_public_at is not None
            and v.found_public_at <= self.now
        )
        if v.arrival != Arrival.PUBLIC and not found_after:
            return None
        kind = v.public_kind
        assert kind is not None  # checked by Visit
        if kind == PublicKind.DEVELOPER_GUEST and v.business_card_given:
            self.notes.append(
                (
                    (A7_6,),
                    msg("own.note.card_given"),
                )
            )
            return None
        when = Term("事后确定" if found_after else "来访时即明确")
        return _Draft(
            decided_by=A7_7,
            clause=A7_7,
            owner=SALES_DEPARTMENT,
            text=msg("own.a7_7", when=when, kind=Term(PUBLIC_KIND_LABELS[kind])),
            should_consume=False,
            cause=MakeupCause.FOUND_PUBLIC,
            turn_text=Term("公共客户按轮排表顺序接待"),
            split=Split.DEPARTMENT,
            flags=[Flag.PERFORMANCE_TO_DEPARTMENT],
            rule_ids=[A7_6],
        )

    # -- A7.18 group buy ---------------------------------------------------------------------------
    def a7_18(self) -> _Draft | None:
        if self.v.arrival != Arrival.GROUP_BUY:
            return None
        consumes = self.policy.group_buy_consumes
        return _Draft(
            decided_by=A7_18,
            clause=A7_18,
            owner=GROUP_BUY,
            text=msg(
                "own.a7_18",
                receiver=self.n(self.r),
                weight=str(self.policy.group_buy_weight),
            ),
            should_consume=consumes,
            turn_text=Term(
                "团购客户由当值售楼员按顺序接待（按本公司规则占用名额）"
                if consumes
                else "团购客户由当值售楼员按顺序接待（规则解读：不占用名额）"
            ),
            split=Split.GROUP_BUY,
            flags=[Flag.GROUP_BUY_WEIGHT],
        )

    # -- A1.6 company referral ---------------------------------------------------------------------
    def a1_6(self) -> _Draft | None:
        if self.v.arrival != Arrival.COMPANY_REFERRAL:
            return None
        assigned = self.v.named or self.r
        return _Draft(
            decided_by=A1_6,
            clause=A1_6,
            owner=Owner.of(assigned),
            text=msg("own.a1_6", name=self.n(assigned)),
            should_consume=False,
            turn_text=Term("项目经理安排接待公司转介客户"),
            split=Split.NEGOTIATED,
            flags=[Flag.COMMISSION_NEGOTIATED],
        )

    # -- A7.12 phone customer ----------------------------------------------------------------------
    def a7_12(self) -> _Draft | None:
        v, gov, r = self.v, self.gov, self.r
        if gov is not None and gov.kind in _OLD_CUSTOMER_KINDS:
            return None  # an old customer: A7.12 concerns a phone customer's visits as such
        named = v.named
        is_phone_named = v.arrival == Arrival.PHONE_CUSTOMER or (
            v.arrival == Arrival.ASKED_FOR
            and gov is not None
            and gov.kind == ClaimKind.PHONE_ENQUIRY
            and gov.holder == named
        )
        if is_phone_named and named is not None:
            claim = gov if gov is not None and gov.holder == named else None
            if v.named_present:
                if r != named:
                    return self.someone_elses(
                        holder=named,
                        claim=claim,
                        on_site=True,
                        reachable=True,
                        via=(A7_12_2, A2_12, A5_12),
                        known=msg("own.a7_12.known", name=self.n(named)),
                    )
                return _Draft(
                    decided_by=A7_12,
                    clause=A7_12_2,
                    owner=Owner.of(named),
                    text=msg("own.a7_12.present", name=self.n(named)),
                    should_consume=False,
                    turn_text=Term("客户主动找其接待"),
                    split=Split.HELP,
                    rule_ids=[A2_12],
                    claim=claim,
                )
            return _Draft(
                decided_by=A7_12,
                clause=A7_12_3,
                owner=Owner.of(named),
                text=msg("own.a7_12.absent", name=self.n(named), receiver=self.n(r)),
                should_consume=False,
                cause=MakeupCause.HELPING,
                turn_text=msg("own.turn.help_phone", name=self.n(named)),
                split=Split.HELP,
                procedures_by=named,
                claim=claim,
            )
        if (
            v.arrival == Arrival.WALK_IN
            and gov is not None
            and gov.kind == ClaimKind.PHONE_ENQUIRY
            and gov.holder != r
            and self.phase(gov) != _Phase.DURING
        ):
            return _Draft(
                decided_by=A7_12,
                clause=A7_12_1,
                owner=Owner.of(r),
                text=msg(
                    "own.a7_12.after",
                    receiver=self.n(r),
                    found=_at(gov.found_at),
                    claim=self.claim_msg(gov),
                ),
                should_consume=True,
                turn_text=Term("按轮排接待新客户"),
                split=Split.HELP,
                rule_ids=[A7_1],
                claim=gov,
            )
        return None

    # -- A7.9 referral by an old customer ----------------------------------------------------------
    def a7_9(self) -> _Draft | None:
        v, gov, r = self.v, self.gov, self.r
        if gov is not None and gov.kind in _OLD_CUSTOMER_KINDS:
            return None  # A7.9 concerns new customers
        named = v.named
        if v.arrival in (Arrival.WITH_OLD_CUSTOMER, Arrival.ASKED_FOR) and named is not None:
            first = v.arrival == Arrival.WITH_OLD_CUSTOMER
            clause = A7_9_1 if first else A7_9_2
            how = msg("own.a7_9.how_old" if first else "own.a7_9.how_asked", name=self.n(named))
            if v.named_present:
                if r != named:
                    return self.someone_elses(
                        holder=named,
                        claim=None,
                        on_site=True,
                        reachable=True,
                        via=(clause, A2_12, A5_12),
                        known=msg("own.a7_9.known", how=how, name=self.n(named)),
                    )
                return _Draft(
                    decided_by=A7_9,
                    clause=clause,
                    owner=Owner.of(named),
                    text=msg("own.a7_9.present", how=how, name=self.n(named)),
                    should_consume=False,
                    turn_text=Term("客户主动找其接待"),
                    split=Split.HELP,
                    rule_ids=[A2_12],
                )
            return _Draft(
                decided_by=A7_9,
                clause=clause,
                owner=Owner.of(named),
                text=msg("own.a7_9.absent", how=how, name=self.n(named), receiver=self.n(r)),
                should_consume=False,
                cause=MakeupCause.HELPING,
                turn_text=msg("own.turn.help", name=self.n(named)),
                split=Split.HELP,
                procedures_by=named,
            )
        if v.arrival == Arrival.WALK_IN and v.came_for:
            said_at = v.came_for_said_at or v.arrived_at
            if said_at > self.now:
                return None
            if self.registered_at is not None and said_at > self.registered_at:
                self.notes.append(
                    (
                        (A7_9_3,),
                        msg("own.note.came_for_late", name=self.n(v.came_for)),
                    )
                )
                return None
            x = v.came_for
            return _Draft(
                decided_by=A7_9,
                clause=A7_9_3,
                owner=Owner.of(x),
                text=msg("own.a7_9_3", receiver=self.n(r), said=_at(said_at), name=self.n(x)),
                should_consume=False,
                cause=MakeupCause.CAME_FOR_COLLEAGUE if x != r else MakeupCause.OWN_CUSTOMER,
                turn_text=msg("own.turn.came_for", name=self.n(x)),
                split=self.transfer_split(),
                rule_ids=[A7_6],
            )
        return None

    def transfer_split(self) -> Split:
        if self.policy.transfer_deal_split == TransferDealSplit.OWNER_ALL:
            return Split.OWNER_ALL
        return Split.HELP

    # -- A7.10 pre-registered referral -------------------------------------------------------------
    def a7_10(self) -> _Draft | None:
        v, gov, r = self.v, self.gov, self.r
        if v.arrival != Arrival.WALK_IN:
            return None
        if gov is not None and gov.kind == ClaimKind.PRE_REGISTRATION and gov.holder != r:
            claim, matched = gov, True
        elif gov is None:
            others = [c for c in self.unmatched_prereg if c.holder != r]
            if not others:
                return None
            claim, matched = others[0], False
        else:
            return None
        s = claim.holder
        days_text: Param
        if self.registered_at is None or claim.found_at < self.registered_at:
            days_text = Term("在来访登记完成之前发现冲突")
            within = True
        else:
            check = window_check(
                A7_10, self.registered_at, claim.found_at, self.policy.referral_valid_days
            )
            days_text = check.text("来访登记", "发现冲突")
            within = check.within
        flags: list[Flag] = []
        if (
            claim.found_by == s
            and self.registered_at is not None
            and claim.found_at < self.registered_at
        ):
            flags.append(Flag.ASKED_DURING_RECEPTION)
        pre = msg("own.a7_10.pre", holder=self.n(s), since=_at(claim.since))
        if within and matched:
            return _Draft(
                decided_by=A7_10,
                clause=A7_10,
                owner=Owner.of(s),
                text=msg(
                    "own.a7_10.match",
                    pre=pre,
                    receiver=self.n(r),
                    days=days_text,
                    claim=self.claim_msg(claim),
                    holder=self.n(s),
                ),
                should_consume=False,
                cause=MakeupCause.COLLEAGUE_CUSTOMER,
                turn_text=msg("own.turn.prereg", holder=self.n(s)),
                split=self.transfer_split(),
                flags=flags,
                rule_ids=[A7_4],
                claim=claim,
            )
        why = msg("own.a7_10.mismatch" if within else "own.a7_10.late", days=days_text)
        return _Draft(
            decided_by=A7_10,
            clause=A7_10,
            owner=Owner.of(r),
            text=msg("own.a7_10.keep", pre=pre, receiver=self.n(r), why=why),
            should_consume=True,
            turn_text=Term("按轮排接待新客户"),
            split=Split.HELP,
            flags=flags,
            rule_ids=[A7_4, A7_1],
            claim=claim,
        )

    # -- A7.13 someone else's customer found during the reception ----------------------------------
    def a7_13(self) -> _Draft | None:
        gov, r = self.gov, self.r
        if gov is None or gov.holder == r or gov.kind == ClaimKind.PRE_REGISTRATION:
            return None
        phase = self.phase(gov)
        if phase == _Phase.AFTER_DEAL:
            return None
        if phase == _Phase.AFTER_RECEPTION and self.r_deal is None:
            return None
        if self.v.receiver_knew:
            known = msg("own.a7_13.knew", receiver=self.n(r), claim=self.claim_msg(gov))
        elif phase == _Phase.DURING:
            by = msg("own.a7_13.by", name=self.n(gov.found_by)) if gov.found_by else ""
            known = msg(
                "own.a7_13.during", found=_at(gov.found_at), by=by, claim=self.claim_msg(gov)
            )
        else:
            known = msg(
                "own.a7_13.after",
                found=_at(gov.found_at),
                claim=self.claim_msg(gov),
                receiver=self.n(r),
            )
        draft = self.someone_elses(
            holder=gov.holder,
            claim=gov,
            on_site=gov.holder_on_site,
            reachable=gov.holder_reachable,
            via=(),
            known=known,
        )
        if (
            gov.kind == ClaimKind.PHONE_ENQUIRY
            and phase == _Phase.DURING
            and gov.found_by == gov.holder
            and not self.v.receiver_knew
        ):
            draft.flags.append(Flag.ASKED_DURING_RECEPTION)
        return draft

    def someone_elses(
        self,
        *,
        holder: str,
        claim: Claim | None,
        on_site: bool,
        reachable: bool,
        via: tuple[str, ...],
        known: Msg,
    ) -> _Draft:
        """A7.13 / A2.8: the receiver must hand back, or continue with the holder's consent;
        if the holder is not on site or cannot be reached, the receiver helps temporarily;
        otherwise continuing is grabbing (抢客户)."""
        r = self.r
        r_deal = self.r_deal
        continued = self.v.handling == Handling.CONTINUED or r_deal is not None
        h, rn = self.n(holder), self.n(r)
        base_ids = [*via, A2_8]
        if not continued:
            handed = self.v.handling == Handling.HANDED_BACK
            return _Draft(
                decided_by=A7_13,
                clause=A7_13,
                owner=Owner.of(holder),
                text=msg(
                    "own.a7_13.handed" if handed else "own.a7_13.hand_back",
                    known=known,
                    receiver=rn,
                    holder=h,
                ),
                should_consume=False,
                cause=MakeupCause.COLLEAGUE_CUSTOMER,
                turn_text=msg("own.turn.colleague", holder=h),
                split=Split.HELP,
                rule_ids=base_ids,
                claim=claim,
            )
        if self.v.named == holder and not self.v.named_present:
            on_site = False  # the desk recorded the holder absent when the customer arrived
        consent = self._consent(holder)
        if consent is not None and consent.given:
            return _Draft(
                decided_by=A7_13,
                clause=A7_13,
                owner=Owner.of(holder),
                text=msg(
                    "own.a7_13.consent", known=known, holder=h, at=_at(consent.at), receiver=rn
                ),
                should_consume=False,
                cause=MakeupCause.COLLEAGUE_CUSTOMER,
                turn_text=msg("own.turn.consented", holder=h),
                split=Split.HELP,
                rule_ids=base_ids,
                claim=claim,
            )
        if (consent is None or consent.given) and not (on_site and reachable):
            where = Term("不在现场" if not on_site else "无法联络")
            return _Draft(
                decided_by=A7_13,
                clause=A7_13,
                owner=Owner.of(holder),
                text=msg("own.a7_13.away", known=known, holder=h, where=where, receiver=rn),
                should_consume=False,
                cause=MakeupCause.COLLEAGUE_CUSTOMER,
                turn_text=msg("own.turn.away", holder=h, where=where),
                split=Split.HELP,
                rule_ids=base_ids,
                claim=claim,
            )
        who_said = (
            msg("own.a7_13.refused", holder=h, at=_at(consent.at))
            if consent is not None and not consent.given
            else msg("own.a7_13.reachable", holder=h)
        )
        policy = self.policy
        fine_range = {"min": str(policy.grab_fine_min), "max": str(policy.grab_fine_max)}
        reason = msg("own.a7_13.fine", receiver=rn, holder=h, **fine_range)
        fine = FineProposal(
            salesperson=r,
            minimum=policy.grab_fine_min,
            maximum=policy.grab_fine_max,
            rule_ids=(A7_13, A2_8),
            reason_zh=reason.zh,
            reason=reason,
        )
        flags = [Flag.GRAB]
        if r_deal is not None:
            flags.append(Flag.COMMISSION_CANCELLED)
        return _Draft(
            decided_by=A7_13,
            clause=A7_13,
            owner=Owner.of(holder),
            text=msg(
                "own.a7_13.grab_deal" if r_deal is not None else "own.a7_13.grab",
                known=known,
                who_said=who_said,
                receiver=rn,
                holder=h,
                **fine_range,
            ),
            should_consume=True,
            turn_text=Term("抢客户，不补接"),
            split=Split.GRAB,
            flags=flags,
            fine=fine,
            rule_ids=[*base_ids, A7_1, A2_6],
            claim=claim,
        )

    def _consent(self, holder: str) -> Consent | None:
        """The holder's latest answer to the receiver; a consent given only after the deal
        closed does not count (A7.13: 经原售楼员同意方可继续接待)."""
        deal_at = self.r_deal.closed_at if self.r_deal is not None else None
        answer = None
        for consent in self.consents:
            if consent.holder != holder or consent.receiver != self.r:
                continue
            if deal_at is not None and consent.at > deal_at:
                continue
            answer = consent
        return answer

    # -- A7.14 family or batch ---------------------------------------------------------------------
    def a7_14(self) -> _Draft | None:
        gov, r = self.gov, self.r
        family = (ClaimKind.FAMILY, ClaimKind.BATCH)
        if gov is not None and gov.kind in family and gov.holder != r:
            check = self.window(gov)
            assert check is not None
            f = gov.holder
            return _Draft(
                decided_by=A7_14,
                clause=A7_14,
                owner=Owner.of(f),
                text=msg(
                    "own.a7_14.first",
                    kind=Term(CLAIM_KIND_LABELS[gov.kind], RULES_CONTEXT),
                    holder=self.n(f),
                    since=_at(gov.since),
                    window=check.text("原始登记或成交", "本次来访"),
                ),
                should_consume=False,
                cause=MakeupCause.COLLEAGUE_CUSTOMER,
                turn_text=msg(
                    "own.turn.family",
                    holder=self.n(f),
                    kind=Term(CLAIM_KIND_LABELS[gov.kind], RULES_CONTEXT),
                ),
                split=self.transfer_split(),
                rule_ids=[A7_6],
                claim=gov,
            )
        exp = self.expired_gov
        if gov is None and exp is not None and exp.kind in family:
            check = self.window(exp)
            assert check is not None
            return _Draft(
                decided_by=A7_14,
                clause=A7_14,
                owner=Owner.of(r),
                text=msg(
                    "own.a7_14.expired",
                    claim=self.claim_msg(exp),
                    window=check.text("原始登记或成交", "本次来访"),
                    receiver=self.n(r),
                ),
                should_consume=True,
                turn_text=Term("按新客户接待"),
                split=Split.HELP,
                flags=[Flag.NEW_CUSTOMER],
                rule_ids=[A7_6],
                claim=exp,
            )
        return None

    # -- A7.15 unknowing reception, no deal --------------------------------------------------------
    def a7_15(self) -> _Draft | None:
        gov, r = self.gov, self.r
        if (
            gov is not None
            and gov.kind == ClaimKind.REGISTERED
            and gov.holder != r
            and self.phase(gov) == _Phase.AFTER_RECEPTION
        ):
            check = self.window(gov)
            assert check is not None
            x = gov.holder
            return _Draft(
                decided_by=A7_15,
                clause=A7_15,
                owner=Owner.of(x),
                text=msg(
                    "own.a7_15.owner",
                    receiver=self.n(r),
                    found=_at(gov.found_at),
                    claim=self.claim_msg(gov),
                    window=check.text(self._anchor_label(), "本次来访"),
                    holder=self.n(x),
                ),
                should_consume=False,
                cause=MakeupCause.COLLEAGUE_CUSTOMER,
                turn_text=msg("own.turn.old", holder=self.n(x)),
                split=Split.HELP,
                claim=gov,
            )
        exp = self.expired_gov
        if (
            gov is None
            and exp is not None
            and exp.kind == ClaimKind.REGISTERED
            and self.r_deal is None
        ):
            check = self.window(exp)
            assert check is not None
            return _Draft(
                decided_by=A7_15,
                clause=A7_15,
                owner=Owner.of(r),
                text=msg(
                    "own.a7_15.new",
                    claim=self.claim_msg(exp),
                    window=check.text(self._anchor_label(), "本次来访"),
                    receiver=self.n(r),
                ),
                should_consume=True,
                turn_text=Term("按新客户接待"),
                split=Split.HELP,
                flags=[Flag.NEW_CUSTOMER],
                claim=exp,
            )
        return None

    def _anchor_label(self) -> str:  # a Term: one of the labels registered above
        if self.policy.protection_anchor == ProtectionAnchor.LAST_OWNER_VISIT:
            return "原售楼员最近一次登记来访"
        return "原始登记"

    # -- A7.16 unknowing reception with a deal -----------------------------------------------------
    def a7_16(self) -> _Draft | None:
        gov, r, r_deal = self.gov, self.r, self.r_deal
        if r_deal is None or r_deal.closed_at is None:
            return None
        closed_at = r_deal.closed_at
        if gov is not None and gov.kind == ClaimKind.REGISTERED and gov.holder != r:
            if self.phase(gov) != _Phase.AFTER_DEAL:
                return None
            claim = gov
        elif gov is None and self.expired_gov is not None:
            claim = self.expired_gov
            if claim.kind != ClaimKind.REGISTERED:
                return None
        else:
            return None
        x = claim.holder
        deal_check = window_check(
            A7_16, self.anchor(claim), closed_at, self.policy.new_customer_after_days
        )
        lead = msg(
            "own.a7_16.lead",
            receiver=self.n(r),
            closed=_at(closed_at),
            claim=self.claim_msg(claim),
        )
        if deal_check.beyond:
            return _Draft(
                decided_by=A7_16,
                clause=A7_16,
                owner=Owner.of(r),
                text=msg(
                    "own.a7_16.new",
                    lead=lead,
                    window=deal_check.text(self._anchor_label(), "成交"),
                    holder=self.n(x),
                ),
                should_consume=True,
                turn_text=Term("接待并成交新客户"),
                split=Split.CLOSER_ALL,
                flags=[Flag.NEW_CUSTOMER],
                claim=claim,
            )
        found = window_check(A7_16, closed_at, claim.found_at, self.policy.discovery_days)
        if found.within:
            return _Draft(
                decided_by=A7_16,
                clause=A7_16,
                owner=Owner.of(x),
                text=msg(
                    "own.a7_16.within",
                    lead=lead,
                    window=found.text("成交", "发现"),
                    holder=self.n(x),
                ),
                should_consume=True,
                turn_text=Term("不知情接待并成交，分得业绩"),
                split=Split.EVEN,
                procedures_by=x,
                claim=claim,
            )
        return _Draft(
            decided_by=A7_16,
            clause=A7_16,
            owner=Owner.of(r),
            text=msg(
                "own.a7_16.after",
                lead=lead,
                window=found.text("成交", "发现"),
                receiver=self.n(r),
            ),
            should_consume=True,
            turn_text=Term("不知情接待并成交"),
            split=Split.CLOSER_ALL,
            claim=claim,
        )

    # -- A1.5 the first registration wins ----------------------------------------------------------
    def a1_5(self) -> _Draft:
        gov, r = self.gov, self.r
        if gov is not None and gov.holder == r:
            own = gov.kind in _OWN_MAKEUP_KINDS
            return _Draft(
                decided_by=A1_5,
                clause=A1_5,
                owner=Owner.of(r),
                text=msg("own.a1_5.own", claim=self.claim_msg(gov), receiver=self.n(r)),
                should_consume=not own,
                cause=MakeupCause.OWN_CUSTOMER if own else None,
                turn_text=Term(
                    "接待自己的老客户或来电客户" if own else "按轮排接待自己预先登记的新客户"
                ),
                split=Split.HELP,
                claim=gov,
            )
        if gov is not None:
            x = gov.holder
            return _Draft(
                decided_by=A1_5,
                clause=A1_5,
                owner=Owner.of(x),
                text=msg("own.a1_5.other", claim=self.claim_msg(gov), holder=self.n(x)),
                should_consume=False,
                cause=MakeupCause.COLLEAGUE_CUSTOMER,
                turn_text=msg("own.turn.colleague", holder=self.n(x)),
                split=self.transfer_split(),
                claim=gov,
            )
        rule_ids: list[str] = [A7_1, A2_12]
        none_before = Term("无已确认的在先登记" if self.pending else "无在先登记")
        text = msg("own.a1_5.new", receiver=self.n(r), none_before=none_before)
        exp = self.expired_gov
        if exp is not None:  # an expired phone enquiry: the only kind A7.14–16 do not take
            check = self.window(exp)
            assert check is not None
            text = msg(
                "own.a1_5.expired",
                claim=self.claim_msg(exp),
                window=check.text("来电", "本次来访"),
                text=text,
            )
            rule_ids.append(A1_3)
        if self.public_claims:
            text = msg("own.a1_5.public_again", text=text)
            rule_ids.append(A7_7)
        return _Draft(
            decided_by=A1_5,
            clause=A1_5,
            owner=Owner.of(r),
            text=text,
            should_consume=True,
            turn_text=Term("按轮排接待新客户"),
            split=Split.HELP,
            rule_ids=rule_ids,
            claim=exp,
        )

    # -- dressing a draft as a decision ------------------------------------------------------------
    def finish(self, draft: _Draft) -> OwnershipDecision:
        r = self.r
        turn_rule_ids = _unique((draft.clause, *[i for i in draft.rule_ids if i != A7_6]))
        turns = [
            receiver_turn(
                receiver=r,
                consumed_at_arrival=self.consumed_at_arrival,
                should_consume=draft.should_consume,
                cause=draft.cause,
                rule_ids=turn_rule_ids,
                why_zh=_zh(draft.turn_text) or "接待",
                policy=self.policy,
                names=self.names,
                why=draft.turn_text or Term("接待"),
            )
        ]
        public = draft.decided_by == A7_7
        for helper in sorted(set(self.v.helpers)):
            turns.append(helper_turn(helper, public=public, names=self.names))
        shares: DealShares | None = None
        deal_ids = _unique((draft.clause, *draft.rule_ids))
        if self.deal is not None:
            shares = deal_shares(
                self.deal,
                owner=draft.owner,
                split=draft.split,
                policy=self.policy,
                rule_ids=deal_ids,
                procedures_by=draft.procedures_by,
                names=self.names,
            )
        flags = _unique((*self.flags, *draft.flags))
        if Flag.ASKED_DURING_RECEPTION in flags:
            self.notes.append(((A7_11,), msg("own.note.asked_during")))
        note_ids = [i for ids, _ in self.notes for i in ids]
        rule_ids = _unique(
            (
                draft.decided_by,
                draft.clause,
                *draft.rule_ids,
                *note_ids,
                *(i for t in turns for i in t.rule_ids),
                *(shares.rule_ids if shares else ()),
                *(draft.fine.rule_ids if draft.fine else ()),
                *(draft.claim.match.rule_ids if draft.claim else ()),
            )
        )
        sentences: list[Param] = [text for _, text in self.notes]
        sentences.append(msg("own.decided", text=draft.text, clause=draft.clause))
        sentences.extend(t.explanation or t.explanation_zh for t in turns)
        if shares is not None:
            sentences.append(
                msg(
                    "own.deal",
                    deal=self.deal.id if self.deal else "",
                    shares=shares.explanation or shares.explanation_zh,
                )
            )
        explanation = msg("own.explanation", sentences=seq(sentences, "clauses"))
        return OwnershipDecision(
            visit_id=self.v.id,
            at=self.now,
            outcome=Outcome.DECIDED,
            decided_by=draft.decided_by,
            clause=draft.clause,
            owner_before=self.owner_before,
            owner_after=draft.owner,
            turns=tuple(turns),
            deal=shares,
            flags=tuple(Flag(f) for f in flags),
            fine=draft.fine,
            group_buy_weight=(
                self.policy.group_buy_weight if Flag.GROUP_BUY_WEIGHT in draft.flags else None
            ),
            claim_id=draft.claim.id if draft.claim else None,
            pending_claim_ids=tuple(c.id for c in self.pending),
            provisional_by=None,
            overridden=None,
            rule_ids=rule_ids,
            explanation_zh=explanation.zh,
            explanation=explanation,
        )

    def _award(self, ruling: Ruling, base: OwnershipDecision) -> OwnershipDecision:
        owner = ruling.owner
        assert owner is not None  # checked by Ruling
        shares = base.deal
        if self.deal is not None and base.deal is not None:
            award_shares = ruling.shares or ((Share(owner, _sole_role(owner), Decimal("100")),))
            who = seq(
                msg(
                    "own.award.share_cancelled" if s.cancelled else "own.award.share",
                    party=s.party.label(self.names),
                    percent=f"{s.percent.normalize():f}%",
                )
                for s in award_shares
            )
            split = msg("own.award.shares", who=who)
            shares = replace(
                base.deal,
                shares=award_shares,
                procedures_by=owner.salesperson if owner.is_salesperson else base.deal.closer,
                rule_ids=(A7_20, A7_17),
                explanation_zh=split.zh,
                explanation=split,
            )
        text = msg(
            "own.award",
            by=self.n(ruling.ruled_by),
            at=_at(ruling.ruled_at),
            owner=owner.label(self.names),
            reason=ruling.reason,
            clause=base.clause,
            base=base.explanation or base.explanation_zh,
        )
        return replace(
            base,
            outcome=Outcome.DECIDED,
            decided_by=A7_20,
            clause=A7_20,
            owner_after=owner,
            deal=shares,
            flags=_unique_flags((*[f for f in base.flags if f != Flag.GRAB], Flag.RULING)),
            fine=None,
            pending_claim_ids=(),
            provisional_by=None,
            overridden=base.clause,
            rule_ids=_unique((A7_20, *base.rule_ids)),
            explanation_zh=text.zh,
            explanation=text,
        )


def _zh(value: Param) -> str:
    """A message parameter as the Chinese it stands for."""
    if isinstance(value, Msg):
        return value.zh
    if isinstance(value, Term):
        return value.zh
    return str(value)


def _sole_role(owner: Owner) -> ShareRole:
    if owner == SALES_DEPARTMENT:
        return ShareRole.DEPARTMENT
    if owner == GROUP_BUY:
        return ShareRole.GROUP_BUY
    return ShareRole.SOLE


def _unique_flags(flags: Iterable[Flag]) -> tuple[Flag, ...]:
    return tuple(dict.fromkeys(flags))


def decision_as_json(decision: OwnershipDecision) -> dict[str, Any]:
    """The decision as the API and the replay CLI print it (Decimals as strings)."""
    return decision.as_json()
