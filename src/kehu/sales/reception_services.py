"""The reception flow (案场接待): arrival → receiver, registration → ownership decision, end.

Each service is one transaction. ``visit_register`` builds the engine's ``OwnershipFacts`` from
the database (the customer's earlier registrations and phone enquiries, and full-name-only
matches, as ``Claim``\\ s), calls ``decide_ownership`` with the ``sales`` policy in force, stores
the decision (append-only, with its rule IDs and policy reference, plus a ledger entry in stream
``decisions``), applies the owner when decided, grants make-up turns and posts a grab's fine
proposal. A decision that needs the sales manager (A7.20) is stored as pending: no owner change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.rules import IdentityKey, IdentityMatch
from kehu.core.customers.services import customer_owner_set
from kehu.core.errors import KehuError
from kehu.core.ledger.rules import Stream
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Site, Staff
from kehu.core.policy.errors import PolicyKeyUnknown
from kehu.core.policy.selectors import policy_for
from kehu.discipline.services import discipline_proposal_post
from kehu.sales import rotation_rules, rules
from kehu.sales.models.reception import DecisionOutcome, OwnershipDecision, Visit
from kehu.sales.models.registration import PhoneEnquiry, Registration
from kehu.sales.registration_services import VisitDetails, registration_record
from kehu.sales.rotation_selectors import local_today
from kehu.sales.rotation_services import (
    rotation_assign,
    rotation_makeup_grant,
    rotation_reception_end,
)

DECISION_SUBJECT = "sales.ownershipdecision"

_ROTATION_KIND: dict[rules.Arrival, rotation_rules.ReceptionKind] = {
    rules.Arrival.WALK_IN: rotation_rules.ReceptionKind.NEW,
    rules.Arrival.ASKED_FOR: rotation_rules.ReceptionKind.ASKED_FOR,
    rules.Arrival.PHONE_CUSTOMER: rotation_rules.ReceptionKind.ASKED_FOR,
    rules.Arrival.WITH_OLD_CUSTOMER: rotation_rules.ReceptionKind.ASKED_FOR,
    rules.Arrival.PUBLIC: rotation_rules.ReceptionKind.PUBLIC,
    rules.Arrival.GROUP_BUY: rotation_rules.ReceptionKind.GROUP_BUY,
    rules.Arrival.COMPANY_REFERRAL: rotation_rules.ReceptionKind.COMPANY_REFERRAL,
}


class ReceptionError(KehuError):
    """A reception-flow error (codes ``reception.*``)."""


def visit_not_found() -> ReceptionError:
    return ReceptionError("reception.not_found", "未找到该来访。", "Visit not found.", status=404)


@dataclass(frozen=True)
class RegisterResult:
    """What ``visit_register`` did: the stored decision and the engine's own."""

    visit: Visit
    decision: OwnershipDecision
    engine: rules.OwnershipDecision


def _visit_for(actor: Staff, visit_id: int, *, lock: bool = False) -> Visit:
    rows = Visit.objects.select_related("site", "receiver", "named", "customer")
    if lock:
        rows = rows.select_for_update(of=("self",))
    visit = rows.filter(company_id=actor.company_id, pk=visit_id).first()
    if visit is None or not actor.active:
        raise visit_not_found()
    return visit


@transaction.atomic
def visit_arrive(
    *,
    actor: Staff,
    site: Site,
    arrival: rules.Arrival | str,
    named_staff_id: int | None = None,
    public_kind: str = "",
    helpers: Iterable[int] = (),
) -> Visit:
    """A visitor arrives: the rotation names the receiver (A2.5, A7.1, A7.12(2), A7.9) and the
    visit is recorded with the receiver, the rule IDs and the explanation."""
    if actor.company_id != site.company_id or not actor.active:
        raise visit_not_found()
    arrival = rules.Arrival(arrival)
    assignment = rotation_assign(
        actor=actor, site=site, kind=_ROTATION_KIND[arrival], named_staff_id=named_staff_id
    )
    named_present = True
    if named_staff_id is not None:
        named_present = assignment.receiver.pk == named_staff_id
    return Visit.objects.create(
        company_id=site.company_id,
        site=site,
        arrived_at=timezone.now(),
        arrival=arrival.value,
        public_kind=public_kind,
        named_id=named_staff_id,
        named_present=named_present,
        receiver=assignment.receiver,
        helpers=[int(h) for h in helpers],
        rotation_rule_ids=list(assignment.rule_ids),
        rotation_explanation=assignment.explanation_zh,
        recorded_by=actor,
    )


def sales_policy(company: Any, at: dt.datetime) -> tuple[rules.OwnershipPolicy, str]:
    """The ``sales`` policy in force and its reference (rulebook defaults if unregistered)."""
    try:
        resolved = policy_for(company=company, key="sales", at=at)
    except PolicyKeyUnknown:
        return rules.OwnershipPolicy(), "sales@default"
    return resolved.values.as_rules_policy(), resolved.ref


def _registration_claims(
    customer_id: int,
    *,
    exclude: int,
    found_at: dt.datetime,
    found_by: str,
    match: IdentityMatch,
) -> list[rules.Claim]:
    """One ``registered`` claim per earlier receiver of the customer: since their first
    registration, with their latest visit for the ``last_owner_visit`` anchor."""
    by_holder: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    rows = (
        Registration.objects.filter(customer_id=customer_id, corrects__isnull=True)
        .exclude(pk=exclude)
        .values_list("receiver_id", "visited_at")
        .order_by("visited_at", "pk")
    )
    for holder, visited_at in rows:
        first, _last = by_holder.get(holder, (visited_at, visited_at))
        by_holder[holder] = (first, visited_at)
    return [
        rules.Claim(
            id=f"customer:{customer_id}:staff:{holder}",
            kind=rules.ClaimKind.REGISTERED,
            holder=str(holder),
            since=first,
            found_at=found_at,
            found_by=found_by,
            match=match,
            last_holder_visit_at=last,
        )
        for holder, (first, last) in by_holder.items()
    ]


def _facts(
    visit: Visit,
    *,
    registration: Registration,
    customer: Customer,
    name_matches: list[int],
    now: dt.datetime,
    found_at: dt.datetime,
    handling: rules.Handling | None = None,
) -> rules.OwnershipFacts:
    found_by = str(visit.receiver_id)
    deciding = IdentityMatch(keys=(IdentityKey.PHONE,) if registration.phone_e164 else ())
    if not deciding.matched:
        # the desk named the customer: the identity is the desk's confirmed choice
        deciding = IdentityMatch(keys=(IdentityKey.FULL_NAME,))
    claims = _registration_claims(
        customer.pk, exclude=registration.pk, found_at=found_at, found_by=found_by, match=deciding
    )
    name_only = IdentityMatch(keys=(IdentityKey.FULL_NAME,), needs_confirmation=True)
    for other in name_matches:
        claims += _registration_claims(
            other, exclude=registration.pk, found_at=found_at, found_by=found_by, match=name_only
        )
    phone_match = IdentityMatch(keys=(IdentityKey.PHONE,))
    for enquiry in PhoneEnquiry.objects.filter(
        customer_id=customer.pk, corrects__isnull=True
    ).order_by("called_at", "pk"):
        claims.append(
            rules.Claim(
                id=f"phone:{enquiry.pk}",
                kind=rules.ClaimKind.PHONE_ENQUIRY,
                holder=str(enquiry.desk_owner_id),
                since=enquiry.called_at,
                found_at=found_at,
                found_by=found_by,
                match=phone_match,
            )
        )
    public_kind = rules.PublicKind(visit.public_kind) if visit.public_kind else None
    return rules.OwnershipFacts(
        now=now,
        visit=rules.Visit(
            id=str(visit.pk),
            arrived_at=visit.arrived_at,
            receiver=str(visit.receiver_id),
            arrival=rules.Arrival(visit.arrival),
            named=str(visit.named_id) if visit.named_id else None,
            named_present=visit.named_present,
            helpers=tuple(str(h) for h in visit.helpers),
            public_kind=public_kind,
            registered_at=now,
            handling=handling,
        ),
        claims=tuple(claims),
    )


def _names(company_id: int, facts: rules.OwnershipFacts) -> dict[str, str]:
    ids = {facts.visit.receiver, *facts.visit.helpers, *(c.holder for c in facts.claims)}
    if facts.visit.named:
        ids.add(facts.visit.named)
    rows = Staff.objects.filter(company_id=company_id, pk__in=[int(i) for i in ids])
    return {str(pk): name for pk, name in rows.values_list("pk", "name")}


def _staff(company_id: int, staff_id: str) -> Staff:
    return Staff.objects.get(company_id=company_id, pk=int(staff_id))


@transaction.atomic
def visit_register(
    *,
    actor: Staff,
    visit_id: int,
    details: VisitDetails,
    customer_id: int | None = None,
    found_at: dt.datetime | None = None,
    handling: rules.Handling | str | None = None,
) -> RegisterResult:
    """Register the visit in the book, decide ownership with the engine and store the decision.

    ``found_at``: when the conflict (撞单) with an earlier record was found; by default the
    registration itself (after the reception, A7.15). A desk that found it during the reception
    passes the earlier moment (A7.13), and ``handling``: whether the receiver then handed the
    customer back or continued (A7.13; continuing without consent is a grab)."""
    visit = _visit_for(actor, visit_id, lock=True)
    if visit.registration_id is not None:
        raise ReceptionError(
            "reception.already_registered",
            "该来访已登记。",
            "This visit is already registered.",
            status=409,
        )
    registered = registration_record(
        staff=actor,
        details=details,
        receiver=visit.receiver,
        customer_id=customer_id,
        site_id=visit.site_id,
        visited_at=visit.arrived_at,
        set_owner=False,
    )
    now = timezone.now()
    customer = registered.customer
    visit.registration = registered.registration
    visit.customer = customer
    visit.registered_at = now
    visit.save(update_fields=["registration", "customer", "registered_at"])
    facts = _facts(
        visit,
        registration=registered.registration,
        customer=customer,
        name_matches=registered.name_matches,
        now=now,
        found_at=min(found_at or now, now),
        handling=rules.Handling(handling) if handling else None,
    )
    policy, policy_ref = sales_policy(actor.company, now)
    names = _names(actor.company_id, facts)
    decision = rules.decide_ownership(facts, policy=policy, names=names)
    as_json = rules.decision_as_json(decision)
    pending = decision.outcome != rules.Outcome.DECIDED
    stored = OwnershipDecision.objects.create(
        company_id=actor.company_id,
        visit=visit,
        customer=customer,
        outcome=DecisionOutcome.PENDING if pending else DecisionOutcome.DECIDED,
        owner_before=decision.owner_before.as_json() if decision.owner_before else None,
        owner_after=decision.owner_after.as_json(),
        clause=decision.clause,
        rule_ids=list(decision.rule_ids),
        shares=as_json.get("deal"),
        turn_effects=as_json.get("turns", []),
        flags=[f.value for f in decision.flags],
        policy_ref=policy_ref,
        explanation_zh=decision.explanation_zh,
        detail=as_json,
        decided_at=now,
        decided_by=actor,
    )
    ledger_append(
        company=actor.company,
        stream=Stream.DECISIONS,
        kind="ownership_decision",
        payload={
            "decision_id": stored.pk,
            "visit_id": visit.pk,
            "customer_id": customer.pk,
            "outcome": stored.outcome,
            "policy_ref": policy_ref,
            "decision": as_json,
        },
        recorded_by=actor.user,
        subject=(DECISION_SUBJECT, stored.pk),
    )
    if not pending:
        owner = decision.owner_after
        new_owner = _staff(actor.company_id, owner.salesperson) if owner.is_salesperson else None
        if customer.owner_id != (new_owner.pk if new_owner else None):
            customer_owner_set(
                company_id=actor.company_id, customer_id=customer.pk, owner=new_owner
            )
    for turn in decision.turns:
        if turn.outcome == rules.TurnOutcome.MAKEUP_EARNED and turn.cause is not None:
            rotation_makeup_grant(
                actor=actor,
                site=visit.site,
                staff_id=int(turn.salesperson),
                cause=rotation_rules.AfterCause(turn.cause.value),
                visit_ref=f"visit:{visit.pk}",
                note=turn.explanation_zh[:200],
            )
    if decision.fine is not None and not pending:
        discipline_proposal_post(
            employee=_staff(actor.company_id, decision.fine.salesperson),
            kind="fine_in_range",
            on=local_today(),
            low=decision.fine.minimum,
            high=decision.fine.maximum,
            reason=decision.fine.reason_zh,
            rule_ids=list(decision.fine.rule_ids),
            source_type=DECISION_SUBJECT,
            source_id=stored.pk,
            proposed_by=actor,
        )
    return RegisterResult(visit=visit, decision=stored, engine=decision)


@transaction.atomic
def visit_end(*, actor: Staff, visit_id: int) -> Visit:
    """The reception is over: the receiver is free again in their place (A2.5)."""
    visit = _visit_for(actor, visit_id, lock=True)
    if visit.ended_at is not None:
        raise ReceptionError(
            "reception.already_ended", "该接待已结束。", "This reception has ended.", status=409
        )
    rotation_reception_end(
        actor=actor, site=visit.site, staff_id=visit.receiver_id, visit_ref=f"visit:{visit.pk}"
    )
    visit.ended_at = timezone.now()
    visit.save(update_fields=["ended_at"])
    return visit
