"""Write use-cases for the company calendar. Each runs in one transaction with its audit row."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.calendar.errors import (
    CalendarBadReason,
    CalendarOverrideNotFound,
    CalendarPermissionDenied,
)
from kehu.core.calendar.models import CalendarOverride
from kehu.core.org.models import Company
from kehu.core.org.selectors import staff_for_user

EDIT_PERMISSION = "calendar.add_calendaroverride"
REASON_MAX_LENGTH = 200
AUDIT_OBJECT_TYPE = "calendar.override"

Actor = User | AnonymousUser


def _check_may_edit(*, actor: Actor, company: Company) -> User:
    """Editors hold ``calendar.add_calendaroverride`` and edit only their own company's
    calendar (a superuser without a staff record may edit any, e.g. from the shell)."""
    if not actor.is_authenticated or not actor.has_perm(EDIT_PERMISSION):
        raise CalendarPermissionDenied()
    staff = staff_for_user(actor)
    if staff is None:
        if not getattr(actor, "is_superuser", False):
            raise CalendarPermissionDenied()
    elif staff.company_id != company.pk:
        raise CalendarPermissionDenied()
    assert isinstance(actor, User)  # authenticated, so not AnonymousUser
    return actor


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise CalendarBadReason()
    return reason


@transaction.atomic
def calendar_override_set(
    *,
    company: Company,
    date: dt.date,
    is_working_day: bool,
    reason: str,
    actor: Actor,
    request: HttpRequest | None = None,
) -> CalendarOverride:
    """Declare ``date`` a working day or a day off for ``company`` (create or replace)."""
    editor = _check_may_edit(actor=actor, company=company)
    reason = _clean_reason(reason)
    existing = (
        CalendarOverride.objects.select_for_update().filter(company=company, date=date).first()
    )
    before = None
    if existing is None:
        override = CalendarOverride.objects.create(
            company=company,
            date=date,
            is_working_day=is_working_day,
            reason=reason,
            created_by=editor,
        )
    else:
        before = {"is_working_day": existing.is_working_day, "reason": existing.reason}
        existing.is_working_day = is_working_day
        existing.reason = reason
        existing.updated_by = editor
        existing.updated_at = timezone.now()
        existing.save(update_fields=["is_working_day", "reason", "updated_by", "updated_at"])
        override = existing
    audit_record(
        action=AuditAction.POLICY_CHANGE,
        actor=actor,
        company=company,
        request=request,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=override.pk,
        detail={
            "op": "set",
            "date": date.isoformat(),
            "is_working_day": is_working_day,
            "reason": reason,
            "before": before,
        },
    )
    return override


@transaction.atomic
def calendar_override_delete(
    *,
    company: Company,
    override_id: int,
    actor: Actor,
    request: HttpRequest | None = None,
) -> None:
    """Remove a company override; the official calendar answers for that date again."""
    _check_may_edit(actor=actor, company=company)
    override = (
        CalendarOverride.objects.select_for_update().filter(company=company, pk=override_id).first()
    )
    if override is None:
        raise CalendarOverrideNotFound(override_id)
    detail = {
        "op": "delete",
        "date": override.date.isoformat(),
        "is_working_day": override.is_working_day,
        "reason": override.reason,
    }
    override.delete()
    audit_record(
        action=AuditAction.POLICY_CHANGE,
        actor=actor,
        company=company,
        request=request,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=override_id,
        detail=detail,
    )
