"""API of complaints and the service desk, mounted at /api/v1/complaints/.

``POST /``                         take a complaint (any staff member: one-stop, A3)
``GET  /``                         complaints the caller may see (``?stage=&open=``), paginated
``GET  /{id}``                     one complaint with its history and the possible actions
``POST /{id}/actions``             forward, dispatch, report_result, report_not_soon, agree_date,
                                   tell_customer, reopen
``POST /{id}/meetings``            a coordination meeting on a complex complaint
``GET  /queues``                   the desk's open complaints by stage
``GET  /inbox``                    the caller's department's complaints
``GET  /dashboard``                breaches and trends (supervisors)
``GET  /groups/suggestions``       complaints that look like one problem
``POST /groups``                   confirm a group; ``POST /groups/{id}/sessions`` its session
``POST /work-orders``              a work order; ``…/{id}/complete``; ``…/{id}/callback``
``POST /needs``                    classify a need (A11); ``GET /needs/analysis?month=YYYY-MM``
``POST /sweep``                    run the sweep now (customer service; normally periodic)

Another company's complaint is "not found" (404). Errors are ``{"error": {...}}`` in the
caller's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.responses import codes_4xx

from kehu.complaints import rules, selectors, services
from kehu.complaints.models import Complaint, WorkOrder
from kehu.core.web.api_support import (
    ErrorOut,
    KehuPagination,
    request_require_perm,
    request_staff,
)

router = Router(tags=["complaints 客户投诉"])
_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class ReceiveIn(Schema):
    channel: str
    customer_name: str
    category: str
    subject: str
    description: str
    contact: str = ""
    site_id: int | None = None
    place: str = ""
    customer_id: int | None = None
    own_solution: str = ""
    profile: str | None = None
    leak: bool = False
    address: str = ""
    received_at: dt.datetime | None = None


class ComplaintOut(Schema):
    id: int
    profile: str
    channel: str
    customer_name: str
    category: str
    subject: str
    description: str
    place: str
    stage: str
    stage_label: str
    received_at: dt.datetime
    received_by_id: int
    handler_id: int | None
    department_id: int | None
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    time_state: str
    time_left: str
    escalation_level: int
    agreed_date: dt.date | None
    group_id: int | None
    closed_at: dt.datetime | None
    policy_ref: str


class EventOut(Schema):
    action: str
    from_stage: str
    to_stage: str
    actor_id: int | None
    at: dt.datetime
    note: str
    due_at: dt.datetime | None
    rule_ids: list[str]
    detail: dict[str, Any]


class ComplaintDetailOut(ComplaintOut):
    events: list[EventOut]
    allowed_actions: list[str]


class ActionIn(Schema):
    action: str
    note: str = ""
    department_id: int | None = None
    handler_id: int | None = None
    agreed_date: dt.date | None = None
    at: dt.datetime | None = None


class MeetingIn(Schema):
    held_at: dt.datetime
    departments: str
    minutes: str


class IdOut(Schema):
    id: int


class GroupIn(Schema):
    complaint_ids: list[int]
    title: str


class SessionIn(Schema):
    held_at: dt.datetime
    location: str
    explanation: str
    attended_complaint_ids: list[int] = []


class WorkOrderIn(Schema):
    kind: str
    customer_name: str
    address: str
    description: str
    contact: str = ""
    customer_id: int | None = None
    assignee_id: int | None = None


class WorkOrderOut(Schema):
    id: int
    kind: str
    urgent: bool
    status: str
    complaint_id: int | None
    customer_name: str
    address: str
    assignee_id: int | None
    created_at: dt.datetime
    completed_at: dt.datetime | None
    reopened_count: int


class CallbackIn(Schema):
    satisfied: bool
    note: str = ""


class CallbackOut(Schema):
    id: int
    work_order_id: int
    satisfied: bool
    rule_ids: list[str]
    work_order_status: str


class NeedIn(Schema):
    text: str
    need_class: str
    topic: str = ""
    complaint_id: int | None = None
    customer_id: int | None = None


class NeedOut(Schema):
    id: int
    need_class: str
    routed_to: str


class SweepOut(Schema):
    looked_at: int
    warnings: int
    breaches: int
    escalations: int
    fines: int
    batches: int
    more_due: bool = Field(
        description="还有到期未巡检的投诉，每分钟的巡检任务会继续 / more are due; the job goes on"
    )


# Someone asking through the API waits for the answer: a few batches (about 1,000 complaints,
# a second or two), not the job's whole drain; what is left, the job (every minute) goes on with.
API_SWEEP_MAX_BATCHES = 4


def complaint_out(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "profile": complaint.profile,
        "channel": complaint.channel,
        "customer_name": complaint.customer_name,
        "category": complaint.category,
        "subject": complaint.subject,
        "description": complaint.description,
        "place": complaint.place,
        "stage": complaint.stage,
        "stage_label": complaint.get_stage_display(),
        "received_at": complaint.received_at,
        "received_by_id": complaint.received_by_id,
        "handler_id": complaint.handler_id,
        "department_id": complaint.department_id,
        "due_at": complaint.due_at,
        "warn_at": complaint.warn_at,
        "time_state": complaint.time_state,
        "time_left": selectors.time_left_class(complaint),
        "escalation_level": complaint.escalation_level,
        "agreed_date": complaint.agreed_date,
        "group_id": complaint.group_id,
        "closed_at": complaint.closed_at,
        "policy_ref": complaint.policy_ref,
    }


def detail_out(complaint: Complaint) -> dict[str, Any]:
    events = [
        {
            "action": e.action,
            "from_stage": e.from_stage,
            "to_stage": e.to_stage,
            "actor_id": e.actor_id,
            "at": e.at,
            "note": e.note,
            "due_at": e.due_at,
            "rule_ids": e.rule_ids,
            "detail": e.detail,
        }
        for e in selectors.complaint_events(complaint)
    ]
    allowed = rules.allowed_actions(rules.Profile(complaint.profile), rules.Stage(complaint.stage))
    return {**complaint_out(complaint), "events": events, "allowed_actions": list(allowed)}


def work_order_out(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "kind": order.kind,
        "urgent": order.urgent,
        "status": order.status,
        "complaint_id": order.complaint_id,
        "customer_name": order.customer_name,
        "address": order.address,
        "assignee_id": order.assignee_id,
        "created_at": order.created_at,
        "completed_at": order.completed_at,
        "reopened_count": order.reopened_count,
    }


@router.post("/", response={201: ComplaintDetailOut, **_ERRORS})
def receive(request: HttpRequest, body: ReceiveIn) -> Status:
    complaint = services.complaint_receive(actor=request_staff(request), **body.dict())
    return Status(201, detail_out(complaint))


@router.get("/", response=list[ComplaintOut])
@paginate(KehuPagination)
def complaint_list(
    request: HttpRequest, stage: str = "", open: bool = False
) -> list[dict[str, Any]]:
    rows = selectors.complaints_for_staff(request_staff(request)).order_by("-received_at")
    if stage:
        rows = rows.filter(stage=stage)
    if open:
        rows = rows.exclude(stage=rules.Stage.CLOSED.value)
    return [complaint_out(c) for c in rows[:2000]]


@router.get("/queues", response=dict[str, list[ComplaintOut]])
def queues(request: HttpRequest) -> dict[str, list[dict[str, Any]]]:
    staff = request_staff(request)
    return {
        q.stage.value: [complaint_out(c) for c in q.complaints]
        for q in selectors.desk_queues(staff)
    }


@router.get("/inbox", response=list[ComplaintOut])
def inbox(request: HttpRequest) -> list[dict[str, Any]]:
    return [complaint_out(c) for c in selectors.department_inbox(request_staff(request))]


@router.get("/dashboard", response={200: dict[str, Any], **_ERRORS})
def dashboard(request: HttpRequest, months: int = 12) -> dict[str, Any]:
    since = dt.datetime.now(rules.LOCAL_TZ) - dt.timedelta(days=31 * max(1, min(months, 36)))
    board = selectors.dashboard(request_staff(request), since=since)
    return board.__dict__


@router.get("/groups/suggestions", response=list[list[ComplaintOut]])
def group_suggestions(request: HttpRequest) -> list[list[dict[str, Any]]]:
    groups = selectors.group_suggestions(request_staff(request))
    return [[complaint_out(c) for c in group] for group in groups]


@router.post("/groups", response={201: IdOut, **_ERRORS})
def group_confirm(request: HttpRequest, body: GroupIn) -> Status:
    group = services.group_confirm(
        actor=request_staff(request), complaint_ids=body.complaint_ids, title=body.title
    )
    return Status(201, {"id": group.pk})


@router.post("/groups/{group_id}/sessions", response={201: IdOut, **_ERRORS})
def session_record(request: HttpRequest, group_id: int, body: SessionIn) -> Status:
    session = services.session_record(
        actor=request_staff(request), group_id=group_id, **body.dict()
    )
    return Status(201, {"id": session.pk})


@router.post("/work-orders", response={201: WorkOrderOut, **_ERRORS})
def work_order_open(request: HttpRequest, body: WorkOrderIn) -> Status:
    order = services.work_order_open(actor=request_staff(request), **body.dict())
    return Status(201, work_order_out(order))


@router.get("/work-orders", response=list[WorkOrderOut])
def work_order_list(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    rows = selectors.work_orders_for_staff(request_staff(request)).order_by("-created_at")
    if status:
        rows = rows.filter(status=status)
    return [work_order_out(o) for o in rows[:500]]


@router.post("/work-orders/{order_id}/complete", response={200: WorkOrderOut, **_ERRORS})
def work_order_complete(request: HttpRequest, order_id: int) -> dict[str, Any]:
    order = services.work_order_complete(actor=request_staff(request), work_order_id=order_id)
    return work_order_out(order)


@router.post("/work-orders/{order_id}/callback", response={201: CallbackOut, **_ERRORS})
def callback_record(request: HttpRequest, order_id: int, body: CallbackIn) -> Status:
    callback = services.callback_record(
        actor=request_staff(request), work_order_id=order_id, **body.dict()
    )
    return Status(
        201,
        {
            "id": callback.pk,
            "work_order_id": callback.work_order_id,
            "satisfied": callback.satisfied,
            "rule_ids": callback.rule_ids,
            "work_order_status": callback.work_order.status,
        },
    )


@router.post("/needs", response={201: NeedOut, **_ERRORS})
def need_record(request: HttpRequest, body: NeedIn) -> Status:
    need = services.need_record(actor=request_staff(request), **body.dict())
    return Status(201, {"id": need.pk, "need_class": need.need_class, "routed_to": need.routed_to})


@router.get("/needs/analysis", response={200: dict[str, Any], **_ERRORS})
def needs_analysis(request: HttpRequest, month: str) -> dict[str, Any]:
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        from kehu.complaints.errors import field_required

        raise field_required("月份（YYYY-MM）", "the month (YYYY-MM)", "month") from None
    return selectors.needs_analysis(request_staff(request), month=first).__dict__


@router.post("/sweep", response={200: SweepOut, **_ERRORS})
def sweep(request: HttpRequest) -> dict[str, int | bool]:
    request_require_perm(request, services.HANDLE)
    result = services.complaint_sweep_all(max_batches=API_SWEEP_MAX_BATCHES)
    return {
        "looked_at": result.looked_at,
        "warnings": result.warnings,
        "breaches": result.breaches,
        "escalations": result.escalations,
        "fines": result.fines,
        "batches": result.batches,
        "more_due": result.more_due,
    }


@router.get("/{complaint_id}", response={200: ComplaintDetailOut, **_ERRORS})
def complaint_detail(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    return detail_out(selectors.complaint_get_for_staff(request_staff(request), complaint_id))


@router.post("/{complaint_id}/actions", response={200: ComplaintDetailOut, **_ERRORS})
def complaint_act(request: HttpRequest, complaint_id: int, body: ActionIn) -> dict[str, Any]:
    staff = request_staff(request)
    selectors.complaint_get_for_staff(staff, complaint_id)  # 404 before anything else
    complaint = services.complaint_act(actor=staff, complaint_id=complaint_id, **body.dict())
    return detail_out(complaint)


@router.post("/{complaint_id}/meetings", response={201: IdOut, **_ERRORS})
def meeting_record(request: HttpRequest, complaint_id: int, body: MeetingIn) -> Status:
    meeting = services.meeting_record(
        actor=request_staff(request), complaint_id=complaint_id, **body.dict()
    )
    return Status(201, {"id": meeting.pk})
