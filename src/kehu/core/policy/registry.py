"""The policy registry: which policy schemas exist, their defaults, and the profiles per kind
of company.

Each app declares its settings as a pydantic model in its own ``policy.py``, with the
rulebook's numbers as field defaults, and registers it under a key at import time::

    from typing import Literal
    from kehu.core.policy.registry import PolicySchema, policy_field, register_policy_schema

    class SalesPolicy(PolicySchema):
        skip_makeup: Literal["none", "owed"] = policy_field(
            "owed", title="轮空是否补接", title_en="Make-up turn when skipped",
            rule_ids=["A2.1", "A5.1", "A7.2"],
            choice_labels={"none": "跳过，不补接", "owed": "跳过，补接"},
        )

    register_policy_schema("sales", SalesPolicy, title_zh="案场销售", title_en="Sales office")

The policy app's ``ready()`` imports every installed app's ``policy`` module, so the
registration happens once at start-up. Profiles (bundles of default overrides per
``CompanyKind``) are code too: ``register_policy_profile(kind, key, {...})``.
"""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import annotated_types
from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from kehu.core.policy.errors import PolicyKeyUnknown, PolicyValuesInvalid

_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Path segments the API and the web pages use next to a key.
_RESERVED_KEYS = frozenset({"schemas", "versions", "new", "edit", "compare"})


class PolicySchema(BaseModel):
    """Base for policy schemas: unknown fields are refused, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def policy_field(
    default: Any,
    *,
    title: str,
    title_en: str,
    description: str = "",
    rule_ids: Sequence[str] = (),
    choice_labels: Mapping[str, str] | None = None,
    **constraints: Any,
) -> Any:
    """A policy field: a default from the rulebook, a Chinese title (shown in forms and error
    messages), an English title, and the rule IDs the setting comes from.

    ``constraints`` are pydantic's (``ge``, ``le``, ``max_length``, …). ``choice_labels`` gives
    Chinese labels for the values of a ``Literal`` field.
    """
    extra: dict[str, Any] = {"rule_ids": list(rule_ids), "title_en": title_en}
    if choice_labels:
        extra["choice_labels"] = dict(choice_labels)
    return Field(
        default,
        title=title,
        description=description,
        json_schema_extra=extra,
        **constraints,
    )


FieldKind = Literal["int", "decimal", "float", "bool", "choice", "text", "json"]


@dataclass(frozen=True)
class PolicyFieldSpec:
    """What a form or a page needs to know about one field."""

    name: str
    title: str
    title_en: str
    description: str
    rule_ids: tuple[str, ...]
    kind: FieldKind
    default: Any
    choices: tuple[tuple[str, str], ...] = ()
    minimum: Any = None
    maximum: Any = None

    def display(self, value: Any) -> str:
        """A value as a person reads it: choice labels, 是/否 for booleans."""
        if self.kind == "bool":
            return "是" if value else "否"
        if self.kind == "choice":
            labels = dict(self.choices)
            key = value.value if isinstance(value, enum.Enum) else value
            label = labels.get(str(key))
            return f"{label}（{key}）" if label and label != str(key) else str(key)
        if value is None:
            return "—"
        return str(value)


@dataclass(frozen=True)
class PolicySchemaEntry:
    key: str
    model: type[BaseModel]
    title_zh: str
    title_en: str
    fields: tuple[PolicyFieldSpec, ...] = field(default=())

    def field(self, name: str) -> PolicyFieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    def defaults(self) -> BaseModel:
        return self.model()

    def json_schema(self) -> dict[str, Any]:
        return self.model.model_json_schema()


_SCHEMAS: dict[str, PolicySchemaEntry] = {}
# kind → key → field → value. Kinds are ``kehu.core.org.models.CompanyKind`` values.
_PROFILES: dict[str, dict[str, dict[str, Any]]] = {}
# (key, kind) → ``baseline_values``: the models are frozen, so one validated object is shared
# (validating every default again cost ≈ 1.5 % of registering a visit, which reads two
# policies); emptied whenever a schema or a profile is registered.
_BASELINES: dict[tuple[str, str], tuple[BaseModel, Literal["default", "profile"]]] = {}


def register_policy_schema(
    key: str, model: type[BaseModel], title_zh: str, title_en: str
) -> PolicySchemaEntry:
    """Register ``model`` under ``key``. Registering the same model again is harmless;
    registering a different model under a taken key is a configuration error."""
    if not _KEY_PATTERN.match(key) or key in _RESERVED_KEYS:
        raise ImproperlyConfigured(
            f"Policy key {key!r} must be lower-case letters, digits and '_' "
            f"(and not one of {sorted(_RESERVED_KEYS)})."
        )
    existing = _SCHEMAS.get(key)
    if existing is not None:
        if existing.model is model:
            return existing
        raise ImproperlyConfigured(
            f"Policy key {key!r} is already registered by {existing.model.__module__}."
            f"{existing.model.__qualname__}."
        )
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ImproperlyConfigured(f"Policy schema for {key!r} must be a pydantic model.")
    specs = tuple(_field_spec(key, name, info) for name, info in model.model_fields.items())
    try:
        model()
    except ValidationError as exc:
        raise ImproperlyConfigured(f"Policy {key!r}: the defaults do not validate: {exc}") from exc
    entry = PolicySchemaEntry(
        key=key, model=model, title_zh=title_zh, title_en=title_en, fields=specs
    )
    _SCHEMAS[key] = entry
    _BASELINES.clear()
    for kind, keys in _PROFILES.items():
        if key in keys:
            _check_profile(kind, key, keys[key])
    return entry


def register_policy_profile(kind: str, key: str, overrides: Mapping[str, Any]) -> None:
    """Declare that companies of ``kind`` start from ``overrides`` instead of the rulebook's
    defaults for ``key``. Several calls for one kind and key merge."""
    merged = {**_PROFILES.setdefault(kind, {}).get(key, {}), **overrides}
    if key in _SCHEMAS:
        _check_profile(kind, key, merged)
    _PROFILES[kind][key] = merged
    _BASELINES.clear()


def _check_profile(kind: str, key: str, overrides: Mapping[str, Any]) -> None:
    try:
        _SCHEMAS[key].model.model_validate(dict(overrides))
    except ValidationError as exc:
        raise ImproperlyConfigured(
            f"Profile {kind!r} for policy {key!r} is invalid: {exc}"
        ) from exc


def policy_schema(key: str) -> PolicySchemaEntry:
    try:
        return _SCHEMAS[key]
    except KeyError:
        raise PolicyKeyUnknown(key) from None


def policy_schema_for_model(model: type[BaseModel]) -> PolicySchemaEntry:
    for entry in _SCHEMAS.values():
        if entry.model is model:
            return entry
    raise ImproperlyConfigured(f"{model.__qualname__} is not a registered policy schema.")


def policy_schemas() -> list[PolicySchemaEntry]:
    """Every registered schema, in registration order."""
    return list(_SCHEMAS.values())


def profile_overrides(kind: str, key: str) -> dict[str, Any]:
    """The profile's overrides of the defaults for one key (empty when the profile keeps the
    rulebook's defaults)."""
    return dict(_PROFILES.get(kind, {}).get(key, {}))


def profiles() -> dict[str, dict[str, dict[str, Any]]]:
    """A copy of every profile: kind → key → overrides."""
    return {kind: {k: dict(v) for k, v in keys.items()} for kind, keys in _PROFILES.items()}


def baseline_values(key: str, kind: str) -> tuple[BaseModel, Literal["default", "profile"]]:
    """What a company of ``kind`` uses for ``key`` before it has any version of its own."""
    if (key, kind) not in _BASELINES:
        entry = policy_schema(key)
        overrides = profile_overrides(kind, key)
        if overrides:
            _BASELINES[(key, kind)] = (entry.model.model_validate(overrides), "profile")
        else:
            _BASELINES[(key, kind)] = (entry.model(), "default")
    return _BASELINES[(key, kind)]


# --- field introspection ----------------------------------------------------------------------


def _field_spec(key: str, name: str, info: FieldInfo) -> PolicyFieldSpec:
    if info.is_required():
        raise ImproperlyConfigured(
            f"Policy {key!r} field {name!r} has no default: every policy setting needs the "
            "rulebook's default."
        )
    if not info.title:
        raise ImproperlyConfigured(
            f"Policy {key!r} field {name!r} needs a Chinese title (use policy_field)."
        )
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    raw_rule_ids = extra.get("rule_ids", [])
    rule_ids = tuple(str(r) for r in raw_rule_ids) if isinstance(raw_rule_ids, list) else ()
    raw_labels = extra.get("choice_labels", {})
    labels = {str(k): str(v) for k, v in raw_labels.items()} if isinstance(raw_labels, dict) else {}
    kind, choices = _kind_of(info.annotation, labels)
    minimum = maximum = None
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge | annotated_types.Gt):
            minimum = meta.ge if isinstance(meta, annotated_types.Ge) else meta.gt
        if isinstance(meta, annotated_types.Le | annotated_types.Lt):
            maximum = meta.le if isinstance(meta, annotated_types.Le) else meta.lt
    return PolicyFieldSpec(
        name=name,
        title=info.title,
        title_en=str(extra.get("title_en") or name),
        description=info.description or "",
        rule_ids=rule_ids,
        kind=kind,
        default=info.get_default(call_default_factory=True),
        choices=choices,
        minimum=minimum,
        maximum=maximum,
    )


def _kind_of(
    annotation: Any, labels: Mapping[str, str]
) -> tuple[FieldKind, tuple[tuple[str, str], ...]]:
    if annotation is bool:
        return "bool", ()
    if annotation is int:
        return "int", ()
    if annotation is Decimal:
        return "decimal", ()
    if annotation is float:
        return "float", ()
    if annotation is str:
        return "text", ()
    if typing.get_origin(annotation) is Literal:
        values = [str(v) for v in typing.get_args(annotation)]
        return "choice", tuple((v, labels.get(v, v)) for v in values)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        pairs = []
        for member in annotation:
            value = str(member.value)
            label = labels.get(value) or str(getattr(member, "label", "") or member.name)
            pairs.append((value, label))
        return "choice", tuple(pairs)
    return "json", ()


# --- validation messages ------------------------------------------------------------------------


def _quote(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _problem_text(
    spec: PolicyFieldSpec | None, error_type: str, ctx: Mapping[str, Any], msg: str
) -> tuple[str, str]:
    """What is wrong, in Chinese and in English (without the field's name)."""
    if error_type in {"int_parsing", "int_type", "int_from_float"}:
        return "必须是整数", "must be a whole number"
    if error_type in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return "必须是数字", "must be a number"
    if error_type in {"bool_parsing", "bool_type"}:
        return "必须是“是”或“否”", "must be yes or no"
    if error_type == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}", f"must be at least {ctx.get('ge')}"
    if error_type == "greater_than":
        return f"必须大于 {ctx.get('gt')}", f"must be greater than {ctx.get('gt')}"
    if error_type == "less_than_equal":
        return f"不能大于 {ctx.get('le')}", f"must be at most {ctx.get('le')}"
    if error_type == "less_than":
        return f"必须小于 {ctx.get('lt')}", f"must be less than {ctx.get('lt')}"
    if error_type == "multiple_of":
        return (
            f"必须是 {ctx.get('multiple_of')} 的倍数",
            f"must be a multiple of {ctx.get('multiple_of')}",
        )
    if error_type == "decimal_max_places":
        places = ctx.get("decimal_places")
        return f"小数不能超过 {places} 位", f"may have at most {places} decimal places"
    if error_type in {"decimal_max_digits", "decimal_whole_digits"}:
        return "位数过多", "has too many digits"
    if error_type in {"literal_error", "enum"}:
        if spec is not None and spec.choices:
            zh = "、".join(f"“{label}”" for _, label in spec.choices)
            en = ", ".join(f"“{value}”" for value, _ in spec.choices)
        else:
            zh = en = str(ctx.get("expected", ""))
        return f"只能是以下之一：{zh}", f"must be one of {en}"
    if error_type == "string_too_short":
        return (
            f"至少需要 {ctx.get('min_length')} 个字",
            f"needs at least {ctx.get('min_length')} characters",
        )
    if error_type == "string_too_long":
        return (
            f"不能超过 {ctx.get('max_length')} 个字",
            f"may have at most {ctx.get('max_length')} characters",
        )
    if error_type == "string_type":
        return "必须是文字", "must be text"
    if error_type == "string_pattern_mismatch":
        return "格式不正确", "has the wrong format"
    if error_type == "extra_forbidden":
        return "不是这项规则设置的设置项", "is not a setting of this policy"
    if error_type == "missing":
        return "必须填写", "is required"
    if error_type == "finite_number":
        return "必须是有限的数字", "must be a finite number"
    return f"取值无效（{msg}）", f"is invalid ({msg})"


def validation_problems(entry: PolicySchemaEntry, exc: ValidationError) -> list[dict[str, Any]]:
    """One problem per pydantic error, naming the field by its Chinese title."""
    problems: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error.get("loc", ())]
        name = loc[0] if loc else ""
        spec = entry.field(name)
        title_zh = spec.title if spec else name
        title_en = spec.title_en if spec else name
        sub = ".".join(loc[1:])
        if sub:
            title_zh, title_en = f"{title_zh}（{sub}）", f"{title_en} ({sub})"
        got = error.get("input")
        zh, en = _problem_text(spec, error["type"], error.get("ctx") or {}, error["msg"])
        showing_input = error["type"] not in {"missing", "extra_forbidden"} and not isinstance(
            got, dict | list
        )
        if showing_input:
            zh += f"（填写的是“{_quote(got)}”）"
            en += f" (got “{_quote(got)}”)"
        problems.append(
            {
                "field": name,
                "title": title_zh,
                "title_en": title_en,
                "type": error["type"],
                "message_zh": f"「{title_zh}」{zh}",
                "message_en": f"“{title_en}” {en}",
            }
        )
    return problems


def policy_validate(entry: PolicySchemaEntry, values: Mapping[str, Any]) -> BaseModel:
    """Validate a full set of values; raise ``PolicyValuesInvalid`` with Chinese messages."""
    try:
        return entry.model.model_validate(dict(values))
    except ValidationError as exc:
        problems = validation_problems(entry, exc)
        raise PolicyValuesInvalid(
            f"{entry.title_zh}设置有误：" + "；".join(p["message_zh"] for p in problems) + "。",
            f"{entry.title_en} settings are invalid: "
            + "; ".join(p["message_en"] for p in problems)
            + ".",
            problems,
        ) from exc
