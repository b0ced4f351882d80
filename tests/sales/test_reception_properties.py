"""Property: the live reception flow and the engine agree on the same facts (Part S: live app and
replay agree). The facts are written here by hand from what the test did — not read back from
the database — and ``decide_ownership`` must give what the service stored."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.customers.rules import IdentityKey, IdentityMatch
from kehu.core.org.models import Company, Staff
from kehu.sales import reception_services as services
from kehu.sales import rules
from kehu.sales.registration_services import VisitDetails

from .test_reception_services import NOW, Office, clock, make_office, old_registration, open_day  # noqa: F401

_serial = itertools.count()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(days_ago=st.integers(min_value=1, max_value=120), by_li=st.booleans())
def test_live_decision_equals_the_engine_on_hand_written_facts(
    clock: None,  # noqa: F811
    cast: object,
    east: Company,
    li: Staff,
    zhao: Staff,
    wang: Staff,
    chen: Staff,
    days_ago: int,
    by_li: bool,
) -> None:
    office = getattr(east, "_reception_office", None)
    if office is None:
        office = make_office(cast, east, li, zhao, wang, chen)
        open_day(office, office.zhao)
        east._reception_office = office  # type: ignore[attr-defined]
    assert isinstance(office, Office)
    n = next(_serial)
    phone = f"1380000{n:04d}"
    holder = office.li if by_li else office.qian
    # given the customer was registered by ``holder`` ``days_ago`` days ago
    old = old_registration(office, holder, days_ago, customer_name=f"客{n}", contact=phone)
    first_visit = old.registrations.get().visited_at
    # when the customer walks in and is registered as that customer
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    done = services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name=f"客{n}", contact=phone),
        customer_id=old.pk,
    )
    services.visit_end(actor=office.desk, visit_id=visit.pk)
    # then the engine, on the same facts written by hand, decides the same
    at = done.decision.decided_at
    facts = rules.OwnershipFacts(
        now=at,
        visit=rules.Visit(
            id=str(visit.pk),
            arrived_at=visit.arrived_at,
            receiver=str(visit.receiver_id),
            registered_at=at,
        ),
        claims=(
            rules.Claim(
                id=f"customer:{old.pk}:staff:{holder.pk}",
                kind=rules.ClaimKind.REGISTERED,
                holder=str(holder.pk),
                since=first_visit,
                found_at=at,
                found_by=str(visit.receiver_id),
                # the A7.4 grounds the two lines share: full name and phone
                match=IdentityMatch(
                    keys=(IdentityKey.FULL_NAME, IdentityKey.PHONE),
                    matched_phones=(f"+86{phone}",),
                    rule_ids=("A7.4",),
                ),
                last_holder_visit_at=first_visit,
            ),
        ),
    )
    policy, _ref = services.sales_policy(east, at)
    expected = rules.decide_ownership(facts, policy=policy)
    assert done.decision.clause == expected.clause
    assert tuple(done.decision.rule_ids) == expected.rule_ids
    assert done.decision.owner_after == expected.owner_after.as_json()
    # and exactly one owner: the customer's owner is the decided one
    old.refresh_from_db()
    assert str(old.owner_id) == expected.owner_after.salesperson
    assert isinstance(first_visit, dt.datetime) and first_visit < NOW
