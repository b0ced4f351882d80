"""API endpoints for ledger (mounted at /api/v1/ledger/ by kehu/api.py).

``GET /verify``  verify the caller's company's streams (needs ``ledger.verify_ledger``).
``GET /heads``   each stream's latest seq and hash, to keep outside the database (same permission).

A caller without the permission gets 403 and the refusal is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kehu.core.errors import KehuError
from kehu.core.ledger import rules, selectors
from kehu.core.ledger.errors import LedgerNotStaff
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user
from kehu.core.web.api_support import ErrorOut

router = Router(tags=["ledger"])

ERROR_CODES = frozenset({401, 403})


class FindingOut(Schema):
    problem: str
    problem_zh: str
    seq: int
    entry_id: int | None
    detail_zh: str
    detail_en: str


class StreamCheckOut(Schema):
    company: str
    stream: str
    label_zh: str
    label_en: str
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    finding: FindingOut | None


class VerifyOut(Schema):
    ok: bool
    checked_at: dt.datetime
    streams: list[StreamCheckOut]
    unguarded_tables: list[str]
    rule_ids: list[str]


class HeadOut(Schema):
    company: str
    stream: str
    label_zh: str
    label_en: str
    seq: int
    hash: str
    recorded_at: dt.datetime | None


class _Unauthenticated(KehuError):
    status = 401

    def __init__(self) -> None:
        super().__init__("auth.required", "请先登录。", "Log in first (session or bearer token).")


def _caller(request: HttpRequest) -> Staff:
    """``request.auth`` once the API root authenticates, else the session's staff record."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Staff):
        return auth
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise _Unauthenticated()
    staff = staff_for_user(user)
    if staff is None:
        raise LedgerNotStaff()
    return staff


def _error(error: KehuError) -> Status[dict[str, Any]]:
    return Status(error.status, {"error": error.as_dict()})


def _finding_out(finding: rules.Finding | None) -> dict[str, Any] | None:
    if finding is None:
        return None
    return {
        "problem": finding.problem.value,
        "problem_zh": finding.label_zh,
        "seq": finding.seq,
        "entry_id": finding.entry_id,
        "detail_zh": finding.detail_zh,
        "detail_en": finding.detail_en,
    }


def _report_out(report: selectors.LedgerReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "checked_at": report.checked_at,
        "streams": [
            {
                "company": check.company_code,
                "stream": check.stream,
                "label_zh": check.label_zh,
                "label_en": check.label_en,
                "ok": check.ok,
                "count": check.result.count,
                "head_seq": check.result.head.seq,
                "head_hash": check.result.head.hash,
                "finding": _finding_out(check.finding),
            }
            for check in report.streams
        ],
        "unguarded_tables": report.unguarded_tables,
        "rule_ids": list(report.rule_ids),
    }


@router.get("/verify", response={200: VerifyOut, ERROR_CODES: ErrorOut}, summary="校验本公司账本")
def verify(request: HttpRequest) -> Any:
    """Re-derive every hash chain of the caller's company and name the first bad entry."""
    try:
        report = selectors.ledger_verify_for_staff(staff=_caller(request), request=request)
    except KehuError as error:
        return _error(error)
    return Status(200, _report_out(report))


@router.get("/heads", response={200: list[HeadOut], ERROR_CODES: ErrorOut}, summary="账本最新哈希")
def heads(request: HttpRequest) -> Any:
    """Each stream's latest seq and hash: keep them outside the database to check later."""
    try:
        heads = selectors.ledger_heads_for_staff(staff=_caller(request), request=request)
    except KehuError as error:
        return _error(error)
    return Status(200, [_head_out(h) for h in heads])


def _head_out(head: selectors.StreamHead) -> dict[str, Any]:
    return {
        "company": head.company_code,
        "stream": head.stream,
        "label_zh": head.label_zh,
        "label_en": head.label_en,
        "seq": head.seq,
        "hash": head.hash,
        "recorded_at": head.recorded_at,
    }
