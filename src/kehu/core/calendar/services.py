"""Write use-cases for the company calendar. Each runs in one transaction with its audit rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.calendar import official, selectors
from kehu.core.calendar.errors import (
    CalendarBadNote,
    CalendarBadReason,
    CalendarBadYear,
    CalendarDeclarationNotFound,
    CalendarImportRejected,
    CalendarOverrideNotFound,
    CalendarPermissionDenied,
    CalendarYearAlreadyCovered,
    CalendarYearAlreadyDeclared,
    CalendarYearHasNoOverrides,
)
from kehu.core.calendar.models import CalendarOverride, CalendarYearDeclaration
from kehu.core.org.models import Company
from kehu.core.org.selectors import staff_for_user

EDIT_PERMISSION = "calendar.add_calendaroverride"
REASON_MAX_LENGTH = 200
AUDIT_OBJECT_TYPE = "calendar.override"
DECLARATION_AUDIT_OBJECT_TYPE = "calendar.year_declaration"
NOTE_MAX_LENGTH = 500
MIN_YEAR, MAX_YEAR = 1900, 2999

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


def _write_override(
    *,
    company: Company,
    date: dt.date,
    is_working_day: bool,
    reason: str,
    editor: User,
    existing: CalendarOverride | None,
    request: HttpRequest | None,
    via: str = "",
) -> CalendarOverride:
    """Create or replace one override and audit it (the caller holds the transaction)."""
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
    detail: dict[str, Any] = {
        "op": "set",
        "date": date.isoformat(),
        "is_working_day": is_working_day,
        "reason": reason,
        "before": before,
    }
    if via:
        detail["via"] = via
    audit_record(
        action=AuditAction.POLICY_CHANGE,
        actor=editor,
        company=company,
        request=request,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=override.pk,
        detail=detail,
    )
    return override


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
    return _write_override(
        company=company,
        date=date,
        is_working_day=is_working_day,
        reason=reason,
        editor=editor,
        existing=existing,
        request=request,
    )


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


@transaction.atomic
def calendar_overrides_import(
    *,
    company: Company,
    text: str,
    actor: Actor,
    dry_run: bool = False,
    request: HttpRequest | None = None,
) -> selectors.ImportPreview:
    """Set many overrides from pasted lines (``2027-01-01 休 元旦``; see ``override_lines``),
    all or nothing: if any line is rejected, nothing is written and ``CalendarImportRejected``
    lists every rejected line. ``dry_run`` only returns the preview (rejected lines included)
    and writes nothing. Lines equal to an existing override are left alone; each written line
    is audited like a single override."""
    editor = _check_may_edit(actor=actor, company=company)
    preview = selectors.calendar_import_preview(company=company, text=text, for_update=not dry_run)
    if dry_run:
        return preview
    if preview.rejected:
        raise CalendarImportRejected(
            [
                {
                    "line": r.line_no,
                    "text": r.text,
                    "problem": r.problem.value,
                    "message_zh": r.message_zh,
                    "message_en": r.message_en,
                }
                for r in preview.rejected
            ]
        )
    existing = {
        o.date: o
        for o in CalendarOverride.objects.select_for_update().filter(
            company=company, date__in=[row.line.day for row in preview.to_write]
        )
    }
    for row in preview.to_write:
        _write_override(
            company=company,
            date=row.line.day,
            is_working_day=row.line.is_working_day,
            reason=row.line.reason,
            editor=editor,
            existing=existing.get(row.line.day),
            request=request,
            via="import",
        )
    return preview


def _check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarBadYear(year)
    return year


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if not note or len(note) > NOTE_MAX_LENGTH:
        raise CalendarBadNote(max_length=NOTE_MAX_LENGTH)
    return note


@transaction.atomic
def calendar_year_declare(
    *,
    company: Company,
    year: int,
    note: str,
    actor: Actor,
    request: HttpRequest | None = None,
) -> CalendarYearDeclaration:
    """Declare that ``company`` has entered ``year``'s official holidays and adjusted working
    days as overrides, so that every other date of that year follows the ordinary week.

    Refused when the official data already covers the year (nothing to declare), when the year
    is already declared, and when the company has no override in that year (declaring would
    silently mean a year without holidays). ``note`` names the source (the State Council
    notice)."""
    editor = _check_may_edit(actor=actor, company=company)
    year = _check_year(year)
    if official.is_covered(year):
        raise CalendarYearAlreadyCovered(year=year, source=official.SOURCE_NAME)
    if CalendarYearDeclaration.objects.filter(company=company, year=year).exists():
        raise CalendarYearAlreadyDeclared(year=year)
    # Lock the year's overrides so that none disappears between this count and the commit.
    in_year = list(
        CalendarOverride.objects.select_for_update()
        .filter(company=company, date__year=year)
        .values_list("is_working_day", flat=True)
    )
    if not in_year:
        raise CalendarYearHasNoOverrides(year=year)
    note = _clean_note(note)
    try:
        with transaction.atomic():
            declaration = CalendarYearDeclaration.objects.create(
                company=company, year=year, note=note, declared_by=editor
            )
    except IntegrityError:  # declared by someone else a moment ago
        raise CalendarYearAlreadyDeclared(year=year) from None
    audit_record(
        action=AuditAction.POLICY_CHANGE,
        actor=editor,
        company=company,
        request=request,
        object_type=DECLARATION_AUDIT_OBJECT_TYPE,
        object_id=declaration.pk,
        detail={
            "op": "declare",
            "year": year,
            "note": note,
            "days_off": in_year.count(False),
            "working_days": in_year.count(True),
        },
    )
    return declaration


@transaction.atomic
def calendar_year_withdraw(
    *,
    company: Company,
    year: int,
    actor: Actor,
    request: HttpRequest | None = None,
) -> None:
    """Withdraw ``company``'s declaration of ``year``: working-day deadlines reaching a date of
    that year without an override stop with ``calendar.year_not_covered`` again."""
    editor = _check_may_edit(actor=actor, company=company)
    declaration = (
        CalendarYearDeclaration.objects.select_for_update()
        .filter(company=company, year=year)
        .first()
    )
    if declaration is None:
        raise CalendarDeclarationNotFound(year)
    detail = {
        "op": "withdraw",
        "year": declaration.year,
        "note": declaration.note,
        "declared_by": declaration.declared_by.get_username(),
        "declared_at": declaration.declared_at.isoformat(),
    }
    declaration_id = declaration.pk
    declaration.delete()
    audit_record(
        action=AuditAction.POLICY_CHANGE,
        actor=editor,
        company=company,
        request=request,
        object_type=DECLARATION_AUDIT_OBJECT_TYPE,
        object_id=declaration_id,
        detail=detail,
    )
