"""What an ownership decision does to each receiving salesperson's turn (接待名额).

The rotation board decides at arrival whether a reception consumes the receiver's turn: a
walk-in who asks for nobody does (A2.1 / A5.1 / A7.1); a customer who asks for someone, a
salesperson helping an absent colleague, a public customer, a company referral and — by the
A7.18 reading — a group buy do not (``arrival_consumes``). The ownership rules then say whether
the reception *should* have consumed it. The difference is the turn effect:

=====================  =====================  ============================================
consumed at arrival    should consume         effect
=====================  =====================  ============================================
yes                    yes                    ``consumed``
no                     no                     ``not_consumed`` (the receiver keeps their place)
yes                    no                     ``makeup_earned`` with its cause (``owed``);
                                              under ``none`` (A2.1 跳过不接) no make-up is ever
                                              owed, so the turn stays ``consumed``
no                     yes                    ``consumed`` (only a grab: the turn is charged)
=====================  =====================  ============================================

Make-up causes use the rotation board's words (``kehu.sales.rotation_rules`` ``Reason`` and
``AfterCause`` values): A7.2(1) own old or phone customer, A7.2(2) a colleague's old customer
verified, A7.2(3) helping, A7.2(4) assigned work, A7.7 found public afterwards (按补客户处理),
A7.9(3) the new customer came for a colleague. Salespeople who helped the receiver keep their
place (helping consumes no turn); a helper whose own turn passed meanwhile is owed A7.2(3) by
the rotation board's skip rule, not by this decision.

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kehu.sales.rules.messages import Msg, Param, Term, define, gettext_noop, msg, terms
from kehu.sales.rules.vocabulary import (
    A2_1,
    A5_1,
    A7_2,
    A7_2_1,
    A7_2_2,
    A7_2_3,
    A7_2_4,
    A7_7,
    A7_9_3,
    OwnershipPolicy,
    SkipMakeup,
)


class TurnOutcome(StrEnum):
    CONSUMED = "consumed"  # 占用接待名额
    NOT_CONSUMED = "not_consumed"  # 不占用接待名额（保留轮排位置）
    MAKEUP_EARNED = "makeup_earned"  # 补接名额一次


TURN_OUTCOME_LABELS: dict[TurnOutcome, str] = {
    TurnOutcome.CONSUMED: gettext_noop("占用接待名额"),
    TurnOutcome.NOT_CONSUMED: gettext_noop("不占用接待名额"),
    TurnOutcome.MAKEUP_EARNED: gettext_noop("补接名额一次"),
}


class MakeupCause(StrEnum):
    """Why a reception gives its turn back (values shared with the rotation board)."""

    OWN_CUSTOMER = "own_customer"  # A7.2(1)
    COLLEAGUE_CUSTOMER = "colleague_customer"  # A7.2(2)
    HELPING = "helping"  # A7.2(3)
    ASSIGNED_WORK = "assigned_work"  # A7.2(4)
    FOUND_PUBLIC = "found_public"  # A7.7 按补客户处理
    CAME_FOR_COLLEAGUE = "came_for_colleague"  # A7.9(3)


MAKEUP_CAUSE_RULES: dict[MakeupCause, str] = {
    MakeupCause.OWN_CUSTOMER: A7_2_1,
    MakeupCause.COLLEAGUE_CUSTOMER: A7_2_2,
    MakeupCause.HELPING: A7_2_3,
    MakeupCause.ASSIGNED_WORK: A7_2_4,
    MakeupCause.FOUND_PUBLIC: A7_7,
    MakeupCause.CAME_FOR_COLLEAGUE: A7_9_3,
}

MAKEUP_CAUSE_LABELS: dict[MakeupCause, str] = {
    MakeupCause.OWN_CUSTOMER: gettext_noop("接待的是自己的老客户或来电客户"),
    MakeupCause.COLLEAGUE_CUSTOMER: gettext_noop("接待的是同事的客户且已查明"),
    MakeupCause.HELPING: gettext_noop("帮助同事接待"),
    MakeupCause.ASSIGNED_WORK: gettext_noop("项目组另外安排工作"),
    MakeupCause.FOUND_PUBLIC: gettext_noop("事后确定为公共客户，按补客户处理"),
    MakeupCause.CAME_FOR_COLLEAGUE: gettext_noop("新客户在首次来访中说明找某售楼员"),
}
terms([*TURN_OUTCOME_LABELS.values(), *MAKEUP_CAUSE_LABELS.values()])

define(
    {
        "turn.consumed": gettext_noop("%(who)s：%(why)s，占用接待名额"),
        "turn.not_consumed": gettext_noop("%(who)s：%(why)s，不占用接待名额，保留轮排位置"),
        "turn.makeup_not_owed": gettext_noop(
            "%(who)s：%(cause)s，本应补接一次；本公司规则为跳过不接（A2.1），不设补接名额，"
            "此次接待仍占用接待名额"
        ),
        "turn.makeup": gettext_noop(
            "%(who)s：%(cause)s，此次接待不计名额，补接名额一次（%(rule)s），在第一时间补接新客户"
        ),
        "turn.helper_public": gettext_noop("%(who)s：公共客户多人同时接待，不占用接待名额"),
        "turn.helper": gettext_noop(
            "%(who)s：帮助同事接待，不占用接待名额；如因此错过轮次，按A7.2(3)补接"
        ),
    }
)


@dataclass(frozen=True)
class TurnEffect:
    """One salesperson's turn after the decision, with the clause and a Chinese sentence."""

    salesperson: str
    outcome: TurnOutcome
    cause: MakeupCause | None
    rule_ids: tuple[str, ...]
    explanation_zh: str
    explanation: Msg | None = None  # explanation_zh as a message

    @property
    def makeup_earned(self) -> bool:
        return self.outcome == TurnOutcome.MAKEUP_EARNED

    def as_json(self) -> dict[str, object]:
        return {
            "salesperson": self.salesperson,
            "outcome": self.outcome.value,
            "cause": self.cause.value if self.cause else None,
            "rule_ids": list(self.rule_ids),
            "explanation_zh": self.explanation_zh,
        }


def receiver_turn(
    *,
    receiver: str,
    consumed_at_arrival: bool,
    should_consume: bool,
    cause: MakeupCause | None,
    rule_ids: tuple[str, ...],
    why_zh: str,
    policy: OwnershipPolicy,
    names: Mapping[str, str] | None = None,
    why: Param | None = None,
) -> TurnEffect:
    """The receiver's turn: see the table in the module docstring. ``why``: ``why_zh`` as a
    message parameter (a label or a message), when the caller has it."""
    who = (names or {}).get(receiver, receiver)
    reason: Param = why if why is not None else why_zh

    def effect(
        outcome: TurnOutcome, made: MakeupCause | None, ids: tuple[str, ...], text: Msg
    ) -> TurnEffect:
        return TurnEffect(receiver, outcome, made, ids, text.zh, text)

    if should_consume:
        return effect(
            TurnOutcome.CONSUMED, None, rule_ids, msg("turn.consumed", who=who, why=reason)
        )
    if not consumed_at_arrival:
        return effect(
            TurnOutcome.NOT_CONSUMED,
            None,
            rule_ids,
            msg("turn.not_consumed", who=who, why=reason),
        )
    if cause is None:
        raise ValueError("a turn given back needs its cause")
    cause_rule = MAKEUP_CAUSE_RULES[cause]
    label = Term(MAKEUP_CAUSE_LABELS[cause])
    if policy.skip_makeup == SkipMakeup.NONE:
        return effect(
            TurnOutcome.CONSUMED,
            cause,
            _unique((*rule_ids, cause_rule, A2_1)),
            msg("turn.makeup_not_owed", who=who, cause=label),
        )
    return effect(
        TurnOutcome.MAKEUP_EARNED,
        cause,
        _unique((*rule_ids, cause_rule, A5_1, A7_2)),
        msg("turn.makeup", who=who, cause=label, rule=cause_rule),
    )


def helper_turn(helper: str, *, public: bool, names: Mapping[str, str] | None = None) -> TurnEffect:
    """A salesperson who received alongside the receiver (helping, or several at once for a
    public customer, A7.7): their place in the rotation is untouched."""
    who = (names or {}).get(helper, helper)
    if public:
        text = msg("turn.helper_public", who=who)
        return TurnEffect(helper, TurnOutcome.NOT_CONSUMED, None, (A7_7,), text.zh, text)
    text = msg("turn.helper", who=who)
    return TurnEffect(helper, TurnOutcome.NOT_CONSUMED, None, (A7_2_3,), text.zh, text)


def _unique(ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
