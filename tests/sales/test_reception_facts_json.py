"""``facts_as_json``: the facts a live decision was made from, as one case of the replay input of
``kehu rules sales`` — parsing it gives back equal facts (hypothesis round trip)."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kehu.core.customers.rules import IdentityKey
from kehu.sales.replay import replay_case
from kehu.sales.rules import (
    Owner,
    OwnershipFacts,
    Ruling,
    RulingKind,
    Share,
    ShareRole,
    Visit,
)
from kehu.sales.rules.facts_json import facts_as_json

from .test_rules_properties import BASE, LI, ZHAO, facts


def _full_name_alone(f: OwnershipFacts) -> str | None:
    """The identity setting the facts' full-name-only matches were made under (None: mixed)."""
    readings = {
        c.match.needs_confirmation for c in f.claims if c.match.keys == (IdentityKey.FULL_NAME,)
    }
    if len(readings) > 1:
        return None
    return "decides" if readings == {False} else "needs_confirmation"


@settings(max_examples=300, deadline=None)
@given(f=facts())
def test_facts_round_trip_through_the_replay_format(f: OwnershipFacts) -> None:
    # given facts the engine takes, under one identity reading
    reading = _full_name_alone(f)
    assume(reading is not None)
    assert reading is not None
    # when they are written as a replay case, through JSON text, and parsed back
    case = json.loads(json.dumps(facts_as_json(f), ensure_ascii=False))
    _case, parsed = replay_case(0, case, reading)
    # then the parsed facts are equal to the original
    assert parsed == f
    assert case["id"] == f.visit.id


def test_an_award_with_shares_round_trips() -> None:
    # given an A7.20 award splitting a deal 30/70
    ruling = Ruling(
        kind=RulingKind.AWARD,
        ruled_at=BASE,
        ruled_by="wang",
        reason="双方协商",
        owner=Owner.of(LI),
        shares=(
            Share(Owner.of(ZHAO), ShareRole.CLOSER, Decimal("30.00")),
            Share(Owner.of(LI), ShareRole.OWNER, Decimal("70.00")),
        ),
    )
    f = OwnershipFacts(
        now=BASE,
        visit=facts_example_visit(),
        rulings=(ruling,),
    )
    # when written and parsed back, then equal
    assert replay_case(0, facts_as_json(f, "case-1"), "needs_confirmation")[1] == f


def facts_example_visit() -> Visit:
    return Visit(id="v1", arrived_at=BASE, receiver=ZHAO)


@given(st.just(None))
def test_case_id_defaults_to_the_visit(_: None) -> None:
    f = OwnershipFacts(now=BASE, visit=facts_example_visit())
    assert facts_as_json(f)["id"] == "v1"
    assert facts_as_json(f, "x")["id"] == "x"
