"""API for customers' hazard and theft reports (A4 五.6), mounted at
/api/v1/discipline/customer-reports/.

No response schema here has a field for the reporter's identity, except the reveal endpoint's
(``POST /{id}/reveal-identity``), which answers 经理 and 总经理 of the report's company and
writes an audit event each time. Another company's report is "not found".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import (
    ErrorOut,
    PageParams,
    request_language,
    request_staff,
)
from kehu.discipline import reports_selectors, reports_services
from kehu.discipline.models import CustomerReport
from kehu.discipline.reports_selectors import ReportDetail
from kehu.discipline.reports_services import ReportAccessDenied

router = Router(tags=["discipline: customer reports"])


# --- schemas ---------------------------------------------------------------------------------


_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class StaffRef(Schema):
    id: int
    name: str


class ReportListItem(Schema):
    """A report in a list: what, where, how far along, the reward. Never who reported it."""

    id: int
    kind: str = Field(description="hazard 安全隐患举报 / theft 盗气举报")
    kind_label: str
    location: str
    own_home: bool
    state: str = Field(description="received / verified / not_verified / paid")
    state_label: str
    severity: str
    reward_amount: Decimal | None = Field(description="奖励（元）")
    received_at: dt.datetime


class ReportPage(Schema):
    items: list[ReportListItem]
    count: int
    page: int
    page_size: int


class ReportEventOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    actor: str
    note: str


class ReportPaymentOut(Schema):
    at: dt.datetime
    by: str
    note: str
    amount: Decimal | None


class ReportOut(ReportListItem):
    """A report in full, still without its reporter: ``can_reveal_identity`` only says whether
    the caller may ask (``POST /{id}/reveal-identity``, audited)."""

    description: str
    received_by: StaffRef
    severity_label: str
    basis_amount: Decimal | None = Field(description="处罚额或追缴气费（元）")
    reward_rate: Decimal | None = Field(description="奖励比例，如 0.05")
    rule_ids: list[str]
    policy_ref: str
    verified_by: StaffRef | None
    verified_at: dt.datetime | None
    verification_note: str
    can_verify: bool
    can_pay: bool
    can_reveal_identity: bool
    payment: ReportPaymentOut | None
    history: list[ReportEventOut]


class ReportIn(Schema):
    kind: Literal["hazard", "theft"]
    reporter_name: str = Field(description="举报人姓名（加密保存）")
    reporter_phone: str = Field(description="举报人联系电话（加密保存）")
    reporter_address: str = Field("", description="举报人地址（加密保存）")
    location: str = Field(description="隐患或盗气地点")
    description: str = Field(description="举报内容（请勿写入举报人身份）")
    own_home: bool = Field(False, description="是否举报人自家的隐患（自家隐患不予奖励）")


class VerifyIn(Schema):
    verified: bool = Field(description="是否查实")
    severity: Literal["minor", "ordinary", "major", "serious"] | None = Field(
        None, description="隐患程度（查实的隐患举报必填）"
    )
    basis_amount: Decimal | None = Field(
        None, description="对盗气客户的处罚额或追缴气费额（元，查实的盗气举报必填）"
    )
    own_home: bool | None = Field(None, description="核实后更正是否自家隐患（可选）")
    note: str = Field("", description="核实说明（未查实时必填）")


class PayIn(Schema):
    note: str = Field(description="发放情况：方式、凭证号、经办人（请勿写入举报人身份）")


class IdentityOut(Schema):
    report_id: int
    name: str
    phone: str
    address: str


class ListParams(PageParams):
    state: str = Field("", description="received / verified / not_verified / paid")
    kind: str = Field("", description="hazard / theft")


class ExportParams(Schema):
    state: str = ""
    kind: str = ""


# --- shaping ---------------------------------------------------------------------------------


def _staff_ref(staff: Any) -> dict[str, Any] | None:
    return {"id": staff.pk, "name": staff.name} if staff is not None else None


def _list_item(report: CustomerReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "kind": report.kind,
        "kind_label": report.get_kind_display(),
        "location": report.location,
        "own_home": report.own_home,
        "state": report.state,
        "state_label": report.get_state_display(),
        "severity": report.severity,
        "reward_amount": report.reward_amount,
        "received_at": report.received_at,
    }


def _report_out(detail: ReportDetail) -> dict[str, Any]:
    report = detail.report
    payment = detail.payment
    return {
        **_list_item(report),
        "description": report.description,
        "received_by": _staff_ref(report.received_by),
        "severity_label": report.get_severity_display() if report.severity else "",
        "basis_amount": report.basis_amount,
        "reward_rate": report.reward_rate,
        "rule_ids": list(report.rule_ids),
        "policy_ref": report.policy_ref,
        "verified_by": _staff_ref(report.verified_by),
        "verified_at": report.verified_at,
        "verification_note": report.verification_note,
        "can_verify": detail.can_verify,
        "can_pay": detail.can_pay,
        "can_reveal_identity": detail.can_reveal_identity,
        "payment": (
            {"at": payment.at, "by": payment.by, "note": payment.note, "amount": payment.amount}
            if payment is not None
            else None
        ),
        "history": [
            {"at": e.at, "kind": e.kind, "label": e.label, "actor": e.actor, "note": e.note}
            for e in detail.history
        ],
    }


def _answer(produce: Callable[[], Any]) -> Any:
    """Run the endpoint's one call; a refusal the service has already audited is answered here,
    so the API root does not record it a second time."""
    try:
        return produce()
    except ReportAccessDenied as exc:
        return Status(exc.status, {"error": exc.as_dict(request_language())})


def _detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _report_out(
        reports_selectors.customer_report_detail_for_user(
            request_staff(request), report_id, request=request
        )
    )


# --- endpoints -------------------------------------------------------------------------------


@router.get("", response={200: ReportPage, **_ERRORS}, summary="客户举报列表（不含举报人身份）")
def customer_report_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    def produce() -> dict[str, Any]:
        reports = reports_selectors.customer_report_list_for_user(
            request_staff(request), state=params.state, kind=params.kind, request=request
        )
        offset = (params.page - 1) * params.page_size
        return {
            "items": [_list_item(r) for r in reports[offset : offset + params.page_size]],
            "count": reports.count(),
            "page": params.page,
            "page_size": params.page_size,
        }

    return _answer(produce)


@router.post("", response={201: ReportOut, **_ERRORS}, summary="受理客户举报（A4 五.6）")
def customer_report_create(request: HttpRequest, payload: ReportIn) -> Any:
    """The reporter's name, phone and address are encrypted at rest and never answered back."""

    def produce() -> Any:
        report = reports_services.customer_report_receive(
            staff=request_staff(request),
            kind=payload.kind,
            reporter_name=payload.reporter_name,
            reporter_phone=payload.reporter_phone,
            reporter_address=payload.reporter_address,
            location=payload.location,
            description=payload.description,
            own_home=payload.own_home,
            request=request,
        )
        return Status(201, _detail(request, report.pk))

    return _answer(produce)


@router.get(
    "/export",
    response={200: None, **_ERRORS},
    summary="导出客户举报（Excel，不含举报人身份；记录审计）",
    openapi_extra={
        "responses": {
            200: {
                "description": "xlsx",
                "content": {
                    reports_services.ExportFile.content_type: {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            }
        }
    },
)
def customer_report_export(request: HttpRequest, params: Query[ExportParams]) -> Any:
    def produce() -> HttpResponse:
        export = reports_services.customer_reports_export(
            staff=request_staff(request), state=params.state, kind=params.kind, request=request
        )
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response

    return _answer(produce)


@router.get("/{int:report_id}", response={200: ReportOut, **_ERRORS}, summary="客户举报详情")
def customer_report_get(request: HttpRequest, report_id: int) -> Any:
    return _answer(lambda: _detail(request, report_id))


@router.post(
    "/{int:report_id}/verify",
    response={200: ReportOut, **_ERRORS},
    summary="核实举报并确定奖励（A4 五.6.1 / 五.6.2）",
)
def customer_report_verify(request: HttpRequest, report_id: int, payload: VerifyIn) -> Any:
    def produce() -> dict[str, Any]:
        reports_services.customer_report_verify(
            staff=request_staff(request),
            report_id=report_id,
            verified=payload.verified,
            severity=payload.severity,
            basis_amount=payload.basis_amount,
            own_home=payload.own_home,
            note=payload.note,
            request=request,
        )
        return _detail(request, report_id)

    return _answer(produce)


@router.post(
    "/{int:report_id}/pay", response={200: ReportOut, **_ERRORS}, summary="登记举报奖励已发放"
)
def customer_report_pay(request: HttpRequest, report_id: int, payload: PayIn) -> Any:
    def produce() -> dict[str, Any]:
        reports_services.customer_report_pay(
            staff=request_staff(request), report_id=report_id, note=payload.note, request=request
        )
        return _detail(request, report_id)

    return _answer(produce)


@router.post(
    "/{int:report_id}/reveal-identity",
    response={200: IdentityOut, **_ERRORS},
    summary="查看举报人身份（仅经理、总经理；每次记录审计）",
)
def customer_report_reveal_identity(request: HttpRequest, report_id: int) -> Any:
    def produce() -> dict[str, Any]:
        identity = reports_services.customer_report_identity_reveal(
            staff=request_staff(request), report_id=report_id, request=request
        )
        return {"report_id": report_id, **identity.as_dict()}

    return _answer(produce)
