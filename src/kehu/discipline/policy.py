"""The rewards-and-penalties policy: every number of A4 五 and A4 四.六, with the rulebook's
defaults and readings. ``as_rules_policy`` hands the pure rules their plain dataclass."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from kehu.core.policy.registry import PolicySchema, policy_field, register_policy_schema
from kehu.discipline.rules import DisciplinePolicy, HazardSeverity, WindowMode

_WINDOW_LABELS = {"calendar_year": "自然年", "rolling_12_months": "滚动 12 个月"}


class DisciplineSettings(PolicySchema):
    accumulation_window_months: int = policy_field(
        12,
        title="累计期（月）",
        title_en="Accumulation window (months)",
        description="只有这段时间内的通报批评、记过、表扬、记功才相互累计（规则解读）。",
        rule_ids=["A4 五.5.5"],
        ge=1,
        le=120,
    )
    penalty_period_months: int = policy_field(
        12,
        title="处分期（月）",
        title_en="Penalty period (months)",
        description="处分期间内的立功表现可提请功过相抵（规则解读）。",
        rule_ids=["A4 五.5.6"],
        ge=1,
        le=120,
    )
    major_merit_pair_bonus: Decimal = policy_field(
        Decimal("2000.00"),
        title="2次记大功一次性奖励（元）",
        title_en="One-time bonus for two major merits (yuan)",
        rule_ids=["A4 五.5.5"],
        ge=0,
        max_digits=12,
        decimal_places=2,
    )
    failure_threshold_types_1_to_4: int = policy_field(
        3,
        title="同类不合格（第1–4类）第几次予以警告",
        title_en="Same-type failures (types 1–4) that bring a warning",
        rule_ids=["A4 四.六.1", "A4 四.六.2", "A4 四.六.3", "A4 四.六.4"],
        ge=1,
        le=12,
    )
    failure_threshold_monthly_report: int = policy_field(
        2,
        title="未上报班组检查情况第几次予以警告",
        title_en="Missing monthly reports that bring a warning",
        rule_ids=["A4 四.六.5"],
        ge=1,
        le=12,
    )
    cover_up_demotion_threshold: int = policy_field(
        2,
        title="包庇或隐瞒不报第几次提请降职",
        title_en="Cover-ups that bring a demotion proposal",
        rule_ids=["A4 四.六.6"],
        ge=1,
        le=12,
    )
    failure_deduction_points: int = policy_field(
        2,
        title="每次不合格绩效减分",
        title_en="Performance points deducted per failure",
        rule_ids=["A4 四.六"],
        ge=0,
        le=100,
    )
    failure_heavy_deduction_points: int = policy_field(
        5,
        title="达到警告次数时加重减分",
        title_en="Heavier deduction when the warning threshold is reached",
        rule_ids=["A4 四.六"],
        ge=0,
        le=100,
    )
    same_type_window: Literal["calendar_year", "rolling_12_months"] = policy_field(
        "calendar_year",
        title="同类情况的计算期间",
        title_en="Window for counting same-type failures",
        rule_ids=["A4 四.六"],
        choice_labels=_WINDOW_LABELS,
    )
    warnings_for_reassignment: int = policy_field(
        2,
        title="年内几次警告提请调岗或降职",
        title_en="Warnings within the window that bring reassignment or demotion",
        rule_ids=["A4 四.六.7"],
        ge=1,
        le=12,
    )
    warning_window: Literal["calendar_year", "rolling_12_months"] = policy_field(
        "calendar_year",
        title="警告次数的计算期间（“年内”）",
        title_en="Window for counting warnings (“within the year”)",
        rule_ids=["A4 四.六.7"],
        choice_labels=_WINDOW_LABELS,
    )
    hazard_reward_minor: Decimal = policy_field(
        Decimal("200.00"),
        title="举报轻微隐患奖励（元）",
        title_en="Reward for a minor hazard report (yuan)",
        rule_ids=["A4 五.6.1"],
        ge=0,
        max_digits=12,
        decimal_places=2,
    )
    hazard_reward_ordinary: Decimal = policy_field(
        Decimal("500.00"),
        title="举报一般隐患奖励（元）",
        title_en="Reward for an ordinary hazard report (yuan)",
        rule_ids=["A4 五.6.1"],
        ge=0,
        max_digits=12,
        decimal_places=2,
    )
    hazard_reward_major: Decimal = policy_field(
        Decimal("1000.00"),
        title="举报较大隐患奖励（元）",
        title_en="Reward for a major hazard report (yuan)",
        rule_ids=["A4 五.6.1"],
        ge=0,
        max_digits=12,
        decimal_places=2,
    )
    hazard_reward_serious: Decimal = policy_field(
        Decimal("2000.00"),
        title="举报严重隐患奖励（元）",
        title_en="Reward for a serious hazard report (yuan)",
        rule_ids=["A4 五.6.1"],
        ge=0,
        max_digits=12,
        decimal_places=2,
    )
    theft_reward_rate: Literal["0.05", "0.10"] = policy_field(
        "0.05",
        title="盗气举报奖励比例",
        title_en="Reward rate for a gas-theft report",
        description="按对盗气客户的处罚额或追缴气费额的百分比奖励举报客户。",
        rule_ids=["A4 五.6.2"],
        choice_labels={"0.05": "5%", "0.10": "10%"},
    )
    appeal_supervisor_workdays: int = policy_field(
        5,
        title="主管领导处理申诉期限（工作日）",
        title_en="Supervisor's time to handle an appeal (working days)",
        description="原文未规定期限；默认值为本系统的解读，可按公司制度调整。",
        rule_ids=["A4 四.七.2"],
        ge=1,
        le=60,
    )
    appeal_hr_workdays: int = policy_field(
        10,
        title="人力资源调查协调期限（工作日）",
        title_en="HR's time to investigate an escalated appeal (working days)",
        description="原文未规定期限；默认值为本系统的解读，可按公司制度调整。",
        rule_ids=["A4 四.七.2"],
        ge=1,
        le=120,
    )

    def as_rules_policy(self) -> DisciplinePolicy:
        types = self.failure_threshold_types_1_to_4
        return DisciplinePolicy(
            accumulation_window_months=self.accumulation_window_months,
            penalty_period_months=self.penalty_period_months,
            major_merit_pair_bonus=self.major_merit_pair_bonus,
            failure_thresholds=(
                (1, types),
                (2, types),
                (3, types),
                (4, types),
                (5, self.failure_threshold_monthly_report),
            ),
            cover_up_demotion_threshold=self.cover_up_demotion_threshold,
            failure_deduction_points=self.failure_deduction_points,
            failure_heavy_deduction_points=self.failure_heavy_deduction_points,
            same_type_window=WindowMode(self.same_type_window),
            warnings_for_reassignment=self.warnings_for_reassignment,
            warning_window=WindowMode(self.warning_window),
        )

    def hazard_amounts(self) -> dict[HazardSeverity, Decimal]:
        return {
            HazardSeverity.MINOR: self.hazard_reward_minor,
            HazardSeverity.ORDINARY: self.hazard_reward_ordinary,
            HazardSeverity.MAJOR: self.hazard_reward_major,
            HazardSeverity.SERIOUS: self.hazard_reward_serious,
        }


register_policy_schema(
    "discipline", DisciplineSettings, title_zh="奖惩", title_en="Rewards and penalties"
)
