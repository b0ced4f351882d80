"""Customers-test fixtures: a front-desk clerk without phone-reveal rights, and a factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kehu.core.customers.models import Customer
from kehu.core.customers.services import customer_create
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post

MakeCustomer = Callable[..., Customer]


@pytest.fixture
def qian(cast: Any, east: Company) -> Staff:
    """钱, 华东置业's front-desk clerk (案场前台): may register customers, may not reveal phones."""
    return cast.staff(east, "钱前台", Post.RECEPTIONIST)


@pytest.fixture
def make_customer() -> MakeCustomer:
    """``make_customer(li, name="张三", phones=["13800138000"], owner=li)``."""

    def make(staff: Staff, *, owner: Staff | None = None, **data: Any) -> Customer:
        return customer_create(staff=staff, data=data, owner=owner)

    return make
