"""Parallel claims from the public pool (X7.5) and parallel channel reports (X7.2) on PostgreSQL:
a salesperson racing themselves cannot pass the daily quota, several salespeople racing for
one customer produce exactly one claim, and desks racing to report one phone make one report.

These tests commit (``transaction=True``); kehu's ``flush`` lifts and reinstalls the append-only
guards to empty the tables afterwards. They run on PostgreSQL only: SQLite serialises writers by
design and its shared-cache test database answers racing threads with "table is locked".
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.services import customer_create
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales.channel_errors import ChannelError
from kehu.sales.channel_services import (
    channel_agent_add,
    channel_company_add,
    channel_report_create,
)
from kehu.sales.models.channel import ChannelReport, PoolClaim
from kehu.sales.pool_services import pool_claim, pool_sweep

RACERS = 6


def _race(jobs: list[Any]) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(job: Any) -> None:
        try:
            start.wait()
            results.append(job())
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads race on PostgreSQL; SQLite writers are serialised by design")


def _pool_of(owner: Staff, n: int) -> list[Customer]:
    customers = [
        customer_create(
            staff=owner, data={"name": f"客户{i}", "phones": [f"136000061{i:02d}"]}, owner=owner
        )
        for i in range(n)
    ]
    old = timezone.now() - dt.timedelta(days=60)
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(created_at=old)
    assert len(pool_sweep(company=owner.company)) == n
    return customers


@pytest.mark.django_db(transaction=True)
def test_x7_5_parallel_claims_by_one_salesperson_stop_at_the_quota(
    postgres_only: None, cast: Any, east: Company
) -> None:
    # given 8 customers in the pool and 赵强, whose quota is 5 a day
    li = cast.staff(east, "李明", Post.SALESPERSON)
    zhao = cast.staff(east, "赵强", Post.SALESPERSON)
    customers = _pool_of(li, RACERS + 2)

    # when he claims 8 at the same moment (two browser tabs, a script…)
    def job(customer: Customer) -> Any:
        return lambda: pool_claim(actor=Staff.objects.get(pk=zhao.pk), customer_id=customer.pk)

    results, errors = _race([job(c) for c in customers])
    # then exactly 5 claims were made, numbered 1..5, and the others were told the quota is used
    assert len(results) == 5
    assert sorted(c.slot for c in PoolClaim.objects.filter(claimer=zhao)) == [1, 2, 3, 4, 5]
    assert len(errors) == len(customers) - 5
    assert all(isinstance(e, ChannelError) and e.code == "sales.pool.quota_used" for e in errors)
    assert Customer.objects.filter(owner=zhao).count() == 5


@pytest.mark.django_db(transaction=True)
def test_x7_5_parallel_claims_of_one_customer_make_exactly_one_claim(
    postgres_only: None, cast: Any, east: Company
) -> None:
    li = cast.staff(east, "李明", Post.SALESPERSON)
    sellers = [cast.staff(east, f"售楼员{n}", Post.SALESPERSON) for n in range(RACERS)]
    (customer,) = _pool_of(li, 1)

    def job(seller: Staff) -> Any:
        return lambda: pool_claim(actor=Staff.objects.get(pk=seller.pk), customer_id=customer.pk)

    results, errors = _race([job(s) for s in sellers])
    assert len(results) == 1 and PoolClaim.objects.count() == 1
    assert all(isinstance(e, ChannelError) and e.code == "sales.pool.not_in_pool" for e in errors)
    assert Customer.objects.get(pk=customer.pk).owner_id == results[0].claimer_id


@pytest.mark.django_db(transaction=True)
def test_x7_2_parallel_reports_of_one_phone_make_exactly_one_report(
    postgres_only: None, cast: Any, east: Company
) -> None:
    pm = cast.staff(east, "杨经理", Post.PROJECT_MANAGER)
    anjia = channel_company_add(actor=pm, name="安家房产")
    agents = [channel_agent_add(actor=pm, channel_id=anjia.pk, name=f"经纪人{n}") for n in range(4)]

    def job(agent_id: int) -> Any:
        return lambda: channel_report_create(
            actor=Staff.objects.get(pk=pm.pk),
            agent_id=agent_id,
            customer_name="王芳",
            phone="13900001111",
        )

    results, errors = _race([job(a.pk) for a in agents])
    assert len(results) == 1 and ChannelReport.objects.count() == 1
    assert all(
        isinstance(e, ChannelError) and e.code == "sales.channel.already_reported" for e in errors
    ), errors
