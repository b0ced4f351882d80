"""The registration book (客户登记本): A7.4 lines on the ledger, A1.1 same day, A1.5 first wins,
PM confirmation, corrections by new lines only (A1.2 / A7.21)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.customers.models import Customer
from kehu.core.errors import KehuError
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Staff
from kehu.core.policy.services import policy_version_create
from kehu.sales import registration_rules as rules
from kehu.sales.models.registration import (
    FollowUp,
    PhoneEnquiry,
    Registration,
    RegistrationConfirmation,
    RegistrationKey,
)
from kehu.sales.registration_errors import AlreadyRegistered, BookErrorCode
from kehu.sales.registration_selectors import (
    confirmation_queue_for,
    registration_book_verify,
    registration_get_for_user,
)
from kehu.sales.registration_services import (
    VisitDetails,
    registration_confirm,
    registration_correct,
)

from .test_book_support import (  # noqa: F401  (fixtures)
    SHANGHAI,
    desk_fixture,
    director_fixture,
    pm_fixture,
    register,
    shanghai,
)

# --- A7.4: a line of the book, with its ledger entry --------------------------------------------


def test_a7_4_registration_records_the_fields_links_the_customer_and_appends_to_the_ledger(
    li: Staff,
) -> None:
    # given 李 received 张伟 at the sales office
    # when he registers the visit with the A7.4 fields
    visit = register(
        li,
        employer_or_address="浙江大学",
        intention="三居室，预算 500 万",
        source="朋友介绍",
    )
    # then the line holds the fields, links a new kernel customer owned by 李 (A1.5, A2.12)
    row = visit.registration
    assert (row.customer_name, row.employer_or_address, row.contact) == (
        "张伟",
        "浙江大学",
        "13812345678",
    )
    assert (row.intention, row.source, row.receiver, row.recorded_by) == (
        "三居室，预算 500 万",
        "朋友介绍",
        li,
        li,
    )
    assert row.site == li.site and row.phone_e164 == "+8613812345678"
    assert visit.customer_created and visit.first and not visit.late
    assert visit.customer.owner == li and visit.customer.name == "张伟"
    # and the ledger's registration_book stream has its entry, with the phone masked
    entry = visit.ledger_entry
    assert (entry.stream, entry.kind, entry.subject_id) == (
        "registration_book",
        "registration",
        str(row.pk),
    )
    assert entry.payload["contact"] == "138****5678"
    assert "13812345678" not in str(entry.payload)
    assert "A7.4" in entry.payload["rule_ids"] and "A1.5" in entry.payload["rule_ids"]
    assert ledger_verify(company=li.company).ok


def test_a7_4_incomplete_details_are_allowed_but_a_name_or_phone_is_needed(li: Staff) -> None:
    # given a customer who gives only a WeChat id
    # when 李 registers with no name and no phone, then he is asked for one of them
    with pytest.raises(KehuError) as refused:
        register(li, name="", phone="wx_zhangwei")
    assert refused.value.code == BookErrorCode.BAD_INPUT
    # and a name alone is enough
    visit = register(li, name="张伟", phone="wx_zhangwei")
    assert visit.registration.phone_e164 == "" and visit.registration.contact == "wx_zhangwei"


def test_a2_12_a_salesperson_registers_only_customers_they_received(li: Staff, zhao: Staff) -> None:
    # when 李 tries to register a visit received by 赵
    with pytest.raises(KehuError) as refused:
        register(li, receiver=zhao)
    # then he is refused; the front desk may register for anyone
    assert refused.value.code == BookErrorCode.RECEIVER_INVALID


def test_front_desk_registers_for_the_receiving_salesperson(desk: Staff, li: Staff) -> None:
    visit = register(desk, receiver=li)
    assert visit.registration.receiver == li and visit.registration.recorded_by == desk
    assert visit.customer.owner == li


# --- A1.1 same day ------------------------------------------------------------------------------


def test_a1_1_registration_on_the_visit_day_is_not_late_even_a_second_before_midnight(
    li: Staff,
) -> None:
    # given a visit at 21:00 Shanghai time
    with time_machine.travel(shanghai(2026, 11, 20, 23, 59, 59), tick=False):
        # when the registration is made at 23:59:59 the same day
        visit = register(li, visited_at=shanghai(2026, 11, 20, 21, 0))
    # then it is on time
    assert not visit.late and visit.registration.received_on == dt.date(2026, 11, 20)


def test_a1_1_registration_after_the_end_of_the_visit_day_is_flagged_late(li: Staff) -> None:
    # given a visit at 21:00 Shanghai time (13:00 UTC, the same UTC day as midnight Shanghai)
    with time_machine.travel(shanghai(2026, 11, 21, 0, 0, 0), tick=False):
        # when the registration is made at midnight
        visit = register(li, visited_at=shanghai(2026, 11, 20, 21, 0))
    # then it is late, and the ledger entry says so
    assert visit.late
    assert visit.ledger_entry.payload["late"] is True


def test_a1_1_the_day_is_the_sales_office_day_not_the_utc_day(li: Staff) -> None:
    # given a visit at 07:30 Shanghai time (23:30 UTC the day before)
    with time_machine.travel(shanghai(2026, 11, 20, 18, 0), tick=False):
        visit = register(li, visited_at=shanghai(2026, 11, 20, 7, 30))
    # then the reception date is the Shanghai date, and a same-day registration is on time
    assert visit.registration.received_on == dt.date(2026, 11, 20)
    assert not visit.late


def test_a1_1_a_visit_cannot_be_registered_before_it_happens(li: Staff) -> None:
    with (
        time_machine.travel(shanghai(2026, 11, 20, 10, 0), tick=False),
        pytest.raises(KehuError) as refused,
    ):
        register(li, visited_at=shanghai(2026, 11, 20, 12, 0))
    assert refused.value.code == BookErrorCode.VISIT_IN_FUTURE


@given(
    visit_minute=st.integers(min_value=0, max_value=24 * 60 - 1),
    delay_minutes=st.integers(min_value=0, max_value=3 * 24 * 60),
)
def test_a1_1_late_exactly_when_recorded_on_a_later_local_day(
    visit_minute: int, delay_minutes: int
) -> None:
    visited = shanghai(2026, 11, 20) + dt.timedelta(minutes=visit_minute)
    recorded = visited + dt.timedelta(minutes=delay_minutes)
    late = rules.registration_is_late(visited_at=visited, recorded_at=recorded, tz=SHANGHAI)
    assert late == (recorded.astimezone(SHANGHAI).date() > visited.astimezone(SHANGHAI).date())


# --- A1.5 first registration wins; A7.4 keys ------------------------------------------------------


def test_a1_5_same_phone_again_is_refused_naming_who_registered_first_and_when(
    li: Staff, zhao: Staff
) -> None:
    # given 李 registered 张伟 at 10:02
    with time_machine.travel(shanghai(2026, 11, 20, 10, 2), tick=False):
        first = register(li)
    # when 赵 registers a "new" customer with the same phone at 15:00
    with (
        time_machine.travel(shanghai(2026, 11, 20, 15, 0), tick=False),
        pytest.raises(AlreadyRegistered) as refused,
    ):
        register(zhao, name="张先生", phone="138-1234-5678")
    # then he is told who registered first and when (A7.4 phone, A1.5)
    assert refused.value.message_zh.startswith("已由 李明 于 10:02 登记")
    assert "联系电话" in refused.value.message_zh
    assert refused.value.status == 409
    assert refused.value.details["customer_id"] == first.customer.pk
    assert refused.value.details["keys"] == ["phone"]
    # and nothing of his attempt was written
    assert Registration.objects.count() == 1 and Customer.objects.count() == 1


def test_a1_5_the_refusal_names_the_day_when_it_was_not_today(li: Staff, zhao: Staff) -> None:
    with time_machine.travel(shanghai(2026, 11, 2, 10, 2), tick=False):
        register(li)
    with (
        time_machine.travel(shanghai(2026, 11, 20, 15, 0), tick=False),
        pytest.raises(AlreadyRegistered) as refused,
    ):
        register(zhao, name="张伟")
    assert refused.value.message_zh.startswith("已由 李明 于 2026-11-02 10:02 登记")


def test_a7_4_car_brand_plate_and_surname_together_identify_the_customer(
    li: Staff, zhao: Staff
) -> None:
    register(li, name="张伟", phone="", car_brand="宝马", plate="浙A·12345")
    with pytest.raises(AlreadyRegistered) as refused:
        register(zhao, name="张先生", phone="", car_brand="BMW", plate="浙A12345")
    assert refused.value.details["keys"] == ["car_plate_surname"]


def test_a7_4_full_name_alone_does_not_refuse_it_goes_to_the_sales_manager(
    li: Staff, zhao: Staff
) -> None:
    # given 李 registered 张伟 with one phone
    first = register(li)
    # when 赵 registers another 张伟 with another phone
    second = register(zhao, phone="13900001111")
    # then a new customer is registered, and the full-name match is kept for confirmation
    assert second.customer_created and second.customer != first.customer
    assert second.name_matches == [first.customer.pk]
    assert "A7.20" in second.rule_ids and second.registration.name_matches == [first.customer.pk]


def test_a7_4_full_name_decides_when_the_policy_says_so(
    li: Staff, zhao: Staff, director: Staff
) -> None:
    # given the company's policy says a full-name match alone decides
    policy_version_create(
        staff=director,
        key="identity",
        values={"full_name_alone": "decides"},
        effective_from=timezone.localdate(),
        note="本项目同名即视为同一客户",
    )
    register(li)
    # when 赵 registers another 张伟 with another phone, then the full name decides
    with pytest.raises(AlreadyRegistered) as refused:
        register(zhao, phone="13900001111")
    assert refused.value.details["keys"] == ["full_name"]


def test_an_old_customer_visiting_again_is_registered_on_their_customer_not_first(
    li: Staff,
) -> None:
    with time_machine.travel(shanghai(2026, 11, 20, 10, 0), tick=False):
        first = register(li)
    with time_machine.travel(shanghai(2026, 11, 22, 15, 0), tick=False):
        again = register(li, customer_id=first.customer.pk, intention="第二次来访，看样板间")
    assert not again.first and not again.customer_created
    assert again.customer == first.customer
    assert RegistrationKey.objects.filter(kind="customer").count() == 1


def test_a1_1_one_line_per_customer_per_visit_day(li: Staff, desk: Staff) -> None:
    # given 李 registered 张伟's visit at 10:02
    with time_machine.travel(shanghai(2026, 11, 20, 10, 2), tick=False):
        first = register(li)
    # when the front desk registers the same customer again that day
    with (
        time_machine.travel(shanghai(2026, 11, 20, 16, 0), tick=False),
        pytest.raises(AlreadyRegistered) as refused,
    ):
        register(desk, receiver=li, customer_id=first.customer.pk)
    # then it is refused, naming the day's line
    assert refused.value.message_zh.startswith("已由 李明 于 10:02 登记")
    assert refused.value.details["keys"] == ["visit"]
    assert Registration.objects.count() == 1


def test_a_customer_on_file_without_a_registration_is_refused_as_new_and_first_when_chosen(
    li: Staff, zhao: Staff
) -> None:
    # given 张伟 is on file (from a phone enquiry) owned by 赵, never registered
    from kehu.core.customers.services import customer_create

    on_file = customer_create(
        staff=zhao, data={"name": "张伟", "phones": ["13812345678"]}, owner=zhao
    )
    # when 李 registers him as a new customer, then he is told the customer is on file
    with pytest.raises(KehuError) as refused:
        register(li)
    assert refused.value.code == BookErrorCode.CUSTOMER_EXISTS
    assert "赵强" in refused.value.message_zh
    # and when he registers the visit on that customer, it is the first registration; the
    # owner is not changed here (the ownership engine decides, A7.12)
    visit = register(li, customer_id=on_file.pk)
    assert visit.first and not visit.customer_created
    on_file.refresh_from_db()
    assert on_file.owner == zhao


def test_set_owner_false_leaves_a_new_customer_unowned_for_the_ownership_engine(li: Staff) -> None:
    visit = register(li, set_owner=False)
    assert visit.customer.owner is None and visit.first


# --- A1.1 PM confirmation ---------------------------------------------------------------------


def test_a1_1_unconfirmed_lines_wait_on_the_pm_queue_until_confirmed_by_a_new_record(
    li: Staff, pm: Staff
) -> None:
    visit = register(li)
    assert list(confirmation_queue_for(pm)) == [visit.registration]
    confirmation = registration_confirm(
        staff=pm, registration_id=visit.registration.pk, note="已核实"
    )
    assert confirmation.confirmed_by == pm
    assert list(confirmation_queue_for(pm)) == []
    entry = LedgerEntry.objects.get(subject_type="sales.registrationconfirmation")
    assert entry.kind == "registration.confirmed" and entry.stream == "registration_book"
    # a line is confirmed once
    with pytest.raises(KehuError) as again:
        registration_confirm(staff=pm, registration_id=visit.registration.pk)
    assert again.value.code == BookErrorCode.ALREADY_CONFIRMED


def test_a1_1_only_the_pm_confirms(li: Staff, wang: Staff) -> None:
    visit = register(li)
    for who in (li, wang):
        with pytest.raises(KehuError) as refused:
            registration_confirm(staff=who, registration_id=visit.registration.pk)
        assert refused.value.status == 403
    assert list(confirmation_queue_for(li)) == []


# --- A1.2 / A7.21 corrections by new lines only ---------------------------------------------------


def test_a1_2_a_correction_is_a_new_line_referencing_the_old_with_a_reason(
    li: Staff, pm: Staff
) -> None:
    visit = register(li, intention="两居")
    old = visit.registration
    with pytest.raises(KehuError) as no_reason:
        registration_correct(staff=li, registration_id=old.pk, reason=" ", changes={})
    assert no_reason.value.code == BookErrorCode.REASON_REQUIRED
    new = registration_correct(
        staff=li,
        registration_id=old.pk,
        reason="客户意向记错",
        changes=VisitDetails(customer_name="张伟", contact="13812345678", intention="三居"),
    )
    # the old line is unchanged; the new one references it and says why
    old.refresh_from_db()
    assert old.intention == "两居"
    assert (new.corrects, new.original, new.correction_reason) == (old, old, "客户意向记错")
    # the ledger has a correction entry pointing to the old entry
    correction = LedgerEntry.objects.get(kind="registration.correction")
    assert correction.corrects is not None and correction.corrects.subject_id == str(old.pk)
    assert correction.reason == "客户意向记错"
    # the book shows the history; the PM's queue shows the corrected line
    detail = registration_get_for_user(pm, new.pk)
    assert [h.pk for h in detail.history] == [old.pk, new.pk]
    assert list(confirmation_queue_for(pm)) == [new]
    # and only the latest line can be corrected again
    with pytest.raises(KehuError) as superseded:
        registration_correct(staff=li, registration_id=old.pk, reason="再改", changes={})
    assert superseded.value.code == BookErrorCode.SUPERSEDED
    assert registration_book_verify(pm).ok


def test_a1_2_a_colleague_cannot_correct_someone_elses_line(li: Staff, zhao: Staff) -> None:
    visit = register(li)
    with pytest.raises(KehuError) as refused:
        registration_correct(
            staff=zhao, registration_id=visit.registration.pk, reason="改", changes={}
        )
    assert refused.value.status == 404


@pytest.mark.parametrize(
    "table",
    [Registration, RegistrationKey, RegistrationConfirmation, PhoneEnquiry, FollowUp],
)
def test_a1_2_the_database_refuses_update_and_delete_on_the_evidence_tables(
    table: type, li: Staff, pm: Staff
) -> None:
    from kehu.sales.registration_services import follow_up_record, phone_enquiry_record

    visit = register(li)
    registration_confirm(staff=pm, registration_id=visit.registration.pk)
    phone_enquiry_record(staff=li, details={"caller_name": "刘先生", "contact": "13900002222"})
    follow_up_record(staff=li, customer_id=visit.customer.pk, note="电话回访")
    name = table._meta.db_table  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for sql in (f'UPDATE "{name}" SET company_id = company_id', f'DELETE FROM "{name}"'):
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(sql)
    with pytest.raises(IntegrityError), transaction.atomic():
        table.objects.all().delete()  # type: ignore[attr-defined]


def test_verification_finds_a_line_changed_behind_the_ledgers_back(li: Staff, pm: Staff) -> None:
    from kehu.core.ledger import append_only

    visit = register(li)
    assert registration_book_verify(pm).ok
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        append_only.lift(connection, ["sales_registration"])
        cursor.execute(
            "UPDATE sales_registration SET intention = '改过' WHERE id = %s",
            [visit.registration.pk],
        )
        append_only.install(connection, ["sales_registration"])
    report = registration_book_verify(pm)
    assert not report.ok
    assert [(p.table, p.row_id, p.problem) for p in report.row_problems] == [
        ("sales_registration", visit.registration.pk, "digest_mismatch")
    ]


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["13800000001", "13800000002", "13800000003"]), max_size=6))
def test_exactly_one_first_registration_per_customer(li: Staff, phones: list[str]) -> None:
    # whatever the order of attempts, each visitor gets one customer, one first registration and
    # one line on the day; every other attempt is refused naming the first
    with transaction.atomic():
        refusals = 0
        for phone in phones:
            try:
                register(li, name="", phone=phone)
            except AlreadyRegistered as refused:
                refusals += 1
                with pytest.raises(AlreadyRegistered):
                    register(li, name="", phone=phone, customer_id=refused.details["customer_id"])
        distinct = len(set(phones))
        assert RegistrationKey.objects.filter(kind="customer").count() == distinct
        assert Customer.objects.filter(company=li.company).count() == distinct
        assert Registration.objects.count() == distinct
        assert refusals == len(phones) - distinct
        transaction.set_rollback(True)


def test_director_is_not_a_reader(director: Staff) -> None:
    assert not director.user.has_perm("sales.view_registration_book")
