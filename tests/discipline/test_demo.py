"""``kehu demo``'s rewards and penalties: a year on a few gas-company and sales-office ledgers,
showing each rule at work, loaded once however often the command runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.demo import DemoOrg, org_demo_load
from kehu.discipline import selectors
from kehu.discipline.demo import ENTRIES, PROPOSALS, demo_load
from kehu.discipline.models import DisciplineEntry, DisciplineProposal

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def org() -> DemoOrg:
    org = org_demo_load()
    demo_load(org)
    return org


def counts() -> tuple[int, int, int]:
    return (
        DisciplineEntry.objects.count(),
        DisciplineProposal.objects.count(),
        LedgerEntry.objects.filter(stream="discipline").count(),
    )


def test_loading_twice_changes_nothing(org: DemoOrg) -> None:
    before = counts()
    assert before[:2] == (len(ENTRIES), len(PROPOSALS))
    demo_load(org)
    demo_load(org_demo_load())
    assert counts() == before
    assert ledger_verify().ok


def test_the_safety_inspector_has_a_conversion_and_an_offset_proposal(org: DemoOrg) -> None:
    jiang = org.staff["safety.jiang"]
    result = selectors.standing_for_employee(viewer=jiang, employee=jiang, as_of=AS_OF)
    standing = result.standing
    # Two criticisms made a minor demerit (A4 五.5.5); the third waits for an offset (五.5.6)
    assert standing.counts["minor_demerit"] == 1 and standing.counts["criticism"] == 1
    assert standing.counts["commendation"] == 1
    assert [p.proposal.kind for p in result.open_proposals] == ["offset"]
    assert standing.points == -3 and str(standing.bonuses) == "300.00"


def test_the_auditors_failures_reach_two_warnings_and_a_proposal(org: DemoOrg) -> None:
    feng = org.staff["audit.feng"]
    result = selectors.standing_for_employee(viewer=feng, employee=feng, as_of=AS_OF)
    assert result.standing.warnings_in_window == 2  # A4 四.六.1 (3rd) and 四.六.5 (2nd)
    assert result.standing.failures_in_window == {1: 3, 5: 2}
    assert [p.proposal.kind for p in result.open_proposals] == ["reassignment_or_demotion"]
    # 肖明, the gas manager, decides it
    queue = selectors.proposals_queue_for(org.staff["gasmgr.xiao"])
    assert "reassignment_or_demotion" in {item.kind for item in queue}


def test_the_sales_manager_has_a_fine_to_choose_and_an_offset(org: DemoOrg) -> None:
    queue = selectors.proposals_queue_for(org.staff["salesmgr.zhao"])
    assert sorted((item.kind, item.employee.name) for item in queue) == [
        ("fine_in_range", "张浩"),
        ("offset", "李娜"),
    ]
    fine = next(item for item in queue if item.kind == "fine_in_range")
    assert fine.rule_ids == ("A7.13",) and (fine.low, fine.high) == (200, 500)


def test_the_demo_pages_render(org: DemoOrg) -> None:
    client = Client()
    client.force_login(org.staff["safety.jiang"].user)
    html = client.get("/discipline/me/").content.decode()
    assert "2次通报批评记为1次记小过" in html and "功过相抵" in html
    manager = Client()
    manager.force_login(org.staff["gm.cheng"].user)
    assert manager.get("/discipline/report/", {"year": "2026"}).status_code == 200
    assert manager.get("/discipline/decisions/").status_code == 200
