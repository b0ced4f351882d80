"""API of the sales office's 异常预警（频繁修改、归属频繁变更）, mounted at /api/v1/sales/alerts/.

``GET  /``                        alerts, newest first (``?open=true``: not yet acknowledged)
``POST /run``                     run the detector now
``GET  /{alert_id}``              one alert with its evidence rows and acknowledgements
``POST /{alert_id}/acknowledge``  acknowledge with a note (append-only)
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import alert_selectors as selectors
from kehu.sales import alert_services as services
from kehu.sales.models.channel import SalesAlert

router = Router(tags=["sales 异常预警（频繁修改、归属频繁变更）"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class AlertOut(Schema):
    id: int
    kind: str
    kind_zh: str
    subject_key: str
    subject_staff_id: int | None
    subject_customer_id: int | None
    count: int
    threshold: int
    window_start: dt.datetime
    window_end: dt.datetime
    rule_ids: list[str]
    summary_zh: str
    policy_ref: str
    detected_at: dt.datetime
    evidence: list[dict[str, Any]]


class EvidenceOut(Schema):
    ref: str
    table_zh: str
    at: str
    text: str


class AckOut(Schema):
    id: int
    alert_id: int
    note: str
    by_id: int
    at: dt.datetime


class AlertDetailOut(Schema):
    alert: AlertOut
    evidence: list[EvidenceOut]
    acknowledgements: list[AckOut]


class AckIn(Schema):
    note: str


def alert_out(a: SalesAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_zh": a.get_kind_display(),
        "subject_key": a.subject_key,
        "subject_staff_id": a.subject_staff_id,
        "subject_customer_id": a.subject_customer_id,
        "count": a.count,
        "threshold": a.threshold,
        "window_start": a.window_start,
        "window_end": a.window_end,
        "rule_ids": a.rule_ids,
        "summary_zh": a.summary_zh,
        "policy_ref": a.policy_ref,
        "detected_at": a.detected_at,
        "evidence": a.evidence,
    }


def ack_out(ack: Any) -> dict[str, Any]:
    return {
        "id": ack.pk,
        "alert_id": ack.alert_id,
        "note": ack.note,
        "by_id": ack.by_id,
        "at": ack.at,
    }


@router.get("/", response={200: list[AlertOut], **_ERRORS}, summary="异常预警 / alerts")
def alerts(request: HttpRequest, open: bool = False) -> Any:
    rows = selectors.alerts_for_user(request_staff(request), open_only=open)[:200]
    return [alert_out(a) for a in rows]


@router.post("/run", response={200: list[AlertOut], **_ERRORS}, summary="立即检测 / run now")
def run(request: HttpRequest) -> Any:
    staff = request_staff(request)
    return [alert_out(a) for a in services.alert_detect(company=staff.company, run_by=staff)]


@router.get("/{alert_id}", response={200: AlertDetailOut, **_ERRORS}, summary="预警详情")
def alert_detail(request: HttpRequest, alert_id: int) -> Any:
    detail = selectors.alert_get_for_user(request_staff(request), alert_id)
    return {
        "alert": alert_out(detail.alert),
        "evidence": [e.__dict__ for e in detail.evidence],
        "acknowledgements": [ack_out(a) for a in detail.acknowledgements],
    }


@router.post(
    "/{alert_id}/acknowledge", response={201: AckOut, **_ERRORS}, summary="处理预警 / acknowledge"
)
def acknowledge(request: HttpRequest, alert_id: int, payload: AckIn) -> Any:
    ack = services.alert_acknowledge(
        actor=request_staff(request), alert_id=alert_id, note=payload.note
    )
    return Status(201, ack_out(ack))
