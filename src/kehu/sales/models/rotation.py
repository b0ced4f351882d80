"""The rotation (轮排) of a sales office: one day per site, its duty roster, make-up turns and
an append-only history.

- ``RotationDay``: one per site and date. Its row is the lock every change of the day takes
  (``SELECT … FOR UPDATE``; SQLite serialises writers with ``BEGIN IMMEDIATE``), so two front
  desks assigning at the same moment get different receivers. ``next_staff`` is the pointer.
- ``DutyRow``: who is on the rotation, in which place, and their status with its reason.
- ``MakeupTurn``: an owed turn (补接, A7.2) with its cause and clause; served or voided later.
  Make-ups belong to the site: one still owed when the day ends is owed the next day.
- ``RotationEvent``: every change — day opened, status changes, assignments with their skips,
  receptions ended, reorders with the PM's reason (A2.2), make-ups granted or voided — each
  with the rule IDs and the Chinese explanation. The database refuses UPDATE and DELETE on it
  (migration ``…_rotation_append_only``); each event also goes to the ledger stream
  ``rotation`` in the same transaction.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import CompanyOwned, Site, Staff


class DutyStatus(models.TextChoices):
    FREE = "free", _("在岗")
    BUSY = "busy", _("接待中")
    AWAY = "away", _("不在岗")


class DutyReason(models.TextChoices):
    """``rotation_rules.Reason``, labelled for pages and the admin."""

    ROTATION = "rotation", _("接待轮排新客户")
    OWN_CUSTOMER = "own_customer", _("接待自己的老客户或来电客户")
    COLLEAGUE_CUSTOMER = "colleague_customer", _("接待同事的老客户（已查明）")
    HELPING = "helping", _("帮助同事接待")
    PUBLIC = "public", _("接待公共客户")
    GROUP_BUY = "group_buy", _("接待团购客户")
    COMPANY_REFERRAL = "company_referral", _("接待公司转介客户")
    ASSIGNED_WORK = "assigned_work", _("项目组另外安排工作")
    REST = "rest", _("正常休班")
    PERSONAL_LEAVE = "personal_leave", _("事假")
    SICK_LEAVE = "sick_leave", _("病假")
    OTHER = "other", _("其他原因不在岗")


class RotationDay(CompanyOwned):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="rotation_days", verbose_name="项目"
    )
    on = models.DateField("日期")
    next_staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="轮到",
    )
    opened_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="开启人"
    )
    opened_at = models.DateTimeField("开启时间", default=timezone.now)
    changed_at = models.DateTimeField("最后变动", default=timezone.now)

    class Meta:
        verbose_name = "轮排日"
        verbose_name_plural = "轮排日"
        constraints = [
            models.UniqueConstraint(fields=["site", "on"], name="sales_rotation_one_day_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.site.name} {self.on}"


class DutyRow(CompanyOwned):
    day = models.ForeignKey(RotationDay, on_delete=models.PROTECT, related_name="rows")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="售楼员"
    )
    position = models.PositiveSmallIntegerField("顺序")
    status = models.CharField(
        "状态", max_length=10, choices=DutyStatus.choices, default=DutyStatus.FREE
    )
    reason = models.CharField("原因", max_length=30, choices=DutyReason.choices, blank=True)
    since = models.DateTimeField("起始时间", default=timezone.now)
    # The visit being received (the reception flow's reference), while busy.
    visit_ref = models.CharField("接待记录", max_length=64, blank=True)

    class Meta:
        verbose_name = "轮排表"
        verbose_name_plural = "轮排表"
        ordering = ["day", "position"]
        constraints = [
            models.UniqueConstraint(fields=["day", "staff"], name="sales_duty_once_per_day"),
            models.CheckConstraint(
                condition=Q(status="free", reason="") | ~Q(status="free") & ~Q(reason=""),
                name="sales_duty_reason_unless_free",
            ),
        ]


class MakeupTurn(CompanyOwned):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="补接人"
    )
    earned_day = models.ForeignKey(RotationDay, on_delete=models.PROTECT, related_name="+")
    earned_at = models.DateTimeField("产生时间", default=timezone.now)
    cause = models.CharField("原因", max_length=30)
    text = models.CharField("说明", max_length=200)
    rule_ids = models.JSONField("依据条款", default=list)
    served_at = models.DateTimeField("补接时间", null=True, blank=True)
    served_day = models.ForeignKey(
        RotationDay, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField("作废理由", blank=True)

    class Meta:
        verbose_name = "补接名额"
        verbose_name_plural = "补接名额"
        ordering = ["earned_at", "pk"]
        indexes = [
            models.Index(
                fields=["site", "earned_at"],
                name="sales_makeup_open",
                condition=Q(served_at__isnull=True, voided_at__isnull=True),
            )
        ]


class RotationEventKind(models.TextChoices):
    OPENED = "opened", _("开启今日轮排")
    STATUS = "status", _("状态变动")
    ASSIGNED = "assigned", _("安排接待")
    RECEPTION_END = "reception_end", _("接待结束")
    REORDERED = "reordered", _("调整轮排顺序")
    MAKEUP_GRANTED = "makeup_granted", _("补接名额")
    MAKEUP_VOIDED = "makeup_voided", _("作废补接名额")


class RotationEvent(CompanyOwned):
    """One change of a rotation day; never updated or deleted."""

    day = models.ForeignKey(RotationDay, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=20, choices=RotationEventKind.choices)
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="售楼员",
    )
    actor = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    reception_kind = models.CharField("来访类型", max_length=20, blank=True)
    status = models.CharField("新状态", max_length=10, blank=True)
    reason = models.CharField("原因", max_length=30, blank=True)
    note = models.TextField("说明/理由", blank=True)
    rule_ids = models.JSONField("依据条款", default=list)
    explanation = models.TextField("解释", blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    visit_ref = models.CharField("接待记录", max_length=64, blank=True)
    policy_ref = models.CharField("规则版本", max_length=60, blank=True)

    class Meta:
        verbose_name = "轮排记录"
        verbose_name_plural = "轮排记录"
        default_permissions = ("add", "view")
        ordering = ["day", "pk"]
        indexes = [
            models.Index(fields=["company", "visit_ref"], name="sales_rotation_event_visit"),
        ]
