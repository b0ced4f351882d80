"""Invariants of the ownership engine over generated facts (hypothesis).

- exactly one owner after every decision, and it is someone the facts name;
- a deal's shares add up to 100% minus any cancelled share, none negative; only a grab cancels;
- deterministic: the same facts give the same decision, in whatever order claims, consents and
  rulings come;
- an unconfirmed full-name-only match is never applied silently;
- discovery monotonicity (A7.16): finding the conflict later never gives the receiver a smaller
  share of their own deal. Checked by the rules first: it holds for an old customer
  (A7.13 ≤ 20% < A7.16 50% ≤ 100%), a phone customer (A7.13 ≤ 20% < A7.12(1) 100%) and a
  pre-registered referral (A7.10: transfer, then 100% after 7 days) under every policy; for a
  family or batch it holds under the default ``help_split`` (A7.13 ≤ 20% = A7.14's 20%) but NOT
  under ``owner_all``, where an owner's consent during the reception (20%) beats a family found
  after the deal (0%) — see the named counterexample below.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.sales.rules import (
    EVALUATION_ORDER,
    Arrival,
    Claim,
    ClaimKind,
    Consent,
    Deal,
    Flag,
    Handling,
    Outcome,
    Owner,
    OwnershipDecision,
    OwnershipFacts,
    OwnershipPolicy,
    ProtectionAnchor,
    PublicKind,
    Ruling,
    RulingKind,
    SkipMakeup,
    TransferDealSplit,
    Visit,
    decide_ownership,
    namesake_horizon,
)
from kehu.sales.rules.windows import LOCAL_TZ

from .test_rules_support import (
    LI,
    NAME_DECIDES,
    NAME_ONLY,
    NAMES,
    NO_MATCH,
    PHONE,
    QIAN,
    SUN,
    WANG,
    ZHAO,
    at,
)

SELLERS = [LI, ZHAO, QIAN, SUN]
BASE = at(3, 1, 10)
MATCHES = [PHONE, PHONE, PHONE, NAME_ONLY, NAME_DECIDES, NO_MATCH]
NAMED_ARRIVALS = (Arrival.ASKED_FOR, Arrival.PHONE_CUSTOMER, Arrival.WITH_OLD_CUSTOMER)


def minutes(lo: int, hi: int) -> st.SearchStrategy[dt.timedelta]:
    return st.integers(lo, hi).map(lambda m: dt.timedelta(minutes=m))


policies = st.builds(
    OwnershipPolicy,
    skip_makeup=st.sampled_from(SkipMakeup),
    protection_anchor=st.sampled_from(ProtectionAnchor),
    transfer_deal_split=st.sampled_from(TransferDealSplit),
    group_buy_consumes=st.booleans(),
)


@st.composite
def claims(draw: st.DrawFn, index: int) -> Claim:
    kind = draw(st.sampled_from([ClaimKind.REGISTERED, ClaimKind.REGISTERED, *ClaimKind]))
    return Claim(
        id=f"c{index}",
        kind=kind,
        holder=draw(st.sampled_from(SELLERS)),
        since=BASE - draw(minutes(-120, 60 * 24 * 90)),
        found_at=BASE + draw(minutes(-60, 60 * 24 * 20)),
        found_by=draw(st.none() | st.sampled_from(SELLERS)),
        match=draw(st.sampled_from(MATCHES)),
        last_holder_visit_at=draw(st.none() | minutes(0, 60 * 24 * 90).map(lambda d: BASE - d)),
        deal_at=draw(st.none() | minutes(0, 60 * 24 * 90).map(lambda d: BASE - d)),
        holder_on_site=draw(st.booleans()),
        holder_reachable=draw(st.booleans()),
        public=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def facts(draw: st.DrawFn) -> OwnershipFacts:
    receiver = draw(st.sampled_from(SELLERS))
    arrival = draw(st.sampled_from([*[Arrival.WALK_IN] * 6, *Arrival]))
    named = None
    if arrival in NAMED_ARRIVALS or arrival == Arrival.COMPANY_REFERRAL:
        named = draw(st.sampled_from(SELLERS))
    named_present = draw(st.booleans())
    if named is not None and named_present and draw(st.booleans()):
        receiver = named
    public_kind = None
    if arrival == Arrival.PUBLIC or draw(st.integers(0, 7)) == 0:
        public_kind = draw(st.sampled_from(PublicKind))
    if arrival == Arrival.PUBLIC and public_kind is None:
        public_kind = PublicKind.PEER
    found_public_at = None
    if public_kind is not None and draw(st.booleans()):
        found_public_at = BASE + draw(minutes(0, 60 * 24 * 5))
    registered_at = draw(st.none() | minutes(0, 600).map(lambda d: BASE + d))
    came_for = draw(st.sampled_from(SELLERS)) if draw(st.integers(0, 4)) == 0 else None
    visit_: dict[str, Any] = dict(
        id="v",
        arrived_at=BASE,
        receiver=receiver,
        arrival=arrival,
        named=named,
        named_present=named_present,
        helpers=tuple(
            h
            for h in draw(st.lists(st.sampled_from(SELLERS), max_size=2, unique=True))
            if h != receiver
        ),
        public_kind=public_kind,
        business_card_given=draw(st.booleans()),
        found_public_at=found_public_at,
        registered_at=registered_at,
        came_for=came_for,
        came_for_said_at=draw(st.none() | minutes(0, 900).map(lambda d: BASE + d)),
        handling=draw(st.none() | st.sampled_from(Handling)),
        receiver_knew=draw(st.integers(0, 5)) == 0,
    )
    the_claims = tuple(draw(claims(i)) for i in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))))
    the_deal = None
    if draw(st.booleans()):
        the_deal = Deal(
            id="d",
            closer=draw(st.sampled_from(SELLERS)),
            deposit_paid_at=draw(st.none() | minutes(0, 60 * 24 * 10).map(lambda d: BASE + d)),
            subscription_signed_at=BASE + draw(minutes(0, 60 * 24 * 10)),
        )
    consents = tuple(
        Consent(
            holder=draw(st.sampled_from(SELLERS)),
            receiver=receiver,
            given=draw(st.booleans()),
            at=BASE + draw(minutes(0, 60 * 24 * 5)),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    rulings: list[Ruling] = []
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        kind = draw(st.sampled_from(RulingKind))
        rulings.append(
            Ruling(
                kind=kind,
                ruled_at=BASE + draw(minutes(0, 60 * 24 * 30)),
                ruled_by=WANG,
                reason="裁定",
                claim_id=draw(st.none() | st.sampled_from([c.id for c in the_claims] or ["x"])),
                owner=Owner.of(draw(st.sampled_from(SELLERS)))
                if kind == RulingKind.AWARD
                else None,
            )
        )
    return OwnershipFacts(
        now=BASE + dt.timedelta(days=40) - draw(minutes(0, 60 * 24 * 40)),
        visit=Visit(**visit_),
        claims=the_claims,
        deal=the_deal,
        consents=consents,
        rulings=tuple(rulings),
    )


def named_parties(f: OwnershipFacts) -> set[str]:
    v = f.visit
    people = {v.receiver, *(p for p in (v.named, v.came_for) if p)}
    people |= {c.holder for c in f.claims}
    people |= {r.owner.salesperson for r in f.rulings if r.owner and r.owner.is_salesperson}
    return people


@settings(max_examples=300, deadline=None)
@given(facts(), policies)
def test_exactly_one_owner_after_every_decision(f: OwnershipFacts, policy: OwnershipPolicy) -> None:
    d = decide_ownership(f, policy, NAMES)
    assert isinstance(d.owner_after, Owner)
    if d.owner_after.is_salesperson:
        assert d.owner_after.salesperson in named_parties(f)
    assert d.decided_by in EVALUATION_ORDER and d.rule_ids[0] == d.decided_by
    assert d.clause in d.rule_ids
    receivers = [t.salesperson for t in d.turns]
    assert receivers[0] == f.visit.receiver and len(receivers) == len(set(receivers))
    json.dumps(d.as_json(), ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(facts(), policies)
def test_shares_add_up_to_100_minus_cancelled_never_negative(
    f: OwnershipFacts, policy: OwnershipPolicy
) -> None:
    d = decide_ownership(f, policy)
    if d.deal is None:
        return
    assert d.deal.paid_percent + d.deal.cancelled_percent == Decimal(100)
    assert all(s.percent >= 0 for s in d.deal.shares)
    if d.deal.cancelled_percent:
        assert Flag.GRAB in d.flags


@settings(max_examples=200, deadline=None)
@given(facts(), policies, st.randoms(use_true_random=False))
def test_the_same_facts_give_the_same_decision_in_any_order(
    f: OwnershipFacts, policy: OwnershipPolicy, rnd: random.Random
) -> None:
    first = decide_ownership(f, policy, NAMES)
    assert decide_ownership(f, policy, NAMES) == first
    shuffled = list(f.claims), list(f.consents), list(f.rulings)
    for items in shuffled:
        rnd.shuffle(items)
    again = replace(
        f, claims=tuple(shuffled[0]), consents=tuple(shuffled[1]), rulings=tuple(shuffled[2])
    )
    assert decide_ownership(again, policy, NAMES) == first


@settings(max_examples=200, deadline=None)
@given(facts(), policies)
def test_an_unconfirmed_full_name_match_is_never_applied_silently(
    f: OwnershipFacts, policy: OwnershipPolicy
) -> None:
    """A full-name-only claim with no ruling leaves the owner exactly as without it."""
    pending = replace(
        f,
        claims=(
            Claim(
                id="name-only",
                kind=ClaimKind.REGISTERED,
                holder=LI if f.visit.receiver != LI else ZHAO,
                since=BASE - dt.timedelta(days=10),
                found_at=BASE,
                match=NAME_ONLY,
            ),
        ),
        rulings=tuple(r for r in f.rulings if r.kind == RulingKind.AWARD),
    )
    without = replace(pending, claims=())
    d, plain = decide_ownership(pending, policy), decide_ownership(without, policy)
    assert d.owner_after == plain.owner_after
    if plain.decided_by not in ("A7.7", "A7.18", "A1.6", "A7.20"):
        assert d.outcome == Outcome.NEEDS_RULING and d.pending_claim_ids == ("name-only",)


# --- discovery monotonicity -------------------------------------------------------------------


def receiver_share(f: OwnershipFacts, policy: OwnershipPolicy) -> Decimal:
    d: OwnershipDecision = decide_ownership(f, policy)
    assert d.deal is not None
    return d.deal.percent_of(f.visit.receiver)


@st.composite
def discovery_cases(
    draw: st.DrawFn, kinds: tuple[ClaimKind, ...]
) -> tuple[OwnershipFacts, dt.datetime, dt.datetime]:
    """One claim of another salesperson and the receiver's own deal; two discovery times."""
    kind = draw(st.sampled_from(kinds))
    registered_at = draw(st.none() | minutes(0, 300).map(lambda d: BASE + d))
    deal_at = BASE + draw(minutes(0, 60 * 24 * 8))
    claim = Claim(
        id="c",
        kind=kind,
        holder=LI,
        since=BASE - draw(minutes(60, 60 * 24 * 80)),
        found_at=BASE,
        match=PHONE,
        holder_on_site=draw(st.booleans()),
        holder_reachable=draw(st.booleans()),
    )
    visit: dict[str, Any] = dict(
        id="v",
        arrived_at=BASE,
        receiver=ZHAO,
        registered_at=registered_at,
        handling=draw(st.none() | st.sampled_from(Handling)),
        receiver_knew=draw(st.booleans()),
    )
    consents = tuple(
        Consent(
            holder=LI, receiver=ZHAO, given=draw(st.booleans()), at=BASE + draw(minutes(0, 600))
        )
        for _ in range(draw(st.integers(0, 1)))
    )
    f = OwnershipFacts(
        now=BASE + dt.timedelta(days=60),
        visit=Visit(**visit),
        claims=(claim,),
        deal=Deal("d", ZHAO, deposit_paid_at=deal_at, subscription_signed_at=deal_at),
        consents=consents,
    )
    early = BASE + draw(minutes(-30, 60 * 24 * 20))
    late = early + draw(minutes(0, 60 * 24 * 20))
    return f, early, late


def with_found(f: OwnershipFacts, found: dt.datetime) -> OwnershipFacts:
    return replace(f, claims=(replace(f.claims[0], found_at=found),))


@settings(max_examples=400, deadline=None)
@given(
    discovery_cases((ClaimKind.REGISTERED, ClaimKind.PHONE_ENQUIRY, ClaimKind.PRE_REGISTRATION)),
    policies,
)
def test_a7_16_a_later_discovery_never_gives_the_receiver_less(
    case: tuple[OwnershipFacts, dt.datetime, dt.datetime], policy: OwnershipPolicy
) -> None:
    f, early, late = case
    assert receiver_share(with_found(f, late), policy) >= receiver_share(
        with_found(f, early), policy
    )


@settings(max_examples=300, deadline=None)
@given(discovery_cases((ClaimKind.FAMILY, ClaimKind.BATCH)), policies)
def test_a7_14_a_later_discovery_never_gives_the_receiver_less_under_the_help_split(
    case: tuple[OwnershipFacts, dt.datetime, dt.datetime], policy: OwnershipPolicy
) -> None:
    policy = replace(policy, transfer_deal_split=TransferDealSplit.HELP_SPLIT)
    f, early, late = case
    assert receiver_share(with_found(f, late), policy) >= receiver_share(
        with_found(f, early), policy
    )


def test_a7_14_under_owner_all_a_later_discovery_can_give_the_receiver_less() -> None:
    """The counterexample: 钱芳 consents during the reception (赵强 20%); had the family link
    surfaced only after 赵强's deal, A7.14 with ``owner_all`` gives him nothing."""
    policy = OwnershipPolicy(transfer_deal_split=TransferDealSplit.OWNER_ALL)
    f = OwnershipFacts(
        now=at(3, 31),
        visit=Visit(id="v", arrived_at=BASE, receiver=ZHAO, registered_at=at(3, 1, 11)),
        claims=(
            Claim(
                id="c",
                kind=ClaimKind.FAMILY,
                holder=QIAN,
                since=at(2, 20),
                found_at=at(3, 1, 10, 20),
            ),
        ),
        deal=Deal(
            "d", ZHAO, deposit_paid_at=at(3, 1, 10, 50), subscription_signed_at=at(3, 1, 10, 50)
        ),
        consents=(Consent(QIAN, ZHAO, True, at(3, 1, 10, 25)),),
    )
    assert receiver_share(f, policy) == Decimal(20)
    assert receiver_share(with_found(f, at(3, 2)), policy) == Decimal(0)


# --- the namesake horizon (what a first decision may leave out of the facts) -------------------


@st.composite
def stale_namesakes(draw: st.DrawFn, f: OwnershipFacts, policy: OwnershipPolicy) -> Claim:
    """A full-name-only claim whose holder's latest visit is before the horizon (any anchor)."""
    horizon = namesake_horizon(f.visit.arrived_at, policy).since
    last = horizon - draw(minutes(1, 60 * 24 * 400))
    return Claim(
        id="namesake",
        kind=ClaimKind.REGISTERED,
        holder=draw(st.sampled_from(SELLERS)),
        since=last - draw(minutes(0, 60 * 24 * 400)),
        found_at=BASE + draw(minutes(-60, 60 * 24 * 20)),
        found_by=draw(st.none() | st.sampled_from(SELLERS)),
        match=NAME_ONLY,
        last_holder_visit_at=last,
        holder_on_site=draw(st.booleans()),
        holder_reachable=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(st.data(), facts(), policies)
def test_a_namesake_last_seen_before_the_horizon_never_changes_the_decision(
    data: st.DataObject, f: OwnershipFacts, policy: OwnershipPolicy
) -> None:
    """``namesake_horizon``: with no identity ruling, adding an unconfirmed full-name-only claim
    whose latest visit is before the horizon gives exactly the decision without it."""
    plain = replace(f, rulings=tuple(r for r in f.rulings if r.kind == RulingKind.AWARD))
    stale = data.draw(stale_namesakes(plain, policy))
    with_it = replace(plain, claims=(*plain.claims, stale))
    assert decide_ownership(with_it, policy, NAMES).as_json() == (
        decide_ownership(plain, policy, NAMES).as_json()
    )


def test_the_namesake_horizon_is_local_midnight_n_days_before_and_a_namesake_on_it_counts() -> None:
    """A7.15 counts local days (60th day inside): a namesake last received on the horizon's own
    day still waits for the sales manager (A7.4 reading, A7.20); the day before, it cannot."""
    policy = OwnershipPolicy()
    arrived = at(5, 1, 10)  # 2026-05-01 10:00 Asia/Shanghai
    horizon = namesake_horizon(arrived, policy)
    assert horizon.since == dt.datetime(2026, 3, 2, tzinfo=LOCAL_TZ)  # 60 days before 05-01
    assert horizon.rule_ids == ("A7.4", "A7.15", "A7.20")

    def decide(last: dt.datetime) -> OwnershipDecision:
        namesake = Claim(
            id="namesake",
            kind=ClaimKind.REGISTERED,
            holder=LI,
            since=last,
            found_at=arrived,
            match=NAME_ONLY,
            last_holder_visit_at=last,
        )
        visit = Visit(id="v", arrived_at=arrived, receiver=ZHAO, arrival=Arrival.WALK_IN)
        facts_ = OwnershipFacts(now=arrived, visit=visit, claims=(namesake,))
        return decide_ownership(facts_, policy, NAMES)

    assert decide(horizon.since).outcome == Outcome.NEEDS_RULING
    assert decide(horizon.since - dt.timedelta(seconds=1)).outcome == Outcome.DECIDED
