"""The rotation's pages and API: the wall screen refreshes itself (htmx every 3 s) for any staff
member of the company, never without a login, never for another company (404); the front desk
names the receiver with the rule; the PM opens and reorders the day (A2.2); query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales import rotation_services as services
from kehu.sales.models.reception import Visit
from kehu.sales.models.rotation import RotationEvent
from kehu.sales.rotation_rules import Reason, Status

from .test_rotation_cast import TODAY, Office, make_office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    # 2026-11-27 10:00 in Asia/Shanghai.
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def office(cast: object, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff) -> Office:
    return make_office(cast, east, li, zhao, wang, chen)


def login(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def url(o: Office, page: str) -> str:
    return f"/sales/rotation/{o.site.pk}/{page}"


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- the wall screen ---------------------------------------------------------------------------


def test_the_board_shows_next_receiving_absent_and_make_ups_and_polls_every_3s(
    office: Office,
) -> None:
    # given a day where 李 is away on assigned work and two walk-ins were received
    office.open()
    services.rotation_status_set(
        actor=office.desk,
        site=office.site,
        staff_id=office.li.pk,
        status=Status.AWAY,
        reason=Reason.ASSIGNED_WORK,
    )
    services.rotation_assign(actor=office.desk, site=office.site)  # 赵; 李 owed a make-up
    services.rotation_assign(actor=office.desk, site=office.site)  # 钱
    # when a salesperson's login shows the wall screen
    page = html(login(office.sun).get(url(office, "board/")))
    # then it refreshes itself every 3 s from the live endpoint
    assert 'hx-trigger="every 3s"' in page
    assert f'hx-get="/sales/rotation/{office.site.pk}/board/live/"' in page
    assert 'hx-swap="outerHTML"' in page
    assert "vendor/htmx.min.js" in page and "sales/rotation.js" in page
    # and shows who is next, who is receiving, who is away and why, and the make-up queue
    assert "下一位接待" in page and "孙磊" in page
    assert "项目组另外安排工作" in page and "补接 ×1" in page
    assert "接待中" in page and "A7.2(4)" in page
    assert "style=" not in page and "<script>" not in page  # CSP: no inline style or script


def test_the_live_endpoint_renders_the_same_board_and_keeps_polling(office: Office) -> None:
    office.open()
    live = html(login(office.desk).get(url(office, "board/live/")))
    assert live.lstrip().startswith("<div") and 'id="wall-live"' in live
    assert 'hx-trigger="every 3s"' in live and "<html" not in live
    assert "李明" in live and "下一位接待" in live


def test_a_day_not_open_says_so(office: Office) -> None:
    page = html(login(office.desk).get(url(office, "board/")))
    assert "今日轮排尚未开启" in page


def test_no_login_no_board(office: Office) -> None:
    response = Client().get(url(office, "board/"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    live = Client().get(url(office, "board/live/"))
    assert live.headers.get("HX-Refresh") == "true" and not live.content


@pytest.mark.parametrize(
    "page", ["board/", "board/live/", "desk/", "desk/live/", "manage/", "desk/arrive/"]
)
def test_another_company_gets_404(office: Office, page: str) -> None:
    office.open()
    client = login(office.chen)
    response = (
        client.post(url(office, page))
        if page.endswith("arrive/")
        else client.get(url(office, page))
    )
    assert response.status_code == 404
    assert not RotationEvent.objects.filter(kind="assigned").exists()


def test_the_board_takes_the_same_queries_for_4_or_12_salespeople(
    office: Office, cast: Any, east: Company
) -> None:
    office.open()
    services.rotation_status_set(
        actor=office.desk,
        site=office.site,
        staff_id=office.li.pk,
        status=Status.AWAY,
        reason=Reason.ASSIGNED_WORK,
    )
    services.rotation_assign(actor=office.desk, site=office.site)
    client = login(office.desk)
    client.get(url(office, "board/live/"))  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        html(client.get(url(office, "board/live/")))
    extra = [
        cast.staff(east, f"新人{n}", Post.SALESPERSON, site=office.site)  # type: ignore[attr-defined]
        for n in range(8)
    ]
    services.rotation_reorder(
        pm=office.pm,
        site=office.site,
        new_order=[*(s.pk for s in office.sellers), *(s.pk for s in extra)],
        reason="新人到岗",
    )
    for newcomer in extra[:3]:
        services.rotation_status_set(
            actor=office.desk,
            site=office.site,
            staff_id=newcomer.pk,
            status=Status.AWAY,
            reason=Reason.ASSIGNED_WORK,
        )
    services.rotation_assign(actor=office.desk, site=office.site)
    with CaptureQueriesContext(connection) as large:
        page = html(client.get(url(office, "board/live/")))
    assert "新人7" in page
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(small) <= 12


# --- the front desk ------------------------------------------------------------------------------


def test_new_visitor_button_names_the_receiver_with_the_rule(office: Office) -> None:
    office.open()
    client = login(office.desk)
    page = html(client.get(url(office, "desk/")))
    assert "新客到访" in page and "接待结束" not in page
    response = client.post(url(office, "desk/arrive/"), {"kind": "new"})
    assert response.status_code == 302
    assert RotationEvent.objects.filter(kind="assigned").count() == 1
    # the desk now records a Visit (the reception flow) and shows it
    visit = Visit.objects.get()
    assert response["Location"].endswith(f"?visit={visit.pk}")
    page = html(client.get(response["Location"]))
    assert "请 <strong>李明</strong> 接待" in page and "A7.1" in page
    assert "接待结束" in page  # 李 is receiving now
    assert 'hx-trigger="every 5s"' in page
    # the reception ends; 李 goes away sick; then back
    client.post(url(office, "desk/end/"), {"staff_id": office.li.pk})
    client.post(url(office, "desk/status/"), {"staff_id": office.li.pk, "reason": "sick_leave"})
    page = html(client.get(url(office, "desk/")))
    assert "病假" in page and "回到岗位" in page
    client.post(url(office, "desk/status/"), {"staff_id": office.li.pk})
    kinds = list(RotationEvent.objects.order_by("pk").values_list("kind", "status"))
    assert kinds[-3:] == [("reception_end", "free"), ("status", "away"), ("status", "free")]


def test_the_desk_is_told_why_nobody_can_receive(office: Office) -> None:
    services.rotation_day_open(actor=office.pm, site=office.site, order=[office.li.pk])
    client = login(office.desk)
    client.post(url(office, "desk/arrive/"), {"kind": "new"})
    response = client.post(url(office, "desk/arrive/"), {"kind": "new"}, follow=True)
    page = html(response)
    assert "暂无人可接待" in page and "A2.5" in page


def test_a_salesperson_sees_the_desk_but_cannot_assign(office: Office) -> None:
    office.open()
    client = login(office.li)
    page = html(client.get(url(office, "desk/")))
    assert "新客到访" not in page
    client.post(url(office, "desk/arrive/"), {"kind": "new"})
    assert not RotationEvent.objects.filter(kind="assigned").exists()


# --- the project manager --------------------------------------------------------------------------


def test_the_pm_opens_the_day_with_an_order_and_an_absence(office: Office) -> None:
    client = login(office.pm)
    page = html(client.get(url(office, "manage/")))
    assert "开启今日轮排" in page
    client.post(
        url(office, "manage/open/"),
        {
            f"pos-{office.li.pk}": "3",
            f"pos-{office.zhao.pk}": "1",
            f"pos-{office.qian.pk}": "2",
            f"pos-{office.sun.pk}": "",
            f"away-{office.qian.pk}": "rest",
        },
    )
    page = html(client.get(url(office, "manage/")))
    assert "调整轮排顺序" in page
    event = RotationEvent.objects.get(kind="opened")
    assert event.detail["order"] == [office.zhao.pk, office.qian.pk, office.li.pk]
    assert event.detail["away"] == {str(office.qian.pk): "rest"}


def test_a2_2_the_pm_reorders_with_a_reason_shown_in_the_history(office: Office) -> None:
    office.open()
    client = login(office.pm)
    order = {office.li.pk: 4, office.zhao.pk: 3, office.qian.pk: 2, office.sun.pk: 1}
    data = {f"pos-{k}": str(v) for k, v in order.items()}
    client.post(url(office, "manage/reorder/"), data)  # no reason: refused
    assert not RotationEvent.objects.filter(kind="reordered").exists()
    client.post(url(office, "manage/reorder/"), {**data, "reason": "按昨日接待量调整"})
    event = RotationEvent.objects.get(kind="reordered")
    assert event.actor == office.pm and event.note == "按昨日接待量调整"
    page = html(client.get(url(office, "manage/")))
    assert "按昨日接待量调整" in page and "杨经理" in page and "A2.2" in page


def test_the_desk_may_not_manage(office: Office) -> None:
    response = login(office.desk).get(url(office, "manage/"))
    assert response.status_code == 403


# --- the API -------------------------------------------------------------------------------------


API = "/api/v1/sales/rotation"


def test_api_open_next_assign_end_and_history(office: Office) -> None:
    pm, desk = login(office.pm), login(office.desk)
    site = office.site.pk
    opened = pm.post(
        f"{API}/{site}/open",
        {"order": [s.pk for s in office.sellers], "away": {str(office.sun.pk): "sick_leave"}},
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    assert opened.json()["next"]["receiver"]["name"] == "李明"
    nxt = desk.get(f"{API}/{site}/next").json()
    assert nxt["via"] == "rotation" and "A7.1" in nxt["rule_ids"] and nxt["explanation"]
    got = desk.post(
        f"{API}/{site}/assign", {"kind": "new", "visit_ref": "V-1"}, content_type="application/json"
    )
    assert got.status_code == 201 and got.json()["receiver_name"] == "李明"
    asked = desk.post(
        f"{API}/{site}/assign",
        {"kind": "asked_for", "named_staff_id": office.li.pk},
        content_type="application/json",
    )
    assert asked.status_code == 409
    assert asked.json()["error"]["code"] == "rotation.nobody_free"
    assert "A2.5" in asked.json()["error"]["details"]["rule_ids"]
    ended = desk.post(
        f"{API}/{site}/reception-end", {"staff_id": office.li.pk}, content_type="application/json"
    )
    assert ended.status_code == 201 and ended.json()["visit_ref"] == "V-1"
    board = desk.get(f"{API}/{site}/board").json()
    assert board["skip_makeup"] == "owed" and board["counts"] == {"free": 3, "busy": 0, "away": 1}
    events = desk.get(f"{API}/{site}/events").json()
    assert [e["kind"] for e in events["items"]] == ["opened", "assigned", "reception_end"]
    sites = desk.get(f"{API}/sites").json()
    assert [s["name"] for s in sites] == [office.site.name]


def test_api_reorder_status_makeups(office: Office) -> None:
    office.open()
    pm, desk = login(office.pm), login(office.desk)
    site = office.site.pk
    away = desk.post(
        f"{API}/{site}/status",
        {"staff_id": office.li.pk, "status": "away", "reason": "assigned_work"},
        content_type="application/json",
    )
    assert away.status_code == 201 and "A7.2(4)" in away.json()["rule_ids"]
    assert desk.post(f"{API}/{site}/assign", {}, content_type="application/json").status_code == 201
    board = desk.get(f"{API}/{site}/board").json()
    (makeup,) = board["makeups"]
    assert makeup["name"] == "李明" and makeup["rule_ids"] == ["A5.1", "A7.2(4)"]
    denied = desk.post(
        f"{API}/{site}/makeups/{makeup['id']}/void",
        {"reason": "x"},
        content_type="application/json",
    )
    assert denied.status_code == 403
    voided = pm.post(
        f"{API}/{site}/makeups/{makeup['id']}/void",
        {"reason": "误记"},
        content_type="application/json",
    )
    assert voided.status_code == 201
    granted = desk.post(
        f"{API}/{site}/makeups",
        {"staff_id": office.zhao.pk, "cause": "found_public"},
        content_type="application/json",
    )
    assert granted.status_code == 201 and "A7.7" in granted.json()["rule_ids"]
    reordered = pm.post(
        f"{API}/{site}/reorder",
        {"order": [s.pk for s in reversed(office.sellers)], "reason": "调整"},
        content_type="application/json",
    )
    assert reordered.status_code == 201 and reordered.json()["note"] == "调整"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "board"),
        ("get", "next"),
        ("get", "events"),
        ("post", "assign"),
        ("post", "open"),
        ("post", "status"),
        ("post", "reorder"),
        ("post", "reception-end"),
    ],
)
def test_api_outsider_gets_404(office: Office, method: str, path: str) -> None:
    office.open()
    client = login(office.chen)
    body = {"staff_id": office.li.pk, "status": "away", "order": [], "reason": "rest"}
    response = (
        client.get(f"{API}/{office.site.pk}/{path}")
        if method == "get"
        else client.post(f"{API}/{office.site.pk}/{path}", body, content_type="application/json")
    )
    assert response.status_code == 404, response.content
    assert office.site.pk not in [s["id"] for s in client.get(f"{API}/sites").json()]


def test_api_needs_a_login(office: Office) -> None:
    assert Client().get(f"{API}/{office.site.pk}/board").status_code == 401


def test_the_day_is_today_in_shanghai(office: Office) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC), tick=False):
        services.rotation_day_open(actor=office.pm, site=office.site)  # 00:30 in Shanghai
    assert RotationEvent.objects.get().day.on == TODAY
