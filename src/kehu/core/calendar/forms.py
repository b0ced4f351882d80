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


class ImportForm(forms.Form):
    text = forms.CharField(
        label=_("粘贴例外（每行一条）"),
        widget=forms.Textarea(
            attrs={"rows": 10, "placeholder": "2027-01-01 休 元旦\n2027-02-06 班 春节调休"}
        ),
        help_text=_("格式：日期 标记 原因。“休”为休息，“班”为上班；# 开头的行和空行忽略。"),
    )


class DeclareForm(forms.Form):
    year = forms.IntegerField(min_value=1900, max_value=2999, widget=forms.HiddenInput)
    # Checked by the service, whose message says what a source looks like.
    note = forms.CharField(label=_("声明依据"), required=False)


class DueForm(forms.Form):
    start = forms.CharField(
        label=_("起算时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("北京时间；起算日不计入。"),
    )
    amount = forms.IntegerField(label=_("数量"), min_value=0, initial=1)
    unit = forms.ChoiceField(label=_("单位"), choices=UNIT_CHOICES)
