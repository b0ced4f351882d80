"""Shared cast and helpers for the channel, pool and alert tests (test_channel_*, test_pool_*,
test_alert_*).

华东置业's sales office: 杨经理 the project manager keeps the channel list, 前台小周 enters reports
for agents, 李明 and 赵强 are salespeople, 王经理 the sales manager. 安家房产's agents 马骏 and
邓丽 report customers. 西湖燃气's sales manager 吴经理 is an outsider.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.core.policy.services import policy_version_create
from kehu.sales.channel_services import channel_agent_add, channel_company_add
from kehu.sales.models.channel import ChannelAgent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc, arg-type]


@pytest.fixture(name="pm")
def pm_fixture(cast: Any, east: Company) -> Staff:
    """杨经理, the project manager who keeps the channel list."""
    return cast.staff(east, "杨经理", Post.PROJECT_MANAGER)


@pytest.fixture(name="desk")
def desk_fixture(cast: Any, east: Company) -> Staff:
    """前台小周 at the front desk, who enters reports on the agents' behalf."""
    return cast.staff(east, "前台小周", Post.RECEPTIONIST)


@pytest.fixture(name="director")
def director_fixture(cast: Any, east: Company) -> Staff:
    return cast.staff(east, "孙总监", Post.SALES_DIRECTOR)


@pytest.fixture(name="west_manager")
def west_manager_fixture(cast: Any, west: Company) -> Staff:
    """吴经理, a sales manager of 西湖燃气: another company."""
    return cast.staff(west, "吴经理", Post.SALES_MANAGER)


@pytest.fixture(name="agents")
def agents_fixture(pm: Staff) -> tuple[ChannelAgent, ChannelAgent]:
    """马骏 and 邓丽 of 安家房产."""
    anjia = channel_company_add(actor=pm, name="安家房产", contact_person="孔经理")
    return (
        channel_agent_add(actor=pm, channel_id=anjia.pk, name="马骏", phone="13700007001"),
        channel_agent_add(actor=pm, channel_id=anjia.pk, name="邓丽", phone="13700007002"),
    )


def set_sales_policy(company: Company, cast: Any, values: dict[str, Any]) -> None:
    """The sales director saves a version of the sales policy in force from a minute ago."""
    director = cast.staff(company, "政策总监", Post.SALES_DIRECTOR)
    policy_version_create(
        staff=director,
        key="sales",
        values=values,
        effective_from=timezone.now() - dt.timedelta(minutes=1),
        note="测试",
        allow_backdate=True,
    )
