"""The complaints policy (key ``complaints``): each stage's clock per profile, the warning band,
escalation, the A8.2 fines, grouping and work-order deadlines, with the rulebook's defaults.
``as_rules_policy`` hands the pure engine (``kehu.complaints.rules``) its plain dataclass.

A clock is an amount and a unit: ``hour`` (clock hours), ``day`` (calendar days), ``workday``
(China working days, with official holidays and adjusted working days 调休) or ``sameday``
(A3 reading (clock); docs/calendar.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from kehu.complaints import rules
from kehu.core.calendar.rules import Unit
from kehu.core.policy.registry import PolicySchema, policy_field, register_policy_schema

ClockUnit = Literal["hour", "day", "workday", "sameday"]
_UNIT_LABELS = {
    "hour": "小时（钟点）",
    "day": "自然日",
    "workday": "工作日（含调休）",
    "sameday": "当日",
}


def _amount(default: int, title: str, title_en: str, rule: str) -> int:
    return policy_field(default, title=title, title_en=title_en, rule_ids=[rule], ge=0, le=2000)


def _unit(default: str, title: str, title_en: str, rule: str) -> ClockUnit:
    return policy_field(
        default,
        title=title,
        title_en=title_en,
        rule_ids=[rule, rules.A3_CLOCK],
        choice_labels=_UNIT_LABELS,
    )


class ComplaintSettings(PolicySchema):
    # --- A3: the company standard ---------------------------------------------------------------
    forward_amount: int = _amount(24, "受理单位转客服中心时限", "Forward to service: amount", "A3")
    forward_unit: ClockUnit = _unit("hour", "受理单位转客服中心时限单位", "Forward: unit", "A3")
    dispatch_amount: int = _amount(24, "客服中心分类派单时限", "Dispatch: amount", "A3")
    dispatch_unit: ClockUnit = _unit("hour", "客服中心分类派单时限单位", "Dispatch: unit", "A3")
    result_amount: int = _amount(3, "责任部门回复时限", "Department result: amount", "A3")
    result_unit: ClockUnit = _unit("day", "责任部门回复时限单位", "Department result: unit", "A3")
    tell_amount: int = _amount(2, "告知客户时限", "Tell the customer: amount", "A3")
    tell_unit: ClockUnit = _unit("day", "告知客户时限单位", "Tell the customer: unit", "A3")
    not_soon_amount: int = _amount(
        3, "无法短期解决时向客户解释时限", "Cannot solve soon: explain within", "A3"
    )
    not_soon_unit: ClockUnit = _unit(
        "day", "无法短期解决时向客户解释时限单位", "Cannot solve soon: unit", "A3"
    )
    # --- the sweep ------------------------------------------------------------------------------
    warn_at_percent: int = policy_field(
        80,
        title="超时预警（已用时限的百分比）",
        title_en="Warn when this share of the time is used (%)",
        description="规则解读：原文要求全程跟踪，未规定预警点。",
        rule_ids=["A3"],
        ge=1,
        le=99,
    )
    escalate_every_hours: int = policy_field(
        24,
        title="超时后逐级督办间隔（小时）",
        title_en="Escalate one level up every (hours) after a breach",
        description="规则解读：超时即催办责任人；此后每隔该时长向上一级督办。",
        rule_ids=["A3"],
        ge=1,
        le=720,
    )
    # --- A8.2 ------------------------------------------------------------------------------------
    a8_2_service_fine: Decimal = policy_field(
        Decimal("100"),
        title="售楼处投诉未按时解决：客服每件罚款（元）",
        title_en="A8.2 fine per item, customer service (yuan)",
        rule_ids=["A8.2"],
        ge=0,
        max_digits=8,
        decimal_places=2,
    )
    a8_2_director_fine: Decimal = policy_field(
        Decimal("50"),
        title="售楼处投诉未按时解决：销售总监连带罚款（元）",
        title_en="A8.2 joint fine, sales director (yuan)",
        rule_ids=["A8.2"],
        ge=0,
        max_digits=8,
        decimal_places=2,
    )
    a8_2_assistant_fine: Decimal = policy_field(
        Decimal("50"),
        title="售楼处投诉未按时解决：总监助理连带罚款（元）",
        title_en="A8.2 joint fine, director's assistant (yuan)",
        rule_ids=["A8.2"],
        ge=0,
        max_digits=8,
        decimal_places=2,
    )
    # --- grouping ---------------------------------------------------------------------------------
    group_window_days: int = policy_field(
        7,
        title="同一问题归并的时间窗（天）",
        title_en="Group complaints about one problem within (days)",
        description="规则解读：同一项目/楼栋、同一类别、相隔不超过该天数的投诉建议归并，由人确认。",
        rule_ids=["A3"],
        ge=1,
        le=90,
    )

    def as_rules_policy(self) -> rules.ComplaintPolicy:
        a3 = dict(rules.DEFAULT_CLOCKS[rules.Profile.A3])

        def clock(stage: rules.Stage, amount: int, unit: str) -> rules.StageClock:
            base = a3[stage]
            the_unit = Unit(unit)
            return rules.StageClock(
                0 if the_unit is Unit.SAMEDAY else max(amount, 1),
                the_unit,
                base.rule_ids,
                base.duty_zh,
                base.duty_en,
            )

        a3[rules.Stage.RECEIVED] = clock(
            rules.Stage.RECEIVED, self.forward_amount, self.forward_unit
        )
        a3[rules.Stage.AT_SERVICE] = clock(
            rules.Stage.AT_SERVICE, self.dispatch_amount, self.dispatch_unit
        )
        a3[rules.Stage.DISPATCHED] = clock(
            rules.Stage.DISPATCHED, self.result_amount, self.result_unit
        )
        a3[rules.Stage.RESULT] = clock(rules.Stage.RESULT, self.tell_amount, self.tell_unit)
        a3[rules.Stage.NOT_SOON] = clock(
            rules.Stage.NOT_SOON, self.not_soon_amount, self.not_soon_unit
        )
        return rules.ComplaintPolicy(
            clocks={
                rules.Profile.A3: a3,
                rules.Profile.A8_2: dict(rules.DEFAULT_CLOCKS[rules.Profile.A8_2]),
            },
            warn_at_percent=self.warn_at_percent,
            escalate_every_hours=self.escalate_every_hours,
            a8_2_service_fine=self.a8_2_service_fine,
            a8_2_director_fine=self.a8_2_director_fine,
            a8_2_assistant_fine=self.a8_2_assistant_fine,
            group_window_days=self.group_window_days,
        )


register_policy_schema(
    "complaints", ComplaintSettings, title_zh="客户投诉与服务", title_en="Complaints and service"
)
