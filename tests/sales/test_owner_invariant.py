"""Exactly one owner per customer at any time (issue #4, "Done when"; A1.5, A7.12–A7.16, A7.20).

Days of visits are driven through the live reception services (the driver of
test_live_replay.py) and after every visit: each customer's owner is one salesperson or nobody
(the sales department, a group buy, or not yet decided), and the latest *decided* decision of
the customer's decision chain names exactly the ``Customer.owner``; a pending decision (A7.20)
changes nobody's ownership; each visit's decisions form one chain (each supersedes the one
before, none is superseded twice).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given

from kehu.core.customers.models import Customer
from kehu.core.org.models import Company, Staff
from kehu.sales.models.reception import DecisionOutcome, OwnershipDecision
from kehu.sales.models.registration import PhoneEnquiry

from .test_live_replay import PROPERTY, OfficeDay, Step, office_day, run_steps, visit_steps


def owner_of(decision: OwnershipDecision) -> int | None:
    """The ``Customer.owner`` a decided decision implies: its salesperson, else nobody."""
    after = decision.owner_after
    if after.get("kind") == "salesperson" and after.get("salesperson"):
        return int(after["salesperson"])
    return None


def check_one_owner(day: OfficeDay) -> None:
    company = day.office.site.company
    decisions = list(OwnershipDecision.objects.filter(company=company).order_by("decided_at", "pk"))
    latest_decided: dict[int, OwnershipDecision] = {}
    for decision in decisions:
        if decision.outcome == DecisionOutcome.DECIDED and decision.customer_id is not None:
            latest_decided[decision.customer_id] = decision
    phone_takers = dict(
        PhoneEnquiry.objects.filter(company=company)
        .order_by("called_at", "pk")
        .values_list("customer_id", "desk_owner_id")
    )
    sellers = {s.pk for s in day.office.sellers}
    for customer in Customer.objects.filter(company=company):
        # one salesperson of this office, or nobody — never anyone else
        assert customer.owner_id is None or customer.owner_id in sellers
        decided = latest_decided.get(customer.pk)
        if decided is not None:
            # the chain's latest decided owner is the customer's owner
            assert customer.owner_id == owner_of(decided), (customer, decided.rule_ids)
        else:
            # never decided (a phone customer not yet come, or only pending decisions): the
            # owner is the salesperson who took the call (A7.5), or nobody yet
            assert customer.owner_id in (phone_takers.get(customer.pk), None)
    # each visit's decisions are one chain: none is superseded twice
    superseded = Counter(d.supersedes_id for d in decisions if d.supersedes_id is not None)
    assert all(count == 1 for count in superseded.values())


@PROPERTY
@given(steps=visit_steps(max_size=12))
def test_exactly_one_owner_per_customer_after_every_visit(
    cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff, steps: list[Step]
) -> None:
    with office_day(cast, east, li, zhao, wang, chen) as day:
        # given any sequence of visits; then after each one, every customer has one owner and
        # it is the one the latest decided decision names
        day.after_each = check_one_owner
        run_steps(day, steps)
        check_one_owner(day)


def test_a7_20_a_pending_decision_changes_nobodys_ownership(
    cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> None:
    with office_day(cast, east, li, zhao, wang, chen) as day:
        # given 散客1 received and owned by the first on the rotation
        day.walk_in()
        owner = Customer.objects.get().owner_id
        # when someone with the same full name and another phone walks in (a namesake)
        day.namesake(0)
        # then the namesake's decision waits for the sales manager, and 散客1's owner is as before
        pending = OwnershipDecision.objects.order_by("-pk").first()
        assert pending is not None and pending.outcome == DecisionOutcome.PENDING
        assert "A7.20" in pending.rule_ids
        first = Customer.objects.order_by("pk").first()
        assert first is not None and first.owner_id == owner
        check_one_owner(day)
