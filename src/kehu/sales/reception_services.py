"""The reception flow (案场接待): arrival → receiver, conflicts and consent, registration →
ownership decision, later facts → a new decision, end.

Each service is one transaction. Every decision is built from the database by one function,
``visit_facts`` (earlier registrations, phone enquiries, full-name-only matches, families and
batches, pre-registrations, conflicts found, consents, rulings, the deal and what the desk
recorded on the visit), decided by the pure engine ``rules.decide_ownership`` under the ``sales``
policy in force, and stored by one private function (``_decide_and_store``): an append-only
``OwnershipDecision`` with its rule IDs, policy reference and the facts in the replay format of
``kehu rules sales``, a ledger entry in stream ``decisions``, the owner applied when decided,
make-up turns granted once per visit and salesperson, and a grab's fine proposal posted once per
visit. A decision that needs the sales manager (A7.20) is stored as pending: no owner change.

``visit_redecide`` stores a new decision on a registered visit, superseding the latest one —
after a conflict found afterwards (A7.10, A7.15, A7.16), a consent, A7.9(3), A7.7 found
afterwards, an A7.20 ruling or a deal. What the desk records about a visit (conflicts,
consents, the handling of A7.13, came-for) is evidence too: append-only rows and entries in the
ledger stream ``receptions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.customers.rules import (
    FULL_NAME_ALONE_NEEDS_CONFIRMATION,
    IdentityKey,
    IdentityKeys,
    IdentityMatch,
    identity_match,
    normalise_plate,
)
from kehu.core.customers.selectors import customer_group
from kehu.core.customers.services import customer_owner_set
from kehu.core.errors import KehuError
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.rules import Stream
from kehu.core.ledger.services import (
    LedgerItem,
    ledger_append,
    ledger_append_or_defer,
    ledger_append_streams,
)
from kehu.core.org.models import Company, Site, Staff
from kehu.core.policy.errors import PolicyKeyUnknown
from kehu.core.policy.selectors import ResolvedPolicy, policies_for, policy_for
from kehu.core.unsaved import unsaved
from kehu.discipline.services import discipline_proposal_post
from kehu.sales import rotation_rules, rules
from kehu.sales.models.deal import Deal
from kehu.sales.models.reception import (
    ConflictEvent,
    ConsentRecord,
    DecisionOutcome,
    OwnershipDecision,
    PreRegistration,
    RulingRecord,
    Visit,
)
from kehu.sales.models.registration import PhoneEnquiry, Registration
from kehu.sales.models.rotation import RotationEvent, RotationEventKind
from kehu.sales.registration_services import VisitDetails, registration_record
from kehu.sales.replay import MatchIn, ShareIn
from kehu.sales.rotation_selectors import local_today, rotation_may_operate
from kehu.sales.rotation_services import (
    rotation_assign,
    rotation_makeup_grant,
    rotation_reception_end,
)
from kehu.sales.rules.facts_json import facts_as_json

DECISION_SUBJECT = "sales.ownershipdecision"
VISIT_SUBJECT = "sales.visit"
# The desk's records about a visit (conflicts, consents, handling, came-for, public found).
RECEPTION_STREAM = "receptions"

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


def _bad_input(message_zh: str, message_en: str, field: str = "") -> ReceptionError:
    details = {"field": field} if field else None
    return ReceptionError(
        "reception.bad_input", message_zh, message_en, status=422, details=details
    )


def _conflict(code: str, message_zh: str, message_en: str) -> ReceptionError:
    return ReceptionError(f"reception.{code}", message_zh, message_en, status=409)


@dataclass(frozen=True)
class RegisterResult:
    """What ``visit_register`` / ``visit_redecide`` did: the stored decision and the engine's."""

    visit: Visit
    decision: OwnershipDecision
    engine: rules.OwnershipDecision


def _visit_for(
    actor: Staff, visit_id: int, *, lock: bool = False, unregistered: bool = False
) -> Visit:
    """The visit, with what every service reads of it. ``unregistered``: the caller needs only
    its site and receiver (registering it, ending it) — fewer joins, on the desk's busiest
    path, read by one hand-written statement (core/rawsql.py)."""
    if unregistered:
        return _unregistered_visit(actor, visit_id, lock=lock)
    rows = Visit.objects.select_related(
        "company", "site", "receiver", "named", "customer", "registration"
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    visit = rows.filter(company_id=actor.company_id, pk=visit_id).first()
    if visit is None or not actor.active:
        raise visit_not_found()
    return visit


def _unregistered_visit(actor: Staff, visit_id: int, *, lock: bool) -> Visit:
    found = rawsql.select_with(
        Visit,
        ("site", "receiver"),
        "m.company_id = %s AND m.id = %s",
        [actor.company_id, visit_id],
        lock=lock,
    )
    if not found or not actor.active:
        raise visit_not_found()
    visit = found[0]
    visit.company = actor.company  # the same row: the look-up was by the actor's company
    return visit


def _require_desk(actor: Staff, visit: Visit, *also: int | None) -> None:
    """The front desk, PM and sales managers record for any visit; a salesperson only for a
    visit they receive or are named in (``also``)."""
    if rotation_may_operate(actor, visit.site) or actor.pk in {visit.receiver_id, *also}:
        return
    raise ReceptionError(
        "reception.permission_denied",
        "只有前台、项目经理、销售经理或相关售楼员可以记录此事项。",
        "Only the front desk, the project manager, the sales manager or the salespeople "
        "concerned may record this.",
        status=403,
    )


def _company_staff(actor: Staff, staff_id: int | None, field: str) -> Staff:
    staff = (
        Staff.objects.filter(company_id=actor.company_id, pk=staff_id, active=True).first()
        if staff_id
        else None
    )
    if staff is None:
        raise _bad_input("请选择本公司在职的售楼员。", "Choose an active colleague.", field)
    return staff


def _moment(value: dt.datetime | None, now: dt.datetime, visit: Visit, field: str) -> dt.datetime:
    """A reported time: aware, not in the future, not before the visit's arrival."""
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value, rules.LOCAL_TZ)
    if value > now:
        raise _bad_input("时间不能晚于现在。", "The time cannot be in the future.", field)
    if value < visit.arrived_at:
        raise _bad_input(
            "时间不能早于客户到访。", "The time cannot be before the visitor arrived.", field
        )
    return value


def _record_event(actor: Staff, visit: Visit, kind: str, payload: dict[str, Any]) -> None:
    """Append what the desk recorded about ``visit`` to the ``receptions`` stream and count it
    on the visit (``Visit.desk_records``), in the caller's transaction."""
    ledger_append(
        company=actor.company,
        stream=RECEPTION_STREAM,
        kind=kind,
        payload={"visit_id": visit.pk, **payload},
        recorded_by=actor.user,
        subject=(VISIT_SUBJECT, visit.pk),
    )
    rawsql.execute(
        Visit,
        f"UPDATE {rawsql.table(Visit)} SET desk_records = desk_records + 1 WHERE id = %s",
        [visit.pk],
    )
    visit.desk_records += 1


# --- arrival ------------------------------------------------------------------------------------


@transaction.atomic
def visit_arrive(
    *,
    actor: Staff,
    site: Site,
    arrival: rules.Arrival | str,
    named_staff_id: int | None = None,
    public_kind: str = "",
    helpers: Iterable[int] = (),
    business_card_given: bool = False,
) -> Visit:
    """A visitor arrives: the rotation names the receiver (A2.5, A7.1, A7.12(2), A7.9) and the
    visit is recorded with the receiver, the rule IDs and the explanation."""
    if actor.company_id != site.company_id or not actor.active:
        raise visit_not_found()
    try:
        arrival = rules.Arrival(arrival)
    except ValueError:
        raise _bad_input("来访方式无效。", "Unknown way of arriving.", "arrival") from None
    if arrival == rules.Arrival.PUBLIC and public_kind not in {k.value for k in rules.PublicKind}:
        raise _bad_input(
            "请选择公共客户的类别（A7.6 a–d）。",
            "Choose the kind of public customer (A7.6 a–d).",
            "public_kind",
        )
    if arrival != rules.Arrival.PUBLIC:
        public_kind = ""
    named_arrivals = (
        rules.Arrival.ASKED_FOR,
        rules.Arrival.PHONE_CUSTOMER,
        rules.Arrival.WITH_OLD_CUSTOMER,
    )
    if arrival in named_arrivals and not named_staff_id:
        raise _bad_input(
            "请选择客户点名（或老客户原来）的售楼员。",
            "Choose the salesperson the visitor asked for (or the old customer's salesperson).",
            "named_staff_id",
        )
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
        rotation_message={
            k: v
            for k, v in (assignment.event.detail or {}).items()
            if k in ("explanation_key", "explanation_params")
        },
        business_card_given=business_card_given,
        recorded_by=actor,
    )


# --- facts from the database --------------------------------------------------------------------


def sales_policy(company: Any, at: dt.datetime) -> tuple[rules.OwnershipPolicy, str]:
    """The ``sales`` policy in force and its reference (rulebook defaults if unregistered)."""
    try:
        resolved = policy_for(company=company, key="sales", at=at)
    except PolicyKeyUnknown:
        return rules.OwnershipPolicy(), "sales@default"
    return _ownership_policy(resolved)


# The engine's policy per settings object: the policy selectors hand back one shared, frozen,
# validated object while the same version is in force, so converting it (≈ 2 % of a
# registration's time, py-spy) is done once per object. Held with the object itself, so an id
# reused after the object is gone is never taken for it.
_ENGINE_POLICIES: dict[int, tuple[Any, rules.OwnershipPolicy]] = {}
_ENGINE_POLICIES_LIMIT = 256


def _ownership_policy(resolved: ResolvedPolicy[Any]) -> tuple[rules.OwnershipPolicy, str]:
    """A resolved ``sales`` policy as the ownership engine takes it, and its reference."""
    values = resolved.values
    kept = _ENGINE_POLICIES.get(id(values))
    if kept is None or kept[0] is not values:
        if len(_ENGINE_POLICIES) >= _ENGINE_POLICIES_LIMIT:
            _ENGINE_POLICIES.clear()
        kept = _ENGINE_POLICIES[id(values)] = (values, values.as_rules_policy())
    return kept[1], resolved.ref


def _full_name_alone(company: Company, at: dt.datetime) -> str:
    try:
        resolved = policy_for(company=company, key="identity", at=at)
    except PolicyKeyUnknown:
        return FULL_NAME_ALONE_NEEDS_CONFIRMATION
    return str(resolved.values.full_name_alone)


def _canonical(match: IdentityMatch, full_name_alone: str) -> IdentityMatch:
    """The match as the replay format reads it back (so stored facts replay to equal facts)."""
    return MatchIn(keys=list(match.keys), matched_phones=list(match.matched_phones)).build(
        full_name_alone
    )


def _keys_of(
    *, name: str = "", phone: str = "", car_brand: str = "", plate: str = ""
) -> IdentityKeys:
    try:
        return IdentityKeys.from_raw(
            name=name, phones=[phone] if phone else [], car_brand=car_brand, plate=plate
        )
    except ValueError:
        return IdentityKeys.from_raw(name=name, car_brand=car_brand, plate=plate)


def _union(a: IdentityKeys, b: IdentityKeys) -> IdentityKeys:
    return IdentityKeys(
        full_name=a.full_name or b.full_name,
        phones=a.phones | b.phones,
        car_brand=a.car_brand or b.car_brand,
        plate=a.plate or b.plate,
        surname=a.surname or b.surname,
    )


def _registration_keys(row: Registration) -> IdentityKeys:
    return _keys_of(
        name=row.customer_name, phone=row.phone_e164, car_brand=row.car_brand, plate=row.plate
    )


# ``_Known.owner_id`` when nobody read the owner in this transaction.
_UNKNOWN = object()


@dataclass(frozen=True)
class _Known:
    """What the caller already knows about the visit, so that registering reads only what can
    exist (registering is the front desk's busiest step; docs/performance.md):

    - ``full_name_alone``: the ``identity`` policy the registration itself just read;
    - ``first_decision``: the visit has no decision yet — so no A7.20 ruling (a ruling answers
      a decision) and no deal (a deal needs a registered visit) can be about it;
    - ``new_customer``: the registration created the customer — no phone enquiry, family link
      or visiting batch can name them yet;
    - ``owner_id``: the customer's owner as read in this transaction (``_UNKNOWN``: read it);
    - ``conflict_now``: the registration itself recorded a conflict (``found_at``);
    - ``customer``: the visit's customer file, read by the registration;
    - ``sales_policy``: the ``sales`` policy (and its ref), read with ``identity`` in one
      statement when the registration began;
    - ``recent_name_matches``: the full-name-only matches the registration's match saw visit
      at or after ``namesakes_since`` (``Customer.last_visit_at``). A namesake not seen since
      the horizon has no line the horizon keeps, so its lines are not read at all.

    On a first decision, conflicts and consents are read only when the visit's ``receptions``
    ledger entries show the desk recorded one: every ``conflict_record`` and ``consent_record``
    writes such an entry in the same transaction as its row.
    """

    full_name_alone: str | None = None
    first_decision: bool = False
    new_customer: bool = False
    owner_id: int | object | None = _UNKNOWN
    conflict_now: bool = False
    customer: Customer | None = None
    sales_policy: tuple[rules.OwnershipPolicy, str] | None = None
    recent_name_matches: frozenset[int] | None = None
    namesakes_since: dt.datetime | None = None


_NOTHING_KNOWN = _Known()


@dataclass(frozen=True)
class _Found:
    """When, and by whom, a conflict with one holder was found (A7.10, A7.13, A7.15, A7.16)."""

    at: dt.datetime
    by: str
    on_site: bool = True
    reachable: bool = True


class _FactsBuilder:
    """Reads one visit's facts as of ``now`` (later rows are ignored)."""

    def __init__(
        self,
        visit: Visit,
        now: dt.datetime,
        deal: Deal | None,
        known: _Known = _NOTHING_KNOWN,
        policy: rules.OwnershipPolicy | None = None,
    ) -> None:
        self.visit = visit
        self.now = now
        self.deal_row = deal
        self.known = known
        # A first decision has no A7.20 ruling that could confirm a namesake, so namesakes last
        # received before the horizon cannot change it (rules.namesake_horizon): left out.
        self.namesakes_since = (
            rules.namesake_horizon(visit.arrived_at, policy).since
            if policy is not None and known.first_decision
            else None
        )
        self.company_id = visit.company_id
        self.registration: Registration | None = visit.registration
        self.customer_id = visit.customer_id
        self.full_name_alone = known.full_name_alone or _full_name_alone(visit.company, now)
        self._customer_keys: dict[int, IdentityKeys] = {}
        self._visit_keys: IdentityKeys | None = None
        self._name_only: IdentityMatch | None = None
        # the desk's entries about the visit: none to read when it recorded none
        self.desk_entries = _reception_entries(visit) if visit.desk_records else []
        self.conflicts = (
            list(
                ConflictEvent.objects.filter(visit=visit, found_at__lte=now).order_by(
                    "found_at", "pk"
                )
            )
            if known.conflict_now or self._recorded("reception_conflict")
            else []
        )
        self.registered_at = visit.registered_at if self._registered_by(now) else None
        self.default_found = _Found(
            at=self.registered_at or now, by=str(visit.receiver_id), on_site=True, reachable=True
        )

    def _recorded(self, kind: str) -> bool:
        """Whether rows of ``kind`` may exist: always, unless this is the visit's first decision
        and the desk's ledger entries show none (see ``_Known``)."""
        return not self.known.first_decision or any(e.kind == kind for e in self.desk_entries)

    def _registered_by(self, now: dt.datetime) -> bool:
        return self.visit.registered_at is not None and self.visit.registered_at <= now

    # -- when was each conflict found ----------------------------------------------------------
    def found(self, holder: str) -> _Found:
        """The earliest recorded conflict naming ``holder`` (or naming nobody); else the
        registration itself found it."""
        for event in self.conflicts:
            if event.holder_id is None or str(event.holder_id) == holder:
                return _Found(
                    at=event.found_at,
                    by=str(event.found_by_id),
                    on_site=event.holder_on_site,
                    reachable=event.holder_reachable,
                )
        return self.default_found

    def claim(
        self,
        *,
        id: str,
        kind: rules.ClaimKind,
        holder: str,
        since: dt.datetime,
        match: IdentityMatch,
        last_holder_visit_at: dt.datetime | None = None,
        deal_at: dt.datetime | None = None,
    ) -> rules.Claim:
        found = self.found(holder)
        return rules.Claim(
            id=id,
            kind=kind,
            holder=holder,
            since=since,
            found_at=found.at,
            found_by=found.by,
            match=match,
            last_holder_visit_at=last_holder_visit_at,
            deal_at=deal_at,
            holder_on_site=found.on_site,
            holder_reachable=found.reachable,
        )

    # -- the registration's keys ---------------------------------------------------------------
    def visit_keys(self) -> IdentityKeys:
        assert self.registration is not None
        if self._visit_keys is None:
            self._visit_keys = _registration_keys(self.registration)
        return self._visit_keys

    def customer_keys(self, customer_id: int) -> IdentityKeys:
        """The customer file's keys as they are now. A customer the registration just created
        has exactly the registration's keys, which every caller unites with these anyway."""
        if self.known.new_customer and customer_id == self.customer_id:
            return IdentityKeys()
        if customer_id not in self._customer_keys:
            known = self.known.customer
            found = (
                [known]
                if known is not None and known.pk == customer_id
                else rawsql.select(Customer, "id = %s", [customer_id])
            )
            phones = rawsql.scalars(
                CustomerPhone,
                f"SELECT e164 FROM {rawsql.table(CustomerPhone)} WHERE customer_id = %s",
                [customer_id],
            )
            keys = found[0].keys_with_phones(phones) if found else IdentityKeys()
            self._customer_keys[customer_id] = keys
        return self._customer_keys[customer_id]

    # -- earlier registrations (old customer; A7.13, A7.15, A7.16, A1.5) ------------------------
    def earlier_lines(self) -> list[Registration]:
        """The book's earlier lines of the visit's customer file, in visit order."""
        assert self.registration is not None
        return rawsql.select(
            Registration,
            "company_id = %s AND customer_id = %s AND corrects_id IS NULL"
            " AND visited_at < %s AND id <> %s",
            [self.company_id, self.customer_id, self.visit.arrived_at, self.registration.pk],
            order_by="visited_at, id",
        )

    def registered(self, customer_id: int, rows: list[Registration]) -> list[rules.Claim]:
        """One ``registered`` claim per earlier receiver of the visit's customer file
        (``rows``: its earlier lines): since their first registration, with their latest visit
        for the ``last_owner_visit`` anchor. Both lines are read together with the file they
        are filed under (the desk chose it)."""
        if not rows:
            return []
        file_keys = self.customer_keys(customer_id)
        mine = _union(self.visit_keys(), file_keys)
        by_holder: dict[str, tuple[Registration, dt.datetime]] = {}
        for row in rows:
            holder = str(row.receiver_id)
            first, _last = by_holder.get(holder, (row, row.visited_at))
            by_holder[holder] = (first, row.visited_at)
        claims = []
        for holder, (first, last) in by_holder.items():
            match = _canonical(
                identity_match(
                    mine,
                    _union(_registration_keys(first), file_keys),
                    full_name_alone=self.full_name_alone,
                ),
                self.full_name_alone,
            )
            claims.append(
                self.claim(
                    id=f"customer:{customer_id}:staff:{holder}",
                    kind=rules.ClaimKind.REGISTERED,
                    holder=holder,
                    since=first.visited_at,
                    match=match,
                    last_holder_visit_at=last,
                )
            )
        return claims

    def namesakes(self, customer_ids: list[int]) -> list[rules.Claim]:
        """One ``registered`` claim per earlier receiver of each namesake file (compared on the
        full name alone), as ``registered`` gives for the visit's own file — read as each
        receiver's first and latest line in one grouped query: a common name has hundreds of
        files and thousands of lines. Receivers last seen before ``namesakes_since`` are left
        out (see ``__init__``)."""
        namesakes_sql, ids = rawsql.one_of(Registration, "r.customer_id", customer_ids)
        table = rawsql.table(Registration)
        # the lines that count: earlier than the visit, current. This registration's own line is
        # its customer's, never a namesake's (``claims`` leaves the customer out of the ids), and
        # is dated the visit's arrival, which ``visited_at < …`` leaves out anyway; so no
        # ``r.id <> …`` test: on PostgreSQL that column is not in the index, and testing it read
        # each line of the range from the table instead of the index alone.
        counted = "r.company_id = %s AND r.corrects_id IS NULL AND r.visited_at < %s"
        counted_params = [self.company_id, self.visit.arrived_at]
        grouped = "SELECT r.customer_id, r.receiver_id, MIN(r.visited_at), MAX(r.visited_at)"
        if self.namesakes_since is None:
            sql = (
                f"{grouped} FROM {table} AS r WHERE {counted} AND {namesakes_sql}"
                " GROUP BY r.customer_id, r.receiver_id"
            )
            params: list[Any] = [*counted_params, *ids]
        else:
            # Only receivers seen since the horizon can matter. They are found first by the
            # index on (company, customer, visited_at) — the range holds index entries only, a
            # common name's hundreds of files cost no row reads — then only their lines are
            # read for the first and latest visit. The same pairs and times as grouping every
            # line of every namesake and keeping MAX(visited_at) >= since, which read thousands
            # of rows (the slowest registrations at 1,000,000 lines: 6–24 ms).
            sql = (
                f"WITH recent AS (SELECT DISTINCT r.customer_id, r.receiver_id FROM {table} AS r"
                f" WHERE {counted} AND {namesakes_sql} AND r.visited_at >= %s)"
                f" {grouped} FROM {table} AS r JOIN recent ON recent.customer_id = r.customer_id"
                f" AND recent.receiver_id = r.receiver_id WHERE {counted}"
                " GROUP BY r.customer_id, r.receiver_id"
            )
            params = [*counted_params, *ids, self.namesakes_since, *counted_params]
        rows = rawsql.rows(Registration, sql, params)
        # the files in the order the match gave them, each file's receivers by first visit
        order = {pk: i for i, pk in enumerate(customer_ids)}
        found = sorted(
            (order[customer_id], rawsql.datetime_value(first), str(holder), customer_id, last)
            for customer_id, holder, first, last in rows
        )
        return [
            self.claim(
                id=f"customer:{customer_id}:staff:{holder}",
                kind=rules.ClaimKind.REGISTERED,
                holder=holder,
                since=first,
                match=self.name_only_match(),
                last_holder_visit_at=rawsql.datetime_value(last),
            )
            for _, first, holder, customer_id, last in found
        ]

    def seen_since_horizon(self, namesakes: list[int]) -> list[int]:
        """The namesakes whose lines ``namesakes`` could keep: on a first decision, those the
        registration's match saw visit since the horizon. A customer's latest visit is never
        earlier than any of their lines (``customer_visit_note``), so one before the horizon, or
        none, means no line at or after it."""
        recent = self.known.recent_name_matches
        if (
            recent is None
            or self.namesakes_since is None
            or self.known.namesakes_since != self.namesakes_since
        ):
            return namesakes
        return [customer_id for customer_id in namesakes if customer_id in recent]

    def name_only_match(self) -> IdentityMatch:
        """A namesake's match (the full name alone), built once: a common name has hundreds."""
        if self._name_only is None:
            self._name_only = _canonical(
                IdentityMatch(keys=(IdentityKey.FULL_NAME,)), self.full_name_alone
            )
        return self._name_only

    # -- phone enquiries (A7.12) ----------------------------------------------------------------
    def phone_enquiries(self, customer_id: int) -> list[rules.Claim]:
        match = _canonical(IdentityMatch(keys=(IdentityKey.PHONE,)), self.full_name_alone)
        rows = rawsql.select(
            PhoneEnquiry,
            "company_id = %s AND customer_id = %s AND corrects_id IS NULL AND called_at < %s",
            [self.company_id, customer_id, self.visit.arrived_at],
            order_by="called_at, id",
        )
        return [
            self.claim(
                id=f"phone:{row.pk}",
                kind=rules.ClaimKind.PHONE_ENQUIRY,
                holder=str(row.desk_owner_id),
                since=row.called_at,
                match=match,
            )
            for row in rows
        ]

    # -- family and batch (A7.6, A7.14) ---------------------------------------------------------
    def family_or_batch(self, customer_id: int) -> list[rules.Claim]:
        """The salesperson who first received any member of the customer's family or batch
        holds them all, since that reception; ``deal_at``: the group's latest closed deal
        before this visit (A7.14: 30 days from the original registration or the deal)."""
        group = customer_group(company=self.company_id, customer_id=customer_id)
        if not group.members - {customer_id}:
            return []
        first, deal_at = self._group_first_and_deal(group.members)
        if first is None:
            return []
        holder_id, since, member = first
        kind = rules.ClaimKind.FAMILY if member in group.family else rules.ClaimKind.BATCH
        return [
            self.claim(
                id=f"{kind.value}:{customer_id}",
                kind=kind,
                holder=str(holder_id),
                since=since,
                match=IdentityMatch(),
                deal_at=deal_at,
            )
        ]

    def _group_first_and_deal(
        self, members: frozenset[int]
    ) -> tuple[tuple[int | None, dt.datetime, int] | None, dt.datetime | None]:
        """The group's first reception before this visit — its first line in the book or its
        first visit, whichever came first (the line on a tie) — as (receiver, when, member), and
        the group's latest closed deal before this visit, in one statement (asked on every
        decision about a customer with family or companions)."""
        assert self.registration is not None
        arrived_at = self.visit.arrived_at
        ids_sql, ids = rawsql.in_list(sorted(members))
        registrations, visits, deals = (
            rawsql.table(Registration),
            rawsql.table(Visit),
            rawsql.table(Deal),
        )
        found = rawsql.rows(
            Registration,
            "SELECT * FROM (SELECT 0, receiver_id, visited_at, customer_id"
            f" FROM {registrations} WHERE company_id = %s AND customer_id IN {ids_sql}"
            " AND corrects_id IS NULL AND visited_at < %s AND id <> %s"
            " ORDER BY visited_at, id LIMIT 1) AS first_line"
            " UNION ALL SELECT * FROM (SELECT 1, receiver_id, arrived_at, customer_id"
            f" FROM {visits} WHERE company_id = %s AND customer_id IN {ids_sql}"
            " AND arrived_at < %s AND id <> %s ORDER BY arrived_at, id LIMIT 1) AS first_visit"
            " UNION ALL SELECT * FROM (SELECT 2, CAST(NULL AS BIGINT), closed_at,"
            " CAST(NULL AS BIGINT)"
            f" FROM {deals} WHERE company_id = %s AND customer_id IN {ids_sql}"
            " AND closed_at IS NOT NULL AND closed_at < %s"
            " AND (visit_id IS NULL OR visit_id <> %s)"
            " ORDER BY closed_at DESC, id DESC LIMIT 1) AS last_deal",
            [
                *(self.company_id, *ids, arrived_at, self.registration.pk),
                *(self.company_id, *ids, arrived_at, self.visit.pk),
                *(self.company_id, *ids, arrived_at, self.visit.pk),
            ],
        )
        by_part = {
            part: (receiver, rawsql.datetime_value(at), member)
            for part, receiver, at, member in found
        }
        firsts = [by_part[part] for part in (0, 1) if part in by_part]
        first = min(firsts, key=lambda f: f[1]) if firsts else None
        deal = by_part.get(2)
        return first, deal[1] if deal else None

    # -- pre-registrations (A7.10) --------------------------------------------------------------
    def pre_registrations(self) -> list[rules.Claim]:
        """Introductions registered before the visit whose A7.4 keys match the registration,
        and those of a salesperson who raised a conflict on the visit (a mismatch keeps the
        rotation receiver, A7.10). The visit's keys are its registration's and its customer
        file's as they are now (a phone the customer gave later counts)."""
        assert self.customer_id is not None
        mine = _union(self.visit_keys(), self.customer_keys(self.customer_id))
        reg = self.registration
        assert reg is not None
        near: list[str] = []
        params: list[Any] = []
        if mine.phones:
            phones_sql, phones = rawsql.in_list(sorted(mine.phones))
            near.append(f"phone_e164 IN {phones_sql}")
            params += phones
        if reg.customer_name:
            near.append("name = %s")
            params.append(reg.customer_name)
        if reg.plate:
            # pre-registrations store the normalised plate (浙A·12345 → 浙A12345)
            near.append("plate = %s")
            params.append(normalise_plate(reg.plate))
        raisers = [e.holder_id for e in self.conflicts if e.holder_id is not None]
        if raisers:
            raisers_sql, raiser_ids = rawsql.in_list(raisers)
            near.append(f"salesperson_id IN {raisers_sql}")
            params += raiser_ids
        if not near:
            return []
        rows = rawsql.select(
            PreRegistration,
            f"company_id = %s AND registered_at < %s AND ({' OR '.join(near)})",
            [self.company_id, self.visit.arrived_at, *params],
            order_by="registered_at, id",
        )
        claims = []
        for row in rows:
            theirs = _keys_of(
                name=row.name, phone=row.phone_e164, car_brand=row.car_brand, plate=row.plate
            )
            match = identity_match(mine, theirs, full_name_alone=self.full_name_alone)
            if not match.matched and row.salesperson_id not in raisers:
                continue
            claims.append(
                self.claim(
                    id=f"prereg:{row.pk}",
                    kind=rules.ClaimKind.PRE_REGISTRATION,
                    holder=str(row.salesperson_id),
                    since=row.registered_at,
                    match=_canonical(match, self.full_name_alone),
                )
            )
        return claims

    # -- everything else ------------------------------------------------------------------------
    def claims(self) -> tuple[rules.Claim, ...]:
        if self.registration is None or self.customer_id is None:
            return ()
        namesakes = [
            int(other)
            for other in self.registration.name_matches or []
            if int(other) != self.customer_id
        ]
        namesakes = self.seen_since_horizon(namesakes)
        # a customer created just now has no earlier line
        lines = [] if self.known.new_customer else self.earlier_lines()
        claims = self.registered(self.customer_id, lines)
        if namesakes:
            claims += self.namesakes(namesakes)
        if not self.known.new_customer:
            claims += self.phone_enquiries(self.customer_id)
            claims += self.family_or_batch(self.customer_id)
        claims += self.pre_registrations()
        seen: set[str] = set()
        unique = []
        for claim in claims:
            if claim.id not in seen:
                seen.add(claim.id)
                unique.append(claim)
        return tuple(unique)

    def handling(self) -> rules.Handling | None:
        """The latest handling the desk recorded (A7.13: handed back, or continued)."""
        answer = None
        for entry in self.desk_entries:
            if entry.kind != "reception_handling":
                continue
            if dt.datetime.fromisoformat(entry.payload["at"]) <= self.now:
                answer = rules.Handling(entry.payload["handling"])
        return answer

    def engine_registered_at(self) -> dt.datetime | None:
        """Reception complete and registered (A7.15). A conflict the desk found *during* the
        reception, or the customer saying whom they came for (A7.9(3): during the whole first
        visit), after an early registration means the reception was not complete yet: it counts
        from the end of the reception (unknown while the reception goes on)."""
        registered_at = self.registered_at
        if registered_at is None:
            return None
        late = [e.found_at for e in self.conflicts if e.during_reception]
        said_at = self.visit.came_for_said_at
        if self.visit.came_for_id is not None and said_at is not None and said_at <= self.now:
            late.append(said_at)
        late = [at for at in late if at >= registered_at]
        if not late:
            return registered_at
        ended = self.visit.ended_at
        if ended is not None and ended <= self.now and ended > max(late):
            return ended
        return None

    def consents(self) -> tuple[rules.Consent, ...]:
        if not self._recorded("reception_consent"):
            return ()
        rows = ConsentRecord.objects.filter(visit=self.visit, answered_at__lte=self.now)
        return tuple(
            rules.Consent(
                holder=str(row.holder_id),
                receiver=str(row.receiver_id),
                given=row.given,
                at=row.answered_at,
            )
            for row in rows.order_by("answered_at", "pk")
        )

    def rulings(self) -> tuple[rules.Ruling, ...]:
        if self.known.first_decision:
            return ()
        rows = RulingRecord.objects.filter(visit=self.visit, ruled_at__lte=self.now)
        return tuple(_ruling(row) for row in rows.order_by("ruled_at", "pk"))

    def deal(self) -> rules.Deal | None:
        row = self.deal_row
        if row is None and not self.known.first_decision:
            row = (
                Deal.objects.filter(
                    visit=self.visit, closed_at__isnull=False, closed_at__lte=self.now
                )
                .order_by("closed_at", "pk")
                .first()
            )
        if row is None:
            return None
        return rules.Deal(
            id=str(row.pk),
            closer=str(row.closer_id),
            deposit_paid_at=row.deposit_paid_at,
            subscription_signed_at=row.subscription_signed_at,
            subscriber=row.subscriber,
        )

    def engine_visit(self) -> rules.Visit:
        v = self.visit
        came_for_said_at = v.came_for_said_at
        came_for = str(v.came_for_id) if v.came_for_id else None
        if came_for_said_at is not None and came_for_said_at > self.now:
            came_for, came_for_said_at = None, None
        found_public_at = v.found_public_at
        if found_public_at is not None and found_public_at > self.now:
            found_public_at = None
        public = v.arrival == rules.Arrival.PUBLIC or found_public_at is not None
        return rules.Visit(
            id=str(v.pk),
            arrived_at=v.arrived_at,
            receiver=str(v.receiver_id),
            arrival=rules.Arrival(v.arrival),
            named=str(v.named_id) if v.named_id else None,
            named_present=v.named_present,
            helpers=tuple(str(h) for h in v.helpers if int(h) != v.receiver_id),
            public_kind=rules.PublicKind(v.public_kind) if v.public_kind and public else None,
            business_card_given=v.business_card_given,
            found_public_at=found_public_at,
            registered_at=self.engine_registered_at(),
            came_for=came_for,
            came_for_said_at=came_for_said_at,
            handling=self.handling(),
        )

    def build(self) -> rules.OwnershipFacts:
        return rules.OwnershipFacts(
            now=self.now,
            visit=self.engine_visit(),
            claims=self.claims(),
            deal=self.deal(),
            consents=self.consents(),
            rulings=self.rulings(),
        )


def _ruling(row: RulingRecord) -> rules.Ruling:
    owner = row.owner or None
    return rules.Ruling(
        kind=rules.RulingKind(row.kind),
        ruled_at=row.ruled_at,
        ruled_by=str(row.ruled_by_id),
        reason=row.reason,
        claim_id=row.claim_id or None,
        owner=(
            rules.Owner(rules.OwnerKind(owner["kind"]), owner.get("salesperson") or "")
            if owner
            else None
        ),
        shares=tuple(ShareIn.model_validate(s).build() for s in row.shares or []),
    )


def _reception_entries(visit: Visit) -> list[LedgerEntry]:
    """What the desk recorded about the visit (stream ``receptions``), in order."""
    return rawsql.select(
        LedgerEntry,
        "company_id = %s AND subject_type = %s AND subject_id = %s AND stream = %s",
        [visit.company_id, VISIT_SUBJECT, str(visit.pk), RECEPTION_STREAM],
        order_by="seq",
    )


def visit_facts(
    visit: Visit,
    *,
    now: dt.datetime,
    deal: Deal | None = None,
    known: _Known = _NOTHING_KNOWN,
    policy: rules.OwnershipPolicy | None = None,
) -> rules.OwnershipFacts:
    """Everything the ownership engine needs about ``visit`` as of ``now``, from the database.

    Claims: the customer's earlier registrations (per receiver), full-name-only matches, phone
    enquiries, the family or batch (A7.14: the first receiver of any member), pre-registrations
    (A7.10); each with when the conflict was found (the earliest ``ConflictEvent`` naming the
    holder, else the registration) and whether the holder was on site and reachable (A7.13).
    Plus consents, rulings (A7.20), the deal of the visit (or ``deal``), came-for (A7.9(3)),
    the business card (A7.6 b), found public afterwards (A7.7) and the handling (A7.13).
    ``policy`` (the one the decision uses) lets a first decision leave out namesakes that
    cannot change it (``rules.namesake_horizon``)."""
    return _FactsBuilder(visit, now, deal, known, policy).build()


def _names(
    company_id: int, facts: rules.OwnershipFacts, known_names: dict[str, str] | None = None
) -> dict[str, str]:
    ids = {facts.visit.receiver, *facts.visit.helpers, *(c.holder for c in facts.claims)}
    ids |= {c.found_by for c in facts.claims if c.found_by}
    ids |= {c.holder for c in facts.consents} | {r.ruled_by for r in facts.rulings}
    for extra in (facts.visit.named, facts.visit.came_for):
        if extra:
            ids.add(extra)
    if facts.deal is not None:
        ids.add(facts.deal.closer)
    if known_names is not None and ids <= known_names.keys():
        return {i: known_names[i] for i in ids}
    ids_sql, staff_ids = rawsql.in_list(sorted(int(i) for i in ids if i.isdigit()))
    rows = rawsql.rows(
        Staff,
        f"SELECT id, name FROM {rawsql.table(Staff)} WHERE company_id = %s AND id IN {ids_sql}",
        [company_id, *staff_ids],
    )
    return {str(pk): name for pk, name in rows}


def _staff(company_id: int, staff_id: str) -> Staff:
    return Staff.objects.get(company_id=company_id, pk=int(staff_id))


# --- deciding and storing -----------------------------------------------------------------------


def _decide_and_store(
    actor: Staff,
    visit: Visit,
    *,
    now: dt.datetime,
    cause: str,
    ruling: RulingRecord | None = None,
    deal: Deal | None = None,
    known: _Known = _NOTHING_KNOWN,
    ledger_items: list[tuple[str, LedgerItem]] | None = None,
) -> RegisterResult:
    """Decide from the database's facts and store the decision (superseding the visit's latest),
    its ledger entry, the owner, the make-ups not yet granted and a grab's fine proposal (once
    per visit). ``ledger_items``: the caller appends the decision's entry with its others at
    its end (``registration_record``'s argument of the same name)."""
    policy, policy_ref = known.sales_policy or sales_policy(actor.company, now)
    facts = visit_facts(visit, now=now, deal=deal, known=known, policy=policy)
    receiver = visit.receiver
    names = _names(actor.company_id, facts, {str(receiver.pk): receiver.name})
    decision = rules.decide_ownership(facts, policy=policy, names=names)
    as_json = rules.decision_as_json(decision)
    pending = decision.outcome != rules.Outcome.DECIDED
    earlier = (
        []
        if known.first_decision
        else list(OwnershipDecision.objects.filter(visit=visit).order_by("pk"))
    )
    customer = visit.customer
    # written without building the query (core/rawsql.py): every registration stores one
    stored = rawsql.insert(
        unsaved(
            OwnershipDecision,
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
            facts=facts_as_json(facts),
            decided_at=now,
            decided_by=actor,
            supersedes=earlier[-1] if earlier else None,
            ruling=ruling,
            deal=deal,
        )
    )
    item = LedgerItem(
        kind="ownership_decision",
        payload={
            "decision_id": stored.pk,
            "visit_id": visit.pk,
            "customer_id": customer.pk if customer else None,
            "outcome": stored.outcome,
            "policy_ref": policy_ref,
            "cause": cause,
            "supersedes": stored.supersedes_id,
            "ruling_id": ruling.pk if ruling else None,
            "deal_id": deal.pk if deal else None,
            "decision": as_json,
        },
        recorded_by=actor.user,
        subject=(DECISION_SUBJECT, stored.pk),
    )
    ledger_append_or_defer(
        company=actor.company, stream=Stream.DECISIONS, item=item, deferred=ledger_items
    )
    if not pending and customer is not None:
        owner = decision.owner_after
        new_owner: Staff | None = None
        if owner.is_salesperson:
            new_owner = (
                receiver
                if owner.salesperson == str(receiver.pk)
                else _staff(actor.company_id, owner.salesperson)
            )
        current = known.owner_id
        if current is _UNKNOWN:
            current = Customer.objects.filter(pk=customer.pk).values_list("owner_id", flat=True)[0]
        if current != (new_owner.pk if new_owner else None):
            customer_owner_set(
                company_id=actor.company_id, customer_id=customer.pk, owner=new_owner
            )
    _grant_makeups(actor, visit, decision)
    fine_posted = any(
        d.outcome == DecisionOutcome.DECIDED and d.detail.get("fine") for d in earlier
    )
    if decision.fine is not None and not pending and not fine_posted:
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
    _sync_commission(actor, stored)
    return RegisterResult(visit=visit, decision=stored, engine=decision)


def _sync_commission(actor: Staff, stored: OwnershipDecision) -> None:
    """A new decision about a visit whose deal is closed re-writes the deal's commission lines
    (a conflict found after the deal, a consent, a ruling), so the ledger always follows the
    latest decision. ``commission_sync`` is idempotent: callers that sync too do no harm."""
    from kehu.sales.deal_services import commission_sync, decision_deal_id

    deal_id = decision_deal_id(stored)
    if stored.outcome != DecisionOutcome.DECIDED or deal_id is None:
        return
    closed = Deal.objects.filter(
        pk=deal_id, visit_id=stored.visit_id, closed_at__isnull=False
    ).exists()
    if closed:
        commission_sync(actor=actor, decision=stored)


def _grant_makeups(actor: Staff, visit: Visit, decision: rules.OwnershipDecision) -> None:
    """Make-up turns the decision earns (A7.2, A7.7, A7.9(3)) — each salesperson at most once
    per visit, on the visit's rotation day. Granted by the actor when they run the desk,
    otherwise in the name of whoever recorded the visit (the decision asks for it)."""
    visit_ref = f"visit:{visit.pk}"
    granter = actor if rotation_may_operate(actor, visit.site) else visit.recorded_by
    day = timezone.localtime(visit.arrived_at, rules.LOCAL_TZ).date()
    for turn in decision.turns:
        if turn.outcome != rules.TurnOutcome.MAKEUP_EARNED or turn.cause is None:
            continue
        if RotationEvent.objects.filter(
            company_id=visit.company_id,
            kind=RotationEventKind.MAKEUP_GRANTED,
            visit_ref=visit_ref,
            staff_id=int(turn.salesperson),
        ).exists():
            continue
        rotation_makeup_grant(
            actor=granter,
            site=visit.site,
            staff_id=int(turn.salesperson),
            cause=rotation_rules.AfterCause(turn.cause.value),
            visit_ref=visit_ref,
            note=turn.explanation_zh[:200],
            on=day,
        )


def _latest_decision(visit: Visit) -> OwnershipDecision | None:
    return OwnershipDecision.objects.filter(visit=visit).order_by("-pk").first()


# --- registration and later decisions -----------------------------------------------------------


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

    Conflicts the desk found before (``conflict_record``) and the handling it recorded count.
    ``found_at`` (kept for callers that register and report a conflict in one step): a conflict
    found at that moment, recorded as a ``ConflictEvent`` naming nobody; ``handling``: what the
    receiver did (A7.13), recorded as if by ``handling_record``."""
    visit = _visit_for(actor, visit_id, lock=True, unregistered=True)
    if visit.registration_id is not None:
        raise _conflict("already_registered", "该来访已登记。", "This visit is already registered.")
    if handling:
        try:
            handling = rules.Handling(handling)
        except ValueError:
            raise _bad_input("处理方式无效。", "Unknown handling.", "handling") from None
    # the two policies registering uses, in force as the desk registers, read at once
    identity, sales = _registration_policies(actor.company, timezone.now())
    # the book line's and the decision's ledger entries, appended together at the end
    ledger_items: list[tuple[str, LedgerItem]] = []
    registered = registration_record(
        staff=actor,
        details=details,
        receiver=visit.receiver,
        customer_id=customer_id,
        site=visit.site,
        visited_at=visit.arrived_at,
        set_owner=False,
        savepoint=False,  # this service is one transaction; an error undoes all of it
        identity_policy=identity,
        ledger_items=ledger_items,
        # the facts' horizon (``_FactsBuilder``): the match says which namesakes it keeps
        namesakes_since=rules.namesake_horizon(visit.arrived_at, sales[0]).since,
    )
    now = timezone.now()
    if found_at is not None:
        at = _moment(found_at, now, visit, "found_at")
        ConflictEvent.objects.create(
            company_id=visit.company_id,
            visit=visit,
            customer=registered.customer,
            holder=None,
            found_at=at,
            during_reception=at < now and visit.ended_at is None,
            found_by=actor,
        )
    if handling:
        _record_event(
            actor, visit, "reception_handling", {"handling": str(handling), "at": now.isoformat()}
        )
    visit.registration = registered.registration
    visit.customer = registered.customer
    visit.registered_at = now
    rawsql.update(visit, ["registration", "customer", "registered_at"])
    # a channel agent's report of this customer, still protected, is confirmed by the visit
    from kehu.sales.channel_services import channel_visit_confirm

    channel_visit_confirm(actor=actor, customer=registered.customer, visited_at=visit.arrived_at)
    known = _Known(
        conflict_now=found_at is not None,
        full_name_alone=registered.full_name_alone,
        first_decision=True,  # an unregistered visit has no decision
        new_customer=registered.customer_created,
        owner_id=registered.customer.owner_id,
        customer=registered.customer,
        sales_policy=sales,
        recent_name_matches=registered.recent_name_matches,
        namesakes_since=registered.namesakes_since,
    )
    result = _decide_and_store(
        actor, visit, now=now, cause="registered", known=known, ledger_items=ledger_items
    )
    ledger_append_streams(company=actor.company, items=ledger_items)
    return result


def _registration_policies(
    company: Company, at: dt.datetime
) -> tuple[ResolvedPolicy[Any], tuple[rules.OwnershipPolicy, str]]:
    """The ``identity`` and ``sales`` policies in force at ``at``, in one statement."""
    found = policies_for(company=company, keys=("identity", "sales"), at=at)
    return found["identity"], _ownership_policy(found["sales"])


@transaction.atomic
def visit_redecide(
    *,
    actor: Staff,
    visit_id: int,
    cause: str,
    ruling: RulingRecord | None = None,
    deal: Deal | None = None,
) -> RegisterResult:
    """Decide a registered visit again from the database's facts as of now, and store a NEW
    decision superseding the visit's latest (which stays as evidence). ``cause`` says why (a
    conflict found afterwards, a consent, an A7.20 ruling, a deal…); ``ruling`` and ``deal`` are
    linked on the new decision. Owner applied when decided; make-ups and a grab's fine are not
    granted twice for one visit."""
    visit = _visit_for(actor, visit_id, lock=True)
    if visit.registration_id is None or visit.customer_id is None:
        raise _conflict(
            "not_registered",
            "该来访尚未登记，登记时即会决定归属。",
            "This visit is not registered yet; registering it decides ownership.",
        )
    if ruling is not None and (
        ruling.company_id != actor.company_id or ruling.visit_id != visit.pk
    ):
        raise _bad_input("该裁决不属于此来访。", "The ruling is not about this visit.", "ruling")
    if deal is not None and (
        deal.company_id != actor.company_id or deal.visit_id not in (None, visit.pk)
    ):
        raise _bad_input("该成交不属于此来访。", "The deal is not of this visit.", "deal")
    cause = (cause or "").strip()[:200] or "redecided"
    return _decide_and_store(
        actor, visit, now=timezone.now(), cause=cause, ruling=ruling, deal=deal
    )


def _redecide_if_registered(actor: Staff, visit: Visit, cause: str) -> RegisterResult | None:
    if visit.registration_id is None:
        return None
    return _decide_and_store(actor, visit, now=timezone.now(), cause=cause)


# --- what the desk finds out during and after the reception -------------------------------------


@dataclass(frozen=True)
class RecordResult:
    """A fact recorded on a visit, and the new decision it caused (registered visits only)."""

    visit: Visit
    record: Any
    redecided: RegisterResult | None


@transaction.atomic
def conflict_record(
    *,
    actor: Staff,
    visit_id: int,
    holder_id: int,
    found_at: dt.datetime | None = None,
    during_reception: bool | None = None,
    holder_on_site: bool = True,
    holder_reachable: bool = True,
    note: str = "",
) -> RecordResult:
    """A conflict found (撞单): the visitor turned out to be linked to ``holder_id``.

    During the reception (default while it goes on) the receiver must hand the customer back or
    continue only with the holder's consent (A2.8, A7.13) — see ``handling_record`` and
    ``consent_record``; if the holder is not on site or cannot be reached, the receiver helps.
    Once registered, the visit is decided again: A7.10 (7 days), A7.15 and A7.16 turn on when
    the conflict was found."""
    visit = _visit_for(actor, visit_id, lock=True)
    holder = _company_staff(actor, holder_id, "holder_id")
    _require_desk(actor, visit, holder.pk)
    if holder.pk == visit.receiver_id:
        raise _bad_input(
            "原售楼员就是接待人，不构成撞单。",
            "The holder is the receiver: there is no conflict.",
            "holder_id",
        )
    now = timezone.now()
    at = _moment(found_at, now, visit, "found_at")
    if during_reception is None:
        during_reception = visit.ended_at is None or at < visit.ended_at
    if during_reception and visit.ended_at is not None and at >= visit.ended_at:
        raise _bad_input(
            "接待已结束，不能记为接待过程中发现。",
            "The reception had ended: it was not found during the reception.",
            "during_reception",
        )
    event = ConflictEvent.objects.create(
        company_id=visit.company_id,
        visit=visit,
        customer=visit.customer,
        holder=holder,
        found_at=at,
        during_reception=during_reception,
        holder_on_site=holder_on_site,
        holder_reachable=holder_reachable,
        note=(note or "").strip()[:2000],
        found_by=actor,
        recorded_at=now,
    )
    _record_event(
        actor,
        visit,
        "reception_conflict",
        {
            "conflict_id": event.pk,
            "holder_id": holder.pk,
            "found_at": at.isoformat(),
            "during_reception": during_reception,
            "holder_on_site": holder_on_site,
            "holder_reachable": holder_reachable,
        },
    )
    redecided = _redecide_if_registered(actor, visit, f"conflict:{event.pk}")
    return RecordResult(visit=visit, record=event, redecided=redecided)


@transaction.atomic
def consent_record(
    *,
    actor: Staff,
    visit_id: int,
    holder_id: int,
    given: bool,
    answered_at: dt.datetime | None = None,
    note: str = "",
) -> RecordResult:
    """The holder's answer to the receiver's request to continue the reception (A2.8, A7.13):
    given or refused, with its time. Refused: the receiver hands the customer back."""
    visit = _visit_for(actor, visit_id, lock=True)
    holder = _company_staff(actor, holder_id, "holder_id")
    _require_desk(actor, visit, holder.pk)
    if holder.pk == visit.receiver_id:
        raise _bad_input(
            "接待人无需征得自己同意。", "The receiver does not ask themselves.", "holder_id"
        )
    now = timezone.now()
    at = _moment(answered_at, now, visit, "answered_at")
    record = ConsentRecord.objects.create(
        company_id=visit.company_id,
        visit=visit,
        holder=holder,
        receiver=visit.receiver,
        given=given,
        answered_at=at,
        note=(note or "").strip()[:2000],
        recorded_by=actor,
        recorded_at=now,
    )
    _record_event(
        actor,
        visit,
        "reception_consent",
        {"consent_id": record.pk, "holder_id": holder.pk, "given": given, "at": at.isoformat()},
    )
    redecided = _redecide_if_registered(actor, visit, f"consent:{record.pk}")
    return RecordResult(visit=visit, record=record, redecided=redecided)


@transaction.atomic
def handling_record(*, actor: Staff, visit_id: int, handling: rules.Handling | str) -> RecordResult:
    """What the receiver did once they knew the customer was someone else's (A7.13): handed
    the customer back, or continued (with consent — or, without it, a grab)."""
    visit = _visit_for(actor, visit_id, lock=True)
    _require_desk(actor, visit)
    try:
        handling = rules.Handling(handling)
    except ValueError:
        raise _bad_input("处理方式无效。", "Unknown handling.", "handling") from None
    if not ConflictEvent.objects.filter(visit=visit).exists():
        raise _conflict(
            "no_conflict",
            "尚未记录撞单，无需交回或继续接待的处理。",
            "No conflict is recorded on this visit: there is nothing to hand back.",
        )
    now = timezone.now()
    _record_event(
        actor, visit, "reception_handling", {"handling": handling.value, "at": now.isoformat()}
    )
    redecided = _redecide_if_registered(actor, visit, f"handling:{handling.value}")
    return RecordResult(visit=visit, record=handling.value, redecided=redecided)


@transaction.atomic
def came_for_record(
    *, actor: Staff, visit_id: int, staff_id: int, said_at: dt.datetime | None = None
) -> RecordResult:
    """A7.9(3): during the whole first visit the customer says they came for ``staff_id``: the
    customer is theirs and the receiver's turn is not consumed."""
    visit = _visit_for(actor, visit_id, lock=True)
    x = _company_staff(actor, staff_id, "staff_id")
    _require_desk(actor, visit, x.pk)
    if visit.arrival != rules.Arrival.WALK_IN:
        raise _bad_input(
            "A7.9(3) 只适用于未点名、按轮排接待的新客户。",
            "A7.9(3) applies to a new visitor who asked for nobody (rotation).",
            "staff_id",
        )
    if visit.came_for_id is not None:
        raise _conflict(
            "came_for_recorded",
            "已记录客户表示专程来找的售楼员。",
            "Whom the customer came for is already recorded.",
        )
    now = timezone.now()
    at = _moment(said_at, now, visit, "said_at")
    if visit.ended_at is not None and at > visit.ended_at:
        raise _bad_input(
            "首次来访的接待已结束：A7.9(3) 须在首次来访过程中说明。",
            "The first visit's reception has ended: A7.9(3) needs it said during the visit.",
            "said_at",
        )
    visit.came_for = x
    visit.came_for_said_at = at
    visit.save(update_fields=["came_for", "came_for_said_at"])
    _record_event(actor, visit, "reception_came_for", {"staff_id": x.pk, "said_at": at.isoformat()})
    redecided = _redecide_if_registered(actor, visit, "came_for")
    return RecordResult(visit=visit, record=x, redecided=redecided)


@transaction.atomic
def public_found_record(
    *, actor: Staff, visit_id: int, public_kind: str, found_at: dt.datetime | None = None
) -> RecordResult:
    """A7.7: the visitor is found to be a public customer (A7.6 a–d) only after the reception —
    the customer is the sales department's and the receiver gets a make-up turn."""
    visit = _visit_for(actor, visit_id, lock=True)
    _require_desk(actor, visit)
    if public_kind not in {k.value for k in rules.PublicKind}:
        raise _bad_input(
            "请选择公共客户的类别（A7.6 a–d）。",
            "Choose the kind of public customer (A7.6 a–d).",
            "public_kind",
        )
    if visit.arrival == rules.Arrival.PUBLIC or visit.found_public_at is not None:
        raise _conflict(
            "already_public", "该来访已是公共客户。", "This visitor is already a public customer."
        )
    now = timezone.now()
    at = _moment(found_at, now, visit, "found_at")
    visit.public_kind = public_kind
    visit.found_public_at = at
    visit.save(update_fields=["public_kind", "found_public_at"])
    _record_event(
        actor, visit, "reception_public_found", {"public_kind": public_kind, "at": at.isoformat()}
    )
    redecided = _redecide_if_registered(actor, visit, "found_public")
    return RecordResult(visit=visit, record=public_kind, redecided=redecided)


@transaction.atomic
def visit_end(*, actor: Staff, visit_id: int) -> Visit:
    """The reception is over: the receiver is free again in their place (A2.5)."""
    visit = _visit_for(actor, visit_id, lock=True)
    if visit.ended_at is not None:
        raise _conflict("already_ended", "该接待已结束。", "This reception has ended.")
    rotation_reception_end(
        actor=actor, site=visit.site, staff_id=visit.receiver_id, visit_ref=f"visit:{visit.pk}"
    )
    visit.ended_at = timezone.now()
    visit.save(update_fields=["ended_at"])
    return visit


def visit_redecide_by_desk(*, actor: Staff, visit_id: int, cause: str) -> RegisterResult:
    """``visit_redecide`` asked for by a person (the API, the desk page): the front desk, the
    PM and the sales managers only."""
    visit = _visit_for(actor, visit_id)
    if not rotation_may_operate(actor, visit.site):
        raise ReceptionError(
            "reception.permission_denied",
            "只有前台、项目经理或销售经理可以要求重新决定归属。",
            "Only the front desk, the project manager or the sales manager may ask for this.",
            status=403,
        )
    return visit_redecide(actor=actor, visit_id=visit_id, cause=f"desk:{cause}"[:200])
