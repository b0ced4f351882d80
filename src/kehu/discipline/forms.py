"""Web forms of the rewards-and-penalties pages: record an entry, decide a proposal, pick a date
or a year. Messages are Chinese first and say what to fix."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import Staff
from kehu.core.org.posts import post_label
from kehu.discipline.labels import failure_label_lazy, kind_label, kind_label_lazy
from kehu.discipline.models import DecisionOutcome
from kehu.discipline.rules import FAILURE_LABELS, Kind
from kehu.discipline.selectors import local_today
from kehu.discipline.services import MANUAL_KINDS

# The kinds a manager records by hand, in the order the select lists them (the service's
# ``MANUAL_KINDS``). Conversions and the proposals they raise come from the rules;
# terminations, demotions, reassignments and offsets are decisions taken in the decision queue;
# reversals come from upheld appeals.
_HAND_ORDER: tuple[Kind, ...] = (
    Kind.CRITICISM,
    Kind.MINOR_DEMERIT,
    Kind.MAJOR_DEMERIT,
    Kind.COMMENDATION,
    Kind.MINOR_MERIT,
    Kind.MAJOR_MERIT,
    Kind.FINE,
    Kind.BONUS,
    Kind.SPECIAL_AWARD,
    Kind.POINTS,
    Kind.WARNING,
    Kind.SUPERVISION_FAILURE,
)
HAND_KINDS: tuple[Kind, ...] = tuple(k for k in _HAND_ORDER if k in MANUAL_KINDS)
MONEY_KINDS = frozenset({Kind.FINE, Kind.BONUS, Kind.SPECIAL_AWARD})
# Which variable field each kind needs (the form shows only these once a kind is chosen).
VARIABLE_FIELDS: dict[Kind, tuple[str, ...]] = {
    **{kind: ("amount",) for kind in MONEY_KINDS},
    Kind.POINTS: ("points",),
    Kind.SUPERVISION_FAILURE: ("failure_type",),
}
ALL_VARIABLE_FIELDS = ("amount", "points", "failure_type")
# Rule IDs contain spaces ("A4 五.5.1"), so only commas, 、 and semicolons separate them.
_RULE_SEPARATORS = re.compile(r"[,，、;；\n]+")


def parse_rule_ids(text: str) -> list[str]:
    """``"A7.13、A4 五.5.2"`` → ``["A7.13", "A4 五.5.2"]``: blanks dropped, once each."""
    seen: dict[str, None] = {}
    for part in _RULE_SEPARATORS.split(text):
        cleaned = " ".join(part.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def variable_fields_for(kind: str | None) -> tuple[str, ...]:
    """The variable fields to show for ``kind``: all of them until a kind is chosen."""
    try:
        return VARIABLE_FIELDS.get(Kind(kind or ""), ())
    except ValueError:
        return ALL_VARIABLE_FIELDS


class EmployeeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Staff) -> str:
        department = f" · {obj.department.name}" if obj.department_id and obj.department else ""
        return gettext("%(name)s（%(post)s%(department)s）") % {
            "name": obj.name,
            "post": post_label(obj.post),
            "department": department,
        }


class EntryRecordForm(forms.Form):
    """A manager records a fact on a team member's ledger (A4 五.5)."""

    employee = EmployeeChoiceField(
        label=_("员工"),
        queryset=Staff.objects.none(),
        error_messages={
            "required": _("请选择员工。"),
            "invalid_choice": _("该员工不在您可记录的范围内。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("", _("请选择…"))] + [(k.value, kind_label_lazy(k)) for k in HAND_KINDS],
        error_messages={
            "required": _("请选择奖惩类型。"),
            "invalid_choice": _("该类型不能手工记录（累计转换、警告和决定由系统或审批产生）。"),
        },
    )
    on = forms.DateField(
        label=_("发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写发生日期。"),
            "invalid": _("日期格式应为 2026-11-20。"),
        },
    )
    amount = forms.DecimalField(
        label=_("金额（元）"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("罚款、奖金、专项奖励必填，单位元，最多两位小数。"),
        error_messages={
            "invalid": _("金额应为数字，如 300 或 300.50。"),
            "min_value": _("金额须大于 0 元。"),
            "max_decimal_places": _("金额最多两位小数。"),
            "max_digits": _("金额过大。"),
        },
    )
    points = forms.IntegerField(
        label=_("绩效分"),
        required=False,
        min_value=-1000,
        max_value=1000,
        help_text=_("绩效加减分必填：正数为加分，负数为减分，如 -3。"),
        error_messages={"invalid": _("绩效分应为整数，如 5 或 -3。")},
    )
    failure_type = forms.TypedChoiceField(
        label=_("不合格类型（A4 四.六）"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("请选择…"))]
        + [(n, format_lazy("{}. {}", n, failure_label_lazy(n))) for n in FAILURE_LABELS],
        help_text=_("监督考核不合格必填；同类情况在年内累计，达到次数予以警告。"),
    )
    rule_ids = forms.CharField(
        label=_("依据条款"),
        max_length=200,
        required=False,
        help_text=_(
            "如 A7.13、A4 五.5.1；多条用顿号或逗号分隔。留空则引用该类型的条款"
            "（行政奖惩 A4 五.5.1，罚款和奖金 A4 五.5.2，绩效 A4 五.5.3，专项奖励 A4 五.5.4）。"
        ),
    )
    reason = forms.CharField(
        label=_("事由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请写明事由。")},
    )

    def __init__(self, *args: Any, employees: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employee_field = self.fields["employee"]
        assert isinstance(employee_field, EmployeeChoiceField)
        employee_field.queryset = employees

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw_kind = cleaned.get("kind")
        if not raw_kind:
            return cleaned
        kind = Kind(raw_kind)
        if kind in MONEY_KINDS and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error(
                "amount", gettext("%(kind)s须填写金额（元）。") % {"kind": kind_label(kind)}
            )
        if kind == Kind.POINTS and not cleaned.get("points") and "points" not in self.errors:
            self.add_error("points", _("绩效加减分须填写非零分值，减分用负数。"))
        if kind == Kind.SUPERVISION_FAILURE and cleaned.get("failure_type") is None:
            self.add_error("failure_type", _("请选择不合格类型（1–6）。"))
        on = cleaned.get("on")
        if isinstance(on, dt.date) and on > local_today():
            self.add_error("on", _("发生日期不能晚于今天。"))
        return cleaned

    def clean_rule_ids(self) -> list[str]:
        return parse_rule_ids(self.cleaned_data.get("rule_ids", ""))

    def entry_kwargs(self) -> dict[str, Any]:
        """The service's keyword arguments; values of fields the kind does not use are dropped
        (without JavaScript every field is on the page)."""
        cleaned = self.cleaned_data
        kind = Kind(cleaned["kind"])
        needed = VARIABLE_FIELDS.get(kind, ())
        return {
            "employee": cleaned["employee"],
            "kind": kind.value,
            "on": cleaned["on"],
            "reason": cleaned["reason"],
            "rule_ids": cleaned["rule_ids"],
            "amount": cleaned.get("amount") if "amount" in needed else None,
            "points": cleaned.get("points") if "points" in needed else None,
            "failure_type": cleaned.get("failure_type") if "failure_type" in needed else None,
        }


class DecisionForm(forms.Form):
    """A decider's answer to one proposal in the queue."""

    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        choices=DecisionOutcome.choices,
        error_messages={"required": _("请选择批准或不予批准。")},
    )
    amount = forms.DecimalField(
        label=_("罚款金额（元）"),
        required=False,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": _("金额应为数字，如 300。"),
            "max_decimal_places": _("金额最多两位小数。"),
        },
    )
    measure = forms.ChoiceField(
        label=_("措施"),
        required=False,
        choices=[
            ("", _("调整岗位（默认）")),
            ("reassignment", _("调整岗位")),
            ("demotion", _("降职")),
        ],
    )
    reason = forms.CharField(
        label=_("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明决定的理由。")},
    )


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("截至日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日期格式应为 2026-11-20。")},
    )


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("年度应为四位数字，如 2026。"),
            "min_value": _("年度应在 2000–2100 之间。"),
            "max_value": _("年度应在 2000–2100 之间。"),
        },
    )
