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
