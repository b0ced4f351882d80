"""API of the reception flow (案场接待), mounted at /api/v1/sales/receptions/.

``POST /``                               a visitor arrives: the receiver and the rotation rule
``POST /{visit_id}/register``            register the visit: the ownership decision
``POST /{visit_id}/end``                 the reception is over
``GET  /customers/{customer_id}/decisions`` the customer's stored ownership decisions

Another company's visit or customer is "not found" (404). Every decision carries ``rule_ids``,
the ``policy_ref`` and a Chinese ``explanation_zh``.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import reception_selectors as selectors
from kehu.sales import reception_services as services
from kehu.sales.models.reception import OwnershipDecision, Visit
from kehu.sales.registration_services import VisitDetails
from kehu.sales.rotation_selectors import rotation_site_get

router = Router(tags=["sales 案场接待 receptions"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}

ArrivalIn = Literal[
    "walk_in",
    "asked_for",
    "phone_customer",
    "with_old_customer",
    "public",
    "group_buy",
    "company_referral",
]


class ArriveIn(Schema):
    site_id: int
    arrival: ArrivalIn = "walk_in"
    named_staff_id: int | None = None
    public_kind: Literal["", "a", "b", "c", "d"] = ""
    helpers: list[int] = []


class VisitOut(Schema):
    id: int
    site_id: int
    arrival: str
    arrived_at: dt.datetime
    receiver_id: int
    receiver_name: str
    named_id: int | None
    named_present: bool
    rotation_rule_ids: list[str]
    rotation_explanation: str
    customer_id: int | None
    registration_id: int | None
    ended_at: dt.datetime | None


class DetailsIn(Schema):
    customer_name: str = ""
    employer_or_address: str = ""
    contact: str = ""
    car_brand: str = ""
    plate: str = ""
    intention: str = ""
    source: str = ""


class RegisterIn(Schema):
    details: DetailsIn
    customer_id: int | None = None
    found_at: dt.datetime | None = None
    handling: Literal["handed_back", "continued"] | None = None


class DecisionOut(Schema):
    id: int
    visit_id: int
    customer_id: int | None
    outcome: str
    owner_before: dict[str, str] | None
    owner_after: dict[str, str]
    clause: str
    rule_ids: list[str]
    shares: dict[str, Any] | None
    turn_effects: list[dict[str, Any]]
    flags: list[str]
    policy_ref: str
    explanation_zh: str
    decided_at: dt.datetime
    decided_by_id: int


def visit_out(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "site_id": visit.site_id,
        "arrival": visit.arrival,
        "arrived_at": visit.arrived_at,
        "receiver_id": visit.receiver_id,
        "receiver_name": visit.receiver.name,
        "named_id": visit.named_id,
        "named_present": visit.named_present,
        "rotation_rule_ids": visit.rotation_rule_ids,
        "rotation_explanation": visit.rotation_explanation,
        "customer_id": visit.customer_id,
        "registration_id": visit.registration_id,
        "ended_at": visit.ended_at,
    }


def decision_out(row: OwnershipDecision) -> dict[str, Any]:
    return {
        "id": row.pk,
        "visit_id": row.visit_id,
        "customer_id": row.customer_id,
        "outcome": row.outcome,
        "owner_before": row.owner_before,
        "owner_after": row.owner_after,
        "clause": row.clause,
        "rule_ids": row.rule_ids,
        "shares": row.shares,
        "turn_effects": row.turn_effects,
        "flags": row.flags,
        "policy_ref": row.policy_ref,
        "explanation_zh": row.explanation_zh,
        "decided_at": row.decided_at,
        "decided_by_id": row.decided_by_id,
    }


@router.post("/", response={201: VisitOut, **_ERRORS}, summary="来访：安排接待 / a visitor arrives")
def arrive(request: HttpRequest, payload: ArriveIn) -> Any:
    staff = request_staff(request)
    visit = services.visit_arrive(
        actor=staff,
        site=rotation_site_get(staff=staff, site_id=payload.site_id),
        arrival=payload.arrival,
        named_staff_id=payload.named_staff_id,
        public_kind=payload.public_kind,
        helpers=payload.helpers,
    )
    return Status(201, visit_out(visit))


@router.post(
    "/{visit_id}/register",
    response={201: DecisionOut, **_ERRORS},
    summary="登记并决定归属 / register the visit and decide ownership",
)
def register(request: HttpRequest, visit_id: int, payload: RegisterIn) -> Any:
    done = services.visit_register(
        actor=request_staff(request),
        visit_id=visit_id,
        details=VisitDetails(**payload.details.model_dump()),
        customer_id=payload.customer_id,
        found_at=payload.found_at,
        handling=payload.handling,
    )
    return Status(201, decision_out(done.decision))


@router.post("/{visit_id}/end", response={200: VisitOut, **_ERRORS}, summary="接待结束 / end")
def end(request: HttpRequest, visit_id: int) -> Any:
    return visit_out(services.visit_end(actor=request_staff(request), visit_id=visit_id))


@router.get(
    "/customers/{customer_id}/decisions",
    response={200: list[DecisionOut], **_ERRORS},
    summary="客户的归属决定 / a customer's ownership decisions",
)
def decisions(request: HttpRequest, customer_id: int) -> Any:
    rows = selectors.decisions_for_customer(staff=request_staff(request), customer_id=customer_id)
    return [decision_out(r) for r in rows]
