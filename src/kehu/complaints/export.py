"""The complaints register as an Excel workbook (投诉台账导出), for supervisors.

``complaints_export`` checks the dashboard permission (through ``selectors.dashboard``), builds
the workbook — every complaint of the period with its stage, deadline and time state, and the
monthly figures — and writes an ``AuditAction.EXPORT`` event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.http import HttpRequest
from openpyxl import Workbook
from openpyxl.styles import Font

from kehu.complaints import rules, selectors
from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.org.models import Staff

HEADERS = (
    "编号",
    "受理时间",
    "渠道",
    "处理规范",
    "投诉人",
    "类别",
    "事由",
    "楼栋/地点",
    "环节",
    "本环节时限",
    "时效",
    "督办级别",
    "办结时间",
)


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(rules.LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


@transaction.atomic
def complaints_export(
    *, staff: Staff, since: dt.datetime, request: HttpRequest | None = None
) -> tuple[str, bytes]:
    board = selectors.dashboard(staff, since=since)  # refuses without the permission
    rows = (
        selectors.complaints_for_staff(staff)
        .filter(received_at__gte=since)
        .order_by("received_at", "pk")
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "投诉台账"
    sheet.append(HEADERS)
    count = 0
    for c in rows.iterator():
        count += 1
        sheet.append(
            (
                c.pk,
                _local(c.received_at),
                c.get_channel_display(),
                c.get_profile_display(),
                c.customer_name,
                c.category,
                c.subject,
                c.place,
                c.get_stage_display(),
                _local(c.due_at),
                c.get_time_state_display(),
                c.escalation_level,
                _local(c.closed_at),
            )
        )
    months = book.create_sheet("按月统计")
    months.append(("月份", "受理（件）", "曾超时（件）"))
    for month in board.by_month:
        months.append((month["month"], month["received"], month["breached"]))
    for ws in (sheet, months):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    audit_record(
        action=AuditAction.EXPORT,
        actor=staff.user,
        company=staff.company,
        request=request,
        object_type="complaints.register",
        detail={"since": since.isoformat(), "rows": count},
    )
    buffer = io.BytesIO()
    book.save(buffer)
    name = f"complaints-{staff.company.code}-{since:%Y%m%d}.xlsx"
    return name, buffer.getvalue()
