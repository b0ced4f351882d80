"""Reading the policy in force: defaults, profiles, and versions from their effective date."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core.org.models import Company, Staff
from kehu.core.policy.kernel_schemas import CustomersPolicy
from kehu.core.policy.selectors import (
    policies_for,
    policy_at_version,
    policy_field_rows,
    policy_for,
    policy_for_schema,
)
from kehu.core.policy.services import policy_version_create

from .support import MORNING, shanghai

pytestmark = pytest.mark.django_db


def test_with_no_versions_the_rulebook_defaults_are_in_force(east: Company) -> None:
    """Given 华东置业 (real estate) has never changed a policy,
    then A1.4's 7 days and the identity Reading's needs_confirmation are in force."""
    customers = policy_for(company=east, key="customers", at=timezone.now())
    identity = policy_for(company=east, key="identity", at=timezone.now())
    assert customers.values.follow_up_days == 7
    assert customers.values.phone_mask is True
    assert identity.values.full_name_alone == "needs_confirmation"
    assert (customers.source, customers.version, customers.version_id) == ("default", 0, None)
    assert customers.ref == "customers@default"


def test_a_property_company_starts_from_the_property_profile(estate: Company) -> None:
    """A9.7 (regular visits): the property profile reads 'no follow-up' as 30 days."""
    resolved = policy_for(company=estate, key="customers", at=timezone.now())
    assert resolved.values.follow_up_days == 30
    assert resolved.source == "profile"
    assert resolved.ref == "customers@profile:property"
    # Keys the profile does not touch keep the rulebook's defaults.
    assert policy_for(company=estate, key="identity", at=timezone.now()).source == "default"


def test_the_real_estate_and_gas_profiles_keep_the_rulebook_defaults(
    east: Company, west: Company
) -> None:
    for company in (east, west):
        resolved = policy_for(company=company, key="customers", at=timezone.now())
        assert (resolved.values.follow_up_days, resolved.source) == (7, "default")


def test_a_new_version_takes_effect_only_from_its_date(liu: Staff, east: Company) -> None:
    """Given on 10 March 刘总 sets follow-up to 10 days from 15 March,
    then up to the last second of 14 March the 7 days hold, and from 00:00 on 15 March
    (Shanghai) the 10 days do."""
    with time_machine.travel(MORNING, tick=False):
        row = policy_version_create(
            staff=liu,
            key="customers",
            values={"follow_up_days": 10},
            effective_from=date(2026, 3, 15),
            note="销售例会决定",
        )
        assert (
            policy_for(company=east, key="customers", at=timezone.now()).values.follow_up_days == 7
        )

    before = policy_for(company=east, key="customers", at=shanghai(2026, 3, 14, 23, 59, 59))
    at_start = policy_for(company=east, key="customers", at=shanghai(2026, 3, 15))
    after = policy_for(company=east, key="customers", at=shanghai(2026, 9, 1))
    assert (before.values.follow_up_days, before.version_id) == (7, None)
    assert (at_start.values.follow_up_days, at_start.version_id) == (10, row.pk)
    assert after.values.follow_up_days == 10
    assert at_start.ref == "customers@v1" and at_start.source == "company"


def test_frozen_clock_before_and_after_the_start(liu: Staff, east: Company) -> None:
    """The same, reading 'now' through a frozen clock as other apps will."""
    with time_machine.travel(MORNING, tick=False):
        policy_version_create(
            staff=liu,
            key="identity",
            values={"full_name_alone": "decides"},
            effective_from=date(2026, 4, 1),
            note="集团统一口径",
        )
    with time_machine.travel(shanghai(2026, 3, 31, 23, 59), tick=False):
        assert policy_for(
            company=east, key="identity", at=timezone.now()
        ).values.full_name_alone == ("needs_confirmation")
    with time_machine.travel(shanghai(2026, 4, 1, 0, 0), tick=False):
        assert policy_for(
            company=east, key="identity", at=timezone.now()
        ).values.full_name_alone == ("decides")


def test_effective_today_starts_now_so_this_mornings_decisions_keep_their_meaning(
    liu: Staff, east: Company
) -> None:
    with time_machine.travel(MORNING, tick=False):
        policy_version_create(
            staff=liu,
            key="customers",
            values={"follow_up_days": 5},
            effective_from=date(2026, 3, 10),
            note="即日起执行",
        )
    assert policy_for(company=east, key="customers", at=shanghai(2026, 3, 10, 8)).version == 0
    assert policy_for(company=east, key="customers", at=MORNING).values.follow_up_days == 5


def test_a_company_version_applies_on_top_of_its_profile(cast: object, estate: Company) -> None:
    """Partial values: only phone_mask changes; follow_up_days keeps the profile's 30."""
    from kehu.core.org.posts import Post

    gm = cast.staff(estate, "物业总经理", Post.GENERAL_MANAGER)  # type: ignore[attr-defined]
    with time_machine.travel(MORNING, tick=False):
        policy_version_create(
            staff=gm,
            key="customers",
            values={"phone_mask": False},
            effective_from=date(2026, 3, 10),
            note="内网使用",
        )
        resolved = policy_for(company=estate, key="customers", at=timezone.now())
    assert (resolved.values.follow_up_days, resolved.values.phone_mask) == (30, False)
    rows = {row.spec.name: row for row in policy_field_rows(resolved)}
    assert rows["phone_mask"].source == "company"
    assert rows["follow_up_days"].source == "profile"
    assert rows["follow_up_days"].profile_display == "30"
    assert rows["follow_up_days"].default_display == "7"


def test_a_stored_version_is_replayable_by_its_number(liu: Staff, east: Company) -> None:
    with time_machine.travel(MORNING, tick=False):
        policy_version_create(
            staff=liu,
            key="customers",
            values={"follow_up_days": 9},
            effective_from=date(2026, 3, 10),
            note="一",
        )
        policy_version_create(
            staff=liu,
            key="customers",
            values={"follow_up_days": 4},
            effective_from=date(2026, 3, 12),
            note="二",
        )
    assert policy_at_version(company=east, key="customers", version=1).values.follow_up_days == 9
    assert policy_at_version(company=east, key="customers", version=0).values.follow_up_days == 7


def test_typed_reading_by_schema(east: Company) -> None:
    resolved = policy_for_schema(company=east, schema=CustomersPolicy, at=timezone.now())
    assert isinstance(resolved.values, CustomersPolicy)
    assert resolved.values_as(CustomersPolicy).follow_up_days == 7


def test_reading_needs_an_aware_moment(east: Company) -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="aware"):
        policy_for(company=east, key="customers", at=datetime(2026, 3, 10, 9))


def test_an_unknown_key_is_a_404_error(east: Company) -> None:
    from kehu.core.policy.errors import PolicyKeyUnknown

    with pytest.raises(PolicyKeyUnknown) as caught:
        policy_for(company=east, key="nonsense", at=timezone.now())
    assert caught.value.status == 404
    assert "nonsense" in caught.value.message_zh


def test_several_keys_are_read_in_one_statement_as_each_would_be_alone(
    liu: Staff, east: Company
) -> None:
    """Given identity changed from 15 March (twice: version 2 wins the tie) and customers
    never, then reading both at once gives what reading each alone gives, at every moment."""
    with time_machine.travel(MORNING, tick=False):
        for value in ("decides", "needs_confirmation"):
            policy_version_create(
                staff=liu,
                key="identity",
                values={"full_name_alone": value},
                effective_from=date(2026, 3, 15),
                note="口径调整",
            )
    for at in (shanghai(2026, 3, 14, 23, 59), shanghai(2026, 3, 15), shanghai(2026, 9, 1)):
        with CaptureQueriesContext(connection) as captured:
            both = policies_for(company=east, keys=("identity", "customers"), at=at)
        assert len(captured.captured_queries) == 1
        for key in ("identity", "customers"):
            alone = policy_for(company=east, key=key, at=at)
            assert (both[key].ref, both[key].values) == (alone.ref, alone.values), (key, at)
    assert (
        policies_for(company=east, keys=("identity",), at=shanghai(2026, 9, 1))["identity"].ref
        == "identity@v2"
    )
