"""The company's rewards-and-penalties report as an Excel workbook (奖惩报表导出).

``discipline_report_export`` checks the permission through ``selectors.company_report`` (which
refuses without ``discipline.view_company_discipline``), builds the workbook and writes an
``AuditAction.EXPORT`` event in the same transaction. Headers are Chinese; the file name carries
the company and the year. Only counts and sums by department and month are exported: no names
of employees, and nothing of customers' reports.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.org.models import Staff
from kehu.discipline import selectors

AUDIT_OBJECT_TYPE = "discipline.company_report"
SHEET_TITLE = "按部门和月份"
HEADERS: tuple[str, ...] = (
    "部门",
    "月份",
    "惩罚（次）",
    "奖励（次）",
    "罚款（元）",
    "奖金及专项奖励（元）",
    "绩效加分",
    "绩效减分",
)
TOTAL_LABEL = "合计"
MONEY_FORMAT = "#,##0.00"
_COLUMN_WIDTHS = (22, 8, 11, 11, 13, 20, 10, 10)


@dataclasses.dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int

    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_filename(company_name: str, year: int) -> str:
    """``华景燃气有限公司-奖惩报表-2026.xlsx`` (slashes, which no file name may hold, removed)."""
    safe = company_name.replace("/", "").replace("\\", "").strip() or "kehu"
    return f"{safe}-奖惩报表-{year}.xlsx"


def report_workbook(*, company_name: str, year: int, rows: Sequence[selectors.ReportRow]) -> bytes:
    """One sheet: a header row, one row per department and month, and a total row."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    workbook.properties.title = f"{company_name} {year} 年奖惩报表"
    workbook.properties.creator = "kehu 客户"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row.department,
                f"{year}-{row.month:02d}",
                row.penalties,
                row.rewards,
                row.fines,
                row.bonuses,
                row.points_added,
                row.points_deducted,
            ]
        )
    sheet.append(
        [
            TOTAL_LABEL,
            str(year),
            sum(r.penalties for r in rows),
            sum(r.rewards for r in rows),
            sum((r.fines for r in rows), Decimal("0.00")),
            sum((r.bonuses for r in rows), Decimal("0.00")),
            sum(r.points_added for r in rows),
            sum(r.points_deducted for r in rows),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in (5, 6):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY_FORMAT
    for index, width in enumerate(_COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def discipline_report_export(
    *, viewer: Staff, year: int, request: HttpRequest | None = None
) -> ExportFile:
    """The company report of ``year`` as an .xlsx file, audited as an export."""
    # The permission check comes first, outside the transaction: a refusal raises before any
    # workbook is built.
    rows = selectors.company_report(viewer, year)
    company = viewer.company
    with transaction.atomic():
        content = report_workbook(company_name=company.name, year=year, rows=rows)
        audit_record(
            action=AuditAction.EXPORT,
            actor=viewer.user,
            company=company,
            request=request,
            object_type=AUDIT_OBJECT_TYPE,
            object_id=str(year),
            detail={"format": "xlsx", "year": year, "rows": len(rows), "columns": list(HEADERS)},
        )
    return ExportFile(filename=report_filename(company.name, year), content=content, rows=len(rows))
