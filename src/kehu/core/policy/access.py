"""Who may read and change policies, and the audit trail of refusals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import HttpRequest

from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user
from kehu.core.policy.errors import PolicyNotStaff, PolicyPermissionDenied

POLICY_VIEW = "policy.view_policyversion"
POLICY_EDIT = "policy.add_policyversion"


def policy_permission_require(
    *,
    staff: Staff,
    permission: str,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Raise ``PolicyPermissionDenied`` (403) unless ``staff`` holds ``permission``.

    A refusal is audited (PERMISSION_DENIED) in its own transaction, committed before the
    error is raised, so the record survives the refused act.
    """
    if staff.active and staff.user.has_perm(permission):
        return
    with transaction.atomic():
        audit_record(
            action=AuditAction.PERMISSION_DENIED,
            outcome=AuditOutcome.DENIED,
            actor=staff.user,
            company=staff.company,
            request=request,
            object_type="policy.PolicyVersion",
            detail={"permission": permission, **(detail or {})},
        )
    raise PolicyPermissionDenied(permission)


def policy_staff_require(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    permission: str | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> Staff:
    """The active staff member behind ``user`` (holding ``permission`` when one is named);
    403 otherwise. A logged-in account without a staff record is audited like any refusal."""
    staff = staff_for_user(user)
    if staff is None:
        if user is not None and user.is_authenticated:
            with transaction.atomic():
                audit_record(
                    action=AuditAction.PERMISSION_DENIED,
                    outcome=AuditOutcome.DENIED,
                    actor=user,
                    request=request,
                    object_type="policy.PolicyVersion",
                    detail={"permission": permission, "reason": "not_staff", **(detail or {})},
                )
        raise PolicyNotStaff()
    if permission is not None:
        policy_permission_require(
            staff=staff, permission=permission, request=request, detail=detail
        )
    return staff
