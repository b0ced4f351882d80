"""The sales-office reports page (案场报表) and its Excel exports, under /sales/reports/.

- ``/sales/reports/``                        four reports with ECharts charts and tables
- ``/sales/reports/export/<kind>.xlsx``      one report as an Excel workbook (audited)

Both take the same filters: ``site`` (optional), ``start`` and ``end`` (local days, inclusive)
and ``period`` (``day`` | ``month``, for the receptions). Charts get their ECharts option
through ``json_script``; ``kehu.js`` draws every ``[data-chart-option]`` (no inline script).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.sales import report_export as export
from kehu.sales import report_selectors as selectors
from kehu.sales.registration_views import staff_required

PALETTE = (
    "#2874a6",
    "#c0392b",
    "#1e8449",
    "#b9770e",
    "#6c3483",
    "#148f77",
    "#7f8c8d",
    "#e67e22",
    "#1a5276",
    "#a93226",
)


class ReportFilterForm(forms.Form):
    site = forms.TypedChoiceField(
        label=gettext_lazy("项目"), required=False, coerce=int, empty_value=None
    )
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period = forms.ChoiceField(
        label=gettext_lazy("接待统计周期"),
        choices=[("day", gettext_lazy("按日")), ("month", gettext_lazy("按月"))],
        initial="day",
    )

    def __init__(self, data: Any, *, staff: Staff) -> None:
        default = selectors.ReportFilters.default()
        merged = {"start": default.start, "end": default.end, "period": "day", "site": ""}
        if data:
            merged.update({k: v for k, v in data.items() if v not in (None, "")})
        super().__init__(merged)
        sites = list(selectors.report_sites(staff).values_list("pk", "name"))
        self.fields["site"].choices = [("", _("全部项目")), *sites]  # type: ignore[attr-defined]

    def filters(self) -> selectors.ReportFilters:
        if not self.is_valid():
            default = selectors.ReportFilters.default()
            return default
        data = self.cleaned_data
        return selectors.ReportFilters(
            start=data["start"], end=data["end"], site_id=data["site"], period=data["period"]
        )


def _option_json(option: dict[str, Any]) -> Any:
    return json.loads(json.dumps(option, cls=DjangoJSONEncoder))


def _period_label(value: dt.date, period: str) -> str:
    return value.strftime("%Y-%m") if period == "month" else value.strftime("%m-%d")


def receptions_chart(report: selectors.ReceptionReport) -> dict[str, Any]:
    """Per salesperson: consumed and not-consumed turns stacked, make-ups served beside, the
    mean of consumed turns as a line (rotation fairness)."""
    names = [row.name for row in report.fairness]
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"top": 40, "left": 40, "right": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": names},
        "yAxis": {"type": "value", "minInterval": 1, "name": _("次")},
        "series": [
            {
                "name": _("占用名额"),
                "type": "bar",
                "stack": "turns",
                "itemStyle": {"color": PALETTE[0]},
                "data": [row.consumed for row in report.fairness],
                "markLine": {
                    "symbol": "none",
                    "label": {
                        "position": "insideEndTop",
                        "formatter": _("平均 %(mean)s") % {"mean": report.mean_consumed},
                    },
                    "data": [{"yAxis": float(report.mean_consumed)}],
                },
            },
            {
                "name": _("不占名额"),
                "type": "bar",
                "stack": "turns",
                "itemStyle": {"color": "#a9cce3"},
                "data": [row.not_consumed for row in report.fairness],
            },
            {
                "name": _("补接"),
                "type": "bar",
                "itemStyle": {"color": PALETTE[3]},
                "data": [row.makeups_served for row in report.fairness],
            },
            {
                "name": _("获补接名额"),
                "type": "bar",
                "itemStyle": {"color": "#f5cba7"},
                "data": [row.makeups_earned for row in report.fairness],
            },
        ],
    }


def receptions_by_period_chart(report: selectors.ReceptionReport, period: str) -> dict[str, Any]:
    periods = sorted({row.period for row in report.rows})
    names = list(dict.fromkeys(row.name for row in report.fairness))
    cells = {(row.period, row.name): row.receptions for row in report.rows}
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"top": 40, "left": 40, "right": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": [_period_label(p, period) for p in periods]},
        "yAxis": {"type": "value", "minInterval": 1, "name": _("接待（次）")},
        "series": [
            {
                "name": name,
                "type": "bar",
                "stack": "receptions",
                "barMaxWidth": 28,
                "itemStyle": {"color": PALETTE[index % len(PALETTE)]},
                "data": [cells.get((p, name), 0) for p in periods],
            }
            for index, name in enumerate(names)
        ],
    }


def funnel_chart(report: selectors.FunnelReport) -> dict[str, Any]:
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                "left": "10%",
                "width": "80%",
                "minSize": "5%",
                "label": {"show": True, "position": "inside"},
                "data": [
                    {
                        "name": f"{stage.label} {stage.count}",
                        "value": stage.count,
                        "itemStyle": {"color": PALETTE[index]},
                    }
                    for index, stage in enumerate(report.stages)
                ],
            }
        ],
    }


def conflicts_chart(report: selectors.ConflictReport) -> dict[str, Any]:
    cells = {(row.month, row.clause): row.count for row in report.rows}
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"top": 40, "left": 40, "right": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": [m.strftime("%Y-%m") for m in report.months]},
        "yAxis": {"type": "value", "minInterval": 1, "name": _("次")},
        "series": [
            {
                "name": clause,
                "type": "bar",
                "stack": "clauses",
                "barMaxWidth": 36,
                "itemStyle": {"color": PALETTE[index % len(PALETTE)]},
                "data": [cells.get((m, clause), 0) for m in report.months],
            }
            for index, clause in enumerate(report.clauses)
        ],
    }


def commission_chart(report: selectors.CommissionReport) -> dict[str, Any]:
    months = sorted({row.month for row in report.rows})
    names = list(dict.fromkeys(row.name for row in report.rows))
    cells: dict[tuple[dt.date, str], float] = {}
    for row in report.rows:
        cells[(row.month, row.name)] = cells.get((row.month, row.name), 0.0) + float(row.amount)
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"top": 40, "left": 70, "right": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": [m.strftime("%Y-%m") for m in months]},
        "yAxis": {"type": "value", "name": _("元")},
        "series": [
            {
                "name": name,
                "type": "bar",
                "stack": "commission",
                "barMaxWidth": 36,
                "itemStyle": {"color": PALETTE[index % len(PALETTE)]},
                "data": [round(cells.get((m, name), 0.0), 2) for m in months],
            }
            for index, name in enumerate(names)
        ],
    }


@staff_required
@require_GET
def report_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = ReportFilterForm(request.GET, staff=staff)
    try:
        scope = selectors.report_scope(staff, form.filters())
    except KehuError as error:
        if error.status != 400:
            raise
        form.add_error(None, error.message())
        scope = selectors.report_scope(staff, selectors.ReportFilters.default())
    period = scope.filters.period
    receptions = selectors.reception_report(scope)
    funnel = selectors.funnel_report(scope)
    conflicts = selectors.conflict_report(scope)
    commission = selectors.commission_report(scope)
    return render(
        request,
        "sales/report/index.html",
        {
            "form": form,
            "scope": scope,
            "query": request.GET.urlencode(),
            "period": period,
            "receptions": receptions,
            "funnel": funnel,
            "conflicts": conflicts,
            "commission": commission,
            "charts": {
                "fairness": _option_json(receptions_chart(receptions)),
                "by_period": _option_json(receptions_by_period_chart(receptions, period)),
                "funnel": _option_json(funnel_chart(funnel)),
                "conflicts": _option_json(conflicts_chart(conflicts)),
                "commission": _option_json(commission_chart(commission)),
            },
        },
    )


@staff_required
@require_GET
def report_export(request: HttpRequest, staff: Staff, kind: str) -> HttpResponse:
    """One report as an Excel workbook (audited as an export)."""
    form = ReportFilterForm(request.GET, staff=staff)
    exported = export.sales_report_export(
        viewer=staff, kind=kind, filters=form.filters(), request=request
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    ascii_name = f"sales-{kind}-{staff.company.code}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(exported.filename)}"
    )
    return response
