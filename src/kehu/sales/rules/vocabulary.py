"""The words of Part S the ownership engine speaks: rule IDs and their Chinese titles, owners,
the evaluation order and the policy the rules read.

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kehu.sales.rules.messages import Term, gettext_noop, terms

# --- rule IDs -----------------------------------------------------------------------------------

A1_3 = "A1.3"
A1_5 = "A1.5"
A1_6 = "A1.6"
A2_1 = "A2.1"
A2_2 = "A2.2"
A2_5 = "A2.5"
A2_6 = "A2.6"
A2_8 = "A2.8"
A2_12 = "A2.12"
A5_1 = "A5.1"
A5_12 = "A5.12"
A7_1 = "A7.1"
A7_2 = "A7.2"
A7_2_1 = "A7.2(1)"
A7_2_2 = "A7.2(2)"
A7_2_3 = "A7.2(3)"
A7_2_4 = "A7.2(4)"
A7_3 = "A7.3"
A7_4 = "A7.4"
A7_6 = "A7.6"
A7_7 = "A7.7"
A7_9 = "A7.9"
A7_9_1 = "A7.9(1)"
A7_9_2 = "A7.9(2)"
A7_9_3 = "A7.9(3)"
A7_10 = "A7.10"
A7_11 = "A7.11"
A7_12 = "A7.12"
A7_12_1 = "A7.12(1)"
A7_12_2 = "A7.12(2)"
A7_12_3 = "A7.12(3)"
A7_13 = "A7.13"
A7_14 = "A7.14"
A7_15 = "A7.15"
A7_16 = "A7.16"
A7_17 = "A7.17"
A7_18 = "A7.18"
A7_20 = "A7.20"

# Part S, "Ownership (业绩归属)": evaluate in this order; the first rule that applies decides.
EVALUATION_ORDER: tuple[str, ...] = (
    A7_7,
    A7_18,
    A1_6,
    A7_12,
    A7_9,
    A7_10,
    A7_13,
    A7_14,
    A7_15,
    A7_16,
    A1_5,
    A7_20,
)

# One line per clause, as the UI shows it next to a decision.
RULE_TITLES_ZH: dict[str, str] = {
    A1_3: "电话咨询的客户不计入客户登记本",
    A1_5: "客户登记有冲突的，以先登记者为准",
    A1_6: "公司转介的客户由项目经理安排接待，成交提成另议",
    A2_1: "按顺序接待，轮到的售楼员不在或正接待客户则跳过（不接）",
    A2_2: "项目经理可调整轮排顺序，每次调整记录调整人、时间和理由",
    A2_5: "正在接待客户的售楼员不再安排接待，也不得中断接待去接待其他客户",
    A2_6: "售楼员不得在客户面前争抢客户",
    A2_8: "其他售楼员的客户来访，须与原售楼员联络，得到同意后才能继续接待",
    A2_12: "除非客户主动找某售楼员，否则以轮到的售楼员为接待登记人",
    A5_1: "按顺序接待，轮到的售楼员不在或正接待客户则跳过（补接）",
    A5_12: "除非客户主动找某售楼员，否则以轮到的售楼员为客户接待登记人",
    A7_1: "按轮排表顺序接待客户，不得挑拣、争抢客户",
    A7_2: "下列情况在第一时间补接新客户",
    A7_2_1: "接待的是自己的老客户或来电客户，补接",
    A7_2_2: "接待的是同事的老客户且已查明，补接",
    A7_2_3: "帮助同事接待，补接",
    A7_2_4: "项目组另外安排工作而错过接待机会，补接",
    A7_3: "正常休息、事假、病假不补接",
    A7_4: "核实客户归属的依据：客户全名、联系电话、车的品牌和牌照加客户姓（三者有其一即可）",
    A7_6: "新客户、老客户、一家人、公共客户的解释",
    A7_7: "公共客户按轮排接待，不占用接待名额，为销售部公共资源",
    A7_9: "老客户介绍来访的新客户",
    A7_9_1: "老客户带新客户来，原售楼员不在：帮忙接待，事后归还，成交二八分成",
    A7_9_2: "新客户主动找某售楼员，其不在：当值售楼员帮忙接待，事后归还，成交二八分成",
    A7_9_3: "新客户首次来访中说明找某售楼员，归该售楼员且不占接待名额",
    A7_10: "预先登记的介绍客户：来访登记后7天内发现冲突，按登记核实后移交",
    A7_11: "接待过程中，其他同事不许上前询问是否为自己的来电客户或介绍客户",
    A7_12: "来电客户来访",
    A7_12_1: "来电客户未主动找售楼员：按轮排接待，接待完成后查出的以电话服从接待",
    A7_12_2: "来电客户主动找某售楼员且其在场：由其接待，不占用接待名额",
    A7_12_3: "来电客户主动找某售楼员而其不在：当值售楼员帮忙接待，事后归还，成交二八分成",
    A7_13: "接待中发现是他人的客户：交回或经同意继续接待（二八分成），否则视为抢客户",
    A7_14: "一家（批）人以第一时间接待为准，超过30天按新客户处理",
    A7_15: "确实不知已被接待过：接待登记完毕后查出，离原始登记超出60天视为新客户",
    A7_16: "确实不知已被接待过且成交：三天后发觉归成交者，三天内发现五五分成",
    A7_17: "成交：已交定金且签订认购书；成交客户以认购方为准",
    A7_18: "团购客户由当值售楼员按顺序接待，业绩不完全归其所有",
    A7_20: "有疑难问题向销售经理汇报裁定",
}


# The same lines in English (kehu.sales.labels.rule_title picks by the reader's language).
RULE_TITLES_EN: dict[str, str] = {
    A1_3: "Phone enquiries are not entered in the customer registration book",
    A1_5: "When registrations conflict, the first registration wins",
    A1_6: "Company referrals are assigned by the project manager; commission is negotiated",
    A2_1: "Receive in order; skip whoever is away or with a customer (no make-up)",
    A2_2: "The project manager may reorder the rotation; each change records who, when and why",
    A2_5: "A salesperson receiving a customer is not given another, nor leaves to take one",
    A2_6: "Salespeople may not fight over customers in front of them",
    A2_8: "A colleague's customer: contact the colleague and continue only with their consent",
    A2_12: "Unless the customer asks for someone, the salesperson whose turn it is registers",
    A5_1: "Receive in order; skip whoever is away or with a customer (make-up owed)",
    A5_12: "Unless the customer asks for someone, the salesperson whose turn it is registers",
    A7_1: "Receive customers in rotation order; no picking or grabbing customers",
    A7_2: "In these cases a make-up turn is owed, served with the next new customer",
    A7_2_1: "Receiving one's own old customer or phone customer: make-up owed",
    A7_2_2: "Receiving a colleague's old customer, verified: make-up owed",
    A7_2_3: "Helping a colleague receive: make-up owed",
    A7_2_4: "Missing a turn for other work the project team assigned: make-up owed",
    A7_3: "Regular rest days, personal leave and sick leave earn no make-up",
    A7_4: "Ownership is checked by full name, phone number, or car brand and plate with the "
    "surname (any one is enough)",
    A7_6: "What new customers, old customers, families and public customers are",
    A7_7: "Public customers are received in rotation, use no turn and belong to the sales "
    "department",
    A7_9: "New customers referred by old customers",
    A7_9_1: "An old customer brings a new one and their salesperson is away: help, hand back, "
    "deal split 20/80",
    A7_9_2: "A new customer asks for an absent salesperson: the one on duty helps and hands back, "
    "deal split 20/80",
    A7_9_3: "A new customer says on the first visit they came for someone: theirs, no turn used",
    A7_10: "Pre-registered referral: a conflict found within 7 days of the visit's registration "
    "is checked and handed over",
    A7_11: "During a reception, colleagues may not ask whether it is their phone or referred "
    "customer",
    A7_12: "Phone customers visiting",
    A7_12_1: "A phone customer asks for nobody: rotation; found after the reception, the phone "
    "record yields to the reception",
    A7_12_2: "A phone customer asks for someone who is present: they receive, no turn used",
    A7_12_3: "A phone customer asks for someone who is away: the one on duty helps and hands back, "
    "deal split 20/80",
    A7_13: "Someone else's customer found during a reception: hand back, or continue with consent "
    "(20/80); otherwise it is grabbing",
    A7_14: "A family or batch belongs to whoever received first; after 30 days, a new customer",
    A7_15: "Truly unaware of an earlier reception, found after registration: a new customer after "
    "60 days",
    A7_16: "Truly unaware, with a deal: found after 3 days, all to the closer; within 3 days, "
    "50/50",
    A7_17: "A deal: deposit paid and subscription signed; the deal customer is the subscriber",
    A7_18: "Group-buy customers are received in order by those on duty; the performance is not "
    "wholly theirs",
    A7_20: "Difficult questions go to the sales manager, whose ruling is final",
}


# --- owners -------------------------------------------------------------------------------------


class OwnerKind(StrEnum):
    SALESPERSON = "salesperson"  # 售楼员
    SALES_DEPARTMENT = "sales_department"  # 销售部公共资源（A7.7）
    GROUP_BUY = "group_buy"  # 团购：开发商或营销部直接联系（A7.18）


OWNER_KIND_LABELS: dict[OwnerKind, str] = {
    OwnerKind.SALESPERSON: gettext_noop("售楼员"),
    OwnerKind.SALES_DEPARTMENT: gettext_noop("销售部（公共资源）"),
    OwnerKind.GROUP_BUY: gettext_noop("团购（开发商或营销部）"),
}
terms(OWNER_KIND_LABELS.values())


@dataclass(frozen=True, order=True)
class Owner:
    """Who a customer (and a deal's performance) belongs to: one salesperson, the sales
    department (public customers, A7.7) or the group-buy channel (A7.18). Exactly one."""

    kind: OwnerKind
    salesperson: str = ""  # the salesperson's id (staff id as text) when kind is SALESPERSON

    def __post_init__(self) -> None:
        if (self.kind == OwnerKind.SALESPERSON) != bool(self.salesperson):
            raise ValueError("an owner is a salesperson (with an id) or a department (without)")

    @classmethod
    def of(cls, salesperson: str) -> Owner:
        return cls(OwnerKind.SALESPERSON, salesperson)

    @property
    def is_salesperson(self) -> bool:
        return self.kind == OwnerKind.SALESPERSON

    def label_zh(self, names: Mapping[str, str] | None = None) -> str:
        if self.is_salesperson:
            return (names or {}).get(self.salesperson, self.salesperson)
        return OWNER_KIND_LABELS[self.kind]

    def label(self, names: Mapping[str, str] | None = None) -> str | Term:
        """``label_zh`` as a message parameter: a name is data, a department a label."""
        if self.is_salesperson:
            return self.label_zh(names)
        return Term(OWNER_KIND_LABELS[self.kind])

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "salesperson": self.salesperson}


SALES_DEPARTMENT = Owner(OwnerKind.SALES_DEPARTMENT)
GROUP_BUY = Owner(OwnerKind.GROUP_BUY)


# --- policy -------------------------------------------------------------------------------------


class SkipMakeup(StrEnum):
    """``rotation.skip_makeup``: A2.1 跳过（不接） or A5.1 跳过（补接）, limited by A7.2/A7.3."""

    NONE = "none"
    OWED = "owed"


class ProtectionAnchor(StrEnum):
    """Reading (protection anchor): where the 30/60-day windows start."""

    ORIGINAL_REGISTRATION = "original_registration"  # 与现归属售楼员的首次登记
    LAST_OWNER_VISIT = "last_owner_visit"  # 现归属售楼员最近一次登记的来访


class TransferDealSplit(StrEnum):
    """Reading: a deal the receiver closed on a customer a rule then gives to someone else,
    where the rule names no split (A7.9(3), A7.10, A7.14, A1.5)."""

    HELP_SPLIT = "help_split"  # 按帮忙接待的二八分成：成交者 20%，归属售楼员 80%
    OWNER_ALL = "owner_all"  # 业绩全部归归属售楼员


@dataclass(frozen=True)
class OwnershipPolicy:
    """Every number of Part S's ownership rules; defaults are the rulebook's.

    Built from the ``sales`` policy version in force (``kehu.sales.policy.SalesSettings
    .as_rules_policy()``); the rules never read settings themselves.
    """

    referral_valid_days: int = 7  # A7.10
    family_window_days: int = 30  # A7.14
    new_customer_after_days: int = 60  # A7.15, A7.16
    discovery_days: int = 3  # A7.16
    phone_enquiry_valid_days: int = 60  # reading: A7.12/A7.13 for phone customers
    help_closer_percent: Decimal = Decimal("20")  # A7.9(1)(2), A7.12(3), A7.13: closer's share
    unknowing_closer_percent: Decimal = Decimal("50")  # A7.16 found within the days
    grab_fine_min: Decimal = Decimal("200")  # A7.13
    grab_fine_max: Decimal = Decimal("500")  # A7.13
    skip_makeup: SkipMakeup = SkipMakeup.OWED  # A2.1 / A5.1 / A7.2
    protection_anchor: ProtectionAnchor = ProtectionAnchor.ORIGINAL_REGISTRATION
    transfer_deal_split: TransferDealSplit = TransferDealSplit.HELP_SPLIT
    group_buy_consumes: bool = False  # A7.18 reading
    group_buy_weight: Decimal = Decimal("1.5")  # A7.18: weight in the group-buy bonus

    def __post_init__(self) -> None:
        for name in (
            "referral_valid_days",
            "family_window_days",
            "new_customer_after_days",
            "discovery_days",
            "phone_enquiry_valid_days",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        for name in ("help_closer_percent", "unknowing_closer_percent"):
            if not Decimal(0) <= getattr(self, name) <= Decimal(100):
                raise ValueError(f"{name} must lie between 0 and 100")
        if not Decimal(0) <= self.grab_fine_min <= self.grab_fine_max:
            raise ValueError("the grab fine range must be 0 ≤ minimum ≤ maximum")
        if self.group_buy_weight < 1:
            raise ValueError("the group-buy weight must be at least 1")
