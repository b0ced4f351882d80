"""Pure rules of the dispute queue (A7.20): an award's shares and the claims a decision shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.sales.dispute_rules import (
    SharesInvalid,
    SharesProblem,
    award_shares,
    claims_of_decision,
    involved_salespeople,
    parse_percent,
)
from kehu.sales.rules import SALES_DEPARTMENT, Owner, ShareRole

LI, ZHAO, QIAN = Owner.of("1"), Owner.of("2"), Owner.of("3")


def test_a7_20_an_award_to_one_owner_alone_is_the_sole_share() -> None:
    shares = award_shares(LI, [(LI, Decimal("100"))])
    assert [(s.party, s.role, s.percent) for s in shares] == [(LI, ShareRole.SOLE, 100)]


def test_a7_20_an_award_split_names_the_owner_and_the_others() -> None:
    shares = award_shares(LI, [(LI, Decimal("80")), (ZHAO, Decimal("20"))])
    assert [s.role for s in shares] == [ShareRole.OWNER, ShareRole.CLOSER]


def test_a7_20_the_sales_department_takes_a_department_share() -> None:
    shares = award_shares(
        SALES_DEPARTMENT, [(SALES_DEPARTMENT, Decimal("50")), (LI, Decimal("50"))]
    )
    assert shares[0].role == ShareRole.DEPARTMENT


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ([], SharesProblem.EMPTY),
        ([(LI, Decimal("60")), (ZHAO, Decimal("30"))], SharesProblem.SUM),
        ([(LI, Decimal("60")), (LI, Decimal("40"))], SharesProblem.DUPLICATE),
        ([(LI, Decimal("0")), (ZHAO, Decimal("100"))], SharesProblem.PERCENT),
        ([(LI, Decimal("120")), (ZHAO, Decimal("-20"))], SharesProblem.PERCENT),
    ],
)
def test_a7_20_bad_award_shares_are_refused(
    entries: list[tuple[Owner, Decimal]], problem: SharesProblem
) -> None:
    with pytest.raises(SharesInvalid) as refused:
        award_shares(LI, entries)
    assert refused.value.problem == problem


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "100.01", "33.333", "NaN", ""])
def test_a7_20_a_percent_is_a_number_above_0_and_at_most_100(raw: str) -> None:
    with pytest.raises(SharesInvalid):
        parse_percent(raw)


def test_a7_20_a_percent_may_be_typed_with_a_percent_sign() -> None:
    assert parse_percent(" 33.33% ") == Decimal("33.33")


cents = st.integers(min_value=1, max_value=9999)


@given(st.lists(cents, min_size=1, max_size=4))
def test_a7_20_property_accepted_award_shares_always_sum_to_100(parts: list[int]) -> None:
    # given shares in cents of a percent, scaled to (at most) 100%
    total = sum(parts)
    percents = [Decimal(p * 10000 // total) / 100 for p in parts]
    parties = [Owner.of(str(n + 1)) for n in range(len(percents))]
    entries = list(zip(parties, percents, strict=True))
    # when the award is checked
    try:
        shares = award_shares(parties[0], entries)
    except SharesInvalid as refused:
        # then it is refused exactly when the shares do not make 100% (or one is 0%)
        assert sum(percents) != 100 or min(percents) <= 0
        assert refused.problem in (SharesProblem.SUM, SharesProblem.PERCENT)
        return
    # else they add up to exactly 100% with none negative
    assert sum(s.percent for s in shares) == Decimal("100")
    assert all(s.percent > 0 for s in shares)


def test_a7_4_claims_read_from_the_facts_show_the_keys_that_matched() -> None:
    facts = {
        "claims": [
            {"id": "customer:5:staff:1", "kind": "registered", "holder": "1",
             "since": "2026-11-17T10:00:00+08:00", "found_at": "2026-11-27T10:00:00+08:00",
             "match": {"keys": ["full_name"]}},
            {"id": "phone:9", "kind": "phone_enquiry", "holder": "3",
             "since": "2026-11-01T10:00:00+08:00", "found_at": "2026-11-27T10:00:00+08:00",
             "match": {"keys": ["phone"]}},
        ]
    }  # fmt: skip
    detail = {"pending_claim_ids": ["customer:5:staff:1"], "claim_id": "phone:9"}
    views = claims_of_decision(detail, facts)
    assert [(v.id, v.keys, v.pending, v.governing) for v in views] == [
        ("customer:5:staff:1", ("full_name",), True, False),
        ("phone:9", ("phone",), False, True),
    ]
    assert views[0].customer_id == 5 and views[0].rule_ids == ("A7.4", "A7.20")


def test_a7_4_without_facts_a_pending_claim_is_a_full_name_match() -> None:
    views = claims_of_decision({"pending_claim_ids": ["customer:5:staff:1"]}, {})
    assert views[0].holder == "1" and views[0].keys == ("full_name",) and views[0].pending


def test_involved_salespeople_are_receiver_owners_claim_holders_and_share_parties() -> None:
    involved = involved_salespeople(
        receiver="2",
        owner_before={"kind": "salesperson", "salesperson": "4"},
        owner_after={"kind": "sales_department", "salesperson": ""},
        detail={
            "pending_claim_ids": ["customer:5:staff:1"],
            "deal": {"shares": [{"party": {"kind": "salesperson", "salesperson": "6"}}]},
        },
    )
    assert involved == {"1", "2", "4", "6"}
