"""Policy schemas of the shared kernel (identity, customers, calendar).

They live here until the kernel app that applies them takes them over: to move one, cut the
class and its ``register_policy_schema`` call into that app's ``policy.py`` unchanged (same key,
same field names), so stored versions keep validating.
"""

from __future__ import annotations

from typing import Literal

from kehu.core.policy.registry import PolicySchema, policy_field, register_policy_schema


class IdentityPolicy(PolicySchema):
    """Part S, “Identity: when are two registrations the same customer”."""

    full_name_alone: Literal["decides", "needs_confirmation"] = policy_field(
        "needs_confirmation",
        title="仅全名相同时的处理",
        title_en="When only the full name matches",
        description=(
            "两条登记只有客户全名相同（电话、车牌均不相同或缺失）时：直接判定为同一客户，"
            "或列为冲突，交销售经理确认（同名不同人很常见）。"
        ),
        rule_ids=["A7.4", "A7.20"],
        choice_labels={
            "decides": "直接判定为同一客户",
            "needs_confirmation": "列为冲突，交销售经理确认",
        },
    )


class CustomersPolicy(PolicySchema):
    follow_up_days: int = policy_field(
        7,
        title="未跟进提醒天数",
        title_en="Days without follow-up before a reminder",
        description="售楼员的客户超过这些天没有跟进记录时，在其客户列表中提醒。",
        rule_ids=["A1.4"],
        ge=1,
        le=365,
    )
    phone_mask: bool = policy_field(
        True,
        title="隐藏客户电话中间四位",
        title_en="Mask the middle of customers' phone numbers",
        description=(
            "列表和详情中把电话显示为 138****5678；有“查看电话”权限的人可逐条查看，"
            "每次查看都记入审计。"
        ),
        rule_ids=[],
    )


class CalendarPolicy(PolicySchema):
    """Part C, “Reading (clock)”: the default clock for deadlines written as N日."""

    days_clock: Literal["calendar_days", "working_days"] = policy_field(
        "calendar_days",
        title="“N日”期限的计算方式",
        title_en="How deadlines in days are counted",
        description=(
            "制度中的“N日”默认按自然日计算；也可改为按中国工作日计算（跳过周末和法定节假日，"
            "调休上班的周六、周日算工作日）。“24小时”始终按钟点计算。各类期限可在各自的规则设置中另行规定。"
        ),
        rule_ids=["A3"],
        choice_labels={"calendar_days": "自然日", "working_days": "工作日（含调休）"},
    )


register_policy_schema(
    "identity", IdentityPolicy, title_zh="客户身份识别", title_en="Customer identity"
)
register_policy_schema("customers", CustomersPolicy, title_zh="客户跟进", title_en="Customers")
register_policy_schema(
    "calendar", CalendarPolicy, title_zh="期限日历", title_en="Deadline calendar"
)
