"""Complaints through /api/v1/complaints/: every step, outsiders, errors in the caller's
language."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from kehu.core.calendar.rules import LOCAL_TZ
from kehu.core.org.models import Company, Department, Post, Staff

pytestmark = pytest.mark.django_db

BASE = "/api/v1/complaints/"


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def engineering(west: Company) -> Department:
    return Department.objects.create(company=west, name="工程部")


@pytest.fixture
def fitter(cast, west: Company, engineering: Department) -> Staff:  # type: ignore[no-untyped-def]
    return cast.staff(west, "周工", Post.REPAIRMAN, department=engineering)


@pytest.fixture
def clerk(cast, west: Company) -> Staff:  # type: ignore[no-untyped-def]
    return cast.staff(west, "吴营业", Post.BUSINESS_CLERK)


def as_(client: Client, staff: Staff) -> Client:
    client.force_login(staff.user)
    return client


COMPLAINT = {
    "channel": "hotline",
    "customer_name": "刘女士",
    "category": "燃气表",
    "subject": "燃气表走字快",
    "description": "客户反映燃气表走字异常",
    "place": "3栋",
}


def test_a3_intake_to_close_through_the_api(
    client: Client, clerk: Staff, chen: Staff, fitter: Staff, engineering: Department
) -> None:
    with time_machine.travel(local("2026-03-02T09:00"), tick=False):
        created = as_(client, clerk).post(BASE, COMPLAINT, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stage"] == "received" and body["allowed_actions"] == ["forward"]
    assert body["due_at"] == "2026-03-03T09:00:00+08:00"  # 24 clock hours
    cid = body["id"]
    steps: list[tuple[Staff, dict[str, object], str]] = [
        (clerk, {"action": "forward"}, "at_service"),
        (chen, {"action": "dispatch", "department_id": engineering.pk}, "dispatched"),
        (fitter, {"action": "report_result", "note": "已换表"}, "result"),
        (chen, {"action": "tell_customer"}, "closed"),
    ]
    for who, payload, stage in steps:
        answer = as_(client, who).post(
            f"{BASE}{cid}/actions", payload, content_type="application/json"
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["stage"] == stage
    history = as_(client, chen).get(f"{BASE}{cid}").json()["events"]
    assert [e["action"] for e in history] == [
        "receive",
        "forward",
        "dispatch",
        "report_result",
        "tell_customer",
    ]
    assert all(e["rule_ids"] for e in history)


def test_a3_there_is_no_refuse_or_redirect_action(client: Client, clerk: Staff) -> None:
    cid = as_(client, clerk).post(BASE, COMPLAINT, content_type="application/json").json()["id"]
    for action in ("refuse", "reject", "redirect", "send_elsewhere"):
        answer = client.post(
            f"{BASE}{cid}/actions", {"action": action}, content_type="application/json"
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "complaints.field_required"


def test_errors_come_in_the_callers_language(client: Client, clerk: Staff, chen: Staff) -> None:
    cid = as_(client, clerk).post(BASE, COMPLAINT, content_type="application/json").json()["id"]
    zh = as_(client, chen).post(
        f"{BASE}{cid}/actions", {"action": "tell_customer"}, content_type="application/json"
    )
    en = client.post(
        f"{BASE}{cid}/actions",
        {"action": "tell_customer"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert zh.status_code == en.status_code == 409
    assert "不能" in zh.json()["error"]["message"]
    assert "not possible" in en.json()["error"]["message"]
    assert en.json()["error"]["details"]["allowed"] == ["forward"]


def test_another_company_sees_nothing(client: Client, clerk: Staff, cast, east: Company) -> None:  # type: ignore[no-untyped-def]
    cid = as_(client, clerk).post(BASE, COMPLAINT, content_type="application/json").json()["id"]
    outsider = cast.staff(east, "外客服", Post.CUSTOMER_SERVICE)
    as_(client, outsider)
    assert client.get(f"{BASE}{cid}").status_code == 404
    assert (
        client.post(
            f"{BASE}{cid}/actions", {"action": "forward"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get(BASE).json()["count"] == 0


def test_a_colleague_outside_the_case_cannot_see_it(
    client: Client, clerk: Staff, fitter: Staff
) -> None:
    cid = as_(client, clerk).post(BASE, COMPLAINT, content_type="application/json").json()["id"]
    assert as_(client, fitter).get(f"{BASE}{cid}").status_code == 404


def test_a4_leak_work_order_callback_and_reopen_through_the_api(
    client: Client, clerk: Staff, chen: Staff, fitter: Staff
) -> None:
    leak = {**COMPLAINT, "category": "漏气", "subject": "燃气味", "leak": True, "address": "3栋201"}
    as_(client, clerk).post(BASE, leak, content_type="application/json")
    orders = as_(client, chen).get(f"{BASE}work-orders").json()
    assert len(orders) == 1 and orders[0]["urgent"] is True
    oid = orders[0]["id"]
    assert client.post(f"{BASE}work-orders/{oid}/complete").status_code == 200
    answer = client.post(
        f"{BASE}work-orders/{oid}/callback",
        {"satisfied": False, "note": "仍有气味"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert answer.json()["work_order_status"] == "open"


def test_the_dashboard_is_for_supervisors(
    client: Client, clerk: Staff, chen: Staff, cast, west: Company
) -> None:  # type: ignore[no-untyped-def]
    as_(client, clerk).post(BASE, COMPLAINT, content_type="application/json")
    assert client.get(f"{BASE}dashboard").status_code == 403
    boss = cast.staff(west, "钱经理", Post.MANAGER)
    board = as_(client, boss).get(f"{BASE}dashboard").json()
    assert board["open_total"] == 1 and board["by_stage"] == {"received": 1}


def test_a11_needs_and_their_monthly_analysis(client: Client, chen: Staff) -> None:
    as_(client, chen)
    with time_machine.travel(local("2026-06-10T10:00"), tick=False):
        for text, kind in (
            ("绿化差", "management"),
            ("电梯慢", "management"),
            ("团购", "business"),
        ):
            answer = client.post(
                f"{BASE}needs", {"text": text, "need_class": kind}, content_type="application/json"
            )
            assert answer.status_code == 201
        analysis = client.get(f"{BASE}needs/analysis?month=2026-06").json()
    assert analysis["by_class"] == [
        {"need_class": "management", "count": 2},
        {"need_class": "business", "count": 1},
    ]
    assert client.get(f"{BASE}needs/analysis?month=June").status_code == 400


def test_the_sweep_through_the_api_answers_after_a_few_batches_and_says_if_more_are_due(
    client: Client, clerk: Staff, chen: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kehu.complaints import api, services

    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        for i in range(3):
            created = as_(client, clerk).post(
                BASE, {**COMPLAINT, "subject": f"燃气表{i}"}, content_type="application/json"
            )
            assert created.status_code == 201, created.content
    # in their warning band (80 % of 24 hours)
    with time_machine.travel(local("2026-03-03T03:12"), tick=False):
        answer = as_(client, chen).post(f"{BASE}sweep")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "looked_at": 3,
        "warnings": 3,
        "breaches": 0,
        "escalations": 0,
        "fines": 0,
        "batches": 1,
        "more_due": False,
    }
    # an answer is bounded: when its batches are used up it says more are due (here one batch
    # of two, for the three breached at 08:00:01)
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    monkeypatch.setattr(api, "API_SWEEP_MAX_BATCHES", 1)
    with time_machine.travel(local("2026-03-03T08:00:01"), tick=False):
        bounded = as_(client, chen).post(f"{BASE}sweep").json()
    assert (bounded["breaches"], bounded["batches"], bounded["more_due"]) == (2, 1, True)


def test_only_those_who_handle_complaints_may_run_the_sweep(client: Client, fitter: Staff) -> None:
    answer = as_(client, fitter).post(f"{BASE}sweep")
    assert answer.status_code == 403
