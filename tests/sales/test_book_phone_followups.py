"""The phone-enquiry book (A1.3, A7.5) and follow-ups with the "not followed up for N days" list
(A1.4)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from kehu.core.errors import KehuError
from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.models import Staff
from kehu.core.policy.services import policy_version_create
from kehu.sales import registration_rules as rules
from kehu.sales.models.registration import PhoneEnquiry, Registration
from kehu.sales.registration_selectors import (
    my_customers,
    not_followed_up_count,
    phone_book_for_user,
    phone_enquiries_mine,
    registration_book_for_user,
)
from kehu.sales.registration_services import CallDetails, follow_up_record, phone_enquiry_record

from .test_book_support import (  # noqa: F401  (fixtures)
    director_fixture,
    pm_fixture,
    register,
    shanghai,
)

# --- A1.3: phone enquiries are never in the registration book -----------------------------------


def test_a1_3_a_phone_enquiry_goes_to_the_phone_book_never_to_the_registration_book(
    li: Staff, wang: Staff
) -> None:
    # when 李 logs a phone enquiry
    call = phone_enquiry_record(
        staff=li, details=CallDetails(caller_name="刘先生", contact="13900002222", intention="问价")
    )
    # then the registration book has no line, its ledger stream no entry
    assert Registration.objects.count() == 0
    assert list(registration_book_for_user(wang)) == []
    assert not LedgerEntry.objects.filter(stream="registration_book").exists()
    # and the phone book has the call, with its own ledger entry (phone masked)
    assert list(phone_book_for_user(wang)) == [call]
    entry = LedgerEntry.objects.get(stream="phone_book")
    assert entry.kind == "phone_enquiry" and entry.payload["contact"] == "139****2222"
    assert "A1.3" in entry.payload["rule_ids"]


def test_a1_3_the_caller_is_filed_as_the_desk_owners_phone_customer(li: Staff) -> None:
    call = phone_enquiry_record(
        staff=li, details={"caller_name": "刘先生", "contact": "13900002222"}
    )
    assert call.customer is not None and call.customer.owner == li
    # a second call from the same number is linked to the same customer
    again = phone_enquiry_record(staff=li, details={"caller_name": "", "contact": "139 0000 2222"})
    assert again.customer == call.customer


# --- A7.5: the call belongs to the desk owner -------------------------------------------------


def test_a7_5_a_call_answered_by_a_colleague_belongs_to_the_desk_owner(
    li: Staff, zhao: Staff
) -> None:
    # given 李 is with a customer when his desk phone rings, and 赵 answers for him
    call = phone_enquiry_record(
        staff=zhao, desk_owner=li, details={"caller_name": "刘先生", "contact": "13900002222"}
    )
    # then the call and the phone customer are 李's (Reading of A7.5: 赵 is helping)
    assert call.desk_owner == li and call.answered_by == zhao and call.helped
    assert call.customer is not None and call.customer.owner == li
    entry = LedgerEntry.objects.get(stream="phone_book")
    assert entry.payload["desk_owner_id"] == li.pk and entry.payload["helped"] is True
    assert "A7.5" in entry.payload["rule_ids"]
    # and both see it among their calls; a third colleague does not
    assert list(phone_enquiries_mine(li)) == [call]
    assert list(phone_enquiries_mine(zhao)) == [call]


def test_a7_5_own_desk_call_belongs_to_the_one_who_answered(li: Staff) -> None:
    call = phone_enquiry_record(staff=li, details={"caller_name": "刘先生"})
    assert call.desk_owner == li and not call.helped


def test_a7_5_rule_is_pure_and_names_its_clause() -> None:
    owner = rules.phone_call_belongs_to(desk_owner_id=1, answered_by_id=2)
    assert (owner.owner_id, owner.helped_by_id, owner.rule_ids) == (1, 2, ("A7.5",))


def test_a1_2_a_salesperson_cannot_read_the_whole_phone_book(li: Staff) -> None:
    with pytest.raises(KehuError) as refused:
        phone_book_for_user(li)
    assert refused.value.status == 403


# --- A1.4: follow-ups and the not-followed-up list ---------------------------------------------


def test_a1_4_customers_with_no_contact_for_n_days_are_listed_most_neglected_first(
    li: Staff,
) -> None:
    # given three customers of 李 registered on 1 November
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        a = register(li, name="甲", phone="13800000001").customer
        b = register(li, name="乙", phone="13800000002").customer
        c = register(li, name="丙", phone="13800000003").customer
    # and 李 followed up 乙 on the 4th and 丙 on the 9th
    with time_machine.travel(shanghai(2026, 11, 4, 10, 0), tick=False):
        follow_up_record(staff=li, customer_id=b.pk, note="电话回访，约周末看房")
    with time_machine.travel(shanghai(2026, 11, 9, 10, 0), tick=False):
        follow_up_record(staff=li, customer_id=c.pk, note="微信发送户型图", channel="wechat")
    # when he looks on the 12th at 10:00 (N = 7, the policy default)
    at = shanghai(2026, 11, 12, 10, 0)
    result = my_customers(li, at=at)
    # then 甲 (nothing since the 1st) and 乙 (since the 4th) are listed, 丙 (the 9th) is not
    assert result.days == 7 and result.policy_ref == "customers@default"
    assert [x.name for x in result.overdue] == ["甲", "乙"]
    assert {x.pk for x in result.customers} == {a.pk, b.pk, c.pk}
    assert not_followed_up_count(li, at=at) == 2


def test_a1_4_the_edge_is_exactly_n_days(li: Staff) -> None:
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        register(li, name="甲", phone="13800000001")
    assert my_customers(li, at=shanghai(2026, 11, 8, 10, 0)).overdue == []
    assert len(my_customers(li, at=shanghai(2026, 11, 8, 10, 0, 1)).overdue) == 1


def test_a1_4_a_later_visit_counts_as_contact(li: Staff) -> None:
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        first = register(li, name="甲", phone="13800000001")
    with time_machine.travel(shanghai(2026, 11, 10, 10, 0), tick=False):
        register(li, customer_id=first.customer.pk)
    assert my_customers(li, at=shanghai(2026, 11, 12, 10, 0)).overdue == []


def test_a1_4_n_comes_from_the_policy(li: Staff, director: Staff) -> None:
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        register(li, name="甲", phone="13800000001")
        policy_version_create(
            staff=director,
            key="customers",
            values={"follow_up_days": 3},
            effective_from=timezone.localdate(),
            note="旺季三天一跟进",
        )
    result = my_customers(li, at=shanghai(2026, 11, 5, 10, 0))
    assert result.days == 3 and result.policy_ref == "customers@v1"
    assert [x.name for x in result.overdue] == ["甲"]


def test_a1_4_salespeople_follow_up_their_own_customers_only(li: Staff, zhao: Staff) -> None:
    customer = register(li).customer
    with pytest.raises(KehuError) as refused:
        follow_up_record(staff=zhao, customer_id=customer.pk, note="抢先联系")
    assert refused.value.status == 404
    with pytest.raises(KehuError):
        my_customers(zhao, salesperson_id=li.pk)


def test_a1_4_managers_see_each_salespersons_list(li: Staff, pm: Staff) -> None:
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        register(li)
    result = my_customers(pm, salesperson_id=li.pk, at=shanghai(2026, 11, 20, 10, 0))
    assert result.salesperson == li and len(result.overdue) == 1


def test_a1_4_cutoff_rule() -> None:
    now = dt.datetime(2026, 11, 12, 2, 0, tzinfo=dt.UTC)
    assert rules.follow_up_cutoff(now, 7) == dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        rules.follow_up_cutoff(now, 0)


def test_phone_enquiries_are_append_only_rows(li: Staff) -> None:
    call = phone_enquiry_record(staff=li, details={"caller_name": "刘先生"})
    assert PhoneEnquiry.objects.filter(pk=call.pk).exists()
