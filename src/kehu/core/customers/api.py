"""API endpoints for customers (mounted at /api/v1/customers/ by kehu/api.py).

Each endpoint makes one service or selector call. Phones and ID numbers are always masked, except
in the two reveal responses, which are audited. A customer of another company, or one the
caller may not see, is "not found" (404).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.customers import selectors, services
from kehu.core.customers.errors import RevealDenied
from kehu.core.customers.models import Customer, CustomerPhone, FamilyLink, VisitBatch
from kehu.core.customers.rules import IDENTITY_KEY_LABELS_ZH
from kehu.core.customers.schemas import (
    CustomerChanges,
    CustomerData,
    CustomerListItem,
    CustomerOut,
    FamilyLinkIn,
    FamilyLinkOut,
    IdNumberRevealOut,
    MatchOut,
    PhoneIn,
    PhoneOut,
    PhoneRevealOut,
    VisitBatchIn,
    VisitBatchOut,
)
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user
from kehu.core.web.api_support import ErrorOut

router = Router(tags=["customers"])

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


def _caller(request: HttpRequest) -> Staff:
    """The staff member making the call: ``request.auth``, set by the API root's auth (bearer
    token or session). The session fallback only matters if the router is mounted without auth."""
    auth = getattr(request, "auth", None)
    staff = auth if isinstance(auth, Staff) else staff_for_user(getattr(request, "user", None))
    if staff is None:
        raise KehuError(
            "auth.required",
            "请先登录，或在 Authorization 头中提供有效的 API 令牌（Bearer kehu_…）。",
            "Log in first, or send a valid API token in the Authorization header.",
            status=401,
        )
    return staff


def _denied(exc: RevealDenied) -> Status[dict[str, Any]]:
    # The service has already audited this refusal with its object and field; answering here
    # (not raising) keeps the API root from logging it a second time.
    return Status(exc.status, {"error": exc.as_dict()})


# --- output shaping (never the full phone or ID number) --------------------------------------


def _staff_ref(staff: Staff | None) -> dict[str, Any] | None:
    return {"id": staff.pk, "name": staff.name} if staff is not None else None


def _phone_out(phone: CustomerPhone) -> dict[str, Any]:
    return {"id": phone.pk, "masked": phone.masked, "label": phone.label}


def _list_item(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name,
        "phones": [_phone_out(p) for p in customer.phones.all()],
        "plate": customer.plate,
        "car_brand": customer.car_brand,
        "owner": _staff_ref(customer.owner),
        "created_at": customer.created_at,
    }


def _customer_out(customer: Customer) -> dict[str, Any]:
    return {
        **_list_item(customer),
        "employer": customer.employer,
        "address": customer.address,
        "source": customer.source,
        "intention": customer.intention,
        "id_number_masked": customer.id_number_masked,
        "created_by": _staff_ref(customer.created_by),
    }


def _family_out(link: FamilyLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "relative_id": link.relative_id,
        "relative_name": link.relative.name,
        "relation": link.relation,
        "relation_label": link.get_relation_display(),
    }


def _batch_out(batch: VisitBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "visit_date": batch.visit_date,
        "site_id": batch.site_id,
        "site_name": batch.site.name if batch.site else "",
        "note": batch.note,
        # Annotated and prefetched by the batch selectors.
        "member_count": getattr(batch, "member_count", 0),
        "members": [{"id": m.pk, "name": m.name} for m in getattr(batch, "visible_members", [])],
    }


class CustomerPage(Schema):
    """The API's page shape: ``{"items", "count", "page", "page_size"}``."""

    items: list[CustomerListItem]
    count: int
    page: int
    page_size: int


class ListParams(Schema):
    q: str = Field("", description="电话（任意格式/尾号4位）、姓名、车牌、拼音首字母或全拼")
    page: int = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class MatchParams(Schema):
    phone: str | None = None
    name: str | None = None
    plate: str | None = None
    brand: str | None = None
    surname: str | None = None


# --- endpoints -------------------------------------------------------------------------------


@router.get("", response={200: CustomerPage, **_ERRORS}, summary="客户列表与搜索")
def customer_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    """Search by phone (any format, or 尾号 last 4), name, plate, pinyin initials or full pinyin."""
    customers = selectors.customer_list_for_user(_caller(request), query=params.q)
    offset = (params.page - 1) * params.page_size
    return {
        "items": [_list_item(c) for c in customers[offset : offset + params.page_size]],
        "count": customers.count(),
        "page": params.page,
        "page_size": params.page_size,
    }


@router.get("/match", response={200: list[MatchOut], **_ERRORS}, summary="按身份要素查重（A7.4）")
def customer_match(request: HttpRequest, params: Query[MatchParams]) -> Any:
    """Existing customers sharing an A7.4 key (full name; phone; brand + plate + surname), with
    the keys that matched and whether the sales manager must confirm (A7.20)."""
    staff = _caller(request)
    matches = selectors.customer_match_for_user(
        staff,
        phone=params.phone,
        name=params.name,
        plate=params.plate,
        car_brand=params.brand,
        surname=params.surname,
    )
    return [
        {
            "customer_id": m.customer.pk,
            "name": m.customer.name,
            "owner": _staff_ref(m.customer.owner),
            "created_at": m.customer.created_at,
            "keys": [str(k) for k in m.match.keys],
            "keys_zh": [IDENTITY_KEY_LABELS_ZH[k] for k in m.match.keys],
            "needs_confirmation": m.match.needs_confirmation,
            "rule_ids": list(m.match.rule_ids),
        }
        for m in matches
    ]


@router.post("", response={201: CustomerOut, **_ERRORS}, summary="登记客户")
def customer_create(request: HttpRequest, payload: CustomerData) -> Any:
    customer = services.customer_create(staff=_caller(request), data=payload)
    return Status(201, _customer_out(customer))


@router.get("/{int:customer_id}", response={200: CustomerOut, **_ERRORS}, summary="客户详情")
def customer_get(request: HttpRequest, customer_id: int) -> Any:
    return _customer_out(selectors.customer_get_for_user(_caller(request), customer_id))


@router.patch("/{int:customer_id}", response={200: CustomerOut, **_ERRORS}, summary="修改客户")
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerChanges) -> Any:
    customer = services.customer_update(
        staff=_caller(request), customer_id=customer_id, data=payload
    )
    return _customer_out(customer)


@router.post(
    "/{int:customer_id}/phones", response={201: PhoneOut, **_ERRORS}, summary="添加联系电话"
)
def customer_phone_add(request: HttpRequest, customer_id: int, payload: PhoneIn) -> Any:
    phone = services.customer_phone_add(
        staff=_caller(request), customer_id=customer_id, phone=payload.phone, label=payload.label
    )
    return Status(201, _phone_out(phone))


@router.post(
    "/{int:customer_id}/phones/{int:phone_id}/reveal",
    response={200: PhoneRevealOut, **_ERRORS},
    summary="查看完整电话（记录审计）",
)
def customer_phone_reveal(request: HttpRequest, customer_id: int, phone_id: int) -> Any:
    try:
        revealed = services.customer_phone_reveal(
            staff=_caller(request), customer_id=customer_id, phone_id=phone_id, request=request
        )
    except RevealDenied as exc:
        return _denied(exc)
    return {
        "customer_id": revealed.customer_id,
        "phone_id": revealed.phone_id,
        "phone": revealed.e164,
        "national": revealed.national,
    }


@router.post(
    "/{int:customer_id}/id-number/reveal",
    response={200: IdNumberRevealOut, **_ERRORS},
    summary="查看身份证号（记录审计）",
)
def customer_id_number_reveal(request: HttpRequest, customer_id: int) -> Any:
    try:
        id_number = services.customer_id_number_reveal(
            staff=_caller(request), customer_id=customer_id, request=request
        )
    except RevealDenied as exc:
        return _denied(exc)
    return {"customer_id": customer_id, "id_number": id_number}


@router.get(
    "/{int:customer_id}/family", response={200: list[FamilyLinkOut], **_ERRORS}, summary="家庭成员"
)
def family_links(request: HttpRequest, customer_id: int) -> Any:
    links = selectors.customer_family_links_for_user(_caller(request), customer_id)
    return [_family_out(link) for link in links]


@router.post(
    "/{int:customer_id}/family",
    response={201: FamilyLinkOut, **_ERRORS},
    summary="登记家庭成员（一家人，A7.6）",
)
def family_link_add(request: HttpRequest, customer_id: int, payload: FamilyLinkIn) -> Any:
    link = services.family_link_add(
        staff=_caller(request),
        customer_id=customer_id,
        relative_id=payload.relative_id,
        relation=payload.relation,
    )
    return Status(201, _family_out(link))


@router.get(
    "/{int:customer_id}/batches",
    response={200: list[VisitBatchOut], **_ERRORS},
    summary="同批来访（一批人）",
)
def customer_batches(request: HttpRequest, customer_id: int) -> Any:
    batches = selectors.customer_visit_batches_for_user(_caller(request), customer_id)
    return [_batch_out(b) for b in batches]


@router.post(
    "/batches", response={201: VisitBatchOut, **_ERRORS}, summary="登记同批来访（一批人，A7.14）"
)
def visit_batch_create(request: HttpRequest, payload: VisitBatchIn) -> Any:
    staff = _caller(request)
    batch = services.visit_batch_create(
        staff=staff,
        visit_date=payload.visit_date,
        customer_ids=payload.customer_ids,
        site_id=payload.site_id,
        note=payload.note,
    )
    return Status(201, _batch_out(selectors.visit_batch_get_for_user(staff, batch.pk)))


@router.get("/batches/{int:batch_id}", response={200: VisitBatchOut, **_ERRORS}, summary="来访批次")
def visit_batch_get(request: HttpRequest, batch_id: int) -> Any:
    return _batch_out(selectors.visit_batch_get_for_user(_caller(request), batch_id))
