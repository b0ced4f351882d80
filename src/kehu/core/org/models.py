"""Organisation: group → companies → sites → departments → teams → staff.

One deployment serves a group with several companies. Every business row carries a
``company`` and every selector filters by the requesting staff member's company, so one
company never sees another's data.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.org.posts import Post


class CompanyGroup(models.Model):
    name = models.CharField("集团名称", max_length=100, unique=True)

    class Meta:
        verbose_name = "集团"
        verbose_name_plural = "集团"

    def __str__(self) -> str:
        return self.name


class CompanyKind(models.TextChoices):
    REAL_ESTATE = "real_estate", _("房地产销售")
    PROPERTY = "property", _("物业服务")
    GAS = "gas", _("燃气")
    POWER = "power", _("供电")
    TOBACCO = "tobacco", _("烟草配送")


class Company(models.Model):
    group = models.ForeignKey(CompanyGroup, on_delete=models.PROTECT, related_name="companies")
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("公司名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=CompanyKind.choices)

    class Meta:
        verbose_name = "公司"
        verbose_name_plural = "公司"

    def __str__(self) -> str:
        return self.name


class CompanyOwned(models.Model):
    """Base for every business row: it belongs to exactly one company."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class SiteKind(models.TextChoices):
    SALES_OFFICE = "sales_office", _("售楼处")
    PROPERTY = "property", _("物业项目")
    GAS_DISTRICT = "gas_district", _("燃气营业所")
    POWER_DISTRICT = "power_district", _("供电所")
    DEPOT = "depot", _("配送站")
    OFFICE = "office", _("办公地点")


class Site(CompanyOwned):
    """A project or site: a sales office, a managed estate, a gas or power district."""

    name = models.CharField("项目/站点", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=SiteKind.choices)
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "项目/站点"
        verbose_name_plural = "项目/站点"
        constraints = (
            models.UniqueConstraint(fields=["company", "name"], name="org_site_unique_name"),
        )

    def __str__(self) -> str:
        return self.name


class Department(CompanyOwned):
    name = models.CharField("部门", max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        constraints = (
            models.UniqueConstraint(fields=["company", "name"], name="org_department_unique_name"),
        )

    def __str__(self) -> str:
        return self.name


class Team(CompanyOwned):
    """班组."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField("班组", max_length=100)

    class Meta:
        verbose_name = "班组"
        verbose_name_plural = "班组"
        constraints = (
            models.UniqueConstraint(fields=["department", "name"], name="org_team_unique_name"),
        )

    def __str__(self) -> str:
        return self.name


class Staff(CompanyOwned):
    """An employee: one login, one company, one post (岗位)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff"
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("岗位", max_length=30, choices=Post.choices)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    phone = models.CharField("电话", max_length=20, blank=True)
    active = models.BooleanField("在职", default=True)

    class Meta:
        verbose_name = "员工"
        verbose_name_plural = "员工"
        indexes = (models.Index(fields=["company", "post"], name="org_staff_company_post"),)

    def __str__(self) -> str:
        return f"{self.name}（{self.get_post_display()}）"


class ApiToken(CompanyOwned):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "kehu_" + secrets.token_urlsafe(32)
