"""The sales-office policy (key ``sales``): every number and reading of Part S's rotation and
ownership rules, with the rulebook's defaults. ``as_rules_policy`` hands the pure engine
(``kehu.sales.rules``) its plain dataclass.

Field names are flat; the rulebook's dotted names map to them: ``rotation.skip_makeup`` →
``skip_makeup``, ``ownership.family_window_days`` → ``family_window_days``,
``ownership.new_customer_after_days`` → ``new_customer_after_days``,
``ownership.protection_anchor`` → ``protection_anchor``. ``identity.full_name_alone`` stays in
the kernel's ``identity`` policy and the follow-up days in ``customers.follow_up_days``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Self

from pydantic import model_validator

from kehu.core.policy.registry import PolicySchema, policy_field, register_policy_schema
from kehu.sales.rules.vocabulary import (
    OwnershipPolicy,
    ProtectionAnchor,
    SkipMakeup,
    TransferDealSplit,
)


class SalesSettings(PolicySchema):
    # --- rotation (轮排) -----------------------------------------------------------------------
    skip_makeup: Literal["none", "owed"] = policy_field(
        "owed",
        title="轮到时不在或正在接待：是否补接",
        title_en="Make-up turn when skipped",
        description=(
            "第2篇第1条“跳过（不接）”或第5篇第1条“跳过（补接）”。选“补接”时，只有第7篇第2条所列"
            "四种情形补接（接待自己的老客户或来电客户、接待同事的老客户且已查明、帮助同事接待、"
            "项目组另外安排工作），正常休班、事假和病假不补接（第7篇第3条）。"
        ),
        rule_ids=["A2.1", "A5.1", "A7.2", "A7.3"],
        choice_labels={"none": "跳过，不补接", "owed": "跳过，补接"},
    )
    group_buy_consumes: bool = policy_field(
        False,
        title="接待团购客户占用接待名额",
        title_en="A group-buy reception consumes a turn",
        description="原文未规定；默认不占用（团购客户业绩不归接待人，规则解读）。",
        rule_ids=["A7.18"],
    )
    group_buy_weight: Decimal = policy_field(
        Decimal("1.5"),
        title="团购奖金分配中接待人的权重",
        title_en="Receiver's weight in the group-buy bonus",
        description="“分配团购成交奖金时，适度增加比例”：原文未规定具体数值，1 为不加权。",
        rule_ids=["A7.18"],
        ge=1,
        le=10,
        max_digits=4,
        decimal_places=2,
    )
    # --- windows (天数按售楼处所在地日历日计算；第N天仍在期限内) ----------------------------------
    referral_valid_days: int = policy_field(
        7,
        title="预先登记介绍客户的有效期（天）",
        title_en="Validity of a pre-registered referral (days)",
        description="介绍的客户来访登记完后，在这些天内发现冲突的，按登记核实后移交（第N天仍有效）。",
        rule_ids=["A7.10"],
        ge=0,
        le=365,
    )
    family_window_days: int = policy_field(
        30,
        title="一家（批）人按同一客户处理的期限（天）",
        title_en="Family or batch window (days)",
        description="后期来访与原始登记或成交时间超过这些天，按新客户处理（规则解读：只适用于一家或一批人）。",
        rule_ids=["A7.14"],
        ge=0,
        le=3650,
    )
    new_customer_after_days: int = policy_field(
        60,
        title="超过多少天视为新客户（天）",
        title_en="Days after which a customer counts as new",
        description="此次来访（或成交）离原始登记超出这些天，视为新客户（新客户成交），原始接待员不参与提成。",
        rule_ids=["A7.15", "A7.16"],
        ge=0,
        le=3650,
    )
    discovery_days: int = policy_field(
        3,
        title="成交后发现冲突的分界（天）",
        title_en="Days after a deal that split a conflict found",
        description="不知情接待并成交：在这些天内发现的五五分成，之后发觉的业绩归成交者。",
        rule_ids=["A7.16"],
        ge=0,
        le=365,
    )
    phone_enquiry_valid_days: int = policy_field(
        60,
        title="来电客户归接听人的期限（天）",
        title_en="Days a phone enquiry keeps its customer",
        description=(
            "原文未规定来电记录的有效期；默认比照第7篇第15条的60天：来电后超过这些天才来访的，"
            "来电记录不再构成冲突（规则解读）。"
        ),
        rule_ids=["A7.5", "A7.12"],
        ge=0,
        le=3650,
    )
    protection_anchor: Literal["original_registration", "last_owner_visit"] = policy_field(
        "original_registration",
        title="保护期起算点",
        title_en="Protection windows start at",
        description="“原始登记”指与现归属售楼员的首次登记；也可改为从其最近一次登记的来访起算（规则解读）。",
        rule_ids=["A7.14", "A7.15", "A7.16"],
        choice_labels={
            "original_registration": "原始登记",
            "last_owner_visit": "归属售楼员最近一次登记的来访",
        },
    )
    # --- shares and penalties --------------------------------------------------------------------
    help_closer_percent: Decimal = policy_field(
        Decimal("20"),
        title="帮忙接待成交时成交者所占比例（%）",
        title_en="Closer's share when helping (%)",
        description="二八分成：成交的售楼员占此比例，原售楼员占其余部分。",
        rule_ids=["A7.9", "A7.12", "A7.13"],
        ge=0,
        le=100,
        max_digits=5,
        decimal_places=2,
    )
    unknowing_closer_percent: Decimal = policy_field(
        Decimal("50"),
        title="不知情成交、期限内发现时成交者所占比例（%）",
        title_en="Closer's share when found within the days (%)",
        description="五五分成：成交的售楼员占此比例，原始接待员占其余部分。",
        rule_ids=["A7.16"],
        ge=0,
        le=100,
        max_digits=5,
        decimal_places=2,
    )
    transfer_deal_split: Literal["help_split", "owner_all"] = policy_field(
        "help_split",
        title="客户移交时接待人已成交的分成",
        title_en="Share of a deal the receiver closed before a transfer",
        description=(
            "条文未规定分成的移交（第7篇第9条(3)、第10条、第14条，以及第1篇第5条）：按帮忙接待"
            "的二八分成，或业绩全部归归属售楼员（规则解读）。"
        ),
        rule_ids=["A7.9", "A7.10", "A7.14", "A1.5"],
        choice_labels={"help_split": "按二八分成", "owner_all": "全部归归属售楼员"},
    )
    grab_fine_min: Decimal = policy_field(
        Decimal("200.00"),
        title="抢客户罚款下限（元）",
        title_en="Minimum fine for grabbing a customer (yuan)",
        rule_ids=["A7.13"],
        ge=0,
        max_digits=12,
        decimal_places=2,
    )
    grab_fine_max: Decimal = policy_field(
        Decimal("500.00"),
        title="抢客户罚款上限（元）",
        title_en="Maximum fine for grabbing a customer (yuan)",
        rule_ids=["A7.13"],
        ge=0,
        max_digits=12,
        decimal_places=2,
    )

    # --- beyond the regulations (issue #4 item 7): channel reports, public pool, alerts -------
    # The seed says nothing of these; every default below is the product's (rulebook silent).
    channel_protection_amount: int = policy_field(
        72,
        title="渠道报备保护期（数值）",
        title_en="Channel report protection (amount)",
        description="原文未规定（规则手册未涉及）；默认 72 小时，单位见下一项。",
        rule_ids=["X7.1"],
        ge=1,
        le=8760,
    )
    channel_protection_unit: Literal["hours", "days"] = policy_field(
        "hours",
        title="渠道报备保护期单位",
        title_en="Channel report protection unit",
        description="按小时：报备时刻起算满这些小时为止；按天：报备当天为第0天，第N天仍在保护期内。",
        rule_ids=["X7.1"],
        choice_labels={"hours": "小时", "days": "天"},
    )
    channel_visit_decides: bool = policy_field(
        True,
        title="到访为王",
        title_en="Visit decides (到访为王)",
        description=(
            "开：客户须在保护期内到访，到访即确认报备、渠道长期保有该客户，否则报备失效；"
            "关：报备本身在保护期内保护渠道，到期即止（到访只作记录）。"
        ),
        rule_ids=["X7.3"],
    )
    channel_expiring_hours: int = policy_field(
        24,
        title="报备即将到期提醒（小时）",
        title_en="Warn of channel reports expiring within (hours)",
        rule_ids=["X7.1"],
        ge=1,
        le=720,
    )
    pool_no_follow_up_days: int = policy_field(
        30,
        title="无跟进退回公客池（天）",
        title_en="Days without follow-up before a customer returns to the pool",
        description="售楼员的客户超过这些天没有跟进、来访或认领（第N天仍归售楼员），退回公客池。",
        rule_ids=["X7.4", "A1.4"],
        ge=1,
        le=3650,
    )
    pool_daily_claim_quota: int = policy_field(
        5,
        title="每人每天可认领公客数",
        title_en="Pool claims per salesperson per day",
        rule_ids=["X7.5"],
        ge=0,
        le=1000,
    )
    alert_correction_window_days: int = policy_field(
        7,
        title="频繁更正登记：统计天数",
        title_en="Frequent corrections: window (days)",
        rule_ids=["X7.6", "A1.2"],
        ge=1,
        le=365,
    )
    alert_correction_threshold: int = policy_field(
        5,
        title="频繁更正登记：达到条数即预警",
        title_en="Frequent corrections: alert at this many",
        rule_ids=["X7.6", "A1.2"],
        ge=1,
        le=1000,
    )
    alert_owner_change_window_days: int = policy_field(
        30,
        title="归属频繁变更：统计天数",
        title_en="Frequent owner changes: window (days)",
        rule_ids=["X7.7"],
        ge=1,
        le=365,
    )
    alert_owner_change_limit: int = policy_field(
        3,
        title="归属频繁变更：超过次数即预警",
        title_en="Frequent owner changes: alert above this many",
        rule_ids=["X7.7"],
        ge=0,
        le=1000,
    )
    alert_quick_claim_hours: int = policy_field(
        24,
        title="退池后速领：退回后多少小时内认领算速领",
        title_en="Quick claims: hours after the return",
        rule_ids=["X7.8", "A2.4"],
        ge=1,
        le=720,
    )
    alert_quick_claim_window_days: int = policy_field(
        7,
        title="退池后速领：统计天数",
        title_en="Quick claims: window (days)",
        rule_ids=["X7.8", "A2.4"],
        ge=1,
        le=365,
    )
    alert_quick_claim_threshold: int = policy_field(
        3,
        title="退池后速领：达到次数即预警",
        title_en="Quick claims: alert at this many",
        rule_ids=["X7.8", "A2.4"],
        ge=1,
        le=1000,
    )

    @model_validator(mode="after")
    def _fine_range(self) -> Self:
        if self.grab_fine_min > self.grab_fine_max:
            raise ValueError("抢客户罚款下限不能大于上限 (the minimum fine exceeds the maximum)")
        return self

    def as_rules_policy(self) -> OwnershipPolicy:
        return OwnershipPolicy(
            referral_valid_days=self.referral_valid_days,
            family_window_days=self.family_window_days,
            new_customer_after_days=self.new_customer_after_days,
            discovery_days=self.discovery_days,
            phone_enquiry_valid_days=self.phone_enquiry_valid_days,
            help_closer_percent=self.help_closer_percent,
            unknowing_closer_percent=self.unknowing_closer_percent,
            grab_fine_min=self.grab_fine_min,
            grab_fine_max=self.grab_fine_max,
            skip_makeup=SkipMakeup(self.skip_makeup),
            protection_anchor=ProtectionAnchor(self.protection_anchor),
            transfer_deal_split=TransferDealSplit(self.transfer_deal_split),
            group_buy_consumes=self.group_buy_consumes,
            group_buy_weight=self.group_buy_weight,
        )


register_policy_schema("sales", SalesSettings, title_zh="案场销售", title_en="Sales office")
