"""Forms of the calendar pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.calendar import rules

UNIT_CHOICES = [
    (rules.Unit.WORKDAY.value, _("工作日")),
    (rules.Unit.DAY.value, _("自然日")),
    (rules.Unit.HOUR.value, _("小时（钟点）")),
    (rules.Unit.SAMEDAY.value, _("当日")),
]


class OverrideForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=_("这一天"),
        choices=[("0", _("休息")), ("1", _("上班"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=_("原因"), max_length=200)


class DueForm(forms.Form):
    start = forms.CharField(
        label=_("起算时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("北京时间；起算日不计入。"),
    )
    amount = forms.IntegerField(label=_("数量"), min_value=0, initial=1)
    unit = forms.ChoiceField(label=_("单位"), choices=UNIT_CHOICES)
