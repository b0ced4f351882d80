"""The policy tests' extra cast: the people allowed to change policies, and a clock.

王经理 (sales manager, ``wang``) may read policies but not change them; 刘总 the general manager
of 华东置业 and 周总 of 西湖燃气 may change their own company's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from kehu.core.org.models import Company, CompanyKind, Staff
from kehu.core.org.posts import Post
from kehu.core.policy import registry

from .support import MORNING


@pytest.fixture
def liu(cast: Any, east: Company) -> Staff:
    """刘总, general manager of 华东置业: may change its policies."""
    return cast.staff(east, "刘总", Post.GENERAL_MANAGER)


@pytest.fixture
def zhou(cast: Any, west: Company) -> Staff:
    """周总, general manager of 西湖燃气: may change 西湖燃气's policies, never 华东置业's."""
    return cast.staff(west, "周总", Post.GENERAL_MANAGER)


@pytest.fixture
def estate(cast: Any) -> Company:
    """锦绣物业, a property company (profile ``property``)."""
    return cast.company("jinxiu-wuye", "锦绣物业", CompanyKind.PROPERTY)


@pytest.fixture
def morning() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scratch_registry() -> Iterator[None]:
    """Register throw-away schemas and profiles without leaking them into other tests."""
    schemas = dict(registry._SCHEMAS)
    profiles = {kind: dict(keys) for kind, keys in registry._PROFILES.items()}
    try:
        yield
    finally:
        registry._SCHEMAS.clear()
        registry._SCHEMAS.update(schemas)
        registry._PROFILES.clear()
        registry._PROFILES.update(profiles)
        registry._BASELINES.clear()
