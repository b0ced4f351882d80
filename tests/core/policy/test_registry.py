"""The registry: schemas with the rulebook's defaults, Chinese titles and rule IDs."""

from __future__ import annotations

from typing import Literal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from pydantic import BaseModel

from kehu.core.org.models import Company
from kehu.core.policy.kernel_schemas import CustomersPolicy, IdentityPolicy
from kehu.core.policy.registry import (
    PolicySchema,
    baseline_values,
    policy_field,
    policy_schema,
    policy_schemas,
    register_policy_profile,
    register_policy_schema,
)
from kehu.core.policy.selectors import policy_for_schema


def test_the_kernel_schemas_are_registered_at_start_up() -> None:
    keys = [entry.key for entry in policy_schemas()]
    assert {"identity", "customers", "calendar"} <= set(keys)
    assert policy_schema("identity").model is IdentityPolicy


def test_identity_full_name_alone_defaults_to_needs_confirmation() -> None:
    """Part S Identity, Reading: a full-name-only match goes to the sales manager (A7.20)."""
    assert IdentityPolicy().full_name_alone == "needs_confirmation"
    spec = policy_schema("identity").field("full_name_alone")
    assert spec is not None and spec.kind == "choice"
    assert dict(spec.choices)["needs_confirmation"] == "列为冲突，交销售经理确认"
    assert "A7.4" in spec.rule_ids


def test_follow_up_days_defaults_to_seven_with_its_rule() -> None:
    """A1.4: customers with no follow-up for N days (policy, default 7)."""
    assert CustomersPolicy().follow_up_days == 7
    spec = policy_schema("customers").field("follow_up_days")
    assert spec is not None
    assert (spec.title, spec.rule_ids, spec.kind, spec.minimum) == (
        "未跟进提醒天数",
        ("A1.4",),
        "int",
        1,
    )


def test_the_json_schema_carries_chinese_titles_and_rule_ids() -> None:
    schema = policy_schema("customers").json_schema()
    field = schema["properties"]["follow_up_days"]
    assert field["title"] == "未跟进提醒天数"
    assert field["rule_ids"] == ["A1.4"]
    assert field["default"] == 7


@pytest.mark.usefixtures("scratch_registry")
class TestRegistering:
    def test_registering_the_same_model_twice_is_harmless(self) -> None:
        class Sample(PolicySchema):
            days: int = policy_field(3, title="天数", title_en="Days")

        first = register_policy_schema("sample", Sample, "示例", "Sample")
        assert register_policy_schema("sample", Sample, "示例", "Sample") is first

    def test_a_taken_key_cannot_be_registered_by_another_model(self) -> None:
        class Other(PolicySchema):
            days: int = policy_field(3, title="天数", title_en="Days")

        with pytest.raises(ImproperlyConfigured, match="already registered"):
            register_policy_schema("customers", Other, "客户", "Customers")

    def test_every_field_needs_a_default_and_a_title(self) -> None:
        class NoDefault(BaseModel):
            days: int

        class NoTitle(BaseModel):
            days: int = 3

        with pytest.raises(ImproperlyConfigured, match="no default"):
            register_policy_schema("nodefault", NoDefault, "无默认", "No default")
        with pytest.raises(ImproperlyConfigured, match="Chinese title"):
            register_policy_schema("notitle", NoTitle, "无标题", "No title")

    def test_keys_are_simple_names_and_not_the_reserved_path_words(self) -> None:
        class Sample(PolicySchema):
            days: int = policy_field(3, title="天数", title_en="Days")

        for bad in ("Sales", "sales-office", "versions", "schemas"):
            with pytest.raises(ImproperlyConfigured):
                register_policy_schema(bad, Sample, "示例", "Sample")

    def test_a_baseline_is_validated_once_and_again_after_a_profile_changes_it(self) -> None:
        class Sample(PolicySchema):
            days: int = policy_field(3, title="天数", title_en="Days")

        register_policy_schema("sample", Sample, "示例", "Sample")
        first, source = baseline_values("sample", "gas_utility")
        assert (first.days, source) == (3, "default")  # type: ignore[attr-defined]
        assert baseline_values("sample", "gas_utility")[0] is first  # shared: the model is frozen
        register_policy_profile("gas_utility", "sample", {"days": 5})
        changed, source = baseline_values("sample", "gas_utility")
        assert (changed.days, source) == (5, "profile")  # type: ignore[attr-defined]

    def test_a_profile_must_fit_the_schema(self) -> None:
        class Sample(PolicySchema):
            mode: Literal["a", "b"] = policy_field("a", title="方式", title_en="Mode")

        register_policy_schema("sample", Sample, "示例", "Sample")
        with pytest.raises(ImproperlyConfigured, match="invalid"):
            register_policy_profile("gas", "sample", {"mode": "c"})
        with pytest.raises(ImproperlyConfigured, match="invalid"):
            register_policy_profile("gas", "sample", {"unknown": 1})

    def test_another_app_registers_a_schema_and_reads_it_for_a_company(self, east: Company) -> None:
        """The way a later app (e.g. sales) plugs in: a schema, a profile, then policy_for."""

        class SalesPolicy(PolicySchema):
            skip_makeup: Literal["none", "owed"] = policy_field(
                "owed",
                title="轮空是否补接",
                title_en="Make-up turn when skipped",
                rule_ids=["A2.1", "A5.1"],
                choice_labels={"none": "跳过，不补接", "owed": "跳过，补接"},
            )

        # "sales" itself is taken by the real sales app; plug in a look-alike under another key.
        register_policy_schema("sample_sales", SalesPolicy, "案场销售", "Sales office")
        register_policy_profile("tobacco", "sample_sales", {"skip_makeup": "none"})

        resolved = policy_for_schema(company=east, schema=SalesPolicy, at=timezone.now())
        assert resolved.values.skip_makeup == "owed"
        assert (resolved.ref, resolved.version_id) == ("sample_sales@default", None)
