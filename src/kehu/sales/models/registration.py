"""The registration book (客户登记本), the phone-enquiry book (电话咨询登记本) and follow-ups.

Evidence, append-only in the database (``AppendOnly`` triggers, migration 0002): a registration,
its confirmation by the project manager, the first-registration keys, a phone enquiry and a
follow-up record are never updated or deleted. A correction is a new row that references the old
one and says why (A1.2 / A7.21). Each registration, confirmation and phone enquiry also has an
entry in the company's ledger stream (``registration_book`` / ``phone_book``), written in the same
transaction, so ``kehu ledger verify`` proves the book was not altered.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.customers.models import Customer
from kehu.core.customers.rules import mask_phone
from kehu.core.org.models import CompanyOwned, Site, Staff


class Registration(CompanyOwned):
    """One line of the registration book (A7.4 fields), or a correction of one (A1.2)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name="项目")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="registrations", verbose_name="客户"
    )
    # When the visit happened (aware) and its local day: the day the registration is due (A1.1).
    visited_at = models.DateTimeField("接待时间")
    received_on = models.DateField("接待日期")
    customer_name = models.CharField("客户姓名", max_length=100, blank=True)
    employer_or_address = models.CharField("工作单位或住址", max_length=200, blank=True)
    contact = models.CharField("联络方式", max_length=100, blank=True)
    phone_e164 = models.CharField("标准电话", max_length=20, blank=True, editable=False)
    car_brand = models.CharField("车辆品牌", max_length=50, blank=True)
    plate = models.CharField("车牌号", max_length=20, blank=True)
    intention = models.TextField("购楼意向", blank=True)
    source = models.CharField("信息来源", max_length=200, blank=True)
    receiver = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="接待人员"
    )
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)
    late = models.BooleanField("逾期登记（A1.1）", default=False)
    # Full-name-only matches at registration time (customer ids): the sales manager confirms.
    name_matches = models.JSONField("仅全名相同的客户", default=list, blank=True)
    policy_ref = models.CharField("规则版本", max_length=60, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="更正的登记",
    )
    correction_reason = models.TextField("更正理由", blank=True)
    # The line a chain of corrections started from (None on an original line).
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="原始登记",
    )

    class Meta:
        verbose_name = "客户登记"
        verbose_name_plural = "客户登记本"
        default_permissions = ("add", "view")
        permissions = [
            ("view_registration_book", "可查阅整本客户登记本"),
            ("confirm_registration", "可核实确认客户登记"),
            ("correct_registration", "可更正任何客户登记"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                name="sales_registration_correction_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "received_on"], name="sales_reg_company_day"),
            models.Index(fields=["company", "receiver", "received_on"], name="sales_reg_receiver"),
            # A customer's lines by time. The receiver and the correction mark ride along so the
            # facts' reads (each receiver's first and latest line, of the customer and of its
            # namesakes) find everything in the index and read no rows: on SQLite and, once
            # vacuumed, on PostgreSQL's index-only scans.
            models.Index(
                fields=["company", "customer", "visited_at", "receiver", "corrects"],
                name="sales_reg_customer_lines",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.customer_name or self.customer_id}"

    @property
    def contact_masked(self) -> str:
        """The contact as shown to everyone: a phone masked (138****1234), other text as typed."""
        return mask_phone(self.phone_e164) if self.phone_e164 else self.contact


class RegistrationKeyKind(models.TextChoices):
    CUSTOMER = "customer", _("客户档案")
    PHONE = "phone", _("联系电话")
    FULL_NAME = "full_name", _("姓名全称")
    CAR = "car", _("车辆品牌+车牌号+姓氏")
    VISIT = "visit", _("当日来访")


class RegistrationKey(CompanyOwned):
    """The first registration of a customer, and of each deciding identity key (A1.5, A7.4);
    and each customer's line of a visit day (``visit``: one line per customer per day, A1.1).

    Unique per (company, kind, value): of two desks registering the same customer at the same
    moment, the database lets exactly one insert its keys; the other waits for it, is refused
    and is told who registered first and when. Keys are only ever added.
    """

    kind = models.CharField("要素", max_length=20, choices=RegistrationKeyKind.choices)
    value = models.CharField("值", max_length=120)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="first_keys"
    )
    claimed_at = models.DateTimeField("首次登记时间", default=timezone.now)

    class Meta:
        verbose_name = "首次登记要素"
        verbose_name_plural = "首次登记要素"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "value"], name="sales_regkey_first_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class RegistrationConfirmation(CompanyOwned):
    """The project manager verified and confirmed a registration (A1.1): a record of its own."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="confirmations"
    )
    confirmed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="确认人"
    )
    confirmed_at = models.DateTimeField("确认时间", default=timezone.now)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "登记确认"
        verbose_name_plural = "登记确认"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["registration"], name="sales_regconfirm_once"),
        ]


class PhoneEnquiry(CompanyOwned):
    """One line of the phone-enquiry book (A7.5); never in the registration book (A1.3).

    ``desk_owner`` is whose phone rang: the call belongs to them even when a colleague answered
    (Reading of A7.5: the colleague is helping).
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name="项目")
    called_at = models.DateTimeField("来电时间")
    desk_owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="电话所属售楼员"
    )
    answered_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="接听人"
    )
    caller_name = models.CharField("来电人", max_length=100, blank=True)
    contact = models.CharField("联络方式", max_length=100, blank=True)
    phone_e164 = models.CharField("标准电话", max_length=20, blank=True, editable=False)
    intention = models.TextField("咨询内容/意向", blank=True)
    source = models.CharField("信息来源", max_length=200, blank=True)
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="phone_enquiries",
        verbose_name="客户",
    )
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="更正的记录",
    )
    correction_reason = models.TextField("更正理由", blank=True)

    class Meta:
        verbose_name = "电话咨询"
        verbose_name_plural = "电话咨询登记本"
        default_permissions = ("add", "view")
        permissions = [("view_phone_book", "可查阅整本电话咨询登记本")]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                name="sales_phone_correction_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "called_at"], name="sales_phone_company_at"),
            models.Index(fields=["company", "desk_owner", "called_at"], name="sales_phone_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.caller_name}"

    @property
    def contact_masked(self) -> str:
        """The contact as shown to everyone: a phone masked (138****1234), other text as typed."""
        return mask_phone(self.phone_e164) if self.phone_e164 else self.contact

    @property
    def helped(self) -> bool:
        """A colleague answered for the desk owner (A7.5)."""
        return self.answered_by_id != self.desk_owner_id


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    VISIT = "visit", _("到访")
    MESSAGE = "message", _("短信")
    OTHER = "other", _("其他")


class FollowUp(CompanyOwned):
    """A salesperson followed up a customer (A1.4): evidence of diligence, append-only."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="客户"
    )
    salesperson = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="跟进人"
    )
    at = models.DateTimeField("跟进时间")
    channel = models.CharField(
        "方式", max_length=20, choices=FollowUpChannel.choices, default=FollowUpChannel.PHONE
    )
    note = models.TextField("跟进内容")
    next_on = models.DateField("下次跟进", null=True, blank=True)
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "跟进记录"
        verbose_name_plural = "跟进记录"
        default_permissions = ("add", "view")
        permissions = [("view_all_follow_ups", "可查看本公司全部跟进记录")]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="sales_followup_note_required"),
        ]
        indexes = [
            models.Index(fields=["company", "customer", "at"], name="sales_followup_customer"),
            models.Index(fields=["company", "salesperson", "at"], name="sales_followup_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.customer_id}"
