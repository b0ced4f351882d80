"""Rewards and penalties (奖惩): the per-employee ledger, decisions, appeals, customer reports.

Evidence tables (entries, decisions, appeal events, evidence files) are append-only in the
database (``AppendOnly`` triggers, migration 0002). Appeals and customer reports carry a mutable
*state* row for queues; every change of state is also an append-only event.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import CompanyOwned, Staff
from kehu.discipline.labels import kind_label_lazy
from kehu.discipline.rules import HazardSeverity, Kind

# rules.KIND_LABELS, translated when shown (kehu.discipline.labels).
ENTRY_KIND_CHOICES = [(kind.value, kind_label_lazy(kind)) for kind in Kind]


class DisciplineEntry(CompanyOwned):
    """One fact on an employee's rewards-and-penalties ledger (A4 五.5).

    Conversions (2 criticisms → 1 minor demerit …) are not stored: ``rules.standing`` derives
    them from these rows, so a standing is always recomputable from the ledger.
    """

    employee = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="discipline_entries", verbose_name="员工"
    )
    on = models.DateField("发生日期")
    kind = models.CharField("类型", max_length=30, choices=ENTRY_KIND_CHOICES)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True)
    points = models.IntegerField("绩效分", null=True)
    failure_type = models.PositiveSmallIntegerField("不合格类型（A4 四.六）", null=True)
    # Ids of the entries this one acts on: offset → (merit, penalty); reversal → (entry,).
    refs = models.JSONField("引用条目", default=list, blank=True)
    reason = models.TextField("事由")
    rule_ids = models.JSONField("依据条款", default=list)
    # Where the entry came from: a deal, a complaint, a supervision month, an appeal …
    source_type = models.CharField("来源类型", max_length=60, blank=True)
    source_id = models.CharField("来源", max_length=64, blank=True)
    policy_ref = models.CharField("规则版本", max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "奖惩记录"
        verbose_name_plural = "奖惩记录"
        default_permissions = ("add", "view")
        permissions = [
            ("view_team_discipline", "可查看下属的奖惩台账"),
            ("view_company_discipline", "可查看本公司全部奖惩台账及报表"),
            ("decide_discipline", "可决定奖惩提议（抵销、解除、降职、罚款金额）"),
            ("view_reporter_identity", "可查看举报客户身份"),
            ("verify_customer_report", "可核实客户举报并确定奖励"),
        ]
        indexes = [
            models.Index(fields=["company", "employee", "on"], name="discipline_entry_employee"),
            models.Index(fields=["company", "on"], name="discipline_entry_company_on"),
            models.Index(fields=["source_type", "source_id"], name="discipline_entry_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="discipline_entry_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.employee.name} {self.get_kind_display()}"


class ProposalKind(models.TextChoices):
    FINE_IN_RANGE = "fine_in_range", _("罚款（在规定范围内定额）")
    # Another app's rules call for a reprimand (e.g. a sales conduct record, A2.4/A2.6): the
    # manager decides; approved, it is a 通报批评 entry and counts toward demerits (A4 五.5.5).
    CRITICISM = "criticism", _("通报批评")
    TERMINATION = "termination", _("解除劳动合同")
    DEMOTION = "demotion", _("降职")
    REASSIGNMENT_OR_DEMOTION = "reassignment_or_demotion", _("调整岗位或降职")
    OFFSET = "offset", _("功过相抵")


class DisciplineProposal(CompanyOwned):
    """A proposal another app posts for a human to decide (e.g. A7.13: a grab → a fine of
    200–500 yuan chosen by the sales manager). Proposals that ``rules.standing`` derives
    (termination, demotion, offsets) are not stored; their decisions are, keyed by
    ``proposal_key``."""

    employee = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="discipline_proposals", verbose_name="员工"
    )
    kind = models.CharField("类型", max_length=30, choices=ProposalKind.choices)
    on = models.DateField("发生日期")
    low = models.DecimalField("下限（元）", max_digits=12, decimal_places=2, null=True)
    high = models.DecimalField("上限（元）", max_digits=12, decimal_places=2, null=True)
    reason = models.TextField("事由")
    rule_ids = models.JSONField("依据条款", default=list)
    source_type = models.CharField("来源类型", max_length=60, blank=True)
    source_id = models.CharField("来源", max_length=64, blank=True)
    decider_post = models.CharField("决定岗位", max_length=30, blank=True)
    proposed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="提议人"
    )
    proposed_at = models.DateTimeField("提议时间", default=timezone.now)

    class Meta:
        verbose_name = "奖惩提议"
        verbose_name_plural = "奖惩提议"
        default_permissions = ("add", "view")
        indexes = [models.Index(fields=["company", "employee"], name="discipline_proposal_emp")]


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("批准")
    REJECTED = "rejected", _("不予批准")


class ProposalDecision(CompanyOwned):
    """A manager's decision on a proposal; an approval also writes the resulting entry."""

    employee = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    # "stored:<id>" for a DisciplineProposal, or "<kind>:<id>+<id>" for a derived proposal.
    proposal_key = models.CharField("提议", max_length=200)
    proposal = models.ForeignKey(
        DisciplineProposal, on_delete=models.PROTECT, null=True, related_name="decisions"
    )
    outcome = models.CharField("决定", max_length=10, choices=DecisionOutcome.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True)
    reason = models.TextField("理由")
    resulting_entry = models.ForeignKey(
        DisciplineEntry, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", default=timezone.now)

    class Meta:
        verbose_name = "奖惩决定"
        verbose_name_plural = "奖惩决定"
        default_permissions = ("add", "view")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "proposal_key"], name="discipline_one_decision_per_proposal"
            ),
        ]


class AppealState(models.TextChoices):
    SUPERVISOR_REVIEW = "supervisor_review", _("主管领导协调中")
    ESCALATED = "escalated", _("已向上一级申诉，人力资源调查中")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")
    WITHDRAWN = "withdrawn", _("已撤回")


APPEAL_OPEN_STATES = (AppealState.SUPERVISOR_REVIEW, AppealState.ESCALATED)


class Appeal(CompanyOwned):
    """An employee's appeal against an entry (A4 四.七): supervisor first, then the next
    level up with HR investigating. The row holds the current state for queues; every
    transition is an ``AppealEvent``."""

    entry = models.ForeignKey(
        DisciplineEntry, on_delete=models.PROTECT, related_name="appeals", verbose_name="申诉条目"
    )
    appellant = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="appeals", verbose_name="申诉人"
    )
    state = models.CharField("状态", max_length=30, choices=AppealState.choices)
    handler = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="当前处理人"
    )
    statement = models.TextField("申诉理由与事实依据")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    due_at = models.DateTimeField("处理期限", null=True)
    closed_at = models.DateTimeField("结案时间", null=True)
    policy_ref = models.CharField("规则版本", max_length=60, blank=True)

    class Meta:
        verbose_name = "考核申诉"
        verbose_name_plural = "考核申诉"
        indexes = [
            models.Index(
                fields=["company", "handler", "due_at"],
                name="discipline_appeal_open_due",
                condition=Q(state__in=["supervisor_review", "escalated"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(state__in=["supervisor_review", "escalated"]),
                name="discipline_one_open_appeal_per_entry",
            ),
        ]


class AppealEvent(CompanyOwned):
    """History of an appeal: submitted, evidence added, decided, escalated, withdrawn."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("动作", max_length=30)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30, blank=True)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "申诉记录"
        verbose_name_plural = "申诉记录"
        default_permissions = ("add", "view")


class AppealEvidence(CompanyOwned):
    """Factual evidence for an appeal (required, A4 四.七.3): text and/or a file."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="evidence")
    text = models.TextField("事实依据", blank=True)
    file = models.FileField("附件", upload_to="appeals/%Y/%m/", blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "申诉证据"
        verbose_name_plural = "申诉证据"
        default_permissions = ("add", "view")


class CustomerReportKind(models.TextChoices):
    HAZARD = "hazard", _("安全隐患举报")
    THEFT = "theft", _("盗气举报")


class CustomerReportState(models.TextChoices):
    RECEIVED = "received", _("已受理，待核实")
    VERIFIED = "verified", _("已查实")
    NOT_VERIFIED = "not_verified", _("未查实")
    PAID = "paid", _("奖励已发放")


HAZARD_SEVERITY_CHOICES = [
    (HazardSeverity.MINOR.value, _("轻微隐患")),
    (HazardSeverity.ORDINARY.value, _("一般隐患")),
    (HazardSeverity.MAJOR.value, _("较大隐患")),
    (HazardSeverity.SERIOUS.value, _("严重隐患")),
]


class CustomerReport(CompanyOwned):
    """A customer's report of a hazard outside their own home or of gas theft (A4 五.6).

    The reporter's identity is encrypted at rest and shown only to posts holding
    ``discipline.view_reporter_identity``; every view is audited. It never appears in lists,
    exports, notifications or API responses for anyone else.
    """

    kind = models.CharField("类型", max_length=10, choices=CustomerReportKind.choices)
    reporter_identity = models.TextField("举报人身份（加密）")
    location = models.CharField("地点", max_length=200)
    description = models.TextField("举报内容")
    own_home = models.BooleanField("是否自家隐患", default=False)
    received_at = models.DateTimeField("受理时间", default=timezone.now)
    received_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        "状态", max_length=20, choices=CustomerReportState.choices, default="received"
    )
    severity = models.CharField(
        "隐患程度", max_length=10, choices=HAZARD_SEVERITY_CHOICES, blank=True
    )
    basis_amount = models.DecimalField(
        "处罚额或追缴气费（元）", max_digits=12, decimal_places=2, null=True
    )
    reward_rate = models.DecimalField("奖励比例", max_digits=5, decimal_places=4, null=True)
    reward_amount = models.DecimalField("奖励（元）", max_digits=12, decimal_places=2, null=True)
    rule_ids = models.JSONField("依据条款", default=list)
    verified_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, related_name="+")
    verified_at = models.DateTimeField("核实时间", null=True)
    verification_note = models.TextField("核实说明", blank=True)
    policy_ref = models.CharField("规则版本", max_length=60, blank=True)

    class Meta:
        verbose_name = "客户举报"
        verbose_name_plural = "客户举报"
        indexes = [models.Index(fields=["company", "state"], name="discipline_report_state")]
