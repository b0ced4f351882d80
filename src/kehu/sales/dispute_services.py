"""Disputes and the sales manager's rulings (A7.20), one transaction each.

- ``dispute_raise``: a salesperson involved in an ownership decision about their customer says
  they disagree, with a reason. The decision joins the sales manager's queue. Append-only row
  plus a ledger entry (stream ``decisions``).
- ``dispute_rule``: the sales manager rules on a decision that is pending (the rules could not
  settle it: a full-name-only match, a tie) or disputed — *same customer* / *different customer*
  for a full-name-only match, or an *award* (owner and optional shares summing to 100%) — with a
  mandatory reason. Stored as a ``RulingRecord``: final (a second ruling on the same decision is
  refused, by the code and by a unique constraint). The visit is then decided again by the
  reception flow (``visit_redecide(..., cause="ruling", ruling=record)``), the new decision
  citing A7.20; a deal's commission follows (``commission_sync``). Ledger entry and audit event
  in the same transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.ledger.rules import Stream
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.sales import dispute_errors as errors
from kehu.sales import dispute_rules
from kehu.sales import reception_services as reception
from kehu.sales.models.dispute import DisputeRequest
from kehu.sales.models.reception import (
    DecisionOutcome,
    OwnershipDecision,
    RulingKindChoice,
    RulingRecord,
    Visit,
)
from kehu.sales.rules import SALES_DEPARTMENT, Owner, OwnerKind

PERM_RULE = "sales.rule_dispute"
RULING_SUBJECT = "sales.rulingrecord"
DISPUTE_SUBJECT = "sales.disputerequest"
REASON_MAX = 2000


@dataclass(frozen=True)
class RulingResult:
    """What a ruling did: the record, the decision it produced, the commission lines."""

    ruling: RulingRecord
    decision: OwnershipDecision | None
    commission: list[Any] = field(default_factory=list)
    commission_synced: bool = False


def _reason(raw: str) -> str:
    reason = (raw or "").strip()
    if not reason:
        raise errors.reason_required()
    return reason[:REASON_MAX]


def _decision_for(actor: Staff, decision_id: int) -> OwnershipDecision:
    if not actor.active:
        raise errors.decision_not_found()
    decision = (
        OwnershipDecision.objects.select_related("visit", "customer")
        .filter(company_id=actor.company_id, pk=decision_id)
        .first()
    )
    if decision is None:
        raise errors.decision_not_found()
    return decision


def _lock_visit(decision: OwnershipDecision) -> Visit:
    """Rulings and disputes of one visit queue behind each other (row lock on the visit, the
    same lock the reception flow takes first)."""
    return Visit.objects.select_for_update(of=("self",)).get(pk=decision.visit_id)


def _latest_successor(decision: OwnershipDecision) -> OwnershipDecision | None:
    return (
        OwnershipDecision.objects.filter(supersedes=decision).order_by("-decided_at", "-pk").first()
    )


def _existing_ruling(decision: OwnershipDecision) -> RulingRecord | None:
    return RulingRecord.objects.select_related("ruled_by").filter(decision=decision).first()


def decision_involves(decision: OwnershipDecision, staff: Staff) -> bool:
    """Whether ``staff`` is one of the salespeople the decision is about."""
    visit = decision.visit
    involved = dispute_rules.involved_salespeople(
        receiver=str(visit.receiver_id),
        helpers=visit.helpers or (),
        owner_before=decision.owner_before,
        owner_after=decision.owner_after,
        detail=decision.detail,
        facts=decision.facts,
    )
    customer = decision.customer
    if customer is not None and customer.owner_id == staff.pk:
        return True
    return str(staff.pk) in involved


@transaction.atomic
def dispute_raise(
    *, actor: Staff, decision_id: int, reason: str, request: HttpRequest | None = None
) -> DisputeRequest:
    """A salesperson disputes a decision about their customer; the sales manager will rule
    (A7.20). Only the latest decision of a visit, and never one that follows a ruling."""
    decision = _decision_for(actor, decision_id)
    if not decision_involves(decision, actor):
        raise errors.decision_not_found()  # not theirs to see: no hint that it exists
    reason = _reason(reason)
    _lock_visit(decision)
    successor = _latest_successor(decision)
    if successor is not None:
        raise errors.superseded(latest_id=successor.pk)
    if decision.ruling_id is not None or _existing_ruling(decision) is not None:
        raise errors.ruled_decision_final()
    earlier = DisputeRequest.objects.filter(decision=decision, raised_by=actor).first()
    if earlier is not None:
        raise errors.already_raised(raised_at=earlier.raised_at)
    now = timezone.now()
    row = DisputeRequest.objects.create(
        company_id=actor.company_id,
        decision=decision,
        visit_id=decision.visit_id,
        customer_id=decision.customer_id,
        reason=reason,
        raised_by=actor,
        raised_at=now,
    )
    ledger_append(
        company=actor.company,
        stream=Stream.DECISIONS,
        kind="ownership_dispute",
        payload={
            "dispute_id": row.pk,
            "decision_id": decision.pk,
            "visit_id": decision.visit_id,
            "customer_id": decision.customer_id,
            "raised_by": actor.pk,
            "reason": reason,
            "rule_ids": [dispute_rules.A7_20],
        },
        recorded_by=actor.user,
        subject=(DISPUTE_SUBJECT, row.pk),
    )
    return row


# --- the ruling -----------------------------------------------------------------------------


def _check_salesperson(actor: Staff, owner: Owner) -> None:
    if owner.kind == OwnerKind.SALES_DEPARTMENT:
        return
    if owner.kind != OwnerKind.SALESPERSON or not owner.salesperson.isdigit():
        raise errors.owner_invalid()
    exists = Staff.objects.filter(
        company_id=actor.company_id,
        pk=int(owner.salesperson),
        active=True,
        post=Post.SALESPERSON,
    ).exists()
    if not exists:
        raise errors.owner_invalid()


_SHARES_MESSAGES: dict[dispute_rules.SharesProblem, tuple[str, str]] = {
    dispute_rules.SharesProblem.EMPTY: ("请填写分成。", "Give the shares."),
    dispute_rules.SharesProblem.PERCENT: (
        "每一份分成须大于0%、不超过100%，最多两位小数。",
        "Each share must be above 0% and at most 100%, with at most two decimals.",
    ),
    dispute_rules.SharesProblem.DUPLICATE: (
        "同一归属只能出现一次。",
        "Each party may appear only once.",
    ),
    dispute_rules.SharesProblem.PARTY: (
        "分成只能给售楼员或销售部。",
        "Shares go to salespeople or the sales department only.",
    ),
}


def _award_shares(
    actor: Staff, owner: Owner, entries: Sequence[tuple[Owner, Decimal]]
) -> list[dict[str, object]]:
    for party, _percent in entries:
        _check_salesperson(actor, party)
    try:
        shares = dispute_rules.award_shares(owner, entries)
    except dispute_rules.SharesInvalid as invalid:
        if invalid.problem == dispute_rules.SharesProblem.SUM:
            total = f"{invalid.total.normalize():f}" if invalid.total is not None else "?"
            raise errors.shares_invalid(
                f"分成合计须为100%，现为{total}%（A7.20）。",
                f"The shares must add up to 100%, not {total}% (A7.20).",
            ) from invalid
        zh, en = _SHARES_MESSAGES[invalid.problem]
        raise errors.shares_invalid(zh, en) from invalid
    return [s.as_json() for s in shares]


def _redecide() -> Callable[..., Any] | None:
    """The reception flow's ``visit_redecide`` (another module's; None until it is there)."""
    return getattr(reception, "visit_redecide", None)


def _deal_services() -> Any | None:
    """The deals module (``commission_sync`` follows a ruling on a visit that has a deal), when
    installed."""
    try:
        return importlib.import_module("kehu.sales.deal_services")
    except ImportError:
        return None


def _has_deal(decision: OwnershipDecision, deals: Any) -> bool:
    """Whether the decision shares a deal: its ``deal`` link, or the deal its shares name (a
    decision made again after the deal)."""
    name_of = getattr(deals, "decision_deal_id", None)
    if callable(name_of):
        return name_of(decision) is not None
    shares = decision.shares if isinstance(decision.shares, dict) else {}
    return decision.deal_id is not None or bool(shares.get("deal_id"))


@transaction.atomic
def dispute_rule(
    *,
    actor: Staff,
    decision_id: int,
    kind: str,
    reason: str,
    claim_id: str = "",
    owner: Owner | None = None,
    shares: Sequence[tuple[Owner, Decimal]] = (),
    request: HttpRequest | None = None,
) -> RulingResult:
    """The sales manager's ruling (A7.20): final, with its reason, and the visit decided again."""
    if not staff_has_perm(actor, PERM_RULE):
        raise errors.may_not_rule()
    try:
        ruling_kind = RulingKindChoice(kind)
    except ValueError as error:
        raise errors.kind_invalid() from error
    decision = _decision_for(actor, decision_id)
    reason = _reason(reason)
    _lock_visit(decision)
    earlier = _existing_ruling(decision)
    if earlier is not None:
        raise errors.ruling_final(ruled_by=earlier.ruled_by.name, ruled_at=earlier.ruled_at)
    successor = _latest_successor(decision)
    if successor is not None:
        raise errors.superseded(latest_id=successor.pk)
    disputed = DisputeRequest.objects.filter(decision=decision).exists()
    if decision.outcome != DecisionOutcome.PENDING and not disputed:
        raise errors.nothing_to_rule()
    owner_json: dict[str, str] | None = None
    shares_json: list[dict[str, object]] = []
    claim = (claim_id or "").strip()
    if ruling_kind == RulingKindChoice.AWARD:
        if owner is None:
            raise errors.owner_required()
        _check_salesperson(actor, owner)
        owner_json = owner.as_json()
        if shares:
            shares_json = _award_shares(actor, owner, shares)
        claim = ""
    else:
        if owner is not None or shares:
            raise errors.not_for_award()
        pending = [str(c) for c in (decision.detail or {}).get("pending_claim_ids") or []]
        if not pending:
            raise errors.no_name_match()
        if claim and claim not in pending:
            raise errors.claim_unknown(claim)
    now = timezone.now()
    try:
        with transaction.atomic():
            record = RulingRecord.objects.create(
                company_id=actor.company_id,
                decision=decision,
                visit_id=decision.visit_id,
                kind=ruling_kind.value,
                claim_id=claim,
                owner=owner_json,
                shares=shares_json,
                reason=reason,
                ruled_by=actor,
                ruled_at=now,
            )
    except IntegrityError as error:  # another manager's ruling won the race: it is final
        earlier = _existing_ruling(decision)
        if earlier is None:
            raise
        raise errors.ruling_final(
            ruled_by=earlier.ruled_by.name, ruled_at=earlier.ruled_at
        ) from error
    ledger_append(
        company=actor.company,
        stream=Stream.DECISIONS,
        kind="ownership_ruling",
        payload={
            "ruling_id": record.pk,
            "decision_id": decision.pk,
            "visit_id": decision.visit_id,
            "customer_id": decision.customer_id,
            "kind": record.kind,
            "claim_id": claim,
            "owner": owner_json,
            "shares": shares_json,
            "reason": reason,
            "ruled_by": actor.pk,
            "rule_ids": [dispute_rules.A7_20],
        },
        recorded_by=actor.user,
        subject=(RULING_SUBJECT, record.pk),
    )
    redecide = _redecide()
    if redecide is None:
        raise errors.redecide_unavailable()
    done = redecide(actor=actor, visit_id=decision.visit_id, cause="ruling", ruling=record)
    new_decision: OwnershipDecision | None = getattr(done, "decision", None)
    commission: list[Any] = []
    synced = False
    deals = _deal_services()
    sync = getattr(deals, "commission_sync", None)
    if new_decision is not None and callable(sync) and _has_deal(new_decision, deals):
        commission = list(sync(actor=actor, decision=new_decision))
        synced = True
    audit_record(
        action=AuditAction.OWNERSHIP_RULING,
        actor=actor.user,
        company=actor.company,
        request=request,
        object_type=RULING_SUBJECT,
        object_id=record.pk,
        detail={
            "decision_id": decision.pk,
            "visit_id": decision.visit_id,
            "kind": record.kind,
            "claim_id": claim,
            "owner": owner_json,
            "shares": shares_json,
            "reason": reason,
            "new_decision_id": new_decision.pk if new_decision is not None else None,
            "rule_ids": [dispute_rules.A7_20],
        },
    )
    return RulingResult(
        ruling=record, decision=new_decision, commission=commission, commission_synced=synced
    )


def owner_from_choice(value: str) -> Owner | None:
    """A form or API owner choice: ``department`` or a salesperson's staff id."""
    text = (value or "").strip()
    if not text:
        return None
    if text in ("department", OwnerKind.SALES_DEPARTMENT.value):
        return SALES_DEPARTMENT
    if text.isdigit():
        return Owner.of(text)
    raise errors.owner_invalid()


def shares_from_input(entries: Sequence[tuple[str, object]]) -> list[tuple[Owner, Decimal]]:
    """Typed shares from a form or the API: (owner choice, percent as typed)."""
    parsed: list[tuple[Owner, Decimal]] = []
    for choice, percent in entries:
        party = owner_from_choice(choice)
        if party is None:
            continue
        try:
            parsed.append((party, dispute_rules.parse_percent(percent)))
        except dispute_rules.SharesInvalid as invalid:
            zh, en = _SHARES_MESSAGES[invalid.problem]
            raise errors.shares_invalid(zh, en) from invalid
    return parsed
