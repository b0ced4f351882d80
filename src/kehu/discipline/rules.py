"""Rewards and penalties (奖惩): pure decisions on an employee's ledger entries.

Rulebook Part G 五 (A4 五.5 accumulation and offset, A4 五.6 external rewards) and A4 四.六
(supervision failures and warnings). No Django, no I/O, no clock: callers pass the entries, the
policy and the date the standing is wanted for, and get back a ``Standing`` whose every derived
fact names the entries and rule IDs that produced it.

Readings (rulebook "Reading (accumulation)"), each a policy value:
- entries are processed in time order (date, then ledger sequence);
- only entries inside the accumulation window (default the 12 months before the entry being
  processed) accumulate; an older unconverted entry stays on record but no longer pairs;
- a pair that converts is consumed by the conversion (4 criticisms → 2 minor demerits → 1 major
  demerit); the second major merit grants the one-time bonus and consumes the pair; the second
  major demerit raises a termination proposal and consumes the pair;
- an approved offset cancels one unconverted penalty with one unconverted merit of the same
  level; when either is no longer unconverted it has no effect (a count never goes negative);
- a reversed entry (an upheld appeal) is treated as never having happened, and so is everything
  derived from it;
- supervision failures (A4 四.六) count per type within a window (default the calendar year);
  each occurrence that brings the count to a multiple of the threshold (3rd, 6th … for types
  1–4; 2nd, 4th … for type 5) adds the heavier deduction and a warning; the 2nd, 4th … cover-up
  (type 6) raises a demotion proposal; each 2nd warning within the window raises a
  reassignment-or-demotion proposal (A4 四.六.7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class Kind(StrEnum):
    # administrative rewards and penalties (A4 五.5.1)
    COMMENDATION = "commendation"  # 通报表扬
    MINOR_MERIT = "minor_merit"  # 记小功
    MAJOR_MERIT = "major_merit"  # 记大功
    CRITICISM = "criticism"  # 通报批评
    MINOR_DEMERIT = "minor_demerit"  # 记小过
    MAJOR_DEMERIT = "major_demerit"  # 记大过
    TERMINATION = "termination"  # 解除劳动合同 (a decision, recorded by a manager)
    # economic (A4 五.5.2), performance (五.5.3) and special awards (五.5.4)
    FINE = "fine"  # 罚款
    BONUS = "bonus"  # 奖金
    POINTS = "points"  # 绩效加减分
    SPECIAL_AWARD = "special_award"  # 专项奖励
    # supervision (A4 四.六)
    WARNING = "warning"  # 警告
    SUPERVISION_FAILURE = "supervision_failure"  # 监督考核不合格 (type 1–6)
    DEMOTION = "demotion"  # 降职 (a decision)
    REASSIGNMENT = "reassignment"  # 调整工作岗位 (a decision)
    # corrections by new entries
    OFFSET = "offset"  # 功过相抵 (approved): refs = (merit id, penalty id)
    REVERSAL = "reversal"  # 申诉成立撤销: refs = (reversed entry id,)


KIND_LABELS: dict[Kind, str] = {
    Kind.COMMENDATION: "通报表扬",
    Kind.MINOR_MERIT: "记小功",
    Kind.MAJOR_MERIT: "记大功",
    Kind.CRITICISM: "通报批评",
    Kind.MINOR_DEMERIT: "记小过",
    Kind.MAJOR_DEMERIT: "记大过",
    Kind.TERMINATION: "解除劳动合同",
    Kind.FINE: "罚款",
    Kind.BONUS: "奖金",
    Kind.POINTS: "绩效加减分",
    Kind.SPECIAL_AWARD: "专项奖励",
    Kind.WARNING: "警告",
    Kind.SUPERVISION_FAILURE: "监督考核不合格",
    Kind.DEMOTION: "降职",
    Kind.REASSIGNMENT: "调整岗位",
    Kind.OFFSET: "功过相抵",
    Kind.REVERSAL: "撤销（申诉成立）",
}

PENALTY_LEVELS = (Kind.CRITICISM, Kind.MINOR_DEMERIT, Kind.MAJOR_DEMERIT)
MERIT_LEVELS = (Kind.COMMENDATION, Kind.MINOR_MERIT, Kind.MAJOR_MERIT)
LEVELS = PENALTY_LEVELS + MERIT_LEVELS
# Which merit cancels which penalty (A4 五.5.6).
OFFSET_PAIRS: dict[Kind, Kind] = {
    Kind.CRITICISM: Kind.COMMENDATION,
    Kind.MINOR_DEMERIT: Kind.MINOR_MERIT,
    Kind.MAJOR_DEMERIT: Kind.MAJOR_MERIT,
}
# Two of a level convert to one of the next (A4 五.5.5).
NEXT_LEVEL: dict[Kind, Kind] = {
    Kind.CRITICISM: Kind.MINOR_DEMERIT,
    Kind.MINOR_DEMERIT: Kind.MAJOR_DEMERIT,
    Kind.COMMENDATION: Kind.MINOR_MERIT,
    Kind.MINOR_MERIT: Kind.MAJOR_MERIT,
}

RULE_ACCUMULATE_PENALTY = "A4 五.5.5(惩罚)"
RULE_ACCUMULATE_REWARD = "A4 五.5.5(奖励)"
RULE_OFFSET = "A4 五.5.6"
RULE_FAILURE = "A4 四.六.{n}"
RULE_TWO_WARNINGS = "A4 四.六.7"
RULE_APPEAL = "A4 四.七"
RULE_HAZARD_REWARD = "A4 五.6.1"
RULE_THEFT_REWARD = "A4 五.6.2"


FAILURE_LABELS: dict[int, str] = {
    1: "未按要求完成抽查工作或抽查率未达标",
    2: "未建立抽查工作台帐或台帐弄虚作假",
    3: "现场核实台帐未保留客户与受检人员签名",
    4: "未对存在的问题提出处理意见并逐级上报",
    5: "每月未按要求上报班组工作检查情况",
    6: "对发现的问题包庇或隐瞒不报",
}
COVER_UP = 6


class WindowMode(StrEnum):
    CALENDAR_YEAR = "calendar_year"
    ROLLING_12_MONTHS = "rolling_12_months"


@dataclass(frozen=True)
class DisciplinePolicy:
    """The numbers of Part G 五 and A4 四.六; defaults are the rulebook's."""

    accumulation_window_months: int = 12
    penalty_period_months: int = 12
    major_merit_pair_bonus: Decimal = Decimal("2000.00")
    failure_thresholds: tuple[tuple[int, int], ...] = ((1, 3), (2, 3), (3, 3), (4, 3), (5, 2))
    cover_up_demotion_threshold: int = 2
    failure_deduction_points: int = 2
    failure_heavy_deduction_points: int = 5
    same_type_window: WindowMode = WindowMode.CALENDAR_YEAR
    warnings_for_reassignment: int = 2
    warning_window: WindowMode = WindowMode.CALENDAR_YEAR

    def threshold_for(self, failure_type: int) -> int:
        if failure_type == COVER_UP:
            return self.cover_up_demotion_threshold
        return dict(self.failure_thresholds)[failure_type]


@dataclass(frozen=True)
class Entry:
    """One ledger entry as the rules see it."""

    id: str
    kind: Kind
    on: dt.date
    seq: int = 0
    amount: Decimal | None = None  # yuan, for fines, bonuses, special awards
    points: int | None = None  # performance points, + or −
    failure_type: int | None = None  # for supervision failures
    refs: tuple[str, ...] = ()  # offset: (merit, penalty); reversal: (entry,)
    rule_ids: tuple[str, ...] = ()  # the rules that caused the entry (e.g. A7.13)


@dataclass(frozen=True)
class Derived:
    """A fact the rules produced: a conversion, a bonus, a warning, a deduction."""

    id: str
    kind: Kind
    on: dt.date
    from_ids: tuple[str, ...]
    rule_ids: tuple[str, ...]
    amount: Decimal | None = None
    points: int | None = None
    note_zh: str = ""


@dataclass(frozen=True)
class Proposal:
    """Something a manager must decide: termination, demotion, reassignment, an offset."""

    kind: str  # "termination" | "demotion" | "reassignment_or_demotion" | "offset"
    on: dt.date
    from_ids: tuple[str, ...]
    rule_ids: tuple[str, ...]
    note_zh: str


@dataclass(frozen=True)
class Step:
    """One line of the explanation, in time order."""

    on: dt.date
    text_zh: str
    entry_ids: tuple[str, ...]
    rule_ids: tuple[str, ...]


@dataclass
class Standing:
    as_of: dt.date
    counts: dict[str, int]
    derived: list[Derived]
    proposals: list[Proposal]
    fines: Decimal
    bonuses: Decimal
    points: int
    warnings_in_window: int
    failures_in_window: dict[int, int]
    steps: list[Step]
    ignored_ids: list[str] = field(default_factory=list)

    @property
    def money_net(self) -> Decimal:
        """Bonuses minus fines, in yuan (positive: the company owes the employee)."""
        return self.bonuses - self.fines

    @property
    def rule_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for step in self.steps:
            for rule_id in step.rule_ids:
                seen.setdefault(rule_id, None)
        return list(seen)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, clamped to the month's end (31 Mar − 1 = 28/29 Feb)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def in_window(then: dt.date, now: dt.date, mode: WindowMode) -> bool:
    if mode == WindowMode.CALENDAR_YEAR:
        return then.year == now.year and then <= now
    return months_before(now, 12) < then <= now


def _label(kind: Kind) -> str:
    return KIND_LABELS[kind]


class _Replay:
    """Walks entries in time order, keeping unconverted administrative entries per level."""

    def __init__(self, policy: DisciplinePolicy) -> None:
        self.policy = policy
        self.pending: dict[Kind, list[tuple[str, dt.date]]] = {level: [] for level in LEVELS}
        self.derived: list[Derived] = []
        self.proposals: list[Proposal] = []
        self.steps: list[Step] = []
        self.fines = Decimal("0.00")
        self.bonuses = Decimal("0.00")
        self.points = 0
        self.warnings: list[tuple[str, dt.date]] = []
        self.failures: dict[int, list[tuple[str, dt.date]]] = {}

    # -- administrative levels -----------------------------------------------------------
    def _expire(self, now: dt.date) -> None:
        horizon = months_before(now, self.policy.accumulation_window_months)
        for level, items in self.pending.items():
            kept = [(i, d) for i, d in items if d > horizon]
            for entry_id, on in items:
                if on <= horizon:
                    self.steps.append(
                        Step(
                            now,
                            f"{_label(level)}（{on}）已超出累计期，不再参与累计",
                            (entry_id,),
                            (
                                RULE_ACCUMULATE_PENALTY
                                if level in PENALTY_LEVELS
                                else RULE_ACCUMULATE_REWARD,
                            ),
                        )
                    )
            self.pending[level] = kept

    def add_level(self, level: Kind, entry_id: str, on: dt.date) -> None:
        self._expire(on)
        self.pending[level].append((entry_id, on))
        items = self.pending[level]
        if len(items) < 2:
            return
        (first, _), (second, _) = items[0], items[1]
        self.pending[level] = items[2:]
        pair = (first, second)
        penalty = level in PENALTY_LEVELS
        rule = RULE_ACCUMULATE_PENALTY if penalty else RULE_ACCUMULATE_REWARD
        derived_id = f"{level.value}-pair:{first}+{second}"
        if level in NEXT_LEVEL:
            higher = NEXT_LEVEL[level]
            self.derived.append(
                Derived(
                    derived_id,
                    higher,
                    on,
                    pair,
                    (rule,),
                    note_zh=f"2次{_label(level)}记为1次{_label(higher)}",
                )
            )
            self.steps.append(Step(on, f"2次{_label(level)}记为1次{_label(higher)}", pair, (rule,)))
            self.add_level(higher, derived_id, on)
        elif level == Kind.MAJOR_MERIT:
            amount = self.policy.major_merit_pair_bonus
            self.bonuses += amount
            self.derived.append(
                Derived(
                    derived_id,
                    Kind.BONUS,
                    on,
                    pair,
                    (rule,),
                    amount=amount,
                    note_zh=f"2次记大功，一次性奖励{amount}元",
                )
            )
            self.steps.append(Step(on, f"2次记大功，一次性奖励{amount}元", pair, (rule,)))
        else:  # two major demerits
            self.proposals.append(
                Proposal(
                    "termination",
                    on,
                    pair,
                    (rule,),
                    "2次记大过，提请解除劳动合同（须经决定）",
                )
            )
            self.steps.append(Step(on, "2次记大过，提请解除劳动合同（须经决定）", pair, (rule,)))

    def offset(self, entry: Entry) -> None:
        merit_id, penalty_id = entry.refs
        for penalty_level, merit_level in OFFSET_PAIRS.items():
            penalty = next((p for p in self.pending[penalty_level] if p[0] == penalty_id), None)
            merit = next((m for m in self.pending[merit_level] if m[0] == merit_id), None)
            if penalty is not None and merit is not None:
                self.pending[penalty_level].remove(penalty)
                self.pending[merit_level].remove(merit)
                self.steps.append(
                    Step(
                        entry.on,
                        f"经批准，1次{_label(merit_level)}抵销1次{_label(penalty_level)}",
                        (entry.id, merit_id, penalty_id),
                        (RULE_OFFSET,),
                    )
                )
                return
        self.steps.append(
            Step(
                entry.on,
                "功过相抵未生效：所引用的功或过已被累计转换、抵销或不存在，或级别不同",
                (entry.id, *entry.refs),
                (RULE_OFFSET,),
            )
        )

    # -- supervision failures and warnings -------------------------------------------------
    def warning(self, entry_id: str, on: dt.date, rule_ids: tuple[str, ...]) -> None:
        self.warnings.append((entry_id, on))
        in_win = [w for w in self.warnings if in_window(w[1], on, self.policy.warning_window)]
        self.steps.append(Step(on, f"警告（本期第{len(in_win)}次）", (entry_id,), rule_ids))
        if len(in_win) % self.policy.warnings_for_reassignment == 0:
            ids = tuple(w[0] for w in in_win[-self.policy.warnings_for_reassignment :])
            note = "年内出现两次警告，提请调整工作岗位或降职"
            self.proposals.append(
                Proposal("reassignment_or_demotion", on, ids, (RULE_TWO_WARNINGS,), note)
            )
            self.steps.append(Step(on, note, ids, (RULE_TWO_WARNINGS,)))

    def failure(self, entry: Entry) -> None:
        failure_type = entry.failure_type
        if failure_type is None or failure_type not in FAILURE_LABELS:
            raise ValueError(f"supervision failure {entry.id} has no valid failure_type (1–6)")
        rule = RULE_FAILURE.format(n=failure_type)
        history = self.failures.setdefault(failure_type, [])
        history.append((entry.id, entry.on))
        same_type = [h for h in history if in_window(h[1], entry.on, self.policy.same_type_window)]
        count = len(same_type)
        threshold = self.policy.threshold_for(failure_type)
        reached = count % threshold == 0
        deduction = (
            self.policy.failure_heavy_deduction_points
            if reached
            else self.policy.failure_deduction_points
        )
        self.points -= deduction
        label = FAILURE_LABELS[failure_type]
        self.derived.append(
            Derived(
                f"deduction:{entry.id}",
                Kind.POINTS,
                entry.on,
                (entry.id,),
                (rule,),
                points=-deduction,
                note_zh=f"{label}（同类第{count}次），绩效减{deduction}分",
            )
        )
        self.steps.append(
            Step(
                entry.on,
                f"{label}（同类第{count}次），绩效减{deduction}分",
                (entry.id,),
                (rule,),
            )
        )
        if not reached:
            return
        ids = tuple(h[0] for h in same_type[-threshold:])
        if failure_type == COVER_UP:
            note = f"包庇或隐瞒不报第{count}次，提请降职"
            self.proposals.append(Proposal("demotion", entry.on, ids, (rule,), note))
            self.steps.append(Step(entry.on, note, ids, (rule,)))
        else:
            warning_id = f"warning:{entry.id}"
            self.derived.append(
                Derived(
                    warning_id,
                    Kind.WARNING,
                    entry.on,
                    ids,
                    (rule,),
                    note_zh=f"同类情况第{count}次，予以警告",
                )
            )
            self.warning(warning_id, entry.on, (rule,))


def _without_reversed(entries: Iterable[Entry]) -> tuple[list[Entry], list[str]]:
    entries = list(entries)
    reversed_ids = {ref for e in entries if e.kind == Kind.REVERSAL for ref in e.refs}
    kept = [e for e in entries if e.id not in reversed_ids and e.kind != Kind.REVERSAL]
    return kept, sorted(reversed_ids)


def standing(entries: Sequence[Entry], policy: DisciplinePolicy, as_of: dt.date) -> Standing:
    """An employee's standing on ``as_of``, from their entries up to that day."""
    upto = [e for e in entries if e.on <= as_of]
    kept, reversed_ids = _without_reversed(upto)
    replay = _Replay(policy)
    for reversed_id in reversed_ids:
        replay.steps.append(
            Step(as_of, "申诉成立，该条目及其派生结果不再计算", (reversed_id,), (RULE_APPEAL,))
        )
    for entry in sorted(kept, key=lambda e: (e.on, e.seq, e.id)):
        if entry.kind in LEVELS:
            replay.steps.append(
                Step(entry.on, _label(entry.kind), (entry.id,), entry.rule_ids or ("A4 五.5.1",))
            )
            replay.add_level(entry.kind, entry.id, entry.on)
        elif entry.kind == Kind.OFFSET:
            replay.offset(entry)
        elif entry.kind == Kind.FINE:
            amount = (entry.amount or Decimal(0)).quantize(CENT)
            replay.fines += amount
            replay.steps.append(
                Step(entry.on, f"罚款{amount}元", (entry.id,), entry.rule_ids or ("A4 五.5.2",))
            )
        elif entry.kind in (Kind.BONUS, Kind.SPECIAL_AWARD):
            amount = (entry.amount or Decimal(0)).quantize(CENT)
            replay.bonuses += amount
            replay.steps.append(
                Step(
                    entry.on,
                    f"{_label(entry.kind)}{amount}元",
                    (entry.id,),
                    entry.rule_ids or ("A4 五.5.2",),
                )
            )
        elif entry.kind == Kind.POINTS:
            replay.points += entry.points or 0
            replay.steps.append(
                Step(
                    entry.on,
                    f"绩效{'加' if (entry.points or 0) >= 0 else '减'}{abs(entry.points or 0)}分",
                    (entry.id,),
                    entry.rule_ids or ("A4 五.5.3",),
                )
            )
        elif entry.kind == Kind.WARNING:
            replay.warning(entry.id, entry.on, entry.rule_ids or ("A4 四.六",))
        elif entry.kind == Kind.SUPERVISION_FAILURE:
            replay.failure(entry)
        else:  # decisions: termination, demotion, reassignment
            replay.steps.append(
                Step(entry.on, f"决定：{_label(entry.kind)}", (entry.id,), entry.rule_ids)
            )
    replay._expire(as_of)
    proposals = replay.proposals + offset_proposals(replay.pending, policy, as_of)
    return Standing(
        as_of=as_of,
        counts={level.value: len(items) for level, items in replay.pending.items()},
        derived=replay.derived,
        proposals=proposals,
        fines=replay.fines,
        bonuses=replay.bonuses,
        points=replay.points,
        warnings_in_window=sum(
            1 for _, on in replay.warnings if in_window(on, as_of, policy.warning_window)
        ),
        failures_in_window={
            t: sum(1 for _, on in hist if in_window(on, as_of, policy.same_type_window))
            for t, hist in sorted(replay.failures.items())
        },
        steps=replay.steps,
        ignored_ids=reversed_ids,
    )


def offset_proposals(
    pending: dict[Kind, list[tuple[str, dt.date]]], policy: DisciplinePolicy, as_of: dt.date
) -> list[Proposal]:
    """Same-level offsets a manager may approve: a merit earned during a penalty's period."""
    proposals: list[Proposal] = []
    for penalty_level, merit_level in OFFSET_PAIRS.items():
        merits = list(pending[merit_level])
        for penalty_id, penalty_on in pending[penalty_level]:
            period_end = months_before(penalty_on, -policy.penalty_period_months)
            if as_of > period_end:
                continue
            match = next((m for m in merits if penalty_on <= m[1] <= period_end), None)
            if match is None:
                continue
            merits.remove(match)
            proposals.append(
                Proposal(
                    "offset",
                    match[1],
                    (match[0], penalty_id),
                    (RULE_OFFSET,),
                    f"处分期间有{_label(merit_level)}，可酌情抵销1次{_label(penalty_level)}"
                    "（须经理批准）",
                )
            )
    return proposals


# -- external rewards (A4 五.6) -------------------------------------------------------------


class HazardSeverity(StrEnum):
    MINOR = "minor"  # 轻微隐患
    ORDINARY = "ordinary"  # 一般隐患
    MAJOR = "major"  # 较大隐患
    SERIOUS = "serious"  # 严重隐患


HAZARD_SEVERITY_LABELS = {
    HazardSeverity.MINOR: "轻微隐患",
    HazardSeverity.ORDINARY: "一般隐患",
    HazardSeverity.MAJOR: "较大隐患",
    HazardSeverity.SERIOUS: "严重隐患",
}


@dataclass(frozen=True)
class RewardDecision:
    amount: Decimal
    rule_ids: tuple[str, ...]
    explanation_zh: str


def hazard_report_reward(
    *,
    severity: HazardSeverity,
    own_home: bool,
    verified: bool,
    amounts: dict[HazardSeverity, Decimal],
) -> RewardDecision:
    """A customer's verified report of a hazard outside their own home (A4 五.6.1)."""
    if not verified:
        return RewardDecision(Decimal("0.00"), (RULE_HAZARD_REWARD,), "未经公司查实，不予奖励")
    if own_home:
        return RewardDecision(
            Decimal("0.00"), (RULE_HAZARD_REWARD,), "举报的是自家隐患，不属于奖励范围"
        )
    amount = amounts[severity].quantize(CENT)
    return RewardDecision(
        amount,
        (RULE_HAZARD_REWARD,),
        f"经查实的非自家{HAZARD_SEVERITY_LABELS[severity]}，奖励{amount}元",
    )


def theft_report_reward(*, basis: Decimal, rate: Decimal, verified: bool) -> RewardDecision:
    """A customer's verified report of gas theft: a rate of the fine or recovered fees."""
    if not verified:
        return RewardDecision(Decimal("0.00"), (RULE_THEFT_REWARD,), "未经公司查实，不予奖励")
    if basis < 0 or not (Decimal(0) < rate <= Decimal(1)):
        raise ValueError("basis must be ≥ 0 and rate in (0, 1]")
    amount = (basis * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    percent = (rate * 100).normalize()
    return RewardDecision(
        amount,
        (RULE_THEFT_REWARD,),
        f"按处罚额或追缴气费{basis}元的{percent}%奖励举报人{amount}元",
    )


def fine_within_range(*, amount: Decimal, low: Decimal, high: Decimal) -> bool:
    """A fine chosen by a manager must lie within the rule's range (e.g. A7.13: 200–500)."""
    return low <= amount <= high
