"""Recording audit events. Call inside the caller's transaction so the event and the act
it records commit (or roll back) together."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.org.models import Company


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind the intranet reverse proxy the real address is the last hop it appended.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: AuditAction,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    company: Company | None = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    user = actor if actor is not None and actor.is_authenticated else None
    if company is None and user is not None:
        staff = getattr(user, "staff", None)
        company = staff.company if staff is not None else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        company=company,
        actor_id=user.pk if user is not None else None,
        actor_label=actor_label or (user.get_username() if user is not None else ""),
        ip=client_ip(request),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        detail=detail or {},
    )
