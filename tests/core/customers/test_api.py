"""/api/v1/customers/: masked by default, audited reveals, and outsiders see nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.customers.models import Customer
from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db

BASE = "/api/v1/customers"
LIST = BASE + "/"
PHONE = "13812341234"
ID_NUMBER = "11010519491231002X"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def zhang(li: Staff, make_customer: MakeCustomer) -> Customer:
    """张三, 李明's customer, with a phone, a car and an ID number."""
    return make_customer(
        li,
        owner=li,
        name="张三",
        phones=[PHONE],
        car_brand="宝马",
        plate="京A·12345",
        id_number=ID_NUMBER,
    )


class TestReadMasked:
    def test_list_shows_masked_phones_only(self, li: Staff, zhang: Customer) -> None:
        response = as_staff(li).get(LIST, {"q": "zs"})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1 and body["page"] == 1
        [item] = body["items"]
        assert item["name"] == "张三"
        assert item["phones"][0]["masked"] == "138****1234"
        assert PHONE not in response.content.decode()
        assert item["owner"] == {"id": li.pk, "name": "李明"}

    def test_detail_never_contains_the_full_phone_or_id_number(
        self, li: Staff, zhang: Customer
    ) -> None:
        response = as_staff(li).get(f"{BASE}/{zhang.pk}")
        assert response.status_code == 200
        text = response.content.decode()
        assert PHONE not in text and ID_NUMBER not in text
        assert response.json()["id_number_masked"] == "110105********002X"

    def test_pagination(self, wang: Staff, make_customer: MakeCustomer) -> None:
        for i in range(3):
            make_customer(wang, name=f"客户{i}")
        body = as_staff(wang).get(LIST, {"page": 2, "page_size": 2}).json()
        assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (3, 2, 2, 1)

    def test_search_by_phone_in_another_format(self, li: Staff, zhang: Customer) -> None:
        body = as_staff(li).get(LIST, {"q": "+86 138-1234-1234"}).json()
        assert [c["id"] for c in body["items"]] == [zhang.pk]


class TestOutsiders:
    def test_other_company_list_is_empty_and_detail_is_404(
        self, chen: Staff, zhang: Customer
    ) -> None:
        client = as_staff(chen)
        assert client.get(LIST).json()["items"] == []
        assert client.get(LIST, {"q": PHONE}).json()["count"] == 0
        response = client.get(f"{BASE}/{zhang.pk}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "customers.not_found"

    def test_other_company_cannot_reveal_or_link(self, chen: Staff, zhang: Customer) -> None:
        client = as_staff(chen)
        phone_id = zhang.phones.get().pk
        assert post(client, f"{BASE}/{zhang.pk}/phones/{phone_id}/reveal").status_code == 404
        assert post(client, f"{BASE}/{zhang.pk}/id-number/reveal").status_code == 404
        assert client.get(f"{BASE}/{zhang.pk}/family").status_code == 404
        assert client.get(f"{BASE}/{zhang.pk}/batches").status_code == 404
        assert (
            post(client, f"{BASE}/{zhang.pk}/phones", {"phone": "13900000000"}).status_code == 404
        )
        assert not AuditEvent.objects.filter(action=AuditAction.FIELD_REVEAL).exists()

    def test_colleague_gets_404_not_403(self, zhao: Staff, zhang: Customer) -> None:
        assert as_staff(zhao).get(f"{BASE}/{zhang.pk}").status_code == 404

    def test_match_does_not_cross_companies(self, chen: Staff, zhang: Customer) -> None:
        assert as_staff(chen).get(f"{BASE}/match", {"phone": PHONE}).json() == []

    def test_unauthenticated_gets_401(self, zhang: Customer) -> None:
        client = Client()
        assert client.get(LIST).status_code == 401
        assert client.get(f"{BASE}/{zhang.pk}").status_code == 401
        assert post(client, f"{BASE}/{zhang.pk}/id-number/reveal").status_code == 401


class TestCreate:
    def test_create_returns_masked_customer(self, li: Staff) -> None:
        response = post(
            as_staff(li),
            LIST,
            {"name": "李雷", "phones": ["+86 139 1234 5678"], "id_number": ID_NUMBER},
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["phones"][0]["masked"] == "139****5678"
        assert ID_NUMBER not in response.content.decode()
        assert body["created_by"]["id"] == li.pk

    def test_bad_phone_is_explained_in_chinese(self, li: Staff) -> None:
        response = post(as_staff(li), LIST, {"name": "李雷", "phones": ["1391234567"]})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "customers.phone_invalid"
        assert "现在是 10 位" in error["message"]

    def test_english_message_on_request(self, li: Staff) -> None:
        response = as_staff(li).post(
            LIST, {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400
        assert response.json()["error"]["message"].startswith("Give at least")


class TestMatch:
    def test_match_names_the_keys_and_the_rule(self, zhao: Staff, zhang: Customer) -> None:
        """A7.4: 赵 may not open 李's customer, but learns it is already registered, and why."""
        response = as_staff(zhao).get(
            f"{BASE}/match", {"name": "张三丰", "plate": "京A12345", "brand": "BMW"}
        )
        assert response.status_code == 200
        [match] = response.json()
        assert match["customer_id"] == zhang.pk
        assert match["keys"] == ["car_plate_surname"]
        assert match["keys_zh"] == ["车辆品牌+车牌号+姓氏"]
        assert match["rule_ids"] == ["A7.4"]
        assert match["needs_confirmation"] is False
        assert match["owner"]["name"] == "李明"
        assert PHONE not in response.content.decode()

    def test_full_name_only_needs_confirmation(self, zhao: Staff, zhang: Customer) -> None:
        [match] = as_staff(zhao).get(f"{BASE}/match", {"name": "张 三"}).json()
        assert match["keys"] == ["full_name"]
        assert match["needs_confirmation"] is True
        assert match["rule_ids"] == ["A7.4", "A7.20"]


class TestReveal:
    def test_phone_reveal_returns_the_number_and_audits(self, li: Staff, zhang: Customer) -> None:
        phone_id = zhang.phones.get().pk
        response = post(as_staff(li), f"{BASE}/{zhang.pk}/phones/{phone_id}/reveal")
        assert response.status_code == 200
        assert response.json()["phone"] == "+86" + PHONE
        event = AuditEvent.objects.get(action=AuditAction.FIELD_REVEAL)
        assert (event.actor, event.object_id, event.detail["field"]) == (
            li.user,
            str(zhang.pk),
            "phone",
        )

    def test_id_reveal_denied_for_salesperson_is_audited_once(
        self, li: Staff, zhang: Customer
    ) -> None:
        response = post(as_staff(li), f"{BASE}/{zhang.pk}/id-number/reveal")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "customers.reveal_denied"
        assert ID_NUMBER not in response.content.decode()
        [event] = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
        assert (event.object_id, event.detail["field"]) == (str(zhang.pk), "id_number")

    def test_id_reveal_for_sales_manager(self, wang: Staff, zhang: Customer) -> None:
        response = post(as_staff(wang), f"{BASE}/{zhang.pk}/id-number/reveal")
        assert response.status_code == 200
        assert response.json()["id_number"] == ID_NUMBER


class TestFamilyAndBatches:
    def test_family_link_round_trip(
        self, li: Staff, zhang: Customer, make_customer: MakeCustomer
    ) -> None:
        wife = make_customer(li, owner=li, name="王芳")
        client = as_staff(li)
        response = post(
            client, f"{BASE}/{zhang.pk}/family", {"relative_id": wife.pk, "relation": "spouse"}
        )
        assert response.status_code == 201, response.content
        assert response.json()["relation_label"] == "配偶"
        [link] = client.get(f"{BASE}/{wife.pk}/family").json()
        assert (link["relative_id"], link["relation"]) == (zhang.pk, "spouse")

    def test_unknown_relation_is_a_validation_error(self, li: Staff, zhang: Customer) -> None:
        response = post(
            as_staff(li), f"{BASE}/{zhang.pk}/family", {"relative_id": 1, "relation": "cousin"}
        )
        assert response.status_code == 422

    def test_batch_round_trip(
        self, li: Staff, zhang: Customer, make_customer: MakeCustomer
    ) -> None:
        friend = make_customer(li, owner=li, name="赵六")
        client = as_staff(li)
        response = post(
            client,
            f"{BASE}/batches",
            {"visit_date": "2026-05-01", "customer_ids": [zhang.pk, friend.pk], "note": "同事"},
        )
        assert response.status_code == 201, response.content
        batch = response.json()
        assert batch["member_count"] == 2
        assert {m["name"] for m in batch["members"]} == {"张三", "赵六"}
        assert [b["id"] for b in client.get(f"{BASE}/{friend.pk}/batches").json()] == [batch["id"]]
        assert client.get(f"{BASE}/batches/{batch['id']}").status_code == 200

    def test_outsider_cannot_read_a_batch(
        self, li: Staff, chen: Staff, zhang: Customer, make_customer: MakeCustomer
    ) -> None:
        friend = make_customer(li, owner=li, name="赵六")
        batch = post(
            as_staff(li),
            f"{BASE}/batches",
            {"visit_date": "2026-05-01", "customer_ids": [zhang.pk, friend.pk]},
        ).json()
        assert as_staff(chen).get(f"{BASE}/batches/{batch['id']}").status_code == 404


class TestUpdateAndSchema:
    def test_patch_changes_details_and_keys(self, li: Staff, zhang: Customer) -> None:
        response = as_staff(li).patch(
            f"{BASE}/{zhang.pk}", {"plate": "沪B·99999"}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["plate"] == "沪B·99999"
        zhang.refresh_from_db()
        assert zhang.plate_key == "沪B99999"

    def test_patch_by_a_colleague_is_404(self, zhao: Staff, zhang: Customer) -> None:
        response = as_staff(zhao).patch(
            f"{BASE}/{zhang.pk}", {"name": "改名"}, content_type="application/json"
        )
        assert response.status_code == 404

    def test_add_phone(self, li: Staff, zhang: Customer) -> None:
        response = post(as_staff(li), f"{BASE}/{zhang.pk}/phones", {"phone": "0571-88886666"})
        assert response.status_code == 201
        assert response.json()["masked"] == "0571****6666"

    def test_openapi_lists_the_customer_endpoints(self, li: Staff) -> None:
        paths = as_staff(li).get("/api/v1/openapi.json").json()["paths"]
        assert "/api/v1/customers/match" in paths
        assert "/api/v1/customers/{customer_id}/phones/{phone_id}/reveal" in paths


def test_match_follows_the_company_identity_policy(client, east, wang, li) -> None:  # type: ignore[no-untyped-def]
    """Reading (Part S Identity): a full-name-only match needs the sales manager's confirmation
    by default; with ``identity.full_name_alone = decides`` it decides on its own (A7.4)."""
    import datetime as dt

    from django.utils import timezone

    from kehu.core.customers.services import customer_create
    from kehu.core.policy.models import PolicyVersion

    customer_create(staff=wang, data={"name": "张三", "phones": ["13800000001"]})
    client.force_login(li.user)
    body = client.get("/api/v1/customers/match", {"name": "张三"}).json()
    assert body[0]["keys"] == ["full_name"] and body[0]["needs_confirmation"] is True

    PolicyVersion.objects.create(
        company=east,
        key="identity",
        version=1,
        effective_from=timezone.now() - dt.timedelta(minutes=1),
        data={"full_name_alone": "decides"},
        note="同名即同一客户（测试）",
        created_by=wang,
    )
    body = client.get("/api/v1/customers/match", {"name": "张三"}).json()
    assert body[0]["needs_confirmation"] is False
