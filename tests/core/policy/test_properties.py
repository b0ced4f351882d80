"""Invariant: whatever versions a company saves, with whatever effective dates, the policy in
force at time t is the version with the greatest effective_from <= t (ties: the highest
version number), and the defaults when there is none."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.org.models import CompanyKind
from kehu.core.org.posts import Post
from kehu.core.policy.selectors import policy_for
from kehu.core.policy.services import policy_version_create

from .support import shanghai

pytestmark = pytest.mark.django_db

BASE = shanghai(2026, 1, 1)
_companies = itertools.count()

# Effective moments on a coarse grid (so that ties happen often), as hours after BASE.
starts = st.integers(min_value=0, max_value=24 * 6).map(
    lambda h: BASE + timedelta(hours=h // 12 * 12)
)
probes = st.integers(min_value=-12, max_value=24 * 7).map(lambda h: BASE + timedelta(hours=h))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(starts, max_size=6),
    moments=st.lists(probes, min_size=1, max_size=6),
)
def test_the_version_in_force_is_the_latest_started_one(
    cast: Any, plan: list[Any], moments: list[Any]
) -> None:
    # A fresh company per example: examples share the test's transaction.
    company = cast.company(f"prop-{next(_companies)}", "性质测试公司", CompanyKind.REAL_ESTATE)
    manager = cast.staff(company, "总经理", Post.GENERAL_MANAGER)
    saved = []
    for number, start in enumerate(plan, start=1):
        row = policy_version_create(
            staff=manager,
            key="customers",
            # Each version's value is its own number, so no two versions are alike.
            values={"follow_up_days": 100 + number},
            effective_from=start,
            note=f"第{number}次",
            allow_backdate=True,
        )
        saved.append(row)

    for t in moments:
        started = [row for row in saved if row.effective_from <= t]
        expected = max(started, key=lambda row: (row.effective_from, row.version), default=None)
        resolved = policy_for(company=company, key="customers", at=t)
        if expected is None:
            assert (resolved.version_id, resolved.values.follow_up_days) == (None, 7)
        else:
            assert resolved.version_id == expected.pk
            assert resolved.values.follow_up_days == expected.data["follow_up_days"]
