"""The reception flow against the database: arrival → receiver, registration → the ownership
engine's decision stored with its rule IDs and policy reference, owner applied, ledger verified."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.core.policy.selectors import ResolvedPolicy
from kehu.sales import reception_services as services
from kehu.sales import rules
from kehu.sales.models import Registration
from kehu.sales.models.reception import DecisionOutcome, OwnershipDecision
from kehu.sales.policy import SalesSettings
from kehu.sales.registration_services import (
    CallDetails,
    VisitDetails,
    phone_enquiry_record,
    registration_record,
)
from kehu.sales.rotation_services import rotation_day_open

from .test_rotation_cast import Office, make_office

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def office(
    clock: None, cast: object, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> Office:
    return make_office(cast, east, li, zhao, wang, chen)


def open_day(o: Office, first: Staff) -> None:
    order = [first.pk] + [s.pk for s in o.sellers if s.pk != first.pk]
    rotation_day_open(actor=o.pm, site=o.site, order=order)


def old_registration(o: Office, by: Staff, days_ago: int, **details: str) -> Customer:
    """``by`` received and registered this customer ``days_ago`` days before today."""
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        done = registration_record(staff=by, details=VisitDetails(**details), receiver=by)
    return done.customer


def test_a1_5_a2_12_a_walk_in_belongs_to_the_rotation_receiver(office: Office) -> None:
    # given 赵强 is next on the rotation
    open_day(office, office.zhao)
    # when a new visitor walks in, asking for nobody
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    # then the rotation names 赵强, with its rule
    assert visit.receiver == office.zhao and visit.rotation_rule_ids
    # when the desk registers the visitor
    done = services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="张新", contact="13900000001"),
    )
    # then 赵强 owns the new customer by the first registration (A1.5)
    stored = done.decision
    assert stored.outcome == DecisionOutcome.DECIDED
    assert stored.clause.startswith("A1.5") and "A1.5" in stored.rule_ids
    assert stored.owner_after == {"kind": "salesperson", "salesperson": str(office.zhao.pk)}
    assert stored.policy_ref.startswith("sales@")
    customer = Customer.objects.get(pk=done.visit.customer_id or 0)
    assert customer.owner == office.zhao
    # and his turn was consumed
    assert [t["outcome"] for t in stored.turn_effects] == ["consumed"]
    # and the decision is in the ledger, which verifies
    assert LedgerEntry.objects.filter(stream="decisions").count() == 1
    assert ledger_verify(company=office.site.company).ok
    # when the reception ends, the visit records it
    ended = services.visit_end(actor=office.desk, visit_id=visit.pk)
    assert ended.ended_at is not None


def test_a7_15_someone_elses_old_customer_found_after_60_days_is_new(office: Office) -> None:
    # given 李明 registered 王老 70 days ago, and has not seen him since
    old = old_registration(office, office.li, 70, customer_name="王老", contact="13900000002")
    assert old.owner == office.li
    # when 王老 walks in and the rotation gives him to 赵强
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    assert visit.receiver == office.zhao
    # and at registration he is found to be 李明's old customer
    done = services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="王老", contact="13900000002"),
        customer_id=old.pk,
    )
    # then more than 60 days on, he is a new customer of 赵强 (A7.15)
    stored = done.decision
    assert stored.outcome == DecisionOutcome.DECIDED
    assert "A7.15" in stored.rule_ids
    assert stored.owner_after["salesperson"] == str(office.zhao.pk)
    assert "new_customer" in stored.flags
    old.refresh_from_db()
    assert old.owner == office.zhao
    assert ledger_verify(company=office.site.company).ok


def test_a7_12_2_a_phone_customer_asking_for_x_present_goes_to_x(office: Office) -> None:
    # given 李明 took 周来电's call five days ago
    with time_machine.travel(NOW - dt.timedelta(days=5), tick=False):
        enquiry = phone_enquiry_record(
            staff=office.li,
            details=CallDetails(caller_name="周来电", contact="13900000003"),
            called_at=timezone.now(),
        )
    # when 周来电 comes and asks for 李明, who is present, while 赵强 is next
    open_day(office, office.zhao)
    visit = services.visit_arrive(
        actor=office.desk,
        site=office.site,
        arrival="phone_customer",
        named_staff_id=office.li.pk,
    )
    # then 李明 receives
    assert visit.receiver == office.li and visit.named_present
    done = services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="周来电", contact="13900000003"),
        customer_id=enquiry.customer_id,
    )
    # and owns the customer by A7.12(2), with no turn consumed
    stored = done.decision
    assert stored.clause == "A7.12(2)"
    assert stored.owner_after["salesperson"] == str(office.li.pk)
    assert [t["outcome"] for t in stored.turn_effects] == ["not_consumed"]


def zhang_wei_walks_in_to_zhao(o: Office) -> services.RegisterResult:
    """A 张伟 with a phone nobody has walks in; 赵强 is next on the rotation and registers him."""
    open_day(o, o.zhao)
    visit = services.visit_arrive(actor=o.desk, site=o.site, arrival="walk_in")
    return services.visit_register(
        actor=o.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="张伟", contact="13900000005"),
    )


def test_a7_20_a_full_name_only_match_waits_for_the_sales_manager(office: Office) -> None:
    # given 李明 registered 张伟 ten days ago with one phone
    old_registration(office, office.li, 10, customer_name="张伟", contact="13900000004")
    # when a 张伟 with another phone walks in and 赵强 receives him
    done = zhang_wei_walks_in_to_zhao(office)
    # then only the full name matches: the decision waits for the sales manager (A7.20)
    stored = done.decision
    assert stored.outcome == DecisionOutcome.PENDING
    assert "A7.20" in stored.rule_ids and stored.policy_ref
    # and nobody's ownership changed
    customer = Customer.objects.get(pk=done.visit.customer_id or 0)
    assert customer.owner is None
    assert ledger_verify(company=office.site.company).ok


@pytest.mark.parametrize(("days_ago", "waits"), [(60, True), (61, False)])
def test_a7_15_a_namesake_beyond_the_window_is_left_out_of_a_first_decision(
    office: Office, days_ago: int, waits: bool
) -> None:
    """rules.namesake_horizon: a namesake last received 61 days before cannot make the decision
    wait (A7.15 counts local days, the 60th inside), so the first decision's facts leave it
    out; the line still lists it for the sales manager, and a later decision reads it again."""
    # given 李明 registered 张伟 ``days_ago`` days ago with one phone
    namesake = old_registration(
        office, office.li, days_ago, customer_name="张伟", contact="13900000004"
    )
    # when another 张伟 walks in and 赵强 receives him
    done = zhang_wei_walks_in_to_zhao(office)
    visit = done.visit
    claim_id = f"customer:{namesake.pk}:staff:{office.li.pk}"
    stored = done.decision
    assert done.visit.registration is not None
    assert done.visit.registration.name_matches == [namesake.pk]
    in_facts = [c["id"] for c in stored.facts["claims"]]
    # then within the window the decision waits (A7.20); beyond it 赵强's new customer (A1.5)
    assert (stored.outcome == DecisionOutcome.PENDING) is waits
    assert (claim_id in in_facts) is waits
    # and a later decision of the same visit reads every namesake again, with the same outcome
    again = services.visit_redecide(actor=office.desk, visit_id=visit.pk, cause="test")
    assert claim_id in [c["id"] for c in again.decision.facts["claims"]]
    assert again.decision.outcome == stored.outcome
    assert again.decision.owner_after == stored.owner_after


@pytest.mark.parametrize(("days_ago", "read"), [(60, True), (61, False)])
def test_a_first_decision_reads_no_lines_of_a_namesake_not_seen_since_the_horizon(
    office: Office, days_ago: int, read: bool
) -> None:
    """The match says whether each namesake's latest visit (``Customer.last_visit_at``) is since
    the horizon: one last seen before it has no line the facts would keep, so its lines are not
    read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given 李明 registered 张伟 ``days_ago`` days ago: that is the namesake's latest visit
    namesake = old_registration(
        office, office.li, days_ago, customer_name="张伟", contact="13900000004"
    )
    namesake.refresh_from_db()
    assert namesake.last_visit_at == NOW - dt.timedelta(days=days_ago)
    # when another 张伟 walks in and 赵强 receives him
    with CaptureQueriesContext(connection) as queries:
        done = zhang_wei_walks_in_to_zhao(office)
    # then the namesake's lines are read only when it was seen since the horizon
    namesakes_read = [q["sql"] for q in queries if q["sql"].startswith("WITH recent")]
    assert bool(namesakes_read) is read
    assert done.visit.registration is not None
    assert done.visit.registration.name_matches == [namesake.pk]
    assert (done.decision.outcome == DecisionOutcome.PENDING) is read


def test_a_customers_latest_visit_follows_the_latest_line_and_never_moves_back(
    office: Office,
) -> None:
    from kehu.sales.registration_services import registration_record as record

    # given 李明 registered 王客 ten days ago
    customer = old_registration(office, office.li, 10, customer_name="王客", contact="13900000009")
    customer.refresh_from_db()
    assert customer.last_visit_at == NOW - dt.timedelta(days=10)
    # when 王客 visits today, then a line for a visit 20 days ago is entered late
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="王客"),
        customer_id=customer.pk,
    )
    record(
        staff=office.li,
        details=VisitDetails(customer_name="王客"),
        receiver=office.li,
        customer_id=customer.pk,
        visited_at=NOW - dt.timedelta(days=20),
    )
    # then the latest visit is today's arrival, not the late line's
    customer.refresh_from_db()
    assert customer.last_visit_at == visit.arrived_at
    latest = Registration.objects.filter(customer=customer).order_by("-visited_at").first()
    assert latest is not None and latest.visited_at == customer.last_visit_at


def test_every_stored_decision_names_rules_and_policy(office: Office) -> None:
    open_day(office, office.zhao)
    for n in range(2):
        visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
        services.visit_register(
            actor=office.desk,
            visit_id=visit.pk,
            details=VisitDetails(customer_name=f"客{n}", contact=f"1390000010{n}"),
        )
    for stored in OwnershipDecision.objects.all():
        assert stored.rule_ids and stored.policy_ref and stored.explanation_zh
    # and the table is append-only
    with pytest.raises(Exception):  # noqa: B017  the database trigger refuses
        OwnershipDecision.objects.update(clause="X")


def test_an_outsider_cannot_touch_another_companys_visit(office: Office) -> None:
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    with pytest.raises(services.ReceptionError) as refused:
        services.visit_end(actor=office.chen, visit_id=visit.pk)
    assert refused.value.status == 404


def test_the_live_service_agrees_with_the_engine(office: Office) -> None:
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    done = services.visit_register(
        actor=office.desk, visit_id=visit.pk, details=VisitDetails(customer_name="甲")
    )
    assert done.decision.detail == rules.decision_as_json(done.engine)


def test_a7_13_continuing_with_a_colleagues_customer_is_a_grab_with_a_fine_proposal(
    office: Office,
) -> None:
    from kehu.discipline.models import DisciplineProposal

    # given 李明 registered 孙客 ten days ago
    old = old_registration(office, office.li, 10, customer_name="孙客", contact="13900000006")
    # when 孙客 walks in, 赵强 receives, finds out during the reception and carries on
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    done = services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="孙客", contact="13900000006"),
        customer_id=old.pk,
        found_at=visit.arrived_at,
        handling="continued",
    )
    # then it is a grab (A7.13): the customer stays 李明's and a 200–500 fine is proposed
    stored = done.decision
    assert "A7.13" in stored.rule_ids and "grab" in stored.flags
    assert stored.owner_after["salesperson"] == str(office.li.pk)
    proposal = DisciplineProposal.objects.get()
    assert proposal.employee == office.zhao
    assert (proposal.low, proposal.high) == (200, 500)
    assert ledger_verify(company=office.site.company).ok


def test_a7_13_a7_2_handing_a_colleagues_customer_back_earns_a_make_up(office: Office) -> None:
    from kehu.sales.models.rotation import RotationEvent

    # given 李明 registered 吴客 ten days ago
    old = old_registration(office, office.li, 10, customer_name="吴客", contact="13900000007")
    # when 赵强 receives 吴客, finds out during the reception and hands him back
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    done = services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="吴客", contact="13900000007"),
        customer_id=old.pk,
        found_at=visit.arrived_at,
        handling="handed_back",
    )
    # then 吴客 stays 李明's, no fine, and 赵强's turn becomes a make-up (A7.2(2))
    stored = done.decision
    assert stored.owner_after["salesperson"] == str(office.li.pk)
    assert "grab" not in stored.flags
    turns = {t["salesperson"]: t["outcome"] for t in stored.turn_effects}
    assert turns[str(office.zhao.pk)] == "makeup_earned"
    assert RotationEvent.objects.filter(staff=office.zhao, visit_ref=f"visit:{visit.pk}").exists()


def test_a7_7_a_public_customer_belongs_to_the_sales_department(office: Office) -> None:
    # given 赵强 is next
    open_day(office, office.zhao)
    # when a peer whom colleagues know arrives (A7.6 a) and is registered
    visit = services.visit_arrive(
        actor=office.desk, site=office.site, arrival="public", public_kind="a"
    )
    done = services.visit_register(
        actor=office.desk, visit_id=visit.pk, details=VisitDetails(customer_name="同行甲")
    )
    # then the customer is the sales department's, nobody's personally, and no turn is used
    stored = done.decision
    assert stored.clause.startswith("A7.7")
    assert stored.owner_after["kind"] == "sales_department"
    assert Customer.objects.get(pk=done.visit.customer_id or 0).owner is None
    assert all(t["outcome"] != "consumed" for t in stored.turn_effects)


def test_a_namesake_seen_within_the_horizon_keeps_its_first_line_as_since(office: Office) -> None:
    """The namesakes' read finds receivers seen since the horizon first, then reads their lines:
    the claim still starts at the holder's first line, however old, and knows the latest."""
    from kehu.sales.registration_services import registration_record as record

    # given 李明 registered 张伟 200 days ago and received him again 10 days ago
    namesake = old_registration(office, office.li, 200, customer_name="张伟", contact="13900000004")
    with time_machine.travel(NOW - dt.timedelta(days=10), tick=False):
        record(
            staff=office.li,
            details=VisitDetails(customer_name="张伟", contact="13900000004"),
            receiver=office.li,
            customer_id=namesake.pk,
        )
    # when another 张伟 walks in and 赵强 receives him
    done = zhang_wei_walks_in_to_zhao(office)
    # then the namesake's claim is in the facts, since the first line, last seen 10 days ago
    claims = {c["id"]: c for c in done.decision.facts["claims"]}
    claim = claims[f"customer:{namesake.pk}:staff:{office.li.pk}"]
    assert claim["since"].startswith((NOW - dt.timedelta(days=200)).date().isoformat()[:7])
    assert claim["last_holder_visit_at"].startswith(
        (NOW - dt.timedelta(days=10)).date().isoformat()
    )


def test_a_visit_the_desk_recorded_nothing_about_is_decided_without_reading_the_ledger(
    office: Office,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kehu.sales.models.reception import Visit

    # given 孙客 was registered by 孙磊 ten days ago; two visitors arrive
    old = old_registration(office, office.sun, 10, customer_name="孙客", contact="13900000006")
    open_day(office, office.zhao)
    quiet = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    noted = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    # when the desk records a conflict on the second one only (孙磊 holds 孙客)
    assert office.sun.pk not in (quiet.receiver_id, noted.receiver_id)
    services.conflict_record(actor=office.desk, visit_id=noted.pk, holder_id=office.sun.pk)
    # then that visit counts one desk record, the other none
    counts = dict(Visit.objects.values_list("pk", "desk_records"))
    assert (counts[quiet.pk], counts[noted.pk]) == (0, 1)
    # and registering the quiet visit reads no entry of the desk's stream
    with CaptureQueriesContext(connection) as captured:
        services.visit_register(
            actor=office.desk,
            visit_id=quiet.pk,
            details=VisitDetails(customer_name="钱客", contact="13900000007"),
        )
    assert not [q for q in captured.captured_queries if "'receptions'" in q["sql"]]
    # while registering the noted one reads the conflict and decides with it (found during
    # the reception)
    done = services.visit_register(
        actor=office.desk,
        visit_id=noted.pk,
        details=VisitDetails(customer_name="孙客", contact="13900000006"),
        customer_id=old.pk,
    )
    assert done.decision.facts["claims"], done.decision.facts
    assert any(c.get("found_at") for c in done.decision.facts["claims"])


def _resolved_sales(values: SalesSettings, version: int) -> ResolvedPolicy[SalesSettings]:
    return ResolvedPolicy(
        key="sales",
        values=values,
        version_id=version,
        version=version,
        source="company",
        effective_from=None,
        company_kind="real_estate",
    )


def test_the_engines_policy_is_converted_once_per_settings_object_and_anew_for_another() -> None:
    # given the settings of one version, handed out twice, and those of a later version
    first = SalesSettings(referral_valid_days=7)
    later = SalesSettings(referral_valid_days=10, skip_makeup=not_the_default_skip(first))
    # then the same settings give the same engine policy, converted once
    policy, ref = services._ownership_policy(_resolved_sales(first, 1))
    again, _ = services._ownership_policy(_resolved_sales(first, 1))
    assert again is policy and ref == "sales@v1"
    assert policy == first.as_rules_policy()
    # and another version's settings give their own, never the first one's
    changed, ref = services._ownership_policy(_resolved_sales(later, 2))
    assert changed == later.as_rules_policy() != policy and ref == "sales@v2"
    assert changed.referral_valid_days == 10


def not_the_default_skip(settings: SalesSettings) -> str:
    return next(s.value for s in rules.SkipMakeup if s.value != settings.skip_makeup)
