"""Changing policies: every change is a new version with an effective date and a reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.policy.access import POLICY_EDIT, policy_permission_require
from kehu.core.policy.errors import PolicyErrorCode
from kehu.core.policy.models import PolicyVersion
from kehu.core.policy.registry import policy_schema, policy_validate
from kehu.core.policy.rules import effective_start, local_date, next_version_number, values_changed
from kehu.core.policy.selectors import policy_for

# Two editors saving the same key at once race for the next number; the unique constraint
# decides and the loser takes the following number.
_NUMBER_ATTEMPTS = 5


def _field_error(code: str, field: str, title: str, zh: str, en: str) -> KehuError:
    return KehuError(
        code,
        f"「{title}」{zh}",
        en,
        status=400,
        details=[
            {
                "field": field,
                "title": title,
                "type": code,
                "message_zh": f"「{title}」{zh}",
                "message_en": en,
            }
        ],
    )


def policy_version_create(
    *,
    staff: Staff,
    key: str,
    values: Mapping[str, Any],
    effective_from: date | datetime,
    note: str,
    request: HttpRequest | None = None,
    allow_backdate: bool = False,
) -> PolicyVersion:
    """Save a new version of ``staff``'s company's settings for ``key``.

    ``values`` may name only the fields being changed: the others keep the values in force at
    the new version's start. The stored version is the complete, validated set.

    ``effective_from`` is a date (local midnight, Asia/Shanghai) or an aware datetime. A start
    earlier today means "from now"; a start before today is refused unless ``allow_backdate``
    (for imports of a company's historical settings: backdating changes the meaning of past
    decisions, so the version is marked ``backdated`` and the audit event says so).

    Needs ``policy.add_policyversion``; a refusal is audited. The new version and its
    POLICY_CHANGE audit event commit together.
    """
    policy_permission_require(
        staff=staff,
        permission=POLICY_EDIT,
        request=request,
        detail={"key": key, "operation": "policy_version_create"},
    )
    entry = policy_schema(key)
    note = (note or "").strip()
    if not note:
        raise _field_error(
            PolicyErrorCode.NOTE_REQUIRED,
            "note",
            "变更原因",
            "必须填写：每次修改规则设置都要说明原因。",
            "“Reason for the change” is required: every policy change must say why.",
        )
    now = timezone.now()
    start = effective_start(effective_from, now=now, allow_backdate=allow_backdate)
    if start.refusal == "naive":
        raise _field_error(
            PolicyErrorCode.NAIVE_DATETIME,
            "effective_from",
            "生效时间",
            "必须带时区（例如 2026-05-01T00:00:00+08:00），或只填日期。",
            "“Effective from” needs a time zone (e.g. 2026-05-01T00:00:00+08:00) or a date only.",
        )
    if start.refusal == "backdated":
        requested_day, today = local_date(start.moment), local_date(now)
        raise _field_error(
            PolicyErrorCode.BACKDATED,
            "effective_from",
            "生效日期",
            f"{requested_day} 早于今天（{today}）：规则设置不能倒签生效，否则会改变过去决定所依据的"
            "规则。请选择今天或以后的日期。",
            f"“Effective from” {requested_day} is before today ({today}): a policy cannot take "
            "effect in the past, or it would change the grounds of past decisions. Choose today "
            "or a later date.",
        )

    with transaction.atomic():
        base = policy_for(company=staff.company, key=key, at=start.moment)
        validated = policy_validate(entry, {**base.values.model_dump(), **dict(values)})
        data = validated.model_dump(mode="json")
        old = base.snapshot()
        changed = values_changed(old, data)
        if not changed and base.source == "company":
            raise KehuError(
                PolicyErrorCode.NO_CHANGE,
                f"与 {base.ref} 的设置完全相同，没有创建新版本。",
                f"The values are the same as {base.ref}; no new version was created.",
                status=400,
            )
        row = _create_numbered(
            staff=staff,
            key=key,
            moment=start.moment,
            data=data,
            note=note,
            backdated=start.backdated,
        )
        audit_record(
            action=AuditAction.POLICY_CHANGE,
            actor=staff.user,
            company=staff.company,
            request=request,
            object_type="policy.PolicyVersion",
            object_id=row.pk,
            detail={
                "key": key,
                "ref": row.ref,
                "version": row.version,
                "effective_from": row.effective_from.isoformat(),
                "backdated": row.backdated,
                "replaces": base.ref,
                "note": note,
                "changes": {
                    name: {"old": old.get(name), "new": data.get(name)} for name in changed
                },
            },
        )
    return row


def _create_numbered(
    *, staff: Staff, key: str, moment: datetime, data: dict[str, Any], note: str, backdated: bool
) -> PolicyVersion:
    for attempt in range(_NUMBER_ATTEMPTS):
        current = PolicyVersion.objects.for_key(staff.company_id, key).aggregate(m=Max("version"))
        try:
            with transaction.atomic():
                return PolicyVersion.objects.create(
                    company=staff.company,
                    key=key,
                    version=next_version_number(current["m"]),
                    effective_from=moment,
                    data=data,
                    note=note,
                    backdated=backdated,
                    created_by=staff,
                )
        except IntegrityError:
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # the loop returns or raises
