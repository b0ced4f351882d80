"""`kehu demo`: the demo organisation, its logins, and idempotence."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import Client

from kehu.core.org.demo import (
    COMPANIES,
    DEMO_PASSWORD,
    STAFF,
    DemoOrg,
    app_demo_loaders,
    demo_load,
    demo_logins,
)
from kehu.core.org.models import Company, CompanyGroup, CompanyKind, Department, Site, Staff, Team
from kehu.core.org.posts import Post
from kehu.core.web.queues import queues_for_post

pytestmark = pytest.mark.django_db

MODELS = (CompanyGroup, Company, Site, Department, Team, Staff, Group)


def counts() -> dict[str, int]:
    result = {m.__name__: m.objects.count() for m in MODELS}
    result["User"] = get_user_model().objects.count()
    return result


def test_demo_has_five_companies_of_each_kind_and_the_required_posts() -> None:
    org, _ = demo_load()
    assert org.group.name == "华景控股集团"
    assert {c.kind for c in org.companies.values()} == set(CompanyKind.values)
    by_company = {
        code: sorted(str(s.post) for s in org.staff.values() if s.company.code == code)
        for code in org.companies
    }
    assert by_company["huajing-estate"].count(Post.SALESPERSON) == 4
    assert {
        Post.RECEPTIONIST,
        Post.PROJECT_MANAGER,
        Post.SALES_MANAGER,
        Post.SALES_DIRECTOR,
    } <= set(by_company["huajing-estate"])
    assert {Post.CUSTOMER_SERVICE, Post.SUPERVISOR, Post.MANAGER, Post.REPAIRMAN} <= set(
        by_company["huajing-property"]
    )
    gas_posts = {
        Post.HOTLINE_OPERATOR, Post.AUDITOR, Post.SAFETY_INSPECTOR, Post.REPAIRMAN,
        Post.BUSINESS_CLERK, Post.CUSTOMER_MANAGER, Post.TEAM_LEADER, Post.SUPERVISOR,
        Post.DEPUTY_MANAGER, Post.MANAGER, Post.GENERAL_MANAGER, Post.HR,
    }  # fmt: skip
    assert gas_posts <= set(by_company["huajing-gas"])
    assert {Post.POWER_INSPECTOR, Post.MANAGER} <= set(by_company["huajing-power"])
    assert {Post.DRIVER, Post.FLEET_LEADER, Post.DEPARTMENT_HEAD} <= set(
        by_company["huajing-logistics"]
    )
    assert Site.objects.get(company=org.companies["huajing-estate"]).kind == "sales_office"


def test_supervisor_chains_stay_in_the_company_and_end_at_the_top() -> None:
    org, _ = demo_load()
    for staff in org.staff.values():
        seen = set()
        boss = staff.supervisor
        while boss is not None:
            assert boss.company_id == staff.company_id
            assert boss.pk not in seen  # no loops
            seen.add(boss.pk)
            boss = boss.supervisor
    salesperson = org.staff["sales.li"]
    chain = []
    boss = salesperson.supervisor
    while boss is not None:
        chain.append(boss.post)
        boss = boss.supervisor
    assert chain == [Post.PROJECT_MANAGER, Post.SALES_MANAGER, Post.SALES_DIRECTOR]


def test_users_are_in_their_posts_permission_group() -> None:
    org, _ = demo_load()
    for staff in org.staff.values():
        assert [g.name for g in staff.user.groups.all()] == [staff.post]
    # The post's permissions come with the group (where the app defining them is installed).
    if Permission.objects.filter(
        content_type__app_label="customers", codename="view_all_customers"
    ).exists():
        assert org.staff["salesmgr.zhao"].user.has_perm("customers.view_all_customers")
        assert not org.staff["sales.li"].user.has_perm("customers.view_all_customers")


def test_loading_twice_changes_nothing() -> None:
    demo_load()
    before = counts()
    hashes = dict(get_user_model().objects.values_list("username", "password"))
    demo_load()
    assert counts() == before
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes


def test_command_prints_the_same_logins_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEHU_DEMO", "1")
    first, second = io.StringIO(), io.StringIO()
    call_command("demo", stdout=first)
    call_command("demo", stdout=second)
    assert first.getvalue() == second.getvalue()
    out = first.getvalue()
    for line in (
        "sales.li",
        "hotline.zheng",
        "driver.luo",
        "admin",
        DEMO_PASSWORD,
        "华景燃气有限公司",
    ):
        assert line in out
    # one login per post in each company
    pairs = {(p.company, p.post) for p in STAFF}
    assert len(demo_logins(demo_load()[0])) == len(pairs) + 1


def test_command_refuses_a_production_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEHU_DEMO", raising=False)
    with pytest.raises(CommandError, match="KEHU_DEMO=1"):
        call_command("demo", stdout=io.StringIO())
    assert not CompanyGroup.objects.filter(name="华景控股集团").exists()


def test_demo_password_passes_the_validators_and_usernames_are_ascii() -> None:
    demo_load()
    for person in STAFF:
        assert person.username.isascii()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert not Staff.objects.filter(user=admin).exists()


def test_every_demo_login_reaches_its_home_page() -> None:
    org: DemoOrg = demo_load()[0]
    for person in STAFF:
        client = Client()
        # When each demo user logs in through the login form
        response = client.post("/login/", {"username": person.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, person.username
        # Then their home page opens and shows their post and their post's queues
        response = client.get(response["Location"])
        html = response.content.decode()
        assert response.status_code == 200, person.username
        staff = org.staff[person.username]
        assert staff.name in html and staff.get_post_display() in html
        queues = queues_for_post(post=staff.post, company_kind=staff.company.kind)
        assert queues, f"{person.username} has no queues"
        for queue in queues:
            assert f'data-queue="{queue.key}"' in html
            assert str(queue.label) in html


def test_admin_can_open_the_admin_site() -> None:
    demo_load()
    client = Client()
    client.post("/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_app_demo_loaders_are_discovered_from_kehu_apps_only() -> None:
    labels = [label for label, _ in app_demo_loaders()]
    assert "org" not in labels
    assert all(not label.startswith(("auth", "admin", "axes")) for label in labels)
    assert len(COMPANIES) == 5
