"""Customers, their phones, families (一家人) and visiting batches (一批人).

Identity keys (A7.4) are derived from the typed values **once, on write** (``save``) and stored
in indexed columns, so matching and search are equality or prefix lookups on an index scoped by
company. The raw values are kept as typed for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.customers import rules
from kehu.core.customers.crypto import PURPOSE_ID_NUMBER, decrypt_field, encrypt_field
from kehu.core.org.models import CompanyOwned, Site, Staff

# Prefix searches (LIKE 'abc%') use an index on PostgreSQL only with the pattern operator class
# when the database collation is not "C"; other backends ignore opclasses.
_PATTERN_OPS = "varchar_pattern_ops"


class CustomerKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("customer kind", "个人")
    ORGANISATION = "organisation", pgettext_lazy("customer kind", "单位")


class Customer(CompanyOwned):
    kind = models.CharField(
        "类型", max_length=20, choices=CustomerKind, default=CustomerKind.PERSON
    )
    name = models.CharField("姓名/名称", max_length=100, blank=True)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    car_brand = models.CharField("车辆品牌", max_length=50, blank=True)
    plate = models.CharField("车牌号", max_length=20, blank=True)
    source = models.CharField("信息来源", max_length=200, blank=True)
    intention = models.TextField("购买意向", blank=True)
    # The ID number itself is stored only encrypted; the masked form is kept for display.
    id_number_encrypted = models.TextField("身份证号（加密）", blank=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=40, blank=True, editable=False)
    owner = models.ForeignKey(
        Staff,
        verbose_name="负责员工",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        Staff,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_customers",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # --- derived keys (written by save(); never edited by hand) ---
    name_key = models.CharField(max_length=100, blank=True, editable=False)
    full_name_key = models.CharField(max_length=100, blank=True, editable=False)
    surname = models.CharField(max_length=40, blank=True, editable=False)
    pinyin_initials = models.CharField(max_length=100, blank=True, editable=False)
    pinyin_full = models.CharField(max_length=255, blank=True, editable=False)
    plate_key = models.CharField(max_length=20, blank=True, editable=False)
    car_brand_key = models.CharField(max_length=50, blank=True, editable=False)

    # --- when the sales book last saw the customer (written by the sales app) ---
    # The latest visit line's time: never earlier than any current line of the customer
    # (``sales.registration_services`` and the legacy import raise it; migration sales/0019
    # filled it in). The light A7.4 match says of each customer whether it is since the A7.15
    # horizon (``namesake_horizon``), so registering a visit reads the earlier receivers of only
    # those namesakes — a common name has hundreds of files, nearly all long gone cold.
    last_visit_at = models.DateTimeField("最近到访时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "客户"
        verbose_name_plural = "客户"
        permissions = (
            ("reveal_phone", "可查看完整电话"),
            ("reveal_id_number", "可查看身份证号"),
            ("view_all_customers", "可查看本公司全部客户"),
        )
        indexes = (
            # A7.4 grounds: full name; car brand + plate + surname (phones: CustomerPhone).
            # The full name's index carries what a light match reads (match_sql): a common name
            # matches hundreds of customers, read from the index alone on PostgreSQL (871
            # namesakes: 6.2 ms → 1.0 ms warm). SQLite has no INCLUDE; Django leaves it out there.
            models.Index(
                fields=["company", "full_name_key"],
                name="cust_full_name_key",
                include=[
                    "id",
                    "surname",
                    "plate_key",
                    "car_brand_key",
                    "created_at",
                    "last_visit_at",
                ],
            ),
            # Also serves plate-prefix searches (pattern operator class on PostgreSQL).
            models.Index(
                fields=["company", "plate_key", "car_brand_key", "surname"],
                name="cust_plate_brand_surname",
                opclasses=["int8_ops", _PATTERN_OPS, _PATTERN_OPS, _PATTERN_OPS],
            ),
            # Search: name and pinyin prefixes.
            models.Index(
                fields=["company", "name_key"],
                name="cust_name_key",
                opclasses=["int8_ops", _PATTERN_OPS],
            ),
            models.Index(
                fields=["company", "pinyin_initials"],
                name="cust_pinyin_initials",
                opclasses=["int8_ops", _PATTERN_OPS],
            ),
            models.Index(
                fields=["company", "pinyin_full"],
                name="cust_pinyin_full",
                opclasses=["int8_ops", _PATTERN_OPS],
            ),
            # Lists: the company's book, and one salesperson's own customers, newest first.
            models.Index(fields=["company", "-created_at"], name="cust_company_created"),
            models.Index(fields=["company", "owner", "-created_at"], name="cust_owner_created"),
            models.Index(fields=["company", "created_by", "-created_at"], name="cust_created_by"),
        )

    def __str__(self) -> str:
        return self.name or f"客户 #{self.pk}"

    def derive_keys(self) -> None:
        """Recompute every identity and search key from the typed values."""
        self.name = (self.name or "").strip()
        self.name_key = rules.normalise_name(self.name)[:100]
        self.full_name_key = rules.full_name_key(self.name)[:100]
        self.surname = rules.surname_of(self.name)[:40]
        initials, full = rules.name_pinyin(self.name)
        self.pinyin_initials = initials[:100]
        self.pinyin_full = full[:255]
        self.plate_key = rules.normalise_plate(self.plate)[:20]
        self.car_brand_key = rules.canonical_car_brand(self.car_brand)[:50]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *_DERIVED_FIELDS}
        super().save(*args, **kwargs)

    # --- ID number: encrypted at rest ---
    def set_id_number(self, id_number: str) -> None:
        """Store a (normalised) ID number encrypted, and its masked form in clear."""
        self.id_number_encrypted = encrypt_field(id_number, purpose=PURPOSE_ID_NUMBER)
        self.id_number_masked = rules.mask_id_number(id_number)

    def get_id_number(self) -> str:
        return decrypt_field(self.id_number_encrypted, purpose=PURPOSE_ID_NUMBER)

    @property
    def identity_keys(self) -> rules.IdentityKeys:
        """This customer's A7.4 keys (phones from the prefetched ``phones`` if loaded)."""
        return self.keys_with_phones(p.e164 for p in self.phones.all())

    def keys_with_phones(self, phones: Iterable[str]) -> rules.IdentityKeys:
        """This customer's A7.4 keys with ``phones`` (E.164) read by the caller."""
        return rules.IdentityKeys(
            full_name=self.full_name_key,
            phones=frozenset(phones),
            car_brand=self.car_brand_key,
            plate=self.plate_key,
            surname=self.surname,
        )


_DERIVED_FIELDS = (
    "name",
    "name_key",
    "full_name_key",
    "surname",
    "pinyin_initials",
    "pinyin_full",
    "plate_key",
    "car_brand_key",
)


class CustomerPhone(CompanyOwned):
    """A contact number. ``e164`` is the A7.4 phone key; ``last4`` serves "尾号" searches."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    raw = models.CharField("填写的号码", max_length=40)
    e164 = models.CharField("标准号码", max_length=20, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    label = models.CharField("说明", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "客户电话"
        verbose_name_plural = "客户电话"
        ordering = ("id",)
        constraints = (
            models.UniqueConstraint(fields=["customer", "e164"], name="cust_phone_unique"),
        )
        indexes = (
            models.Index(
                fields=["company", "e164"],
                name="cust_phone_e164",
                opclasses=["int8_ops", _PATTERN_OPS],
            ),
            models.Index(fields=["company", "last4"], name="cust_phone_last4"),
        )

    def __str__(self) -> str:
        return self.masked

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.e164:
            self.e164 = rules.normalise_phone(self.raw)
        self.last4 = rules.phone_last4(self.e164)
        super().save(*args, **kwargs)

    @property
    def masked(self) -> str:
        return rules.mask_phone(self.e164)

    @property
    def national(self) -> str:
        return rules.phone_national(self.e164)


class FamilyLink(CompanyOwned):
    """``relative`` is the customer's ``relation`` (A7.6 一家人). Every link is stored with its
    inverse (B is A's parent ⇔ A is B's child), written together by ``family_link_add``."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="family_links")
    relative = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(
        "关系",
        max_length=20,
        choices=[
            (rules.Relation.GRANDPARENT, _("祖父母/外祖父母")),
            (rules.Relation.PARENT, _("父母")),
            (rules.Relation.CHILD, _("子女")),
            (rules.Relation.GRANDCHILD, _("孙子女/外孙子女")),
            (rules.Relation.SIBLING, _("兄弟姐妹")),
            (rules.Relation.SPOUSE, _("配偶")),
        ],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "家庭关系"
        verbose_name_plural = "家庭关系"
        constraints = (
            models.UniqueConstraint(fields=["customer", "relative"], name="cust_family_unique"),
            models.CheckConstraint(
                condition=~Q(customer=models.F("relative")), name="cust_family_not_self"
            ),
        )

    def __str__(self) -> str:
        return f"{self.customer} → {self.relative}（{self.get_relation_display()}）"


class VisitBatch(CompanyOwned):
    """People who came to visit together (A7.14 一批人): one customer for ownership."""

    visit_date = models.DateField("来访日期")
    site = models.ForeignKey(
        Site, verbose_name="项目", null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField("备注", max_length=200, blank=True)
    members: models.ManyToManyField[Customer, VisitBatchMember] = models.ManyToManyField(
        Customer, through="VisitBatchMember", related_name="visit_batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "来访批次"
        verbose_name_plural = "来访批次"
        indexes = (models.Index(fields=["company", "visit_date"], name="cust_batch_date"),)

    def __str__(self) -> str:
        return f"{self.visit_date} 来访批次 #{self.pk}"


class VisitBatchMember(CompanyOwned):
    batch = models.ForeignKey(VisitBatch, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="batch_memberships"
    )

    class Meta:
        verbose_name = "批次成员"
        verbose_name_plural = "批次成员"
        constraints = (
            models.UniqueConstraint(fields=["batch", "customer"], name="cust_batch_member_unique"),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.company_id:
            self.company_id = self.batch.company_id
        super().save(*args, **kwargs)
