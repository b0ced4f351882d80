"""Template context every page gets: the staff member behind the login and the navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user


@dataclass(frozen=True)
class NavLink:
    # Paths, not URL names: the apps' URLconfs are built separately and may not exist yet.
    path: str
    label: str | Promise
    perm: str | None = None  # None: every logged-in user


NAV_LINKS: tuple[NavLink, ...] = (
    NavLink("/", _("首页")),
    NavLink("/customers/", _("客户"), "customers.view_customer"),
    NavLink("/sales/", _("案场"), "sales.view_registration"),
    NavLink("/complaints/", _("投诉与服务")),
    NavLink("/policy/", _("规则设置"), "policy.view_policyversion"),
    NavLink("/calendar/", _("工作日历")),
    NavLink("/discipline/", _("奖惩台账")),
    NavLink("/ledger/", _("账本校验"), "ledger.verify_ledger"),
)


def request_staff(request: HttpRequest) -> Staff | None:
    """The staff member of the request's user, looked up once per request."""
    if not hasattr(request, "_kehu_staff"):
        request._kehu_staff = staff_for_user(getattr(request, "user", None))  # type: ignore[attr-defined]
    return request._kehu_staff  # type: ignore[attr-defined, no-any-return]


def _is_active(link: NavLink, path: str) -> bool:
    return path == "/" if link.path == "/" else path.startswith(link.path)


def staff(request: HttpRequest) -> dict[str, Any]:
    """``staff`` (or None) and ``nav_links`` (the links this user may follow) for every page."""
    user = getattr(request, "user", None)
    links: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        for link in NAV_LINKS:
            if link.perm is None or user.has_perm(link.perm):
                links.append(
                    {
                        "path": link.path,
                        "label": link.label,
                        "active": _is_active(link, request.path),
                    }
                )
    return {"staff": request_staff(request), "nav_links": links}
