"""Pre-registered introductions (A7.10) against the database: 李明 registers the person his old
customer introduces, before they visit; the keys are normalised as the customer kernel does;
the list shows each one's validity; the reception flow reads them into a visit's facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.db import IntegrityError, transaction

from kehu.core.customers.models import Customer
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales import prereg_selectors as selectors
from kehu.sales import prereg_services as services
from kehu.sales import reception_services as reception
from kehu.sales.models.reception import DecisionOutcome, PreRegistration
from kehu.sales.prereg_errors import PreRegistrationError
from kehu.sales.prereg_rules import PreregState
from kehu.sales.prereg_services import IntroducedPerson
from kehu.sales.registration_services import VisitDetails, registration_record
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


def old_customer(o: Office, by: Staff, name: str = "王老", phone: str = "13900000031") -> Customer:
    """``by``'s old customer, registered thirty days ago."""
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        done = registration_record(
            staff=by, details=VisitDetails(customer_name=name, contact=phone), receiver=by
        )
    customer = Customer.objects.get(pk=done.customer.pk)
    assert customer.owner == by
    return customer


def preregister(
    o: Office, introducer: Customer, days_ago: int = 3, **person: str
) -> PreRegistration:
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        return services.preregistration_record(
            actor=o.li, introducer_id=introducer.pk, person=IntroducedPerson(**person)
        )


def test_a7_10_the_introducing_customers_salesperson_pre_registers(office: Office) -> None:
    # given 王老 is 李明's old customer
    introducer = old_customer(office, office.li)
    # when 李明 pre-registers 孙小, whom 王老 will bring, typed the usual messy ways
    row = services.preregistration_record(
        actor=office.li,
        introducer_id=introducer.pk,
        person=IntroducedPerson(
            name=" 孙　小 ", contact="+86 139-0000-0041", car_brand="宝马", plate="浙a·12345"
        ),
    )
    # then the keys are normalised as the kernel does (A7.4)
    assert row.phone_e164 == "+8613900000041"
    assert row.plate == "浙A12345"
    assert row.name == "孙 小" and row.salesperson == office.li and row.introducer == introducer
    keys = selectors.prereg_identity_keys(row)
    assert keys.full_name == "孙小" and keys.car_brand == "bmw" and keys.has_car_key
    # and a ledger entry records it, verifiably
    entry = LedgerEntry.objects.get(stream="preregistrations")
    assert entry.payload["preregistration_id"] == row.pk
    assert entry.payload["rule_ids"] == ["A7.10"]
    assert ledger_verify(company=office.site.company).ok
    # and the row can never be changed
    with pytest.raises(IntegrityError), transaction.atomic():
        PreRegistration.objects.filter(pk=row.pk).update(name="改")


def test_a7_10_only_for_ones_own_old_customer(office: Office) -> None:
    zhaos = old_customer(office, office.zhao, "赵客", "13900000032")
    with pytest.raises(PreRegistrationError) as refused:
        services.preregistration_record(
            actor=office.li, introducer_id=zhaos.pk, person=IntroducedPerson(name="孙小")
        )
    assert refused.value.code == "prereg.introducer_not_yours"
    assert "A7.10" in refused.value.message_zh and "A7.10" in refused.value.message_en
    assert not PreRegistration.objects.exists()


@pytest.mark.parametrize(
    ("person", "code"),
    [
        (IntroducedPerson(), "prereg.identity_required"),
        (IntroducedPerson(name="孙先生"), "prereg.identity_required"),
        (IntroducedPerson(name="孙小", contact="12345"), "prereg.phone_invalid"),
        (IntroducedPerson(name="孙小", plate="浙A12345"), "prereg.car_incomplete"),
    ],
)
def test_a7_4_a_pre_registration_needs_one_identity_key(
    office: Office, person: IntroducedPerson, code: str
) -> None:
    introducer = old_customer(office, office.li)
    with pytest.raises(PreRegistrationError) as refused:
        services.preregistration_record(actor=office.li, introducer_id=introducer.pk, person=person)
    assert refused.value.code == code and refused.value.status == 422
    assert refused.value.message_zh and refused.value.message_en
    assert not PreRegistration.objects.exists()


def test_a7_10_someone_who_already_visited_cannot_be_pre_registered(office: Office) -> None:
    introducer = old_customer(office, office.li)
    old_customer(office, office.zhao, "孙小", "13900000041")
    with pytest.raises(PreRegistrationError) as refused:
        services.preregistration_record(
            actor=office.li,
            introducer_id=introducer.pk,
            person=IntroducedPerson(name="孙小", contact="13900000041"),
        )
    assert refused.value.code == "prereg.already_visited" and "赵强" in refused.value.message_zh


def test_a7_10_the_front_desk_cannot_pre_register(office: Office) -> None:
    introducer = old_customer(office, office.li)
    with pytest.raises(PreRegistrationError) as refused:
        services.preregistration_record(
            actor=office.desk, introducer_id=introducer.pk, person=IntroducedPerson(name="孙小")
        )
    assert refused.value.status == 403


def test_a7_10_the_sales_manager_records_for_the_salesperson(office: Office) -> None:
    introducer = old_customer(office, office.li)
    row = services.preregistration_record(
        actor=office.wang,
        introducer_id=introducer.pk,
        person=IntroducedPerson(name="孙小"),
        salesperson_id=office.li.pk,
    )
    assert row.salesperson == office.li and row.recorded_by == office.wang


def test_a7_10_the_list_shows_validity_and_only_ones_own(office: Office) -> None:
    introducer = old_customer(office, office.li)
    preregister(office, introducer, name="孙小", contact="13900000041")
    # 李明 sees his, waiting for the visit; 赵强 sees none; the sales manager sees the company's
    mine = selectors.preregistrations_for_user(office.li)
    assert [r.validity.state for r in mine] == [PreregState.WAITING]
    assert selectors.preregistrations_for_user(office.zhao) == []
    assert len(selectors.preregistrations_for_user(office.wang)) == 1
    with pytest.raises(PreRegistrationError):
        selectors.preregistrations_for_user(office.desk)


def test_a7_10_another_company_sees_nothing(office: Office, cast: object, west: Company) -> None:
    introducer = old_customer(office, office.li)
    row = preregister(office, introducer, name="孙小", contact="13900000041")
    outsider = cast.staff(west, "外司经理", Post.SALES_MANAGER)  # type: ignore[attr-defined]
    assert selectors.preregistrations_for_user(outsider) == []
    with pytest.raises(PreRegistrationError) as hidden:
        selectors.preregistration_get_for_user(outsider, row.pk)
    assert hidden.value.status == 404
    with pytest.raises(PreRegistrationError):
        services.preregistration_record(
            actor=outsider,
            introducer_id=introducer.pk,
            person=IntroducedPerson(name="孙小"),
            salesperson_id=office.li.pk,
        )


# --- with the reception flow: the visit and the 7 days (A7.10) ----------------------------------


def walk_in(o: Office, **details: str) -> reception.RegisterResult:
    """The introduced person walks in asking for nobody: 赵强 receives in rotation, registers
    him, and the reception ends."""
    order = [o.zhao.pk] + [s.pk for s in o.sellers if s.pk != o.zhao.pk]
    rotation_day_open(actor=o.pm, site=o.site, order=order)
    visit = reception.visit_arrive(actor=o.desk, site=o.site, arrival="walk_in")
    done = reception.visit_register(
        actor=o.desk, visit_id=visit.pk, details=VisitDetails(**details)
    )
    reception.visit_end(actor=o.desk, visit_id=visit.pk)
    return done


def test_a7_10_a_matching_visit_found_within_7_days_goes_to_the_pre_registering_salesperson(
    office: Office,
) -> None:
    # given 李明 pre-registered 孙小 three days ago
    introducer = old_customer(office, office.li)
    preregister(office, introducer, name="孙小", contact="13900000041")
    # when 孙小 walks in, 赵强 receives him in rotation, and the registration matches the phone
    done = walk_in(office, customer_name="孙小", contact="13900000041")
    # then the customer is transferred to 李明 (A7.10)
    stored = done.decision
    assert stored.outcome == DecisionOutcome.DECIDED
    assert stored.clause.startswith("A7.10")
    assert stored.owner_after == {"kind": "salesperson", "salesperson": str(office.li.pk)}
    # and 李明's list shows the visit, the matching key and the window still open
    row = selectors.preregistrations_for_user(office.li)[0]
    assert row.visit is not None and row.visit.pk == done.visit.pk
    assert row.validity.state == PreregState.OPEN and "联系电话" in row.key_labels


def _name_only_visit_found_on(office: Office, day: int) -> dict[str, str]:
    """孙小 gives only his name at the desk (a full-name-only match, A7.20); 李明 finds the
    conflict ``day`` days after the visit's registration; 王经理 confirms it is the same person."""
    from kehu.sales import dispute_services

    introducer = old_customer(office, office.li)
    preregister(office, introducer, name="孙小", contact="13900000041")
    done = walk_in(office, customer_name="孙小")
    with time_machine.travel(NOW + dt.timedelta(days=day), tick=False):
        found = reception.conflict_record(
            actor=office.desk, visit_id=done.visit.pk, holder_id=office.li.pk
        )
        latest = found.redecided.decision if found.redecided else done.decision
        if latest.outcome == DecisionOutcome.PENDING:
            ruled = dispute_services.dispute_rule(
                actor=office.wang,
                decision_id=latest.pk,
                kind="same_customer",
                reason="核对后确为王老介绍的孙小",
            )
            assert ruled.decision is not None
            latest = ruled.decision
    return dict(latest.owner_after)


def test_a7_10_found_on_the_7th_day_transfers(office: Office) -> None:
    assert _name_only_visit_found_on(office, 7)["salesperson"] == str(office.li.pk)


def test_a7_10_found_on_the_8th_day_the_rotation_receiver_keeps(office: Office) -> None:
    assert _name_only_visit_found_on(office, 8)["salesperson"] == str(office.zhao.pk)
