"""Reads of the dispute queue (A7.20), filtered by the caller's company and post.

The sales manager (permission ``sales.rule_dispute``) sees the queue: every latest decision of
a visit that is pending (the rules could not settle it) or disputed by a salesperson, and not
yet ruled on. A salesperson sees the decisions about their own customers and their disputes.
Another company's decision is "not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.rules import IDENTITY_KEY_LABELS_ZH, IdentityKey
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.queues import queue_counter
from kehu.sales import dispute_errors as errors
from kehu.sales import dispute_rules
from kehu.sales.dispute_services import PERM_RULE, decision_involves
from kehu.sales.models.dispute import DisputeRequest
from kehu.sales.models.reception import DecisionOutcome, OwnershipDecision, RulingRecord
from kehu.sales.rules import CLAIM_KIND_LABELS, OWNER_KIND_LABELS, ClaimKind, OwnerKind

MINE_LIMIT = 100


def _superseded() -> Exists:
    return Exists(OwnershipDecision.objects.filter(supersedes=OuterRef("pk")))


def _ruled() -> Exists:
    return Exists(RulingRecord.objects.filter(decision=OuterRef("pk")))


def _disputed() -> Exists:
    return Exists(DisputeRequest.objects.filter(decision=OuterRef("pk")))


def dispute_queue_rows(staff: Staff) -> QuerySet[OwnershipDecision]:
    """The queue's decisions, oldest first (no permission check: callers check)."""
    return (
        OwnershipDecision.objects.filter(company_id=staff.company_id)
        .filter(~_superseded(), ~_ruled())
        .filter(Q(outcome=DecisionOutcome.PENDING) | _disputed())
        .order_by("decided_at", "pk")
    )


@queue_counter("sales.disputes")
@queue_counter("sales.disputes_pending")
def dispute_count_pending(staff: Staff) -> int:
    """The home page's count of decisions waiting for the sales manager (A7.20)."""
    if not staff_has_perm(staff, PERM_RULE):
        return 0
    return dispute_queue_rows(staff).count()


# --- what a queue item shows --------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRow:
    """One competing claim, readable: who holds it, what kind, which A7.4 keys matched."""

    view: dispute_rules.ClaimView
    holder_name: str
    kind_label: str
    key_labels: list[str]
    customer: Customer | None

    @property
    def since_at(self) -> dt.datetime | None:
        """When the claim began (registration, call, pre-registration), as an aware datetime."""
        try:
            return dt.datetime.fromisoformat(self.view.since) if self.view.since else None
        except ValueError:
            return None


@dataclass
class DisputeItem:
    decision: OwnershipDecision
    claims: list[ClaimRow]
    disputes: list[DisputeRequest]
    ruling: RulingRecord | None
    result: OwnershipDecision | None  # the decision the ruling produced
    successor: OwnershipDecision | None  # any later decision on the visit
    names: dict[str, str] = field(default_factory=dict)

    @property
    def visit(self) -> Any:
        return self.decision.visit

    @property
    def pending(self) -> bool:
        return self.decision.outcome == DecisionOutcome.PENDING

    @property
    def open(self) -> bool:
        """Waiting for the sales manager: pending or disputed, latest, not ruled."""
        return (
            self.ruling is None and self.successor is None and (self.pending or bool(self.disputes))
        )

    def disputed_by(self, staff_id: int) -> bool:
        return any(d.raised_by_id == staff_id for d in self.disputes)

    @property
    def disputable(self) -> bool:
        """Latest, not from a ruling, not ruled: a salesperson may still dispute it."""
        return self.successor is None and self.ruling is None and self.decision.ruling_id is None

    @property
    def pending_claims(self) -> list[ClaimRow]:
        return [c for c in self.claims if c.view.pending]

    @property
    def provisional_clause(self) -> str:
        detail = self.decision.detail or {}
        return str(detail.get("provisional_by") or self.decision.clause)

    def owner_label(self, owner: Any) -> str:
        if not isinstance(owner, dict):
            return "—"
        kind = owner.get("kind")
        if kind == OwnerKind.SALESPERSON.value:
            sid = str(owner.get("salesperson") or "")
            return self.names.get(sid, sid)
        try:
            return OWNER_KIND_LABELS[OwnerKind(str(kind))]
        except ValueError:
            return str(kind)

    @property
    def provisional_owner(self) -> str:
        return self.owner_label(self.decision.owner_after)

    @property
    def owner_before_label(self) -> str:
        return self.owner_label(self.decision.owner_before)

    @property
    def shares_rows(self) -> list[dict[str, str]]:
        return shares_rows(self.decision.shares, self.names)

    @property
    def ruling_owner(self) -> str:
        return self.owner_label(self.ruling.owner) if self.ruling is not None else ""

    @property
    def ruling_shares(self) -> list[dict[str, str]]:
        if self.ruling is None:
            return []
        return shares_rows({"shares": self.ruling.shares}, self.names)

    @property
    def result_owner(self) -> str:
        return self.owner_label(self.result.owner_after) if self.result is not None else ""


def shares_rows(shares: Any, names: dict[str, str]) -> list[dict[str, str]]:
    """A deal's (or an award's) shares for display: party, role, percent."""
    rows: list[dict[str, str]] = []
    if not isinstance(shares, dict):
        return rows
    for share in shares.get("shares") or []:
        party = share.get("party") or {}
        if party.get("kind") == OwnerKind.SALESPERSON.value:
            sid = str(party.get("salesperson") or "")
            who = names.get(sid, sid)
        else:
            try:
                who = OWNER_KIND_LABELS[OwnerKind(str(party.get("kind")))]
            except ValueError:
                who = str(party.get("kind"))
        rows.append(
            {
                "party": who,
                "role": str(share.get("role", "")),
                "percent": str(share.get("percent", "")),
                "cancelled": "1" if share.get("cancelled") else "",
            }
        )
    return rows


def _key_labels(keys: tuple[str, ...]) -> list[str]:
    labels = []
    for key in keys:
        try:
            labels.append(IDENTITY_KEY_LABELS_ZH[IdentityKey(key)])
        except ValueError:
            labels.append(key)
    return labels


def _kind_label(kind: str) -> str:
    try:
        return CLAIM_KIND_LABELS[ClaimKind(kind)]
    except ValueError:
        return kind or "—"


def _staff_ids(decision: OwnershipDecision, views: list[dispute_rules.ClaimView]) -> set[int]:
    ids: set[str] = {str(decision.visit.receiver_id), str(decision.decided_by_id)}
    ids.update(str(h) for h in decision.visit.helpers or ())
    ids.update(v.holder for v in views)
    for owner in (decision.owner_before, decision.owner_after):
        if isinstance(owner, dict) and owner.get("salesperson"):
            ids.add(str(owner["salesperson"]))
    shares = decision.shares if isinstance(decision.shares, dict) else {}
    for share in shares.get("shares") or []:
        party = share.get("party") or {}
        if party.get("salesperson"):
            ids.add(str(party["salesperson"]))
    return {int(i) for i in ids if i.isdigit()}


def _items(staff: Staff, decisions: list[OwnershipDecision]) -> list[DisputeItem]:
    """Queue items for ``decisions`` in a fixed number of queries."""
    if not decisions:
        return []
    pks = [d.pk for d in decisions]
    views = {d.pk: dispute_rules.claims_of_decision(d.detail or {}, d.facts) for d in decisions}
    disputes: dict[int, list[DisputeRequest]] = {pk: [] for pk in pks}
    for row in DisputeRequest.objects.filter(decision_id__in=pks).select_related("raised_by"):
        disputes[row.decision_id].append(row)
    rulings = {
        r.decision_id: r
        for r in RulingRecord.objects.filter(decision_id__in=pks).select_related("ruled_by")
    }
    results = {
        d.ruling_id: d
        for d in OwnershipDecision.objects.filter(ruling__in=list(rulings.values())).order_by(
            "decided_at", "pk"
        )
    }
    successors = {
        d.supersedes_id: d
        for d in OwnershipDecision.objects.filter(supersedes_id__in=pks).order_by(
            "decided_at", "pk"
        )
    }
    staff_ids: set[int] = set()
    customer_ids: set[int] = set()
    for decision in decisions:
        staff_ids |= _staff_ids(decision, views[decision.pk])
        customer_ids |= {v.customer_id for v in views[decision.pk] if v.customer_id}
    for ruling in rulings.values():
        staff_ids.add(ruling.ruled_by_id)
        for owner in [ruling.owner, *[s.get("party") for s in ruling.shares or []]]:
            if isinstance(owner, dict) and str(owner.get("salesperson", "")).isdigit():
                staff_ids.add(int(owner["salesperson"]))
    names = {
        str(pk): name
        for pk, name in Staff.objects.filter(
            company_id=staff.company_id, pk__in=staff_ids
        ).values_list("pk", "name")
    }
    customers = {
        c.pk: c for c in Customer.objects.filter(company_id=staff.company_id, pk__in=customer_ids)
    }
    items = []
    for decision in decisions:
        claims = [
            ClaimRow(
                view=v,
                holder_name=names.get(v.holder, v.holder or "—"),
                kind_label=_kind_label(v.kind),
                key_labels=_key_labels(v.keys),
                customer=customers.get(v.customer_id) if v.customer_id else None,
            )
            for v in views[decision.pk]
        ]
        found = rulings.get(decision.pk)
        items.append(
            DisputeItem(
                decision=decision,
                claims=claims,
                disputes=disputes[decision.pk],
                ruling=found,
                result=results.get(found.pk) if found is not None else None,
                successor=successors.get(decision.pk),
                names=names,
            )
        )
    return items


def _with_relations(rows: QuerySet[OwnershipDecision]) -> QuerySet[OwnershipDecision]:
    return rows.select_related("visit", "visit__receiver", "visit__site", "customer", "decided_by")


def dispute_queue_for(staff: Staff) -> list[DisputeItem]:
    """The sales manager's queue (A7.20); others are refused (403)."""
    if not staff_has_perm(staff, PERM_RULE):
        raise errors.may_not_rule()
    return _items(staff, list(_with_relations(dispute_queue_rows(staff))))


def dispute_item_get(staff: Staff, decision_id: int) -> DisputeItem:
    """One decision with its claims, disputes and ruling — for the sales manager (any decision
    of the company) or a salesperson it is about; anyone else: not found."""
    decision = (
        _with_relations(OwnershipDecision.objects.filter(company_id=staff.company_id))
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or not staff.active:
        raise errors.decision_not_found()
    if not staff_has_perm(staff, PERM_RULE) and not decision_involves(decision, staff):
        raise errors.decision_not_found()
    return _items(staff, [decision])[0]


def disputes_mine(staff: Staff) -> list[DisputeItem]:
    """A salesperson's view: the latest decisions about their customers (received, owned
    before or after) and those they disputed, newest first."""
    if not staff.active:
        return []
    sid = str(staff.pk)
    involved = (
        Q(visit__receiver=staff)
        | Q(owner_after__salesperson=sid)
        | Q(owner_before__salesperson=sid)
        | Q(customer__owner=staff)
    )
    raised = Exists(DisputeRequest.objects.filter(decision=OuterRef("pk"), raised_by=staff))
    since = timezone.now() - dt.timedelta(days=90)
    rows = (
        _with_relations(OwnershipDecision.objects.filter(company_id=staff.company_id))
        .filter(decided_at__gte=since)
        .filter((involved & ~_superseded()) | raised)
        .order_by("-decided_at", "-pk")
    )
    return _items(staff, list(rows[:MINE_LIMIT]))


def may_rule(staff: Staff) -> bool:
    return staff_has_perm(staff, PERM_RULE)


def salespeople_for_award(staff: Staff) -> QuerySet[Staff]:
    """Who an award may name: the company's active salespeople."""
    return Staff.objects.filter(
        company_id=staff.company_id, active=True, post=Post.SALESPERSON
    ).order_by("name", "pk")
