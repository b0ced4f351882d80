"""Shared cast and helpers for the registration-book tests; imported by the test_book_* modules.

华东置业's sales office: 李明 and 赵强 are salespeople, 王经理 the sales manager, 杨经理 the project
manager who keeps the book, 前台小周 the front desk, 孙总监 the sales director. 西湖燃气 is another
company with its own sales manager 吴经理 (who must never see 华东置业's book).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales.registration_services import RegisteredVisit, VisitDetails, registration_record

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture(name="pm")
def pm_fixture(cast: Any, east: Company) -> Staff:
    """杨经理, the project manager who keeps the book and confirms registrations (A1.1)."""
    return cast.staff(east, "杨经理", Post.PROJECT_MANAGER)


@pytest.fixture(name="desk")
def desk_fixture(cast: Any, east: Company) -> Staff:
    """前台小周 at the front desk of 华东置业's sales office."""
    return cast.staff(east, "前台小周", Post.RECEPTIONIST)


@pytest.fixture(name="director")
def director_fixture(cast: Any, east: Company) -> Staff:
    """孙总监, the sales director (not a reader of the book, A1.2)."""
    return cast.staff(east, "孙总监", Post.SALES_DIRECTOR)


@pytest.fixture(name="west_manager")
def west_manager_fixture(cast: Any, west: Company) -> Staff:
    """吴经理, a sales manager of 西湖燃气: another company."""
    return cast.staff(west, "吴经理", Post.SALES_MANAGER)


def register(
    staff: Staff,
    *,
    name: str = "张伟",
    phone: str = "13812345678",
    receiver: Staff | None = None,
    customer_id: int | None = None,
    **extra: Any,
) -> RegisteredVisit:
    visited_at = extra.pop("visited_at", None)
    set_owner = extra.pop("set_owner", True)
    details = VisitDetails(customer_name=name, contact=phone, **extra)
    return registration_record(
        staff=staff,
        details=details,
        receiver=receiver,
        customer_id=customer_id,
        visited_at=visited_at,
        set_owner=set_owner,
    )
