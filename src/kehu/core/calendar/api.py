"""API endpoints for calendar (mounted at /api/v1/calendar/ by kehu/api.py).

``GET  /due?start=…&amount=…&unit=…``  the due time for the caller's company, with the reasons.
``GET  /overrides[?year=2027]``         the caller's company's overrides.
``POST /overrides``                     set one (needs ``calendar.add_calendaroverride``).
``DELETE /overrides/{id}``              remove one (same permission).
``POST /overrides/bulk``                set many from pasted lines, all or nothing
                                        (``dry_run`` previews; same permission).
``GET  /years``                         official coverage and the company's years: overrides
                                        per year and declarations.
``POST /years``                         declare a year's arrangement entered (same permission).
``DELETE /years/{year}``                withdraw that declaration (same permission).

``start`` without an offset is Asia/Shanghai wall time (URL-encode a ``+08:00`` offset as
``%2B08:00``). Errors are raised as ``KehuError`` (codes in ``errors.py``); the API root turns
them into ``{"error": {"code", "message", "details"}}`` and audits every 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import PlainSerializer, WithJsonSchema

from kehu.core.calendar import rules, selectors, services
from kehu.core.calendar.models import CalendarOverride, CalendarYearDeclaration
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.web.api_support import ErrorOut

router = Router(tags=["calendar"])

ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422})


# Deadlines end at 23:59:59.999999 local time; the default JSON encoder would cut that to
# milliseconds, so these datetimes are written in full ISO 8601 with their +08:00 offset.
FullDateTime = Annotated[
    dt.datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class DayOut(Schema):
    date: dt.date
    is_working_day: bool
    kind: str
    label_zh: str
    label_en: str
    name_zh: str
    name_en: str


class DueOut(Schema):
    start: FullDateTime
    amount: int
    unit: str
    due_at: FullDateTime
    due_at_display: str
    explanation_zh: str
    explanation_en: str
    counted: list[DayOut]
    skipped: list[DayOut]
    rule_ids: list[str]


class OverrideIn(Schema):
    date: dt.date
    is_working_day: bool
    reason: str


class OverrideOut(Schema):
    id: int
    date: dt.date
    is_working_day: bool
    reason: str
    created_by: str
    created_at: dt.datetime
    updated_by: str | None
    updated_at: dt.datetime | None


class BulkIn(Schema):
    text: str
    dry_run: bool = False


class BulkLineOut(Schema):
    line: int
    date: dt.date
    is_working_day: bool
    reason: str
    action: str
    action_zh: str
    before_is_working_day: bool | None
    before_reason: str


class BulkRejectedOut(Schema):
    line: int
    text: str
    problem: str
    message_zh: str
    message_en: str


class BulkYearOut(Schema):
    year: int
    lines: int
    official: bool
    declared: bool


class BulkOut(Schema):
    dry_run: bool
    ok: bool
    created: int
    replaced: int
    unchanged: int
    lines: list[BulkLineOut]
    rejected: list[BulkRejectedOut]
    years: list[BulkYearOut]


class DeclarationIn(Schema):
    year: int
    note: str


class DeclarationOut(Schema):
    year: int
    note: str
    declared_by: str
    declared_at: dt.datetime


class YearOut(Schema):
    year: int
    official: bool
    overrides: int
    days_off: int
    working_days: int
    declared: bool
    declaration: DeclarationOut | None


class YearsOut(Schema):
    official_source: str
    official_first: int | None
    official_last: int | None
    years: list[YearOut]


def _caller(request: HttpRequest) -> Staff:
    """The calling staff member: the API root authenticates (bearer token or session) and puts
    the Staff in ``request.auth``."""
    staff = getattr(request, "auth", None)
    if not isinstance(staff, Staff):
        raise KehuError(
            "auth.required",
            "请先登录，或提供有效的 API 令牌。",
            "Log in first, or send a valid API token.",
            status=401,
        )
    return staff


def _day_out(status: rules.DayStatus) -> dict[str, Any]:
    return {
        "date": status.day,
        "is_working_day": status.is_working_day,
        "kind": status.kind.value,
        "label_zh": status.label_zh,
        "label_en": status.label_en,
        "name_zh": status.name_zh,
        "name_en": status.name_en,
    }


def _due_out(decision: rules.DueDecision) -> dict[str, Any]:
    return {
        "start": decision.start,
        "amount": decision.amount,
        "unit": decision.unit.value,
        "due_at": decision.due_at,
        "due_at_display": decision.due_at_display,
        "explanation_zh": decision.explanation_zh,
        "explanation_en": decision.explanation_en,
        "counted": [_day_out(d) for d in decision.counted],
        "skipped": [_day_out(d) for d in decision.skipped],
        "rule_ids": list(decision.rule_ids),
    }


def _override_out(override: CalendarOverride) -> dict[str, Any]:
    return {
        "id": override.pk,
        "date": override.date,
        "is_working_day": override.is_working_day,
        "reason": override.reason,
        "created_by": override.created_by.get_username(),
        "created_at": override.created_at,
        "updated_by": override.updated_by.get_username() if override.updated_by else None,
        "updated_at": override.updated_at,
    }


@router.get("/due", response={200: DueOut, ERROR_CODES: ErrorOut}, summary="计算截止时间")
def due(request: HttpRequest, start: str, unit: str, amount: int = 1) -> Any:
    """The due time of something started at ``start`` for the caller's company (company
    calendar overrides first, then the official China calendar)."""
    decision = selectors.due_at_for_company(
        company=_caller(request).company, start=start, amount=amount, unit=unit
    )
    return Status(200, _due_out(decision))


@router.get(
    "/overrides", response={200: list[OverrideOut], ERROR_CODES: ErrorOut}, summary="公司日历例外"
)
def overrides_list(request: HttpRequest, year: int | None = None) -> Any:
    overrides = selectors.calendar_overrides_for_staff(staff=_caller(request), year=year)
    return Status(200, [_override_out(o) for o in overrides])


@router.post(
    "/overrides", response={201: OverrideOut, ERROR_CODES: ErrorOut}, summary="设置公司日历例外"
)
def overrides_set(request: HttpRequest, payload: OverrideIn) -> Any:
    staff = _caller(request)
    override = services.calendar_override_set(
        company=staff.company,
        date=payload.date,
        is_working_day=payload.is_working_day,
        reason=payload.reason,
        actor=staff.user,
        request=request,
    )
    return Status(201, _override_out(override))


@router.delete(
    "/overrides/{int:override_id}",
    response={204: None, ERROR_CODES: ErrorOut},
    summary="删除公司日历例外",
)
def overrides_delete(request: HttpRequest, override_id: int) -> Any:
    staff = _caller(request)
    services.calendar_override_delete(
        company=staff.company, override_id=override_id, actor=staff.user, request=request
    )
    return Status(204, None)


def _declaration_out(declaration: CalendarYearDeclaration) -> dict[str, Any]:
    return {
        "year": declaration.year,
        "note": declaration.note,
        "declared_by": declaration.declared_by.get_username(),
        "declared_at": declaration.declared_at,
    }


def _bulk_out(preview: selectors.ImportPreview, *, dry_run: bool) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "ok": preview.ok,
        "created": preview.count("create"),
        "replaced": preview.count("replace"),
        "unchanged": preview.count("unchanged"),
        "lines": [
            {
                "line": row.line.line_no,
                "date": row.line.day,
                "is_working_day": row.line.is_working_day,
                "reason": row.line.reason,
                "action": row.action,
                "action_zh": row.action_zh,
                "before_is_working_day": row.before_working,
                "before_reason": row.before_reason,
            }
            for row in preview.rows
        ],
        "rejected": [
            {
                "line": r.line_no,
                "text": r.text,
                "problem": r.problem.value,
                "message_zh": r.message_zh,
                "message_en": r.message_en,
            }
            for r in preview.rejected
        ],
        "years": [
            {"year": y.year, "lines": y.lines, "official": y.official, "declared": y.declared}
            for y in preview.years
        ],
    }


@router.post(
    "/overrides/bulk",
    response={200: BulkOut, 201: BulkOut, ERROR_CODES: ErrorOut},
    summary="批量设置公司日历例外",
)
def overrides_bulk(request: HttpRequest, payload: BulkIn) -> Any:
    """One override per line: ``2027-01-01 休 元旦`` (day off) or ``2027-02-06 班 春节调休``
    (working day). All or nothing: with any rejected line nothing is saved (400
    ``calendar.import_rejected``, every rejected line in ``details.rejected``). ``dry_run``
    returns the preview (200) and saves nothing; otherwise 201."""
    staff = _caller(request)
    preview = services.calendar_overrides_import(
        company=staff.company,
        text=payload.text,
        dry_run=payload.dry_run,
        actor=staff.user,
        request=request,
    )
    return Status(200 if payload.dry_run else 201, _bulk_out(preview, dry_run=payload.dry_run))


@router.get("/years", response={200: YearsOut, ERROR_CODES: ErrorOut}, summary="年份与年度声明")
def years_list(request: HttpRequest) -> Any:
    """The years the official data covers, and the caller's company's years (with overrides or
    a declaration): overrides per year and whether the year is declared."""
    coverage = selectors.calendar_coverage_for_staff(staff=_caller(request))
    official_years = coverage.official_years
    return Status(
        200,
        {
            "official_source": coverage.source,
            "official_first": official_years[0] if official_years else None,
            "official_last": official_years[-1] if official_years else None,
            "years": [
                {
                    "year": y.year,
                    "official": y.official,
                    "overrides": y.overrides,
                    "days_off": y.days_off,
                    "working_days": y.working_days,
                    "declared": y.declared,
                    "declaration": _declaration_out(y.declaration) if y.declaration else None,
                }
                for y in coverage.years
            ],
        },
    )


@router.post(
    "/years", response={201: DeclarationOut, ERROR_CODES: ErrorOut}, summary="声明年度安排已录入"
)
def years_declare(request: HttpRequest, payload: DeclarationIn) -> Any:
    """Declare that the company has entered ``year``'s official holidays and adjusted working
    days as overrides; other dates of that year then follow the ordinary week. Refused (422)
    for a year the official data covers or with no override in it; 409 if already declared."""
    staff = _caller(request)
    declaration = services.calendar_year_declare(
        company=staff.company,
        year=payload.year,
        note=payload.note,
        actor=staff.user,
        request=request,
    )
    return Status(201, _declaration_out(declaration))


@router.delete(
    "/years/{int:year}", response={204: None, ERROR_CODES: ErrorOut}, summary="撤回年度声明"
)
def years_withdraw(request: HttpRequest, year: int) -> Any:
    staff = _caller(request)
    services.calendar_year_withdraw(
        company=staff.company, year=year, actor=staff.user, request=request
    )
    return Status(204, None)
