"""Sales-office reports as Excel workbooks (案场报表导出), audited like the discipline export.

``sales_report_export`` checks the reader and the filters through ``report_selectors`` (403
without ``sales.view_sales_reports``, 404 for a site they may not see), runs the report's
queries, builds one sheet and writes an ``AuditAction.EXPORT`` event in the same transaction.
Headers are Chinese; the first rows say which site and range the numbers cover. Only counts and
sums per salesperson are exported — no customer's name or phone.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Sequence
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.sales import report_selectors as selectors

AUDIT_OBJECT_TYPE = "sales.report"
MONEY_FORMAT = "#,##0.00"
ReportKind = Literal["receptions", "funnel", "conflicts", "commission"]
REPORT_KINDS: tuple[str, ...] = ("receptions", "funnel", "conflicts", "commission")
TITLES: dict[str, str] = {
    "receptions": gettext_noop("接待与轮排公平"),
    "funnel": gettext_noop("来访登记成交转化"),
    "conflicts": gettext_noop("撞单按裁定条款"),
    "commission": gettext_noop("售楼员业绩"),
}
RECEPTION_HEADERS = ("日期", "售楼员", "接待（次）", "占用名额", "不占名额", "补接", "获补接名额")
FAIRNESS_HEADERS = (
    "售楼员",
    "接待（次）",
    "占用名额",
    "不占名额",
    "补接",
    "获补接名额",
    "与平均占用名额之差",
)
FUNNEL_HEADERS = ("阶段", "数量", "占上一阶段（%）")
CONFLICT_HEADERS = ("月份", "裁定条款", "撞单（次）")
COMMISSION_HEADERS = ("月份", "售楼员/对象", "业绩金额（元，已扣冲销）", "台账条目")


@dataclasses.dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int

    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unknown_report() -> KehuError:
    return KehuError(
        "sales.report.unknown",
        "没有这种报表。可选：receptions、funnel、conflicts、commission。",
        "No such report. Choose receptions, funnel, conflicts or commission.",
        status=404,
    )


def export_filename(company_name: str, kind: str, filters: selectors.ReportFilters) -> str:
    safe = company_name.replace("/", "").replace("\\", "").strip() or "kehu"
    return f"{safe}-{TITLES[kind]}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"


def _sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(header) * 2 + 2)
    sheet.freeze_panes = "A2"


def _period_text(value: Any, period: str) -> str:
    return value.strftime("%Y-%m") if period == "month" else value.isoformat()


def _receptions(wb: Workbook, scope: selectors.ReportScope) -> int:
    report = selectors.reception_report(scope)
    period = scope.filters.period
    _sheet(
        wb,
        "按日接待" if period == "day" else "按月接待",
        RECEPTION_HEADERS if period == "day" else ("月份", *RECEPTION_HEADERS[1:]),
        [
            (
                _period_text(r.period, period),
                r.name,
                r.receptions,
                r.consumed,
                r.not_consumed,
                r.makeups_served,
                r.makeups_earned,
            )
            for r in report.rows
        ],
    )
    _sheet(
        wb,
        "轮排公平",
        FAIRNESS_HEADERS,
        [
            *(
                (
                    r.name,
                    r.receptions,
                    r.consumed,
                    r.not_consumed,
                    r.makeups_served,
                    r.makeups_earned,
                    r.versus_mean,
                )
                for r in report.fairness
            ),
            ("平均占用名额", None, report.mean_consumed, None, None, None, None),
            ("极差（最多减最少）", None, report.spread, None, None, None, None),
        ],
    )
    return len(report.rows)


def _funnel(wb: Workbook, scope: selectors.ReportScope) -> int:
    report = selectors.funnel_report(scope)
    _sheet(
        wb,
        "转化",
        FUNNEL_HEADERS,
        [(s.label, s.count, s.percent_of_previous) for s in report.stages],
    )
    return len(report.stages)


def _conflicts(wb: Workbook, scope: selectors.ReportScope) -> int:
    report = selectors.conflict_report(scope)
    _sheet(
        wb,
        "撞单",
        CONFLICT_HEADERS,
        [(r.month.strftime("%Y-%m"), r.clause, r.count) for r in report.rows],
    )
    return len(report.rows)


def _commission(wb: Workbook, scope: selectors.ReportScope) -> int:
    report = selectors.commission_report(scope)
    _sheet(
        wb,
        "业绩",
        COMMISSION_HEADERS,
        [
            *((r.month.strftime("%Y-%m"), r.name, r.amount, r.lines) for r in report.rows),
            ("合计", None, report.total, sum(r.lines for r in report.rows)),
        ],
    )
    sheet = wb["业绩"]
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        cell.number_format = MONEY_FORMAT
    return len(report.rows)


_BUILDERS: dict[str, Callable[[Workbook, selectors.ReportScope], int]] = {
    "receptions": _receptions,
    "funnel": _funnel,
    "conflicts": _conflicts,
    "commission": _commission,
}


def report_workbook(kind: str, scope: selectors.ReportScope) -> tuple[bytes, int]:
    """The workbook of one report: a cover sheet (company, site, range) and its data sheets."""
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "说明"
    f = scope.filters
    for line in (
        ("报表", TITLES[kind]),
        ("公司", scope.staff.company.name),
        ("项目", scope.site_name),
        ("开始日期", f.start.isoformat()),
        ("结束日期", f.end.isoformat()),
        ("统计周期", "日" if f.period == "day" else "月"),
    ):
        cover.append(list(line))
    cover.column_dimensions["A"].width = 12
    cover.column_dimensions["B"].width = 30
    workbook.properties.title = f"{scope.staff.company.name} {TITLES[kind]}"
    workbook.properties.creator = "kehu 客户"
    rows = _BUILDERS[kind](workbook, scope)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows


def sales_report_export(
    *,
    viewer: Staff,
    kind: str,
    filters: selectors.ReportFilters,
    request: HttpRequest | None = None,
) -> ExportFile:
    """One report as an .xlsx file, audited as an export (same transaction)."""
    if kind not in _BUILDERS:
        raise unknown_report()
    scope = selectors.report_scope(viewer, filters)
    company = viewer.company
    with transaction.atomic():
        content, rows = report_workbook(kind, scope)
        audit_record(
            action=AuditAction.EXPORT,
            actor=viewer.user,
            company=company,
            request=request,
            object_type=AUDIT_OBJECT_TYPE,
            object_id=kind,
            detail={"format": "xlsx", "report": kind, "rows": rows, **scope.filters.as_dict()},
        )
    return ExportFile(
        filename=export_filename(company.name, kind, scope.filters), content=content, rows=rows
    )


def report_title(kind: str) -> str:
    return _(TITLES[kind])
