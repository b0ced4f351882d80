"""Pure rules of the dispute queue and the sales manager's rulings (A7.20). No Django, no I/O.

- ``award_shares``: an award's shares (A7.20) — each party once, each share above 0% and at most
  100% with at most two decimals, together exactly 100% (shares of one deal always add up to
  100%, Part S "Ownership"). The awarded owner's share is its ``owner`` role (``sole`` when it
  is the only party); another salesperson's is the ``closer`` role (reading: whoever else the
  manager gives a share took part in the sale); the sales department's is ``department``.
- ``claims_of_decision``: the competing claims a stored decision turned on, with the A7.4 keys
  that matched, read from the decision's facts (replay format) or, for decisions stored before
  facts were kept, from its claim ids.
- ``involved_salespeople``: who a decision is about — the receiver, the owner before and after,
  the holders of the claims, the parties of the deal's shares. Only they may dispute it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from kehu.sales.rules import (
    SALES_DEPARTMENT,
    Owner,
    OwnerKind,
    Share,
    ShareRole,
    check_shares,
)

A7_20 = "A7.20"
A7_4 = "A7.4"
HUNDRED = Decimal("100")


class SharesProblem(StrEnum):
    EMPTY = "empty"
    PERCENT = "percent"  # not a number, ≤ 0, > 100 or more than two decimals
    DUPLICATE = "duplicate"
    SUM = "sum"
    PARTY = "party"  # a group-buy party or a malformed one


class SharesInvalid(ValueError):
    def __init__(self, problem: SharesProblem, total: Decimal | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.total = total


def parse_percent(raw: object) -> Decimal:
    """A share's percent as typed (``"80"``, ``80``, ``"33.33"``) → Decimal; refuses floats'
    noise beyond two decimals, non-numbers, zero and more than 100."""
    try:
        value = Decimal(str(raw).strip().rstrip("%"))
    except (InvalidOperation, ValueError) as error:
        raise SharesInvalid(SharesProblem.PERCENT) from error
    if not value.is_finite() or value <= 0 or value > HUNDRED:
        raise SharesInvalid(SharesProblem.PERCENT)
    if value != value.quantize(Decimal("0.01")):
        raise SharesInvalid(SharesProblem.PERCENT)
    return value.quantize(Decimal("0.01"))


def award_shares(owner: Owner, entries: Sequence[tuple[Owner, Decimal]]) -> tuple[Share, ...]:
    """An award's shares (A7.20): exactly 100% in all, each party once."""
    if not entries:
        raise SharesInvalid(SharesProblem.EMPTY)
    seen: set[Owner] = set()
    for party, percent in entries:
        if party.kind == OwnerKind.GROUP_BUY:
            raise SharesInvalid(SharesProblem.PARTY)
        if party in seen:
            raise SharesInvalid(SharesProblem.DUPLICATE)
        seen.add(party)
        if percent <= 0 or percent > HUNDRED:
            raise SharesInvalid(SharesProblem.PERCENT)
    total = sum((p for _, p in entries), Decimal("0"))
    if total != HUNDRED:
        raise SharesInvalid(SharesProblem.SUM, total)
    alone = len(entries) == 1
    shares = tuple(
        Share(party, _role(party, owner, alone=alone), percent) for party, percent in entries
    )
    check_shares(shares)
    return shares


def _role(party: Owner, owner: Owner, *, alone: bool) -> ShareRole:
    if party == SALES_DEPARTMENT:
        return ShareRole.DEPARTMENT
    if party == owner:
        return ShareRole.SOLE if alone else ShareRole.OWNER
    return ShareRole.SOLE if alone else ShareRole.CLOSER


# --- the claims a decision turned on ------------------------------------------------------------


@dataclass(frozen=True)
class ClaimView:
    """One competing claim as the queue shows it."""

    id: str
    kind: str  # ClaimKind value, or "" when unknown
    holder: str  # staff id as text
    keys: tuple[str, ...]  # the A7.4 keys that matched (IdentityKey values)
    pending: bool  # awaiting the sales manager's confirmation (full name only)
    governing: bool  # the claim the decision turned on
    since: str = ""  # ISO time, when known
    found_at: str = ""
    customer_id: int | None = None  # the other customer record, for ``customer:…`` claims
    rule_ids: tuple[str, ...] = field(default=(A7_4,))


def _facts_case(facts: Mapping[str, Any]) -> Mapping[str, Any]:
    if "cases" in facts and isinstance(facts["cases"], list) and facts["cases"]:
        first = facts["cases"][0]
        return first if isinstance(first, Mapping) else {}
    return facts


def claim_customer_id(claim_id: str) -> int | None:
    """``customer:12:staff:3`` (the reception flow's registration claims) → 12."""
    parts = claim_id.split(":")
    if len(parts) >= 2 and parts[0] == "customer" and parts[1].isdigit():
        return int(parts[1])
    return None


def _holder_from_id(claim_id: str) -> str:
    parts = claim_id.split(":")
    if "staff" in parts:
        at = parts.index("staff")
        if at + 1 < len(parts):
            return parts[at + 1]
    return ""


def _kind_from_id(claim_id: str) -> str:
    head = claim_id.split(":", 1)[0]
    return {
        "customer": "registered",
        "phone": "phone_enquiry",
        "prereg": "pre_registration",
        "pre_registration": "pre_registration",
    }.get(head, "")


def claims_of_decision(
    detail: Mapping[str, Any], facts: Mapping[str, Any] | None
) -> list[ClaimView]:
    """The competing claims of a stored decision, pending ones first (A7.4, A7.20)."""
    pending_ids = [str(c) for c in detail.get("pending_claim_ids") or []]
    governing = str(detail.get("claim_id") or "")
    views: list[ClaimView] = []
    case = _facts_case(facts or {})
    for raw in case.get("claims") or []:
        if not isinstance(raw, Mapping) or not raw.get("id"):
            continue
        claim_id = str(raw["id"])
        match = raw.get("match") or {}
        keys = tuple(str(k) for k in (match.get("keys") or []))
        pending = claim_id in pending_ids
        views.append(
            ClaimView(
                id=claim_id,
                kind=str(raw.get("kind", "")),
                holder=str(raw.get("holder", "")),
                keys=keys,
                pending=pending,
                governing=claim_id == governing,
                since=str(raw.get("since") or ""),
                found_at=str(raw.get("found_at") or ""),
                customer_id=claim_customer_id(claim_id),
                rule_ids=(A7_4, A7_20) if pending else (A7_4,),
            )
        )
    known = {v.id for v in views}
    for claim_id in [*pending_ids, governing]:
        if not claim_id or claim_id in known:
            continue
        known.add(claim_id)
        pending = claim_id in pending_ids
        views.append(
            ClaimView(
                id=claim_id,
                kind=_kind_from_id(claim_id),
                holder=_holder_from_id(claim_id),
                # a pending claim is pending because only the full name matched (A7.4 reading)
                keys=("full_name",) if pending else (),
                pending=pending,
                governing=claim_id == governing,
                customer_id=claim_customer_id(claim_id),
                rule_ids=(A7_4, A7_20) if pending else (A7_4,),
            )
        )
    views.sort(key=lambda v: (not v.pending, not v.governing, v.since, v.id))
    return views


def _owner_salesperson(raw: object) -> str:
    if isinstance(raw, Mapping) and raw.get("kind") == OwnerKind.SALESPERSON.value:
        return str(raw.get("salesperson") or "")
    return ""


def involved_salespeople(
    *,
    receiver: str,
    helpers: Iterable[object] = (),
    owner_before: object = None,
    owner_after: object = None,
    detail: Mapping[str, Any] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> frozenset[str]:
    """The salespeople a decision is about (staff ids as text): only they may dispute it."""
    ids = {receiver, *(str(h) for h in helpers)}
    ids.add(_owner_salesperson(owner_before))
    ids.add(_owner_salesperson(owner_after))
    detail = detail or {}
    for claim in claims_of_decision(detail, facts):
        ids.add(claim.holder)
    deal = detail.get("deal") or {}
    if isinstance(deal, Mapping):
        for share in deal.get("shares") or []:
            if isinstance(share, Mapping):
                ids.add(_owner_salesperson(share.get("party")))
    return frozenset(i for i in ids if i)
