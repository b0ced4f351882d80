"""API of the rewards-and-penalties app (奖惩), mounted at /api/v1/discipline/.

``GET  /entries[?employee_id=]``         a ledger, newest first (default: the caller's own)
``POST /entries``                        a manager records an entry
``GET  /employees``                      whose ledgers the caller may read
``GET  /standing/{employee_id}[?as_of=]`` counts, conversions, proposals, money, points and the
                                         explanation steps with rule IDs, recomputed from the
                                         ledger with the policy in force that day
``GET  /proposals``                      the caller's queue of open proposals
``POST /proposals/{key}/decision``       decide one (an approval writes the entry)
``GET  /report?year=``                   penalties and rewards by department and month

An employee the caller may not see, or of another company, is "not found" (404). Each endpoint
makes one service or selector call.
"""

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.responses import codes_4xx

from kehu.core.org.models import Staff
from kehu.core.org.posts import post_label
from kehu.core.web.api_support import (
    ErrorOut,
    KehuPagination,
    request_language,
    request_staff,
)
from kehu.discipline import selectors, services
from kehu.discipline.errors import DisciplinePermissionDenied
from kehu.discipline.models import DisciplineEntry, DisciplineProposal, ProposalDecision
from kehu.discipline.rules import KIND_LABELS, Kind

router = Router(tags=["discipline 奖惩"])


# --- schemas -------------------------------------------------------------------------------


_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class EmployeeOut(Schema):
    id: int
    name: str
    post: str
    post_label: str
    department: str | None


class EntryOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    on: dt.date = Field(description="发生日期 / date of the fact")
    kind: str
    kind_label: str
    amount: Decimal | None = Field(description="元 / yuan (fines, bonuses, special awards)")
    points: int | None
    failure_type: int | None = Field(description="A4 四.六 不合格类型 1–6")
    refs: list[int | str]
    reason: str
    rule_ids: list[str]
    source_type: str
    source_id: str
    policy_ref: str
    recorded_by_id: int | None
    recorded_by_name: str | None
    recorded_at: dt.datetime

    @staticmethod
    def resolve_employee_name(obj: DisciplineEntry) -> str:
        return obj.employee.name

    @staticmethod
    def resolve_kind_label(obj: DisciplineEntry) -> str:
        return KIND_LABELS[Kind(obj.kind)]

    @staticmethod
    def resolve_recorded_by_name(obj: DisciplineEntry) -> str | None:
        return obj.recorded_by.name if obj.recorded_by is not None else None


class EntriesParams(Schema):
    employee_id: int | None = Field(None, description="员工 id；不填为本人 / default: yourself")


class EntryIn(Schema):
    employee_id: int
    on: dt.date
    kind: Literal[
        "commendation",
        "minor_merit",
        "major_merit",
        "criticism",
        "minor_demerit",
        "major_demerit",
        "fine",
        "bonus",
        "points",
        "special_award",
        "warning",
        "supervision_failure",
    ] = Field(description="可直接录入的类型 / kinds a manager may record by hand")
    reason: str = Field(min_length=1, description="事由 / reason")
    rule_ids: list[str] = Field(default_factory=list, description="依据条款；不填按类型默认")
    amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    points: int | None = None
    failure_type: int | None = Field(None, ge=1, le=6)
    source_type: str = Field("", max_length=60)
    source_id: str = Field("", max_length=64)


class DerivedOut(Schema):
    id: str
    kind: str
    kind_label: str
    on: dt.date
    from_ids: list[str]
    rule_ids: list[str]
    amount: Decimal | None
    points: int | None
    note_zh: str


class DecisionOut(Schema):
    id: int
    proposal_key: str
    employee_id: int
    outcome: str
    outcome_label: str
    amount: Decimal | None
    reason: str
    resulting_entry_id: int | None
    decided_by_id: int
    decided_by_name: str
    decided_at: dt.datetime


class ProposalOut(Schema):
    key: str
    kind: str
    on: dt.date
    from_ids: list[str]
    rule_ids: list[str]
    note_zh: str
    open: bool
    decision: DecisionOut | None


class StoredProposalOut(Schema):
    key: str
    id: int
    kind: str
    kind_label: str
    on: dt.date
    low: Decimal | None
    high: Decimal | None
    reason: str
    rule_ids: list[str]
    source_type: str
    source_id: str
    decider_post: str
    open: bool
    decision: DecisionOut | None


class StepOut(Schema):
    on: dt.date
    text_zh: str
    entry_ids: list[str]
    rule_ids: list[str]


class StandingOut(Schema):
    employee: EmployeeOut
    as_of: dt.date
    policy_ref: str = Field(description="所用规则版本 / the policy version used")
    counts: dict[str, int] = Field(description="各级未转换的次数 / unconverted count per level")
    derived: list[DerivedOut]
    proposals: list[ProposalOut]
    stored_proposals: list[StoredProposalOut]
    fines: Decimal
    bonuses: Decimal
    money_net: Decimal = Field(description="奖金减罚款（元）/ bonuses minus fines (yuan)")
    points: int
    warnings_in_window: int
    failures_in_window: dict[str, int]
    steps: list[StepOut]
    ignored_ids: list[str]
    rule_ids: list[str]
    entries: list[EntryOut]


class StandingParams(Schema):
    as_of: dt.date | None = Field(None, description="截至日期；不填为今天 / default: today")


class QueueItemOut(Schema):
    key: str
    kind: str
    kind_label: str
    employee: EmployeeOut
    on: dt.date
    from_ids: list[str]
    rule_ids: list[str]
    note_zh: str
    stored_id: int | None
    low: Decimal | None
    high: Decimal | None
    source_type: str
    source_id: str


class DecisionIn(Schema):
    outcome: Literal["approved", "rejected"]
    reason: str = Field(min_length=1, description="决定理由 / reason for the decision")
    amount: Decimal | None = Field(
        None, max_digits=12, decimal_places=2, description="罚款金额（罚款提议必填）"
    )
    measure: Literal["reassignment", "demotion"] | None = Field(
        None, description="“调整岗位或降职”提议批准时的措施；默认调整岗位"
    )


class DisciplineReportParams(Schema):
    year: int = Field(ge=2000, le=2100)


class DisciplineReportRowOut(Schema):
    department: str
    month: int
    penalties: int
    rewards: int
    fines: Decimal
    bonuses: Decimal
    points_added: int
    points_deducted: int


class DisciplineReportOut(Schema):
    year: int
    rows: list[DisciplineReportRowOut]


# --- shaping -------------------------------------------------------------------------------


def _employee_out(staff: Staff) -> dict[str, Any]:
    return {
        "id": staff.pk,
        "name": staff.name,
        "post": staff.post,
        "post_label": post_label(staff.post, request_language()),
        "department": staff.department.name if staff.department is not None else None,
    }


def _decision_out(decision: ProposalDecision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "id": decision.pk,
        "proposal_key": decision.proposal_key,
        "employee_id": decision.employee_id,
        "outcome": decision.outcome,
        "outcome_label": decision.get_outcome_display(),
        "amount": decision.amount,
        "reason": decision.reason,
        "resulting_entry_id": decision.resulting_entry_id,
        "decided_by_id": decision.decided_by_id,
        "decided_by_name": decision.decided_by.name,
        "decided_at": decision.decided_at,
    }


def _stored_out(proposal: DisciplineProposal, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "id": proposal.pk,
        "kind": proposal.kind,
        "kind_label": proposal.get_kind_display(),
        "on": proposal.on,
        "low": proposal.low,
        "high": proposal.high,
        "reason": proposal.reason,
        "rule_ids": list(proposal.rule_ids),
        "source_type": proposal.source_type,
        "source_id": proposal.source_id,
        "decider_post": proposal.decider_post,
    }


def _standing_out(result: selectors.EmployeeStanding) -> dict[str, Any]:
    body = selectors.standing_as_json(result.standing)
    for shown, state in zip(body["proposals"], result.proposals, strict=True):
        shown["open"] = state.open
        shown["decision"] = _decision_out(state.decision)
    body["stored_proposals"] = [
        {
            **_stored_out(s.proposal, s.key),
            "open": s.open,
            "decision": _decision_out(s.decision),
        }
        for s in result.stored_proposals
    ]
    body["employee"] = _employee_out(result.employee)
    body["policy_ref"] = result.policy_ref
    body["entries"] = result.entries
    return body


def _queue_item_out(item: selectors.QueueItem) -> dict[str, Any]:
    stored = item.stored
    return {
        "key": item.key,
        "kind": item.kind,
        "kind_label": item.kind_label,
        "employee": _employee_out(item.employee),
        "on": item.on,
        "from_ids": list(item.from_ids),
        "rule_ids": list(item.rule_ids),
        "note_zh": item.note_zh,
        "stored_id": stored.pk if stored is not None else None,
        "low": item.low,
        "high": item.high,
        "source_type": stored.source_type if stored is not None else "",
        "source_id": stored.source_id if stored is not None else "",
    }


def _audited_denial(exc: DisciplinePermissionDenied) -> Status[dict[str, Any]]:
    # The service audited this refusal already; answering here keeps the API root's error
    # handler from auditing it a second time.
    return Status(exc.status, {"error": exc.as_dict(request_language())})


# --- endpoints -------------------------------------------------------------------------------


@router.get(
    "/entries",
    response={200: list[EntryOut], **_ERRORS},
    summary="奖惩台账（本人或某员工）/ a ledger (yours or an employee's)",
)
@paginate(KehuPagination)
def entries_list(request: HttpRequest, params: Query[EntriesParams]) -> Any:
    return selectors.entries_for_viewer(
        viewer=request_staff(request), employee_id=params.employee_id
    )


@router.post(
    "/entries",
    response={201: EntryOut, **_ERRORS},
    summary="记录奖惩 / record an entry",
)
def entries_record(request: HttpRequest, payload: EntryIn) -> Any:
    staff = request_staff(request)
    try:
        entry = services.discipline_entry_record(
            recorder=staff,
            employee=selectors.employee_in_company(
                company_id=staff.company_id, employee_id=payload.employee_id
            ),
            on=payload.on,
            kind=payload.kind,
            reason=payload.reason,
            rule_ids=payload.rule_ids,
            amount=payload.amount,
            points=payload.points,
            failure_type=payload.failure_type,
            source_type=payload.source_type,
            source_id=payload.source_id,
            request=request,
        )
    except DisciplinePermissionDenied as exc:
        return _audited_denial(exc)
    return Status(201, entry)


@router.get(
    "/employees",
    response={200: list[EmployeeOut], **_ERRORS},
    summary="可查看台账的员工 / employees whose ledgers you may read",
)
@paginate(KehuPagination)
def employees_list(request: HttpRequest) -> Any:
    return [_employee_out(s) for s in selectors.employees_visible_to(request_staff(request))]


@router.get(
    "/standing/{employee_id}",
    response={200: StandingOut, **_ERRORS},
    summary="员工奖惩状况及依据 / an employee's standing and how it came about",
)
def standing_get(request: HttpRequest, employee_id: int, params: Query[StandingParams]) -> Any:
    return _standing_out(
        selectors.standing_for_employee_id(
            viewer=request_staff(request), employee_id=employee_id, as_of=params.as_of
        )
    )


@router.get(
    "/proposals",
    response={200: list[QueueItemOut], **_ERRORS},
    summary="待我决定的奖惩提议 / proposals awaiting your decision",
)
def proposals_queue(request: HttpRequest) -> Any:
    return [_queue_item_out(i) for i in selectors.proposals_queue_for(request_staff(request))]


@router.post(
    "/proposals/{key}/decision",
    response={201: DecisionOut, **_ERRORS},
    summary="决定奖惩提议 / decide a proposal",
)
def proposal_decision(request: HttpRequest, key: str, payload: DecisionIn) -> Any:
    try:
        decision = services.proposal_decide(
            decider=request_staff(request),
            proposal_key=key,
            outcome=payload.outcome,
            reason=payload.reason,
            amount=payload.amount,
            measure=payload.measure,
            request=request,
        )
    except DisciplinePermissionDenied as exc:
        return _audited_denial(exc)
    return Status(201, _decision_out(decision))


@router.get(
    "/report",
    response={200: DisciplineReportOut, **_ERRORS},
    summary="本公司奖惩统计（按部门、月份）/ company report by department and month",
)
def company_report(request: HttpRequest, params: Query[DisciplineReportParams]) -> Any:
    rows = selectors.company_report(request_staff(request), params.year)
    return {"year": params.year, "rows": [asdict(row) for row in rows]}


# The appeals (A4 四.七) and customer-report (A4 五.6) endpoints live in their own modules.
router.add_router("/appeals/", "kehu.discipline.appeals_api.router")
router.add_router("/customer-reports/", "kehu.discipline.reports_api.router")
