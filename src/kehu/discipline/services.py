"""Write use-cases of the rewards-and-penalties ledger.

``discipline_entry_post`` is the one door through which every app (sales, complaints, gas,
fleet) and every manager puts a fact on an employee's ledger: one transaction writes the entry
and its hash-chained ledger row (stream ``discipline``).

- ``discipline_entry_record``: a manager records an entry by hand (permission checked, refusals
  audited); only the kinds a person may record directly — conversions, offsets, reversals and
  decisions come from the rules, decisions and appeals.
- ``discipline_proposal_post``: another app asks a human to decide (e.g. A7.13: a grabbed
  customer → a fine of 200–500 yuan chosen by the sales manager).
- ``proposal_decide``: a manager decides a proposal of their queue; an approval is a new
  entry, every decision a row of its own and a ledger line.

Lock order: the employee's ``Staff`` row (``SELECT … FOR UPDATE``) first, the ledger stream last.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from kehu.core import rawsql
from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.ledger.services import LedgerItem, ledger_append, ledger_append_many
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.discipline import rules
from kehu.discipline.errors import (
    DisciplineError,
    DisciplineErrorCode,
    DisciplineNotFound,
    DisciplinePermissionDenied,
)
from kehu.discipline.models import (
    DecisionOutcome,
    DisciplineEntry,
    DisciplineProposal,
    ProposalDecision,
    ProposalKind,
)
from kehu.discipline.rules import FAILURE_LABELS, Kind
from kehu.discipline.selectors import (
    PERM_DECIDE,
    PERM_RECORD,
    QueueItem,
    decision_for_key,
    discipline_policy_on,
    entry_pks_in_key,
    local_today,
    open_proposal_for,
    viewer_may_decide_for,
)

LEDGER_STREAM = "discipline"
_MONEY_KINDS = {Kind.FINE, Kind.BONUS, Kind.SPECIAL_AWARD}
_REF_KINDS = {Kind.OFFSET: 2, Kind.REVERSAL: 1}
_DERIVED_ID = re.compile(r"^[a-z_]+-pair:[\w:+\-]+$")

# What a manager may record by hand (A4 五.5.1–五.5.4, A4 四.六). Offsets, reversals,
# terminations, demotions and reassignments are decisions on proposals or appeals.
MANUAL_KINDS: frozenset[Kind] = frozenset(
    {
        *rules.LEVELS,
        Kind.FINE,
        Kind.BONUS,
        Kind.POINTS,
        Kind.SPECIAL_AWARD,
        Kind.WARNING,
        Kind.SUPERVISION_FAILURE,
    }
)
# The clause an entry recorded by hand cites when the recorder names none.
DEFAULT_RULE_IDS: dict[Kind, str] = {
    **dict.fromkeys(rules.LEVELS, "A4 五.5.1"),
    Kind.FINE: "A4 五.5.2",
    Kind.BONUS: "A4 五.5.2",
    Kind.POINTS: "A4 五.5.3",
    Kind.SPECIAL_AWARD: "A4 五.5.4",
    Kind.WARNING: "A4 四.六",
}
# The decision entry an approved proposal becomes.
_DECISION_KINDS: dict[str, Kind] = {
    ProposalKind.CRITICISM: Kind.CRITICISM,
    ProposalKind.TERMINATION: Kind.TERMINATION,
    ProposalKind.DEMOTION: Kind.DEMOTION,
    ProposalKind.REASSIGNMENT_OR_DEMOTION: Kind.REASSIGNMENT,
}
SOURCE_PROPOSAL = "discipline.proposal"


def _bad(message_zh: str, message_en: str) -> DisciplineError:
    return DisciplineError(DisciplineErrorCode.BAD_ENTRY, message_zh, message_en, status=422)


def _bad_input(message_zh: str, message_en: str) -> DisciplineError:
    return DisciplineError(DisciplineErrorCode.BAD_INPUT, message_zh, message_en, status=422)


def _reason_required() -> DisciplineError:
    return DisciplineError(
        DisciplineErrorCode.REASON_REQUIRED, "请写明事由。", "Give the reason.", status=422
    )


def _already_decided(key: str) -> DisciplineError:
    return DisciplineError(
        DisciplineErrorCode.ALREADY_DECIDED,
        "该提议已经作出决定，不能重复决定。",
        "This proposal has already been decided.",
        status=409,
        details={"proposal_key": key},
    )


def entry_kind(kind: Kind | str) -> Kind:
    """``kind`` as a ``Kind``; an unknown kind is a clear 422, not a ValueError."""
    try:
        return Kind(kind)
    except ValueError:
        raise _bad(
            f"未知的奖惩类型“{kind}”。可选：{'、'.join(k.value for k in Kind)}。",
            f"Unknown kind {kind!r}; one of: {', '.join(k.value for k in Kind)}.",
        ) from None


def entry_shape_check(
    *,
    kind: Kind,
    amount: Decimal | None,
    points: int | None,
    failure_type: int | None,
    refs: Sequence[object],
) -> None:
    """What each kind of entry must carry (money, points, failure type, references).
    The replay CLI applies the same checks to its input."""
    if kind in _MONEY_KINDS and (amount is None or amount <= 0):
        raise _bad(
            "罚款、奖金和专项奖励须填写大于 0 的金额（元）。",
            "Fines, bonuses and special awards need an amount above 0 yuan.",
        )
    if kind not in _MONEY_KINDS and amount is not None:
        raise _bad("只有罚款、奖金和专项奖励带金额。", "Only money entries carry an amount.")
    if kind == Kind.POINTS and not points:
        raise _bad("绩效加减分须填写非零分值。", "Performance points must be non-zero.")
    if kind != Kind.POINTS and points is not None:
        raise _bad("只有绩效加减分带分值。", "Only performance-point entries carry points.")
    if kind == Kind.SUPERVISION_FAILURE and failure_type not in FAILURE_LABELS:
        raise _bad(
            "监督考核不合格须注明类型 1–6（A4 四.六）。",
            "A supervision failure needs its type 1–6 (A4 四.六).",
        )
    if kind != Kind.SUPERVISION_FAILURE and failure_type is not None:
        raise _bad(
            "只有监督考核不合格带不合格类型。",
            "Only supervision failures carry a failure type.",
        )
    expected_refs = _REF_KINDS.get(kind, 0)
    if len(refs) != expected_refs:
        raise _bad(
            f"该类型须引用 {expected_refs} 条原记录。",
            f"This kind of entry must reference {expected_refs} earlier entries.",
        )


def _clean_refs(refs: Sequence[int | str]) -> tuple[list[int | str], set[int]]:
    """Refs as stored (entry pks as int, ids the rules derived — ``"criticism-pair:3+4"`` — as
    text) and the entry pks they name."""
    stored: list[int | str] = []
    pks: set[int] = set()
    for ref in refs:
        if isinstance(ref, int) and not isinstance(ref, bool):
            stored.append(ref)
            pks.add(ref)
        elif isinstance(ref, str) and ref.isdigit():
            stored.append(int(ref))
            pks.add(int(ref))
        elif isinstance(ref, str) and _DERIVED_ID.match(ref) and entry_pks_in_key(ref):
            stored.append(ref)
            pks.update(entry_pks_in_key(ref))
        else:
            raise _bad(f"无法识别的引用“{ref}”。", f"Unrecognised reference {ref!r}.")
    return stored, pks


@transaction.atomic
def discipline_entry_post(
    *,
    employee: Staff,
    on: dt.date,
    kind: Kind | str,
    reason: str,
    rule_ids: Sequence[str],
    recorded_by: Staff | None,
    amount: Decimal | None = None,
    points: int | None = None,
    failure_type: int | None = None,
    refs: Sequence[int | str] = (),
    source_type: str = "",
    source_id: str | int = "",
) -> DisciplineEntry:
    """Put one fact on ``employee``'s ledger, with the rule IDs and source that caused it.

    Callers check who may record (managers through ``discipline_entry_record``; other apps post
    the consequences their own rules decided). ``refs`` are this employee's entry ids (or, for
    an offset, an id the rules derived from them, such as ``"commendation-pair:3+4"``).
    """
    kind = entry_kind(kind)
    if not reason.strip():
        raise _reason_required()
    if recorded_by is not None and recorded_by.company_id != employee.company_id:
        raise DisciplineError(
            DisciplineErrorCode.OTHER_COMPANY,
            "不能为其他公司的员工记录奖惩。",
            "You cannot record for another company's employee.",
            status=403,
        )
    entry_shape_check(kind=kind, amount=amount, points=points, failure_type=failure_type, refs=refs)
    stored_refs, ref_pks = _clean_refs(refs)
    if ref_pks:
        found = DisciplineEntry.objects.filter(
            company_id=employee.company_id, employee=employee, pk__in=list(ref_pks)
        ).count()
        if found != len(ref_pks):
            raise _bad(
                "引用的原记录不存在或不属于该员工。",
                "A referenced entry does not exist or belongs to someone else.",
            )
    policy = discipline_policy_on(company=employee.company, on=on)
    entry = DisciplineEntry.objects.create(
        company_id=employee.company_id,
        employee=employee,
        on=on,
        kind=kind.value,
        amount=amount.quantize(rules.CENT) if amount is not None else None,
        points=points,
        failure_type=failure_type,
        refs=stored_refs,
        reason=reason.strip(),
        rule_ids=list(rule_ids),
        source_type=source_type,
        source_id=str(source_id),
        policy_ref=policy.ref,
        recorded_by=recorded_by,
    )
    ledger_append(
        company=employee.company,
        stream=LEDGER_STREAM,
        kind=f"discipline.{kind.value}",
        payload={
            "employee": employee.pk,
            "employee_name": employee.name,
            "on": on,
            "kind": kind.value,
            "amount": entry.amount,
            "points": points,
            "failure_type": failure_type,
            "refs": stored_refs,
            "reason": entry.reason,
            "rule_ids": list(rule_ids),
            "source": f"{source_type}:{source_id}" if source_type else "",
            "policy": policy.ref,
        },
        recorded_by=recorded_by.user if recorded_by is not None else None,
        subject=entry,
    )
    return entry


# --- refusals ------------------------------------------------------------------------------


def _deny(
    *,
    staff: Staff,
    perm: str,
    what_zh: str,
    what_en: str,
    request: HttpRequest | None,
    object_type: str,
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> DisciplinePermissionDenied:
    """Audit a refusal in its own transaction (it must outlive the refused act) and return the
    error to raise. The API answers these 403s itself, so they are not audited twice."""
    with transaction.atomic():
        audit_record(
            action=AuditAction.PERMISSION_DENIED,
            outcome=AuditOutcome.DENIED,
            actor=staff.user,
            company=staff.company,
            request=request,
            object_type=object_type,
            object_id=object_id,
            detail={"permission": perm, **(detail or {})},
        )
    return DisciplinePermissionDenied(what_zh, what_en, perm)


# --- recording by hand -------------------------------------------------------------------------


def discipline_entry_record(
    *,
    recorder: Staff,
    employee: Staff,
    on: dt.date,
    kind: Kind | str,
    reason: str,
    rule_ids: Sequence[str] = (),
    amount: Decimal | None = None,
    points: int | None = None,
    failure_type: int | None = None,
    source_type: str = "",
    source_id: str | int = "",
    request: HttpRequest | None = None,
) -> DisciplineEntry:
    """A manager records an entry on ``employee``'s ledger (A4 五.5.1–五.5.4, A4 四.六).

    Needs ``discipline.add_disciplineentry`` and an employee of the recorder's company (another
    company's employee is "not found"); nobody records on their own ledger. Only
    ``MANUAL_KINDS``. Without rule IDs the entry cites its kind's clause. Refusals are audited.
    """
    if employee.company_id != recorder.company_id or not recorder.active:
        raise DisciplineNotFound("员工", "employee")
    if not staff_has_perm(recorder, PERM_RECORD):
        raise _deny(
            staff=recorder,
            perm=PERM_RECORD,
            what_zh="记录奖惩",
            what_en="record rewards and penalties",
            request=request,
            object_type="discipline.employee",
            object_id=employee.pk,
            detail={"kind": str(kind)},
        )
    if recorder.pk == employee.pk:
        raise _deny(
            staff=recorder,
            perm=PERM_RECORD,
            what_zh="为自己记录奖惩",
            what_en="record rewards and penalties on your own ledger",
            request=request,
            object_type="discipline.employee",
            object_id=employee.pk,
            detail={"kind": str(kind), "reason": "self"},
        )
    kind = entry_kind(kind)
    if kind not in MANUAL_KINDS:
        raise _bad(
            f"“{rules.KIND_LABELS[kind]}”不能直接录入：功过相抵、解除劳动合同、降职、调岗由"
            "提议决定产生，撤销由申诉产生。",
            f"{kind.value!r} cannot be recorded by hand: offsets, terminations, demotions and "
            "reassignments come from decisions on proposals, reversals from appeals.",
        )
    cited = list(rule_ids) or [
        rules.RULE_FAILURE.format(n=failure_type)
        if kind == Kind.SUPERVISION_FAILURE
        else DEFAULT_RULE_IDS[kind]
    ]
    return discipline_entry_post(
        employee=employee,
        on=on,
        kind=kind,
        reason=reason,
        rule_ids=cited,
        recorded_by=recorder,
        amount=amount,
        points=points,
        failure_type=failure_type,
        source_type=source_type,
        source_id=source_id,
    )


# --- proposals from other apps -------------------------------------------------------------


@transaction.atomic
def discipline_proposal_post(
    *,
    employee: Staff,
    kind: ProposalKind | str,
    on: dt.date,
    low: Decimal | None,
    high: Decimal | None,
    reason: str,
    rule_ids: Sequence[str],
    source_type: str,
    source_id: str | int,
    proposed_by: Staff | None = None,
    decider_post: str = "",
) -> DisciplineProposal:
    """Ask a manager to decide a consequence another app's rules call for, e.g. A7.13: a
    grabbed customer → ``kind="fine_in_range", low=200, high=500``. It appears in the queue of
    those who decide for ``employee`` (only ``decider_post`` and company-wide deciders, when
    named); the decision becomes an entry. Offsets are derived by the rules, never posted."""
    request = ProposalRequest(
        employee=employee,
        kind=kind,
        on=on,
        low=low,
        high=high,
        reason=reason,
        rule_ids=tuple(rule_ids),
        source_type=source_type,
        source_id=source_id,
        proposed_by=proposed_by,
        decider_post=decider_post,
    )
    return discipline_proposals_post([request])[0]


@dataclass(frozen=True)
class ProposalRequest:
    """One proposal for ``discipline_proposals_post``: the arguments of
    ``discipline_proposal_post``."""

    employee: Staff
    kind: ProposalKind | str
    on: dt.date
    low: Decimal | None
    high: Decimal | None
    reason: str
    rule_ids: tuple[str, ...]
    source_type: str
    source_id: str | int
    proposed_by: Staff | None = None
    decider_post: str = ""


def discipline_proposals_post(requests: Sequence[ProposalRequest]) -> list[DisciplineProposal]:
    """Post several proposals at once, in order, each exactly as ``discipline_proposal_post``
    would: every request is checked before anything is written, then one multi-row insert of
    the proposals and one ledger append per company (``ledger_append_many``). A job that
    proposes hundreds at once — the complaints sweep's A8.2 fines at midnight — pays a handful
    of statements instead of about seven per proposal."""
    proposals = [_proposal(request) for request in requests]
    if not proposals:
        return []
    with transaction.atomic(savepoint=False):
        rawsql.insert_many(DisciplineProposal, proposals, read_ids=True)
        by_company: dict[int, list[DisciplineProposal]] = defaultdict(list)
        for proposal in proposals:
            by_company[proposal.company_id].append(proposal)
        for company_id in sorted(by_company):  # one lock order for every caller
            company_proposals = by_company[company_id]
            ledger_append_many(
                company=company_proposals[0].employee.company,
                stream=LEDGER_STREAM,
                items=[_proposal_entry(proposal) for proposal in company_proposals],
            )
    return proposals


def _proposal(request: ProposalRequest) -> DisciplineProposal:
    """The unsaved proposal ``request`` asks for, or the error that refuses it."""
    try:
        kind = ProposalKind(request.kind)
    except ValueError:
        raise _bad_input(
            f"未知的提议类型“{request.kind}”。", f"Unknown proposal kind {request.kind!r}."
        ) from None
    if kind == ProposalKind.OFFSET:
        raise _bad_input(
            "功过相抵的提议由规则根据台账自动产生，不能由其他模块提交。",
            "Offset proposals are derived from the ledger by the rules, not posted.",
        )
    if not request.reason.strip():
        raise _reason_required()
    employee, proposed_by = request.employee, request.proposed_by
    if proposed_by is not None and proposed_by.company_id != employee.company_id:
        raise DisciplineError(
            DisciplineErrorCode.OTHER_COMPANY,
            "不能为其他公司的员工提出奖惩提议。",
            "You cannot propose for another company's employee.",
            status=403,
        )
    low, high = request.low, request.high
    if kind == ProposalKind.FINE_IN_RANGE:
        if low is None or high is None or low < 0 or high <= 0 or low > high:
            raise _bad_input(
                "罚款提议须给出金额范围：0 ≤ 下限 ≤ 上限，上限大于 0（元）。",
                "A fine proposal needs a range 0 ≤ low ≤ high with high above 0 (yuan).",
            )
    elif low is not None or high is not None:
        raise _bad_input("只有罚款提议带金额范围。", "Only fine proposals carry an amount range.")
    decider_post = request.decider_post
    if decider_post and decider_post not in Post.values:
        raise _bad_input(f"未知的岗位“{decider_post}”。", f"Unknown post {decider_post!r}.")
    return DisciplineProposal(
        company_id=employee.company_id,
        employee=employee,
        kind=kind.value,
        on=request.on,
        low=low.quantize(rules.CENT) if low is not None else None,
        high=high.quantize(rules.CENT) if high is not None else None,
        reason=request.reason.strip(),
        rule_ids=list(request.rule_ids),
        source_type=request.source_type,
        source_id=str(request.source_id),
        decider_post=decider_post,
        proposed_by=proposed_by,
    )


def _proposal_entry(proposal: DisciplineProposal) -> LedgerItem:
    source = f"{proposal.source_type}:{proposal.source_id}" if proposal.source_type else ""
    return LedgerItem(
        kind="discipline.proposal",
        payload={
            "employee": proposal.employee_id,
            "employee_name": proposal.employee.name,
            "kind": proposal.kind,
            "on": proposal.on,
            "low": proposal.low,
            "high": proposal.high,
            "reason": proposal.reason,
            "rule_ids": list(proposal.rule_ids),
            "source": source,
            "decider_post": proposal.decider_post,
        },
        subject=proposal,
        recorded_by=proposal.proposed_by.user if proposal.proposed_by is not None else None,
    )


# --- decisions -------------------------------------------------------------------------------


def _key_as_source_id(key: str) -> str:
    # DisciplineEntry.source_id holds 64 characters; a long derived key is named by its hash.
    return key if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest()


def _fine_entry_amount(item: QueueItem, amount: Decimal | None) -> Decimal:
    low, high = item.low, item.high
    range_zh = f"{low}–{high} 元"
    rule_text = "、".join(item.rule_ids)
    if amount is None:
        raise DisciplineError(
            DisciplineErrorCode.AMOUNT_OUT_OF_RANGE,
            f"请填写罚款金额：须在 {range_zh}之间（{rule_text}）。",
            f"Give the fine: between {low} and {high} yuan ({rule_text}).",
            status=422,
            details={"low": str(low), "high": str(high)},
        )
    if (
        low is None
        or high is None
        or not rules.fine_within_range(amount=amount, low=low, high=high)
    ):
        raise DisciplineError(
            DisciplineErrorCode.AMOUNT_OUT_OF_RANGE,
            f"罚款金额 {amount} 元超出规定范围：须在 {range_zh}之间（{rule_text}）。",
            f"A fine of {amount} yuan is outside the range: {low}–{high} yuan ({rule_text}).",
            status=422,
            details={"low": str(low), "high": str(high), "amount": str(amount)},
        )
    return amount


def _approve(
    *,
    item: QueueItem,
    decider: Staff,
    amount: Decimal | None,
    reason: str,
    measure: str | None,
    on: dt.date,
) -> DisciplineEntry:
    """The entry an approval writes: a fine, an offset or a decision (termination …)."""
    stored = item.stored
    source_type = stored.source_type if stored and stored.source_type else SOURCE_PROPOSAL
    source_id = stored.source_id if stored and stored.source_type else _key_as_source_id(item.key)
    entry_reason = f"{item.note_zh}。决定：{reason.strip()}"
    if item.kind != ProposalKind.FINE_IN_RANGE and amount is not None:
        raise _bad_input("只有罚款提议需要填写金额。", "Only fine proposals take an amount.")
    if item.kind != ProposalKind.REASSIGNMENT_OR_DEMOTION and measure:
        raise _bad_input(
            "只有“调整岗位或降职”的提议需要选择措施。",
            "Only reassignment-or-demotion proposals take a measure.",
        )
    common: dict[str, Any] = {
        "employee": item.employee,
        "on": on,
        "reason": entry_reason,
        "recorded_by": decider,
        "source_type": source_type,
        "source_id": source_id,
    }
    if item.kind == ProposalKind.FINE_IN_RANGE:
        fine = _fine_entry_amount(item, amount)
        return discipline_entry_post(
            kind=Kind.FINE, amount=fine, rule_ids=list(item.rule_ids), **common
        )
    if item.kind == ProposalKind.OFFSET:
        # from_ids are (merit, penalty) as the rules proposed them (A4 五.5.6).
        return discipline_entry_post(
            kind=Kind.OFFSET, refs=list(item.from_ids), rule_ids=[rules.RULE_OFFSET], **common
        )
    kind = _DECISION_KINDS[item.kind]
    if item.kind == ProposalKind.REASSIGNMENT_OR_DEMOTION and measure:
        if measure not in (Kind.REASSIGNMENT, Kind.DEMOTION):
            raise _bad_input(
                "措施须为 reassignment（调整岗位）或 demotion（降职）。",
                "The measure is 'reassignment' or 'demotion'.",
            )
        kind = Kind(measure)
    return discipline_entry_post(kind=kind, rule_ids=list(item.rule_ids), **common)


def proposal_decide(
    *,
    decider: Staff,
    proposal_key: str,
    outcome: DecisionOutcome | str,
    reason: str,
    amount: Decimal | None = None,
    measure: str | None = None,
    request: HttpRequest | None = None,
) -> ProposalDecision:
    """Decide a proposal of ``decider``'s queue, in one transaction.

    The key is re-derived from the ledger (never trusted from the client): it must be open for
    this decider today. Approving writes the entry — a fine within the proposal's range
    (``amount`` required), an offset citing (merit, penalty), or the termination / demotion /
    reassignment decision citing the proposal's rule IDs (``measure`` picks ``"demotion"``
    instead of the default reassignment for A4 四.六.7); rejecting writes only the decision.
    A second decision on a key is ``discipline.already_decided`` (409).
    """
    try:
        outcome = DecisionOutcome(outcome)
    except ValueError:
        raise _bad_input(
            "决定须为 approved（批准）或 rejected（不予批准）。",
            "The outcome is 'approved' or 'rejected'.",
        ) from None
    if not reason.strip():
        raise _reason_required()
    if not staff_has_perm(decider, PERM_DECIDE):
        raise _deny(
            staff=decider,
            perm=PERM_DECIDE,
            what_zh="决定奖惩提议",
            what_en="decide discipline proposals",
            request=request,
            object_type="discipline.proposal",
            object_id=proposal_key[:64],
        )
    with transaction.atomic():
        _refuse_if_decided(decider, proposal_key)
        item = open_proposal_for(decider=decider, key=proposal_key)
        # Serialise decisions about one employee; then look again (a rival may have committed).
        Staff.objects.select_for_update().filter(pk=item.employee.pk).first()
        _refuse_if_decided(decider, proposal_key)
        today = local_today()
        if outcome == DecisionOutcome.APPROVED:
            entry = _approve(
                item=item, decider=decider, amount=amount, reason=reason, measure=measure, on=today
            )
        elif amount is not None or measure:
            raise _bad_input(
                "不予批准时不填金额或措施。", "A rejection takes no amount or measure."
            )
        else:
            entry = None
        try:
            with transaction.atomic():
                decision = ProposalDecision.objects.create(
                    company_id=decider.company_id,
                    employee=item.employee,
                    proposal_key=proposal_key,
                    proposal=item.stored,
                    outcome=outcome.value,
                    amount=entry.amount if entry is not None else None,
                    reason=reason.strip(),
                    resulting_entry=entry,
                    decided_by=decider,
                )
        except IntegrityError:
            raise _already_decided(proposal_key) from None
        ledger_append(
            company=decider.company,
            stream=LEDGER_STREAM,
            kind="discipline.decision",
            payload={
                "proposal_key": proposal_key,
                "proposal_kind": item.kind,
                "employee": item.employee.pk,
                "employee_name": item.employee.name,
                "from_ids": list(item.from_ids),
                "rule_ids": list(item.rule_ids),
                "outcome": outcome.value,
                "amount": decision.amount,
                "reason": decision.reason,
                "resulting_entry": entry.pk if entry is not None else None,
            },
            recorded_by=decider.user,
            subject=decision,
        )
    return decision


def _refuse_if_decided(decider: Staff, key: str) -> None:
    existing = decision_for_key(company_id=decider.company_id, key=key)
    if existing is None:
        return
    if viewer_may_decide_for(decider, existing.employee):
        raise _already_decided(key)
    raise DisciplineNotFound("提议", "proposal")
