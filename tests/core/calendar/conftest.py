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
