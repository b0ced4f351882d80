"""API of the sales office's 旧客户登记本导入（试导入报告）, mounted at /api/v1/sales/imports/.

``GET  /template``   the Excel template (the column layout and an example row)
``POST /check``      the dry run (multipart: ``site_id``, ``file``): every rejected row, why;
                     writes nothing
``POST /``           the real run (multipart: ``site_id``, ``file``, optional ``plan`` from the
                     dry run): all accepted rows in one transaction, or none (409 when the plan
                     changed)

Needs ``sales.import_legacy_register`` (403 otherwise); another company's site: 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import import_services as services

router = Router(tags=["sales 旧客户登记本导入（试导入报告）"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class ProblemOut(Schema):
    row: int
    column: str
    column_en: str
    code: str
    message_zh: str
    message_en: str
    rule_ids: list[str]


class ReportOut(Schema):
    site_id: int
    site: str
    file_name: str
    sha256: str
    dry_run: bool
    rows_read: int
    accepted: int
    rejected: int
    written: int
    plan: str
    problems: list[ProblemOut]
    rule_ids: list[str]


@router.get("/template", response={200: None, **_ERRORS}, summary="导入模板 / the template")
def template(request: HttpRequest) -> Any:
    staff = request_staff(request)
    if not services.import_sites(staff):
        raise services.import_denied()
    response = HttpResponse(
        services.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="legacy-register-template.xlsx"'
    return response


@router.post("/check", response={200: ReportOut, **_ERRORS}, summary="试导入 / dry run")
def check(request: HttpRequest, site_id: Form[int], file: File[UploadedFile]) -> Any:
    report = services.legacy_import_check(
        staff=request_staff(request),
        site=site_id,
        content=file.read(services.MAX_BYTES + 1),
        file_name=file.name or "",
    )
    return report.as_json()


@router.post("/", response={201: ReportOut, **_ERRORS}, summary="导入 / import (one transaction)")
def run(
    request: HttpRequest,
    site_id: Form[int],
    file: File[UploadedFile],
    plan: Form[str | None] = None,
) -> Any:
    report = services.legacy_import_run(
        staff=request_staff(request),
        site=site_id,
        content=file.read(services.MAX_BYTES + 1),
        file_name=file.name or "",
        plan=plan or None,
        request=request,
    )
    return Status(201, report.as_json())
