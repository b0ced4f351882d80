"""Each ownership rule's path through the live reception services (Part S, A1.5–A7.18): what
the desk records — arrival, conflicts with their time, consent, handling, came-for, public found
afterwards, families, pre-registrations, deals, rulings — is what the decision is made from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.services import customer_phone_add, family_link_add
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.sales import reception_services as services
from kehu.sales.models.deal import Deal
from kehu.sales.models.reception import (
    DecisionOutcome,
    OwnershipDecision,
    PreRegistration,
    RulingRecord,
    Visit,
)
from kehu.sales.models.rotation import RotationEvent, RotationEventKind
from kehu.sales.registration_services import (
    CallDetails,
    VisitDetails,
    phone_enquiry_record,
)
from kehu.sales.rotation_rules import Reason, Status
from kehu.sales.rotation_services import rotation_status_set

from .test_reception_services import (  # noqa: F401
    NOW,
    Office,
    clock,
    make_office,
    old_registration,
    open_day,
)


@pytest.fixture
def office(
    clock: None,  # noqa: F811
    cast: object,
    east: Company,
    li: Staff,
    zhao: Staff,
    wang: Staff,
    chen: Staff,
) -> Office:
    o = make_office(cast, east, li, zhao, wang, chen)
    open_day(o, o.zhao)  # 赵强 is next on the rotation
    return o


def walk_in(o: Office, arrival: str = "walk_in", named_staff_id: int | None = None) -> Visit:
    return services.visit_arrive(
        actor=o.desk, site=o.site, arrival=arrival, named_staff_id=named_staff_id
    )


def register(o: Office, visit: Visit, customer: Customer | None = None, **details: str):  # type: ignore[no-untyped-def]
    done = services.visit_register(
        actor=o.desk,
        visit_id=visit.pk,
        details=VisitDetails(**details),
        customer_id=customer.pk if customer else None,
    )
    visit.refresh_from_db()
    return done


def away(o: Office, staff: Staff) -> None:
    rotation_status_set(
        actor=o.pm, site=o.site, staff_id=staff.pk, status=Status.AWAY, reason=Reason.SICK_LEAVE
    )


def owner_of(decision: OwnershipDecision) -> str:
    return decision.owner_after.get("salesperson") or decision.owner_after["kind"]


def turns(decision: OwnershipDecision) -> dict[str, str]:
    return {t["salesperson"]: t["outcome"] for t in decision.turn_effects}


def closed_deal(
    o: Office,
    customer_id: int,
    closer: Staff,
    at: dt.datetime,
    subscriber: str,
    *,
    visit: Visit | None = None,
) -> Deal:
    """A deal on ``customer_id`` closed by ``closer`` at ``at`` (deposit and subscription then)."""
    return Deal.objects.create(
        company=o.site.company,
        site=o.site,
        customer_id=customer_id,
        visit=visit,
        unit="1-101",
        price=Decimal("1000000.00"),
        subscriber=subscriber,
        closer=closer,
        deposit_paid_at=at,
        subscription_signed_at=at,
        closed_at=at,
        recorded_by=o.desk,
    )


def later(minutes: int) -> time_machine.travel:
    return time_machine.travel(NOW + dt.timedelta(minutes=minutes), tick=False)


# --- A7.7 public customer ---------------------------------------------------------------------


def test_a7_7_found_public_after_the_reception_gives_the_receiver_a_make_up(
    office: Office,
) -> None:
    # given 赵强 received a walk-in, registered and the reception ended
    visit = walk_in(office)
    first = register(office, visit, customer_name="看房者").decision
    assert first.clause == "A1.5"
    services.visit_end(actor=office.desk, visit_id=visit.pk)
    # when the visitor turns out to be a solicitor with no intent to buy (A7.6 d)
    with later(30):
        done = services.public_found_record(actor=office.desk, visit_id=visit.pk, public_kind="d")
    # then a new decision: the sales department's, and 赵强 earns a make-up turn (A7.7)
    assert done.redecided is not None
    decision = done.redecided.decision
    assert decision.clause == "A7.7" and decision.supersedes_id == first.pk
    assert decision.owner_after["kind"] == "sales_department"
    assert turns(decision)[str(office.zhao.pk)] == "makeup_earned"
    assert RotationEvent.objects.filter(
        kind=RotationEventKind.MAKEUP_GRANTED, staff=office.zhao, visit_ref=f"visit:{visit.pk}"
    ).exists()
    assert Customer.objects.get(pk=visit.customer_id or 0).owner is None


# --- A7.18 group buy, A1.6 company referral -------------------------------------------------


def test_a7_18_a_group_buy_customer_is_not_the_receivers(office: Office) -> None:
    visit = walk_in(office, arrival="group_buy")
    decision = register(office, visit, customer_name="团购客").decision
    assert decision.clause == "A7.18" and decision.owner_after["kind"] == "group_buy"
    assert "group_buy_weight" in decision.flags


def test_a1_6_a_company_referral_goes_to_whom_the_pm_assigns_commission_negotiated(
    office: Office,
) -> None:
    visit = services.visit_arrive(
        actor=office.pm, site=office.site, arrival="company_referral", named_staff_id=office.qian.pk
    )
    decision = register(office, visit, customer_name="转介客").decision
    assert decision.clause == "A1.6" and owner_of(decision) == str(office.qian.pk)
    assert "commission_negotiated" in decision.flags


# --- A7.12 phone customer ---------------------------------------------------------------------


def phone_customer(o: Office, by: Staff, name: str, phone: str, days_ago: int = 5) -> Customer:
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        enquiry = phone_enquiry_record(
            staff=by, details=CallDetails(caller_name=name, contact=phone), called_at=timezone.now()
        )
    return Customer.objects.get(pk=enquiry.customer_id or 0)


def test_a7_12_1_found_after_the_reception_the_phone_record_yields(office: Office) -> None:
    # given 李明 took 周来电's call five days ago
    customer = phone_customer(office, office.li, "周来电", "13900000401")
    # when 周来电 walks in asking for nobody, 赵强 receives, the reception ends
    visit = walk_in(office)
    services.visit_end(actor=office.desk, visit_id=visit.pk)
    # and only at registration is he found to be 李明's phone customer
    with later(10):
        decision = register(
            office, visit, customer, customer_name="周来电", contact="13900000401"
        ).decision
    # then 以电话服从接待: the customer is 赵强's (A7.12(1))
    assert decision.clause == "A7.12(1)" and owner_of(decision) == str(office.zhao.pk)


def test_a7_12_3_asked_for_x_who_is_absent_the_helper_hands_back(office: Office) -> None:
    customer = phone_customer(office, office.li, "吴来电", "13900000402")
    away(office, office.li)
    visit = walk_in(office, arrival="phone_customer", named_staff_id=office.li.pk)
    assert visit.receiver != office.li and not visit.named_present
    decision = register(
        office, visit, customer, customer_name="吴来电", contact="13900000402"
    ).decision
    assert decision.clause == "A7.12(3)" and owner_of(decision) == str(office.li.pk)
    assert turns(decision)[str(visit.receiver_id)] != "consumed"


# --- A7.9 referral / asked for ------------------------------------------------------------------


def test_a7_9_1_brought_by_an_old_customer_whose_salesperson_is_absent(office: Office) -> None:
    away(office, office.li)
    visit = walk_in(office, arrival="with_old_customer", named_staff_id=office.li.pk)
    decision = register(office, visit, customer_name="老带新").decision
    assert decision.clause == "A7.9(1)" and owner_of(decision) == str(office.li.pk)
    assert turns(decision)[str(visit.receiver_id)] != "consumed"
    assert decision.detail["deal"] is None


def test_a7_9_2_asked_for_x_who_is_absent(office: Office) -> None:
    away(office, office.li)
    visit = walk_in(office, arrival="asked_for", named_staff_id=office.li.pk)
    decision = register(office, visit, customer_name="点名客").decision
    assert decision.clause == "A7.9(2)" and owner_of(decision) == str(office.li.pk)


def test_a7_9_3_said_during_the_first_visit_whom_they_came_for(office: Office) -> None:
    # given 赵强 receives a walk-in
    visit = walk_in(office)
    # when, during the reception, the customer says they came for 钱芳
    with later(15):
        services.came_for_record(actor=office.desk, visit_id=visit.pk, staff_id=office.qian.pk)
    with later(20):
        decision = register(office, visit, customer_name="专程客").decision
    # then the customer is 钱芳's and 赵强's turn is not consumed (A7.9(3))
    assert decision.clause == "A7.9(3)" and owner_of(decision) == str(office.qian.pk)
    assert turns(decision)[str(office.zhao.pk)] != "consumed"


def test_a7_9_3_not_after_the_first_visit_ended(office: Office) -> None:
    visit = walk_in(office)
    services.visit_end(actor=office.desk, visit_id=visit.pk)
    with later(30), pytest.raises(services.ReceptionError) as refused:
        services.came_for_record(actor=office.desk, visit_id=visit.pk, staff_id=office.qian.pk)
    assert refused.value.status == 422 and refused.value.message_en


# --- A7.10 pre-registered referral: day 7 vs day 8 --------------------------------------------


def _pre_registered_visit(office: Office) -> Visit:
    """李明 pre-registered 冯介绍 (phone 139…0410) three days before; 冯 walks in, 赵强 receives
    and registers him by name only (no phone given)."""
    PreRegistration.objects.create(
        company=office.site.company,
        site=office.site,
        name="冯小姐",
        contact="13900000410",
        phone_e164="+8613900000410",
        salesperson=office.li,
        registered_at=NOW - dt.timedelta(days=3),
        recorded_by=office.li,
    )
    visit = walk_in(office)
    first = register(office, visit, customer_name="冯介绍").decision
    assert first.clause == "A1.5"  # nothing links them yet
    services.visit_end(actor=office.desk, visit_id=visit.pk)
    customer_phone_add(staff=office.wang, customer_id=visit.customer_id or 0, phone="13900000410")
    return visit


@pytest.mark.parametrize(("days", "owner"), [(7, "li"), (8, "zhao")])
def test_a7_10_a_conflict_found_within_7_days_transfers_after_that_the_receiver_keeps(
    office: Office, days: int, owner: str
) -> None:
    visit = _pre_registered_visit(office)
    # when 李明 finds the conflict ``days`` days after the visit's registration
    with time_machine.travel(NOW + dt.timedelta(days=days), tick=False):
        done = services.conflict_record(
            actor=office.li, visit_id=visit.pk, holder_id=office.li.pk, during_reception=False
        )
    # then the keys (phone) match: within 7 days → 李明 (A7.10); on day 8 → 赵强 keeps him
    assert done.redecided is not None
    decision = done.redecided.decision
    assert decision.clause == "A7.10"
    assert owner_of(decision) == str(getattr(office, owner).pk)


# --- A7.13 someone else's customer found during the reception ----------------------------------


def _colleagues_customer_in_reception(office: Office, phone: str) -> tuple[Visit, Customer]:
    old = old_registration(office, office.li, 10, customer_name="孙老客", contact=phone)
    visit = walk_in(office)
    with later(5):
        services.conflict_record(
            actor=office.desk, visit_id=visit.pk, holder_id=office.li.pk, during_reception=True
        )
    return visit, old


def test_a7_13_continuing_with_consent_keeps_the_customer_the_owners(office: Office) -> None:
    visit, old = _colleagues_customer_in_reception(office, "13900000420")
    with later(7):
        services.consent_record(
            actor=office.desk, visit_id=visit.pk, holder_id=office.li.pk, given=True
        )
        services.handling_record(actor=office.desk, visit_id=visit.pk, handling="continued")
    with later(30):
        decision = register(office, visit, old, customer_name="孙老客", contact="13900000420")
    stored = decision.decision
    assert stored.clause == "A7.13" and owner_of(stored) == str(office.li.pk)
    assert "grab" not in stored.flags
    assert "同意" in stored.explanation_zh


def test_a7_13_a7_2_handing_back_earns_a_make_up(office: Office) -> None:
    visit, old = _colleagues_customer_in_reception(office, "13900000421")
    with later(6):
        services.handling_record(actor=office.desk, visit_id=visit.pk, handling="handed_back")
    with later(30):
        stored = register(
            office, visit, old, customer_name="孙老客", contact="13900000421"
        ).decision
    assert stored.clause == "A7.13" and owner_of(stored) == str(office.li.pk)
    assert turns(stored)[str(office.zhao.pk)] == "makeup_earned"


def test_a7_13_continuing_without_consent_is_a_grab_with_one_fine_proposal(
    office: Office,
) -> None:
    from kehu.discipline.models import DisciplineProposal

    visit, old = _colleagues_customer_in_reception(office, "13900000422")
    with later(6):
        services.handling_record(actor=office.desk, visit_id=visit.pk, handling="continued")
    with later(30):
        stored = register(
            office, visit, old, customer_name="孙老客", contact="13900000422"
        ).decision
    # then a grab: the customer stays 李明's and a 200–500 fine reaches the discipline queue
    assert stored.clause == "A7.13" and "grab" in stored.flags
    proposal = DisciplineProposal.objects.get()
    assert proposal.employee == office.zhao and (proposal.low, proposal.high) == (200, 500)
    assert proposal.source_id == str(stored.pk) and "A7.13" in proposal.rule_ids
    # and deciding the visit again does not post a second fine
    services.visit_redecide(actor=office.desk, visit_id=visit.pk, cause="check")
    assert DisciplineProposal.objects.count() == 1


def test_a7_13_refused_consent_then_continuing_is_a_grab(office: Office) -> None:
    visit, old = _colleagues_customer_in_reception(office, "13900000423")
    with later(6):
        services.consent_record(
            actor=office.desk, visit_id=visit.pk, holder_id=office.li.pk, given=False
        )
        services.handling_record(actor=office.desk, visit_id=visit.pk, handling="continued")
    with later(30):
        stored = register(
            office, visit, old, customer_name="孙老客", contact="13900000423"
        ).decision
    assert "grab" in stored.flags and "不同意" in stored.explanation_zh


def test_a7_13_holder_not_reachable_the_receiver_helps(office: Office) -> None:
    old = old_registration(office, office.li, 10, customer_name="孙老客", contact="13900000424")
    visit = walk_in(office)
    with later(5):
        services.conflict_record(
            actor=office.desk,
            visit_id=visit.pk,
            holder_id=office.li.pk,
            during_reception=True,
            holder_on_site=False,
            holder_reachable=False,
        )
        services.handling_record(actor=office.desk, visit_id=visit.pk, handling="continued")
    with later(30):
        stored = register(
            office, visit, old, customer_name="孙老客", contact="13900000424"
        ).decision
    assert stored.clause == "A7.13" and "grab" not in stored.flags
    assert owner_of(stored) == str(office.li.pk)


# --- A7.14 family: day 30 vs 31 -----------------------------------------------------------------


def son_of(o: Office, father: Customer, name: str, phone: str) -> OwnershipDecision:
    """The son walks in, 赵强 receives and registers him, the family link to ``father`` is
    recorded and the visit decided again: the decision."""
    visit = walk_in(o)
    register(o, visit, customer_name=name, contact=phone)
    family_link_add(
        staff=o.wang, customer_id=visit.customer_id or 0, relative_id=father.pk, relation="parent"
    )
    return services.visit_redecide(actor=o.desk, visit_id=visit.pk, cause="family").decision


@pytest.mark.parametrize(("days", "owner", "clause"), [(30, "li", "A7.14"), (31, "zhao", "A7.14")])
def test_a7_14_a_family_follows_the_first_receiver_within_30_days(
    office: Office, days: int, owner: str, clause: str
) -> None:
    # given 李明 first received 郑父 ``days`` days ago
    father = old_registration(office, office.li, days, customer_name="郑父", contact="13900000430")
    # when his son walks in, 赵强 receives and registers him, and the family link is recorded
    stored = son_of(office, father, "郑子", "13900000431")
    # then within 30 days the son is 李明's (A7.14); on day 31 he is a new customer of 赵强
    assert stored.clause == clause and owner_of(stored) == str(getattr(office, owner).pk)
    assert ("new_customer" in stored.flags) == (days > 30)


@pytest.mark.parametrize(("deal", "owner"), [(False, "zhao"), (True, "li")])
def test_a7_14_the_familys_window_runs_from_its_latest_deal(
    office: Office, deal: bool, owner: str
) -> None:
    # given 李明 first received 冯父 40 days ago and, with ``deal``, closed his deal 10 days ago
    father = old_registration(office, office.li, 40, customer_name="冯父", contact="13900000434")
    if deal:
        closed_deal(office, father.pk, office.li, NOW - dt.timedelta(days=10), subscriber="冯父")
    # when his son walks in, 赵强 receives him, and the family link is recorded
    stored = son_of(office, father, "冯子", "13900000435")
    # then 30 days run from the family's deal when it is later than its first reception (A7.14)
    assert stored.clause == "A7.14" and owner_of(stored) == str(getattr(office, owner).pk)
    claim = stored.facts["claims"][-1]
    assert claim["kind"] == "family" and claim["holder"] == str(office.li.pk)
    assert (claim["deal_at"] is not None) == deal


def test_a7_14_a_batch_follows_the_first_receiver(office: Office) -> None:
    from kehu.core.customers.services import visit_batch_create

    friend = old_registration(office, office.li, 3, customer_name="同行一", contact="13900000432")
    visit = walk_in(office)
    register(office, visit, customer_name="同行二", contact="13900000433")
    visit_batch_create(
        staff=office.wang,
        visit_date=(NOW - dt.timedelta(days=3)).date(),
        customer_ids=[friend.pk, visit.customer_id or 0],
    )
    stored = services.visit_redecide(actor=office.desk, visit_id=visit.pk, cause="batch").decision
    assert stored.clause == "A7.14" and owner_of(stored) == str(office.li.pk)
    assert stored.facts["claims"][-1]["kind"] == "batch"


# --- A7.15 unknowing reception, no deal: day 60 vs 61 ------------------------------------------


@pytest.mark.parametrize(("days", "owner"), [(60, "li"), (61, "zhao")])
def test_a7_15_old_customer_within_60_days_stays_after_that_is_new(
    office: Office, days: int, owner: str
) -> None:
    old = old_registration(office, office.li, days, customer_name="钱老客", contact="13900000440")
    visit = walk_in(office)
    services.visit_end(actor=office.desk, visit_id=visit.pk)
    with later(10):
        stored = register(office, visit, old, customer_name="钱老客", contact="13900000440")
    decision = stored.decision
    assert decision.clause == "A7.15" and owner_of(decision) == str(getattr(office, owner).pk)
    if owner == "li":
        assert turns(decision)[str(office.zhao.pk)] == "makeup_earned"  # A7.2(2)


# --- A7.16 unknowing reception with a deal -----------------------------------------------------


@pytest.mark.parametrize(("found_days", "even"), [(2, True), (5, False)])
def test_a7_16_found_after_the_deal_50_50_within_3_days_else_all_to_the_closer(
    office: Office, found_days: int, even: bool
) -> None:
    # given 李明 registered 王五 20 days ago with one phone; 赵强 receives 王五, who gives another
    old_registration(office, office.li, 20, customer_name="王五", contact="13900000450")
    visit = walk_in(office)
    first = register(office, visit, customer_name="王五", contact="13900000451").decision
    assert first.outcome == DecisionOutcome.PENDING  # full name only: for the sales manager
    services.visit_end(actor=office.desk, visit_id=visit.pk)
    # and 赵强 closes a deal the next day
    closed = NOW + dt.timedelta(days=1)
    deal = closed_deal(office, visit.customer_id or 0, office.zhao, closed, "王五", visit=visit)
    # when, ``found_days`` after the deal, 李明 finds the conflict
    found = closed + dt.timedelta(days=found_days)
    with time_machine.travel(found, tick=False):
        services.conflict_record(
            actor=office.li, visit_id=visit.pk, holder_id=office.li.pk, during_reception=False
        )
    # and the sales manager confirms it is the same 王五 (A7.4, A7.20)
    pending = OwnershipDecision.objects.filter(visit=visit).order_by("-pk").first()
    assert pending is not None
    with time_machine.travel(found + dt.timedelta(hours=1), tick=False):
        ruling = RulingRecord.objects.create(
            company=office.site.company,
            decision=pending,
            visit=visit,
            kind="same_customer",
            reason="身份证核对为同一人",
            ruled_by=office.wang,
            ruled_at=timezone.now(),
        )
        done = services.visit_redecide(
            actor=office.wang, visit_id=visit.pk, cause="ruling", ruling=ruling, deal=deal
        )
    stored = done.decision
    assert stored.clause == "A7.16" and stored.ruling_id == ruling.pk and stored.deal_id == deal.pk
    assert stored.shares is not None
    shares = {s["party"]["salesperson"]: Decimal(s["percent"]) for s in stored.shares["shares"]}
    if even:
        assert shares == {str(office.zhao.pk): 50, str(office.li.pk): 50}
    else:
        assert shares == {str(office.zhao.pk): 100}
    assert ledger_verify(company=office.site.company).ok


# --- A1.5 the first registration wins ----------------------------------------------------------


def test_a1_5_ones_own_old_customer_stays_and_earns_a_make_up(office: Office) -> None:
    old = old_registration(office, office.zhao, 10, customer_name="自己客", contact="13900000460")
    visit = walk_in(office)
    stored = register(office, visit, old, customer_name="自己客", contact="13900000460").decision
    assert stored.clause == "A1.5" and owner_of(stored) == str(office.zhao.pk)
    assert turns(stored)[str(office.zhao.pk)] == "makeup_earned"  # A7.2(1)
