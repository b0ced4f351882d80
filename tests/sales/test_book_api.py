"""The registration-book API at /api/v1/sales/book/: readers read the whole book (audited), a
salesperson only their own customers' lines, another company nothing."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.org.models import Staff
from kehu.sales.registration_selectors import protection_window

from .test_book_support import (  # noqa: F401  (fixtures)
    desk_fixture,
    director_fixture,
    pm_fixture,
    register,
    shanghai,
    west_manager_fixture,
)

BASE = "/api/v1/sales/book"


def as_(client: Client, staff: Staff) -> Client:
    client.force_login(staff.user)
    return client


def body(response: Any) -> Any:
    return response.json()


# --- reading the book (A1.2 / A7.21) -------------------------------------------------------------


def test_a1_2_the_sales_manager_reads_the_whole_book_and_every_read_is_audited(
    client: Client, li: Staff, zhao: Staff, wang: Staff
) -> None:
    register(li)
    register(zhao, name="刘洋", phone="18657112233")
    response = as_(client, wang).get(f"{BASE}/?late=false")
    assert response.status_code == 200
    items = body(response)["items"]
    assert {i["customer_name"] for i in items} == {"张伟", "刘洋"}
    assert items[0]["contact"].count("*") == 4
    read = AuditEvent.objects.get(action=AuditAction.BOOK_READ)
    assert read.actor == wang.user and read.object_type == "sales.registration_book"
    assert read.detail == {"filters": {"late": False}}
    as_(client, wang).get(f"{BASE}/?page=2")
    assert AuditEvent.objects.filter(action=AuditAction.BOOK_READ).count() == 2


def test_a1_2_the_pm_who_keeps_the_book_reads_it_too(client: Client, li: Staff, pm: Staff) -> None:
    register(li)
    assert body(as_(client, pm).get(f"{BASE}/"))["count"] == 1


def test_a1_2_a_salesperson_may_not_read_the_whole_book_and_the_attempt_is_audited(
    client: Client, li: Staff, zhao: Staff
) -> None:
    register(zhao)
    response = as_(client, li).get(f"{BASE}/")
    assert response.status_code == 403
    assert body(response)["error"]["code"] == "sales.book.permission_denied"
    denied = AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_DENIED, outcome=AuditOutcome.DENIED
    )
    assert denied.count() == 1 and denied.get().object_type == "sales.registration_book"
    assert not AuditEvent.objects.filter(action=AuditAction.BOOK_READ).exists()


def test_a1_2_the_sales_director_is_not_a_reader(client: Client, director: Staff) -> None:
    assert as_(client, director).get(f"{BASE}/").status_code == 403


def test_a1_2_a_salesperson_sees_only_their_own_customers_lines(
    client: Client, li: Staff, zhao: Staff
) -> None:
    mine = register(li)
    theirs = register(zhao, name="刘洋", phone="18657112233")
    response = as_(client, li).get(f"{BASE}/mine")
    assert [i["id"] for i in body(response)["items"]] == [mine.registration.pk]
    assert as_(client, li).get(f"{BASE}/{theirs.registration.pk}").status_code == 404
    assert as_(client, li).get(f"{BASE}/{mine.registration.pk}").status_code == 200


def test_outsiders_of_another_company_see_nothing(
    client: Client, li: Staff, west_manager: Staff, chen: Staff
) -> None:
    line = register(li).registration
    # another company's sales manager reads his own (empty) book, never 华东置业's
    assert body(as_(client, west_manager).get(f"{BASE}/"))["count"] == 0
    assert as_(client, west_manager).get(f"{BASE}/{line.pk}").status_code == 404
    assert (
        as_(client, west_manager)
        .post(f"{BASE}/{line.pk}/corrections", {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    # and west's customer service has no sales permission at all
    assert as_(client, chen).get(f"{BASE}/").status_code == 403
    assert body(as_(client, chen).get(f"{BASE}/mine"))["count"] == 0
    assert as_(client, chen).get(f"{BASE}/{line.pk}").status_code == 404
    assert as_(client, chen).get(f"{BASE}/match?phone=13812345678").status_code == 403


def test_anonymous_callers_are_refused(client: Client, li: Staff) -> None:
    register(li)
    assert client.get(f"{BASE}/").status_code == 401


# --- registering ---------------------------------------------------------------------------------


def test_register_201_and_409_naming_who_registered_first_and_when(
    client: Client, li: Staff, zhao: Staff, desk: Staff
) -> None:
    with time_machine.travel(shanghai(2026, 11, 20, 10, 2), tick=False):
        response = as_(client, desk).post(
            f"{BASE}/",
            {"customer_name": "张伟", "contact": "13812345678", "receiver_id": li.pk},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    created = body(response)
    assert created["first"] and not created["late"] and created["customer_created"]
    assert created["registration"]["receiver"]["name"] == "李明"
    assert created["registration"]["contact"] == "138****5678"
    with time_machine.travel(shanghai(2026, 11, 20, 10, 5), tick=False):
        again = as_(client, zhao).post(
            f"{BASE}/",
            {"customer_name": "张先生", "contact": "138 1234 5678"},
            content_type="application/json",
        )
    assert again.status_code == 409
    error = body(again)["error"]
    assert error["code"] == "sales.book.already_registered"
    assert error["message"].startswith("已由 李明 于 10:02 登记")
    assert error["details"]["customer_id"] == created["registration"]["customer_id"]
    # in English too
    english = as_(client, zhao).post(
        f"{BASE}/",
        {"customer_name": "张先生", "contact": "13812345678"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert body(english)["error"]["message"].startswith("Already registered by 李明")


def test_match_endpoint_names_the_key_the_owner_and_the_protection_left(
    client: Client, li: Staff, desk: Staff
) -> None:
    with time_machine.travel(shanghai(2026, 11, 1, 10, 0), tick=False):
        register(li, car_brand="宝马", plate="浙A·12345")
    with time_machine.travel(shanghai(2026, 11, 11, 10, 0), tick=False):
        response = as_(client, desk).get(f"{BASE}/match?plate=浙A12345&brand=BMW&name=张先生")
    assert response.status_code == 200
    [match] = body(response)
    assert match["keys"] == ["car_plate_surname"] and match["keys_zh"] == ["车辆品牌+车牌号+姓氏"]
    assert match["owner"]["name"] == "李明"
    assert match["first_registration"]["receiver"] == "李明"
    # the window: the ownership policy's new_customer_after_days, or 60 marked as a placeholder
    window = protection_window(li, shanghai(2026, 11, 11, 10, 0))
    assert window.days == 60
    assert match["protection"] == {
        "first_registered_on": "2026-11-01",
        "days_since": 10,
        "window_days": 60,
        "days_left": 50,
        "placeholder": window.placeholder,
    }


def test_match_full_name_only_needs_the_sales_managers_confirmation(
    client: Client, li: Staff, desk: Staff
) -> None:
    register(li)
    [match] = body(as_(client, desk).get(f"{BASE}/match?name=张伟&phone=139"))
    assert match["keys"] == ["full_name"] and match["needs_confirmation"]
    assert match["rule_ids"] == ["A7.4", "A7.20"]


# --- confirmation, correction, verification ------------------------------------------------


def test_pm_queue_confirm_correct_and_verify(client: Client, li: Staff, pm: Staff) -> None:
    line = register(li).registration
    queue = body(as_(client, pm).get(f"{BASE}/confirmations"))
    assert [i["id"] for i in queue["items"]] == [line.pk]
    confirmed = as_(client, pm).post(
        f"{BASE}/{line.pk}/confirmation", {"note": "已核实"}, content_type="application/json"
    )
    assert confirmed.status_code == 201 and body(confirmed)["confirmed_by"]["name"] == "杨经理"
    # 李 may not confirm (A1.1: the PM confirms)
    refused = as_(client, li).post(
        f"{BASE}/{line.pk}/confirmation", {}, content_type="application/json"
    )
    assert refused.status_code == 403
    corrected = as_(client, li).post(
        f"{BASE}/{line.pk}/corrections",
        {"reason": "电话记错一位", "customer_name": "张伟", "contact": "13812345679"},
        content_type="application/json",
    )
    assert corrected.status_code == 201
    new = body(corrected)
    assert new["corrects_id"] == line.pk and new["correction_reason"] == "电话记错一位"
    detail = body(as_(client, pm).get(f"{BASE}/{new['id']}"))
    assert [h["id"] for h in detail["history"]] == [line.pk, new["id"]]
    assert [e["kind"] for e in detail["ledger"]] == [
        "registration",
        "registration.confirmed",
        "registration.correction",
    ]
    assert detail["ledger"][2]["corrects_seq"] == detail["ledger"][0]["seq"]
    verify = body(as_(client, pm).get(f"{BASE}/verify"))
    assert verify["ok"] and verify["rows_checked"] == 3
    assert as_(client, li).get(f"{BASE}/verify").status_code == 403


# --- phone book and follow-ups -------------------------------------------------------------------


def test_phone_and_follow_up_endpoints(client: Client, li: Staff, zhao: Staff, wang: Staff) -> None:
    created = as_(client, zhao).post(
        f"{BASE}/phone",
        {"caller_name": "刘先生", "contact": "13900002222", "desk_owner_id": li.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    call = body(created)
    assert call["desk_owner"]["name"] == "李明" and call["helped"]
    assert body(as_(client, li).get(f"{BASE}/phone/mine"))["count"] == 1
    assert as_(client, li).get(f"{BASE}/phone").status_code == 403
    assert body(as_(client, wang).get(f"{BASE}/phone"))["count"] == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.BOOK_READ, object_type="sales.phone_book"
    ).exists()
    # the phone enquiry is not in the registration book (A1.3)
    assert body(as_(client, wang).get(f"{BASE}/"))["count"] == 0
    customer_id = call["customer_id"]
    follow = as_(client, li).post(
        f"{BASE}/customers/{customer_id}/follow-ups",
        {"note": "回电介绍户型", "channel": "phone"},
        content_type="application/json",
    )
    assert follow.status_code == 201
    listed = body(as_(client, li).get(f"{BASE}/customers/{customer_id}/follow-ups"))
    assert [f["note"] for f in listed["follow_ups"]] == ["回电介绍户型"]
    mine = body(as_(client, li).get(f"{BASE}/customers"))
    assert mine["days"] == 7 and [c["id"] for c in mine["customers"]] == [customer_id]
    # 赵 answered the call but the customer is 李's: not his to follow up
    assert as_(client, zhao).get(f"{BASE}/customers/{customer_id}/follow-ups").status_code == 404
    assert as_(client, zhao).get(f"{BASE}/customers?salesperson_id={li.pk}").status_code == 404
