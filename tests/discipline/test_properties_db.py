"""Properties with a database: whatever sequence of entries reaches the ledger through the one
door, the standing recomputed from the ledger is the rules' standing over the same facts, the
API shows that standing, the replay CLI prints it, and no count is ever negative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.org.models import Staff
from kehu.discipline import rules, selectors
from kehu.discipline.policy import DisciplineSettings
from kehu.discipline.replay import ReplayInput, replay
from kehu.discipline.rules import Kind
from kehu.discipline.services import discipline_entry_post

FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)

PLAIN_KINDS = [
    Kind.COMMENDATION,
    Kind.MINOR_MERIT,
    Kind.MAJOR_MERIT,
    Kind.CRITICISM,
    Kind.MINOR_DEMERIT,
    Kind.MAJOR_DEMERIT,
    Kind.WARNING,
    Kind.TERMINATION,
    Kind.DEMOTION,
]


@dataclass(frozen=True)
class Fact:
    """One generated fact; ``refs`` are positions of earlier facts."""

    kind: Kind
    on: dt.date
    amount: Decimal | None = None
    points: int | None = None
    failure_type: int | None = None
    refs: tuple[int, ...] = ()


days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@st.composite
def fact_lists(draw: st.DrawFn) -> list[Fact]:
    facts: list[Fact] = []
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        on = draw(days)
        choice = draw(
            st.sampled_from(["plain", "money", "points", "failure", "offset", "reversal"])
        )
        if choice == "money":
            kind = draw(st.sampled_from([Kind.FINE, Kind.BONUS, Kind.SPECIAL_AWARD]))
            cents = draw(st.integers(min_value=1, max_value=500_000))
            facts.append(Fact(kind, on, amount=Decimal(cents) / 100))
        elif choice == "points":
            points = draw(st.integers(min_value=-20, max_value=20).filter(bool))
            facts.append(Fact(Kind.POINTS, on, points=points))
        elif choice == "failure":
            failure_type = draw(st.integers(min_value=1, max_value=6))
            facts.append(Fact(Kind.SUPERVISION_FAILURE, on, failure_type=failure_type))
        elif choice == "offset" and len(facts) >= 2:
            merit, penalty = draw(
                st.lists(st.integers(0, len(facts) - 1), min_size=2, max_size=2, unique=True)
            )
            facts.append(Fact(Kind.OFFSET, on, refs=(merit, penalty)))
        elif choice == "reversal" and facts:
            facts.append(Fact(Kind.REVERSAL, on, refs=(draw(st.integers(0, len(facts) - 1)),)))
        else:
            facts.append(Fact(draw(st.sampled_from(PLAIN_KINDS)), on))
    return facts


def post_all(employee: Staff, by: Staff, facts: list[Fact]) -> list[int]:
    pks: list[int] = []
    for fact in facts:
        entry = discipline_entry_post(
            employee=employee,
            on=fact.on,
            kind=fact.kind,
            reason="性质测试",
            rule_ids=[],
            recorded_by=by,
            amount=fact.amount,
            points=fact.points,
            failure_type=fact.failure_type,
            refs=[pks[i] for i in fact.refs],
        )
        pks.append(entry.pk)
    return pks


def facts_as_rules_entries(facts: list[Fact], pks: list[int]) -> list[rules.Entry]:
    """The same facts, built without the database rows: what the rules should have seen."""
    return [
        rules.Entry(
            id=str(pk),
            kind=fact.kind,
            on=fact.on,
            seq=pk,
            amount=fact.amount.quantize(rules.CENT) if fact.amount is not None else None,
            points=fact.points,
            failure_type=fact.failure_type,
            refs=tuple(str(pks[i]) for i in fact.refs),
        )
        for fact, pk in zip(facts, pks, strict=True)
    ]


def replay_input(facts: list[Fact], pks: list[int], as_of: dt.date) -> ReplayInput:
    return ReplayInput.model_validate(
        {
            "as_of": as_of,
            "entries": [
                {
                    "id": str(pk),
                    "kind": fact.kind.value,
                    "on": fact.on,
                    "seq": pk,
                    "amount": fact.amount,
                    "points": fact.points,
                    "failure_type": fact.failure_type,
                    "refs": [str(pks[i]) for i in fact.refs],
                }
                for fact, pk in zip(facts, pks, strict=True)
            ],
        }
    )


@pytest.fixture
def logged_in(client: Client, li: Staff) -> Client:
    client.force_login(li.user)
    return client


PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(facts=fact_lists(), as_of=days)
def test_a_standing_recomputed_from_the_ledger_is_the_rules_standing_over_the_same_facts(
    li: Staff, wang: Staff, facts: list[Fact], as_of: dt.date
) -> None:
    with transaction.atomic():
        pks = post_all(li, wang, facts)
        from_ledger = selectors.standing_for_employee(viewer=li, employee=li, as_of=as_of)
        expected = rules.standing(
            facts_as_rules_entries(facts, pks), DisciplineSettings().as_rules_policy(), as_of
        )
        assert from_ledger.standing == expected
        assert all(count >= 0 for count in from_ledger.standing.counts.values())
        assert from_ledger.policy_ref == "discipline@default"
        transaction.set_rollback(True)


@PROPERTY_SETTINGS
@given(facts=fact_lists(), as_of=days)
def test_the_api_and_the_replay_cli_show_the_standing_the_ledger_gives(
    logged_in: Client, li: Staff, wang: Staff, facts: list[Fact], as_of: dt.date
) -> None:
    with transaction.atomic():
        pks = post_all(li, wang, facts)
        response = logged_in.get(
            f"/api/v1/discipline/standing/{li.pk}", {"as_of": as_of.isoformat()}
        )
        assert response.status_code == 200, response.content
        shown: dict[str, Any] = response.json()
        for proposal in shown["proposals"]:
            proposal.pop("open")
            proposal.pop("decision")
        printed = replay(replay_input(facts, pks, as_of))
        assert printed.pop("policy_ref") == shown["policy_ref"]
        assert printed == {key: shown[key] for key in printed}
        transaction.set_rollback(True)


@settings(max_examples=40, deadline=None)
@given(facts=fact_lists(), as_of=days)
def test_replaying_the_same_entries_in_any_listed_order_gives_the_same_standing(
    facts: list[Fact], as_of: dt.date
) -> None:
    # The rules sort by (date, seq): the order the file lists entries in does not matter.
    pks = list(range(1, len(facts) + 1))
    forward = replay(replay_input(facts, pks, as_of))
    data = replay_input(facts, pks, as_of)
    backward = replay(data.model_copy(update={"entries": list(reversed(data.entries))}))
    assert forward == backward
    assert all(count >= 0 for count in forward["counts"].values())
