"""Suspicious-pattern alerts: many corrections by one person (X7.6), a customer whose owner
changed more than K times (X7.7), many claims right after returns (X7.8) — they fire at the
threshold and not below it, carry their evidence rows, and are acknowledged with a note."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError, transaction
from tests.sales.test_channel_support import (  # noqa: F401  fixtures
    director_fixture,
    pm_fixture,
    set_sales_policy,
    shanghai,
    west_manager_fixture,
)

from kehu.core.customers.models import Customer
from kehu.core.customers.services import customer_create
from kehu.core.org.models import Staff
from kehu.sales import alert_rules
from kehu.sales.alert_selectors import alert_get_for_user, alerts_for_user, alerts_open_count
from kehu.sales.alert_services import alert_acknowledge, alert_detect
from kehu.sales.channel_errors import ChannelError
from kehu.sales.models.channel import AlertAcknowledgement, AlertKind, SalesAlert
from kehu.sales.pool_services import pool_claim, pool_sweep
from kehu.sales.registration_services import VisitDetails, registration_correct, registration_record

START = shanghai(2026, 11, 2, 9, 0)


def _corrections(li: Staff, n: int, *, first_at: dt.datetime = START) -> None:
    with time_machine.travel(first_at, tick=False):
        line = registration_record(
            staff=li, details=VisitDetails(customer_name="张伟", contact="13812345678")
        ).registration
    for i in range(n):
        with time_machine.travel(first_at + dt.timedelta(hours=i + 1), tick=False):
            line = registration_correct(
                staff=li,
                registration_id=line.pk,
                reason=f"补充信息{i}",
                changes=VisitDetails(customer_name="张伟", contact="13812345678", intention=str(i)),
            )


def _detect(company: Any, at: dt.datetime) -> list[SalesAlert]:
    with time_machine.travel(at, tick=False):
        return alert_detect(company=company)


def test_x7_6_five_corrections_within_7_days_raise_an_alert_with_the_rows(
    li: Staff, wang: Staff
) -> None:
    # given 李明 corrected one line 5 times this morning
    _corrections(li, 5)
    # when the detector runs in the afternoon
    (alert,) = _detect(li.company, START + dt.timedelta(hours=8))
    # then one alert names 李明, the count, the threshold, the rules and the 5 correction rows
    assert alert.kind == AlertKind.CORRECTIONS and alert.subject_staff == li
    assert (alert.count, alert.threshold) == (5, 5)
    assert alert.rule_ids == ["X7.6", "A1.2"] and "李明" in alert.summary_zh
    detail = alert_get_for_user(wang, alert.pk)
    assert len(detail.evidence) == 5
    assert all(e.ref.startswith("registration:") and "补充信息" in e.text for e in detail.evidence)


def test_x7_6_four_corrections_or_old_ones_do_not(li: Staff) -> None:
    _corrections(li, 4)
    assert _detect(li.company, START + dt.timedelta(hours=8)) == []
    # and 5 corrections 8 days before the run are outside the 7-day window
    assert _detect(li.company, START + dt.timedelta(days=8)) == []


def test_x7_6_running_again_the_same_day_adds_nothing(li: Staff) -> None:
    _corrections(li, 5)
    assert len(_detect(li.company, START + dt.timedelta(hours=8))) == 1
    assert _detect(li.company, START + dt.timedelta(hours=9)) == []
    assert SalesAlert.objects.count() == 1


def _churn(li: Staff, zhao: Staff, rounds: int, cast: Any, east: Any) -> Customer:
    """Each round: the customer returns to the pool (N = 1 day) and 赵强 claims her: 2 changes."""
    with time_machine.travel(START, tick=False):
        set_sales_policy(east, cast, {"pool_no_follow_up_days": 1})
        customer = customer_create(
            staff=li, data={"name": "郑凯", "phones": ["13600006001"]}, owner=li
        )
    for r in range(rounds):
        returned_at = START + dt.timedelta(days=3 * r + 3)
        with time_machine.travel(returned_at, tick=False):
            assert len(pool_sweep(company=li.company)) == 1
        with time_machine.travel(returned_at + dt.timedelta(hours=1), tick=False):
            pool_claim(actor=zhao, customer_id=customer.pk)
    return customer


def test_x7_7_an_owner_changed_more_than_3_times_in_30_days_raises_an_alert(
    li: Staff, zhao: Staff, cast: Any, east: Any
) -> None:
    customer = _churn(li, zhao, 2, cast, east)  # return, claim, return, claim: 4 changes
    alerts = _detect(li.company, START + dt.timedelta(days=7))
    churn = [a for a in alerts if a.kind == AlertKind.OWNER_CHANGES]
    assert len(churn) == 1 and churn[0].subject_customer == customer
    assert churn[0].count == 4 and churn[0].threshold == 3
    refs = [e["ref"].split(":")[0] for e in churn[0].evidence]
    assert refs == ["poolreturn", "poolclaim", "poolreturn", "poolclaim"]


def test_x7_7_three_changes_do_not(li: Staff, zhao: Staff, cast: Any, east: Any) -> None:
    customer = _churn(li, zhao, 1, cast, east)  # 2 changes
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        pool_sweep(company=li.company)  # a third change
    assert Customer.objects.get(pk=customer.pk).owner is None
    alerts = _detect(li.company, START + dt.timedelta(days=7))
    assert [a for a in alerts if a.kind == AlertKind.OWNER_CHANGES] == []


def _returned(li: Staff, n: int) -> list[Customer]:
    with time_machine.travel(START, tick=False):
        customers = [
            customer_create(
                staff=li, data={"name": f"客户{i}", "phones": [f"136000062{i:02d}"]}, owner=li
            )
            for i in range(n)
        ]
    with time_machine.travel(START + dt.timedelta(days=40), tick=False):
        pool_sweep(company=li.company)
    return customers


def test_x7_8_three_claims_within_24_hours_of_return_raise_an_alert(li: Staff, zhao: Staff) -> None:
    customers = _returned(li, 3)
    with time_machine.travel(START + dt.timedelta(days=40, hours=2), tick=False):
        for customer in customers:
            pool_claim(actor=zhao, customer_id=customer.pk)
    alerts = _detect(li.company, START + dt.timedelta(days=40, hours=3))
    quick = [a for a in alerts if a.kind == AlertKind.QUICK_CLAIMS]
    assert len(quick) == 1 and quick[0].subject_staff == zhao and quick[0].count == 3
    assert quick[0].rule_ids == ["X7.8", "A2.4"]


def test_x7_8_claims_a_day_and_more_after_the_return_do_not(li: Staff, zhao: Staff) -> None:
    customers = _returned(li, 3)
    with time_machine.travel(START + dt.timedelta(days=41, hours=1), tick=False):
        for customer in customers:
            pool_claim(actor=zhao, customer_id=customer.pk)
    alerts = _detect(li.company, START + dt.timedelta(days=41, hours=2))
    assert [a for a in alerts if a.kind == AlertKind.QUICK_CLAIMS] == []


def test_x7_6_an_alert_is_acknowledged_with_a_note_append_only(li: Staff, wang: Staff) -> None:
    _corrections(li, 5)
    (alert,) = _detect(li.company, START + dt.timedelta(hours=8))
    assert alerts_open_count(wang) == 1
    with pytest.raises(ChannelError) as empty:
        alert_acknowledge(actor=wang, alert_id=alert.pk, note="  ")
    assert empty.value.status == 400 and "处理说明" in empty.value.message_zh
    ack = alert_acknowledge(actor=wang, alert_id=alert.pk, note="已约谈李明，更正均有客户签字")
    assert alerts_open_count(wang) == 0 and ack.by == wang
    with pytest.raises(DatabaseError), transaction.atomic():
        AlertAcknowledgement.objects.update(note="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        SalesAlert.objects.all().delete()


def test_alerts_are_for_managers_only_and_outsiders_see_nothing(
    client: Any, li: Staff, wang: Staff, director: Staff, west_manager: Staff
) -> None:
    _corrections(li, 5)
    (alert,) = _detect(li.company, START + dt.timedelta(hours=8))
    # the director reads them too; a salesperson may not
    assert alerts_for_user(director).count() == 1
    with pytest.raises(ChannelError) as refused:
        alerts_for_user(li)
    assert refused.value.status == 403
    # another company: not found through the page and the API, and an empty list
    client.force_login(west_manager.user)
    assert client.get(f"/sales/alerts/{alert.pk}/").status_code == 404
    assert client.get(f"/api/v1/sales/alerts/{alert.pk}").status_code == 404
    assert client.get("/api/v1/sales/alerts/").json() == []
    ack = client.post(
        f"/api/v1/sales/alerts/{alert.pk}/acknowledge", {"note": "x"}, "application/json"
    )
    assert ack.status_code == 404


def test_web_and_api_list_run_and_acknowledge(client: Any, li: Staff, wang: Staff) -> None:
    _corrections(li, 5, first_at=shanghai(2026, 11, 27, 9, 0) - dt.timedelta(days=1))
    client.force_login(wang.user)
    assert client.post("/sales/alerts/run/").status_code == 302
    page = client.get("/sales/alerts/").content.decode()
    assert "频繁更正登记" in page and "李明" in page
    alert = SalesAlert.objects.get()
    detail = client.get(f"/api/v1/sales/alerts/{alert.pk}").json()
    assert len(detail["evidence"]) == 5 and detail["alert"]["rule_ids"] == ["X7.6", "A1.2"]
    done = client.post(
        f"/api/v1/sales/alerts/{alert.pk}/acknowledge", {"note": "已核实"}, "application/json"
    )
    assert done.status_code == 201


def test_x7_6_the_window_count_is_inclusive_and_sorted() -> None:
    rows = [
        alert_rules.Evidence("staff:1", f"registration:{i}", START + dt.timedelta(hours=i))
        for i in range(3)
    ]
    (found,) = alert_rules.count_in_window(
        rows,
        start=START,
        end=START + dt.timedelta(hours=2),
        threshold=3,
        strictly_above=False,
        rule_ids=("X7.6",),
    )
    assert [e.ref for e in found.evidence] == ["registration:0", "registration:1", "registration:2"]
    assert (
        alert_rules.count_in_window(
            rows,
            start=START,
            end=START + dt.timedelta(hours=2),
            threshold=3,
            strictly_above=True,
            rule_ids=("X7.7",),
        )
        == []
    )
