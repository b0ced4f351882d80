"""System checks: every profile names a registered key and a known kind of company."""

from __future__ import annotations

from typing import Any

from django.core import checks

from kehu.core.org.models import CompanyKind
from kehu.core.policy.registry import policy_schemas, profiles


def check_policy_registry(app_configs: Any = None, **_: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    keys = {entry.key for entry in policy_schemas()}
    kinds = set(CompanyKind.values)
    for kind, by_key in profiles().items():
        if kind not in kinds:
            problems.append(
                checks.Error(
                    f"Policy profile for unknown company kind {kind!r}.",
                    hint=f"Use one of {sorted(kinds)}.",
                    id="policy.E001",
                )
            )
        for key in by_key:
            if key not in keys:
                problems.append(
                    checks.Error(
                        f"Policy profile {kind!r} overrides {key!r}, which no app registers.",
                        hint="Register the schema (register_policy_schema) in the app's policy.py.",
                        id="policy.E002",
                    )
                )
    return problems
