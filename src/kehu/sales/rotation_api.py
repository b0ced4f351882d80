"""API of the rotation (轮排), mounted at /api/v1/sales/rotation/.

``GET  /sites``                              the company's sales offices
``GET  /{site_id}/board[?on=]``              the day: roster with statuses, who is next and why,
                                             the make-up queue, recent events
``GET  /{site_id}/next[?kind=&named_staff_id=]`` who would receive now, and why (no side effects)
``POST /{site_id}/open``                     the PM opens today (order, who starts away)
``POST /{site_id}/assign``                   a visitor arrives: the receiver and the rule
``POST /{site_id}/reception-end``            a reception is over
``POST /{site_id}/status``                   away with a reason / busy with own customer / back
``POST /{site_id}/reorder``                  the PM reorders, with a reason (A2.2)
``POST /{site_id}/makeups``                  a make-up earned afterwards (A7.7, A7.9(3), A7.2(2))
``POST /{site_id}/makeups/{makeup_id}/void`` the PM voids a make-up, with a reason
``GET  /{site_id}/events[?on=]``             the day's history

Another company's site is "not found" (404). Every decision carries ``rule_ids`` and an
``explanation`` in the request's language (Accept-Language; Chinese by default), with
``explanation_zh`` — the Chinese as the rules wrote it and the evidence keeps it — and the
same sentence as a message, ``explanation_key`` and ``explanation_params`` (see
``kehu.sales.rules.messages``), for clients that render it themselves. Skips and make-ups carry
``text`` (request's language) and ``text_zh`` likewise.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, KehuPagination, request_staff
from kehu.sales import labels
from kehu.sales import rotation_rules as rules
from kehu.sales import rotation_selectors as selectors
from kehu.sales import rotation_services as services
from kehu.sales.models.rotation import RotationEvent

router = Router(tags=["sales 轮排 rotation"])

KindIn = Literal["new", "asked_for", "helping", "public", "group_buy", "company_referral"]
AwayReasonIn = Literal["assigned_work", "rest", "personal_leave", "sick_leave", "other"]
StatusReasonIn = Literal[
    "assigned_work",
    "rest",
    "personal_leave",
    "sick_leave",
    "other",
    "own_customer",
    "colleague_customer",
    "helping",
]


_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


# --- schemas -------------------------------------------------------------------------------


class SiteOut(Schema):
    id: int
    name: str
    address: str


class MemberOut(Schema):
    staff_id: int
    name: str
    status: str
    reason: str | None


class SkipOut(Schema):
    staff_id: int
    name: str
    status: str
    reason: str | None
    makeup_owed: bool
    rule_ids: list[str]
    text: str = Field(description="说明（按请求语言）/ in the request's language")
    text_zh: str = Field(description="中文说明 / the Chinese")


class NextOut(Schema):
    kind: str
    receiver: MemberOut | None = Field(description="接待人；为空表示暂无人可接待")
    via: str = Field(description="makeup 补接 | rotation 轮排 | named 点名/指派 | none 无人")
    consumed: bool = Field(description="是否占用接待名额 / whether the turn is consumed")
    makeup_id: int | None = Field(description="本次补接的名额 / the make-up served")
    on_behalf_of: MemberOut | None = Field(description="帮忙接待：事后归还给谁")
    skips: list[SkipOut]
    rule_ids: list[str]
    explanation: str = Field(description="解释（按请求语言）/ in the request's language")
    explanation_zh: str = Field(description="中文解释 / the explanation, in Chinese")
    explanation_key: str | None = Field(description="解释的消息键 / the message key")
    explanation_params: dict[str, Any] | None = Field(
        description="消息参数 / the message's parameters"
    )


class RowOut(Schema):
    position: int
    staff_id: int
    name: str
    status: str
    status_label: str
    reason: str
    reason_label: str
    since: dt.datetime
    is_next: bool
    makeups_owed: int
    visit_ref: str


class MakeupOut(Schema):
    id: int
    staff_id: int
    name: str
    cause: str
    text: str = Field(description="说明（按请求语言）/ in the request's language")
    text_zh: str = Field(description="中文说明 / the Chinese, as stored")
    rule_ids: list[str]
    earned_at: dt.datetime
    on_duty: bool
    free: bool


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    staff_id: int | None
    staff_name: str | None
    actor_id: int
    actor_name: str
    at: dt.datetime
    reception_kind: str
    status: str
    reason: str
    note: str
    rule_ids: list[str]
    explanation: str = Field(description="解释（按请求语言）/ in the request's language")
    explanation_zh: str = Field(description="中文解释（存档）/ the Chinese, as stored")
    explanation_key: str | None
    explanation_params: dict[str, Any] | None
    detail: dict[str, Any]
    visit_ref: str
    policy_ref: str

    @staticmethod
    def resolve_kind_label(obj: RotationEvent) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_explanation(obj: RotationEvent) -> str:
        return labels.event_explanation(obj.detail, obj.explanation)

    @staticmethod
    def resolve_explanation_zh(obj: RotationEvent) -> str:
        return obj.explanation

    @staticmethod
    def resolve_explanation_key(obj: RotationEvent) -> str | None:
        return labels.event_message(obj.detail)[0]

    @staticmethod
    def resolve_explanation_params(obj: RotationEvent) -> dict[str, Any] | None:
        return labels.event_message(obj.detail)[1]

    @staticmethod
    def resolve_staff_name(obj: RotationEvent) -> str | None:
        return obj.staff.name if obj.staff is not None else None

    @staticmethod
    def resolve_actor_name(obj: RotationEvent) -> str:
        return obj.actor.name


class BoardOut(Schema):
    site: SiteOut
    on: dt.date
    is_open: bool
    skip_makeup: str = Field(description="none 跳过不接（A2.1）| owed 跳过补接（A5.1）")
    policy_ref: str
    counts: dict[str, int]
    rows: list[RowOut]
    next: NextOut
    makeups: list[MakeupOut]
    recent: list[EventOut]
    changed_at: dt.datetime | None


class OnParams(Schema):
    on: dt.date | None = Field(None, description="日期；不填为今天 / default: today")


class NextParams(Schema):
    kind: KindIn = "new"
    named_staff_id: int | None = Field(None, description="点名/指派/帮忙归还的售楼员")


class OpenIn(Schema):
    order: list[int] | None = Field(None, description="售楼员 id，按轮排顺序；不填按默认顺序")
    away: dict[int, AwayReasonIn] = Field(
        default_factory=dict, description="开班即不在岗的售楼员及原因"
    )


class AssignIn(Schema):
    kind: KindIn = "new"
    named_staff_id: int | None = None
    visit_ref: str = Field("", max_length=64, description="接待记录编号（来访流程）")


class AssignOut(Schema):
    receiver_id: int
    receiver_name: str
    next: NextOut
    event_id: int
    makeups_earned: list[int]


class ReceptionEndIn(Schema):
    staff_id: int
    visit_ref: str = Field("", max_length=64)


class StatusIn(Schema):
    staff_id: int
    status: Literal["free", "busy", "away"]
    reason: StatusReasonIn | None = None
    note: str = Field("", max_length=500)


class ReorderIn(Schema):
    order: list[int]
    reason: str = Field(min_length=1, description="调整理由（A2.2）")


class MakeupGrantIn(Schema):
    staff_id: int
    cause: Literal[
        "found_public",
        "came_for_colleague",
        "colleague_customer",
        "own_customer",
        "helping",
        "assigned_work",
    ] = Field(description="A7.7 | A7.9(3) | A7.2(2) | A7.2(1) | A7.2(3) | A7.2(4)")
    visit_ref: str = Field("", max_length=64)
    note: str = Field("", max_length=500)


class VoidIn(Schema):
    reason: str = Field(min_length=1)


# --- shaping -------------------------------------------------------------------------------


def _member(member: rules.Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {
        "staff_id": member.staff_id,
        "name": member.name,
        "status": member.status.value,
        "reason": member.reason.value if member.reason else None,
    }


def next_out(answer: rules.NextAnswer) -> dict[str, Any]:
    message = answer.explanation.as_json() if answer.explanation is not None else None
    return {
        "kind": answer.kind.value,
        "receiver": _member(answer.receiver),
        "via": answer.via,
        "consumed": answer.consumed,
        "makeup_id": answer.makeup.id if answer.makeup else None,
        "on_behalf_of": _member(answer.on_behalf_of),
        "skips": [
            {
                "staff_id": s.staff_id,
                "name": s.name,
                "status": s.status.value,
                "reason": s.reason.value if s.reason else None,
                "makeup_owed": s.makeup_owed,
                "rule_ids": list(s.rule_ids),
                "text": labels.skip_text(s),
                "text_zh": s.text_zh,
            }
            for s in answer.skips
        ],
        "rule_ids": list(answer.rule_ids),
        "explanation": labels.answer_explanation(answer),
        "explanation_zh": answer.explanation_zh,
        "explanation_key": message["key"] if message else None,
        "explanation_params": message["params"] if message else None,
    }


def board_out(board: selectors.Board) -> dict[str, Any]:
    return {
        "site": {"id": board.site.pk, "name": board.site.name, "address": board.site.address},
        "on": board.on,
        "is_open": board.is_open,
        "skip_makeup": board.policy.skip_makeup.value,
        "policy_ref": board.policy_ref,
        "counts": board.counts,
        "rows": [vars(row) for row in board.rows],
        "next": next_out(board.next_answer),
        "makeups": [{**vars(m), "rule_ids": list(m.rule_ids)} for m in board.makeups],
        "recent": board.recent,
        "changed_at": board.changed_at,
    }


def _site(request: HttpRequest, site_id: int) -> Any:
    return selectors.rotation_site_get(staff=request_staff(request), site_id=site_id)


# --- endpoints -----------------------------------------------------------------------------


@router.get("/sites", response={200: list[SiteOut], **_ERRORS}, summary="售楼处 / sales offices")
def sites_list(request: HttpRequest) -> Any:
    return selectors.rotation_sites_for(request_staff(request))


@router.get(
    "/{site_id}/board",
    response={200: BoardOut, **_ERRORS},
    summary="轮排看板 / the day's rotation board",
)
def board_get(request: HttpRequest, site_id: int, params: Query[OnParams]) -> Any:
    return board_out(selectors.rotation_board(site=_site(request, site_id), on=params.on))


@router.get(
    "/{site_id}/next",
    response={200: NextOut, **_ERRORS},
    summary="下一位接待人及依据（不改变状态）/ who is next and why (no side effects)",
)
def next_get(request: HttpRequest, site_id: int, params: Query[NextParams]) -> Any:
    answer = selectors.rotation_next(
        site=_site(request, site_id),
        kind=rules.ReceptionKind(params.kind),
        named_staff_id=params.named_staff_id,
    )
    return next_out(answer)


@router.post(
    "/{site_id}/open",
    response={201: BoardOut, **_ERRORS},
    summary="开启今日轮排 / open today's rotation",
)
def day_open(request: HttpRequest, site_id: int, payload: OpenIn) -> Any:
    site = _site(request, site_id)
    day = services.rotation_day_open(
        actor=request_staff(request),
        site=site,
        order=payload.order,
        away={k: rules.Reason(v) for k, v in payload.away.items()},
    )
    return Status(201, board_out(selectors.rotation_board(site=site, on=day.on)))


@router.post(
    "/{site_id}/assign",
    response={201: AssignOut, **_ERRORS},
    summary="来访：安排接待人 / a visitor arrives: name the receiver",
)
def assign(request: HttpRequest, site_id: int, payload: AssignIn) -> Any:
    result = services.rotation_assign(
        actor=request_staff(request),
        site=_site(request, site_id),
        kind=rules.ReceptionKind(payload.kind),
        named_staff_id=payload.named_staff_id,
        visit_ref=payload.visit_ref,
    )
    return Status(
        201,
        {
            "receiver_id": result.receiver.pk,
            "receiver_name": result.receiver.name,
            "next": next_out(result.answer),
            "event_id": result.event.pk,
            "makeups_earned": [m.pk for m in result.makeups_earned],
        },
    )


@router.post(
    "/{site_id}/reception-end",
    response={201: EventOut, **_ERRORS},
    summary="接待结束 / a reception is over",
)
def reception_end(request: HttpRequest, site_id: int, payload: ReceptionEndIn) -> Any:
    event = services.rotation_reception_end(
        actor=request_staff(request),
        site=_site(request, site_id),
        staff_id=payload.staff_id,
        visit_ref=payload.visit_ref,
    )
    return Status(201, event)


@router.post(
    "/{site_id}/status",
    response={201: EventOut, **_ERRORS},
    summary="设置在岗状态 / away with a reason, busy, or back",
)
def status_set(request: HttpRequest, site_id: int, payload: StatusIn) -> Any:
    event = services.rotation_status_set(
        actor=request_staff(request),
        site=_site(request, site_id),
        staff_id=payload.staff_id,
        status=rules.Status(payload.status),
        reason=rules.Reason(payload.reason) if payload.reason else None,
        note=payload.note,
    )
    return Status(201, event)


@router.post(
    "/{site_id}/reorder",
    response={201: EventOut, **_ERRORS},
    summary="调整轮排顺序（A2.2）/ the PM reorders, with a reason",
)
def reorder(request: HttpRequest, site_id: int, payload: ReorderIn) -> Any:
    event = services.rotation_reorder(
        pm=request_staff(request),
        site=_site(request, site_id),
        new_order=payload.order,
        reason=payload.reason,
    )
    return Status(201, event)


@router.post(
    "/{site_id}/makeups",
    response={201: EventOut, **_ERRORS},
    summary="事后补接名额 / a make-up earned after the fact",
)
def makeup_grant(request: HttpRequest, site_id: int, payload: MakeupGrantIn) -> Any:
    event = services.rotation_makeup_grant(
        actor=request_staff(request),
        site=_site(request, site_id),
        staff_id=payload.staff_id,
        cause=rules.AfterCause(payload.cause),
        visit_ref=payload.visit_ref,
        note=payload.note,
    )
    return Status(201, event)


@router.post(
    "/{site_id}/makeups/{makeup_id}/void",
    response={201: EventOut, **_ERRORS},
    summary="作废补接名额 / void a make-up",
)
def makeup_void(request: HttpRequest, site_id: int, makeup_id: int, payload: VoidIn) -> Any:
    event = services.rotation_makeup_void(
        pm=request_staff(request),
        site=_site(request, site_id),
        makeup_id=makeup_id,
        reason=payload.reason,
    )
    return Status(201, event)


@router.get(
    "/{site_id}/events",
    response={200: list[EventOut], **_ERRORS},
    summary="当日轮排记录 / the day's history",
)
@paginate(KehuPagination)
def events_list(request: HttpRequest, site_id: int, params: Query[OnParams]) -> Any:
    return selectors.rotation_events(
        site=_site(request, site_id), on=params.on or selectors.local_today()
    )
