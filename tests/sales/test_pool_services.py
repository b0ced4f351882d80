"""The public pool (公客池): the sweep returns a salesperson's customer after N days without
follow-up (X7.4; day 30 kept, day 31 returned), the return is recorded with its rule, and
salespeople claim within a daily quota (X7.5), each customer once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from tests.sales.test_channel_support import (  # noqa: F401  fixtures
    SHANGHAI,
    pm_fixture,
    set_sales_policy,
    shanghai,
    west_manager_fixture,
)

from kehu.core.customers.models import Customer
from kehu.core.customers.services import customer_create
from kehu.core.org.models import Staff
from kehu.sales import pool_rules
from kehu.sales.channel_errors import ChannelError
from kehu.sales.models.channel import PoolClaim, PoolReturn
from kehu.sales.pool_selectors import pool_customers_for_user, pool_quota_for, pool_sweep_candidates
from kehu.sales.pool_services import pool_claim, pool_sweep
from kehu.sales.registration_services import follow_up_record

CREATED = shanghai(2026, 10, 1, 10, 0)  # 李明 takes on the customer, 1 Oct 10:00


def _customer(owner: Staff, name: str = "郑凯", phone: str = "13600006001") -> Customer:
    return customer_create(staff=owner, data={"name": name, "phones": [phone]}, owner=owner)


def _pooled(owner: Staff, n: int, when: dt.datetime = CREATED) -> list[Customer]:
    with time_machine.travel(when, tick=False):
        customers = [_customer(owner, f"客户{i}", f"136000060{i:02d}") for i in range(n)]
    with time_machine.travel(when + dt.timedelta(days=40), tick=False):
        pool_sweep(company=owner.company)
    return customers


def test_x7_4_day_30_is_kept_and_day_31_returns_to_the_pool(li: Staff) -> None:
    # given 李明's customer, last contact 1 Oct (the day he took her on), N = 30 (default)
    with time_machine.travel(CREATED, tick=False):
        customer = _customer(li)
    # when the sweep runs at the last minute of day 30 (31 Oct)
    with time_machine.travel(shanghai(2026, 10, 31, 23, 59), tick=False):
        assert pool_sweep(company=li.company) == []
    # and again on day 31 (1 Nov, just after midnight)
    with time_machine.travel(shanghai(2026, 11, 1, 0, 1), tick=False):
        returned = pool_sweep(company=li.company)
    # then she returns only on day 31, with no owner, and the return says why
    assert [r.customer_id for r in returned] == [customer.pk]
    entry = returned[0]
    assert entry.previous_owner == li and entry.days == 30
    assert entry.rule_ids == ["X7.4", "A1.4"] and entry.last_contact_at == CREATED
    customer.refresh_from_db()
    assert customer.owner is None


def test_x7_4_a_follow_up_restarts_the_count(li: Staff) -> None:
    with time_machine.travel(CREATED, tick=False):
        customer = _customer(li)
    with time_machine.travel(shanghai(2026, 10, 20, 15, 0), tick=False):
        follow_up_record(staff=li, customer_id=customer.pk, note="电话回访")
    with time_machine.travel(shanghai(2026, 11, 1, 0, 1), tick=False):
        assert pool_sweep(company=li.company) == []
    with time_machine.travel(shanghai(2026, 11, 20, 0, 1), tick=False):
        assert [r.customer_id for r in pool_sweep(company=li.company)] == [customer.pk]


def test_x7_4_n_comes_from_the_policy(li: Staff, cast: Any, east: Any) -> None:
    with time_machine.travel(CREATED, tick=False):
        set_sales_policy(east, cast, {"pool_no_follow_up_days": 7})
        _customer(li)
    with time_machine.travel(shanghai(2026, 10, 8, 23, 0), tick=False):
        assert pool_sweep(company=li.company) == []
    with time_machine.travel(shanghai(2026, 10, 9, 0, 0), tick=False):
        (entry,) = pool_sweep(company=li.company)
    assert entry.days == 7 and entry.policy_ref.startswith("sales@v")


def test_x7_4_only_salespeoples_customers_are_swept(pm: Staff, li: Staff) -> None:
    with time_machine.travel(CREATED, tick=False):
        _customer(pm, "项目客户", "13600007001")
        _customer(li)
    with time_machine.travel(CREATED + dt.timedelta(days=60), tick=False):
        returned = pool_sweep(company=li.company)
    assert [r.previous_owner for r in returned] == [li]


def test_x7_4_the_sweep_command_runs_the_same_service(li: Staff) -> None:
    with time_machine.travel(CREATED, tick=False):
        customer = _customer(li)
    with time_machine.travel(CREATED + dt.timedelta(days=40), tick=False):
        call_command("pool_sweep")
    assert PoolReturn.objects.get().customer_id == customer.pk


def test_x7_4_the_sweep_asks_the_indexes_not_the_history(li: Staff) -> None:
    # given a customer with a long history of follow-ups
    with time_machine.travel(CREATED, tick=False):
        customer = _customer(li)
    for day in range(1, 30):
        with time_machine.travel(CREATED + dt.timedelta(days=day), tick=False):
            follow_up_record(staff=li, customer_id=customer.pk, note=f"第{day}次跟进")
    cutoff = CREATED + dt.timedelta(days=20)
    query = pool_sweep_candidates(company_id=li.company_id, cutoff=cutoff)
    # then the follow-ups are looked up by their (company, customer, at) index
    plan = query.explain()
    if connection.vendor == "sqlite":
        assert "sales_followup_customer" in plan
        assert "sales_reg_customer_lines" in plan
    # and one query answers the whole sweep, however long the history
    with CaptureQueriesContext(connection) as queries:
        list(query)
    assert len(queries) == 1


def test_x7_4_returns_are_append_only(li: Staff) -> None:
    _pooled(li, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        PoolReturn.objects.update(days=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        PoolReturn.objects.all().delete()


def test_x7_5_a_salesperson_claims_and_becomes_the_owner(li: Staff, zhao: Staff) -> None:
    (customer,) = _pooled(li, 1)
    claim = pool_claim(actor=zhao, customer_id=customer.pk)
    customer.refresh_from_db()
    assert customer.owner == zhao and claim.slot == 1 and claim.quota == 5
    assert pool_customers_for_user(zhao) == []
    # a second claim of the same customer is refused: claimed once
    with pytest.raises(ChannelError) as again:
        pool_claim(actor=li, customer_id=customer.pk)
    assert again.value.code == "sales.pool.not_in_pool" and again.value.status == 409


def test_x7_5_the_daily_quota_is_5_then_refused_until_tomorrow(li: Staff, zhao: Staff) -> None:
    customers = _pooled(li, 7)
    day = CREATED + dt.timedelta(days=41)
    with time_machine.travel(day, tick=False):
        for customer in customers[:5]:
            pool_claim(actor=zhao, customer_id=customer.pk)
        with pytest.raises(ChannelError) as refused:
            pool_claim(actor=zhao, customer_id=customers[5].pk)
        assert pool_quota_for(zhao).left == 0
    assert refused.value.code == "sales.pool.quota_used"
    assert "5" in refused.value.message_zh and "quota" in refused.value.message_en
    assert Customer.objects.get(pk=customers[5].pk).owner is None  # nothing half-written
    with time_machine.travel(day + dt.timedelta(days=1), tick=False):
        assert pool_claim(actor=zhao, customer_id=customers[5].pk).slot == 1


def test_x7_5_the_quota_comes_from_the_policy(li: Staff, zhao: Staff, cast: Any, east: Any) -> None:
    customers = _pooled(li, 2)
    with time_machine.travel(CREATED + dt.timedelta(days=41), tick=False):
        set_sales_policy(east, cast, {"pool_daily_claim_quota": 1})
        pool_claim(actor=zhao, customer_id=customers[0].pk)
        with pytest.raises(ChannelError):
            pool_claim(actor=zhao, customer_id=customers[1].pk)


def test_x7_5_the_database_refuses_a_claim_past_the_quota(li: Staff, zhao: Staff) -> None:
    customers = _pooled(li, 2)
    claim = pool_claim(actor=zhao, customer_id=customers[0].pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        PoolClaim.objects.create(
            company=zhao.company,
            pool_return=PoolReturn.objects.get(customer=customers[1]),
            customer=customers[1],
            claimer=zhao,
            claimed_at=claim.claimed_at,
            claim_day=claim.claim_day,
            slot=6,
            quota=5,
            policy_ref="test",
        )


def test_x7_5_a_customer_never_in_the_pool_is_not_found(li: Staff, zhao: Staff) -> None:
    customer = _customer(li)
    with pytest.raises(ChannelError) as missing:
        pool_claim(actor=zhao, customer_id=customer.pk)
    assert missing.value.status == 404


@given(claims=st.integers(min_value=0, max_value=50), quota=st.integers(min_value=0, max_value=50))
def test_x7_5_invariant_the_next_slot_never_passes_the_quota(claims: int, quota: int) -> None:
    slot = pool_rules.next_claim_slot(claims, quota)
    assert (slot is None) == (claims >= quota)
    assert slot is None or 1 <= slot <= quota


@given(days=st.integers(min_value=1, max_value=90), age_minutes=st.integers(0, 60 * 24 * 120))
def test_x7_4_invariant_returned_iff_more_than_n_local_days_passed(
    days: int, age_minutes: int
) -> None:
    now = shanghai(2026, 11, 27, 9, 30)
    last = now - dt.timedelta(minutes=age_minutes)
    elapsed_days = (now.astimezone(SHANGHAI).date() - last.astimezone(SHANGHAI).date()).days
    assert pool_rules.returns_to_pool(last, now=now, days=days, tz=SHANGHAI) == (
        elapsed_days > days
    )


# --- web and API ---------------------------------------------------------------------------------


def test_web_the_pool_page_lists_and_claims(client: Any, li: Staff, zhao: Staff) -> None:
    (customer,) = _pooled(li, 1)
    client.force_login(zhao.user)
    page = client.get("/sales/pool/").content.decode()
    assert "客户0" in page and "136****6000" in page and "还可认领 5 个" in page
    assert client.post(f"/sales/pool/{customer.pk}/claim/").status_code == 302
    assert Customer.objects.get(pk=customer.pk).owner == zhao


def test_api_claim_and_quota(client: Any, li: Staff, zhao: Staff) -> None:
    (customer,) = _pooled(li, 1)
    client.force_login(zhao.user)
    listed = client.get("/api/v1/sales/pool/").json()
    assert listed["quota"]["left"] == 5 and listed["customers"][0]["customer_id"] == customer.pk
    done = client.post(f"/api/v1/sales/pool/{customer.pk}/claim")
    assert done.status_code == 201 and done.json()["slot"] == 1
    again = client.post(f"/api/v1/sales/pool/{customer.pk}/claim")
    assert again.status_code == 409


def test_outsiders_see_an_empty_pool_and_cannot_claim(
    client: Any, li: Staff, west_manager: Staff
) -> None:
    (customer,) = _pooled(li, 1)
    client.force_login(west_manager.user)
    assert client.post(f"/api/v1/sales/pool/{customer.pk}/claim").status_code == 404
    assert client.get("/api/v1/sales/pool/").json()["customers"] == []
    assert client.post(f"/sales/pool/{customer.pk}/claim/").status_code in (302, 404)
    assert Customer.objects.get(pk=customer.pk).owner is None


def test_a_salesperson_may_not_run_the_sweep(client: Any, li: Staff) -> None:
    client.force_login(li.user)
    assert client.post("/api/v1/sales/pool/sweep").status_code == 403
