"""Logins, failed logins, logouts and lockouts become audit events."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="kehu.audit.login")
def _on_login(sender: Any, request: Any, user: Any, **_: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="kehu.audit.logout")
def _on_logout(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="kehu.audit.login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.FAILURE,
        request=request,
        actor_label=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out, dispatch_uid="kehu.audit.lockout")
def _on_lockout(sender: Any, request: Any, username: str | None = None, **_: Any) -> None:
    audit_record(
        action=AuditAction.LOCKOUT,
        outcome=AuditOutcome.DENIED,
        request=request,
        actor_label=(username or "")[:150],
    )
