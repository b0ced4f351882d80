"""The calendar's extra cast: 华东置业's system administrator, who may edit the company calendar
(the only post holding ``calendar.add_calendaroverride``), and 西湖燃气's."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post


@pytest.fixture
def sun(cast: Any, east: Company) -> Staff:
    """孙工, system administrator of 华东置业."""
    return cast.staff(east, "孙工", Post.SYSTEM_ADMIN)


@pytest.fixture
def zhou(cast: Any, west: Company) -> Staff:
    """周工, system administrator of 西湖燃气."""
    return cast.staff(west, "周工", Post.SYSTEM_ADMIN)


# TEST DATA — a made-up 2027 arrangement for these tests only. It is NOT the State Council's
# 2027 holiday arrangement (which had not been published when these tests were written).
# 2027-01-01 is a Friday, 2027-02-06 a Saturday, 2027-02-13 a Saturday.
EXAMPLE_2027 = """\
# 测试数据：虚构的 2027 年安排，仅供测试，不是国务院公布的 2027 年节假日安排
2027-01-01 休 元旦（测试数据）
2027-02-06 休 春节（测试数据）
2027-02-07 休 春节（测试数据）
2027-02-08 休 春节（测试数据）
2027-02-09 休 春节（测试数据）
2027-02-10 休 春节（测试数据）
2027-02-11 休 春节（测试数据）
2027-02-12 休 春节（测试数据）
2027-02-13 班 春节调休（测试数据）
"""


@pytest.fixture
def example_2027() -> str:
    """The made-up 2027 arrangement above, as lines to paste."""
    return EXAMPLE_2027
