"""API of the sales office's 归属争议与裁决（A7.20）and 预先登记（A7.10）.

Mounted at /api/v1/sales/disputes/:

``GET  /``                              the sales manager's queue (``sales.rule_dispute``)
``GET  /mine``                          a salesperson's latest decisions and their disputes
``GET  /{decision_id}``                 one decision: claims with the A7.4 keys, disputes, ruling
``POST /{decision_id}/disputes``        a salesperson disputes a decision about their customer
``POST /{decision_id}/ruling``          the sales manager's ruling (final; a second one: 409)
``GET  /preregistrations/``             the caller's pre-registrations with their validity
``POST /preregistrations/``             pre-register an introduction (A7.10)

Another company's decision is "not found" (404); a salesperson asking for the queue or ruling
gets 403. Errors are ``{"error": {"code", "message", "details"}}`` in the caller's language.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import dispute_selectors as selectors
from kehu.sales import dispute_services as services
from kehu.sales import prereg_selectors, prereg_services
from kehu.sales.dispute_errors import owner_invalid
from kehu.sales.dispute_selectors import DisputeItem
from kehu.sales.models.dispute import DisputeRequest
from kehu.sales.models.reception import OwnershipDecision, RulingRecord
from kehu.sales.prereg_selectors import PreregRow
from kehu.sales.rules import SALES_DEPARTMENT, Owner

router = Router(tags=["sales 归属争议与裁决（A7.20）"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut, 503: ErrorOut}


# --- schemas ------------------------------------------------------------------------------------


class ClaimOut(Schema):
    id: str
    kind: str
    holder_id: str
    holder_name: str
    keys: list[str] = Field(description="相符的身份要素（A7.4）/ the A7.4 keys that matched")
    pending: bool = Field(description="仅全名相同，待销售经理确认 / awaiting confirmation")
    governing: bool
    since: str
    customer_id: int | None
    customer_name: str
    rule_ids: list[str]


class DisputeRequestOut(Schema):
    id: int
    raised_by_id: int
    raised_by_name: str
    raised_at: dt.datetime
    reason: str


class RulingOut(Schema):
    id: int
    decision_id: int
    kind: str
    claim_id: str
    owner: dict[str, str] | None
    shares: list[dict[str, Any]]
    reason: str
    ruled_by_id: int
    ruled_by_name: str
    ruled_at: dt.datetime
    rule_ids: list[str] = ["A7.20"]


class DecisionBrief(Schema):
    id: int
    outcome: str
    owner_after: dict[str, str]
    clause: str
    rule_ids: list[str]
    explanation_zh: str
    decided_at: dt.datetime


class DisputeItemOut(Schema):
    decision_id: int
    visit_id: int
    visit_arrived_at: dt.datetime
    receiver_id: int
    receiver_name: str
    customer_id: int | None
    customer_name: str
    outcome: str
    open: bool = Field(description="待销售经理裁决 / waiting for the sales manager")
    provisional_owner: dict[str, str]
    provisional_owner_name: str
    provisional_clause: str
    clause: str
    rule_ids: list[str]
    policy_ref: str
    explanation_zh: str
    shares: dict[str, Any] | None
    turn_effects: list[dict[str, Any]]
    claims: list[ClaimOut]
    disputes: list[DisputeRequestOut]
    ruling: RulingOut | None
    result: DecisionBrief | None
    superseded_by: int | None
    facts: dict[str, Any]


class DisputeIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class OwnerIn(Schema):
    kind: Literal["salesperson", "sales_department"] = "salesperson"
    salesperson_id: int | None = None


class ShareIn(Schema):
    party: OwnerIn
    percent: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)


class RulingIn(Schema):
    kind: Literal["same_customer", "different_customer", "award"]
    reason: str = Field(min_length=1, max_length=2000)
    claim_id: str = ""
    owner: OwnerIn | None = None
    shares: list[ShareIn] = []


class RulingResultOut(Schema):
    ruling: RulingOut
    decision: DecisionBrief | None
    commission_synced: bool


class PreRegistrationIn(Schema):
    introducer_id: int
    name: str = Field("", max_length=100)
    contact: str = Field("", max_length=40)
    car_brand: str = Field("", max_length=50)
    plate: str = Field("", max_length=20)
    note: str = Field("", max_length=500)
    salesperson_id: int | None = None


class PreRegistrationOut(Schema):
    id: int
    site_id: int
    introducer_id: int | None
    introducer_name: str
    salesperson_id: int
    salesperson_name: str
    name: str
    contact: str
    phone_e164: str
    car_brand: str
    plate: str
    registered_at: dt.datetime
    note: str
    state: str = Field(description="waiting | open | expired | late（A7.10）")
    last_day: dt.date | None
    days_left: int | None
    explanation_zh: str
    visit_id: int | None
    matched_keys: list[str]
    rule_ids: list[str]


# --- conversions --------------------------------------------------------------------------------


def _brief(row: OwnershipDecision | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row.pk,
        "outcome": row.outcome,
        "owner_after": row.owner_after,
        "clause": row.clause,
        "rule_ids": row.rule_ids,
        "explanation_zh": row.explanation_zh,
        "decided_at": row.decided_at,
    }


def _ruling(row: RulingRecord | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row.pk,
        "decision_id": row.decision_id,
        "kind": row.kind,
        "claim_id": row.claim_id,
        "owner": row.owner,
        "shares": row.shares or [],
        "reason": row.reason,
        "ruled_by_id": row.ruled_by_id,
        "ruled_by_name": row.ruled_by.name,
        "ruled_at": row.ruled_at,
    }


def _dispute(row: DisputeRequest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "raised_by_id": row.raised_by_id,
        "raised_by_name": row.raised_by.name,
        "raised_at": row.raised_at,
        "reason": row.reason,
    }


def item_out(item: DisputeItem) -> dict[str, Any]:
    d = item.decision
    return {
        "decision_id": d.pk,
        "visit_id": d.visit_id,
        "visit_arrived_at": d.visit.arrived_at,
        "receiver_id": d.visit.receiver_id,
        "receiver_name": d.visit.receiver.name,
        "customer_id": d.customer_id,
        "customer_name": d.customer.name if d.customer else "",
        "outcome": d.outcome,
        "open": item.open,
        "provisional_owner": d.owner_after,
        "provisional_owner_name": item.provisional_owner,
        "provisional_clause": item.provisional_clause,
        "clause": d.clause,
        "rule_ids": d.rule_ids,
        "policy_ref": d.policy_ref,
        "explanation_zh": d.explanation_zh,
        "shares": d.shares,
        "turn_effects": d.turn_effects,
        "claims": [
            {
                "id": c.view.id,
                "kind": c.view.kind,
                "holder_id": c.view.holder,
                "holder_name": c.holder_name,
                "keys": list(c.view.keys),
                "pending": c.view.pending,
                "governing": c.view.governing,
                "since": c.view.since,
                "customer_id": c.view.customer_id,
                "customer_name": c.customer.name if c.customer else "",
                "rule_ids": list(c.view.rule_ids),
            }
            for c in item.claims
        ],
        "disputes": [_dispute(x) for x in item.disputes],
        "ruling": _ruling(item.ruling),
        "result": _brief(item.result),
        "superseded_by": item.successor.pk if item.successor else None,
        "facts": d.facts or {},
    }


def prereg_out(entry: PreregRow) -> dict[str, Any]:
    row = entry.row
    return {
        "id": row.pk,
        "site_id": row.site_id,
        "introducer_id": row.introducer_id,
        "introducer_name": row.introducer.name if row.introducer else "",
        "salesperson_id": row.salesperson_id,
        "salesperson_name": row.salesperson.name,
        "name": row.name,
        "contact": row.contact,
        "phone_e164": row.phone_e164,
        "car_brand": row.car_brand,
        "plate": row.plate,
        "registered_at": row.registered_at,
        "note": row.note,
        "state": entry.validity.state.value,
        "last_day": entry.validity.last_day,
        "days_left": entry.validity.days_left,
        "explanation_zh": entry.validity.explanation_zh,
        "visit_id": entry.visit.pk if entry.visit else None,
        "matched_keys": [k.value for k in entry.match.keys] if entry.match else [],
        "rule_ids": list(entry.validity.rule_ids),
    }


def _owner(owner: OwnerIn | None) -> Owner | None:
    if owner is None:
        return None
    if owner.kind == "sales_department":
        return SALES_DEPARTMENT
    if owner.salesperson_id is None:
        raise owner_invalid()
    return Owner.of(str(owner.salesperson_id))


def _party(owner: OwnerIn) -> Owner:
    party = _owner(owner)
    assert party is not None
    return party


# --- pre-registrations (before /{decision_id} routes) -------------------------------------------


@router.get(
    "/preregistrations/",
    response={200: list[PreRegistrationOut], **_ERRORS},
    summary="预先登记列表 / the caller's pre-registrations with validity (A7.10)",
)
def preregistrations(request: HttpRequest) -> Any:
    rows = prereg_selectors.preregistrations_for_user(request_staff(request))
    return [prereg_out(r) for r in rows]


@router.post(
    "/preregistrations/",
    response={201: PreRegistrationOut, **_ERRORS},
    summary="预先登记介绍客户 / pre-register an introduction (A7.10)",
)
def preregister(request: HttpRequest, payload: PreRegistrationIn) -> Any:
    staff = request_staff(request)
    row = prereg_services.preregistration_record(
        actor=staff,
        introducer_id=payload.introducer_id,
        person=prereg_services.IntroducedPerson(
            name=payload.name,
            contact=payload.contact,
            car_brand=payload.car_brand,
            plate=payload.plate,
        ),
        note=payload.note,
        salesperson_id=payload.salesperson_id,
    )
    return Status(201, prereg_out(prereg_selectors.preregistration_get_for_user(staff, row.pk)))


# --- the dispute queue and rulings --------------------------------------------------------------


@router.get(
    "/",
    response={200: list[DisputeItemOut], **_ERRORS},
    summary="撞单待裁决 / the sales manager's dispute queue (A7.20)",
)
def queue(request: HttpRequest) -> Any:
    return [item_out(i) for i in selectors.dispute_queue_for(request_staff(request))]


@router.get(
    "/mine",
    response={200: list[DisputeItemOut], **_ERRORS},
    summary="我的归属决定 / a salesperson's decisions and disputes",
)
def mine(request: HttpRequest) -> Any:
    return [item_out(i) for i in selectors.disputes_mine(request_staff(request))]


@router.get(
    "/{decision_id}",
    response={200: DisputeItemOut, **_ERRORS},
    summary="归属决定及裁决 / one decision, its claims, disputes and ruling",
)
def item(request: HttpRequest, decision_id: int) -> Any:
    return item_out(selectors.dispute_item_get(request_staff(request), decision_id))


@router.post(
    "/{decision_id}/disputes",
    response={201: DisputeRequestOut, **_ERRORS},
    summary="提出异议 / dispute a decision about one's customer (A7.20)",
)
def raise_dispute(request: HttpRequest, decision_id: int, payload: DisputeIn) -> Any:
    row = services.dispute_raise(
        actor=request_staff(request), decision_id=decision_id, reason=payload.reason
    )
    return Status(201, _dispute(row))


@router.post(
    "/{decision_id}/ruling",
    response={201: RulingResultOut, **_ERRORS},
    summary="销售经理裁决 / the sales manager's final ruling (A7.20)",
)
def rule(request: HttpRequest, decision_id: int, payload: RulingIn) -> Any:
    done = services.dispute_rule(
        actor=request_staff(request),
        decision_id=decision_id,
        kind=payload.kind,
        reason=payload.reason,
        claim_id=payload.claim_id,
        owner=_owner(payload.owner),
        shares=[(_party(s.party), s.percent) for s in payload.shares],
        request=request,
    )
    return Status(
        201,
        {
            "ruling": _ruling(done.ruling),
            "decision": _brief(done.decision),
            "commission_synced": done.commission_synced,
        },
    )
