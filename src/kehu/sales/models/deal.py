"""Deals (成交, A7.17) and the commission ledger (业绩台账) per salesperson per month.

A ``Deal`` is recorded when the deposit is paid or the subscription signed; it *is* a deal once
both have happened (``closed_at``, the later of the two). Each step also goes to the ledger
stream ``deals`` in the same transaction. The shares the ownership engine gives a deal are
written to ``CommissionEntry``, which is evidence (append-only, migration 0010): a later decision
(an A7.20 ruling, a conflict found after the deal) reverses the earlier entries with negative
rows and writes new ones, so every month's total can be traced back to its decisions.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.customers.models import Customer
from kehu.core.org.models import CompanyOwned, Site, Staff


class Deal(CompanyOwned):
    """One sale: a unit subscribed by a customer, closed by a salesperson (A7.17)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name="项目")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name="客户"
    )
    visit = models.ForeignKey(
        "sales.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name="成交时的来访",
    )
    unit = models.CharField("房号", max_length=60)
    price = models.DecimalField("成交价（元）", max_digits=14, decimal_places=2)
    subscriber = models.CharField("认购方（认购书上的客户）", max_length=100)
    closer = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="成交售楼员"
    )
    deposit_paid_at = models.DateTimeField("交定金时间", null=True, blank=True)
    subscription_signed_at = models.DateTimeField("签认购书时间", null=True, blank=True)
    closed_at = models.DateTimeField("成交时间（A7.17）", null=True, blank=True)
    negotiated = models.BooleanField("业绩另议（A1.6）", default=False)
    # A7.19: a discount the sales manager approved, applied to the price before the deal closed.
    discount_request = models.OneToOneField(
        "sales.SalesRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applied_to",
        verbose_name="已用的折扣申请（A7.19）",
    )
    price_before_discount = models.DecimalField(
        "折扣前价格（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "成交"
        verbose_name_plural = "成交"
        ordering = ["-recorded_at", "-pk"]
        # The sales office's permissions beyond the book live here, one place for posts.py.
        permissions = [
            ("view_all_deals", "可查看全部成交与业绩台账"),
            ("approve_sales_request", "可审批放盘、转名、折扣申请（A7.19）"),
            ("rule_dispute", "可裁决归属争议（A7.20）"),
            ("view_sales_reports", "可查看案场报表"),
            ("import_legacy_register", "可导入旧客户登记本"),
            ("manage_channel", "可管理渠道报备与公客池"),
            ("claim_pool_customer", "可从公客池领取客户"),
            ("view_sales_alerts", "可查看异常行为提醒"),
        ]
        indexes = [
            models.Index(fields=["company", "closed_at"], name="sales_deal_company_closed"),
            models.Index(fields=["company", "customer"], name="sales_deal_customer"),
            models.Index(fields=["company", "closer", "closed_at"], name="sales_deal_closer"),
        ]
        constraints = [
            # one deal per unit of a project: two desks cannot sell the same unit twice
            models.UniqueConstraint(fields=["company", "site", "unit"], name="sales_deal_one_unit"),
        ]


class CommissionEntry(CompanyOwned):
    """One line of the commission ledger: a party's share of one deal, in the deal's month.

    ``salesperson`` is empty when the share belongs to the sales department (A7.7) or the
    group-buy pool (A7.18). A cancelled share (A7.13 grab) is recorded with ``cancelled`` and
    amount 0. ``reverses`` marks a reversal of an earlier line (amount and percent negated)."""

    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, related_name="commission", verbose_name="成交"
    )
    decision = models.ForeignKey(
        "sales.OwnershipDecision",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="依据的归属决定",
    )
    month = models.DateField("业绩月份")  # the first day of the deal's local month
    party_kind = models.CharField("对象", max_length=20)  # the engine's OwnerKind value
    salesperson = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="售楼员",
    )
    role = models.CharField("角色", max_length=20)  # the engine's ShareRole value
    percent = models.DecimalField("比例（%）", max_digits=7, decimal_places=3)
    amount = models.DecimalField("业绩金额（元）", max_digits=14, decimal_places=2)
    cancelled = models.BooleanField("已取消（抢客户，A7.13）", default=False)
    rule_ids = models.JSONField("规则", default=list)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="冲销的条目",
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "业绩台账"
        verbose_name_plural = "业绩台账"
        ordering = ["month", "deal_id", "pk"]
        indexes = [
            models.Index(fields=["company", "month", "salesperson"], name="sales_commission_month"),
            models.Index(fields=["deal"], name="sales_commission_deal"),
        ]


class SalesRequestKind(models.TextChoices):
    """What a salesperson may not do on their own (A2.10, A7.19): they ask the sales manager."""

    HOLD = "hold", _("放盘（保留房源）")
    RENAME = "rename", _("转名")
    DISCOUNT = "discount", _("折扣")


class SalesRequest(CompanyOwned):
    """A salesperson's request to hold a unit, rename or give a discount (A2.10, A7.19), with
    the reason. Append-only (migration 0013); the sales manager's answer is a
    ``SalesRequestDecision`` — one per request."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name="项目")
    kind = models.CharField("申请类型", max_length=20, choices=SalesRequestKind.choices)
    unit = models.CharField("房号", max_length=60)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="客户",
    )
    deal = models.ForeignKey(
        Deal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name="成交",
    )
    reason = models.TextField("申请理由")
    discount_amount = models.DecimalField(
        "折扣金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    discount_percent = models.DecimalField(
        "折扣比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    new_subscriber = models.CharField("转名后的名字", max_length=100, blank=True)
    hold_until = models.DateField("保留至", null=True, blank=True)
    requested_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)

    class Meta:
        verbose_name = "放盘、转名、折扣申请（A7.19）"
        verbose_name_plural = "放盘、转名、折扣申请（A7.19）"
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "requested_at"], name="sales_request_company_at"),
            models.Index(fields=["company", "site", "unit"], name="sales_request_unit"),
        ]


class SalesRequestDecision(CompanyOwned):
    """The sales manager's answer to one request, with the reason: final (one per request,
    unique) and append-only (migration 0013)."""

    request = models.OneToOneField(
        SalesRequest,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name="申请",
    )
    approved = models.BooleanField("批准")
    reason = models.TextField("审批意见")
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="审批人"
    )
    decided_at = models.DateTimeField("审批时间", default=timezone.now)

    class Meta:
        verbose_name = "申请审批（A7.19）"
        verbose_name_plural = "申请审批（A7.19）"
        ordering = ["-decided_at", "-pk"]


class ConductRule(models.TextChoices):
    """Conduct rules of Part S whose breach is recorded, with no system effect beyond the record
    (A2.9, A2.11, A2.13, A7.11) — a manager may forward it to the discipline ledger."""

    A2_4 = "A2.4", _("A2.4 挑拣客户、令客户受冷遇")
    A2_6 = "A2.6", _("A2.6 在客户面前争抢客户")
    A7_1 = "A7.1", _("A7.1 不按轮排表顺序接待，挑拣、争抢客户")
    A2_9 = "A2.9", _("A2.9 未经原售楼员同意递名片给他人的客户")
    A2_11 = "A2.11", _("A2.11 未送客户出售楼处，或背后谈论、辱骂、取笑客户")
    A7_11 = "A7.11", _("A7.11 接待中上前询问是否为自己的来电客户或介绍客户")
    A2_13 = "A2.13", _("A2.13 阻止客户落定")


class ConductRecord(CompanyOwned):
    """A violation a manager records against a salesperson, with the rule and the facts.

    Evidence: append-only (migration 0013); a correction is a new record that names the one it
    corrects. Forwarding to the discipline ledger is a separate ``ConductForward``."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="项目"
    )
    salesperson = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="售楼员"
    )
    rule_id = models.CharField("违反的规则", max_length=20, choices=ConductRule.choices)
    occurred_at = models.DateTimeField("发生时间")
    facts = models.TextField("事实经过")
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="涉及的客户",
    )
    visit = models.ForeignKey(
        "sales.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="涉及的来访",
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更正的记录",
    )
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "违规记录"
        verbose_name_plural = "违规记录"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "salesperson"], name="sales_conduct_salesperson"),
        ]


class ConductForward(CompanyOwned):
    """A manager's choice to forward one conduct record to the discipline ledger as a proposal
    (``kehu.discipline.services.discipline_proposal_post``). One per record; append-only."""

    record = models.OneToOneField(
        ConductRecord, on_delete=models.PROTECT, related_name="forward", verbose_name="违规记录"
    )
    proposal_kind = models.CharField("提议类型", max_length=30)
    proposal_id = models.PositiveBigIntegerField("奖惩提议编号")
    low = models.DecimalField("下限（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    high = models.DecimalField("上限（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.TextField("说明", blank=True)
    forwarded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="转交人"
    )
    forwarded_at = models.DateTimeField("转交时间", default=timezone.now)

    class Meta:
        verbose_name = "违规记录转奖惩台账"
        verbose_name_plural = "违规记录转奖惩台账"
        ordering = ["-forwarded_at", "-pk"]
