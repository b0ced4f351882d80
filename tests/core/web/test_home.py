"""The home page: each post sees its own work queues; a login without staff is sent to /admin/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kehu.core.org.models import Company, CompanyKind, Staff
from kehu.core.org.posts import Post
from kehu.core.web import queues as queues_module
from kehu.core.web.queues import (
    KIND_POST_QUEUES,
    POST_QUEUES,
    queue_counter,
    queues_for_post,
)

from .conftest import login_staff

pytestmark = pytest.mark.django_db


def test_every_post_has_a_row_in_the_queue_table() -> None:
    assert set(POST_QUEUES) == {str(p) for p in Post}
    keys = [q.key for queues in POST_QUEUES.values() for q in queues]
    keys += [q.key for queues in KIND_POST_QUEUES.values() for q in queues]
    # One definition per key: the same key never names two different queues.
    by_key: dict[str, str] = {}
    for queues in [*POST_QUEUES.values(), *KIND_POST_QUEUES.values()]:
        for q in queues:
            assert by_key.setdefault(q.key, str(q.label)) == str(q.label)


def test_salesperson_sees_their_queues_with_zero_counts(client: Client, li: Staff) -> None:
    # Given 李 the salesperson logs in
    login_staff(client, li)
    # When the home page opens
    response = client.get("/")
    html = response.content.decode()
    # Then it greets 李 with the post and shows the salesperson's queues, empty for now
    assert response.status_code == 200
    assert "李明，您好" in html
    assert "售楼员" in html and "华东置业" in html
    for label in ("今日接待", "待登记客户", "待跟进客户"):
        assert label in html
    assert html.count("暂无") == 3
    assert 'class="tag rule-id">A1.1<' in html
    # And the sales manager's queues are not there
    assert "撞单待裁决" not in html


def test_sales_manager_sees_different_queues(client: Client, wang: Staff) -> None:
    login_staff(client, wang)
    html = client.get("/").content.decode()
    assert "撞单待裁决" in html and "客户登记本" in html
    assert "今日接待" not in html


def test_the_same_post_works_differently_per_company_kind(cast, east: Company) -> None:  # type: ignore[no-untyped-def]
    property_co = cast.company("wuye", "某物业", CompanyKind.PROPERTY)
    gas_co = cast.company("ranqi", "某燃气", CompanyKind.GAS)
    assert [
        q.label for q in queues_for_post(post=Post.REPAIRMAN, company_kind=property_co.kind)
    ] == ["待处理报修"]
    assert "被抽查记录" in [
        q.label for q in queues_for_post(post=Post.REPAIRMAN, company_kind=gas_co.kind)
    ]


def test_an_app_fills_a_queue_by_registering_a_counter(
    client: Client, li: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the sales app counts 李's registrations due (here: a stand-in counter)
    monkeypatch.setattr(queues_module, "_COUNTERS", {})
    queue_counter("sales.registrations_due")(lambda staff: 3 if staff.pk == li.pk else 0)
    login_staff(client, li)
    html = client.get("/").content.decode()
    # Then the home page shows the count, and only the other two queues say 暂无
    assert 'data-queue="sales.registrations_due"' in html
    assert '<span class="queue-count">3</span>' in html
    assert html.count("暂无") == 2


def test_nav_follows_permissions(client: Client, li: Staff, wang: Staff) -> None:
    # 售楼员 may read customers but not the policy settings or the ledger check
    login_staff(client, li)
    html = client.get("/").content.decode()
    assert 'href="/customers/"' in html and 'href="/calendar/"' in html
    assert 'href="/policy/"' not in html and 'href="/ledger/"' not in html
    client.post("/logout/")
    # 销售经理 may do all four
    login_staff(client, wang)
    html = client.get("/").content.decode()
    for path in ("/customers/", "/policy/", "/calendar/", "/ledger/"):
        assert f'href="{path}"' in html


def test_superuser_without_staff_is_pointed_to_admin(client: Client) -> None:
    get_user_model().objects.create_superuser("root", "root@example.cn", "kehu-root-pass-2026")
    client.post("/login/", {"username": "root", "password": "kehu-root-pass-2026"})
    html = client.get("/").content.decode()
    assert "此账户没有关联员工档案" in html
    assert 'href="/admin/"' in html


def test_home_page_in_english(client: Client, li: Staff) -> None:
    login_staff(client, li)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Hello, 李明" in html
    assert "Salesperson" in html
    assert "Customers to register" in html
    assert "Nothing yet" in html
