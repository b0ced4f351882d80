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
