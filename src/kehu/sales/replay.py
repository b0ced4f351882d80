"""``kehu rules sales --input FILE.json``: replay visits through the ownership rules.

The input holds optional policy overrides (``SalesSettings`` field names), the identity reading
of a full-name-only match, optional display names, and the cases — one visit each, with the
facts ``kehu.sales.rules.OwnershipFacts`` takes (fields mirror the engine's dataclasses)::

    {"policy": {"new_customer_after_days": 90},
     "identity": {"full_name_alone": "needs_confirmation"},
     "names": {"li": "李娜"},
     "cases": [{"id": "v1", "now": "2026-11-02T10:00:00+08:00",
                "visit": {"id": "v1", "arrived_at": "...", "receiver": "li"},
                "claims": [], "deal": null, "consents": [], "rulings": []}]}

The output is ``{"policy": ref, "decisions": [{"id": case id, **decision_as_json(d)}]}`` in
input order, each decision from the same ``decide_ownership`` the application uses. Times are
ISO 8601; a time without an offset is read as Asia/Shanghai. docs/rules-cli.md has examples.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from kehu.core.customers.rules import (
    FULL_NAME_ALONE_NEEDS_CONFIRMATION,
    RULE_IDENTITY,
    RULE_MANAGER_RULING,
    IdentityKey,
    IdentityMatch,
)
from kehu.core.errors import KehuError
from kehu.sales.policy import SalesSettings
from kehu.sales.rules import (
    LOCAL_TZ,
    Arrival,
    Claim,
    ClaimKind,
    Consent,
    Deal,
    Handling,
    Owner,
    OwnerKind,
    OwnershipFacts,
    PublicKind,
    Ruling,
    RulingKind,
    Share,
    ShareRole,
    Visit,
    decide_ownership,
    decision_as_json,
)

BAD_INPUT = "sales.replay_bad_input"
POLICY_DEFAULT_REF = "sales@default"
POLICY_FILE_REF = "file"


def _local(moment: dt.datetime) -> dt.datetime:
    """A time without an offset is the sales office's local time (Asia/Shanghai)."""
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


Moment = Annotated[dt.datetime, AfterValidator(_local)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OwnerIn(_Strict):
    kind: OwnerKind = OwnerKind.SALESPERSON
    salesperson: str = ""

    def build(self) -> Owner:
        return Owner(self.kind, self.salesperson)


class ShareIn(_Strict):
    party: OwnerIn
    role: ShareRole
    percent: Decimal = Field(max_digits=5, decimal_places=2)
    cancelled: bool = False

    def build(self) -> Share:
        return Share(self.party.build(), self.role, self.percent, self.cancelled)


class VisitIn(_Strict):
    id: str = Field(min_length=1)
    arrived_at: Moment
    receiver: str = Field(min_length=1)
    arrival: Arrival = Arrival.WALK_IN
    named: str | None = None
    named_present: bool = True
    helpers: list[str] = Field(default_factory=list)
    public_kind: PublicKind | None = None
    business_card_given: bool = False
    found_public_at: Moment | None = None
    registered_at: Moment | None = None
    came_for: str | None = None
    came_for_said_at: Moment | None = None
    handling: Handling | None = None
    receiver_knew: bool = False

    def build(self) -> Visit:
        return Visit(**{**self.model_dump(), "helpers": tuple(self.helpers)})


class MatchIn(_Strict):
    """The A7.4 grounds that matched; whether a full-name-only match needs the sales
    manager's confirmation follows the file's ``identity.full_name_alone``."""

    keys: list[IdentityKey] = Field(default_factory=list)
    matched_phones: list[str] = Field(default_factory=list)

    def build(self, full_name_alone: str) -> IdentityMatch:
        if not self.keys:
            return IdentityMatch()
        needs = (
            self.keys == [IdentityKey.FULL_NAME]
            and full_name_alone == FULL_NAME_ALONE_NEEDS_CONFIRMATION
        )
        return IdentityMatch(
            keys=tuple(self.keys),
            matched_phones=tuple(self.matched_phones),
            needs_confirmation=needs,
            rule_ids=(RULE_IDENTITY, RULE_MANAGER_RULING) if needs else (RULE_IDENTITY,),
        )


class ClaimIn(_Strict):
    id: str = Field(min_length=1)
    kind: ClaimKind
    holder: str = Field(min_length=1)
    since: Moment
    found_at: Moment
    found_by: str | None = None
    match: MatchIn = Field(default_factory=MatchIn)
    last_holder_visit_at: Moment | None = None
    deal_at: Moment | None = None
    holder_on_site: bool = True
    holder_reachable: bool = True
    public: bool = False

    def build(self, full_name_alone: str) -> Claim:
        fields = self.model_dump(exclude={"match"})
        return Claim(**fields, match=self.match.build(full_name_alone))


class DealIn(_Strict):
    id: str = Field(min_length=1)
    closer: str = Field(min_length=1)
    deposit_paid_at: Moment | None = None
    subscription_signed_at: Moment | None = None
    subscriber: str = ""

    def build(self) -> Deal:
        return Deal(**self.model_dump())


class ConsentIn(_Strict):
    holder: str = Field(min_length=1)
    receiver: str = Field(min_length=1)
    given: bool
    at: Moment

    def build(self) -> Consent:
        return Consent(**self.model_dump())


class RulingIn(_Strict):
    kind: RulingKind
    ruled_at: Moment
    ruled_by: str = Field(min_length=1)
    reason: str
    claim_id: str | None = None
    owner: OwnerIn | None = None
    shares: list[ShareIn] = Field(default_factory=list)

    def build(self) -> Ruling:
        return Ruling(
            kind=self.kind,
            ruled_at=self.ruled_at,
            ruled_by=self.ruled_by,
            reason=self.reason,
            claim_id=self.claim_id,
            owner=self.owner.build() if self.owner else None,
            shares=tuple(s.build() for s in self.shares),
        )


class CaseIn(_Strict):
    id: str = Field(min_length=1, max_length=200)
    now: Moment
    visit: VisitIn
    claims: list[ClaimIn] = Field(default_factory=list)
    deal: DealIn | None = None
    consents: list[ConsentIn] = Field(default_factory=list)
    rulings: list[RulingIn] = Field(default_factory=list)

    def build(self, full_name_alone: str) -> OwnershipFacts:
        return OwnershipFacts(
            now=self.now,
            visit=self.visit.build(),
            claims=tuple(c.build(full_name_alone) for c in self.claims),
            deal=self.deal.build() if self.deal else None,
            consents=tuple(c.build() for c in self.consents),
            rulings=tuple(r.build() for r in self.rulings),
        )


class IdentityIn(_Strict):
    full_name_alone: Literal["needs_confirmation", "decides"] = "needs_confirmation"


class ReplayInput(_Strict):
    policy: dict[str, Any] = Field(default_factory=dict)
    identity: IdentityIn = Field(default_factory=IdentityIn)
    names: dict[str, str] = Field(default_factory=dict)
    cases: list[Any]


def _input_error(details: Any, message_zh: str, message_en: str) -> KehuError:
    return KehuError(BAD_INPUT, message_zh, message_en, status=422, details=details)


def _pydantic_details(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    return [
        {"field": prefix + ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
        for error in exc.errors()
    ]


def _malformed(details: list[dict[str, str]], where_zh: str, where_en: str) -> KehuError:
    fields = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return _input_error(
        details,
        f"{where_zh}格式有误（{fields}）。格式见 docs/rules-cli.md。",
        f"{where_en} is malformed ({fields}). See docs/rules-cli.md for the format.",
    )


def load_input(path: Path) -> ReplayInput:
    """Read the file and check its top level; every problem is a ``KehuError`` (bad input)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _input_error(
            {"file": str(path)}, f"找不到输入文件：{path}", f"Input file not found: {path}"
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
        raise _malformed(_pydantic_details(exc), "输入", "The input") from None


def replay_policy(overrides: dict[str, Any]) -> SalesSettings:
    """The rulebook's defaults with ``overrides`` (field names of ``SalesSettings``)."""
    try:
        return SalesSettings.model_validate(overrides)
    except ValidationError as exc:
        details = _pydantic_details(exc, "policy.")
        fields = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise _input_error(
            details,
            f"规则设置有误（{fields}）。可用字段即案场销售规则设置的字段名。",
            f"Invalid policy settings ({fields}); use the field names of the sales policy.",
        ) from None


def replay_case(position: int, raw: dict[str, Any], full_name_alone: str) -> OwnershipFacts:
    """One case's facts, validated; errors name the case (id and position) and the field."""
    case_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    where = f"cases[{position}]" + (f" ({case_id})" if case_id else "")
    try:
        case = CaseIn.model_validate(raw)
    except ValidationError as exc:
        details = _pydantic_details(exc)
        for detail in details:
            detail["case"] = where
        raise _malformed(details, f"{where}：", where) from None
    try:
        return case.build(full_name_alone)
    except ValueError as exc:
        raise _input_error(
            {"case": where, "problem": str(exc)},
            f"{where}：事实自相矛盾或不完整（{exc}）。",
            f"{where}: the facts are inconsistent or incomplete ({exc}).",
        ) from None


def replay(data: ReplayInput) -> dict[str, Any]:
    """Every case's decision, in input order."""
    settings = replay_policy(data.policy)
    policy = settings.as_rules_policy()
    full_name_alone = data.identity.full_name_alone
    seen: set[str] = set()
    facts: list[tuple[str, OwnershipFacts]] = []
    for position, raw in enumerate(data.cases):
        if not isinstance(raw, dict):
            raise _input_error(
                {"case": f"cases[{position}]"},
                f"cases[{position}]：每个案例须是一个 JSON 对象。",
                f"cases[{position}]: each case is a JSON object.",
            )
        case_facts = replay_case(position, raw, full_name_alone)
        case_id = str(raw["id"])
        if case_id in seen:
            raise _input_error(
                {"case": f"cases[{position}] ({case_id})"},
                f"cases[{position}] ({case_id})：案例 id 重复。",
                f"cases[{position}] ({case_id}): duplicate case id.",
            )
        seen.add(case_id)
        facts.append((case_id, case_facts))
    decisions = [
        {"id": case_id, **decision_as_json(decide_ownership(item, policy, data.names))}
        for case_id, item in facts
    ]
    return {
        "policy": POLICY_FILE_REF if data.policy else POLICY_DEFAULT_REF,
        "decisions": decisions,
    }


def main(input_path: str | Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Entry point of ``kehu rules sales``: read ``input_path``, return every decision.
    ``options`` (the command's) are accepted for the common interface; ``--as-of`` does not
    apply (each case carries its own ``now``)."""
    return replay(load_input(Path(input_path)))
