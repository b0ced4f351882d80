"""Every step of the reception through /api/v1/sales/receptions/: a day's visits, a visit's
detail, conflicts, consent, handling, came-for, public found, redecide — bilingual errors,
403 for the wrong post and 404 for other companies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from kehu.core.org.models import Company, Staff
from kehu.sales.models.reception import OwnershipDecision

from .test_reception_services import (  # noqa: F401
    NOW,
    Office,
    clock,
    make_office,
    old_registration,
    open_day,
)

BASE = "/api/v1/sales/receptions/"


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
    open_day(o, o.zhao)
    return o


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def arrive(desk: Client, o: Office, **extra: Any) -> dict[str, Any]:
    response = post(desk, BASE, {"site_id": o.site.pk, "arrival": "walk_in", **extra})
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a7_13_conflict_consent_handling_then_register_through_the_api(office: Office) -> None:
    # given 李明's old customer walks in and 赵强 receives
    old = old_registration(office, office.li, 10, customer_name="接口客", contact="13900000501")
    desk = as_staff(office.desk)
    visit = arrive(desk, office)
    # when the desk reports the conflict, 李明's consent and that 赵强 continues
    conflict = post(desk, f"{BASE}{visit['id']}/conflicts", {"holder_id": office.li.pk})
    assert conflict.status_code == 201, conflict.content
    body = conflict.json()
    assert body["record"]["during_reception"] is True and body["decision"] is None
    consent = post(
        desk, f"{BASE}{visit['id']}/consents", {"holder_id": office.li.pk, "given": True}
    )
    assert consent.status_code == 201 and consent.json()["record"]["given"] is True
    handling = post(desk, f"{BASE}{visit['id']}/handling", {"handling": "continued"})
    assert handling.status_code == 201
    registered = post(
        desk,
        f"{BASE}{visit['id']}/register",
        {"details": {"customer_name": "接口客", "contact": "13900000501"}, "customer_id": old.pk},
    )
    # then the decision is A7.13 with 李明 keeping the customer, and it keeps its facts
    assert registered.status_code == 201, registered.content
    decision = registered.json()
    assert decision["clause"] == "A7.13" and "grab" not in decision["flags"]
    assert decision["facts"]["consents"][0]["given"] is True
    assert decision["facts"]["visit"]["handling"] == "continued"
    # and the visit's detail lists everything recorded
    detail = as_staff(office.wang).get(f"{BASE}{visit['id']}").json()
    assert len(detail["conflicts"]) == 1 and len(detail["consents"]) == 1
    assert [d["id"] for d in detail["decisions"]] == [decision["id"]]
    # and the day's visits list it
    listed = desk.get(f"{BASE}?site_id={office.site.pk}")
    assert listed.status_code == 200 and [v["id"] for v in listed.json()] == [visit["id"]]


def test_a7_9_3_came_for_then_public_found_and_redecide_supersede(office: Office) -> None:
    desk = as_staff(office.desk)
    visit = arrive(desk, office)
    registered = post(desk, f"{BASE}{visit['id']}/register", {"details": {"customer_name": "甲"}})
    first = registered.json()
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        came = post(desk, f"{BASE}{visit['id']}/came-for", {"staff_id": office.qian.pk})
    assert came.status_code == 201, came.content
    second = came.json()["decision"]
    assert second["clause"] == "A7.9(3)" and second["supersedes_id"] == first["id"]
    again = post(desk, f"{BASE}{visit['id']}/redecide", {"cause": "check"})
    assert again.status_code == 201 and again.json()["supersedes_id"] == second["id"]
    public = post(desk, f"{BASE}{visit['id']}/public-found", {"public_kind": "a"})
    assert public.status_code == 201 and public.json()["decision"]["clause"] == "A7.7"
    assert OwnershipDecision.objects.filter(visit_id=visit["id"]).count() == 4


def test_bad_input_gets_a_bilingual_error_and_writes_nothing(office: Office) -> None:
    desk = as_staff(office.desk)
    visit = arrive(desk, office)
    # the receiver cannot be the holder of a conflict with themselves
    refused = post(desk, f"{BASE}{visit['id']}/conflicts", {"holder_id": visit["receiver_id"]})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "reception.bad_input" and "接待人" in error["message"]
    english = desk.post(
        f"{BASE}{visit['id']}/conflicts",
        {"holder_id": visit["receiver_id"]},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert "receiver" in english.json()["error"]["message"]
    # a time in the future is refused
    future = (NOW + dt.timedelta(days=1)).isoformat()
    late = post(
        desk, f"{BASE}{visit['id']}/conflicts", {"holder_id": office.li.pk, "found_at": future}
    )
    assert late.status_code == 422
    # handling without a conflict is refused
    assert (
        post(desk, f"{BASE}{visit['id']}/handling", {"handling": "handed_back"}).status_code == 409
    )
    # redecide before registration is refused
    assert post(desk, f"{BASE}{visit['id']}/redecide").status_code == 409
    detail = desk.get(f"{BASE}{visit['id']}").json()
    assert detail["conflicts"] == [] and detail["handling"] == []


def test_a_salesperson_not_concerned_may_not_record_and_only_desks_redecide(
    office: Office,
) -> None:
    desk = as_staff(office.desk)
    visit = arrive(desk, office)
    post(desk, f"{BASE}{visit['id']}/register", {"details": {"customer_name": "乙"}})
    # 孙磊 has nothing to do with this visit
    sun = as_staff(office.sun)
    denied = post(sun, f"{BASE}{visit['id']}/conflicts", {"holder_id": office.li.pk})
    assert denied.status_code == 403
    assert post(sun, f"{BASE}{visit['id']}/redecide").status_code == 403
    # but 李明, the holder, may report his own conflict
    assert (
        post(
            as_staff(office.li), f"{BASE}{visit['id']}/conflicts", {"holder_id": office.li.pk}
        ).status_code
        == 201
    )


def test_other_companies_get_404_on_every_step(office: Office) -> None:
    desk = as_staff(office.desk)
    visit = arrive(desk, office)
    outsider = as_staff(office.chen)
    vid = visit["id"]
    assert outsider.get(f"{BASE}{vid}").status_code == 404
    assert outsider.get(f"{BASE}?site_id={office.site.pk}").status_code == 404
    steps: list[tuple[str, dict[str, Any]]] = [
        ("conflicts", {"holder_id": office.li.pk}),
        ("consents", {"holder_id": office.li.pk, "given": True}),
        ("handling", {"handling": "continued"}),
        ("came-for", {"staff_id": office.li.pk}),
        ("public-found", {"public_kind": "a"}),
        ("redecide", {}),
    ]
    for step, data in steps:
        assert post(outsider, f"{BASE}{vid}/{step}", data).status_code == 404, step
