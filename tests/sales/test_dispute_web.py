"""The dispute pages and API (A7.20, A7.10) through the web client: 王经理's queue and ruling,
a salesperson's dispute and pre-registrations; salespeople cannot rule, outsiders see nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehu.core.org.models import Company, Staff
from kehu.sales import dispute_services
from kehu.sales.models.reception import PreRegistration, RulingRecord

from .test_dispute_services import clock, namesake_visit, plain_visit  # noqa: F401
from .test_prereg_services import old_customer
from .test_rotation_cast import Office, make_office


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


def client_for(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- pages --------------------------------------------------------------------------------------


def test_a7_20_the_queue_page_shows_the_claim_and_the_key_that_matched(office: Office) -> None:
    pending = namesake_visit(office)
    page = client_for(office.wang).get("/sales/disputes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/sales/disputes/{pending.pk}/" in text
    assert "李明" in text and "姓名全称" in text and "A7.20" in text and "赵强" in text


def test_a7_20_the_queue_page_query_count_does_not_grow_with_items(office: Office) -> None:
    namesake_visit(office)
    client = client_for(office.wang)
    client.get("/sales/disputes/")
    with CaptureQueriesContext(connection) as one:
        client.get("/sales/disputes/")
    latest = plain_visit(office, open_the_day=False)
    dispute_services.dispute_raise(
        actor=latest.visit.receiver, decision_id=latest.pk, reason="有异议"
    )
    with CaptureQueriesContext(connection) as two:
        client.get("/sales/disputes/")
    assert len(two) == len(one)


def test_a7_20_ruling_through_the_page_shows_the_resulting_decision(office: Office) -> None:
    pending = namesake_visit(office)
    client = client_for(office.wang)
    url = f"/sales/disputes/{pending.pk}/"
    form = client.get(url)
    assert form.status_code == 200 and "作出最终裁决" in form.content.decode()
    # a ruling without its reason is refused, nothing written
    refused = client.post(url, {"kind": "same_customer", "reason": ""})
    assert refused.status_code == 400 and not RulingRecord.objects.exists()
    # with the reason: recorded, then the page shows the ruling and the new decision
    done = client.post(url, {"kind": "same_customer", "reason": "同一人"}, follow=True)
    assert done.status_code == 200
    text = done.content.decode()
    assert "最终裁决" in text and "按裁决作出的归属决定" in text and "同一人" in text
    assert RulingRecord.objects.count() == 1
    # a second ruling is refused with the clear message
    again = client.post(url, {"kind": "different_customer", "reason": "改判"})
    assert again.status_code == 400
    assert "不能再次裁决" in again.content.decode()
    assert RulingRecord.objects.count() == 1


def test_a7_20_an_award_with_shares_through_the_page(office: Office) -> None:
    pending = namesake_visit(office)
    client = client_for(office.wang)
    url = f"/sales/disputes/{pending.pk}/"
    bad = client.post(
        url,
        {
            "kind": "award",
            "owner": str(office.li.pk),
            "share_party_1": str(office.li.pk),
            "share_percent_1": "70",
            "share_party_2": str(office.zhao.pk),
            "share_percent_2": "20",
            "reason": "协商",
        },
    )
    assert bad.status_code == 400 and "100%" in bad.content.decode()
    assert not RulingRecord.objects.exists()
    good = client.post(
        url,
        {
            "kind": "award",
            "owner": str(office.li.pk),
            "share_party_1": str(office.li.pk),
            "share_percent_1": "70",
            "share_party_2": str(office.zhao.pk),
            "share_percent_2": "30",
            "reason": "协商",
        },
    )
    assert good.status_code == 302
    record = RulingRecord.objects.get()
    assert record.kind == "award" and len(record.shares) == 2


def test_a7_20_a_salesperson_cannot_open_the_queue_or_rule(office: Office) -> None:
    pending = namesake_visit(office)
    client = client_for(office.zhao)
    assert client.get("/sales/disputes/").status_code == 302  # to their own page
    assert client.get("/sales/disputes/mine/").status_code == 200
    page = client.get(f"/sales/disputes/{pending.pk}/")
    assert page.status_code == 200 and "作出最终裁决" not in page.content.decode()
    refused = client.post(f"/sales/disputes/{pending.pk}/", {"kind": "award", "reason": "x"})
    assert refused.status_code == 403
    assert not RulingRecord.objects.exists()


def test_a7_20_another_company_sees_nothing_on_the_pages(office: Office) -> None:
    pending = namesake_visit(office)
    client = client_for(office.chen)
    assert client.get(f"/sales/disputes/{pending.pk}/").status_code == 404
    assert client.post(f"/sales/disputes/{pending.pk}/raise/", {"reason": "x"}).status_code == 404


def test_a7_20_a_salesperson_raises_a_dispute_on_the_page(office: Office) -> None:
    decided = plain_visit(office)
    client = client_for(office.zhao)
    url = f"/sales/disputes/{decided.pk}/raise/"
    assert client.get(url).status_code == 200
    done = client.post(url, {"reason": "客户是我约来的"}, follow=True)
    assert done.status_code == 200 and "异议已提交" in done.content.decode()
    queue = client_for(office.wang).get("/sales/disputes/").content.decode()
    assert "客户是我约来的" in queue


def test_a7_10_pre_registration_pages(office: Office) -> None:
    introducer = old_customer(office, office.li)
    client = client_for(office.li)
    form = client.get("/sales/disputes/preregistrations/new/")
    assert form.status_code == 200 and "王老" in form.content.decode()
    bad = client.post(
        "/sales/disputes/preregistrations/new/",
        {"introducer": introducer.pk, "name": "孙小", "contact": "12345"},
    )
    assert bad.status_code == 400 and "无效" in bad.content.decode()
    done = client.post(
        "/sales/disputes/preregistrations/new/",
        {"introducer": introducer.pk, "name": "孙小", "contact": "13900000041"},
        follow=True,
    )
    assert done.status_code == 200
    text = done.content.decode()
    assert "孙小" in text and "等待来访" in text
    assert PreRegistration.objects.count() == 1
    assert client_for(office.desk).get("/sales/disputes/preregistrations/new/").status_code == 403


# --- API ----------------------------------------------------------------------------------------


def test_a7_20_api_queue_item_and_ruling(office: Office) -> None:
    pending = namesake_visit(office)
    client = client_for(office.wang)
    queue = client.get("/api/v1/sales/disputes/")
    assert queue.status_code == 200
    [item] = queue.json()
    assert item["decision_id"] == pending.pk and item["open"]
    claim = item["claims"][0]
    assert claim["keys"] == ["full_name"] and claim["pending"] and claim["holder_name"] == "李明"
    # ruling
    url = f"/api/v1/sales/disputes/{pending.pk}/ruling"
    done = post_json(client, url, {"kind": "different_customer", "reason": "两个人"})
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["ruling"]["rule_ids"] == ["A7.20"]
    assert "A7.20" in body["decision"]["rule_ids"]
    # a second ruling: 409, bilingual
    again = post_json(client, url, {"kind": "same_customer", "reason": "改判"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "dispute.ruling_final"
    english = client.post(
        url,
        data=json.dumps({"kind": "same_customer", "reason": "x"}),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert "final" in english.json()["error"]["message"]


def test_a7_20_api_award_shares_must_add_up(office: Office) -> None:
    pending = namesake_visit(office)
    client = client_for(office.wang)
    refused = post_json(
        client,
        f"/api/v1/sales/disputes/{pending.pk}/ruling",
        {
            "kind": "award",
            "reason": "协商",
            "owner": {"kind": "salesperson", "salesperson_id": office.li.pk},
            "shares": [
                {"party": {"salesperson_id": office.li.pk}, "percent": "50"},
                {"party": {"kind": "sales_department"}, "percent": "40"},
            ],
        },
    )
    assert (
        refused.status_code == 422 and refused.json()["error"]["code"] == "dispute.shares_invalid"
    )
    assert not RulingRecord.objects.exists()


def test_a7_20_api_a_salesperson_gets_403_an_outsider_404(office: Office) -> None:
    pending = namesake_visit(office)
    seller = client_for(office.zhao)
    assert seller.get("/api/v1/sales/disputes/").status_code == 403
    ruled = post_json(
        seller, f"/api/v1/sales/disputes/{pending.pk}/ruling", {"kind": "award", "reason": "x"}
    )
    assert ruled.status_code == 403
    outsider = client_for(office.chen)
    assert outsider.get(f"/api/v1/sales/disputes/{pending.pk}").status_code == 404
    assert (
        post_json(outsider, f"/api/v1/sales/disputes/{pending.pk}/disputes", {"reason": "x"})
    ).status_code == 404


def test_a7_20_api_dispute_and_mine(office: Office) -> None:
    decided = plain_visit(office)
    client = client_for(office.zhao)
    raised = post_json(client, f"/api/v1/sales/disputes/{decided.pk}/disputes", {"reason": "有误"})
    assert raised.status_code == 201 and raised.json()["reason"] == "有误"
    mine = client.get("/api/v1/sales/disputes/mine").json()
    assert mine[0]["decision_id"] == decided.pk and mine[0]["disputes"][0]["reason"] == "有误"


def test_a7_10_api_pre_registrations(office: Office) -> None:
    introducer = old_customer(office, office.li)
    client = client_for(office.li)
    made = post_json(
        client,
        "/api/v1/sales/disputes/preregistrations/",
        {"introducer_id": introducer.pk, "name": "孙小", "contact": "139 0000 0041"},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["phone_e164"] == "+8613900000041" and body["state"] == "waiting"
    assert body["rule_ids"] == ["A7.10"]
    listed = client.get("/api/v1/sales/disputes/preregistrations/").json()
    assert [r["id"] for r in listed] == [body["id"]]
    bad = post_json(
        client, "/api/v1/sales/disputes/preregistrations/", {"introducer_id": introducer.pk}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "prereg.identity_required"
    outsider = client_for(office.chen)
    assert outsider.get("/api/v1/sales/disputes/preregistrations/").status_code == 403


def test_a7_10_the_pre_registration_list_query_count_does_not_grow(office: Office) -> None:
    from kehu.sales import prereg_services
    from kehu.sales.prereg_services import IntroducedPerson

    introducer = old_customer(office, office.li)

    def add(n: int) -> None:
        prereg_services.preregistration_record(
            actor=office.li,
            introducer_id=introducer.pk,
            person=IntroducedPerson(name=f"孙小{n}", contact=f"1390000005{n}"),
        )

    add(0)
    client = client_for(office.li)
    client.get("/sales/disputes/preregistrations/")
    with CaptureQueriesContext(connection) as one:
        client.get("/sales/disputes/preregistrations/")
    for n in range(1, 4):
        add(n)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/sales/disputes/preregistrations/")
    assert page.content.decode().count("等待来访") == 4
    assert len(four) == len(one)
    # phones are shown masked, like every customer phone
    assert "139****0050" in page.content.decode()
    assert "13900000050" not in page.content.decode()
