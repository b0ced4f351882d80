"""The customer pages: live search, masked phones, audited "显示", clear form errors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.customers.models import Customer
from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db

LIST = "/customers/"
PHONE = "13812341234"
ID_NUMBER = "11010519491231002X"
HTMX = {"HX-Request": "true"}


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


@pytest.fixture
def zhang(li: Staff, make_customer: MakeCustomer) -> Customer:
    return make_customer(li, owner=li, name="张三", phones=[PHONE], id_number=ID_NUMBER)


class TestList:
    def test_list_masks_phones_and_offers_live_search(self, li: Staff, zhang: Customer) -> None:
        response = as_staff(li).get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "张三" in html and "138****1234" in html
        assert PHONE not in html
        assert 'hx-get="/customers/"' in html and "delay:" in html
        assert "<html" in html  # the whole page, extending base.html

    def test_htmx_search_returns_only_the_results(self, li: Staff, zhang: Customer) -> None:
        response = as_staff(li).get(LIST, {"q": "zs"}, headers=HTMX)
        html = response.content.decode()
        assert "张三" in html and "<html" not in html
        miss = as_staff(li).get(LIST, {"q": "wangwu"}, headers=HTMX).content.decode()
        assert "张三" not in miss and "没有找到匹配的客户" in miss

    def test_other_company_sees_an_empty_list(self, chen: Staff, zhang: Customer) -> None:
        html = as_staff(chen).get(LIST).content.decode()
        assert "张三" not in html
        found = as_staff(chen).get(LIST, {"q": "张三"}, headers=HTMX).content.decode()
        assert "张三" not in found and "没有找到匹配的客户" in found

    def test_salesperson_does_not_see_a_colleagues_customer(
        self, zhao: Staff, zhang: Customer
    ) -> None:
        assert "张三" not in as_staff(zhao).get(LIST).content.decode()

    def test_login_required(self) -> None:
        response = Client().get(LIST)
        assert response.status_code == 302
        assert "/login/" in response["Location"]

    def test_no_n_plus_one(self, wang: Staff, make_customer: MakeCustomer) -> None:
        """The page costs the same number of queries for 2 customers as for 12."""
        client = as_staff(wang)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(LIST).status_code == 200
            return len(queries)

        for i in range(2):
            make_customer(
                wang,
                name=f"客户{i}",
                phones=["1380000000" + str(i), "010-1234567" + str(i)],
                owner=wang,
            )
        few = count()
        for i in range(2, 12):
            make_customer(wang, name=f"客户{i}", phones=[f"138000000{i:02d}"], owner=wang)
        assert count() == few


class TestDetail:
    def test_detail_is_masked_with_reveal_buttons(self, li: Staff, zhang: Customer) -> None:
        html = as_staff(li).get(f"/customers/{zhang.pk}/").content.decode()
        assert "138****1234" in html and PHONE not in html
        assert "110105********002X" in html and ID_NUMBER not in html
        assert "hx-post" in html and "显示" in html

    def test_outsider_gets_404(self, chen: Staff, zhang: Customer) -> None:
        assert as_staff(chen).get(f"/customers/{zhang.pk}/").status_code == 404

    def test_family_and_batch_are_shown(
        self, li: Staff, zhang: Customer, make_customer: MakeCustomer
    ) -> None:
        import datetime as dt

        from kehu.core.customers.services import family_link_add, visit_batch_create

        wife = make_customer(li, owner=li, name="王芳")
        friend = make_customer(li, owner=li, name="赵六")
        family_link_add(staff=li, customer_id=zhang.pk, relative_id=wife.pk, relation="spouse")
        visit_batch_create(
            staff=li, visit_date=dt.date(2026, 5, 1), customer_ids=[zhang.pk, friend.pk]
        )
        html = as_staff(li).get(f"/customers/{zhang.pk}/").content.decode()
        assert "配偶" in html and "王芳" in html
        assert "2026-05-01" in html and "赵六" in html


class TestReveal:
    def test_show_button_swaps_in_the_number_after_an_audited_reveal(
        self, li: Staff, zhang: Customer
    ) -> None:
        phone = zhang.phones.get()
        response = as_staff(li).post(
            f"/customers/{zhang.pk}/phones/{phone.pk}/reveal/", headers=HTMX
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert PHONE in html and f'id="phone-{phone.pk}"' in html
        event = AuditEvent.objects.get(action=AuditAction.FIELD_REVEAL)
        assert (event.actor, event.object_id, event.detail["field"]) == (
            li.user,
            str(zhang.pk),
            "phone",
        )

    def test_reveal_requires_post(self, li: Staff, zhang: Customer) -> None:
        phone = zhang.phones.get()
        response = as_staff(li).get(f"/customers/{zhang.pk}/phones/{phone.pk}/reveal/")
        assert response.status_code == 405
        assert not AuditEvent.objects.filter(action=AuditAction.FIELD_REVEAL).exists()

    def test_front_desk_is_refused_and_the_attempt_audited(
        self, qian: Staff, make_customer: MakeCustomer
    ) -> None:
        customer = make_customer(qian, name="张三", phones=[PHONE])
        phone = customer.phones.get()
        client = as_staff(qian)
        assert "hx-post" not in client.get(f"/customers/{customer.pk}/").content.decode()
        url = f"/customers/{customer.pk}/phones/{phone.pk}/reveal/"
        htmx = client.post(url, headers=HTMX)
        assert htmx.status_code == 200  # htmx swaps only 2xx: the refusal is shown in place
        assert PHONE not in htmx.content.decode() and "无权" in htmx.content.decode()
        plain = client.post(url)
        assert plain.status_code == 403
        denied = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
        assert denied.count() == 2
        assert all(e.outcome == AuditOutcome.DENIED for e in denied)

    def test_outsider_reveal_is_404(self, chen: Staff, zhang: Customer) -> None:
        phone = zhang.phones.get()
        response = as_staff(chen).post(f"/customers/{zhang.pk}/phones/{phone.pk}/reveal/")
        assert response.status_code == 404

    def test_id_number_reveal_for_the_sales_manager(self, wang: Staff, zhang: Customer) -> None:
        response = as_staff(wang).post(f"/customers/{zhang.pk}/id-number/reveal/", headers=HTMX)
        assert ID_NUMBER in response.content.decode()
        assert AuditEvent.objects.filter(
            action=AuditAction.FIELD_REVEAL, detail__field="id_number"
        ).exists()


class TestCreate:
    def test_form_creates_and_redirects(self, li: Staff) -> None:
        response = as_staff(li).post(
            "/customers/new/",
            {"kind": "person", "name": "李雷", "phone": "139 1234 5678", "plate": "京A·12345"},
        )
        assert response.status_code == 302
        customer = Customer.objects.get(name="李雷")
        assert response["Location"] == f"/customers/{customer.pk}/"
        assert customer.phones.get().e164 == "+8613912345678"

    def test_bad_phone_is_explained_next_to_the_field(self, li: Staff) -> None:
        response = as_staff(li).post(
            "/customers/new/", {"kind": "person", "name": "李雷", "phone": "1391234567"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "位数不对" in html and "现在是 10 位" in html
        assert not Customer.objects.exists()

    def test_empty_form_asks_for_a_name_or_phone(self, li: Staff) -> None:
        response = as_staff(li).post("/customers/new/", {"kind": "person"})
        assert "请至少填写客户姓名或一个联系电话" in response.content.decode()

    def test_form_page_renders(self, li: Staff) -> None:
        html = as_staff(li).get("/customers/new/").content.decode()
        assert "登记客户" in html and "csrfmiddlewaretoken" in html
