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
    OwnershipPolicy,
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
POLICY_STORED_REF = "stored"


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
    """The A7.4 grounds that matched. Whether a full-name-only match needs the sales manager's
    confirmation follows the file's ``identity.full_name_alone`` unless the match says so
    itself (``needs_confirmation``, ``rule_ids``): a stored live decision carries the reading
    it was decided with, e.g. a customer the desk picked by name is a confirmed identity."""

    keys: list[IdentityKey] = Field(default_factory=list)
    matched_phones: list[str] = Field(default_factory=list)
    needs_confirmation: bool | None = None
    rule_ids: list[str] | None = None

    def build(self, full_name_alone: str) -> IdentityMatch:
        if not self.keys and self.needs_confirmation is None and self.rule_ids is None:
            return IdentityMatch()
        needs = self.needs_confirmation
        if needs is None:
            needs = (
                self.keys == [IdentityKey.FULL_NAME]
                and full_name_alone == FULL_NAME_ALONE_NEEDS_CONFIRMATION
            )
        rule_ids = self.rule_ids
        if rule_ids is None:
            rule_ids = [RULE_IDENTITY, RULE_MANAGER_RULING] if needs else [RULE_IDENTITY]
        return IdentityMatch(
            keys=tuple(self.keys),
            matched_phones=tuple(self.matched_phones),
            needs_confirmation=needs,
            rule_ids=tuple(rule_ids),
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
    # The sales policy the case was decided with: a key of the file's ``policies`` (an export
    # names the version each stored decision used); the file's ``policy`` overrides go on top.
    policy: str | None = Field(default=None, min_length=1, max_length=60)
    # The decision the live app stored for these facts (``--compare`` checks the replay with it).
    stored: dict[str, Any] | None = None
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
    # Policy versions by reference (``sales@v3``: every field's value), for cases that name one.
    policies: dict[str, dict[str, Any]] = Field(default_factory=dict)
    identity: IdentityIn = Field(default_factory=IdentityIn)
    names: dict[str, str] = Field(default_factory=dict)
    # Where an export came from (company, site, period, skipped decisions); not read by replay.
    source: dict[str, Any] | None = None
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


def replay_policy(overrides: dict[str, Any], base: dict[str, Any] | None = None) -> SalesSettings:
    """The rulebook's defaults, then ``base`` (a stored version's values), then ``overrides``
    (field names of ``SalesSettings``)."""
    try:
        return SalesSettings.model_validate({**(base or {}), **overrides})
    except ValidationError as exc:
        details = _pydantic_details(exc, "policy.")
        fields = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise _input_error(
            details,
            f"规则设置有误（{fields}）。可用字段即案场销售规则设置的字段名。",
            f"Invalid policy settings ({fields}); use the field names of the sales policy.",
        ) from None


def replay_case(
    position: int, raw: dict[str, Any], full_name_alone: str
) -> tuple[CaseIn, OwnershipFacts]:
    """One case and its facts, validated; errors name the case (id and position) and the
    field."""
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
        return case, case.build(full_name_alone)
    except ValueError as exc:
        raise _input_error(
            {"case": where, "problem": str(exc)},
            f"{where}：事实自相矛盾或不完整（{exc}）。",
            f"{where}: the facts are inconsistent or incomplete ({exc}).",
        ) from None


# Compared by ``--compare``: every field of a decision but its wording, which depends on the
# names in the file (an export takes today's names; a salesperson may have been renamed since).
NOT_COMPARED = frozenset({"explanation_zh", "explanation_key", "explanation_params"})


def _case_policies(data: ReplayInput) -> dict[str | None, OwnershipPolicy]:
    """The engine policy of each policy reference the file holds (``None``: no reference)."""
    policies: dict[str | None, OwnershipPolicy] = {
        None: replay_policy(data.policy).as_rules_policy()
    }
    for ref, values in data.policies.items():
        try:
            policies[ref] = replay_policy(data.policy, values).as_rules_policy()
        except KehuError as exc:
            raise _input_error(
                {"policies": ref, "problems": exc.details},
                f"policies[{ref}]：{exc.message_zh}",
                f"policies[{ref}]: {exc.message_en}",
            ) from None
    return policies


def _policy_label(data: ReplayInput, case_policy: str | None) -> str:
    if case_policy is None:
        return POLICY_FILE_REF if data.policy else POLICY_DEFAULT_REF
    return f"{case_policy}+{POLICY_FILE_REF}" if data.policy else case_policy


def replay_decisions(data: ReplayInput) -> list[tuple[CaseIn, dict[str, Any]]]:
    """Every case with its replayed decision (as JSON), in input order."""
    policies = _case_policies(data)
    full_name_alone = data.identity.full_name_alone
    seen: set[str] = set()
    facts: list[tuple[CaseIn, OwnershipFacts]] = []
    for position, raw in enumerate(data.cases):
        if not isinstance(raw, dict):
            raise _input_error(
                {"case": f"cases[{position}]"},
                f"cases[{position}]：每个案例须是一个 JSON 对象。",
                f"cases[{position}]: each case is a JSON object.",
            )
        case, case_facts = replay_case(position, raw, full_name_alone)
        where = f"cases[{position}] ({case.id})"
        if case.id in seen:
            raise _input_error(
                {"case": where},
                f"{where}：案例 id 重复。",
                f"{where}: duplicate case id.",
            )
        if case.policy is not None and case.policy not in policies:
            raise _input_error(
                {"case": where, "field": "policy"},
                f"{where}：规则设置“{case.policy}”不在文件的 policies 中。",
                f"{where}: policy {case.policy!r} is not among the file's policies.",
            )
        seen.add(case.id)
        facts.append((case, case_facts))
    decided = []
    for case, item in facts:
        decision = decision_as_json(decide_ownership(item, policies[case.policy], data.names))
        head: dict[str, Any] = {"id": case.id}
        if case.policy is not None:
            head["policy"] = _policy_label(data, case.policy)
        decided.append((case, {**head, **decision}))
    return decided


def _overall_policy(data: ReplayInput) -> str:
    if any(isinstance(c, dict) and c.get("policy") for c in data.cases):
        return f"{POLICY_STORED_REF}+{POLICY_FILE_REF}" if data.policy else POLICY_STORED_REF
    return POLICY_FILE_REF if data.policy else POLICY_DEFAULT_REF


def replay(data: ReplayInput) -> dict[str, Any]:
    """Every case's decision, in input order."""
    decisions = [decision for _case, decision in replay_decisions(data)]
    return {"policy": _overall_policy(data), "decisions": decisions}


def decision_differences(stored: dict[str, Any], replayed: dict[str, Any]) -> list[str]:
    """The fields of a decision (as JSON) that differ, in the decision's order; ``--compare``
    leaves out ``NOT_COMPARED``."""
    fields = [k for k in stored if k not in NOT_COMPARED]
    fields += [k for k in replayed if k not in stored and k not in NOT_COMPARED]
    return [k for k in fields if k not in ("id", "policy") and stored.get(k) != replayed.get(k)]


def replay_compare(data: ReplayInput) -> dict[str, Any]:
    """Replay every case and compare it with the decision stored with it (``stored``): the
    cases whose replayed decision differs, field by field. With the policies a stored decision
    used and no overrides, nothing differs; with an override (``policy``), the differences are
    what the change would have decided on those days."""
    differences = []
    compared = 0
    not_compared = []
    for case, decision in replay_decisions(data):
        if case.stored is None:
            not_compared.append(case.id)
            continue
        compared += 1
        changed = decision_differences(case.stored, decision)
        if changed:
            differences.append(
                {
                    "id": case.id,
                    "visit_id": decision["visit_id"],
                    "policy": decision.get("policy", _policy_label(data, case.policy)),
                    "fields": changed,
                    "stored": {k: case.stored.get(k) for k in changed},
                    "replayed": {k: decision.get(k) for k in changed},
                }
            )
    return {
        "policy": _overall_policy(data),
        "compared": compared,
        "same": compared - len(differences),
        "different": len(differences),
        "not_compared": not_compared,
        "differences": differences,
    }


def main(input_path: str | Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Entry point of ``kehu rules sales``: read ``input_path`` and return every decision, or
    with ``--compare`` the decisions that differ from the stored ones. ``--as-of`` does not
    apply (each case carries its own ``now``)."""
    data = load_input(Path(input_path))
    if options and options.get("compare"):
        return replay_compare(data)
    return replay(data)


def export(options: dict[str, Any]) -> dict[str, Any]:
    """``kehu rules sales --export``: the stored decisions of a period as a replay input."""
    from kehu.sales.replay_export import export_from_options

    return export_from_options(options)
