"""A salesperson's dispute of an ownership decision (异议), for the sales manager (A7.20).

A salesperson involved in a decision about their customer may say they disagree, with a reason;
the decision then joins the sales manager's dispute queue next to the decisions the rules could
not settle (outcome ``pending``). The ruling itself is a ``RulingRecord`` (final). Evidence:
append-only (``AppendOnly`` trigger, migration 0013), mirrored by a ledger entry in stream
``decisions``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.org.models import CompanyOwned, Staff
from kehu.sales.models.reception import OwnershipDecision, Visit


class DisputeRequest(CompanyOwned):
    """One salesperson's request that the sales manager rule on a decision (A7.20)."""

    decision = models.ForeignKey(
        OwnershipDecision,
        on_delete=models.PROTECT,
        related_name="disputes",
        verbose_name="有异议的决定",
    )
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="客户",
    )
    reason = models.TextField("异议理由")
    raised_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    raised_at = models.DateTimeField("提出时间", default=timezone.now)

    class Meta:
        verbose_name = "归属异议"
        verbose_name_plural = "归属异议"
        ordering = ["raised_at", "pk"]
        default_permissions = ("add", "view")
        indexes = [
            models.Index(fields=["company", "raised_at"], name="sales_dispute_company_at"),
            models.Index(fields=["decision"], name="sales_dispute_decision"),
        ]
