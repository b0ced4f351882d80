"""A company's own calendar decisions, which take precedence over the official China calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kehu.core.org.models import CompanyOwned


class CalendarOverride(CompanyOwned):
    """One date a company works or rests differently from the official calendar, or a date in a
    year the installed official data does not cover yet."""

    date = models.DateField("日期")
    is_working_day = models.BooleanField("上班")
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设置人"
    )
    created_at = models.DateTimeField("设置时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="修改人",
    )
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "公司日历例外"
        verbose_name_plural = "公司日历例外"
        ordering = ("company", "date")
        # The unique index also serves the range read "this company, dates a..b".
        constraints = (
            models.UniqueConstraint(
                fields=("company", "date"), name="calendar_override_one_per_day"
            ),
        )

    def __str__(self) -> str:
        return (
            f"{self.date.isoformat()} {'上班' if self.is_working_day else '休息'}（{self.reason}）"
        )


class CalendarYearDeclaration(CompanyOwned):
    """A company's statement that it has entered a year's official arrangement (holidays and
    adjusted working days) as overrides, for a year the installed official data does not
    cover. For such a year every date without an override then follows the ordinary week
    (Monday–Friday work, Saturday and Sunday off) instead of stopping working-day deadlines."""

    year = models.PositiveSmallIntegerField("年份")
    note = models.CharField(
        "依据", max_length=500, help_text="如：国务院办公厅关于2027年部分节假日安排的通知及文号"
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="声明人"
    )
    declared_at = models.DateTimeField("声明时间", default=timezone.now)

    class Meta:
        verbose_name = "公司日历年度声明"
        verbose_name_plural = "公司日历年度声明"
        ordering = ("company", "year")
        constraints = (
            models.UniqueConstraint(fields=("company", "year"), name="calendar_year_declared_once"),
        )

    def __str__(self) -> str:
        return f"{self.year}（{self.note}）"
