"""The reception flow (案场接待): one row per visit, and the append-only ownership decisions.

A ``Visit`` records how the visitor arrived (the engine's ``Arrival`` vocabulary), who received
by which rotation rule, and later its registration, customer and end. An ``OwnershipDecision``
is evidence (A7.21): stored once with its rule IDs and policy reference, never updated or deleted
(``AppendOnly`` trigger), and mirrored by a ledger entry in stream ``decisions``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    # The same explanation as a message (``explanation_key``/``explanation_params``, as the
    # rotation event stores it), so pages and the API can say it in the reader's language.
    rotation_message = models.JSONField("轮排说明（消息）", default=dict, blank=True)
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
    # A7.9(3): during the whole first visit the customer said they came for this salesperson.
    came_for = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="客户表示专程来找",
    )
    came_for_said_at = models.DateTimeField("表示时间", null=True, blank=True)
    business_card_given = models.BooleanField("已派名片（A7.6 b）", default=False)
    found_public_at = models.DateTimeField("事后确认为公共客户（A7.7）", null=True, blank=True)
    ended_at = models.DateTimeField("接待结束", null=True, blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    # How many entries the desk appended about this visit to the ``receptions`` ledger stream
    # (conflicts, consents, handling, came-for…), kept by the service that appends them in the
    # same transaction: a visit with none needs no read of the ledger when it is decided (most
    # registrations; docs/performance.md).
    desk_records = models.PositiveIntegerField("前台记录条数", default=0)

    class Meta:
        verbose_name = "来访接待"
        verbose_name_plural = "来访接待"
        ordering = ["-arrived_at", "-pk"]


class DecisionOutcome(models.TextChoices):
    DECIDED = "decided", _("已决定")
    PENDING = "pending", _("待销售经理裁决（A7.20）")


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
    # The facts the engine was given, in the replay format of ``kehu rules sales`` (one case):
    # replaying them must give ``detail`` again (live app and replay agree).
    facts = models.JSONField("依据的事实", default=dict)
    decided_at = models.DateTimeField("决定时间", default=timezone.now)
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    # A later decision on the same visit (a ruling, a deal, a conflict found afterwards)
    # supersedes the earlier one; the earlier row stays as evidence.
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取代的决定",
    )
    ruling = models.ForeignKey(
        "RulingRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="依据的裁决（A7.20）",
    )
    deal = models.ForeignKey(
        "sales.Deal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="成交",
    )

    class Meta:
        verbose_name = "归属决定"
        verbose_name_plural = "归属决定"
        ordering = ["-decided_at", "-pk"]


class ConflictEvent(CompanyOwned):
    """A conflict (撞单) found: the visitor turned out to be linked to another salesperson.

    Evidence of *when* and *by whom* it was found, which the windows of A7.10, A7.13, A7.15 and
    A7.16 turn on. Append-only (migration 0010)."""

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="conflicts", verbose_name="来访"
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="客户",
    )
    holder = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="原售楼员",
    )
    found_at = models.DateTimeField("发现时间")
    during_reception = models.BooleanField("接待过程中发现（A7.13）", default=False)
    holder_on_site = models.BooleanField("原售楼员在现场", default=True)
    holder_reachable = models.BooleanField("原售楼员可以联络", default=True)
    note = models.TextField("说明", blank=True)
    found_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="发现人"
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "撞单记录"
        verbose_name_plural = "撞单记录"
        ordering = ["-found_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "found_at"], name="sales_conflict_company_at"),
            models.Index(fields=["visit"], name="sales_conflict_visit"),
        ]


class ConsentRecord(CompanyOwned):
    """The owner's answer when the receiver asks to continue someone else's customer (A2.8,
    A7.13). Append-only (migration 0010): a changed answer is a new record."""

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="consents", verbose_name="来访"
    )
    holder = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="原售楼员"
    )
    receiver = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="接待售楼员"
    )
    given = models.BooleanField("同意继续接待")
    answered_at = models.DateTimeField("答复时间")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "原售楼员同意"
        verbose_name_plural = "原售楼员同意"
        ordering = ["answered_at", "pk"]


class RulingKindChoice(models.TextChoices):
    SAME_CUSTOMER = "same_customer", "确认为同一客户"
    DIFFERENT_CUSTOMER = "different_customer", "确认不是同一客户"
    AWARD = "award", "裁定归属"


class RulingRecord(CompanyOwned):
    """The sales manager's ruling on a pending decision (A7.20): final, with its reason.

    One ruling per pending decision (unique) — the ruling is final. The decision it produces is
    a new ``OwnershipDecision`` whose ``ruling`` points here. Append-only (migration 0010)."""

    decision = models.ForeignKey(
        OwnershipDecision,
        on_delete=models.PROTECT,
        related_name="rulings",
        verbose_name="待裁决的决定",
    )
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("裁决", max_length=30, choices=RulingKindChoice.choices)
    claim_id = models.CharField("涉及的记录", max_length=100, blank=True)
    owner = models.JSONField("裁定的归属", null=True, blank=True)
    shares = models.JSONField("裁定的分成", default=list, blank=True)
    reason = models.TextField("裁决理由")
    ruled_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="裁决人"
    )
    ruled_at = models.DateTimeField("裁决时间", default=timezone.now)

    class Meta:
        verbose_name = "销售经理裁决"
        verbose_name_plural = "销售经理裁决"
        ordering = ["-ruled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision"], name="sales_ruling_final"),
        ]


class PreRegistration(CompanyOwned):
    """An introduction registered before the introduced person visits (A7.10), by the
    salesperson of the introducing customer. Append-only (migration 0010); the identity keys
    are compared with the visit's registration when a conflict is found."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name="项目")
    introducer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="介绍人（老客户）",
    )
    name = models.CharField("被介绍人姓名", max_length=100, blank=True)
    contact = models.CharField("联络方式", max_length=100, blank=True)
    phone_e164 = models.CharField("标准电话", max_length=20, blank=True)
    car_brand = models.CharField("车辆品牌", max_length=50, blank=True)
    plate = models.CharField("车牌号", max_length=20, blank=True)
    salesperson = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="预先登记的售楼员"
    )
    registered_at = models.DateTimeField("预先登记时间", default=timezone.now)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )

    class Meta:
        verbose_name = "预先登记（A7.10）"
        verbose_name_plural = "预先登记（A7.10）"
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "phone_e164"], name="sales_prereg_phone"),
            models.Index(fields=["company", "name"], name="sales_prereg_name"),
        ]
