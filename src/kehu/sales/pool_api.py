"""API of the sales office's 公客池（无跟进回收、每日认领限额）, mounted at /api/v1/sales/pool/.

``GET  /``                       the customers in the pool, and today's quota
``POST /{customer_id}/claim``    claim one (409 ``sales.pool.quota_used`` / ``not_in_pool``)
``POST /sweep``                  run the sweep now (PM, sales manager)
``GET  /returns``                the latest returns (PM, sales manager, director)
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import pool_selectors as selectors
from kehu.sales import pool_services as services
from kehu.sales.models.channel import PoolReturn

router = Router(tags=["sales 公客池（无跟进回收、每日认领限额）"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class PoolEntryOut(Schema):
    return_id: int
    customer_id: int
    customer_name: str
    phone_masked: str
    previous_owner_id: int
    previous_owner_name: str
    last_contact_at: dt.datetime
    returned_at: dt.datetime
    days: int
    rule_ids: list[str]
    policy_ref: str


class QuotaOut(Schema):
    day: dt.date
    used: int
    quota: int
    left: int
    policy_ref: str


class PoolOut(Schema):
    quota: QuotaOut
    customers: list[PoolEntryOut]


class ClaimOut(Schema):
    id: int
    customer_id: int
    claimer_id: int
    claimed_at: dt.datetime
    claim_day: dt.date
    slot: int
    quota: int
    return_id: int


class SweepOut(Schema):
    returned: int
    customer_ids: list[int]


def entry_out(entry: PoolReturn, phone_masked: str = "") -> dict[str, Any]:
    return {
        "return_id": entry.pk,
        "customer_id": entry.customer_id,
        "customer_name": entry.customer.name,
        "phone_masked": phone_masked,
        "previous_owner_id": entry.previous_owner_id,
        "previous_owner_name": entry.previous_owner.name,
        "last_contact_at": entry.last_contact_at,
        "returned_at": entry.returned_at,
        "days": entry.days,
        "rule_ids": entry.rule_ids,
        "policy_ref": entry.policy_ref,
    }


@router.get("/", response={200: PoolOut, **_ERRORS}, summary="公客池 / the pool")
def pool(request: HttpRequest) -> Any:
    staff = request_staff(request)
    rows = selectors.pool_customers_for_user(staff)
    quota = selectors.pool_quota_for(staff)
    return {
        "quota": {
            "day": quota.day,
            "used": quota.used,
            "quota": quota.quota,
            "left": quota.left,
            "policy_ref": quota.policy_ref,
        },
        "customers": [entry_out(r.entry, r.phone_masked) for r in rows],
    }


@router.post(
    "/{customer_id}/claim", response={201: ClaimOut, **_ERRORS}, summary="认领 / claim a customer"
)
def claim(request: HttpRequest, customer_id: int) -> Any:
    done = services.pool_claim(actor=request_staff(request), customer_id=customer_id)
    return Status(
        201,
        {
            "id": done.pk,
            "customer_id": done.customer_id,
            "claimer_id": done.claimer_id,
            "claimed_at": done.claimed_at,
            "claim_day": done.claim_day,
            "slot": done.slot,
            "quota": done.quota,
            "return_id": done.pool_return_id,
        },
    )


@router.post("/sweep", response={200: SweepOut, **_ERRORS}, summary="立即回收 / run the sweep")
def sweep(request: HttpRequest) -> Any:
    staff = request_staff(request)
    returned = services.pool_sweep(company=staff.company, run_by=staff)
    return {"returned": len(returned), "customer_ids": [r.customer_id for r in returned]}


@router.get("/returns", response={200: list[PoolEntryOut], **_ERRORS}, summary="回收记录")
def returns(request: HttpRequest) -> Any:
    rows, _ = selectors.pool_history_for_user(request_staff(request))
    return [entry_out(r) for r in rows]
