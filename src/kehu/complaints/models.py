"""Complaints, their stage history, groups and explanation sessions, work orders and callbacks,
and classified customer needs (Part C).

A ``Complaint`` row holds the current stage and its deadline; every change is a
``ComplaintEvent`` (append-only, migration 0002) with the stage before and after, the deadline
it set and the rule IDs, so the history is the evidence and the row is its summary.

``ComplaintCheck`` holds the next moment the sweep must look at an open complaint: its warning
time while on time, its deadline while in the warning band, its next escalation once breached;
a closed complaint has none. The sweep reads only checks with ``next_check_at <= now`` through
that small table's index, so its cost does not grow with closed tickets (performance-notes: a
plain deadline index on SQLite made a sweep 36,000x slower). It sits apart from ``Complaint``
because the sweep rewrites it for every row it looks at: on the complaint itself that column
had to be indexed, so each sweep update wrote a new entry into every one of the complaint
table's fourteen indexes; now the complaint's own update touches no indexed column and
PostgreSQL makes it in place (a HOT update, with the table's ``fillfactor`` leaving room).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from kehu.complaints import rules
from kehu.core.customers.models import Customer
from kehu.core.org.models import CompanyOwned, Department, Site, Staff


def _choices(labels: Mapping[Any, tuple[str, str]]) -> list[tuple[str, str]]:
    return [(str(value), zh) for value, (zh, _en) in labels.items()]


class Channel(models.TextChoices):
    HOTLINE = "hotline", "热线电话"
    WEBSITE = "website", "网站"
    SALES_OFFICE = "sales_office", "售楼处现场"
    PROPERTY_OFFICE = "property_office", "物业管理处"
    SALES_COMPANY = "sales_company", "销售公司"
    SERVICE_CENTRE = "service_centre", "客户服务中心"
    DEPARTMENT = "department", "其他部门"


class TimeStateChoice(models.TextChoices):
    ON_TIME = "on_time", "正常"
    WARNING = "warning", "即将超时"
    BREACHED = "breached", "已超时"


class ComplaintGroup(CompanyOwned):
    """Complaints about one problem (A3: one explanation session for all of them)."""

    title = models.CharField("问题", max_length=200)
    place = models.CharField("项目/楼栋", max_length=100, blank=True)
    category = models.CharField("类别", max_length=50, blank=True)
    confirmed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="确认人"
    )
    confirmed_at = models.DateTimeField("确认时间", default=timezone.now)

    class Meta:
        verbose_name = "同类投诉组"
        verbose_name_plural = "同类投诉组"
        ordering = ["-confirmed_at", "-pk"]


class Complaint(CompanyOwned):
    """One complaint, from any unit and channel (one-stop, A3)."""

    profile = models.CharField(
        "处理规范", max_length=10, choices=_choices(rules.PROFILE_LABELS), default="a3"
    )
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    receiving_unit = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="受理单位",
    )
    received_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="受理人"
    )
    received_at = models.DateTimeField("受理时间", default=timezone.now)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name="客户",
    )
    customer_name = models.CharField("投诉人", max_length=100)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="项目"
    )
    place = models.CharField("楼栋/房号/地点", max_length=100, blank=True)
    category = models.CharField("类别", max_length=50)
    subject = models.CharField("事由", max_length=200)
    description = models.TextField("投诉内容")
    own_solution = models.TextField("受理单位的解决办法", blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任部门",
    )
    handler = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="当前责任人",
    )
    stage = models.CharField(
        "环节", max_length=20, choices=_choices(rules.STAGE_LABELS), default="received"
    )
    stage_started_at = models.DateTimeField("本环节开始", default=timezone.now)
    due_at = models.DateTimeField("本环节时限", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    time_state = models.CharField(
        "时效", max_length=10, choices=TimeStateChoice.choices, default="on_time"
    )
    escalation_level = models.PositiveSmallIntegerField("督办级别", default=0)
    agreed_date = models.DateField("约定解决日期", null=True, blank=True)
    need_class = models.CharField(
        "需求类别（A11）",
        max_length=20,
        choices=_choices(rules.NEED_CLASS_LABELS),
        blank=True,
    )
    group = models.ForeignKey(
        ComplaintGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name="同类投诉组",
    )
    penalised = models.BooleanField("已提出A8.2罚款", default=False)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    policy_ref = models.CharField("规则版本", max_length=60, blank=True)

    class Meta:
        verbose_name = "客户投诉"
        verbose_name_plural = "客户投诉"
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("handle_complaints", "可分类、派单、跟踪全部投诉（客服中心）"),
            ("view_complaint_dashboard", "可查看投诉超时与趋势"),
        ]
        # The sweep's own columns (time_state, escalation_level, penalised) must stay out of
        # every index here, so that its updates stay in place (module docstring;
        # tests/complaints/test_services.py).
        indexes = [
            models.Index(
                fields=["company", "stage", "due_at"],
                name="complaint_open_queue",
                condition=~Q(stage="closed"),
            ),
            models.Index(fields=["company", "received_at"], name="complaint_company_received"),
            models.Index(fields=["company", "customer"], name="complaint_customer"),
            models.Index(fields=["company", "department", "stage"], name="complaint_department"),
        ]


class ComplaintCheck(models.Model):
    """When the sweep must next look at an open complaint (see the module docstring); no row
    once the complaint is closed. Written only with the complaint's row locked."""

    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sweep_check",
        verbose_name="投诉",
    )
    next_check_at = models.DateTimeField("下次检查")

    class Meta:
        verbose_name = "投诉巡检时间"
        verbose_name_plural = "投诉巡检时间"
        indexes = [models.Index(fields=["next_check_at"], name="complaint_check_due")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.next_check_at:%Y-%m-%d %H:%M}"


class ComplaintEvent(CompanyOwned):
    """One step of a complaint's history (append-only): who did what, and the deadline it set."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("动作", max_length=30)
    from_stage = models.CharField("原环节", max_length=20, blank=True)
    to_stage = models.CharField("新环节", max_length=20, blank=True)
    actor = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人（空为系统巡检）",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.TextField("说明", blank=True)
    due_at = models.DateTimeField("设定的时限", null=True, blank=True)
    rule_ids = models.JSONField("规则", default=list)
    detail = models.JSONField("详情", default=dict)

    class Meta:
        verbose_name = "投诉处理记录"
        verbose_name_plural = "投诉处理记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_at")]


class ExplanationSession(CompanyOwned):
    """One explanation session for a group of complaints (A3), with who attended."""

    group = models.ForeignKey(ComplaintGroup, on_delete=models.PROTECT, related_name="sessions")
    held_at = models.DateTimeField("时间")
    location = models.CharField("地点", max_length=200)
    explanation = models.TextField("解释内容")
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "统一解释会"
        verbose_name_plural = "统一解释会"
        ordering = ["-held_at", "-pk"]


class SessionAttendance(CompanyOwned):
    session = models.ForeignKey(
        ExplanationSession, on_delete=models.PROTECT, related_name="attendance"
    )
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField("出席", default=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "解释会出席"
        verbose_name_plural = "解释会出席"
        constraints = [
            models.UniqueConstraint(fields=["session", "complaint"], name="complaint_attend_once")
        ]


class CoordinationMeeting(CompanyOwned):
    """Customer service brings the departments together on a complex complaint (A3)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField("时间")
    departments = models.CharField("参加部门", max_length=300)
    minutes = models.TextField("会议记录")
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "协调会"
        verbose_name_plural = "协调会"
        ordering = ["-held_at", "-pk"]


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", "待处理"
    COMPLETED = "completed", "已完成，待回访"
    CLOSED = "closed", "已回访，关闭"


class WorkOrder(CompanyOwned):
    """A work order (A4 hotline: a leak at once, urgent; A9 service requests)."""

    kind = models.CharField("类别", max_length=20, choices=_choices(rules.WORK_KIND_LABELS))
    urgent = models.BooleanField("紧急", default=False)
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name="来源投诉",
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="客户",
    )
    customer_name = models.CharField("客户", max_length=100)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    address = models.CharField("地址", max_length=200)
    description = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=10, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN
    )
    assignee = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("开单时间", default=timezone.now)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField("重开次数", default=0)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["company", "status", "created_at"],
                name="workorder_open",
                condition=~Q(status="closed"),
            ),
        ]


class Callback(CompanyOwned):
    """The callback (回访) after a completed work order (100%, A4/A9). Append-only."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="callbacks")
    at = models.DateTimeField("回访时间", default=timezone.now)
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    satisfied = models.BooleanField("客户满意")
    note = models.TextField("客户意见", blank=True)
    rule_ids = models.JSONField("规则", default=list)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["-at", "-pk"]


class CustomerNeed(CompanyOwned):
    """A request or opinion classified as a management, service or business need (A11)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="needs"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField("内容")
    need_class = models.CharField("类别", max_length=20, choices=_choices(rules.NEED_CLASS_LABELS))
    topic = models.CharField("具体方面", max_length=50, blank=True)
    routed_to = models.CharField(
        "处理单位", max_length=30, choices=_choices(rules.NEED_UNIT_LABELS)
    )
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "客户需求"
        verbose_name_plural = "客户需求"
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["company", "recorded_at"], name="need_company_at")]
