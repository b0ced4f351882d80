"""The commission ledger of one month as an Excel workbook (业绩台账导出).

``commission_ledger_export`` reads through ``deal_selectors.commission_ledger`` (a salesperson:
only their own lines; PM, sales manager, director: everyone), builds the workbook and writes an
``AuditAction.EXPORT`` event in the same transaction. Headers are Chinese; the file name carries
the company and the month.
"""

from __future__ import annotations

import dataclasses
import io

from django.db import transaction
from django.http import HttpRequest
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.org.models import Staff
from kehu.sales import deal_selectors as selectors
from kehu.sales.rules import LOCAL_TZ

AUDIT_OBJECT_TYPE = "sales.commission_ledger"
HEADERS: tuple[str, ...] = (
    "售楼员",
    "月份",
    "成交编号",
    "房号",
    "认购方",
    "成交价（元）",
    "角色",
    "比例（%）",
    "业绩金额（元）",
    "状态",
    "归属决定编号",
    "规则",
    "规则版本",
    "记录时间",
)
MONEY_FORMAT = "#,##0.00"
_WIDTHS = (14, 9, 9, 12, 14, 16, 12, 10, 16, 16, 12, 24, 18, 18)


@dataclasses.dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int

    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_workbook(*, company_name: str, ledger: selectors.CommissionLedger) -> bytes:
    month_text = ledger.month.strftime("%Y-%m")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"业绩台账 {month_text}"
    workbook.properties.title = f"{company_name} {month_text} 业绩台账"
    workbook.properties.creator = "kehu 客户"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for group in ledger.groups:
        for entry in group.lines:
            deal = entry.deal
            sheet.append(
                [
                    group.label,
                    month_text,
                    deal.pk,
                    deal.unit,
                    deal.subscriber,
                    deal.price,
                    selectors.role_label(entry.role),
                    entry.percent,
                    entry.amount,
                    selectors.line_status(entry),
                    entry.decision_id,
                    "、".join(entry.rule_ids or []),
                    entry.decision.policy_ref,
                    entry.recorded_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
                ]
            )
        sheet.append([f"{group.label} 合计", month_text, "", "", "", "", "", "", group.total])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.append(["合计", month_text, "", "", "", "", "", "", ledger.total])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in (6, 9):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY_FORMAT
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_filename(company_name: str, ledger: selectors.CommissionLedger) -> str:
    safe = company_name.replace("/", "").replace("\\", "").strip() or "kehu"
    who = f"-{ledger.salesperson.name}" if ledger.salesperson is not None else ""
    return f"{safe}-业绩台账-{ledger.month.strftime('%Y-%m')}{who}.xlsx"


def commission_ledger_export(
    *,
    viewer: Staff,
    month_text: str | None,
    salesperson_id: int | None = None,
    request: HttpRequest | None = None,
) -> ExportFile:
    """One month of the commission ledger as .xlsx, audited as an export."""
    month = selectors.parse_month(month_text)
    ledger = selectors.commission_ledger(viewer, month=month, salesperson_id=salesperson_id)
    company = viewer.company
    with transaction.atomic():
        content = ledger_workbook(company_name=company.name, ledger=ledger)
        audit_record(
            action=AuditAction.EXPORT,
            actor=viewer.user,
            company=company,
            request=request,
            object_type=AUDIT_OBJECT_TYPE,
            object_id=month.strftime("%Y-%m"),
            detail={
                "format": "xlsx",
                "month": month.strftime("%Y-%m"),
                "salesperson_id": ledger.salesperson.pk if ledger.salesperson else None,
                "rows": len(ledger.lines),
                "columns": list(HEADERS),
            },
        )
    return ExportFile(
        filename=ledger_filename(company.name, ledger), content=content, rows=len(ledger.lines)
    )
