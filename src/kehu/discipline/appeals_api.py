"""API for appeals (A4 四.七), mounted at /api/v1/discipline/appeals/.

Each endpoint makes one service or selector call. ``request.auth`` is the calling Staff. An
appeal the caller may not see — another company's, a colleague's — is "not found" (404).
Evidence files are uploaded as multipart form data (field ``files``, repeatable) and
downloaded through ``/{appeal_id}/evidence/{evidence_id}/file``, which checks access; they are
never served from a public media URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kehu.core.web.api_support import KehuPagination, request_require_perm, request_staff
from kehu.discipline import appeals_selectors as selectors
from kehu.discipline import appeals_services as services
from kehu.discipline.appeals_views import evidence_file_response
from kehu.discipline.models import Appeal, DisciplineEntry

router = Router(tags=["discipline: appeals 申诉"])


# --- schemas --------------------------------------------------------------------------------


class StaffRef(Schema):
    id: int
    name: str


class EntryRef(Schema):
    id: int
    on: dt.date
    kind: str
    kind_label: str
    reason: str
    amount: str | None
    points: int | None
    rule_ids: list[str]


class AppealListItem(Schema):
    id: int
    state: str
    state_label: str
    level: int | None = None
    entry: EntryRef
    appellant: StaffRef
    handler: StaffRef | None
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    due: str  # "overdue" | "soon" | "ok" | "" (closed)
    closed_at: dt.datetime | None


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str
    actor: StaffRef
    at: dt.datetime


class EvidenceOut(Schema):
    id: int
    text: str
    file_name: str
    file_sha256: str
    download_url: str | None
    added_by: StaffRef
    added_at: dt.datetime


class AppealOut(AppealListItem):
    statement: str
    policy_ref: str
    rule_ids: list[str]
    actions: list[str]
    waiting_for_hr: bool
    events: list[EventOut]
    evidence: list[EvidenceOut]
    reversal_entry_id: int | None


class ReasonIn(Schema):
    reason: str


class NoteIn(Schema):
    note: str = ""


class FindingsIn(Schema):
    findings: str


# --- shaping --------------------------------------------------------------------------------


def _staff(staff: Any) -> dict[str, Any] | None:
    return {"id": staff.pk, "name": staff.name} if staff is not None else None


def _entry(entry: DisciplineEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "on": entry.on,
        "kind": entry.kind,
        "kind_label": entry.get_kind_display(),
        "reason": entry.reason,
        "amount": str(entry.amount) if entry.amount is not None else None,
        "points": entry.points,
        "rule_ids": list(entry.rule_ids or []),
    }


def _item(appeal: Appeal, due: str) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "state": appeal.state,
        "state_label": appeal.get_state_display(),
        "entry": _entry(appeal.entry),
        "appellant": _staff(appeal.appellant),
        "handler": _staff(appeal.handler),
        "submitted_at": appeal.submitted_at,
        "due_at": appeal.due_at,
        "due": due,
        "closed_at": appeal.closed_at,
    }


def _rows(appeals: Any) -> list[dict[str, Any]]:
    return [_item(row.appeal, row.due) for row in selectors.appeal_rows(appeals)]


def _evidence(row: selectors.EvidenceItem, base: str) -> dict[str, Any]:
    item = row.evidence
    return {
        "id": item.pk,
        "text": item.text,
        "file_name": row.file_name,
        "file_sha256": item.file_sha256,
        "download_url": f"{base}/evidence/{item.pk}/file" if item.file else None,
        "added_by": _staff(item.added_by),
        "added_at": item.added_at,
    }


def _detail(request: HttpRequest, detail: selectors.AppealDetail) -> dict[str, Any]:
    appeal = detail.appeal
    base = request.path.rstrip("/")
    for suffix in ("/uphold", "/reject", "/escalate", "/withdraw", "/evidence", "/findings"):
        base = base.removesuffix(suffix)
    if not base.endswith(f"/{appeal.pk}"):  # created at the collection's URL
        base = f"{base}/{appeal.pk}"
    return {
        **_item(appeal, detail.due),
        "level": detail.level,
        "statement": appeal.statement,
        "policy_ref": appeal.policy_ref,
        "rule_ids": ["A4 四.七"],
        "actions": detail.actions,
        "waiting_for_hr": detail.waiting_for_hr,
        "events": [
            {
                "id": item.event.pk,
                "action": item.event.action,
                "action_label": item.label,
                "from_state": item.event.from_state,
                "to_state": item.event.to_state,
                "note": item.event.note,
                "actor": _staff(item.event.actor),
                "at": item.event.at,
            }
            for item in detail.timeline
        ],
        "evidence": [_evidence(item, base) for item in detail.evidence],
        "reversal_entry_id": detail.reversal.pk if detail.reversal is not None else None,
    }


def _answer(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    staff = request_staff(request)
    return _detail(request, selectors.appeal_detail_for_user(staff=staff, appeal_id=appeal.pk))


# --- endpoints ------------------------------------------------------------------------------


@router.get("/mine", response=list[AppealListItem], summary="我的申诉 / my appeals")
@paginate(KehuPagination)
def appeals_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return _rows(selectors.appeals_mine(staff=request_staff(request)))


@router.get("/queue", response=list[AppealListItem], summary="待我处理的申诉 / my queue")
@paginate(KehuPagination)
def appeals_queue(request: HttpRequest) -> list[dict[str, Any]]:
    return _rows(selectors.appeals_queue(staff=request_staff(request)))


@router.get(
    "/overdue",
    response=list[AppealListItem],
    summary="超期未处理的申诉 / overdue appeals (needs discipline.view_company_discipline)",
)
@paginate(KehuPagination)
def appeals_overdue(request: HttpRequest) -> list[dict[str, Any]]:
    staff = request_require_perm(request, services.HR_PERMISSION)
    now = timezone.now()
    return _rows(selectors.appeals_overdue(company=staff.company, now=now))


@router.post("/", response={201: AppealOut}, summary="提出申诉 / file an appeal (multipart)")
def appeal_create(
    request: HttpRequest,
    entry: Form[int],
    statement: Form[str],
    evidence_text: Form[str] = "",
    files: File[list[UploadedFile] | None] = None,
) -> Status[dict[str, Any]]:
    appeal = services.appeal_submit(
        appellant=request_staff(request),
        entry_id=entry,
        statement=statement,
        evidence_text=evidence_text,
        files=files or [],
    )
    return Status(201, _answer(request, appeal))


@router.get("/{appeal_id}", response=AppealOut, summary="申诉详情 / one appeal")
def appeal_detail(request: HttpRequest, appeal_id: int) -> dict[str, Any]:
    detail = selectors.appeal_detail_for_user(staff=request_staff(request), appeal_id=appeal_id)
    return _detail(request, detail)


@router.post(
    "/{appeal_id}/evidence", response=AppealOut, summary="补充事实依据 / add evidence (multipart)"
)
def appeal_evidence_add(
    request: HttpRequest,
    appeal_id: int,
    text: Form[str] = "",
    files: File[list[UploadedFile] | None] = None,
) -> dict[str, Any]:
    appeal = services.appeal_evidence_add(
        actor=request_staff(request), appeal_id=appeal_id, text=text, files=files or []
    )
    return _answer(request, appeal)


@router.post(
    "/{appeal_id}/findings",
    response=AppealOut,
    summary="人力资源调查意见 / HR findings (multipart)",
)
def appeal_findings_record(
    request: HttpRequest,
    appeal_id: int,
    findings: Form[str],
    files: File[list[UploadedFile] | None] = None,
) -> dict[str, Any]:
    appeal = services.appeal_findings_record(
        actor=request_staff(request), appeal_id=appeal_id, findings=findings, files=files or []
    )
    return _answer(request, appeal)


@router.post("/{appeal_id}/uphold", response=AppealOut, summary="申诉成立 / uphold")
def appeal_uphold(request: HttpRequest, appeal_id: int, payload: ReasonIn) -> dict[str, Any]:
    appeal = services.appeal_uphold(
        actor=request_staff(request), appeal_id=appeal_id, reason=payload.reason
    )
    return _answer(request, appeal)


@router.post("/{appeal_id}/reject", response=AppealOut, summary="申诉不成立 / reject")
def appeal_reject(request: HttpRequest, appeal_id: int, payload: ReasonIn) -> dict[str, Any]:
    appeal = services.appeal_reject(
        actor=request_staff(request), appeal_id=appeal_id, reason=payload.reason
    )
    return _answer(request, appeal)


@router.post("/{appeal_id}/escalate", response=AppealOut, summary="向上一级申诉 / escalate")
def appeal_escalate(request: HttpRequest, appeal_id: int, payload: ReasonIn) -> dict[str, Any]:
    appeal = services.appeal_escalate(
        actor=request_staff(request), appeal_id=appeal_id, reason=payload.reason
    )
    return _answer(request, appeal)


@router.post("/{appeal_id}/withdraw", response=AppealOut, summary="撤回申诉 / withdraw")
def appeal_withdraw(request: HttpRequest, appeal_id: int, payload: NoteIn) -> dict[str, Any]:
    appeal = services.appeal_withdraw(
        actor=request_staff(request), appeal_id=appeal_id, note=payload.note
    )
    return _answer(request, appeal)


@router.get(
    "/{appeal_id}/evidence/{evidence_id}/file",
    summary="下载证据附件 / download an evidence file",
    response={200: None},
)
def appeal_evidence_file(request: HttpRequest, appeal_id: int, evidence_id: int) -> FileResponse:
    evidence = selectors.appeal_evidence_for_user(
        staff=request_staff(request), appeal_id=appeal_id, evidence_id=evidence_id
    )
    return evidence_file_response(evidence)
