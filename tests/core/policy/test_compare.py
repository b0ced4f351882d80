"""Comparing two versions lists exactly the fields that changed."""

from __future__ import annotations

from datetime import date

import pytest

from kehu.core.org.models import Company, Staff
from kehu.core.policy.errors import PolicyVersionNotFound
from kehu.core.policy.selectors import policy_compare, policy_versions
from kehu.core.policy.services import policy_version_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


@pytest.fixture
def three_versions(liu: Staff, morning: object) -> None:
    for values in (
        {"follow_up_days": 10},
        {"follow_up_days": 10, "phone_mask": False},
        {"follow_up_days": 14, "phone_mask": False},
    ):
        policy_version_create(
            staff=liu, key="customers", values=values, effective_from=date(2026, 3, 11), note="调整"
        )


@pytest.mark.usefixtures("three_versions")
def test_compare_lists_exactly_the_changed_fields(east: Company) -> None:
    one_two = policy_compare(east, "customers", 1, 2)
    assert [(c.field, c.old, c.new) for c in one_two] == [("phone_mask", True, False)]
    assert one_two[0].title == "隐藏客户电话中间四位"
    assert (one_two[0].old_display, one_two[0].new_display) == ("是", "否")

    one_three = policy_compare(east, "customers", 1, 3)
    assert [(c.field, c.old, c.new) for c in one_three] == [
        ("follow_up_days", 10, 14),
        ("phone_mask", True, False),
    ]
    assert policy_compare(east, "customers", 2, 2) == []


@pytest.mark.usefixtures("three_versions")
def test_version_zero_is_what_the_company_started_from(east: Company) -> None:
    changes = policy_compare(east, "customers", 0, 1)
    assert [(c.field, c.old, c.new, c.title) for c in changes] == [
        ("follow_up_days", 7, 10, "未跟进提醒天数")
    ]


@pytest.mark.usefixtures("three_versions")
def test_versions_are_listed_newest_first(east: Company) -> None:
    assert [row.version for row in policy_versions(east, "customers")] == [3, 2, 1]


@pytest.mark.usefixtures("three_versions")
def test_another_companys_version_numbers_do_not_exist_here(west: Company) -> None:
    with pytest.raises(PolicyVersionNotFound):
        policy_compare(west, "customers", 1, 2)
