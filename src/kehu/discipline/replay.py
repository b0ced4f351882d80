"""``kehu rules discipline --input FILE.json``: replay a list of entries through the rules.

The input names the date of the standing, optional policy overrides and the entries::

    {"as_of": "2026-12-31",
     "policy": {"accumulation_window_months": 12},
     "entries": [{"id": "c1", "kind": "criticism", "on": "2026-01-05"}, ...]}

The output is the standing as the API shows it (``selectors.standing_as_json``): counts,
derived facts with the ids and rule IDs they came from, proposals with their keys, fines,
bonuses, points, and the explanation steps. The same ``rules.standing`` computes both, so a
replay of an employee's ledger rows (id = the row's id) gives exactly what the API shows.
docs/rules-cli.md has worked examples.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kehu.core.errors import KehuError
from kehu.discipline import rules
from kehu.discipline.errors import DisciplineError, DisciplineErrorCode
from kehu.discipline.policy import DisciplineSettings
from kehu.discipline.selectors import standing_as_json
from kehu.discipline.services import entry_kind, entry_shape_check


class ReplayEntry(BaseModel):
    """One entry as the rules see it (``rules.Entry``), plus an optional reason for humans."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    kind: str
    on: dt.date
    seq: int | None = Field(None, description="order among entries of one day; default: position")
    amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    points: int | None = None
    failure_type: int | None = None
    refs: list[str] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)
    reason: str = ""

    @field_validator("refs", mode="before")
    @classmethod
    def _refs_as_text(cls, value: Any) -> Any:
        # Ledger ids are numbers in the database; accept them as numbers or text.
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value


class ReplayInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: dt.date
    policy: dict[str, Any] = Field(default_factory=dict)
    entries: list[ReplayEntry]


def _input_error(details: Any, message_zh: str, message_en: str) -> DisciplineError:
    return DisciplineError(
        DisciplineErrorCode.BAD_INPUT, message_zh, message_en, status=422, details=details
    )


def _pydantic_details(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    return [
        {
            "field": prefix + ".".join(str(part) for part in error["loc"]),
            "message": error["msg"],
        }
        for error in exc.errors()
    ]


def load_input(path: Path) -> ReplayInput:
    """Read and validate the input file; every problem is a ``DisciplineError`` (bad_input)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _input_error(
            {"file": str(path)},
            f"找不到输入文件：{path}",
            f"Input file not found: {path}",
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _input_error(
            {"file": str(path), "problem": str(exc)},
            f"输入文件不是有效的 UTF-8 JSON：{exc}",
            f"The input file is not valid UTF-8 JSON: {exc}",
        ) from None
    try:
        return ReplayInput.model_validate(raw)
    except ValidationError as exc:
        details = _pydantic_details(exc)
        fields = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise _input_error(
            details,
            f"输入格式有误（{fields}）。格式见 docs/rules-cli.md。",
            f"The input is malformed ({fields}). See docs/rules-cli.md for the format.",
        ) from None


def replay_policy(overrides: dict[str, Any]) -> DisciplineSettings:
    """The rulebook's defaults with ``overrides`` (field names of ``DisciplineSettings``)."""
    try:
        return DisciplineSettings.model_validate(overrides)
    except ValidationError as exc:
        details = _pydantic_details(exc, "policy.")
        fields = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise _input_error(
            details,
            f"规则设置有误（{fields}）。可用字段即奖惩规则设置的字段名。",
            f"Invalid policy settings ({fields}); use the field names of the discipline policy.",
        ) from None


def replay_entries(data: ReplayInput) -> list[rules.Entry]:
    """The input entries as ``rules.Entry``, checked like ledger entries are."""
    seen: set[str] = set()
    entries: list[rules.Entry] = []
    for position, item in enumerate(data.entries):
        where = f"entries[{position}] ({item.id})"
        if item.id in seen:
            raise _input_error(
                {"entry": where},
                f"{where}：条目 id 重复。",
                f"{where}: duplicate entry id.",
            )
        seen.add(item.id)
        try:
            kind = entry_kind(item.kind)
            entry_shape_check(
                kind=kind,
                amount=item.amount,
                points=item.points,
                failure_type=item.failure_type,
                refs=item.refs,
            )
        except KehuError as exc:
            raise _input_error(
                {"entry": where}, f"{where}：{exc.message_zh}", f"{where}: {exc.message_en}"
            ) from None
        entries.append(
            rules.Entry(
                id=item.id,
                kind=kind,
                on=item.on,
                seq=item.seq if item.seq is not None else position,
                amount=item.amount,
                points=item.points,
                failure_type=item.failure_type,
                refs=tuple(item.refs),
                rule_ids=tuple(item.rule_ids),
            )
        )
    for item in data.entries:
        if item.kind == rules.Kind.REVERSAL and item.refs[0] not in seen:
            raise _input_error(
                {"entry": item.id},
                f"撤销条目 {item.id} 引用的条目 {item.refs[0]} 不在输入中。",
                f"Reversal {item.id} names entry {item.refs[0]}, which is not in the input.",
            )
    return entries


def replay(data: ReplayInput) -> dict[str, Any]:
    """The standing of ``data`` as JSON values (the API's standing shape)."""
    policy = replay_policy(data.policy)
    result = rules.standing(replay_entries(data), policy.as_rules_policy(), data.as_of)
    output = standing_as_json(result)
    if data.policy:
        output["policy_ref"] = "discipline@replay"
        output["policy"] = policy.model_dump(mode="json")
    else:
        output["policy_ref"] = "discipline@default"
    return output


def main(input_path: str | Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Entry point of ``kehu rules discipline``: read ``input_path``, return the standing.
    ``options["as_of"]`` (a date or ISO text), when given, overrides the file's ``as_of``."""
    data = load_input(Path(input_path))
    as_of = (options or {}).get("as_of")
    if as_of:
        try:
            day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise _input_error(
                {"as_of": str(as_of)},
                f"截至日期“{as_of}”不是 YYYY-MM-DD 格式。",
                f"as_of {as_of!r} is not a YYYY-MM-DD date.",
            ) from None
        data = data.model_copy(update={"as_of": day})
    return replay(data)
