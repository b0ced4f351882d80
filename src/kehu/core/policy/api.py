"""API endpoints for policy (mounted at /api/v1/policy/ by kehu/api.py).

The caller is ``request.auth`` (a Staff); every read and write is for the caller's company
only, so no endpoint takes a company.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import PlainValidator, TypeAdapter, WithJsonSchema

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.policy.access import POLICY_VIEW, policy_permission_require, policy_staff_require
from kehu.core.policy.models import PolicyVersion
from kehu.core.policy.registry import policy_schemas, profile_overrides
from kehu.core.policy.selectors import (
    ResolvedPolicy,
    policy_compare,
    policy_for,
    policy_version_get,
    policy_versions,
)
from kehu.core.policy.services import policy_version_create

router = Router(tags=["policy"])


def _kehu_errors(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Answer a KehuError in the API's error shape (``{"error": {code, message, details}}``)
    with its status, here rather than at the API root: refusals were already audited by the
    policy app (with the permission and key), and the root's handler would audit them again."""

    @functools.wraps(endpoint)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(request, *args, **kwargs)
        except KehuError as exc:
            return JsonResponse(
                {"error": exc.as_dict()},
                status=exc.status,
                json_dumps_params={"ensure_ascii": False},
            )

    return wrapper


router.add_decorator(_kehu_errors, mode="operation")


def _staff(request: HttpRequest) -> Staff:
    """The calling staff member."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Staff):
        return auth
    # Until the API root authenticates (request.auth), fall back to the session's user.
    return policy_staff_require(user=request.user, request=request)


def _caller(request: HttpRequest) -> Staff:
    """The calling staff member, allowed to read policies (refusals are audited)."""
    staff = _staff(request)
    policy_permission_require(staff=staff, permission=POLICY_VIEW, request=request)
    return staff


_DATETIME = TypeAdapter(datetime)


def _date_or_datetime(value: Any) -> date | datetime:
    """“2026-05-01” is a date (local midnight); anything longer is a datetime, kept as given
    (a naive one is refused by the service). Pydantic's own union would read
    “2026-05-01T00:00:00Z” as a bare date and lose the zone."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return _DATETIME.validate_python(text)


DateOrDatetime = Annotated[
    date | datetime,
    PlainValidator(_date_or_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "description": "YYYY-MM-DD (00:00 Asia/Shanghai) or an ISO 8601 datetime with zone",
        }
    ),
]


class ErrorOut(Schema):
    error: dict[str, Any]


class SchemaOut(Schema):
    key: str
    title_zh: str
    title_en: str
    definition: dict[str, Any] = Field(description="The schema as JSON Schema")
    profile_overrides: dict[str, Any] = Field(
        description="Defaults the caller's kind of company starts from, instead of the rulebook's"
    )


class ResolvedOut(Schema):
    key: str
    ref: str
    version: int
    version_id: int | None
    source: str
    effective_from: datetime | None
    values: dict[str, Any]


class VersionOut(Schema):
    id: int
    key: str
    version: int
    ref: str
    effective_from: datetime
    values: dict[str, Any]
    note: str
    backdated: bool
    created_by: str
    created_at: datetime


class VersionIn(Schema):
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="Only the fields to change; the others keep the values in force at the start",
    )
    effective_from: DateOrDatetime
    note: str = Field(description="Reason for the change (required)")


class ChangeOut(Schema):
    field: str
    title: str
    title_en: str
    old: Any
    new: Any


def _resolved_out(resolved: ResolvedPolicy[Any]) -> ResolvedOut:
    return ResolvedOut(
        key=resolved.key,
        ref=resolved.ref,
        version=resolved.version,
        version_id=resolved.version_id,
        source=resolved.source,
        effective_from=resolved.effective_from,
        values=resolved.snapshot(),
    )


def _version_out(row: PolicyVersion) -> VersionOut:
    return VersionOut(
        id=row.pk,
        key=row.key,
        version=row.version,
        ref=row.ref,
        effective_from=row.effective_from,
        values=row.data,
        note=row.note,
        backdated=row.backdated,
        created_by=row.created_by.name,
        created_at=row.created_at,
    )


_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/schemas", response=list[SchemaOut], summary="Policy keys and their JSON schemas")
def schemas_list(request: HttpRequest) -> list[SchemaOut]:
    staff = _caller(request)
    return [
        SchemaOut(
            key=entry.key,
            title_zh=entry.title_zh,
            title_en=entry.title_en,
            definition=entry.json_schema(),
            profile_overrides=profile_overrides(staff.company.kind, entry.key),
        )
        for entry in policy_schemas()
    ]


@router.get(
    "/versions/{version_id}",
    response={200: VersionOut, **_ERRORS},
    summary="One version of the caller's company",
)
def version_get(request: HttpRequest, version_id: int) -> VersionOut:
    staff = _caller(request)
    return _version_out(policy_version_get(company=staff.company, version_id=version_id))


@router.get("/{key}", response={200: ResolvedOut, **_ERRORS}, summary="Values in force")
def policy_get(request: HttpRequest, key: str, at: datetime | None = None) -> ResolvedOut:
    """The values in force at ``at`` (default: now; a time without zone is Asia/Shanghai)."""
    staff = _caller(request)
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return _resolved_out(policy_for(company=staff.company, key=key, at=moment))


@router.get("/{key}/versions", response={200: list[VersionOut], **_ERRORS}, summary="Versions")
def versions_list(request: HttpRequest, key: str) -> list[VersionOut]:
    staff = _caller(request)
    return [_version_out(row) for row in policy_versions(staff.company, key)]


@router.post(
    "/{key}/versions", response={201: VersionOut, **_ERRORS}, summary="Create a new version"
)
def version_create(request: HttpRequest, key: str, payload: VersionIn) -> Status[VersionOut]:
    # The service checks (and audits) the edit permission.
    staff = _staff(request)
    row = policy_version_create(
        staff=staff,
        key=key,
        values=payload.values,
        effective_from=payload.effective_from,
        note=payload.note,
        request=request,
    )
    return Status(201, _version_out(row))


@router.get(
    "/{key}/compare", response={200: list[ChangeOut], **_ERRORS}, summary="Compare two versions"
)
def versions_compare(request: HttpRequest, key: str, a: int, b: int) -> list[ChangeOut]:
    """Fields that differ between versions ``a`` and ``b`` (0 = the company's defaults)."""
    staff = _caller(request)
    return [
        ChangeOut(field=c.field, title=c.title, title_en=c.title_en, old=c.old, new=c.new)
        for c in policy_compare(staff.company, key, a, b)
    ]
