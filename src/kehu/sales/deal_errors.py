"""Error codes of deals, the commission ledger, A7.19 requests and conduct records.

Every error carries a Chinese and an English message (``KehuError``); codes are stable.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from kehu.core.errors import KehuError


class DealErrorCode(StrEnum):
    NOT_FOUND = "deal.not_found"
    PERMISSION_DENIED = "deal.permission_denied"
    BAD_INPUT = "deal.bad_input"
    NO_VISIT = "deal.no_visit"
    UNIT_TAKEN = "deal.unit_taken"
    STEP_DONE = "deal.step_already_recorded"
    SUBSCRIBER_REQUIRED = "deal.subscriber_required"
    SUBSCRIBER_FIXED = "deal.subscriber_fixed"
    CLOSED = "deal.closed"
    DISCOUNT_NOT_APPROVED = "deal.discount_not_approved"
    DISCOUNT_USED = "deal.discount_used"
    COMMISSION_NO_DEAL = "commission.no_deal"
    COMMISSION_STALE = "commission.stale_decision"
    REQUEST_NOT_FOUND = "sales_request.not_found"
    REQUEST_DECIDED = "sales_request.already_decided"
    REASON_REQUIRED = "sales_request.reason_required"
    CONDUCT_NOT_FOUND = "conduct.not_found"
    CONDUCT_FORWARDED = "conduct.already_forwarded"


class DealError(KehuError):
    """An error of the deal area; the status comes with each constructor below."""


def deal_not_found() -> DealError:
    return DealError(DealErrorCode.NOT_FOUND, "未找到该成交。", "Deal not found.", status=404)


def customer_not_found() -> DealError:
    return DealError(DealErrorCode.NOT_FOUND, "未找到该客户。", "Customer not found.", status=404)


def visit_not_found() -> DealError:
    return DealError(DealErrorCode.NOT_FOUND, "未找到该来访。", "Visit not found.", status=404)


def denied(what_zh: str, what_en: str) -> DealError:
    return DealError(
        DealErrorCode.PERMISSION_DENIED,
        f"您的岗位无权{what_zh}。",
        f"Your post may not {what_en}.",
        status=403,
    )


def bad_input(message_zh: str, message_en: str, details: Any = None) -> DealError:
    return DealError(DealErrorCode.BAD_INPUT, message_zh, message_en, status=422, details=details)


def reason_required() -> DealError:
    return DealError(DealErrorCode.REASON_REQUIRED, "请写明理由。", "Give the reason.", status=422)
