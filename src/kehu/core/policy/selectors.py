"""Reading policies: the values in force for a company at a moment, versions, differences.

Every other app reads its settings through ``policy_for`` (or the typed ``policy_for_schema``)
and stores ``resolved.version_id`` / ``resolved.ref`` with each decision it makes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from django.db.models import QuerySet
from pydantic import BaseModel, ValidationError

from kehu.core import rawsql
from kehu.core.org.models import Company
from kehu.core.policy.errors import PolicyStoredInvalid, PolicyVersionNotFound
from kehu.core.policy.models import PolicyVersion
from kehu.core.policy.registry import (
    PolicyFieldSpec,
    PolicySchemaEntry,
    baseline_values,
    policy_schema,
    policy_schema_for_model,
    policy_schemas,
    profile_overrides,
)
from kehu.core.policy.rules import values_changed, version_in_force

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T", bound=BaseModel)
PolicySource = Literal["default", "profile", "company"]

SOURCE_LABELS: dict[str, str] = {
    "default": "制度默认值",
    "profile": "行业配置",
    "company": "本公司设置",
}


@dataclass(frozen=True)
class ResolvedPolicy(Generic[M]):
    """The settings in force: the values, and which version they come from.

    ``version`` is 0 and ``version_id`` None when the company has no version of its own yet
    (``source`` is then ``"default"`` or ``"profile"``).
    """

    key: str
    values: M
    version_id: int | None
    version: int
    source: PolicySource
    effective_from: datetime | None
    company_kind: str

    @property
    def ref(self) -> str:
        """A short, stable name for the settings used: ``sales@v3``, ``sales@default`` or
        ``customers@profile:property``. Store it (with ``version_id``) next to decisions."""
        if self.version:
            return f"{self.key}@v{self.version}"
        if self.source == "profile":
            return f"{self.key}@profile:{self.company_kind}"
        return f"{self.key}@default"

    def snapshot(self) -> dict[str, Any]:
        """The values as JSON, for decisions that keep a copy of what they used."""
        return self.values.model_dump(mode="json")

    def values_as(self, model: type[T]) -> T:
        """The values typed as ``model`` (checked), for code that wants attribute types."""
        if not isinstance(self.values, model):
            raise TypeError(f"{self.ref} holds {type(self.values).__name__}, not {model.__name__}")
        return self.values


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("policy_for needs an aware datetime (kehu stores time in UTC).")


# Validated values per stored version. Versions are append-only and the schemas' models are
# frozen, so one validated object can be shared; validating on every ``policy_for`` was a
# measurable part of registering a visit (docs/performance.md). The key holds the row's data
# itself, not only its id: test databases reuse ids for different rows.
_VALUES_CACHE: dict[tuple[str, int, str, int, str], BaseModel] = {}
_VALUES_CACHE_LIMIT = 1024


def _version_values(entry: PolicySchemaEntry, kind: str, row: PolicyVersion) -> BaseModel:
    """A stored version's values. Fields added to the schema after the version was saved take
    the profile's or the rulebook's default; fields since removed are ignored."""
    cache_key = (entry.key, id(entry.model), kind, row.pk, json.dumps(row.data, sort_keys=True))
    cached = _VALUES_CACHE.get(cache_key)
    if cached is not None:
        return cached
    baseline, _ = baseline_values(entry.key, kind)
    known = {name: value for name, value in row.data.items() if name in entry.model.model_fields}
    try:
        values = entry.model.model_validate({**baseline.model_dump(), **known})
    except ValidationError as exc:
        raise PolicyStoredInvalid(row.ref, str(exc)) from exc
    if len(_VALUES_CACHE) >= _VALUES_CACHE_LIMIT:
        _VALUES_CACHE.clear()
    _VALUES_CACHE[cache_key] = values
    return values


def _resolve(
    entry: PolicySchemaEntry, company: Company, row: PolicyVersion | None
) -> ResolvedPolicy[Any]:
    if row is None:
        values, source = baseline_values(entry.key, company.kind)
        return ResolvedPolicy(
            key=entry.key,
            values=values,
            version_id=None,
            version=0,
            source=source,
            effective_from=None,
            company_kind=company.kind,
        )
    return ResolvedPolicy(
        key=entry.key,
        values=_version_values(entry, company.kind, row),
        version_id=row.pk,
        version=row.version,
        source="company",
        effective_from=row.effective_from,
        company_kind=company.kind,
    )


def policy_for(*, company: Company, key: str, at: datetime) -> ResolvedPolicy[Any]:
    """The settings of ``key`` in force for ``company`` at ``at``: the version with the latest
    ``effective_from`` not after ``at`` (ties: the highest version number); the profile's or
    the rulebook's defaults when there is none."""
    _require_aware(at)
    entry = policy_schema(key)
    return _resolve(entry, company, _version_in_force(company.pk, key, at))


def policies_for(
    *, company: Company, keys: Sequence[str], at: datetime
) -> dict[str, ResolvedPolicy[Any]]:
    """``policy_for`` of several keys at the same moment, read in one statement (registering a
    visit needs ``identity`` and ``sales``; each read was a statement of its own)."""
    _require_aware(at)
    entries = [policy_schema(key) for key in keys]
    rows = rawsql.select_first_of_each(
        PolicyVersion,
        [(_IN_FORCE_WHERE, [company.pk, entry.key, at]) for entry in entries],
        order_by=_IN_FORCE_ORDER,
    )
    return {
        entry.key: _resolve(entry, company, row) for entry, row in zip(entries, rows, strict=True)
    }


# The version in force: the latest ``effective_from`` not after the moment, ties to the highest
# version (index ``policy_version_in_force``). "key" is quoted as a keyword would be on both
# databases.
_IN_FORCE_WHERE = 'company_id = %s AND "key" = %s AND effective_from <= %s'
_IN_FORCE_ORDER = "effective_from DESC, version DESC"


def _version_in_force(company_id: int, key: str, at: datetime) -> PolicyVersion | None:
    """The stored version in force at ``at``: the latest ``effective_from`` not after ``at``,
    ties to the highest version (index ``policy_version_in_force``). Every decision reads one
    to three policies, so this is a raw query: building it with the ORM cost five times as much
    as running it (docs/performance.md)."""
    rows = rawsql.select(
        PolicyVersion,
        _IN_FORCE_WHERE,
        [company_id, key, at],
        order_by=_IN_FORCE_ORDER,
        limit=1,
    )
    return rows[0] if rows else None


def policy_for_schema(*, company: Company, schema: type[M], at: datetime) -> ResolvedPolicy[M]:
    """``policy_for`` by schema class, so ``resolved.values`` has the schema's type."""
    entry = policy_schema_for_model(schema)
    resolved = policy_for(company=company, key=entry.key, at=at)
    return resolved  # values were validated by ``schema`` itself


def policy_at_version(*, company: Company, key: str, version: int) -> ResolvedPolicy[Any]:
    """The settings of one stored version (0 = the profile's or the rulebook's defaults):
    what a decision that recorded that version used."""
    entry = policy_schema(key)
    if version == 0:
        return _resolve(entry, company, None)
    row = PolicyVersion.objects.for_key(company.pk, key).filter(version=version).first()
    if row is None:
        raise PolicyVersionNotFound(f"{key}@v{version}")
    return _resolve(entry, company, row)


def policy_versions(company: Company, key: str) -> QuerySet[PolicyVersion]:
    """Every version of ``key`` for ``company``, newest version number first."""
    policy_schema(key)
    return (
        PolicyVersion.objects.for_key(company.pk, key)
        .select_related("created_by")
        .order_by("-version")
    )


def policy_version_get(*, company: Company, version_id: int) -> PolicyVersion:
    """One version by id, only if it belongs to ``company`` (another company's is not found)."""
    row = (
        PolicyVersion.objects.filter(company=company, pk=version_id)
        .select_related("created_by")
        .first()
    )
    if row is None:
        raise PolicyVersionNotFound(f"#{version_id}")
    return row


@dataclass(frozen=True)
class PolicyFieldChange:
    field: str
    title: str
    title_en: str
    old: Any
    new: Any
    old_display: str
    new_display: str


def policy_compare(company: Company, key: str, v1: int, v2: int) -> list[PolicyFieldChange]:
    """The fields whose values differ between versions ``v1`` and ``v2`` of ``key`` (0 = the
    defaults the company starts from), with their titles and both values."""
    entry = policy_schema(key)
    old = policy_at_version(company=company, key=key, version=v1).snapshot()
    new = policy_at_version(company=company, key=key, version=v2).snapshot()
    changes = []
    for name in values_changed(old, new):
        spec = entry.field(name)
        changes.append(
            PolicyFieldChange(
                field=name,
                title=spec.title if spec else name,
                title_en=spec.title_en if spec else name,
                old=old.get(name),
                new=new.get(name),
                old_display=spec.display(old.get(name)) if spec else str(old.get(name)),
                new_display=spec.display(new.get(name)) if spec else str(new.get(name)),
            )
        )
    return changes


@dataclass(frozen=True)
class PolicyOverviewRow:
    entry: PolicySchemaEntry
    resolved: ResolvedPolicy[Any]
    scheduled: list[PolicyVersion]
    version_count: int


def policy_overview(*, company: Company, at: datetime) -> list[PolicyOverviewRow]:
    """Every registered key with the version in force at ``at`` and the versions scheduled after
    it, from one query."""
    _require_aware(at)
    by_key: dict[str, list[PolicyVersion]] = defaultdict(list)
    for row in PolicyVersion.objects.filter(company=company).order_by("key", "version"):
        by_key[row.key].append(row)
    rows = []
    for entry in policy_schemas():
        versions = by_key.get(entry.key, [])
        in_force = version_in_force(versions, at)
        rows.append(
            PolicyOverviewRow(
                entry=entry,
                resolved=_resolve(entry, company, in_force),
                scheduled=sorted(
                    (v for v in versions if v.effective_from > at),
                    key=lambda v: (v.effective_from, v.version),
                ),
                version_count=len(versions),
            )
        )
    return rows


@dataclass(frozen=True)
class PolicyFieldRow:
    """One setting as the key's page shows it: the value in force, the rulebook's default, the
    profile's value, and where the value in force comes from."""

    spec: PolicyFieldSpec
    value: Any
    value_display: str
    default_display: str
    profile_display: str | None
    source: PolicySource

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


def policy_field_rows(resolved: ResolvedPolicy[Any]) -> list[PolicyFieldRow]:
    entry = policy_schema(resolved.key)
    overrides = profile_overrides(resolved.company_kind, resolved.key)
    baseline, _ = baseline_values(resolved.key, resolved.company_kind)
    rows = []
    for spec in entry.fields:
        value = getattr(resolved.values, spec.name)
        source: PolicySource
        if resolved.source == "company" and value != getattr(baseline, spec.name):
            source = "company"
        elif spec.name in overrides:
            source = "profile"
        else:
            source = "default"
        profile_value = getattr(baseline, spec.name) if spec.name in overrides else None
        rows.append(
            PolicyFieldRow(
                spec=spec,
                value=value,
                value_display=spec.display(value),
                default_display=spec.display(spec.default),
                profile_display=spec.display(profile_value) if spec.name in overrides else None,
                source=source,
            )
        )
    return rows
