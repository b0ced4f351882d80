"""A small known dataset for the report tests: rows written straight into the tables (the
deal services are another engineer's), with the numbers each report must give.

华东置业项目, October and November 2026:
- rotation: 10-15 赵强 one consumed turn; 11-02 李明 two consumed, 赵强 one asked-for (not
  consumed) and one make-up served (consumed); 钱芳 on duty, none. Make-ups earned on 11-02:
  赵强 1, 钱芳 1.
- visits: v1 (11-02, 李明, customer A), v2 (11-02, 赵强, B), v3 (11-03, 李明, A again),
  v4 (11-05, 钱芳, not registered), v5 (10-20, 钱芳, C); one in September (outside the range).
- decisions: v1 A1.5 (no one before, but a conflict was recorded → counts), v2 A7.15 superseded
  by A7.13 (before: 李明 ≠ receiver 赵强 → counts once, as A7.13), v3 A1.5 (李明's own customer →
  no conflict), v5 A7.20 pending (counts).
- deals: A closed 11-10 (80/20 李明/赵强, 赵强's 20 reversed), B open (no deal yet), C closed 10-20
  (李明 all).
西湖燃气 has the same kind of rows, which no east report may show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kehu.core.customers.models import Customer
from kehu.core.org.models import Company, Site, Staff
from kehu.core.org.posts import Post
from kehu.sales.models.deal import CommissionEntry, Deal
from kehu.sales.models.reception import ConflictEvent, OwnershipDecision, Visit
from kehu.sales.models.registration import Registration
from kehu.sales.models.rotation import DutyRow, MakeupTurn, RotationDay, RotationEvent

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START = dt.date(2026, 10, 1)
END = dt.date(2026, 11, 30)


def at(day: str, hour: int = 10) -> dt.datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return dt.datetime(y, m, d, hour, tzinfo=SHANGHAI)


@dataclass
class Dataset:
    site: Site
    li: Staff
    zhao: Staff
    qian: Staff
    pm: Staff
    wang: Staff
    director: Staff
    west_manager: Staff
    west_site: Site


def _day(site: Site, on: str, actor: Staff, staff: list[Staff]) -> RotationDay:
    day = RotationDay.objects.create(
        company_id=site.company_id, site=site, on=dt.date.fromisoformat(on), opened_by=actor
    )
    for position, member in enumerate(staff):
        DutyRow.objects.create(company_id=site.company_id, day=day, staff=member, position=position)
    return day


def _assigned(day: RotationDay, staff: Staff, actor: Staff, *, consumed: bool, via: str) -> None:
    RotationEvent.objects.create(
        company_id=day.company_id,
        day=day,
        kind="assigned",
        staff=staff,
        actor=actor,
        detail={"consumed": consumed, "via": via},
    )


def _makeup(day: RotationDay, staff: Staff) -> None:
    MakeupTurn.objects.create(
        company_id=day.company_id,
        site=day.site,
        staff=staff,
        earned_day=day,
        cause="helping",
        text="帮助同事接待",
        rule_ids=["A7.2(3)"],
    )


def _customer(company: Company, name: str, owner: Staff) -> Customer:
    return Customer.objects.create(company=company, name=name, owner=owner)


def _visit(
    site: Site, when: str, receiver: Staff, customer: Customer | None, *, register: bool = True
) -> Visit:
    moment = at(when)
    registration = None
    if register and customer is not None:
        registration = Registration.objects.create(
            company_id=site.company_id,
            site=site,
            customer=customer,
            visited_at=moment,
            received_on=moment.date(),
            customer_name=customer.name,
            receiver=receiver,
            recorded_by=receiver,
        )
    return Visit.objects.create(
        company_id=site.company_id,
        site=site,
        arrived_at=moment,
        arrival="walk_in",
        receiver=receiver,
        recorded_by=receiver,
        registration=registration,
        customer=customer if registration else None,
    )


def _decision(
    visit: Visit,
    clause: str,
    *,
    before: Staff | None = None,
    pending: bool = False,
    supersedes: OwnershipDecision | None = None,
) -> OwnershipDecision:
    return OwnershipDecision.objects.create(
        company_id=visit.company_id,
        visit=visit,
        customer=visit.customer,
        outcome="pending" if pending else "decided",
        owner_before={"kind": "salesperson", "salesperson": str(before.pk)} if before else None,
        owner_after={"kind": "salesperson", "salesperson": str(visit.receiver_id)},
        clause=clause,
        rule_ids=[clause],
        policy_ref="sales@default",
        explanation_zh="测试",
        decided_by=visit.receiver,
        supersedes=supersedes,
    )


def _deal(site: Site, customer: Customer, unit: str, closer: Staff, closed: str | None) -> Deal:
    return Deal.objects.create(
        company_id=site.company_id,
        site=site,
        customer=customer,
        unit=unit,
        price=Decimal("1000000.00"),
        subscriber=customer.name,
        closer=closer,
        recorded_by=closer,
        closed_at=at(closed, 15) if closed else None,
    )


def _line(
    deal: Deal,
    decision: OwnershipDecision,
    month: str,
    staff: Staff | None,
    amount: str,
    **extra: Any,
) -> CommissionEntry:
    return CommissionEntry.objects.create(
        company_id=deal.company_id,
        deal=deal,
        decision=decision,
        month=dt.date.fromisoformat(month),
        party_kind="salesperson" if staff else "sales_department",
        salesperson=staff,
        role="owner",
        percent=Decimal("80"),
        amount=Decimal(amount),
        **extra,
    )


def _company_rows(site: Site, li: Staff, zhao: Staff, qian: Staff, pm: Staff) -> None:
    oct15 = _day(site, "2026-10-15", pm, [li, zhao])
    _assigned(oct15, zhao, pm, consumed=True, via="rotation")
    nov2 = _day(site, "2026-11-02", pm, [li, zhao, qian])
    _assigned(nov2, li, pm, consumed=True, via="rotation")
    _assigned(nov2, li, pm, consumed=True, via="rotation")
    _assigned(nov2, zhao, pm, consumed=False, via="named")
    _assigned(nov2, zhao, pm, consumed=True, via="makeup")
    _makeup(nov2, zhao)
    _makeup(nov2, qian)
    company = site.company
    a = _customer(company, "张三", li)
    b = _customer(company, "李四", zhao)
    c = _customer(company, "王五", qian)
    v1 = _visit(site, "2026-11-02", li, a)
    v2 = _visit(site, "2026-11-02", zhao, b)
    v3 = _visit(site, "2026-11-03", li, a)
    _visit(site, "2026-11-05", qian, None, register=False)
    v5 = _visit(site, "2026-10-20", qian, c)
    _visit(site, "2026-09-20", li, a)  # outside the range
    d1 = _decision(v1, "A1.5")
    ConflictEvent.objects.create(
        company_id=site.company_id, visit=v1, found_at=at("2026-11-02", 11), found_by=li
    )
    d2 = _decision(v2, "A7.15", before=li)
    _decision(v2, "A7.13", before=li, supersedes=d2)
    _decision(v3, "A1.5", before=li)
    d5 = _decision(v5, "A7.20", pending=True)
    deal_a = _deal(site, a, "1-101", li, "2026-11-10")
    _deal(site, b, "1-102", zhao, None)
    deal_c = _deal(site, c, "1-103", li, "2026-10-20")
    _line(deal_a, d1, "2026-11-01", li, "8000.00")
    zhao_line = _line(deal_a, d1, "2026-11-01", zhao, "2000.00")
    _line(deal_a, d1, "2026-11-01", zhao, "-2000.00", reverses=zhao_line)
    _line(deal_a, d1, "2026-11-01", zhao, "0.00", cancelled=True)
    _line(deal_c, d5, "2026-10-01", li, "5000.00")


def make_dataset(
    cast: Any, east: Company, west: Company, li: Staff, zhao: Staff, wang: Staff
) -> Dataset:
    site = li.site
    assert site is not None
    qian = cast.staff(east, "钱芳", Post.SALESPERSON, site=site)
    pm = cast.staff(east, "杨经理", Post.PROJECT_MANAGER, site=site)
    director = cast.staff(east, "孙总监", Post.SALES_DIRECTOR, site=None)
    west_manager = cast.staff(west, "吴经理", Post.SALES_MANAGER)
    west_li = cast.staff(west, "西李", Post.SALESPERSON)
    west_zhao = cast.staff(west, "西赵", Post.SALESPERSON)
    west_qian = cast.staff(west, "西钱", Post.SALESPERSON)
    west_site = west_li.site
    assert west_site is not None
    west_site.kind = "sales_office"
    west_site.save()
    _company_rows(site, li, zhao, qian, pm)
    _company_rows(west_site, west_li, west_zhao, west_qian, west_manager)
    return Dataset(site, li, zhao, qian, pm, wang, director, west_manager, west_site)
