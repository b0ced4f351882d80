"""Write use-cases of the rewards-and-penalties ledger.

``discipline_entry_post`` is the one door through which every app (sales, complaints, gas,
fleet) and every manager puts a fact on an employee's ledger: one transaction writes the entry
and its hash-chained ledger row (stream ``discipline``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Staff
from kehu.core.policy.selectors import policy_for
from kehu.discipline.errors import DisciplineError, DisciplineErrorCode
from kehu.discipline.models import DisciplineEntry
from kehu.discipline.rules import FAILURE_LABELS, Kind

LEDGER_STREAM = "discipline"
_MONEY_KINDS = {Kind.FINE, Kind.BONUS, Kind.SPECIAL_AWARD}
_REF_KINDS = {Kind.OFFSET: 2, Kind.REVERSAL: 1}


def _bad(message_zh: str, message_en: str) -> DisciplineError:
    return DisciplineError(DisciplineErrorCode.BAD_ENTRY, message_zh, message_en, status=422)


def _check_shape(
    *,
    kind: Kind,
    amount: Decimal | None,
    points: int | None,
    failure_type: int | None,
    refs: Sequence[int],
) -> None:
    if kind in _MONEY_KINDS and (amount is None or amount <= 0):
        raise _bad(
            "罚款、奖金和专项奖励须填写大于 0 的金额（元）。",
            "Fines, bonuses and special awards need an amount above 0 yuan.",
        )
    if kind not in _MONEY_KINDS and amount is not None:
        raise _bad("只有罚款、奖金和专项奖励带金额。", "Only money entries carry an amount.")
    if kind == Kind.POINTS and not points:
        raise _bad("绩效加减分须填写非零分值。", "Performance points must be non-zero.")
    if kind == Kind.SUPERVISION_FAILURE and failure_type not in FAILURE_LABELS:
        raise _bad(
            "监督考核不合格须注明类型 1–6（A4 四.六）。",
            "A supervision failure needs its type 1–6 (A4 四.六).",
        )
    expected_refs = _REF_KINDS.get(kind, 0)
    if len(refs) != expected_refs:
        raise _bad(
            f"该类型须引用 {expected_refs} 条原记录。",
            f"This kind of entry must reference {expected_refs} earlier entries.",
        )


@transaction.atomic
def discipline_entry_post(
    *,
    employee: Staff,
    on: dt.date,
    kind: Kind | str,
    reason: str,
    rule_ids: Sequence[str],
    recorded_by: Staff | None,
    amount: Decimal | None = None,
    points: int | None = None,
    failure_type: int | None = None,
    refs: Sequence[int] = (),
    source_type: str = "",
    source_id: str | int = "",
) -> DisciplineEntry:
    """Put one fact on ``employee``'s ledger, with the rule IDs and source that caused it.

    Callers check who may record (managers through ``discipline_entry_record``; other apps post
    the consequences their own rules decided). ``refs`` are ids of this employee's entries.
    """
    kind = Kind(kind)
    if not reason.strip():
        raise DisciplineError(
            DisciplineErrorCode.REASON_REQUIRED,
            "请写明事由。",
            "Give the reason.",
            status=422,
        )
    if recorded_by is not None and recorded_by.company_id != employee.company_id:
        raise DisciplineError(
            DisciplineErrorCode.OTHER_COMPANY,
            "不能为其他公司的员工记录奖惩。",
            "You cannot record for another company's employee.",
            status=403,
        )
    _check_shape(kind=kind, amount=amount, points=points, failure_type=failure_type, refs=refs)
    if refs:
        found = DisciplineEntry.objects.filter(
            company_id=employee.company_id, employee=employee, pk__in=list(refs)
        ).count()
        if found != len(set(refs)):
            raise _bad(
                "引用的原记录不存在或不属于该员工。",
                "A referenced entry does not exist or belongs to someone else.",
            )
    policy = policy_for(company=employee.company, key="discipline", at=_local_noon(on))
    entry = DisciplineEntry.objects.create(
        company_id=employee.company_id,
        employee=employee,
        on=on,
        kind=kind.value,
        amount=amount.quantize(Decimal("0.01")) if amount is not None else None,
        points=points,
        failure_type=failure_type,
        refs=list(refs),
        reason=reason.strip(),
        rule_ids=list(rule_ids),
        source_type=source_type,
        source_id=str(source_id),
        policy_ref=policy.ref,
        recorded_by=recorded_by,
    )
    ledger_append(
        company=employee.company,
        stream=LEDGER_STREAM,
        kind=f"discipline.{kind.value}",
        payload={
            "employee": employee.pk,
            "employee_name": employee.name,
            "on": on,
            "kind": kind.value,
            "amount": entry.amount,
            "points": points,
            "failure_type": failure_type,
            "refs": list(refs),
            "reason": entry.reason,
            "rule_ids": list(rule_ids),
            "source": f"{source_type}:{source_id}" if source_type else "",
            "policy": policy.ref,
        },
        recorded_by=recorded_by.user if recorded_by is not None else None,
        subject=entry,
    )
    return entry


def _local_noon(day: dt.date) -> dt.datetime:
    """A business date's policy is the one in force during that day (noon, Asia/Shanghai)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
