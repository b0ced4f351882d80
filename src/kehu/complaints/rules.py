"""Complaint stages, their deadlines, the sweep's verdicts and the A8.2 penalties (Part C).

Pure: no Django, no I/O, no clock. Time is a parameter; whether a date is a working day is the
``day_status`` lookup the calendar kernel passes in (``kehu.core.calendar.rules``), so adjusted
working days (调休) and official holidays count the way ``docs/calendar.md`` says.

A complaint moves through stages (``Stage``) by actions (``Action``); the allowed moves are the
``TRANSITIONS`` table of its *profile*: ``A3`` (the company standard) or ``A8.2`` (the sales
office's same-day variant). Each stage has a clock (``StageClock``: amount + unit, from policy)
and the rule IDs behind it. ``stage_deadline`` computes when the stage is due; ``timing`` tells
the sweep whether a stage is on time, in its warning band, or breached, and how far it has been
escalated (催办, then 督办 one level up per further period).

Readings (docs/complaints.md):

* **One-stop (一站式).** There is no "refuse" or "send elsewhere" action in any profile: a unit
  that receives a complaint records it and forwards it to customer service; it may record its own
  solution when the matter is within its remit (A3), and the forward is still due.
* **Clocks.** "24小时" are clock hours; "N日" are calendar days by default; every clock is policy
  and may be set to working days (A3 reading (clock)).
* **Cannot be solved soon.** The 3 days to tell the customer run from the department's report
  that it cannot be solved soon; the agreed new date (end of that local day) becomes the
  deadline for the department's result.
* **Escalation.** At breach the owner is chased (催办, level 1); each further
  ``escalate_every_hours`` escalates one level up the supervisor chain (督办, level 2, 3 …).
* **A8.2.** Settled the same day; if several departments are needed and it cannot be settled that
  day, the customer is told the same day when it will be. A complaint unsettled in time costs
  customer service 100 yuan per item and the sales director and the director's assistant 50 yuan
  each — proposed once per complaint, at its first breach.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from kehu.core.calendar.rules import (
    LOCAL_TZ,
    DayStatusLookup,
    DueDecision,
    Unit,
    due_at,
    end_of_local_day,
)

A3 = "A3"
# A3 has no clause numbers in the rulebook; every A3 duty cites "A3" and the explanation names
# the duty (forward in 24 hours, dispatch in 24 hours, result in 3 days, customer told in 2 days,
# not-soon explained in 3 days, one-stop, one explanation session).
A3_FORWARD = A3
A3_DISPATCH = A3
A3_RESULT = A3
A3_TELL = A3
A3_NOT_SOON = A3
A3_ONE_STOP = A3
A3_GROUP = A3
A3_CLOCK = "A3 reading (clock)"
A8_2 = "A8.2"
A4_HOTLINE = "A4 (热线)"
A9 = "A9"
A11 = "A11"


class Profile(StrEnum):
    A3 = "a3"  # 公司标准：24小时转客服、24小时派单、3日回复、2日告知
    A8_2 = "a8_2"  # 售楼处：当日解决，或当日告知解决时间


PROFILE_LABELS: dict[Profile, tuple[str, str]] = {
    Profile.A3: ("客户投诉处理（A3）", "Complaint handling (A3)"),
    Profile.A8_2: ("售楼处当日处理（A8.2）", "Sales office, same day (A8.2)"),
}


class Stage(StrEnum):
    RECEIVED = "received"  # 已受理：任一单位记录，转客服中心
    AT_SERVICE = "at_service"  # 客服中心已接收：分类、存档、派单
    DISPATCHED = "dispatched"  # 已派至责任部门：回复处理结果
    NOT_SOON = "not_soon"  # 短期内无法解决：向客户解释并约定新日期
    AGREED = "agreed"  # 已约定新日期：按约定日期解决
    RESULT = "result"  # 已有处理结果：告知客户
    CLOSED = "closed"  # 已办结


STAGE_LABELS: dict[Stage, tuple[str, str]] = {
    Stage.RECEIVED: ("已受理，待转客服中心", "Received, to pass to customer service"),
    Stage.AT_SERVICE: ("客服中心待分类派单", "At customer service, to classify and dispatch"),
    Stage.DISPATCHED: ("责任部门处理中", "With the responsible department"),
    Stage.NOT_SOON: ("无法短期解决，待向客户解释", "Cannot be solved soon: explain to customer"),
    Stage.AGREED: ("已约定解决日期", "New date agreed with the customer"),
    Stage.RESULT: ("已有结果，待告知客户", "Result ready: tell the customer"),
    Stage.CLOSED: ("已办结", "Closed"),
}

OPEN_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if s is not Stage.CLOSED)


class Action(StrEnum):
    FORWARD = "forward"  # 受理单位转客服中心（可附本单位的解决办法）
    DISPATCH = "dispatch"  # 客服中心分类、存档、派单
    REPORT_RESULT = "report_result"  # 责任部门（或客服、受理单位）回复处理结果
    REPORT_NOT_SOON = "report_not_soon"  # 责任部门：短期内无法解决
    AGREE_DATE = "agree_date"  # 已向客户解释并约定新日期
    TELL_CUSTOMER = "tell_customer"  # 已将结果告知客户 → 办结
    REOPEN = "reopen"  # 客户不满意（回访）→ 重新派单


ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.FORWARD: ("转客服中心", "Pass to customer service"),
    Action.DISPATCH: ("分类存档并派单", "Classify, file and dispatch"),
    Action.REPORT_RESULT: ("回复处理结果", "Report the result"),
    Action.REPORT_NOT_SOON: ("报告短期内无法解决", "Report: cannot be solved soon"),
    Action.AGREE_DATE: ("已解释并约定新日期", "Explained; new date agreed"),
    Action.TELL_CUSTOMER: ("已告知客户，办结", "Customer told; close"),
    Action.REOPEN: ("客户不满意，重新处理", "Customer not satisfied: reopen"),
}

# (profile, stage, action) → next stage. Nothing here refuses a complaint or sends the customer
# elsewhere: one-stop service (A3) has no such move.
TRANSITIONS: dict[Profile, dict[tuple[Stage, Action], Stage]] = {
    Profile.A3: {
        (Stage.RECEIVED, Action.FORWARD): Stage.AT_SERVICE,
        (Stage.AT_SERVICE, Action.DISPATCH): Stage.DISPATCHED,
        # customer service solved it itself (within its remit, or the receiving unit's solution)
        (Stage.AT_SERVICE, Action.REPORT_RESULT): Stage.RESULT,
        (Stage.DISPATCHED, Action.REPORT_RESULT): Stage.RESULT,
        (Stage.DISPATCHED, Action.REPORT_NOT_SOON): Stage.NOT_SOON,
        (Stage.NOT_SOON, Action.AGREE_DATE): Stage.AGREED,
        (Stage.AGREED, Action.REPORT_RESULT): Stage.RESULT,
        (Stage.AGREED, Action.AGREE_DATE): Stage.AGREED,  # a further agreement, recorded
        (Stage.RESULT, Action.TELL_CUSTOMER): Stage.CLOSED,
        (Stage.CLOSED, Action.REOPEN): Stage.DISPATCHED,
    },
    Profile.A8_2: {
        (Stage.RECEIVED, Action.REPORT_RESULT): Stage.RESULT,
        (Stage.RECEIVED, Action.REPORT_NOT_SOON): Stage.NOT_SOON,
        (Stage.NOT_SOON, Action.AGREE_DATE): Stage.AGREED,
        (Stage.AGREED, Action.REPORT_RESULT): Stage.RESULT,
        (Stage.AGREED, Action.AGREE_DATE): Stage.AGREED,
        (Stage.RESULT, Action.TELL_CUSTOMER): Stage.CLOSED,
        (Stage.CLOSED, Action.REOPEN): Stage.RECEIVED,
    },
}


@dataclass(frozen=True)
class StageClock:
    """How long a stage may take: ``amount`` of ``unit`` (hour | day | workday | sameday)."""

    amount: int
    unit: Unit
    rule_ids: tuple[str, ...]
    duty_zh: str  # what must happen by the deadline
    duty_en: str


# The rulebook's clocks; ``ComplaintPolicy`` may replace amount and unit per stage.
DEFAULT_CLOCKS: dict[Profile, dict[Stage, StageClock]] = {
    Profile.A3: {
        Stage.RECEIVED: StageClock(
            24, Unit.HOUR, (A3_FORWARD,), "转交客服中心", "pass to customer service"
        ),
        Stage.AT_SERVICE: StageClock(
            24, Unit.HOUR, (A3_DISPATCH,), "分类存档并派单", "classify, file and dispatch"
        ),
        Stage.DISPATCHED: StageClock(
            3, Unit.DAY, (A3_RESULT,), "责任部门回复处理结果", "department reports its result"
        ),
        Stage.NOT_SOON: StageClock(
            3,
            Unit.DAY,
            (A3_NOT_SOON,),
            "向客户解释并约定新日期",
            "explain to the customer and agree a new date",
        ),
        Stage.RESULT: StageClock(
            2, Unit.DAY, (A3_TELL,), "将处理结果告知客户", "tell the customer the result"
        ),
    },
    Profile.A8_2: {
        Stage.RECEIVED: StageClock(0, Unit.SAMEDAY, (A8_2,), "当日解决", "settle it the same day"),
        Stage.NOT_SOON: StageClock(
            0,
            Unit.SAMEDAY,
            (A8_2,),
            "当日告知客户解决时间",
            "tell the customer the same day when it will be settled",
        ),
        Stage.RESULT: StageClock(
            0, Unit.SAMEDAY, (A8_2,), "当日告知客户处理结果", "tell the customer the same day"
        ),
    },
}


@dataclass(frozen=True)
class ComplaintPolicy:
    """The numbers the policy page edits (key ``complaints``)."""

    clocks: Mapping[Profile, Mapping[Stage, StageClock]] = field(
        default_factory=lambda: DEFAULT_CLOCKS
    )
    warn_at_percent: int = 80  # the warning band starts when this share of the time is used
    escalate_every_hours: int = 24  # after a breach, one level up per this many hours
    a8_2_service_fine: Decimal = Decimal("100")  # per item, customer service
    a8_2_director_fine: Decimal = Decimal("50")  # sales director, jointly
    a8_2_assistant_fine: Decimal = Decimal("50")  # director's assistant, jointly
    group_window_days: int = 7  # complaints about one problem within this many days

    def clock(self, profile: Profile, stage: Stage) -> StageClock | None:
        return self.clocks.get(profile, {}).get(stage)


class TransitionRefused(Exception):
    """An action that the profile does not allow in the current stage."""

    def __init__(self, profile: Profile, stage: Stage, action: Action) -> None:
        super().__init__(f"{action} is not allowed in stage {stage} of profile {profile}")
        self.profile = profile
        self.stage = stage
        self.action = action

    @property
    def allowed(self) -> tuple[Action, ...]:
        return allowed_actions(self.profile, self.stage)


class AgreedDateMissing(Exception):
    """AGREE_DATE needs the date agreed with the customer, not before the agreement."""


def allowed_actions(profile: Profile, stage: Stage) -> tuple[Action, ...]:
    return tuple(a for (s, a) in TRANSITIONS[profile] if s is stage)


def next_stage(profile: Profile, stage: Stage, action: Action) -> Stage:
    """The stage an action leads to, or ``TransitionRefused``."""
    try:
        return TRANSITIONS[profile][(stage, action)]
    except KeyError:
        raise TransitionRefused(profile, stage, action) from None


@dataclass(frozen=True)
class StageDeadline:
    """When the stage that started at ``started_at`` is due, and why."""

    stage: Stage
    started_at: dt.datetime
    due_at: dt.datetime | None  # None: the stage has no deadline (closed)
    unit: Unit | None
    amount: int
    rule_ids: tuple[str, ...]
    explanation_zh: str
    explanation_en: str
    calendar: DueDecision | None = None


def stage_deadline(
    *,
    profile: Profile,
    stage: Stage,
    started_at: dt.datetime,
    policy: ComplaintPolicy,
    day_status: DayStatusLookup,
    agreed_date: dt.date | None = None,
) -> StageDeadline:
    """The deadline of ``stage`` entered at ``started_at``.

    AGREED is due at the end of the agreed local date (A3: the new date becomes the deadline);
    every other open stage by its clock; CLOSED has none. ``day_status`` is only consulted for
    working-day clocks and may raise ``YearNotCovered``."""
    if stage is Stage.CLOSED:
        return StageDeadline(stage, started_at, None, None, 0, (), "已办结", "Closed")
    if stage is Stage.AGREED:
        if agreed_date is None:
            raise AgreedDateMissing("the agreed date is needed")
        start_day = started_at.astimezone(LOCAL_TZ).date()
        if agreed_date < start_day:
            raise AgreedDateMissing("the agreed date is before the agreement")
        due = end_of_local_day(agreed_date)
        rule = (A8_2,) if profile is Profile.A8_2 else (A3_NOT_SOON,)
        return StageDeadline(
            stage,
            started_at,
            due,
            None,
            0,
            rule,
            f"按与客户约定的日期 {agreed_date:%Y-%m-%d} 解决",
            f"settle by the date agreed with the customer, {agreed_date:%Y-%m-%d}",
        )
    clock = policy.clock(profile, stage)
    if clock is None:
        raise TransitionRefused(profile, stage, Action.FORWARD)
    decision = due_at(start=started_at, amount=clock.amount, unit=clock.unit, day_status=day_status)
    rule_ids = (*clock.rule_ids, A3_CLOCK) if clock.unit is not Unit.SAMEDAY else clock.rule_ids
    return StageDeadline(
        stage,
        started_at,
        decision.due_at,
        clock.unit,
        clock.amount,
        rule_ids,
        f"{clock.duty_zh}：{decision.explanation_zh}",
        f"{clock.duty_en}: {decision.explanation_en}",
        decision,
    )


class TimeState(StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"  # 即将超时
    BREACHED = "breached"  # 已超时


TIME_STATE_LABELS: dict[TimeState, tuple[str, str]] = {
    TimeState.ON_TIME: ("正常", "on time"),
    TimeState.WARNING: ("即将超时", "due soon"),
    TimeState.BREACHED: ("已超时", "overdue"),
}


@dataclass(frozen=True)
class Timing:
    """What the sweep sees for one open stage at ``now``."""

    state: TimeState
    warn_at: dt.datetime
    due_at: dt.datetime
    escalation_level: int  # 0 none; 1 催办 the owner; 2+ 督办 one more level up each
    left: dt.timedelta  # negative once breached


def warn_at(started_at: dt.datetime, due: dt.datetime, warn_at_percent: int) -> dt.datetime:
    """The start of the warning band: ``warn_at_percent`` of the stage's time used."""
    span = due - started_at
    return started_at + span * warn_at_percent / 100


def timing(
    *,
    started_at: dt.datetime,
    due: dt.datetime,
    now: dt.datetime,
    policy: ComplaintPolicy,
) -> Timing:
    """On time, warning or breached at ``now``; and the escalation level (A3: customer service
    tracks every complaint; reading: 催办 at breach, 督办 one level up per further period)."""
    warning_from = warn_at(started_at, due, policy.warn_at_percent)
    if now > due:
        overdue = now - due
        every = dt.timedelta(hours=policy.escalate_every_hours)
        level = 1 + int(overdue // every)
        return Timing(TimeState.BREACHED, warning_from, due, level, due - now)
    state = TimeState.WARNING if now >= warning_from else TimeState.ON_TIME
    return Timing(state, warning_from, due, 0, due - now)


class PenaltyRole(StrEnum):
    CUSTOMER_SERVICE = "customer_service"  # 客服人员
    SALES_DIRECTOR = "sales_director"  # 销售总监
    DIRECTOR_ASSISTANT = "director_assistant"  # 总监助理


PENALTY_ROLE_LABELS: dict[PenaltyRole, tuple[str, str]] = {
    PenaltyRole.CUSTOMER_SERVICE: ("客服人员", "customer service"),
    PenaltyRole.SALES_DIRECTOR: ("销售总监", "sales director"),
    PenaltyRole.DIRECTOR_ASSISTANT: ("总监助理", "director's assistant"),
}


@dataclass(frozen=True)
class PenaltyProposal:
    role: PenaltyRole
    amount: Decimal
    rule_ids: tuple[str, ...]
    reason_zh: str


def a8_2_penalties(
    *, profile: Profile, already_penalised: bool, policy: ComplaintPolicy
) -> tuple[PenaltyProposal, ...]:
    """The fines an unsettled sales-office complaint brings (A8.2), once per complaint."""
    if profile is not Profile.A8_2 or already_penalised:
        return ()
    reason = "售楼处客户投诉未在规定时间内解决（A8.2）"
    return (
        PenaltyProposal(PenaltyRole.CUSTOMER_SERVICE, policy.a8_2_service_fine, (A8_2,), reason),
        PenaltyProposal(PenaltyRole.SALES_DIRECTOR, policy.a8_2_director_fine, (A8_2,), reason),
        PenaltyProposal(
            PenaltyRole.DIRECTOR_ASSISTANT, policy.a8_2_assistant_fine, (A8_2,), reason
        ),
    )


# --- grouping (A3: problems many customers raise get one explanation session) ---------------
@dataclass(frozen=True)
class GroupingKey:
    """What makes two complaints "about the same problem" for a suggestion."""

    complaint_id: str
    place: str  # project / building, as recorded ("" = unknown: never grouped)
    category: str
    received_at: dt.datetime


def suggest_groups(
    items: Iterable[GroupingKey], *, window_days: int
) -> tuple[tuple[str, ...], ...]:
    """Complaints with the same place and category, each within ``window_days`` of the previous
    one, form one suggested group (two or more). A person confirms it (A3 统一解释)."""
    by_problem: dict[tuple[str, str], list[GroupingKey]] = {}
    for item in items:
        if item.place and item.category:
            by_problem.setdefault((item.place, item.category), []).append(item)
    window = dt.timedelta(days=window_days)
    groups: list[tuple[str, ...]] = []
    for members in by_problem.values():
        members.sort(key=lambda k: (k.received_at, k.complaint_id))
        run: list[str] = [members[0].complaint_id]
        for before, item in itertools.pairwise(members):
            if item.received_at - before.received_at <= window:
                run.append(item.complaint_id)
            else:
                if len(run) > 1:
                    groups.append(tuple(run))
                run = [item.complaint_id]
        if len(run) > 1:
            groups.append(tuple(run))
    return tuple(sorted(groups))


# --- needs (A11) ------------------------------------------------------------------------------
class NeedClass(StrEnum):
    MANAGEMENT = "management"  # 管理需求：环境、绿化、维修、水电供应、电梯
    SERVICE = "service"  # 服务需求：态度、投诉处理、跟进
    BUSINESS = "business"  # 商务需求：购买行为、兴趣、消费规律


class NeedUnit(StrEnum):
    MANAGEMENT_OFFICE = "management_office"  # 管理处
    BUSINESS_SERVICES = "business_services"  # e家网商务服务部门


NEED_CLASS_LABELS: dict[NeedClass, tuple[str, str]] = {
    NeedClass.MANAGEMENT: ("管理需求", "management need"),
    NeedClass.SERVICE: ("服务需求", "service need"),
    NeedClass.BUSINESS: ("商务需求", "business need"),
}
NEED_UNIT_LABELS: dict[NeedUnit, tuple[str, str]] = {
    NeedUnit.MANAGEMENT_OFFICE: ("管理处", "management office"),
    NeedUnit.BUSINESS_SERVICES: ("e家网商务服务部门", "e-home business services"),
}
# The topics A11 lists under each class, for the classification form.
NEED_TOPICS: dict[NeedClass, tuple[str, ...]] = {
    NeedClass.MANAGEMENT: ("环境", "绿化", "维修", "水电供应", "电梯"),
    NeedClass.SERVICE: ("服务态度", "投诉处理", "跟进"),
    NeedClass.BUSINESS: ("购买行为", "兴趣爱好", "消费规律"),
}


def need_route(need: NeedClass) -> NeedUnit:
    """A11: management and service needs go to the management office, business needs to the
    e-home business-services unit."""
    if need is NeedClass.BUSINESS:
        return NeedUnit.BUSINESS_SERVICES
    return NeedUnit.MANAGEMENT_OFFICE


# --- work orders and callbacks (A4 hotline, A9) --------------------------------------------------
class WorkKind(StrEnum):
    LEAK = "leak"  # 漏气报告：立即生成紧急工单（A4）
    REPAIR = "repair"  # 报修（A9）
    MOVE_IN = "move_in"  # 入住
    RENOVATION = "renovation"  # 二装
    MOVE_OUT = "move_out"  # 退租
    CLEANING = "cleaning"  # 日常清洁
    PAID_CLEANING = "paid_cleaning"  # 有偿清洁


WORK_KIND_LABELS: dict[WorkKind, tuple[str, str]] = {
    WorkKind.LEAK: ("漏气抢修", "gas leak"),
    WorkKind.REPAIR: ("报修", "repair"),
    WorkKind.MOVE_IN: ("入住", "move-in"),
    WorkKind.RENOVATION: ("二次装修", "renovation"),
    WorkKind.MOVE_OUT: ("退租", "move-out"),
    WorkKind.CLEANING: ("日常清洁", "cleaning"),
    WorkKind.PAID_CLEANING: ("有偿清洁", "paid cleaning"),
}


def work_order_rule_ids(kind: WorkKind) -> tuple[str, ...]:
    return (A4_HOTLINE,) if kind is WorkKind.LEAK else (A9,)


def is_urgent(kind: WorkKind) -> bool:
    """A4: a gas-leak report becomes an urgent work order at once."""
    return kind is WorkKind.LEAK


@dataclass(frozen=True)
class CallbackVerdict:
    reopen: bool
    rule_ids: tuple[str, ...]
    explanation_zh: str


def callback_verdict(*, kind: WorkKind, satisfied: bool) -> CallbackVerdict:
    """Every completed work order gets a callback (100% 回访, A4/A9); an unhappy customer
    reopens it."""
    rule_ids = work_order_rule_ids(kind)
    if satisfied:
        return CallbackVerdict(False, rule_ids, "客户满意，回访完成")
    return CallbackVerdict(True, rule_ids, "客户不满意，工单重新打开")


def callbacks_missing(completed_ids: Sequence[str], called_back_ids: Iterable[str]) -> list[str]:
    """Completed work orders still without a callback (the 100% rule's gap list)."""
    called = set(called_back_ids)
    return [i for i in completed_ids if i not in called]
