"""Error codes of the complaints app (``complaints.*``), each in Chinese and English."""

from __future__ import annotations

from collections.abc import Iterable

from kehu.complaints import rules
from kehu.core.errors import KehuError


class ComplaintError(KehuError):
    """A complaints error."""


def complaint_not_found() -> ComplaintError:
    return ComplaintError(
        "complaints.not_found", "未找到该投诉。", "Complaint not found.", status=404
    )


def work_order_not_found() -> ComplaintError:
    return ComplaintError(
        "complaints.work_order_not_found", "未找到该工单。", "Work order not found.", status=404
    )


def not_allowed(what_zh: str, what_en: str) -> ComplaintError:
    return ComplaintError(
        "complaints.permission_denied",
        f"您无权{what_zh}。",
        f"You may not {what_en}.",
        status=403,
    )


def transition_refused(
    stage: rules.Stage, action: rules.Action, allowed: Iterable[rules.Action]
) -> ComplaintError:
    allowed = list(allowed)
    stage_zh, stage_en = rules.STAGE_LABELS[stage]
    action_zh, action_en = rules.ACTION_LABELS[action]
    allowed_zh = "、".join(rules.ACTION_LABELS[a][0] for a in allowed) or "无"
    allowed_en = ", ".join(rules.ACTION_LABELS[a][1] for a in allowed) or "none"
    return ComplaintError(
        "complaints.bad_transition",
        f"投诉处于“{stage_zh}”环节，不能“{action_zh}”；此时可以：{allowed_zh}。",
        f"The complaint is at “{stage_en}”; “{action_en}” is not possible. Possible: {allowed_en}.",
        status=409,
        details={"stage": stage.value, "allowed": [a.value for a in allowed]},
    )


def field_required(field_zh: str, field_en: str, field: str) -> ComplaintError:
    return ComplaintError(
        "complaints.field_required",
        f"请填写{field_zh}。",
        f"Please fill in {field_en}.",
        status=400,
        details={"field": field},
    )


def bad_agreed_date() -> ComplaintError:
    return ComplaintError(
        "complaints.bad_agreed_date",
        "约定的解决日期不能早于约定当天。请填写与客户约定的日期（今天或以后）。",
        "The agreed date cannot be before the day of the agreement. Enter the date agreed "
        "with the customer (today or later).",
        status=400,
        details={"field": "agreed_date"},
    )


def bad_reference(field: str, what_zh: str, what_en: str) -> ComplaintError:
    return ComplaintError(
        "complaints.bad_reference",
        f"所选{what_zh}不存在或不属于本公司。",
        f"The selected {what_en} does not exist or is not in your company.",
        status=400,
        details={"field": field},
    )


def already_called_back() -> ComplaintError:
    return ComplaintError(
        "complaints.callback_not_due",
        "该工单尚未完成或已回访，不能回访。",
        "This work order is not completed or has been called back already.",
        status=409,
    )


def bad_time() -> ComplaintError:
    return ComplaintError(
        "complaints.bad_time",
        "时间不能晚于现在，也不能早于本环节开始的时间。",
        "The time cannot be in the future or before the current stage began.",
        status=400,
        details={"field": "at"},
    )
