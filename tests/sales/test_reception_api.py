"""The reception flow through the API: arrive → register → end, a customer's decisions; and an
outsider gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.core.org.models import Company, Staff

from .test_reception_services import Office, clock, make_office, open_day  # noqa: F401

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
    return make_office(cast, east, li, zhao, wang, chen)


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def test_a_walk_in_through_the_api_arrive_register_end(office: Office) -> None:
    # given 赵强 is next and the desk is logged in
    open_day(office, office.zhao)
    desk = as_staff(office.desk)
    # when a visitor walks in
    arrived = post(desk, BASE, {"site_id": office.site.pk, "arrival": "walk_in"})
    assert arrived.status_code == 201, arrived.content
    visit = arrived.json()
    assert visit["receiver_id"] == office.zhao.pk and visit["rotation_rule_ids"]
    # and is registered
    registered = post(
        desk,
        f"{BASE}{visit['id']}/register",
        {"details": {"customer_name": "钱来", "contact": "13900000201"}},
    )
    assert registered.status_code == 201, registered.content
    decision = registered.json()
    # then 赵强 owns the new customer (A1.5), with the rule IDs and the policy
    assert "A1.5" in decision["rule_ids"] and decision["policy_ref"]
    assert decision["owner_after"]["salesperson"] == str(office.zhao.pk)
    # and the customer's decisions list it, for the sales manager and for the owner 赵强
    decisions_url = f"{BASE}customers/{decision['customer_id']}/decisions"
    for reader in (office.wang, office.zhao):
        listed = as_staff(reader).get(decisions_url)
        assert listed.status_code == 200
        assert [d["id"] for d in listed.json()] == [decision["id"]]
    # but not for 李明, whose customer it is not (a salesperson sees only their customers)
    assert as_staff(office.li).get(decisions_url).status_code == 404
    # when the reception ends
    ended = post(desk, f"{BASE}{visit['id']}/end")
    assert ended.status_code == 200 and ended.json()["ended_at"]
    # then an outsider sees nothing of it
    outsider = as_staff(office.chen)
    assert outsider.get(f"{BASE}customers/{decision['customer_id']}/decisions").status_code == 404
    assert post(outsider, f"{BASE}{visit['id']}/end").status_code == 404
    assert post(outsider, f"{BASE}{visit['id']}/register", {"details": {}}).status_code == 404
    assert post(outsider, BASE, {"site_id": office.site.pk}).status_code == 404
