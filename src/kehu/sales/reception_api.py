"""API of the reception flow (案场接待), mounted at /api/v1/sales/receptions/.

``POST /``                               a visitor arrives: the receiver and the rotation rule
``GET  /?site_id=&on=``                  a site's visits of a day (default today), open first
``GET  /{visit_id}``                     one visit: conflicts, consents, handling, decisions
``POST /{visit_id}/register``            register the visit: the ownership decision
``POST /{visit_id}/conflicts``           a conflict found (撞单), during or after the reception
``POST /{visit_id}/consents``            the holder's consent given or refused (A2.8, A7.13)
``POST /{visit_id}/handling``            handed back or continued (A7.13)
``POST /{visit_id}/came-for``            the customer came for X (A7.9(3))
``POST /{visit_id}/public-found``        found to be a public customer afterwards (A7.7)
``POST /{visit_id}/redecide``            decide again from the recorded facts (desk, managers)
``POST /{visit_id}/end``                 the reception is over
``GET  /customers/{customer_id}/decisions`` the customer's stored ownership decisions

Another company's visit or customer is "not found" (404). Every decision carries ``rule_ids``,
the ``policy_ref``, a Chinese ``explanation_zh``, the decision it supersedes and the facts it
was decided from (one case of the ``kehu rules sales`` input). A fact recorded on a registered
visit answers with the new decision it caused (``decision``).
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import labels
from kehu.sales import reception_selectors as selectors
from kehu.sales import reception_services as services
from kehu.sales.models.reception import ConflictEvent, ConsentRecord, OwnershipDecision, Visit
from kehu.sales.registration_services import VisitDetails
from kehu.sales.rotation_selectors import local_today, rotation_site_get

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
    business_card_given: bool = False


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
    registered_at: dt.datetime | None
    public_kind: str
    business_card_given: bool
    came_for_id: int | None
    came_for_said_at: dt.datetime | None
    found_public_at: dt.datetime | None
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
    supersedes_id: int | None
    ruling_id: int | None
    deal_id: int | None
    facts: dict[str, Any]


class ConflictIn(Schema):
    holder_id: int
    found_at: dt.datetime | None = None
    during_reception: bool | None = None
    holder_on_site: bool = True
    holder_reachable: bool = True
    note: str = ""


class ConsentIn(Schema):
    holder_id: int
    given: bool
    answered_at: dt.datetime | None = None
    note: str = ""


class HandlingIn(Schema):
    handling: Literal["handed_back", "continued"]


class CameForIn(Schema):
    staff_id: int
    said_at: dt.datetime | None = None


class PublicFoundIn(Schema):
    public_kind: Literal["a", "b", "c", "d"]
    found_at: dt.datetime | None = None


class RedecideIn(Schema):
    cause: str = "desk"


class RecordOut(Schema):
    visit: VisitOut
    record: dict[str, Any]
    decision: DecisionOut | None


class ConflictOut(Schema):
    id: int
    holder_id: int | None
    found_at: dt.datetime
    during_reception: bool
    holder_on_site: bool
    holder_reachable: bool
    note: str
    found_by_id: int


class ConsentOut(Schema):
    id: int
    holder_id: int
    receiver_id: int
    given: bool
    answered_at: dt.datetime
    note: str


class VisitDetailOut(Schema):
    visit: VisitOut
    conflicts: list[ConflictOut]
    consents: list[ConsentOut]
    handling: list[dict[str, Any]]
    decisions: list[DecisionOut]


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
        "rotation_explanation": labels.event_explanation(
            visit.rotation_message, visit.rotation_explanation
        ),
        "customer_id": visit.customer_id,
        "registration_id": visit.registration_id,
        "registered_at": visit.registered_at,
        "public_kind": visit.public_kind,
        "business_card_given": visit.business_card_given,
        "came_for_id": visit.came_for_id,
        "came_for_said_at": visit.came_for_said_at,
        "found_public_at": visit.found_public_at,
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
        "supersedes_id": row.supersedes_id,
        "ruling_id": row.ruling_id,
        "deal_id": row.deal_id,
        "facts": row.facts,
    }


def conflict_out(row: ConflictEvent) -> dict[str, Any]:
    return {
        "id": row.pk,
        "holder_id": row.holder_id,
        "found_at": row.found_at,
        "during_reception": row.during_reception,
        "holder_on_site": row.holder_on_site,
        "holder_reachable": row.holder_reachable,
        "note": row.note,
        "found_by_id": row.found_by_id,
    }


def consent_out(row: ConsentRecord) -> dict[str, Any]:
    return {
        "id": row.pk,
        "holder_id": row.holder_id,
        "receiver_id": row.receiver_id,
        "given": row.given,
        "answered_at": row.answered_at,
        "note": row.note,
    }


def record_out(done: services.RecordResult, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "visit": visit_out(done.visit),
        "record": record,
        "decision": decision_out(done.redecided.decision) if done.redecided else None,
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
        business_card_given=payload.business_card_given,
    )
    return Status(201, visit_out(visit))


@router.get("/", response={200: list[VisitOut], **_ERRORS}, summary="当日来访 / a day's visits")
def visits(request: HttpRequest, site_id: int, on: dt.date | None = None) -> Any:
    staff = request_staff(request)
    site = rotation_site_get(staff=staff, site_id=site_id)
    rows = selectors.visits_of_day(staff=staff, site=site, on=on or local_today())
    return [visit_out(v) for v in rows]


@router.get("/{visit_id}", response={200: VisitDetailOut, **_ERRORS}, summary="来访详情 / a visit")
def visit_detail(request: HttpRequest, visit_id: int) -> Any:
    detail = selectors.visit_detail_for_user(staff=request_staff(request), visit_id=visit_id)
    return {
        "visit": visit_out(detail.visit),
        "conflicts": [conflict_out(c) for c in detail.conflicts],
        "consents": [consent_out(c) for c in detail.consents],
        "handling": detail.handling,
        "decisions": [decision_out(d) for d in detail.decisions],
    }


@router.post(
    "/{visit_id}/conflicts",
    response={201: RecordOut, **_ERRORS},
    summary="发现撞单 / a conflict found (A7.13, A7.10, A7.15, A7.16)",
)
def conflict(request: HttpRequest, visit_id: int, payload: ConflictIn) -> Any:
    done = services.conflict_record(
        actor=request_staff(request), visit_id=visit_id, **payload.model_dump()
    )
    return Status(201, record_out(done, conflict_out(done.record)))


@router.post(
    "/{visit_id}/consents",
    response={201: RecordOut, **_ERRORS},
    summary="原售楼员同意或不同意 / the holder's consent (A2.8, A7.13)",
)
def consent(request: HttpRequest, visit_id: int, payload: ConsentIn) -> Any:
    done = services.consent_record(
        actor=request_staff(request), visit_id=visit_id, **payload.model_dump()
    )
    return Status(201, record_out(done, consent_out(done.record)))


@router.post(
    "/{visit_id}/handling",
    response={201: RecordOut, **_ERRORS},
    summary="交回或继续接待 / handed back or continued (A7.13)",
)
def handling(request: HttpRequest, visit_id: int, payload: HandlingIn) -> Any:
    done = services.handling_record(
        actor=request_staff(request), visit_id=visit_id, handling=payload.handling
    )
    return Status(201, record_out(done, {"handling": done.record}))


@router.post(
    "/{visit_id}/came-for",
    response={201: RecordOut, **_ERRORS},
    summary="客户表示专程来找某售楼员 / came for X (A7.9(3))",
)
def came_for(request: HttpRequest, visit_id: int, payload: CameForIn) -> Any:
    done = services.came_for_record(
        actor=request_staff(request), visit_id=visit_id, **payload.model_dump()
    )
    return Status(201, record_out(done, {"staff_id": done.record.pk}))


@router.post(
    "/{visit_id}/public-found",
    response={201: RecordOut, **_ERRORS},
    summary="事后确认为公共客户 / found public afterwards (A7.7)",
)
def public_found(request: HttpRequest, visit_id: int, payload: PublicFoundIn) -> Any:
    done = services.public_found_record(
        actor=request_staff(request), visit_id=visit_id, **payload.model_dump()
    )
    return Status(201, record_out(done, {"public_kind": done.record}))


@router.post(
    "/{visit_id}/redecide",
    response={201: DecisionOut, **_ERRORS},
    summary="按已记录的事实重新决定 / decide again",
)
def redecide(request: HttpRequest, visit_id: int, payload: RedecideIn) -> Any:
    done = services.visit_redecide_by_desk(
        actor=request_staff(request), visit_id=visit_id, cause=payload.cause
    )
    return Status(201, decision_out(done.decision))


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
