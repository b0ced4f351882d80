"""The reception flow (案场接待): one row per visit, and the append-only ownership decisions.

A ``Visit`` records how the visitor arrived (the engine's ``Arrival`` vocabulary), who received
by which rotation rule, and later its registration, customer and end. An ``OwnershipDecision``
is evidence (A7.21): stored once with its rule IDs and policy reference, never updated or deleted
(``AppendOnly`` trigger), and mirrored by a ledger entry in stream ``decisions``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.org.models import CompanyOwned, Site, Staff
from kehu.sales.models.registration import Registration
from kehu.sales.rules import ARRIVAL_LABELS

ARRIVAL_CHOICES = [(arrival.value, label) for arrival, label in ARRIVAL_LABELS.items()]


class Visit(CompanyOwned):
    """One visitor at the sales office, from arrival to the end of the reception."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name="项目")
    arrived_at = models.DateTimeField("到访时间", default=timezone.now)
    arrival = models.CharField("来访方式", max_length=30, choices=ARRIVAL_CHOICES)
    public_kind = models.CharField("公共客户类别（A7.6）", max_length=1, blank=True)
    named = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="点名的售楼员",
    )
    named_present = models.BooleanField("点名的售楼员在场", default=True)
    receiver = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="接待售楼员"
    )
    helpers = models.JSONField("协助接待", default=list, blank=True)
    rotation_rule_ids = models.JSONField("轮排规则", default=list, blank=True)
    rotation_explanation = models.TextField("轮排说明", blank=True)
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记",
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="客户",
    )
    registered_at = models.DateTimeField("登记完毕", null=True, blank=True)
    ended_at = models.DateTimeField("接待结束", null=True, blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )

    class Meta:
        verbose_name = "来访接待"
        verbose_name_plural = "来访接待"
        ordering = ["-arrived_at", "-pk"]


class DecisionOutcome(models.TextChoices):
    DECIDED = "decided", "已决定"
    PENDING = "pending", "待销售经理裁决（A7.20）"


class OwnershipDecision(CompanyOwned):
    """One ownership decision of the engine, as stored evidence (append-only)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="decisions")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField("结果", max_length=20, choices=DecisionOutcome.choices)
    owner_before = models.JSONField("原归属", null=True, blank=True)
    owner_after = models.JSONField("新归属")
    clause = models.CharField("条款", max_length=30)
    rule_ids = models.JSONField("规则", default=list)
    shares = models.JSONField("业绩分成", null=True, blank=True)
    turn_effects = models.JSONField("接待名额", default=list)
    flags = models.JSONField("标记", default=list)
    policy_ref = models.CharField("规则版本", max_length=60)
    explanation_zh = models.TextField("说明")
    detail = models.JSONField("完整决定", default=dict)
    decided_at = models.DateTimeField("决定时间", default=timezone.now)
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )

    class Meta:
        verbose_name = "归属决定"
        verbose_name_plural = "归属决定"
        ordering = ["-decided_at", "-pk"]
