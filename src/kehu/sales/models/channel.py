"""Channel-agent registrations (渠道报备), the public pool (公客池) and suspicious-pattern alerts.

Beyond the regulations (issue #4 item 7; product rules ``X7.*``, see ``docs/channel-pool.md``).

- ``ChannelCompany`` and ``ChannelAgent`` are a plain list the project manager keeps (editable).
- ``ChannelReport`` (an agent reports a prospective customer), ``ChannelConfirmation`` (the
  customer's visit confirmed a report), ``PoolReturn`` (a customer went back to the pool),
  ``PoolClaim`` (a salesperson claimed one), ``SalesAlert`` and ``AlertAcknowledgement`` are
  evidence: append-only in the database (``AppendOnly`` triggers in this app's migrations).
- ``ChannelPhoneLock`` is one row per reported phone, locked (``SELECT … FOR UPDATE``) while a
  report is checked for duplicates, so two desks reporting the same phone at once are serialised.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.rules import mask_phone
from kehu.core.org.models import CompanyOwned, Site, Staff

__all__ = [
    "AlertAcknowledgement",
    "AlertKind",
    "ChannelAgent",
    "ChannelCompany",
    "ChannelConfirmation",
    "ChannelPhoneLock",
    "ChannelReport",
    "PoolClaim",
    "PoolReturn",
    "SalesAlert",
]


class ChannelCompany(CompanyOwned):
    """A channel (中介/分销) company the sales office works with."""

    name = models.CharField("渠道公司", max_length=100)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    phone_e164 = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("合作中", default=True)
    created_at = models.DateTimeField("添加时间", default=timezone.now)
    created_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="添加人"
    )

    class Meta:
        verbose_name = "渠道公司"
        verbose_name_plural = "渠道公司"
        default_permissions = ()
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="sales_channel_company_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ChannelAgent(CompanyOwned):
    """An agent (经纪人) of a channel company."""

    channel = models.ForeignKey(
        ChannelCompany, on_delete=models.PROTECT, related_name="agents", verbose_name="渠道公司"
    )
    name = models.CharField("经纪人", max_length=50)
    phone_e164 = models.CharField("电话", max_length=20, blank=True)
    active = models.BooleanField("在职", default=True)
    created_at = models.DateTimeField("添加时间", default=timezone.now)
    created_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="添加人"
    )

    class Meta:
        verbose_name = "渠道经纪人"
        verbose_name_plural = "渠道经纪人"
        default_permissions = ()
        ordering = ["channel__name", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.channel.name}·{self.name}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone_e164)


class ChannelPhoneLock(CompanyOwned):
    """One row per reported phone: the row a report locks while it checks for duplicates."""

    phone_e164 = models.CharField(max_length=20)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["company", "phone_e164"], name="sales_channel_phone_lock"
            ),
        ]


class ChannelReport(CompanyOwned):
    """An agent reported a prospective customer (渠道报备): protected until ``protected_until``.

    The protection (amount, unit) and the "visit decides" switch in force are copied onto the
    row with the policy reference, so a later policy change does not change a report made.
    """

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="项目"
    )
    agent = models.ForeignKey(
        ChannelAgent, on_delete=models.PROTECT, related_name="reports", verbose_name="经纪人"
    )
    customer_name = models.CharField("客户姓名", max_length=100)
    phone_e164 = models.CharField("客户电话", max_length=20)
    reported_at = models.DateTimeField("报备时间")
    protected_until = models.DateTimeField("保护期至")
    protection_amount = models.PositiveIntegerField("保护期")
    protection_unit = models.CharField("单位", max_length=10)
    visit_decides = models.BooleanField("到访为王")
    policy_ref = models.CharField("规则版本", max_length=60)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "渠道报备"
        verbose_name_plural = "渠道报备"
        default_permissions = ()
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "phone_e164", "reported_at"], name="sales_chrep_phone"),
            models.Index(fields=["company", "protected_until"], name="sales_chrep_until"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name} {self.phone_masked}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone_e164)


class ChannelConfirmation(CompanyOwned):
    """The reported customer visited: which report the visit confirmed, and when (X7.3)."""

    report = models.OneToOneField(
        ChannelReport,
        on_delete=models.PROTECT,
        related_name="confirmation",
        verbose_name="渠道报备",
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name="客户"
    )
    visited_at = models.DateTimeField("到访时间")
    rule_ids = models.JSONField("规则", default=list)
    confirmed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="确认人"
    )
    confirmed_at = models.DateTimeField("确认时间", default=timezone.now)

    class Meta:
        verbose_name = "渠道报备到访确认"
        verbose_name_plural = "渠道报备到访确认"
        default_permissions = ()
        indexes = [
            models.Index(fields=["company", "customer"], name="sales_chconf_customer"),
        ]


class PoolReturn(CompanyOwned):
    """A customer went back to the public pool (公客池): who had them and by which rule (X7.4)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name="客户"
    )
    previous_owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="原负责售楼员"
    )
    returned_at = models.DateTimeField("退回时间")
    last_contact_at = models.DateTimeField("最后跟进/来访")
    days = models.PositiveIntegerField("无跟进天数规则")
    rule_ids = models.JSONField("规则", default=list)
    policy_ref = models.CharField("规则版本", max_length=60)
    run_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="手动执行人",
    )

    class Meta:
        verbose_name = "退回公客池"
        verbose_name_plural = "退回公客池"
        default_permissions = ()
        ordering = ["-returned_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "customer", "returned_at"], name="sales_poolret_cust"),
            models.Index(fields=["company", "returned_at"], name="sales_poolret_at"),
        ]


class PoolClaim(CompanyOwned):
    """A salesperson claimed a customer from the pool (X7.5).

    One claim per return (``pool_return`` is one-to-one: one customer is claimed once), and the
    ``slot`` numbers a salesperson's claims of a local day 1, 2, …: unique, so two parallel claims
    cannot take the same place and neither can pass the quota.
    """

    pool_return = models.OneToOneField(
        PoolReturn, on_delete=models.PROTECT, related_name="claim", verbose_name="退池记录"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name="客户"
    )
    claimer = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="认领人"
    )
    claimed_at = models.DateTimeField("认领时间")
    claim_day = models.DateField("认领日期")
    slot = models.PositiveIntegerField("当日第几个")
    quota = models.PositiveIntegerField("当日限额")
    policy_ref = models.CharField("规则版本", max_length=60)

    class Meta:
        verbose_name = "认领公客"
        verbose_name_plural = "认领公客"
        default_permissions = ()
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "claimer", "claim_day", "slot"], name="sales_poolclaim_slot"
            ),
            models.CheckConstraint(
                condition=Q(slot__gte=1) & Q(slot__lte=models.F("quota")),
                name="sales_poolclaim_within_quota",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "customer", "claimed_at"], name="sales_poolclaim_cust"),
            models.Index(fields=["company", "claimed_at"], name="sales_poolclaim_at"),
        ]


class AlertKind(models.TextChoices):
    CORRECTIONS = "corrections", "频繁更正登记"
    OWNER_CHANGES = "owner_changes", "客户归属频繁变更"
    QUICK_CLAIMS = "quick_claims", "退池后频繁速领"


class SalesAlert(CompanyOwned):
    """A suspicious pattern the detector found, with the evidence rows it counted.

    At most one alert per kind and subject per local day (unique), so running the detector again
    the same day adds nothing."""

    kind = models.CharField("类型", max_length=30, choices=AlertKind.choices)
    subject_key = models.CharField("对象", max_length=60)
    subject_staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="涉及员工",
    )
    subject_customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="涉及客户",
    )
    window_start = models.DateTimeField("统计起")
    window_end = models.DateTimeField("统计止")
    count = models.PositiveIntegerField("次数")
    threshold = models.PositiveIntegerField("阈值")
    evidence = models.JSONField("证据", default=list)
    rule_ids = models.JSONField("规则", default=list)
    summary_zh = models.TextField("说明")
    policy_ref = models.CharField("规则版本", max_length=60)
    detected_at = models.DateTimeField("发现时间")
    detected_on = models.DateField("发现日期")

    class Meta:
        verbose_name = "异常预警"
        verbose_name_plural = "异常预警"
        default_permissions = ()
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "subject_key", "detected_on"], name="sales_alert_daily"
            ),
        ]
        indexes = [models.Index(fields=["company", "detected_at"], name="sales_alert_at")]


class AlertAcknowledgement(CompanyOwned):
    """A manager read an alert and wrote what was done (append-only; a second note is a new row)."""

    alert = models.ForeignKey(SalesAlert, on_delete=models.PROTECT, related_name="acknowledgements")
    note = models.TextField("处理说明")
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name="处理人")
    at = models.DateTimeField("处理时间", default=timezone.now)

    class Meta:
        verbose_name = "预警处理"
        verbose_name_plural = "预警处理"
        default_permissions = ()
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="sales_alertack_note_required"),
        ]
