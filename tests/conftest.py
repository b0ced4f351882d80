"""Shared fixtures: a named cast in two companies, so every test can say who does what."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from hypothesis import settings

from kehu.core.org.models import Company, CompanyGroup, CompanyKind, Department, Site, Staff
from kehu.core.org.posts import Post
from kehu.core.org.services import staff_assign_post_group

# No hypothesis deadline anywhere: its per-example time limit (200 ms) is a timing assertion,
# and examples that write to the database failed it on a loaded CI machine. A test's own
# ``@settings`` still sets its number of examples; ``deadline`` set there overrides this.
settings.register_profile("kehu", deadline=None)
settings.load_profile("kehu")


class Cast:
    """Factory for companies and staff with readable defaults."""

    def __init__(self) -> None:
        self.group = CompanyGroup.objects.create(name="测试集团")
        self._users = 0

    def company(self, code: str, name: str, kind: str = CompanyKind.REAL_ESTATE) -> Company:
        return Company.objects.create(group=self.group, code=code, name=name, kind=kind)

    def staff(self, company: Company, name: str, post: str, **extra: object) -> Staff:
        self._users += 1
        user = get_user_model().objects.create_user(
            username=f"user{self._users}", password="kehu-test-pass-2026"
        )
        site = extra.pop("site", None)
        if site is None:
            site, _ = Site.objects.get_or_create(
                company=company, name=f"{company.name}项目", defaults={"kind": "sales_office"}
            )
        department = extra.pop("department", None)
        if department is None:
            department, _ = Department.objects.get_or_create(company=company, name="营销部")
        staff = Staff.objects.create(
            company=company,
            user=user,
            name=name,
            post=post,
            site=site,
            department=department,
            **extra,  # type: ignore[arg-type]
        )
        staff_assign_post_group(staff=staff)
        return staff


@pytest.fixture
def cast(db: None) -> Cast:
    return Cast()


@pytest.fixture
def east(cast: Cast) -> Company:
    """华东置业: the real-estate company most tests happen in."""
    return cast.company("huadong", "华东置业")


@pytest.fixture
def west(cast: Cast) -> Company:
    """西湖燃气: another company in the group that must never see 华东置业's data."""
    return cast.company("xihu-gas", "西湖燃气", CompanyKind.GAS)


@pytest.fixture
def wang(cast: Cast, east: Company) -> Staff:
    """王经理, the sales manager of 华东置业."""
    return cast.staff(east, "王经理", Post.SALES_MANAGER)


@pytest.fixture
def li(cast: Cast, east: Company) -> Staff:
    """李, a salesperson of 华东置业."""
    return cast.staff(east, "李明", Post.SALESPERSON)


@pytest.fixture
def zhao(cast: Cast, east: Company) -> Staff:
    """赵, another salesperson of 华东置业."""
    return cast.staff(east, "赵强", Post.SALESPERSON)


@pytest.fixture
def chen(cast: Cast, west: Company) -> Staff:
    """客服小陈, customer service at 西湖燃气 (an outsider to 华东置业)."""
    return cast.staff(west, "陈小", Post.CUSTOMER_SERVICE)


@pytest.fixture(autouse=True)
def _chinese_after_each_test() -> Iterator[None]:
    """A test that asks for an English page leaves English active in this thread; put the
    default (Chinese) back so the next test starts where a user starts."""
    yield
    translation.deactivate()
