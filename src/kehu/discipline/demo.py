"""Demo rewards and penalties for ``kehu demo``: a year on the ledgers of a few gas-company and
sales-office staff, posted through ``discipline_entry_post`` like any other app would.

What it shows:
- 蒋涛 (安检员): two criticisms that convert into a minor demerit (A4 五.5.5), a third criticism
  and a later commendation, which the rules offer to offset (A4 五.5.6, awaiting a manager);
- 冯刚 (稽查员): a series of supervision failures — the third same-type sampling failure brings
  a warning (A4 四.六.1), the second missing monthly report another (A4 四.六.5), and two warnings
  in the year a reassignment-or-demotion proposal (A4 四.六.7);
- 韩军 (维修员): two commendations that make a minor merit, and performance points;
- 李娜, 张浩, 王佳琪 (售楼员): a fine for grabbing a customer (A7.13), a sales-office complaint left
  unsettled (A8.2) and a later commendation the sales manager may offset against it, a fine of
  200–500 yuan waiting for the sales manager to choose (A7.13), a special award.

Idempotent: an entry is looked up by its employee, date, kind and reason before it is posted,
a proposal by its employee, kind and source. Everything is fictitious.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from kehu.core.org.demo import DemoOrg
from kehu.discipline.models import DisciplineEntry, DisciplineProposal, ProposalKind
from kehu.discipline.services import discipline_entry_post, discipline_proposal_post


@dataclass(frozen=True)
class DemoEntry:
    employee: str  # demo username
    recorder: str  # demo username
    on: dt.date
    kind: str
    reason: str
    rule_ids: tuple[str, ...]
    amount: Decimal | None = None
    points: int | None = None
    failure_type: int | None = None


D = dt.date
# fmt: off
ENTRIES: tuple[DemoEntry, ...] = (
    # 蒋涛, safety inspector: criticisms that convert, then a commendation to offset the third.
    DemoEntry("safety.jiang", "gaslead.deng", D(2026, 1, 14), "criticism",
              "入户安检单未经客户签字即归档（古荡新村 12 幢 302 室）", ("A4 四.一.3",)),
    DemoEntry("safety.jiang", "gaslead.deng", D(2026, 4, 9), "criticism",
              "3 月入户安检计划完成 82%，未按计划完成", ("A4 四.一.3",)),
    DemoEntry("safety.jiang", "gaslead.deng", D(2026, 4, 30), "points",
              "4 月安检计划完成率未达标，绩效减 3 分", ("A4 五.5.3",), points=-3),
    DemoEntry("safety.jiang", "gaslead.deng", D(2026, 8, 18), "criticism",
              "隐患整改通知书未经客户签收即交回（古荡新村 15 幢 501 室）", ("A4 四.一.3",)),
    DemoEntry("safety.jiang", "gaslead.deng", D(2026, 10, 12), "commendation",
              "入户安检发现立管严重腐蚀并及时上报，避免一起泄漏事故", ("A4 五.5.1",)),
    DemoEntry("safety.jiang", "gaslead.deng", D(2026, 10, 12), "bonus",
              "发现并上报严重隐患，奖励 300 元", ("A4 五.5.2",), amount=Decimal("300")),
    # 冯刚, auditor: supervision failures by type within the calendar year (A4 四.六).
    DemoEntry("audit.feng", "gassup.peng", D(2026, 2, 27), "supervision_failure",
              "2 月稽查抽查比例 2.1%，未达 3% 的要求", ("A4 四.二.2",), failure_type=1),
    DemoEntry("audit.feng", "gassup.peng", D(2026, 3, 31), "supervision_failure",
              "3 月未按要求上报班组工作检查情况", ("A4 四.六.5",), failure_type=5),
    DemoEntry("audit.feng", "gassup.peng", D(2026, 5, 29), "supervision_failure",
              "5 月重点客户（长期欠费、3 个月以上未入户）稽查未完成", ("A4 四.二.2",),
              failure_type=1),
    DemoEntry("audit.feng", "gassup.peng", D(2026, 8, 31), "supervision_failure",
              "8 月单次稽查仅 7 户，少于每次至少 10 户的要求", ("A4 四.二.2",), failure_type=1),
    DemoEntry("audit.feng", "gassup.peng", D(2026, 9, 30), "supervision_failure",
              "9 月未按要求上报班组工作检查情况", ("A4 四.六.5",), failure_type=5),
    # 韩军, repairman: two commendations make a minor merit.
    DemoEntry("gasrepair.han", "gaslead.deng", D(2026, 3, 6), "commendation",
              "雨夜抢修中压管道泄漏，客户来信表扬", ("A4 五.5.1",)),
    DemoEntry("gasrepair.han", "gaslead.deng", D(2026, 7, 21), "commendation",
              "通气点火作业抽查全部合格，工单填写完整清晰", ("A4 五.5.1",)),
    DemoEntry("gasrepair.han", "gaslead.deng", D(2026, 7, 31), "points",
              "7 月维修工单回访满意率 100%，绩效加 5 分", ("A4 五.5.3",), points=5),
    # 曹敏, customer manager: a fine.
    DemoEntry("custmgr.cao", "gassup.peng", D(2026, 6, 15), "fine",
              "户内表抄表数据与现场核实不符且未说明原因", ("A4 四.一.1.1)",),
              amount=Decimal("100")),
    # Sales office.
    DemoEntry("sales.li", "salesmgr.zhao", D(2026, 5, 20), "fine",
              "接待中发现为张浩登记的客户，未交还而继续接待（抢客户），销售经理定额 300 元",
              ("A7.13",), amount=Decimal("300")),
    DemoEntry("sales.li", "salesmgr.zhao", D(2026, 9, 3), "fine",
              "案场客户投诉当日未处理完毕", ("A8.2",), amount=Decimal("100")),
    DemoEntry("sales.li", "salesmgr.zhao", D(2026, 9, 3), "criticism",
              "案场客户投诉当日未处理完毕，通报批评", ("A8.2",)),
    DemoEntry("sales.li", "salesmgr.zhao", D(2026, 10, 8), "commendation",
              "国庆假期接待客户 40 组、成交 3 套，零投诉", ("A4 五.5.1",)),
    DemoEntry("sales.zhang", "salesmgr.zhao", D(2026, 2, 10), "commendation",
              "春节值班接待客户 36 组，零投诉", ("A4 五.5.1",)),
    DemoEntry("sales.wang", "director.sun", D(2026, 1, 20), "special_award",
              "2025 年度优秀员工", ("A4 五.5.4",), amount=Decimal("1000")),
    DemoEntry("sales.wang", "salesmgr.zhao", D(2026, 6, 30), "minor_merit",
              "上半年个人销售业绩第一", ("A4 五.5.1",)),
)
# fmt: on


@dataclass(frozen=True)
class DemoFineProposal:
    employee: str
    proposer: str
    on: dt.date
    reason: str
    source_id: str
    low: Decimal
    high: Decimal
    decider_post: str


PROPOSALS: tuple[DemoFineProposal, ...] = (
    DemoFineProposal(
        "sales.zhang",
        "pm.yang",
        D(2026, 11, 18),
        "接待陈静怡时发现为王佳琪登记的客户，未经王佳琪同意继续接待（抢客户）",
        "demo-grab-2026-11-18",
        Decimal("200"),
        Decimal("500"),
        "sales_manager",
    ),
)


def _post(org: DemoOrg, row: DemoEntry) -> None:
    employee = org.staff[row.employee]
    exists = DisciplineEntry.objects.filter(
        company_id=employee.company_id,
        employee=employee,
        on=row.on,
        kind=row.kind,
        reason=row.reason,
    ).exists()
    if exists:
        return
    discipline_entry_post(
        employee=employee,
        on=row.on,
        kind=row.kind,
        reason=row.reason,
        rule_ids=list(row.rule_ids),
        recorded_by=org.staff[row.recorder],
        amount=row.amount,
        points=row.points,
        failure_type=row.failure_type,
    )


def _propose(org: DemoOrg, row: DemoFineProposal) -> None:
    employee = org.staff[row.employee]
    exists = DisciplineProposal.objects.filter(
        company_id=employee.company_id,
        employee=employee,
        kind=ProposalKind.FINE_IN_RANGE,
        source_type="demo",
        source_id=row.source_id,
    ).exists()
    if exists:
        return
    discipline_proposal_post(
        employee=employee,
        kind=ProposalKind.FINE_IN_RANGE,
        on=row.on,
        low=row.low,
        high=row.high,
        reason=row.reason,
        rule_ids=["A7.13"],
        source_type="demo",
        source_id=row.source_id,
        proposed_by=org.staff[row.proposer],
        decider_post=row.decider_post,
    )


def demo_load(org: DemoOrg) -> None:
    for entry in ENTRIES:
        _post(org, entry)
    for proposal in PROPOSALS:
        _propose(org, proposal)
