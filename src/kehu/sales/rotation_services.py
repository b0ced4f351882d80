"""Write use-cases of the rotation (轮排); the reception flow calls these.

- ``rotation_day_open``: the PM opens the site's day from its salespeople, in the PM's order.
- ``rotation_next`` (a read, re-exported here): who is next and why; no side effects.
- ``rotation_assign``: a visitor arrives — names the receiver with the rule and marks them
  receiving (A2.1 / A5.1 / A7.2, A2.5; A7.7, A7.9, A7.12, A7.18, A1.6).
- ``rotation_reception_end``: the reception is over; the salesperson is free in their place.
- ``rotation_status_set``: away with a reason (rest, leave, sick, assigned work …), busy with
  their own customer, or back (A7.2 / A7.3 decide what a missed turn earns).
- ``rotation_reorder``: the PM changes the order with a reason (A2.2).
- ``rotation_makeup_grant``: a make-up earned after the fact (A7.7 found public afterwards,
  A7.9(3), A7.2(2)); ``rotation_makeup_void``: the PM voids one, with a reason.

Every service runs in one transaction, computes the new state with the pure rules
(``rotation_rules``) and writes the difference, one ``RotationEvent`` (append-only) with the
rule IDs and the Chinese explanation, and a ledger entry in stream ``rotation``. The event's
``detail`` also keeps the explanation as a message (``explanation_key`` and
``explanation_params``, see ``kehu.sales.rules.messages``) so that pages and the API can show it
in the reader's language; the stored Chinese never changes.

Lock order: the day's ``RotationDay`` row (``SELECT … FOR UPDATE``; on SQLite the transaction
holds the write lock from ``BEGIN IMMEDIATE``) first, the ledger stream last. Two desks pressing
新客到访 at the same moment are served one after the other and get different receivers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from kehu.core import rawsql
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Site, Staff
from kehu.core.unsaved import unsaved
from kehu.sales import rotation_rules as rules
from kehu.sales.models.rotation import (
    DutyRow,
    MakeupTurn,
    RotationDay,
    RotationEvent,
    RotationEventKind,
)
from kehu.sales.rotation_selectors import (
    LoadedDay,
    RotationError,
    RotationErrorCode,
    from_rule_error,
    local_today,
    rotation_candidates,
    rotation_day_find,
    rotation_day_load,
    rotation_denied,
    rotation_may_manage,
    rotation_may_operate,
    rotation_next,
    rotation_not_found,
    rotation_not_open,
    rotation_policy_for,
)
from kehu.sales.rules.messages import Msg, Term, msg, seq

__all__ = [
    "Assignment",
    "rotation_assign",
    "rotation_day_open",
    "rotation_makeup_grant",
    "rotation_makeup_void",
    "rotation_next",
    "rotation_reception_end",
    "rotation_reorder",
    "rotation_status_set",
]

LEDGER_STREAM = "rotation"


@dataclass(frozen=True)
class Assignment:
    """The answer to an arrival: who receives, by which rule, and the event that records it."""

    receiver: Staff
    answer: rules.NextAnswer
    event: RotationEvent
    makeups_earned: list[MakeupTurn]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return self.answer.rule_ids

    @property
    def explanation_zh(self) -> str:
        return self.answer.explanation_zh

    @property
    def consumed(self) -> bool:
        return self.answer.consumed


# --- shared steps -----------------------------------------------------------------------------


def _require(actor: Staff, site: Site, *, manage: bool, what_zh: str, what_en: str) -> None:
    if actor.company_id != site.company_id or not actor.active:
        raise rotation_not_found()
    allowed = rotation_may_manage(actor, site) if manage else rotation_may_operate(actor, site)
    if not allowed:
        raise rotation_denied(what_zh, what_en)


def _lock(site: Site, on: dt.date) -> LoadedDay:
    day = rotation_day_find(site, on, lock=True)
    if day is None:
        raise rotation_not_open(site, on)
    return rotation_day_load(site=site, on=on, day=day)


def _persist(loaded: LoadedDay, new: rules.DayState, *, now: dt.datetime) -> list[MakeupTurn]:
    """Write what changed between ``loaded.state`` and ``new``: rows (status, reason, place,
    newcomers), make-ups served (gone from the queue) and earned (ids < 0), the pointer. Plain
    statements (core/rawsql.py): every arrival and reception end comes through here."""
    day = loaded.day
    assert day is not None
    rows = {row.staff_id: row for row in loaded.rows}
    for position, member in enumerate(new.members):
        reason = member.reason.value if member.reason else ""
        row = rows.get(member.staff_id)
        if row is None:
            rawsql.insert(
                DutyRow(
                    company_id=day.company_id,
                    day=day,
                    staff_id=member.staff_id,
                    position=position,
                    status=member.status.value,
                    reason=reason,
                    since=now,
                )
            )
            continue
        changed: list[str] = []
        if row.position != position:
            row.position = position
            changed.append("position")
        if row.status != member.status or row.reason != reason:
            row.status, row.reason, row.since = member.status.value, reason, now
            changed += ["status", "reason", "since"]
            if member.status != rules.Status.BUSY:
                row.visit_ref = ""
                changed.append("visit_ref")
        if changed:
            rawsql.update(row, changed)
    kept = {m.id for m in new.makeups}
    served = [m.pk for m in loaded.makeups if m.pk not in kept]
    if served:
        ids_sql, ids = rawsql.in_list(served)
        rawsql.execute(
            MakeupTurn,
            f"UPDATE {rawsql.table(MakeupTurn)} SET served_at = %s, served_day_id = %s"
            f" WHERE id IN {ids_sql}",
            [now, day.pk, *ids],
        )
    earned = [
        rawsql.insert(
            MakeupTurn(
                company_id=day.company_id,
                site=loaded.site,
                staff_id=m.staff_id,
                earned_day=day,
                earned_at=now,
                cause=m.cause,
                text=m.text_zh[:200],
                rule_ids=list(m.rule_ids),
            )
        )
        for m in new.makeups
        if m.id < 0
    ]
    next_member = new.next_member
    day.next_staff_id = next_member.staff_id if next_member else None
    day.changed_at = now
    rawsql.update(day, ["next_staff", "changed_at"])
    return earned


def _event(
    loaded: LoadedDay,
    *,
    kind: RotationEventKind,
    actor: Staff,
    now: dt.datetime,
    rule_ids: Sequence[str],
    explanation: Msg | str,
    staff_id: int | None = None,
    policy_ref: str = "",
    **fields: Any,
) -> RotationEvent:
    """One append-only event; ``explanation`` as a message is stored as the Chinese text and,
    in ``detail``, as ``explanation_key`` and ``explanation_params``."""
    day = loaded.day
    assert day is not None
    if isinstance(explanation, Msg):
        as_json = explanation.as_json()
        fields["detail"] = {
            **fields.get("detail", {}),
            "explanation_key": as_json["key"],
            "explanation_params": as_json["params"],
        }
        explanation = explanation.zh
    event = rawsql.insert(
        unsaved(
            RotationEvent,
            company_id=day.company_id,
            day=day,
            kind=kind,
            staff_id=staff_id,
            actor=actor,
            at=now,
            rule_ids=list(rule_ids),
            explanation=explanation,
            policy_ref=policy_ref,
            **fields,
        )
    )
    ledger_append(
        company=loaded.site.company,
        stream=LEDGER_STREAM,
        kind=f"rotation.{kind}",
        payload={
            "site_id": loaded.site.pk,
            "on": loaded.on.isoformat(),
            "event_id": event.pk,
            "kind": str(kind),
            "staff_id": staff_id,
            "actor_id": actor.pk,
            "reception_kind": event.reception_kind,
            "status": event.status,
            "reason": event.reason,
            "note": event.note,
            "rule_ids": list(rule_ids),
            "explanation": explanation,
            "detail": event.detail,
            "visit_ref": event.visit_ref,
            "policy_ref": policy_ref,
        },
        recorded_by=actor.user,
        subject=event,
    )
    return event


def _new_ids() -> itertools.count[int]:
    """Placeholder ids for make-ups the rules add; ``_persist`` creates their rows."""
    return itertools.count(-1, -1)


def _skip_json(skip: rules.Skip) -> dict[str, Any]:
    return {
        "staff_id": skip.staff_id,
        "name": skip.name,
        "status": skip.status.value,
        "reason": skip.reason.value if skip.reason else "",
        "makeup_owed": skip.makeup_owed,
        "rule_ids": list(skip.rule_ids),
        "text": skip.text_zh,
        **({"text_msg": skip.text.as_json()} if skip.text is not None else {}),
    }


def reason_zh(reason: rules.Reason) -> str:
    return rules.REASONS[reason].label_zh


def _duty_reason_zh(row: DutyRow) -> str:
    """The row's reason as the model labels it, in Chinese whatever the request's language:
    stored explanations are Chinese (ADR 0003)."""
    with translation.override("zh-hans"):
        return str(row.get_reason_display())


# --- opening the day --------------------------------------------------------------------------


@transaction.atomic
def rotation_day_open(
    *,
    actor: Staff,
    site: Site,
    order: Sequence[int] | None = None,
    away: Mapping[int, rules.Reason] | None = None,
    on: dt.date | None = None,
) -> RotationDay:
    """Open the site's rotation for ``on`` (default today) with the site's salespeople in
    ``order`` (staff ids; default: by id). ``away``: who starts the day away, and why."""
    _require(actor, site, manage=True, what_zh="开启轮排", what_en="open the rotation")
    on = on or local_today()
    candidates = {s.pk: s for s in rotation_candidates(site)}
    ids = list(order) if order is not None else list(candidates)
    if not ids or len(set(ids)) != len(ids) or not set(ids) <= set(candidates):
        raise RotationError(
            RotationErrorCode.BAD_INPUT,
            "请选择本售楼处的售楼员（每人一次）排定轮排顺序。",
            "Choose this sales office's salespeople, each once, in rotation order.",
            status=422,
        )
    away = dict(away or {})
    for staff_id, reason in away.items():
        if staff_id not in ids or rules.REASONS[reason].status != rules.Status.AWAY:
            raise RotationError(
                RotationErrorCode.BAD_INPUT,
                "不在岗人员须在轮排表中，并注明不在岗原因。",
                "Absent salespeople must be on the rotation, with an absence reason.",
                status=422,
            )
    now = timezone.now()
    try:
        with transaction.atomic():
            day = RotationDay.objects.create(
                company_id=site.company_id,
                site=site,
                on=on,
                next_staff_id=ids[0],
                opened_by=actor,
                opened_at=now,
                changed_at=now,
            )
    except IntegrityError:
        raise RotationError(
            RotationErrorCode.ALREADY_OPEN,
            f"{site.name} {on:%Y-%m-%d} 的轮排已经开启；调整顺序请用“调整轮排”并写明理由（A2.2）。",
            f"The rotation of {site.name} for {on:%Y-%m-%d} is already open.",
            status=409,
            details={"rule_ids": ["A2.2"]},
        ) from None
    DutyRow.objects.bulk_create(
        DutyRow(
            company_id=site.company_id,
            day=day,
            staff_id=staff_id,
            position=position,
            status=rules.Status.AWAY if staff_id in away else rules.Status.FREE,
            reason=away[staff_id].value if staff_id in away else "",
            since=now,
        )
        for position, staff_id in enumerate(ids)
    )
    absent = seq(
        (seq((candidates[i].name, Term(reason_zh(r))), "label") for i, r in away.items()),
        "clauses",
    )
    opened = msg(
        "rotation.event.opened",
        names=seq(candidates[i].name for i in ids),
        away=msg("rotation.event.opened_away", who=absent) if away else "",
    )
    loaded = rotation_day_load(site=site, on=on, day=day)
    _policy, ref = rotation_policy_for(company=site.company, at=now)
    _event(
        loaded,
        kind=RotationEventKind.OPENED,
        actor=actor,
        now=now,
        rule_ids=("A2.1", "A7.1", "A2.2"),
        explanation=opened,
        policy_ref=ref,
        detail={"order": ids, "away": {str(k): v.value for k, v in away.items()}},
    )
    return day


# --- arrivals and receptions ------------------------------------------------------------------


@transaction.atomic
def rotation_assign(
    *,
    actor: Staff,
    site: Site,
    kind: rules.ReceptionKind = rules.ReceptionKind.NEW,
    named_staff_id: int | None = None,
    visit_ref: str = "",
    on: dt.date | None = None,
) -> Assignment:
    """A visitor of ``kind`` arrives: name the receiver (``named_staff_id``: the salesperson
    asked for, the PM's choice for a company referral, or — for ``helping`` — whose customer is
    handed back), mark them receiving, serve or earn make-ups, move the pointer. Raises
    ``rotation.nobody_free`` (409) when nobody can receive, with the reason and rule IDs."""
    if kind == rules.ReceptionKind.COMPANY_REFERRAL:
        _require(actor, site, manage=True, what_zh="指派公司转介客户", what_en="assign referrals")
    else:
        _require(actor, site, manage=False, what_zh="安排接待", what_en="assign receptions")
    loaded = _lock(site, on or local_today())
    now = timezone.now()
    policy, ref = rotation_policy_for(company=site.company, at=now)
    try:
        answer = rules.next_receiver(loaded.state, policy, kind, named_staff_id)
    except rules.RotationRuleError as error:
        raise from_rule_error(error, status=422) from error
    if answer.receiver is None:
        raise RotationError(
            RotationErrorCode.NOBODY_FREE,
            answer.explanation_zh,
            "Nobody on the rotation can receive this visitor now.",
            status=409,
            details={"rule_ids": list(answer.rule_ids)},
        )
    new = rules.apply(loaded.state, answer, _new_ids())
    earned = _persist(loaded, new, now=now)
    if visit_ref:
        assert loaded.day is not None
        rawsql.execute(
            DutyRow,
            f"UPDATE {rawsql.table(DutyRow)} SET visit_ref = %s"
            " WHERE day_id = %s AND staff_id = %s",
            [visit_ref, loaded.day.pk, answer.receiver.staff_id],
        )
    event = _event(
        loaded,
        kind=RotationEventKind.ASSIGNED,
        actor=actor,
        now=now,
        staff_id=answer.receiver.staff_id,
        rule_ids=answer.rule_ids,
        explanation=answer.explanation or answer.explanation_zh,
        policy_ref=ref,
        reception_kind=answer.kind.value,
        status=rules.Status.BUSY.value,
        reason=answer.busy_reason.value,
        visit_ref=visit_ref,
        detail={
            "via": answer.via,
            "consumed": answer.consumed,
            "makeup_served": answer.makeup.id if answer.makeup else None,
            "skips": [_skip_json(s) for s in answer.skips],
            "makeups_earned": [m.pk for m in earned],
            "on_behalf_of": answer.on_behalf_of.staff_id if answer.on_behalf_of else None,
            "next_after": new.next_member.staff_id if new.next_member else None,
            "skip_makeup": policy.skip_makeup.value,
        },
    )
    return Assignment(
        receiver=loaded.staff_by_id[answer.receiver.staff_id],
        answer=answer,
        event=event,
        makeups_earned=earned,
    )


@transaction.atomic
def rotation_reception_end(
    *,
    actor: Staff,
    site: Site,
    staff_id: int,
    visit_ref: str = "",
    on: dt.date | None = None,
) -> RotationEvent:
    """The salesperson's reception is over: they are free again, in their place (A2.5)."""
    _require(actor, site, manage=False, what_zh="结束接待", what_en="end receptions")
    loaded = _lock(site, on or local_today())
    row = next((r for r in loaded.rows if r.staff_id == staff_id), None)
    try:
        new = rules.reception_end(loaded.state, staff_id)
    except rules.RotationRuleError as error:
        raise from_rule_error(error) from error
    assert row is not None
    now = timezone.now()
    visit = visit_ref or row.visit_ref
    _persist(loaded, new, now=now)
    return _event(
        loaded,
        kind=RotationEventKind.RECEPTION_END,
        actor=actor,
        now=now,
        staff_id=staff_id,
        rule_ids=("A2.5",),
        explanation=msg(
            "rotation.event.reception_end", name=row.staff.name, reason=Term(_duty_reason_zh(row))
        ),
        status=rules.Status.FREE.value,
        reason=row.reason,
        visit_ref=visit,
        detail={"minutes": int((now - row.since).total_seconds() // 60)},
    )


@transaction.atomic
def rotation_status_set(
    *,
    actor: Staff,
    site: Site,
    staff_id: int,
    status: rules.Status,
    reason: rules.Reason | None = None,
    note: str = "",
    on: dt.date | None = None,
) -> RotationEvent:
    """Away with a reason, busy with their own or a colleague's customer or helping, or back.
    What a missed turn earns follows from the reason (A7.2 (1)–(4) / A7.3)."""
    _require(actor, site, manage=False, what_zh="设置在岗状态", what_en="set duty status")
    loaded = _lock(site, on or local_today())
    try:
        new = rules.status_set(loaded.state, staff_id, status, reason)
    except rules.RotationRuleError as error:
        status_code = 422 if error.code == "rotation.bad_reason" else 409
        raise from_rule_error(error, status=status_code) from error
    member = loaded.state.member(staff_id)
    assert member is not None
    now = timezone.now()
    _persist(loaded, new, now=now)
    _policy, ref = rotation_policy_for(company=site.company, at=now)
    if status == rules.Status.FREE:
        text = msg("rotation.event.back", name=member.name)
        rule_ids: tuple[str, ...] = ("A2.1",)
    else:
        assert reason is not None
        spec = rules.REASONS[reason]
        if spec.makeup_rule:
            owed = msg("rotation.event.status_owed", rule=spec.makeup_rule)
            rule_ids = ("A5.1", spec.makeup_rule)
        else:
            owed = msg("rotation.event.status_not_owed", rule=spec.no_makeup_rule)
            rule_ids = ("A2.1", spec.no_makeup_rule)
        text = msg(
            "rotation.event.status",
            name=member.name,
            status=Term(rules.STATUS_LABELS[status]),
            reason=Term(spec.label_zh),
            owed=owed,
        )
    return _event(
        loaded,
        kind=RotationEventKind.STATUS,
        actor=actor,
        now=now,
        staff_id=staff_id,
        rule_ids=rule_ids,
        explanation=text,
        policy_ref=ref,
        status=status.value,
        reason=reason.value if reason else "",
        note=note.strip(),
        detail={"from": member.status.value, "from_reason": member.reason or ""},
    )


# --- the PM's changes -------------------------------------------------------------------------


def _reason_required() -> RotationError:
    return RotationError(
        RotationErrorCode.REASON_REQUIRED,
        "请写明理由（A2.2：调整须记录调整人、时间和理由）。",
        "Give the reason (A2.2: every change records who, when and why).",
        status=422,
        details={"rule_ids": ["A2.2"]},
    )


@transaction.atomic
def rotation_reorder(
    *,
    pm: Staff,
    site: Site,
    new_order: Sequence[int],
    reason: str,
    on: dt.date | None = None,
) -> RotationEvent:
    """The PM puts the day's rotation in ``new_order`` (staff ids; the site's salespeople not
    yet on it join, free). Whoever was next stays next. Recorded with who, when, why (A2.2)."""
    _require(pm, site, manage=True, what_zh="调整轮排顺序", what_en="reorder the rotation")
    if not reason.strip():
        raise _reason_required()
    loaded = _lock(site, on or local_today())
    on_roster = {m.staff_id for m in loaded.state.members}
    joining = [i for i in new_order if i not in on_roster]
    candidates = {s.pk: s for s in rotation_candidates(site).filter(pk__in=joining)}
    newcomers = [rules.Member(i, candidates[i].name) for i in joining if i in candidates]
    if len(newcomers) != len(set(joining)):
        raise RotationError(
            RotationErrorCode.BAD_INPUT,
            "只能加入本售楼处在职的售楼员。",
            "Only this sales office's active salespeople can join the rotation.",
            status=422,
        )
    try:
        change = rules.reorder(loaded.state, new_order, newcomers)
    except rules.RotationRuleError as error:
        raise from_rule_error(error, status=422) from error
    now = timezone.now()
    _persist(loaded, change.state, now=now)
    return _event(
        loaded,
        kind=RotationEventKind.REORDERED,
        actor=pm,
        now=now,
        rule_ids=change.rule_ids,
        explanation=change.explanation or change.explanation_zh,
        note=reason.strip(),
        detail={
            "before": list(change.before),
            "after": list(change.after),
            "added": list(change.added),
        },
    )


@transaction.atomic
def rotation_makeup_grant(
    *,
    actor: Staff,
    site: Site,
    staff_id: int,
    cause: rules.AfterCause,
    visit_ref: str = "",
    note: str = "",
    on: dt.date | None = None,
) -> RotationEvent:
    """A reception found afterwards not to be a turn (A7.7 public, A7.9(3) came for a
    colleague, A7.2(2) a colleague's customer): the receiver is owed a make-up — unless the
    company skips without make-up (A2.1). The event records the decision either way."""
    _require(actor, site, manage=False, what_zh="登记补接", what_en="grant make-up turns")
    loaded = _lock(site, on or local_today())
    staff = (
        loaded.staff_by_id.get(staff_id) or rotation_candidates(site).filter(pk=staff_id).first()
    )
    if staff is None:
        raise from_rule_error(rules.not_on_duty(staff_id), status=422)
    now = timezone.now()
    policy, ref = rotation_policy_for(company=site.company, at=now)
    given = rules.makeup_after_fact(cause, policy)
    new = rules.grant(loaded.state, staff_id, -1, given, cause.value)
    earned = _persist(loaded, new, now=now)
    return _event(
        loaded,
        kind=RotationEventKind.MAKEUP_GRANTED,
        actor=actor,
        now=now,
        staff_id=staff_id,
        rule_ids=given.rule_ids,
        explanation=msg(
            "rotation.event.granted_owed" if given.owed else "rotation.event.granted_not_owed",
            name=staff.name,
            cause=Term(rules.AFTER_CAUSES[cause][0]),
        ),
        policy_ref=ref,
        reason=cause.value,
        note=note.strip(),
        visit_ref=visit_ref,
        detail={"owed": given.owed, "makeup_id": earned[0].pk if earned else None},
    )


@transaction.atomic
def rotation_makeup_void(
    *,
    pm: Staff,
    site: Site,
    makeup_id: int,
    reason: str,
    on: dt.date | None = None,
) -> RotationEvent:
    """The PM voids a make-up given in error, with a reason (A2.2)."""
    _require(pm, site, manage=True, what_zh="作废补接名额", what_en="void make-up turns")
    if not reason.strip():
        raise _reason_required()
    loaded = _lock(site, on or local_today())
    makeup = next((m for m in loaded.makeups if m.pk == makeup_id), None)
    if makeup is None:
        raise rotation_not_found()
    now = timezone.now()
    makeup.voided_at, makeup.voided_by, makeup.void_reason = now, pm, reason.strip()
    rawsql.update(makeup, ["voided_at", "voided_by", "void_reason"])
    day = loaded.day  # locked by ``_lock``: no need to look it up again
    assert day is not None
    day.changed_at = now
    rawsql.update(day, ["changed_at"])
    return _event(
        loaded,
        kind=RotationEventKind.MAKEUP_VOIDED,
        actor=pm,
        now=now,
        staff_id=makeup.staff_id,
        rule_ids=("A2.2", *makeup.rule_ids),
        explanation=msg(
            "rotation.event.voided",
            name=makeup.staff.name,
            text=rules.makeup_text(
                rules.Makeup(makeup.pk, makeup.staff_id, makeup.cause, (), makeup.text)
            ),
        ),
        note=reason.strip(),
        detail={"makeup_id": makeup.pk},
    )
