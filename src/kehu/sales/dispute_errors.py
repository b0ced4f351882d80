"""Errors of the dispute queue and rulings (A7.20): codes ``dispute.*``, Chinese and English."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kehu.core.errors import KehuError


class DisputeError(KehuError):
    """A dispute or ruling that cannot be done (codes ``dispute.*``)."""


def local_minute(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def decision_not_found() -> DisputeError:
    return DisputeError(
        "dispute.not_found", "未找到该归属决定。", "Ownership decision not found.", status=404
    )


def may_not_rule() -> DisputeError:
    return DisputeError(
        "dispute.may_not_rule",
        "只有销售经理可以裁决归属争议（A7.20）。",
        "Only the sales manager rules on ownership disputes (A7.20).",
        status=403,
    )


def ruling_final(*, ruled_by: str, ruled_at: dt.datetime) -> DisputeError:
    when = local_minute(ruled_at)
    return DisputeError(
        "dispute.ruling_final",
        f"该决定已由{ruled_by}于{when}裁决，裁决为最终决定，不能再次裁决（A7.20）。",
        f"{ruled_by} already ruled on this decision at {when}; a ruling is final (A7.20).",
        status=409,
        details={"ruled_by": ruled_by, "ruled_at": ruled_at.isoformat()},
    )


def superseded(*, latest_id: int | None) -> DisputeError:
    return DisputeError(
        "dispute.superseded",
        "该决定已被更新的归属决定取代，请针对最新的决定操作。",
        "A newer ownership decision has replaced this one; act on the latest decision.",
        status=409,
        details={"latest_decision_id": latest_id},
    )


def nothing_to_rule() -> DisputeError:
    return DisputeError(
        "dispute.nothing_to_rule",
        "该决定已按规则作出，且无人提出异议，无需销售经理裁决（A7.20）。",
        "The rules settled this decision and nobody disputes it: there is nothing to rule on "
        "(A7.20).",
        status=409,
    )


def reason_required() -> DisputeError:
    return DisputeError(
        "dispute.reason_required",
        "请填写理由：裁决和异议都必须说明理由（A7.20）。",
        "Give a reason: a ruling and a dispute both state their reason (A7.20).",
        status=422,
    )


def kind_invalid() -> DisputeError:
    return DisputeError(
        "dispute.kind_invalid",
        "裁决类型无效：请选择“确认为同一客户”“确认不是同一客户”或“裁定归属”。",
        "Unknown ruling kind: choose same_customer, different_customer or award.",
        status=422,
    )


def no_name_match() -> DisputeError:
    return DisputeError(
        "dispute.no_name_match",
        "该决定没有待确认的同名匹配，不能裁定是否同一客户；请选择“裁定归属”（A7.20）。",
        "This decision has no full-name-only match to confirm; award the customer instead (A7.20).",
        status=422,
    )


def claim_unknown(claim_id: str) -> DisputeError:
    return DisputeError(
        "dispute.claim_unknown",
        f"待确认的记录中没有“{claim_id}”。",
        f"“{claim_id}” is not one of the matches awaiting confirmation.",
        status=422,
        details={"claim_id": claim_id},
    )


def owner_required() -> DisputeError:
    return DisputeError(
        "dispute.owner_required",
        "裁定归属须指定归属：一名售楼员或销售部（A7.20）。",
        "An award names the owner: a salesperson or the sales department (A7.20).",
        status=422,
    )


def owner_invalid() -> DisputeError:
    return DisputeError(
        "dispute.owner_invalid",
        "指定的归属无效：须为本公司在职的售楼员，或销售部。",
        "The owner must be an active salesperson of this company, or the sales department.",
        status=422,
    )


def shares_invalid(message_zh: str, message_en: str) -> DisputeError:
    return DisputeError("dispute.shares_invalid", message_zh, message_en, status=422)


def not_for_award() -> DisputeError:
    return DisputeError(
        "dispute.not_for_award",
        "只有“裁定归属”可以指定归属和分成。",
        "Only an award names an owner and shares.",
        status=422,
    )


def ruled_decision_final() -> DisputeError:
    return DisputeError(
        "dispute.ruled_decision_final",
        "该决定依据销售经理的裁决作出，裁决为最终决定，不能再提出异议（A7.20）。",
        "This decision follows the sales manager's ruling, which is final: it cannot be "
        "disputed (A7.20).",
        status=409,
    )


def already_raised(*, raised_at: dt.datetime) -> DisputeError:
    when = local_minute(raised_at)
    return DisputeError(
        "dispute.already_raised",
        f"您已于{when}对该决定提出异议，正在等待销售经理裁决（A7.20）。",
        f"You disputed this decision at {when}; it is waiting for the sales manager (A7.20).",
        status=409,
    )


def redecide_unavailable() -> DisputeError:
    return DisputeError(
        "dispute.redecide_unavailable",
        "系统暂不能按裁决重新作出归属决定（接待模块尚未提供），本次裁决未保存。",
        "The reception module cannot yet re-decide a visit, so the ruling was not saved.",
        status=503,
    )
