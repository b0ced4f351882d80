"""Rotation (轮排): pure decisions on one sales office's day of walk-in receptions.

Rulebook Part S "Rotation"; the seed's 第2篇 1, 2, 5, 12, 第5篇 1 and 第7篇 1–3, 7, 9, 12.
No Django, no I/O, no clock: callers pass the day's state (who is on duty, in which order, in
which status; where the pointer stands; the make-up turns still owed) and the policy, and get
back who receives and why — with the rule IDs and a Chinese explanation. Each explanation is
also a message (``kehu.sales.rules.messages.Msg``: a key and its parameters) that
``kehu.sales.labels`` renders in the reader's language; the Chinese is the message rendered in
Chinese, so the two never differ.

How a new walk-in (新客户, asks for nobody) is given a receiver (A2.1 / A5.1 / A7.1, A2.12):

1. With ``skip_makeup = owed`` (A5.1 跳过补接): the first make-up holder, in the order the
   make-ups were earned, who is on duty and free receives, ahead of the pointer (A7.2 "在第一时间
   补接新客户"). The make-up is served; the pointer stays where it is.
2. Otherwise the pointer walks the rotation from the salesperson whose turn it is: a busy
   (A2.5) or absent salesperson is skipped; the first free one receives and the pointer moves to
   the one after them. Each skip earns a make-up turn only with ``owed`` and only for A7.2's four
   reasons (1) own old or phone customer, (2) a colleague's old customer, verified, (3) helping a
   colleague, (4) other work the project team assigned. Rest days, personal and sick leave earn
   none (A7.3). With ``none`` (A2.1 跳过不接) nobody is ever owed a make-up.

Receptions that do not consume a turn (不占用接待名额): asked-for (A7.12(2), A7.9(3)), helping and
handing back (A7.9(1), A7.9(2), A7.12(3)), public customers (A7.7), group buys (A7.18, reading)
and company referrals (A1.6). The rotation's choice among them is the first free salesperson
from the pointer, but the pointer does not move: the receiver keeps their place and is still
next, and nobody passed over for such a customer has lost a turn.

Readings (documented in docs/rotation.md):
- a salesperson skipped while busy with a reception that did not consume a turn is owed a
  make-up under the clause that covers that reception: own customer → A7.2(1), a colleague's
  customer → A7.2(2), helping → A7.2(3), a public customer → A7.7 (按补客户处理), a group buy →
  A7.18, a company referral (work the PM assigned) → A7.2(4); busy with a rotation customer (the
  turn was consumed) earns none;
- make-ups are never served for a customer who does not consume a turn (public, helping …);
- make-ups earned after the fact (found public afterwards, A7.7; came for the receiver's
  colleague, A7.9(3); a colleague's customer found, A7.2(2)) also follow ``skip_makeup``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from kehu.sales.rules.messages import (
    Msg,
    Param,
    Term,
    define,
    gettext_noop,
    msg,
    seq,
    terms,
)


class SkipMakeup(StrEnum):
    """Policy ``rotation.skip_makeup``: what a skipped salesperson is owed."""

    NONE = "none"  # A2.1: 跳过（不接）
    OWED = "owed"  # A5.1: 跳过（补接），limited by A7.2 / A7.3


@dataclass(frozen=True)
class RotationPolicy:
    skip_makeup: SkipMakeup = SkipMakeup.OWED
    # Reading of A7.18: a group-buy customer is received in order but consumes no turn.
    group_buy_consumes: bool = False


class Status(StrEnum):
    FREE = "free"  # 在岗（空闲）
    BUSY = "busy"  # 接待中
    AWAY = "away"  # 不在岗


STATUS_LABELS: dict[Status, str] = {
    Status.FREE: gettext_noop("在岗"),
    Status.BUSY: gettext_noop("接待中"),
    Status.AWAY: gettext_noop("不在岗"),
}


class Reason(StrEnum):
    """Why a salesperson is busy or away; decides whether a skip earns a make-up."""

    # busy (接待中)
    ROTATION = "rotation"  # 接待轮排新客户（已占名额）
    OWN_CUSTOMER = "own_customer"  # 接待自己的老客户或来电客户 A7.2(1)
    COLLEAGUE_CUSTOMER = "colleague_customer"  # 接待同事的老客户（已查明）A7.2(2)
    HELPING = "helping"  # 帮助同事接待 A7.2(3)
    PUBLIC = "public"  # 接待公共客户 A7.7
    GROUP_BUY = "group_buy"  # 接待团购客户 A7.18
    COMPANY_REFERRAL = "company_referral"  # 接待公司转介客户（项目经理指派）A1.6
    # away (不在岗)
    ASSIGNED_WORK = "assigned_work"  # 项目组另外安排工作 A7.2(4)
    REST = "rest"  # 正常休班 A7.3
    PERSONAL_LEAVE = "personal_leave"  # 事假 A7.3
    SICK_LEAVE = "sick_leave"  # 病假 A7.3
    OTHER = "other"  # 其他原因不在岗（不属 A7.2 所列情形）


@dataclass(frozen=True)
class ReasonSpec:
    status: Status
    label_zh: str
    makeup_rule: str | None  # the clause that owes a make-up when skipped, or None
    no_makeup_rule: str  # the clause that says it owes none
    manual: bool  # may the desk set it by hand (rather than through an assignment)


REASONS: dict[Reason, ReasonSpec] = {
    Reason.ROTATION: ReasonSpec(Status.BUSY, gettext_noop("接待轮排新客户"), None, "A7.2", False),
    Reason.OWN_CUSTOMER: ReasonSpec(
        Status.BUSY, gettext_noop("接待自己的老客户或来电客户"), "A7.2(1)", "A2.1", True
    ),
    Reason.COLLEAGUE_CUSTOMER: ReasonSpec(
        Status.BUSY, gettext_noop("接待同事的老客户（已查明）"), "A7.2(2)", "A2.1", True
    ),
    Reason.HELPING: ReasonSpec(Status.BUSY, gettext_noop("帮助同事接待"), "A7.2(3)", "A2.1", True),
    Reason.PUBLIC: ReasonSpec(Status.BUSY, gettext_noop("接待公共客户"), "A7.7", "A2.1", False),
    Reason.GROUP_BUY: ReasonSpec(Status.BUSY, gettext_noop("接待团购客户"), "A7.18", "A2.1", False),
    Reason.COMPANY_REFERRAL: ReasonSpec(
        Status.BUSY, gettext_noop("接待公司转介客户（项目经理指派）"), "A7.2(4)", "A2.1", False
    ),
    Reason.ASSIGNED_WORK: ReasonSpec(
        Status.AWAY, gettext_noop("项目组另外安排工作"), "A7.2(4)", "A2.1", True
    ),
    Reason.REST: ReasonSpec(Status.AWAY, gettext_noop("正常休班"), None, "A7.3", True),
    Reason.PERSONAL_LEAVE: ReasonSpec(Status.AWAY, gettext_noop("事假"), None, "A7.3", True),
    Reason.SICK_LEAVE: ReasonSpec(Status.AWAY, gettext_noop("病假"), None, "A7.3", True),
    Reason.OTHER: ReasonSpec(Status.AWAY, gettext_noop("其他原因不在岗"), None, "A7.2", True),
}

AWAY_REASONS: tuple[Reason, ...] = tuple(r for r, s in REASONS.items() if s.status == Status.AWAY)
MANUAL_BUSY_REASONS: tuple[Reason, ...] = tuple(
    r for r, s in REASONS.items() if s.status == Status.BUSY and s.manual
)


class ReceptionKind(StrEnum):
    """What the front desk records about an arriving visitor, as far as the rotation cares."""

    NEW = "new"  # 新客户，未点名：轮排接待，占用名额
    ASKED_FOR = "asked_for"  # 点名找某售楼员且其在场：由其接待，不占名额
    HELPING = "helping"  # 找的售楼员不在：轮排帮忙接待，事后归还，不占名额
    PUBLIC = "public"  # 公共客户：按轮排接待，不占名额
    GROUP_BUY = "group_buy"  # 团购客户：当值售楼员按顺序接待
    COMPANY_REFERRAL = "company_referral"  # 公司转介：项目经理指派，不占名额


KIND_LABELS: dict[ReceptionKind, str] = {
    ReceptionKind.NEW: gettext_noop("新客户（按轮排）"),
    ReceptionKind.ASKED_FOR: gettext_noop("点名接待"),
    ReceptionKind.HELPING: gettext_noop("帮忙接待（事后归还）"),
    ReceptionKind.PUBLIC: gettext_noop("公共客户"),
    ReceptionKind.GROUP_BUY: gettext_noop("团购客户"),
    ReceptionKind.COMPANY_REFERRAL: gettext_noop("公司转介客户"),
}


terms(
    [
        *STATUS_LABELS.values(),
        *(spec.label_zh for spec in REASONS.values()),
        *KIND_LABELS.values(),
    ]
)

# The rotation's sentences (services use the ``rotation.event.*`` ones for the day's events).
define(
    {
        "rotation.effect.new": gettext_noop("新客户未点名，按轮排表顺序接待，占用接待名额"),
        "rotation.effect.asked_for": gettext_noop(
            "客户主动找该售楼员且其在场，由其接待，不占用接待名额"
        ),
        "rotation.effect.helping": gettext_noop(
            "原售楼员不在，按轮排帮忙接待，事后归还，不占用接待名额"
        ),
        "rotation.effect.public": gettext_noop(
            "公共客户按轮排表顺序接待，不占用接待名额，属销售部公共资源"
        ),
        "rotation.effect.group_buy_consumes": gettext_noop(
            "团购客户由当值售楼员按顺序接待；按本公司规则设置占用接待名额"
        ),
        "rotation.effect.group_buy": gettext_noop(
            "团购客户由当值售楼员按顺序接待，业绩不完全归其所有，不占用接待名额（规则解读）"
        ),
        "rotation.effect.company_referral": gettext_noop(
            "公司转介客户由项目经理指派接待，不占用接待名额，佣金另议"
        ),
        "rotation.describe": gettext_noop("%(name)s（%(status)s：%(reason)s）"),
        "rotation.skip.no_turn": gettext_noop(
            "%(name)s%(status)s（%(reason)s），跳过；本次接待不占名额，其轮次不受影响"
        ),
        "rotation.skip.no_makeup_policy": gettext_noop(
            "%(name)s%(status)s（%(reason)s），跳过不接，不补接（A2.1 跳过不接）"
        ),
        "rotation.skip.makeup": gettext_noop(
            "%(name)s%(status)s（%(reason)s），跳过，记补接名额一次（%(rule)s）"
        ),
        "rotation.skip.rotation_customer": gettext_noop(
            "%(name)s正在接待轮排客户，跳过；已占用过名额，不补接（%(rule)s）"
        ),
        "rotation.skip.leave": gettext_noop(
            "%(name)s%(reason)s，跳过；正常休班、事假和病假不能补接（A7.3）"
        ),
        "rotation.skip.not_listed": gettext_noop(
            "%(name)s%(status)s（%(reason)s），跳过；不属 A7.2 所列补接情形，不补接"
        ),
        "rotation.nobody.empty": gettext_noop("今日轮排表为空：请项目经理先开启今日轮排（A2.2）"),
        "rotation.nobody.all_busy": gettext_noop(
            "在岗售楼员都在接待客户或不在岗，暂无人可接待；请客户稍候，"
            "由项目经理安排及时接待（A2.5、A2.2）"
        ),
        "rotation.named.absent": gettext_noop(
            "客户点名找的%(who)s，由当值售楼员帮忙接待，事后归还%(name)s，不占用接待名额"
        ),
        "rotation.named.absent_then": gettext_noop(
            "客户点名找的%(who)s，由当值售楼员帮忙接待，事后归还%(name)s，不占用接待名额。%(answer)s"
        ),
        "rotation.named.busy": gettext_noop(
            "%(who)s，不能中断正在接待的客户而转接其他客户（A2.5）；"
            "请客户稍候，或改为“帮忙接待”由轮排售楼员帮忙接待后归还"
        ),
        "rotation.named.receives": gettext_noop("由%(name)s接待：%(effect)s；轮排位置不变"),
        "rotation.makeup.waits": gettext_noop("%(who)s的补接顺延；"),
        "rotation.makeup.serves": gettext_noop(
            "%(waiting)s由%(name)s补接：其补接名额（%(why)s）按 A7.2 "
            "“在第一时间补接新客户”，优先于轮排；轮排指针不动"
        ),
        "rotation.then.next": gettext_noop("之后轮到%(name)s"),
        "rotation.then.from": gettext_noop("之后从%(name)s起按顺序轮（%(name)s目前%(status)s）"),
        "rotation.next.consumed": gettext_noop("轮到%(name)s接待（%(effect)s）；%(then)s"),
        "rotation.next.consumed_after_skips": gettext_noop(
            "%(skips)s；轮到%(name)s接待（%(effect)s）；%(then)s"
        ),
        "rotation.next.kept": gettext_noop(
            "由%(name)s按轮排接待：%(effect)s；接待人保留原轮排位置"
        ),
        "rotation.next.kept_after_skips": gettext_noop(
            "%(skips)s；由%(name)s按轮排接待：%(effect)s；接待人保留原轮排位置"
        ),
        "rotation.makeup.missed": gettext_noop("错过轮次：%(reason)s"),
        "rotation.grant.owed": gettext_noop("%(cause)s，记补接名额一次"),
        "rotation.grant.not_owed": gettext_noop(
            "%(cause)s；本公司规则为跳过不接（A2.1），不设补接名额"
        ),
        "rotation.reorder": gettext_noop(
            "项目经理调整轮排顺序为：%(names)s%(joined)s；原本轮到的%(next)s仍为下一位（A2.2）"
        ),
        "rotation.reorder.joined": gettext_noop("；新加入：%(names)s"),
        # the day's events (rotation_services)
        "rotation.event.opened": gettext_noop("开启今日轮排，顺序：%(names)s%(away)s"),
        "rotation.event.opened_away": gettext_noop("；不在岗：%(who)s"),
        "rotation.event.reception_end": gettext_noop("%(name)s接待结束（%(reason)s），回到在岗"),
        "rotation.event.back": gettext_noop("%(name)s回到在岗"),
        "rotation.event.status": gettext_noop("%(name)s%(status)s：%(reason)s；%(owed)s"),
        "rotation.event.status_owed": gettext_noop("轮到时跳过并记补接名额（%(rule)s）"),
        "rotation.event.status_not_owed": gettext_noop("轮到时跳过，不补接（%(rule)s）"),
        "rotation.event.granted_owed": gettext_noop("%(name)s：%(cause)s，记补接名额一次"),
        "rotation.event.granted_not_owed": gettext_noop(
            "%(name)s：%(cause)s；本公司规则为跳过不接（A2.1），不设补接名额"
        ),
        "rotation.event.voided": gettext_noop("作废%(name)s的补接名额（%(text)s）"),
    }
)


@dataclass(frozen=True)
class TurnEffect:
    """What a kind of reception does to the receiver's turn."""

    kind: ReceptionKind
    consumed: bool
    named: bool  # the receiver is named (asked for, PM-assigned), not chosen by the rotation
    busy_reason: Reason
    rule_ids: tuple[str, ...]
    text_zh: str
    text: Msg | None = None

    def __post_init__(self) -> None:
        if self.text is not None and self.text.zh != self.text_zh:
            raise ValueError("a turn effect's Chinese is its message in Chinese")


def _effect(
    kind: ReceptionKind,
    consumed: bool,
    named: bool,
    busy_reason: Reason,
    rule_ids: tuple[str, ...],
    key: str,
) -> TurnEffect:
    text = msg(key)
    return TurnEffect(kind, consumed, named, busy_reason, rule_ids, text.zh, text)


def turn_effect(kind: ReceptionKind, policy: RotationPolicy | None = None) -> TurnEffect:
    """Consumed or not, who chooses, and the clause (A7.7, A7.9, A7.12, A7.18, A1.6)."""
    policy = policy or RotationPolicy()
    if kind == ReceptionKind.NEW:
        return _effect(
            kind,
            True,
            False,
            Reason.ROTATION,
            ("A2.1", "A5.1", "A7.1", "A2.12"),
            "rotation.effect.new",
        )
    if kind == ReceptionKind.ASKED_FOR:
        return _effect(
            kind,
            False,
            True,
            Reason.OWN_CUSTOMER,
            ("A7.12(2)", "A7.9(3)", "A2.12"),
            "rotation.effect.asked_for",
        )
    if kind == ReceptionKind.HELPING:
        return _effect(
            kind,
            False,
            False,
            Reason.HELPING,
            ("A7.9(1)", "A7.9(2)", "A7.12(3)"),
            "rotation.effect.helping",
        )
    if kind == ReceptionKind.PUBLIC:
        return _effect(
            kind,
            False,
            False,
            Reason.PUBLIC,
            ("A7.7",),
            "rotation.effect.public",
        )
    if kind == ReceptionKind.GROUP_BUY:
        if policy.group_buy_consumes:
            return _effect(
                kind,
                True,
                False,
                Reason.GROUP_BUY,
                ("A7.18",),
                "rotation.effect.group_buy_consumes",
            )
        return _effect(
            kind,
            False,
            False,
            Reason.GROUP_BUY,
            ("A7.18",),
            "rotation.effect.group_buy",
        )
    return _effect(
        kind,
        False,
        True,
        Reason.COMPANY_REFERRAL,
        ("A1.6",),
        "rotation.effect.company_referral",
    )


# --- the day's state --------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One salesperson on the day's rotation, in rotation order."""

    staff_id: int
    name: str
    status: Status = Status.FREE
    reason: Reason | None = None


@dataclass(frozen=True)
class Makeup:
    """An owed turn (补接名额); a day's open make-ups are kept in the order they were earned."""

    id: int
    staff_id: int
    cause: str  # a Reason value (missed turn) or an AfterCause value (found afterwards)
    rule_ids: tuple[str, ...]
    text_zh: str = ""


@dataclass(frozen=True)
class DayState:
    members: tuple[Member, ...]
    pointer: int = 0  # index into members: whose turn it is
    makeups: tuple[Makeup, ...] = ()  # open make-ups, earliest first

    def __post_init__(self) -> None:
        ids = [m.staff_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise RotationRuleError(
                "rotation.duplicate_member",
                "同一售楼员在轮排表中出现了两次。",
                "A salesperson appears twice in the rotation.",
            )
        if self.members and not 0 <= self.pointer < len(self.members):
            raise RotationRuleError(
                "rotation.bad_pointer", "轮排指针超出范围。", "Rotation pointer out of range."
            )

    def member(self, staff_id: int) -> Member | None:
        for member in self.members:
            if member.staff_id == staff_id:
                return member
        return None

    def index(self, staff_id: int) -> int:
        for i, member in enumerate(self.members):
            if member.staff_id == staff_id:
                return i
        raise not_on_duty(staff_id)

    @property
    def next_member(self) -> Member | None:
        return self.members[self.pointer] if self.members else None


class RotationRuleError(ValueError):
    """A move the rules refuse: a stable code, a Chinese and an English message."""

    def __init__(
        self, code: str, message_zh: str, message_en: str, rule_ids: Sequence[str] = ()
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.rule_ids = tuple(rule_ids)


def not_on_duty(staff_id: int, name: str = "") -> RotationRuleError:
    who = name or f"#{staff_id}"
    return RotationRuleError(
        "rotation.not_on_duty",
        f"{who} 不在今日轮排表中。",
        f"{who} is not on today's rotation.",
    )


def describe_msg(member: Member) -> Msg | str:
    """The member and, when not free, why: ``王芳（接待中：帮助同事接待）``."""
    if member.status == Status.FREE:
        return member.name
    reason = REASONS[member.reason].label_zh if member.reason else STATUS_LABELS[member.status]
    return msg(
        "rotation.describe",
        name=member.name,
        status=Term(STATUS_LABELS[member.status]),
        reason=Term(reason),
    )


def describe(member: Member) -> str:
    """ "王芳（接待中：帮助同事接待）" — the member and, when not free, why."""
    described = describe_msg(member)
    return described.zh if isinstance(described, Msg) else described


# --- who is next ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skip:
    """A salesperson passed over for this customer, and whether it earns a make-up."""

    staff_id: int
    name: str
    status: Status
    reason: Reason | None
    makeup_owed: bool
    rule_ids: tuple[str, ...]
    text_zh: str
    text: Msg | None = None


Via = Literal["makeup", "rotation", "named", "none"]


@dataclass(frozen=True)
class NextAnswer:
    """Who receives the arriving customer and why; ``receiver`` None: nobody can.
    ``explanation`` is ``explanation_zh`` as a message, for other languages."""

    kind: ReceptionKind
    receiver: Member | None
    via: Via
    consumed: bool
    makeup: Makeup | None  # the make-up this reception serves
    skips: tuple[Skip, ...]
    pointer_after: int
    rule_ids: tuple[str, ...]
    explanation_zh: str
    on_behalf_of: Member | None = None  # helping: whose customer is handed back afterwards
    passed_makeups: tuple[Makeup, ...] = field(default=())  # held by someone busy or away
    explanation: Msg | None = None

    @property
    def busy_reason(self) -> Reason:
        """What the receiver is busy with: a consumed turn, or the kind that consumes none."""
        return Reason.ROTATION if self.consumed else turn_effect(self.kind).busy_reason

    @property
    def makeups_earned(self) -> tuple[Skip, ...]:
        return tuple(s for s in self.skips if s.makeup_owed)


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def _skip(member: Member, policy: RotationPolicy, consumed: bool) -> Skip:
    spec = REASONS[member.reason] if member.reason else None
    state = STATUS_LABELS[member.status]
    why = spec.label_zh if spec else state
    base = ("A2.5",) if member.status == Status.BUSY else ("A2.1", "A5.1")
    said: dict[str, Param] = {"name": member.name, "status": Term(state), "reason": Term(why)}

    def skip(owed: bool, rule_ids: tuple[str, ...], text: Msg) -> Skip:
        return Skip(
            member.staff_id,
            member.name,
            member.status,
            member.reason,
            owed,
            rule_ids,
            text.zh,
            text,
        )

    if not consumed:
        return skip(False, base, msg("rotation.skip.no_turn", **said))
    if policy.skip_makeup == SkipMakeup.NONE:
        return skip(False, (*base, "A2.1"), msg("rotation.skip.no_makeup_policy", **said))
    if spec is not None and spec.makeup_rule is not None:
        return skip(
            True,
            _unique((*base, "A5.1", spec.makeup_rule)),
            msg("rotation.skip.makeup", **said, rule=spec.makeup_rule),
        )
    rule = spec.no_makeup_rule if spec else "A7.2"
    if member.reason == Reason.ROTATION:
        text = msg("rotation.skip.rotation_customer", name=member.name, rule=rule)
    elif rule == "A7.3":
        text = msg("rotation.skip.leave", name=member.name, reason=Term(why))
    else:
        text = msg("rotation.skip.not_listed", **said)
    return skip(False, _unique((*base, rule)), text)


def _walk(
    state: DayState, policy: RotationPolicy, consumed: bool
) -> tuple[int | None, tuple[Skip, ...]]:
    skips: list[Skip] = []
    n = len(state.members)
    for step in range(n):
        index = (state.pointer + step) % n
        member = state.members[index]
        if member.status == Status.FREE:
            return index, tuple(skips)
        skips.append(_skip(member, policy, consumed))
    return None, tuple(skips)


def _nobody(
    kind: ReceptionKind, state: DayState, skips: tuple[Skip, ...], effect: TurnEffect
) -> NextAnswer:
    text = msg("rotation.nobody.empty" if not state.members else "rotation.nobody.all_busy")
    return NextAnswer(
        kind=kind,
        receiver=None,
        via="none",
        consumed=effect.consumed,
        makeup=None,
        skips=skips,
        pointer_after=state.pointer,
        rule_ids=("A2.5", "A2.2"),
        explanation_zh=text.zh,
        explanation=text,
    )


def next_receiver(
    state: DayState,
    policy: RotationPolicy | None = None,
    kind: ReceptionKind = ReceptionKind.NEW,
    named_staff_id: int | None = None,
) -> NextAnswer:
    """Who receives an arriving customer of ``kind`` (``named_staff_id``: the salesperson the
    customer asked for, or whom the PM assigns). No side effects: ``apply`` makes it so."""
    policy = policy or RotationPolicy()
    effect = turn_effect(kind, policy)
    if effect.named:
        return _named(state, policy, effect, named_staff_id)
    if named_staff_id is not None and kind == ReceptionKind.HELPING:
        owner = state.member(named_staff_id)
        answer = _by_rotation(state, policy, effect)
        return replace(answer, on_behalf_of=owner) if owner is not None else answer
    return _by_rotation(state, policy, effect)


def _effect_text(effect: TurnEffect) -> Msg | str:
    return effect.text if effect.text is not None else effect.text_zh


def _answer_text(answer: NextAnswer) -> Msg | str:
    return answer.explanation if answer.explanation is not None else answer.explanation_zh


def _named(
    state: DayState, policy: RotationPolicy, effect: TurnEffect, named_staff_id: int | None
) -> NextAnswer:
    if named_staff_id is None:
        raise RotationRuleError(
            "rotation.name_required",
            "点名接待和公司转介须指明接待的售楼员。",
            "Asked-for and company-referral receptions need the salesperson named.",
            effect.rule_ids,
        )
    member = state.member(named_staff_id)
    if member is None:
        raise not_on_duty(named_staff_id)
    if member.status == Status.AWAY and effect.kind == ReceptionKind.ASKED_FOR:
        # A7.9(2) / A7.12(3): the salesperson asked for is not here — the rotation helps.
        helping = turn_effect(ReceptionKind.HELPING, policy)
        answer = _by_rotation(state, policy, helping)
        note = msg("rotation.named.absent", who=describe_msg(member), name=member.name)
        text = (
            msg(
                "rotation.named.absent_then",
                who=describe_msg(member),
                name=member.name,
                answer=_answer_text(answer),
            )
            if answer.receiver
            else note
        )
        return replace(answer, on_behalf_of=member, explanation_zh=text.zh, explanation=text)
    if member.status != Status.FREE:
        text = msg("rotation.named.busy", who=describe_msg(member))
        return NextAnswer(
            kind=effect.kind,
            receiver=None,
            via="none",
            consumed=False,
            makeup=None,
            skips=(),
            pointer_after=state.pointer,
            rule_ids=_unique(("A2.5", *effect.rule_ids)),
            explanation_zh=text.zh,
            explanation=text,
        )
    text = msg("rotation.named.receives", name=member.name, effect=_effect_text(effect))
    return NextAnswer(
        kind=effect.kind,
        receiver=member,
        via="named",
        consumed=False,
        makeup=None,
        skips=(),
        pointer_after=state.pointer,
        rule_ids=effect.rule_ids,
        explanation_zh=text.zh,
        explanation=text,
    )


def makeup_text(makeup: Makeup) -> Msg | str:
    """A make-up's wording as a message when it is one the rules write (they are few), else
    the stored text as it is."""
    text = makeup.text_zh or makeup.cause
    return known_makeup_texts().get(text, text)


def known_makeup_texts() -> dict[str, Msg]:
    """Every wording a make-up can have (``skip_makeup``, ``makeup_after_fact``) as messages."""
    if not _KNOWN_MAKEUP_TEXTS:
        labels = [spec.label_zh for spec in REASONS.values()] + [STATUS_LABELS[Status.AWAY]]
        for label in labels:
            text = msg("rotation.makeup.missed", reason=Term(label))
            _KNOWN_MAKEUP_TEXTS[text.zh] = text
        for cause in AfterCause:
            for skip in SkipMakeup:
                grant_text = makeup_after_fact(cause, RotationPolicy(skip_makeup=skip)).text
                if grant_text is not None:
                    _KNOWN_MAKEUP_TEXTS[grant_text.zh] = grant_text
    return _KNOWN_MAKEUP_TEXTS


_KNOWN_MAKEUP_TEXTS: dict[str, Msg] = {}


def _by_rotation(state: DayState, policy: RotationPolicy, effect: TurnEffect) -> NextAnswer:
    consumed = effect.consumed
    passed: list[Makeup] = []
    if consumed and policy.skip_makeup == SkipMakeup.OWED:
        for makeup in state.makeups:
            holder = state.member(makeup.staff_id)
            if holder is None:
                continue  # not on duty today: the make-up waits
            if holder.status != Status.FREE:
                passed.append(makeup)
                continue
            waiting = seq(
                (
                    msg(
                        "rotation.makeup.waits",
                        who=describe_msg(state.member(p.staff_id) or holder),
                    )
                    for p in passed
                ),
                "concat",
            )
            text = msg(
                "rotation.makeup.serves",
                waiting=waiting,
                name=holder.name,
                why=makeup_text(makeup),
            )
            return NextAnswer(
                kind=effect.kind,
                receiver=holder,
                via="makeup",
                consumed=True,
                makeup=makeup,
                skips=(),
                pointer_after=state.pointer,
                rule_ids=_unique(("A5.1", "A7.2", *makeup.rule_ids)),
                explanation_zh=text.zh,
                passed_makeups=tuple(passed),
                explanation=text,
            )
    index, skips = _walk(state, policy, consumed)
    if index is None:
        answer = _nobody(effect.kind, state, skips, effect)
        return replace(answer, passed_makeups=tuple(passed))
    receiver = state.members[index]
    after_skips: dict[str, Param] = (
        {"skips": seq((s.text or s.text_zh for s in skips), "clauses")} if skips else {}
    )
    suffix = "_after_skips" if skips else ""
    rule_ids = _unique((*effect.rule_ids, *(r for s in skips for r in s.rule_ids)))
    if consumed:
        pointer_after = (index + 1) % len(state.members)
        after = state.members[pointer_after]
        if after.staff_id == receiver.staff_id or after.status == Status.FREE:
            then = msg("rotation.then.next", name=after.name)
        else:
            then = msg(
                "rotation.then.from", name=after.name, status=Term(STATUS_LABELS[after.status])
            )
        text = msg(
            "rotation.next.consumed" + suffix,
            **after_skips,
            name=receiver.name,
            effect=_effect_text(effect),
            then=then,
        )
    else:
        pointer_after = state.pointer
        text = msg(
            "rotation.next.kept" + suffix,
            **after_skips,
            name=receiver.name,
            effect=_effect_text(effect),
        )
    return NextAnswer(
        kind=effect.kind,
        receiver=receiver,
        via="rotation",
        consumed=consumed,
        makeup=None,
        skips=skips,
        pointer_after=pointer_after,
        rule_ids=rule_ids,
        explanation_zh=text.zh,
        explanation=text,
        passed_makeups=tuple(passed),
    )


# --- transitions ------------------------------------------------------------------------------


def _with_member(state: DayState, member: Member) -> DayState:
    return replace(
        state,
        members=tuple(member if m.staff_id == member.staff_id else m for m in state.members),
    )


def apply(state: DayState, answer: NextAnswer, new_makeup_ids: Iterable[int] = ()) -> DayState:
    """The state after ``answer`` was carried out: the receiver is busy, the served make-up is
    gone, skips that owe a make-up add one each (ids from ``new_makeup_ids``, in skip order),
    and the pointer moves. An answer naming nobody changes nothing."""
    if answer.receiver is None:
        return state
    current = state.member(answer.receiver.staff_id)
    if current is None:
        raise not_on_duty(answer.receiver.staff_id, answer.receiver.name)
    if current.status != Status.FREE:
        raise RotationRuleError(
            "rotation.receiver_busy",
            f"{describe(current)}，不能再安排接待（A2.5）。",
            f"{current.name} is not free and cannot be given another customer (A2.5).",
            ("A2.5",),
        )
    makeups = tuple(m for m in state.makeups if answer.makeup is None or m.id != answer.makeup.id)
    ids = iter(new_makeup_ids)
    earned = tuple(
        skip_makeup(skip, makeup_id)
        for skip, makeup_id in zip(answer.makeups_earned, ids, strict=False)
    )
    if len(earned) != len(answer.makeups_earned):
        raise ValueError("apply needs one new make-up id per make-up earned")
    state = replace(state, makeups=makeups + earned, pointer=answer.pointer_after)
    return _with_member(state, replace(current, status=Status.BUSY, reason=answer.busy_reason))


def skip_makeup(skip: Skip, makeup_id: int) -> Makeup:
    """The make-up a skip earns (``skip.makeup_owed``): its cause, clause and wording."""
    spec = REASONS[skip.reason] if skip.reason else None
    rule = spec.makeup_rule if spec and spec.makeup_rule else "A7.2"
    text = msg(
        "rotation.makeup.missed",
        reason=Term(spec.label_zh if spec else STATUS_LABELS[Status.AWAY]),
    )
    return Makeup(
        id=makeup_id,
        staff_id=skip.staff_id,
        cause=skip.reason.value if skip.reason else "",
        rule_ids=("A5.1", rule),
        text_zh=text.zh,
    )


def status_check(member: Member, status: Status, reason: Reason | None) -> None:
    """May the desk put ``member`` in ``status`` for ``reason``? Raises when not."""
    if status == Status.FREE:
        if member.status == Status.BUSY:
            raise RotationRuleError(
                "rotation.end_reception_first",
                f"{member.name}正在接待，请用“接待结束”（A2.5）。",
                f"{member.name} is receiving; use 'reception end' (A2.5).",
                ("A2.5",),
            )
        if member.status == Status.FREE:
            raise RotationRuleError(
                "rotation.already_free", f"{member.name}已在岗。", f"{member.name} is on duty."
            )
        return
    if reason is None or REASONS[reason].status != status or not REASONS[reason].manual:
        allowed = AWAY_REASONS if status == Status.AWAY else MANUAL_BUSY_REASONS
        raise RotationRuleError(
            "rotation.bad_reason",
            f"请选择原因：{'、'.join(REASONS[r].label_zh for r in allowed)}。",
            f"Give a reason: one of {', '.join(r.value for r in allowed)}.",
        )
    if member.status == Status.BUSY:
        raise RotationRuleError(
            "rotation.receiver_busy",
            f"{describe(member)}：不得中断正在接待的客户（A2.5），请先结束接待。",
            f"{member.name} is receiving and may not break off (A2.5); end the reception first.",
            ("A2.5",),
        )


def status_set(state: DayState, staff_id: int, status: Status, reason: Reason | None) -> DayState:
    member = state.member(staff_id)
    if member is None:
        raise not_on_duty(staff_id)
    status_check(member, status, reason)
    return _with_member(state, replace(member, status=status, reason=reason))


def reception_end(state: DayState, staff_id: int) -> DayState:
    """The reception is over: the salesperson is free again (in their place)."""
    member = state.member(staff_id)
    if member is None:
        raise not_on_duty(staff_id)
    if member.status != Status.BUSY:
        raise RotationRuleError(
            "rotation.not_receiving",
            f"{member.name}当前没有在接待客户。",
            f"{member.name} is not receiving anyone.",
        )
    return _with_member(state, replace(member, status=Status.FREE, reason=None))


@dataclass(frozen=True)
class Reorder:
    """A PM's change of the rotation order (A2.2): the new state and what changed."""

    state: DayState
    before: tuple[int, ...]
    after: tuple[int, ...]
    added: tuple[int, ...]
    rule_ids: tuple[str, ...]
    explanation_zh: str
    explanation: Msg | None = None


def reorder(state: DayState, new_order: Sequence[int], newcomers: Sequence[Member] = ()) -> Reorder:
    """Put the rotation in ``new_order`` (staff ids): every member exactly once, plus any
    ``newcomers`` (salespeople joining the day, free). The pointer stays with the salesperson
    whose turn it was, so a reorder never takes a turn away (A2.2 公平合理)."""
    known = {m.staff_id: m for m in state.members}
    for newcomer in newcomers:
        if newcomer.staff_id in known:
            raise RotationRuleError(
                "rotation.already_on_duty",
                f"{newcomer.name}已在轮排表中。",
                f"{newcomer.name} is already on the rotation.",
            )
        known[newcomer.staff_id] = newcomer
    order = list(new_order)
    if len(set(order)) != len(order) or set(order) != set(known):
        raise RotationRuleError(
            "rotation.bad_order",
            "新顺序须恰好包含轮排表中的每位售楼员各一次（不在岗的请设为不在岗，不要删除）。",
            "The new order must list every salesperson on the rotation exactly once.",
            ("A2.2",),
        )
    before = tuple(m.staff_id for m in state.members)
    next_id = state.members[state.pointer].staff_id if state.members else order[0]
    members = tuple(known[i] for i in order)
    new_state = replace(state, members=members, pointer=order.index(next_id) if order else 0)
    added = tuple(n.staff_id for n in newcomers)
    joined: Msg | str = (
        msg("rotation.reorder.joined", names=seq(n.name for n in newcomers)) if newcomers else ""
    )
    text = msg(
        "rotation.reorder",
        names=seq(m.name for m in members),
        joined=joined,
        next=known[next_id].name,
    )
    return Reorder(
        state=new_state,
        before=before,
        after=tuple(order),
        added=added,
        rule_ids=("A2.2",),
        explanation_zh=text.zh,
        explanation=text,
    )


# --- make-ups earned after the fact -----------------------------------------------------------


class AfterCause(StrEnum):
    """Found after a reception, it should not have consumed a turn (A7.7, A7.9(3), A7.2).
    The values are the ownership engine's ``MakeupCause`` values (``kehu.sales.rules.turns``)."""

    FOUND_PUBLIC = "found_public"  # 事后确定为公共客户 A7.7
    CAME_FOR_COLLEAGUE = "came_for_colleague"  # 首次来访中说明找某售楼员 A7.9(3)
    COLLEAGUE_CUSTOMER = "colleague_customer"  # 查明是同事的老客户 A7.2(2)（A7.13、A7.15）
    OWN_CUSTOMER = "own_customer"  # 查明是自己的老客户或来电客户 A7.2(1)
    HELPING = "helping"  # 查明是帮助同事接待（事后归还）A7.2(3)
    ASSIGNED_WORK = "assigned_work"  # 项目组另外安排工作而错过接待机会 A7.2(4)


AFTER_CAUSES: dict[AfterCause, tuple[str, tuple[str, ...]]] = {
    AfterCause.FOUND_PUBLIC: (gettext_noop("事后确定为公共客户，按补客户处理"), ("A7.7",)),
    AfterCause.CAME_FOR_COLLEAGUE: (
        gettext_noop("客户在首次来访中说明找某售楼员，接待人不占接待名额"),
        ("A7.9(3)",),
    ),
    AfterCause.COLLEAGUE_CUSTOMER: (gettext_noop("查明接待的是同事的老客户"), ("A7.2(2)",)),
    AfterCause.OWN_CUSTOMER: (gettext_noop("查明接待的是自己的老客户或来电客户"), ("A7.2(1)",)),
    AfterCause.HELPING: (gettext_noop("查明是帮助同事接待，事后归还"), ("A7.2(3)",)),
    AfterCause.ASSIGNED_WORK: (gettext_noop("因项目组另外安排工作而错过接待机会"), ("A7.2(4)",)),
}


terms(text for text, _rule_ids in AFTER_CAUSES.values())


@dataclass(frozen=True)
class MakeupGrant:
    owed: bool
    rule_ids: tuple[str, ...]
    text_zh: str
    text: Msg | None = None


def makeup_after_fact(cause: AfterCause, policy: RotationPolicy | None = None) -> MakeupGrant:
    """Whether a reception found afterwards not to be a turn gives the receiver a make-up."""
    policy = policy or RotationPolicy()
    label, rule_ids = AFTER_CAUSES[cause]
    if policy.skip_makeup == SkipMakeup.NONE:
        text = msg("rotation.grant.not_owed", cause=Term(label))
        return MakeupGrant(False, (*rule_ids, "A2.1"), text.zh, text)
    text = msg("rotation.grant.owed", cause=Term(label))
    return MakeupGrant(True, (*rule_ids, "A7.2"), text.zh, text)


def grant(
    state: DayState, staff_id: int, makeup_id: int, given: MakeupGrant, cause: str
) -> DayState:
    """Add a make-up earned after the fact to the end of the queue (if owed)."""
    if not given.owed:
        return state
    return replace(
        state,
        makeups=(
            *state.makeups,
            Makeup(makeup_id, staff_id, cause, given.rule_ids, given.text_zh),
        ),
    )
