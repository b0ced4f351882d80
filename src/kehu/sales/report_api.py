"""API of the sales office's 案场报表（轮排公平、来访→成交、撞单、业绩）.

Mounted at /api/v1/sales/reports/. Every endpoint takes ``site_id`` (optional), ``start`` and
``end`` (local days, inclusive; default: this month and the two before it) and, for the
receptions, ``period`` (``day`` | ``month``).

``GET /receptions``          receptions per salesperson per period, and rotation fairness
``GET /funnel``              visit → registration → deal
``GET /conflicts``           conflicts (撞单) by deciding clause per month
``GET /commission``          commission per salesperson per month, net of reversals
``GET /{kind}/export``       one of them as an Excel workbook (audited)

Without ``sales.view_sales_reports``: 403. A site of another company: 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import report_export as export
from kehu.sales import report_selectors as selectors

router = Router(tags=["sales 案场报表（轮排公平、来访→成交、撞单、业绩）"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class FiltersIn(Schema):
    site_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    period: Literal["day", "month"] = "day"

    def filters(self) -> selectors.ReportFilters:
        default = selectors.ReportFilters.default()
        return selectors.ReportFilters(
            start=self.start or default.start,
            end=self.end or default.end,
            site_id=self.site_id,
            period=self.period,
        )


class ScopeOut(Schema):
    site_id: int | None
    site: str
    start: dt.date
    end: dt.date
    period: str


class ReceptionRowOut(Schema):
    period: dt.date
    staff_id: int
    name: str
    receptions: int
    consumed: int
    not_consumed: int
    makeups_served: int
    makeups_earned: int


class FairnessRowOut(Schema):
    staff_id: int
    name: str
    receptions: int
    consumed: int
    not_consumed: int
    makeups_served: int
    makeups_earned: int
    versus_mean: Decimal


class ReceptionsOut(Schema):
    scope: ScopeOut
    rows: list[ReceptionRowOut]
    fairness: list[FairnessRowOut]
    mean_consumed: Decimal
    spread: int
    rule_ids: list[str]


class StageOut(Schema):
    key: str
    label: str
    count: int
    percent_of_previous: Decimal | None


class FunnelOut(Schema):
    scope: ScopeOut
    stages: list[StageOut]
    rule_ids: list[str]


class ConflictRowOut(Schema):
    month: dt.date
    clause: str
    count: int


class ConflictsOut(Schema):
    scope: ScopeOut
    rows: list[ConflictRowOut]


class CommissionRowOut(Schema):
    month: dt.date
    staff_id: int | None
    name: str
    party_kind: str
    amount: Decimal
    lines: int


class CommissionOut(Schema):
    scope: ScopeOut
    rows: list[CommissionRowOut]
    total: Decimal
    rule_ids: list[str]


def _scope(request: HttpRequest, params: FiltersIn) -> selectors.ReportScope:
    return selectors.report_scope(request_staff(request), params.filters())


def _scope_out(scope: selectors.ReportScope) -> dict[str, Any]:
    f = scope.filters
    return {
        "site_id": scope.site.pk if scope.site else None,
        "site": scope.site_name,
        "start": f.start,
        "end": f.end,
        "period": f.period,
    }


@router.get("/receptions", response={200: ReceptionsOut, **_ERRORS}, summary="接待与轮排公平")
def receptions(request: HttpRequest, params: Query[FiltersIn]) -> Any:
    scope = _scope(request, params)
    report = selectors.reception_report(scope)
    return {
        "scope": _scope_out(scope),
        "rows": report.rows,
        "fairness": report.fairness,
        "mean_consumed": report.mean_consumed,
        "spread": report.spread,
        "rule_ids": list(report.rule_ids),
    }


@router.get("/funnel", response={200: FunnelOut, **_ERRORS}, summary="来访 → 登记 → 成交")
def funnel(request: HttpRequest, params: Query[FiltersIn]) -> Any:
    scope = _scope(request, params)
    report = selectors.funnel_report(scope)
    return {"scope": _scope_out(scope), "stages": report.stages, "rule_ids": list(report.rule_ids)}


@router.get("/conflicts", response={200: ConflictsOut, **_ERRORS}, summary="撞单按裁定条款")
def conflicts(request: HttpRequest, params: Query[FiltersIn]) -> Any:
    scope = _scope(request, params)
    return {"scope": _scope_out(scope), "rows": selectors.conflict_report(scope).rows}


@router.get("/commission", response={200: CommissionOut, **_ERRORS}, summary="售楼员业绩")
def commission(request: HttpRequest, params: Query[FiltersIn]) -> Any:
    scope = _scope(request, params)
    report = selectors.commission_report(scope)
    return {
        "scope": _scope_out(scope),
        "rows": report.rows,
        "total": report.total,
        "rule_ids": list(report.rule_ids),
    }


@router.get(
    "/{kind}/export",
    response={200: None, **_ERRORS},
    summary="导出 Excel / export a report as .xlsx (audited)",
)
def export_xlsx(
    request: HttpRequest,
    kind: Literal["receptions", "funnel", "conflicts", "commission"],
    params: Query[FiltersIn],
) -> Any:
    exported = export.sales_report_export(
        viewer=request_staff(request), kind=kind, filters=params.filters(), request=request
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"sales-{kind}.xlsx\"; filename*=UTF-8''{quote(exported.filename)}"
    )
    return response
