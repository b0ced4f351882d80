"""API of deals (成交, A7.17), the commission ledger, A7.19 requests and conduct records.

Mounted at /api/v1/sales/deals/:

``GET  /``                              deals the caller may see
``POST /``                              record a deposit and/or a signed subscription
``GET  /{deal_id}``                     one deal: steps, split, commission lines, requests
``POST /{deal_id}/steps``               the missing step (``deposit`` | ``subscription``)
``POST /{deal_id}/discount``            apply an approved discount (A7.19)
``POST /{deal_id}/commission/refresh``  bring the ledger to the visit's newest decision
``GET  /commission?month=YYYY-MM``      the commission ledger of a month (own lines only for a
                                        salesperson)
``GET  /commission/export?month=``      the same as an Excel file (audited)
``GET  /requests`` · ``POST /requests``  hold / rename / discount requests (A2.10, A7.19)
``POST /requests/{id}/decision``        the sales manager approves or rejects, with the reason
``GET  /conduct`` · ``POST /conduct``    conduct records (A2.4, A2.6, A7.1, A2.9, A2.11, A7.11,
                                        A2.13)
``POST /conduct/{id}/forward``          forward a record to the discipline ledger

Another company's rows are "not found" (404); errors carry Chinese and English messages.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import deal_selectors as selectors
from kehu.sales import deal_services as services
from kehu.sales.deal_export import commission_ledger_export
from kehu.sales.models.deal import (
    CommissionEntry,
    ConductRecord,
    Deal,
    SalesRequest,
)

router = Router(tags=["sales 成交、业绩台账、放盘/转名/折扣申请（A7.17, A7.19）与违规记录"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


# --- schemas ----------------------------------------------------------------------------------


class DealIn(Schema):
    customer_id: int
    unit: str
    price: Decimal
    subscriber: str = ""
    visit_id: int | None = None
    closer_id: int | None = None
    deposit_paid_at: dt.datetime | None = None
    subscription_signed_at: dt.datetime | None = None
    discount_request_id: int | None = None


class StepIn(Schema):
    step: Literal["deposit", "subscription"]
    at: dt.datetime
    subscriber: str = ""


class DiscountIn(Schema):
    request_id: int


class ShareOut(Schema):
    party: str
    role: str
    percent: Decimal
    cancelled: bool
    amount: Decimal


class LineOut(Schema):
    id: int
    deal_id: int
    decision_id: int
    month: dt.date
    party_kind: str
    salesperson_id: int | None
    salesperson_name: str
    role: str
    percent: Decimal
    amount: Decimal
    cancelled: bool
    rule_ids: list[str]
    policy_ref: str
    reverses_id: int | None
    recorded_at: dt.datetime


class DealOut(Schema):
    id: int
    site_id: int
    customer_id: int
    customer_name: str
    visit_id: int | None
    unit: str
    price: Decimal
    price_before_discount: Decimal | None
    discount_request_id: int | None
    subscriber: str
    closer_id: int
    closer_name: str
    deposit_paid_at: dt.datetime | None
    subscription_signed_at: dt.datetime | None
    closed_at: dt.datetime | None
    is_deal: bool
    negotiated: bool


class DealDetailOut(DealOut):
    decision_id: int | None
    decision_rule_ids: list[str]
    policy_ref: str
    explanation_zh: str
    shares: list[ShareOut]
    commission: list[LineOut]
    approved_request_ids: list[int]


class GroupOut(Schema):
    label: str
    salesperson_id: int | None
    total: Decimal
    lines: list[LineOut]


class LedgerOut(Schema):
    month: str
    salesperson_id: int | None
    total: Decimal
    groups: list[GroupOut]


class RequestIn(Schema):
    kind: Literal["hold", "rename", "discount"]
    reason: str
    unit: str = ""
    deal_id: int | None = None
    customer_id: int | None = None
    site_id: int | None = None
    discount_amount: Decimal | None = None
    discount_percent: Decimal | None = None
    new_subscriber: str = ""
    hold_until: dt.date | None = None


class DecisionIn(Schema):
    approve: bool
    reason: str


class RequestOut(Schema):
    id: int
    kind: str
    unit: str
    deal_id: int | None
    customer_id: int | None
    reason: str
    discount_amount: Decimal | None
    discount_percent: Decimal | None
    new_subscriber: str
    hold_until: dt.date | None
    requested_by_id: int
    requested_by_name: str
    requested_at: dt.datetime
    status: Literal["pending", "approved", "rejected"]
    decision_reason: str
    decided_by_name: str
    decided_at: dt.datetime | None
    rule_ids: list[str]


class ConductIn(Schema):
    salesperson_id: int
    rule_id: str
    facts: str
    occurred_at: dt.datetime
    customer_id: int | None = None
    visit_id: int | None = None
    corrects_id: int | None = None


class ForwardIn(Schema):
    kind: str = "fine_in_range"
    low: Decimal | None = None
    high: Decimal | None = None
    note: str = ""


class ConductOut(Schema):
    id: int
    salesperson_id: int
    salesperson_name: str
    rule_id: str
    rule_label: str
    occurred_at: dt.datetime
    facts: str
    customer_id: int | None
    visit_id: int | None
    corrects_id: int | None
    recorded_by_id: int
    recorded_at: dt.datetime
    forwarded_proposal_id: int | None
    forwarded_kind: str


# --- converters --------------------------------------------------------------------------------


def deal_out(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.pk,
        "site_id": deal.site_id,
        "customer_id": deal.customer_id,
        "customer_name": deal.customer.name,
        "visit_id": deal.visit_id,
        "unit": deal.unit,
        "price": deal.price,
        "price_before_discount": deal.price_before_discount,
        "discount_request_id": deal.discount_request_id,
        "subscriber": deal.subscriber,
        "closer_id": deal.closer_id,
        "closer_name": deal.closer.name,
        "deposit_paid_at": deal.deposit_paid_at,
        "subscription_signed_at": deal.subscription_signed_at,
        "closed_at": deal.closed_at,
        "is_deal": deal.closed_at is not None,
        "negotiated": deal.negotiated,
    }


def line_out(entry: CommissionEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "deal_id": entry.deal_id,
        "decision_id": entry.decision_id,
        "month": entry.month,
        "party_kind": entry.party_kind,
        "salesperson_id": entry.salesperson_id,
        "salesperson_name": entry.salesperson.name if entry.salesperson else "",
        "role": entry.role,
        "percent": entry.percent,
        "amount": entry.amount,
        "cancelled": entry.cancelled,
        "rule_ids": list(entry.rule_ids or []),
        "policy_ref": entry.decision.policy_ref,
        "reverses_id": entry.reverses_id,
        "recorded_at": entry.recorded_at,
    }


def detail_out(detail: selectors.DealDetail) -> dict[str, Any]:
    decision = detail.decision
    return {
        **deal_out(detail.deal),
        "decision_id": decision.pk if decision else None,
        "decision_rule_ids": list(decision.rule_ids) if decision else [],
        "policy_ref": decision.policy_ref if decision else "",
        "explanation_zh": decision.explanation_zh if decision else "",
        "shares": [s.__dict__ for s in detail.shares],
        "commission": [line_out(e) for e in detail.lines],
        "approved_request_ids": [r.pk for r in detail.approved],
    }


def request_out(row: SalesRequest) -> dict[str, Any]:
    decision = getattr(row, "decision", None)
    status = "pending" if decision is None else ("approved" if decision.approved else "rejected")
    return {
        "id": row.pk,
        "kind": row.kind,
        "unit": row.unit,
        "deal_id": row.deal_id,
        "customer_id": row.customer_id,
        "reason": row.reason,
        "discount_amount": row.discount_amount,
        "discount_percent": row.discount_percent,
        "new_subscriber": row.new_subscriber,
        "hold_until": row.hold_until,
        "requested_by_id": row.requested_by_id,
        "requested_by_name": row.requested_by.name,
        "requested_at": row.requested_at,
        "status": status,
        "decision_reason": decision.reason if decision else "",
        "decided_by_name": decision.decided_by.name if decision else "",
        "decided_at": decision.decided_at if decision else None,
        "rule_ids": ["A2.10", "A7.19"],
    }


def conduct_out(row: ConductRecord) -> dict[str, Any]:
    forward = getattr(row, "forward", None)
    return {
        "id": row.pk,
        "salesperson_id": row.salesperson_id,
        "salesperson_name": row.salesperson.name,
        "rule_id": row.rule_id,
        "rule_label": row.get_rule_id_display(),
        "occurred_at": row.occurred_at,
        "facts": row.facts,
        "customer_id": row.customer_id,
        "visit_id": row.visit_id,
        "corrects_id": row.corrects_id,
        "recorded_by_id": row.recorded_by_id,
        "recorded_at": row.recorded_at,
        "forwarded_proposal_id": forward.proposal_id if forward else None,
        "forwarded_kind": forward.proposal_kind if forward else "",
    }


def _detail(request: HttpRequest, deal_id: int) -> dict[str, Any]:
    return detail_out(selectors.deal_get_for_user(request_staff(request), deal_id))


# --- deals -------------------------------------------------------------------------------------


@router.get("/", response={200: list[DealOut], **_ERRORS}, summary="成交列表 / deals")
def deal_list(request: HttpRequest) -> Any:
    return [deal_out(d) for d in selectors.deals_for_user(request_staff(request))[:500]]


@router.post(
    "/", response={201: DealDetailOut, **_ERRORS}, summary="登记交定金/签认购书 / record a deal"
)
def deal_create(request: HttpRequest, payload: DealIn) -> Any:
    staff = request_staff(request)
    done = services.deal_record(actor=staff, **payload.model_dump())
    return Status(201, _detail(request, done.deal.pk))


@router.get(
    "/commission",
    response={200: LedgerOut, **_ERRORS},
    summary="业绩台账（按月） / commission ledger of a month",
)
def commission(request: HttpRequest, month: str = "", salesperson_id: int | None = None) -> Any:
    ledger = selectors.commission_ledger(
        request_staff(request),
        month=selectors.parse_month(month),
        salesperson_id=salesperson_id,
    )
    return {
        "month": ledger.month.strftime("%Y-%m"),
        "salesperson_id": ledger.salesperson.pk if ledger.salesperson else None,
        "total": ledger.total,
        "groups": [
            {
                "label": g.label,
                "salesperson_id": g.salesperson.pk if g.salesperson else None,
                "total": g.total,
                "lines": [line_out(e) for e in g.lines],
            }
            for g in ledger.groups
        ],
    }


@router.get(
    "/commission/export",
    response={200: None, **_ERRORS},
    summary="导出业绩台账（Excel） / export the commission ledger",
)
def commission_export(
    request: HttpRequest, month: str = "", salesperson_id: int | None = None
) -> Any:
    exported = commission_ledger_export(
        viewer=request_staff(request),
        month_text=month,
        salesperson_id=salesperson_id,
        request=request,
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"commission.xlsx\"; filename*=UTF-8''{quote(exported.filename)}"
    )
    return response


@router.get("/requests", response={200: list[RequestOut], **_ERRORS}, summary="申请 / requests")
def request_list(request: HttpRequest, pending: bool = False) -> Any:
    rows = selectors.requests_for_user(request_staff(request), pending=pending)
    return [request_out(r) for r in rows[:500]]


@router.post(
    "/requests",
    response={201: RequestOut, **_ERRORS},
    summary="申请放盘/转名/折扣（A7.19） / request a hold, rename or discount",
)
def request_create(request: HttpRequest, payload: RequestIn) -> Any:
    staff = request_staff(request)
    row = services.sales_request_submit(actor=staff, **payload.model_dump())
    return Status(201, request_out(selectors.request_get_for_user(staff, row.pk)))


@router.post(
    "/requests/{request_id}/decision",
    response={201: RequestOut, **_ERRORS},
    summary="销售经理审批（A7.19） / the sales manager decides",
)
def request_decide(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    staff = request_staff(request)
    services.sales_request_decide(
        actor=staff, request_id=request_id, approve=payload.approve, reason=payload.reason
    )
    return Status(201, request_out(selectors.request_get_for_user(staff, request_id)))


@router.get("/conduct", response={200: list[ConductOut], **_ERRORS}, summary="违规记录 / conduct")
def conduct_list(request: HttpRequest, salesperson_id: int | None = None) -> Any:
    rows = selectors.conduct_for_user(request_staff(request), salesperson_id=salesperson_id)
    return [conduct_out(r) for r in rows[:500]]


@router.post(
    "/conduct", response={201: ConductOut, **_ERRORS}, summary="记录违规 / record a violation"
)
def conduct_create(request: HttpRequest, payload: ConductIn) -> Any:
    staff = request_staff(request)
    row = services.conduct_record(actor=staff, **payload.model_dump())
    return Status(201, conduct_out(selectors.conduct_get_for_user(staff, row.pk)))


@router.post(
    "/conduct/{record_id}/forward",
    response={201: ConductOut, **_ERRORS},
    summary="转奖惩台账 / forward to the discipline ledger",
)
def conduct_forward(request: HttpRequest, record_id: int, payload: ForwardIn) -> Any:
    staff = request_staff(request)
    services.conduct_forward(actor=staff, record_id=record_id, **payload.model_dump())
    return Status(201, conduct_out(selectors.conduct_get_for_user(staff, record_id)))


@router.get("/{deal_id}", response={200: DealDetailOut, **_ERRORS}, summary="成交详情 / a deal")
def deal_detail(request: HttpRequest, deal_id: int) -> Any:
    return _detail(request, deal_id)


@router.post(
    "/{deal_id}/steps",
    response={200: DealDetailOut, **_ERRORS},
    summary="补登交定金或签认购书 / record the missing step",
)
def deal_step(request: HttpRequest, deal_id: int, payload: StepIn) -> Any:
    services.deal_step_record(actor=request_staff(request), deal_id=deal_id, **payload.model_dump())
    return _detail(request, deal_id)


@router.post(
    "/{deal_id}/discount",
    response={200: DealDetailOut, **_ERRORS},
    summary="使用已批准的折扣（A7.19） / apply an approved discount",
)
def deal_discount(request: HttpRequest, deal_id: int, payload: DiscountIn) -> Any:
    services.deal_discount_apply(
        actor=request_staff(request), deal_id=deal_id, request_id=payload.request_id
    )
    return _detail(request, deal_id)


@router.post(
    "/{deal_id}/commission/refresh",
    response={200: DealDetailOut, **_ERRORS},
    summary="按最新归属决定更新业绩台账 / follow the newest decision",
)
def deal_commission_refresh(request: HttpRequest, deal_id: int) -> Any:
    services.deal_commission_refresh(actor=request_staff(request), deal_id=deal_id)
    return _detail(request, deal_id)
