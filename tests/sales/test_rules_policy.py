"""The ``sales`` policy schema: every number of Part S with the rulebook's default, Chinese
titles and rule IDs, and the plain policy the pure engine reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from kehu.core.policy.registry import policy_schema
from kehu.sales.policy import SalesSettings
from kehu.sales.rules import OwnershipPolicy, ProtectionAnchor, SkipMakeup, TransferDealSplit


def test_the_sales_policy_is_registered_with_a_chinese_title() -> None:
    entry = policy_schema("sales")
    assert entry.model is SalesSettings and entry.title_zh == "案场销售"


@pytest.mark.parametrize(
    ("name", "default", "rule_id"),
    [
        ("skip_makeup", "owed", "A5.1"),
        ("referral_valid_days", 7, "A7.10"),
        ("family_window_days", 30, "A7.14"),
        ("new_customer_after_days", 60, "A7.15"),
        ("discovery_days", 3, "A7.16"),
        ("help_closer_percent", Decimal(20), "A7.13"),
        ("unknowing_closer_percent", Decimal(50), "A7.16"),
        ("grab_fine_min", Decimal(200), "A7.13"),
        ("grab_fine_max", Decimal(500), "A7.13"),
        ("protection_anchor", "original_registration", "A7.15"),
        ("group_buy_consumes", False, "A7.18"),
        ("transfer_deal_split", "help_split", "A7.10"),
    ],
)
def test_each_setting_has_the_rulebooks_default_a_chinese_title_and_its_rule(
    name: str, default: object, rule_id: str
) -> None:
    spec = policy_schema("sales").field(name)
    assert spec is not None
    assert spec.default == default and rule_id in spec.rule_ids
    assert spec.title and not spec.title.isascii()


def test_the_kernel_settings_are_not_duplicated() -> None:
    names = {f.name for f in policy_schema("sales").fields}
    assert not names & {"full_name_alone", "follow_up_days"}


def test_the_defaults_give_the_engines_defaults() -> None:
    assert SalesSettings().as_rules_policy() == OwnershipPolicy(
        grab_fine_min=Decimal("200.00"), grab_fine_max=Decimal("500.00")
    )


def test_a_company_version_reaches_the_engine() -> None:
    values = SalesSettings(
        skip_makeup="none",
        protection_anchor="last_owner_visit",
        transfer_deal_split="owner_all",
        new_customer_after_days=90,
    ).as_rules_policy()
    assert values.skip_makeup == SkipMakeup.NONE
    assert values.protection_anchor == ProtectionAnchor.LAST_OWNER_VISIT
    assert values.transfer_deal_split == TransferDealSplit.OWNER_ALL
    assert values.new_customer_after_days == 90


def test_the_fine_range_must_not_be_upside_down() -> None:
    with pytest.raises(ValidationError, match="下限"):
        SalesSettings(grab_fine_min=Decimal(600), grab_fine_max=Decimal(500))


def test_shares_are_percentages() -> None:
    with pytest.raises(ValidationError):
        SalesSettings(help_closer_percent=Decimal(120))


def test_the_engine_policy_refuses_impossible_values() -> None:
    with pytest.raises(ValueError):
        OwnershipPolicy(family_window_days=-1)
    with pytest.raises(ValueError):
        OwnershipPolicy(grab_fine_min=Decimal(9), grab_fine_max=Decimal(1))
