"""Read queries for the organisation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.org.models import ApiToken, Staff
from kehu.core.org.posts import post_label

# What the pages and the API read of the caller's staff record besides the record itself.
STAFF_RELATED = ("company", "site", "department", "team", "supervisor")


def staff_for_user(user: AbstractBaseUser | AnonymousUser | None) -> Staff | None:
    """The staff record behind a login, or None for anonymous users and bare accounts."""
    if user is None or not user.is_authenticated:
        return None
    # Every request and page asks this: one hand-written join (the ORM took ≈ 4 ms to build
    # the six-table query, docs/performance.md), and the caller's own user object as
    # ``staff.user``, so the permissions Django caches on it are read once per request.
    found = rawsql.select_with(
        Staff, STAFF_RELATED, "m.user_id = %s AND m.active = %s", [user.pk, True], limit=1
    )
    if not found:
        return None
    staff = found[0]
    Staff._meta.get_field("user").set_cached_value(staff, user)
    return staff


def staff_for_api_key(key: str) -> Staff | None:
    """The active staff member (with an active login) whose unrevoked token this is; the
    token's last use is recorded. One hand-written read, as ``staff_for_user``."""
    key_hash = ApiToken.hash_key(key)
    tokens = rawsql.table(ApiToken)
    users = rawsql.table(get_user_model())
    found = rawsql.select_with(
        Staff,
        (*STAFF_RELATED, "user"),
        f"m.active = %s AND m.user_id IN (SELECT id FROM {users} WHERE is_active = %s)"
        f" AND m.id IN (SELECT staff_id FROM {tokens} WHERE key_hash = %s"
        " AND revoked_at IS NULL)",
        [True, True, key_hash],
        limit=1,
    )
    if not found:
        return None
    rawsql.execute(
        ApiToken,
        f"UPDATE {tokens} SET last_used_at = %s WHERE key_hash = %s",
        [timezone.now(), key_hash],
    )
    return found[0]


def api_tokens_for_staff(*, staff: Staff) -> QuerySet[ApiToken]:
    """The staff member's own tokens, newest first (revoked ones included, marked)."""
    return ApiToken.objects.filter(staff=staff).order_by("-created_at", "-pk")


def staff_profile(*, staff: Staff) -> dict[str, Any]:
    """Who a staff member is, for "who am I" answers: names in the active language."""
    return {
        "username": staff.user.get_username(),
        "name": staff.name,
        "post": staff.post,
        "post_label": post_label(staff.post),
        "company": {
            "code": staff.company.code,
            "name": staff.company.name,
            "kind": staff.company.kind,
        },
        "site": staff.site.name if staff.site else None,
        "department": staff.department.name if staff.department else None,
        "team": staff.team.name if staff.team else None,
        "supervisor": staff.supervisor.name if staff.supervisor else None,
        "permissions": sorted(staff.user.get_all_permissions()),
    }


def staff_has_perm(staff: Staff, perm: str) -> bool:
    """Whether an active staff member's post grants ``perm`` ("app_label.codename")."""
    return bool(staff.active and staff.user.has_perm(perm))


def staff_chain_above(staff: Staff) -> list[Staff]:
    """The staff member's supervisors, nearest first (the appeal and escalation path)."""
    chain: list[Staff] = []
    seen = {staff.pk}
    current = staff.supervisor
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.supervisor
    return chain


def staff_reports_below(staff: Staff) -> list[Staff]:
    """Everyone whose supervisor chain leads to ``staff`` (their team, at every level)."""
    below: list[Staff] = []
    frontier = [staff.pk]
    seen = {staff.pk}
    while frontier:
        rows = list(
            Staff.objects.filter(company_id=staff.company_id, supervisor_id__in=frontier)
            .exclude(pk__in=seen)
            .select_related("user")
        )
        below.extend(rows)
        frontier = [row.pk for row in rows]
        seen.update(frontier)
    return below
