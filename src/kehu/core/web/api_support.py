"""What every endpoint under /api/v1 shares: who is calling, the error format, pagination.

* **Auth.** ``BearerTokenAuth`` (``Authorization: Bearer kehu_…``) or ``StaffSessionAuth`` (the
  browser session, CSRF-checked on unsafe methods). Either way ``request.auth`` is the calling
  :class:`~kehu.core.org.models.Staff`; ``request_staff(request)`` returns it typed. A login with
  no staff record gets 403 ``auth.no_staff``.
* **Errors.** Every error is ``{"error": {"code", "message", "details"}}``, the message in the
  request's language (LocaleMiddleware: language cookie, then Accept-Language; Chinese by
  default). Raise ``kehu.core.errors.KehuError`` (its ``status``) or Django's ``Http404`` /
  ``PermissionDenied``; ``install_error_handlers`` maps them, and every 403 is audited.
* **Pagination.** ``@paginate(KehuPagination)`` takes ``?page=&page_size=`` and answers
  ``{"items", "count", "page", "page_size"}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_api_key, staff_for_user

logger = logging.getLogger("kehu.api")

# --- the error format ---------------------------------------------------------------------


def request_language() -> str:
    return translation.get_language() or "zh-hans"


def error_json(error: KehuError) -> JsonResponse:
    """The error format for responses made outside ninja (Django's 403/404/500 handlers)."""
    return JsonResponse(
        {"error": error.as_dict(request_language())},
        status=error.status,
        json_dumps_params={"ensure_ascii": False},
    )


AUTH_REQUIRED = KehuError(
    "auth.required",
    "请先登录，或在 Authorization 头中提供有效的 API 令牌（Bearer kehu_…）。",
    "Log in first, or send a valid API token in the Authorization header (Bearer kehu_…).",
    status=401,
)
INVALID_TOKEN = KehuError(
    "auth.invalid_token",
    "API 令牌无效或已撤销。",
    "The API token is invalid or has been revoked.",
    status=401,
)
NO_STAFF = KehuError(
    "auth.no_staff",
    "此账户没有关联员工档案，不能使用 API。",
    "This account has no staff record, so it cannot use the API.",
    status=403,
)
PERMISSION_DENIED = KehuError(
    "permission_denied",
    "您没有权限执行此操作。",
    "You do not have permission to do this.",
    status=403,
)
CSRF_FAILED = KehuError(
    "csrf_failed",
    "CSRF 校验失败：请在 X-CSRFToken 头中带上页面的 CSRF 令牌，或改用 API 令牌。",
    "CSRF check failed: send the page's CSRF token in the X-CSRFToken header, or use an API token.",
    status=403,
)
NOT_FOUND = KehuError("not_found", "找不到请求的内容。", "Not found.", status=404)
VALIDATION_ERROR = KehuError(
    "validation_error",
    "请求数据有误，请检查 details 中列出的字段。",
    "The request is invalid; see the fields listed in details.",
    status=422,
)
SERVER_ERROR = KehuError(
    "server_error",
    "服务器内部错误，已记录，请稍后再试或联系系统管理员。",
    "Internal server error. It has been logged; try again later or contact the administrator.",
    status=500,
)
_HTTP_ERROR_CODES: dict[int, KehuError] = {
    400: KehuError("bad_request", "请求格式有误。", "Bad request.", status=400),
    401: AUTH_REQUIRED,
    403: PERMISSION_DENIED,
    404: NOT_FOUND,
    405: KehuError("method_not_allowed", "不支持此请求方法。", "Method not allowed.", status=405),
    429: KehuError(
        "throttled", "请求过于频繁，请稍后再试。", "Too many requests; slow down.", status=429
    ),
}


def fresh_error(proto: KehuError, details: Any = None) -> KehuError:
    """A new exception from one of the prototypes above (an exception object is raised once)."""
    return KehuError(
        proto.code,
        proto.message_zh,
        proto.message_en,
        status=proto.status,
        details=details if details is not None else proto.details,
    )


def audit_permission_denied(request: HttpRequest, reason: str, code: str = "") -> None:
    """Record a refusal. Never lets an audit failure turn a 403 into a 500."""
    staff = getattr(request, "auth", None)
    user = staff.user if isinstance(staff, Staff) else getattr(request, "user", None)
    try:
        audit_record(
            action=AuditAction.PERMISSION_DENIED,
            outcome=AuditOutcome.DENIED,
            actor=user,
            request=request,
            object_type="path",
            object_id=request.path[:64],
            detail={"method": request.method, "path": request.path, "reason": reason, "code": code},
        )
    except DatabaseError:  # the refusal stands; the log keeps what the trail could not
        logger.exception("could not audit a permission denial at %s", request.path)


# Each handler takes its own exception type; Any keeps the registration list simple to type.
ExceptionHandler = Callable[[HttpRequest, Any], HttpResponse]


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error ``api`` returns follow the one format."""

    def respond(request: HttpRequest, error: KehuError, **headers: str) -> HttpResponse:
        response = api.create_response(
            request, {"error": error.as_dict(request_language())}, status=error.status
        )
        for name, value in headers.items():
            response[name.replace("_", "-")] = value
        return response

    def on_kehu_error(request: HttpRequest, exc: KehuError) -> HttpResponse:
        if exc.status == 403:
            audit_permission_denied(request, exc.message_en, exc.code)
        return respond(request, exc)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [_field_error(error) for error in exc.errors]
        return respond(request, fresh_error(VALIDATION_ERROR, details))

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, AUTH_REQUIRED, WWW_Authenticate='Bearer realm="kehu"')

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403:
            if "csrf" in str(exc).lower():
                # Django's CSRF check already called CSRF_FAILURE_VIEW, which audited it.
                return respond(request, CSRF_FAILED)
            audit_permission_denied(request, str(exc), PERMISSION_DENIED.code)
            return respond(request, PERMISSION_DENIED)
        known = _HTTP_ERROR_CODES.get(exc.status_code)
        if known is None:
            known = KehuError("http_error", str(exc), str(exc), status=exc.status_code)
        return respond(request, known)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, NOT_FOUND)

    def on_permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        audit_permission_denied(request, str(exc), PERMISSION_DENIED.code)
        return respond(request, PERMISSION_DENIED)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The traceback goes to the server log, never to the caller.
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return respond(request, SERVER_ERROR)

    handlers: list[tuple[type[Exception], ExceptionHandler]] = [
        (KehuError, on_kehu_error),
        (ValidationError, on_validation_error),
        (AuthenticationError, on_authentication_error),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (DjangoPermissionDenied, on_permission_denied),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    """One invalid field: where (body/query/path), which field, what is wrong."""
    loc = [str(part) for part in error.get("loc", ())]
    location = loc[0] if loc else ""
    # ninja puts the operation's parameter name second (e.g. "payload"); it is not a field.
    field_parts = loc[2:] if len(loc) > 2 and location == "body" else loc[1:]
    return {
        "location": location,
        "field": ".".join(field_parts),
        "message": str(error.get("msg", "")),
        "type": str(error.get("type", "")),
    }


class KehuJSONRenderer(JSONRenderer):
    """JSON with Chinese kept as UTF-8 text (readable in logs and curl), not \\u escapes."""

    json_dumps_params: Mapping[str, Any] = MappingProxyType({"ensure_ascii": False})


# --- auth ---------------------------------------------------------------------------------


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer kehu_…`` → the token's staff member."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        staff = staff_for_api_key(token.strip()) if token.strip().startswith("kehu_") else None
        if staff is None:
            # A wrong token is an error, not a reason to fall back to the session.
            raise fresh_error(INVALID_TOKEN)
        # Code that asks request.user (permissions, audit) sees the token's owner.
        request.user = staff.user
        return staff


class StaffSessionAuth(SessionAuth):
    """The browser session → its staff member; CSRF is checked for unsafe methods."""

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # no session: nothing to forge, so no CSRF check; 401 follows
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Staff | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        staff = staff_for_user(user)
        if staff is None:
            raise fresh_error(NO_STAFF)
        return staff


def request_staff(request: HttpRequest) -> Staff:
    """The calling staff member of an authenticated endpoint (``request.auth``), typed."""
    staff = getattr(request, "auth", None)
    if not isinstance(staff, Staff):
        raise fresh_error(AUTH_REQUIRED)
    return staff


def request_require_perm(request: HttpRequest, perm: str) -> Staff:
    """The calling staff member, if their post grants ``perm``; otherwise 403 (audited)."""
    staff = request_staff(request)
    if not staff.user.has_perm(perm):
        raise fresh_error(PERMISSION_DENIED, {"permission": perm})
    return staff


# --- pagination ------------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageParams(Schema):
    """The query parameters of a paginated list."""

    page: int = Field(1, ge=1, description="页码，从 1 开始 / page number, from 1")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"每页条数（最多 {MAX_PAGE_SIZE}）/ items per page (max {MAX_PAGE_SIZE})",
    )


class Page(Schema):
    """A page of a list; ``@paginate`` makes ``Paged<Item>`` from it with typed ``items``."""

    items: list[Any]
    count: int = Field(description="总条数 / total number of items")
    page: int
    page_size: int


class KehuPagination(PaginationBase):
    """``?page=1&page_size=20`` → ``{"items": [...], "count", "page", "page_size"}``.

    ``count`` is the total number of items; a page past the end has no items. A queryset with
    no ordering is ordered by primary key, so pages do not overlap.
    """

    Input = PageParams  # type: ignore[assignment]  # ninja reads these two class attributes
    Output = Page  # type: ignore[assignment]
    items_attribute = "items"

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: PageParams,  # type: ignore[override]
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            queryset = queryset.order_by("pk")
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


# --- the error body in OpenAPI ------------------------------------------------------------------


class ErrorBody(Schema):
    """The error every endpoint answers with: a stable code and a message in the caller's
    language (see ``KehuError``)."""

    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody
