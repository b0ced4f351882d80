"""Write use-cases of the complaints app: intake at any unit, stage actions, the sweep, groups
and explanation sessions, coordination meetings, work orders and callbacks, needs (Part C).

Each public function is one transaction. Deadlines come from the pure engine
(``kehu.complaints.rules``) with the company's working calendar; every change writes a
``ComplaintEvent`` (append-only) with the deadline it set and its rule IDs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from kehu.complaints import errors, rules
from kehu.complaints.models import (
    Callback,
    Channel,
    Complaint,
    ComplaintCheck,
    ComplaintEvent,
    ComplaintGroup,
    CoordinationMeeting,
    CustomerNeed,
    ExplanationSession,
    SessionAttendance,
    TimeStateChoice,
    WorkOrder,
    WorkOrderStatus,
)
from kehu.core import rawsql
from kehu.core.calendar.errors import from_rule_error
from kehu.core.calendar.rules import LOCAL_TZ, CalendarRuleError
from kehu.core.calendar.selectors import company_day_status_lookup
from kehu.core.customers.models import Customer
from kehu.core.org.models import Company, Department, Post, Site, Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.policy.errors import PolicyKeyUnknown
from kehu.core.policy.selectors import policy_for
from kehu.core.unsaved import unsaved
from kehu.discipline.services import ProposalRequest, discipline_proposals_post

M = TypeVar("M", bound=models.Model)

HANDLE = "complaints.handle_complaints"
SUBJECT = "complaints.complaint"
EVENT_RECEIVE = "receive"
EVENT_WARNING = "warning"
EVENT_BREACH = "breach"
EVENT_ESCALATE = "escalate"
EVENT_FINES = "a8_2_fines"
EVENT_GROUPED = "grouped"
EVENT_SESSION = "explanation_session"
EVENT_MEETING = "coordination_meeting"
EVENT_WORK_ORDER = "work_order"

# Sales-office complaints follow the same-day profile (A8.2); every other channel A3.
_DEFAULT_PROFILE = {Channel.SALES_OFFICE.value: rules.Profile.A8_2}


def complaint_policy(company: Company, at: dt.datetime) -> tuple[rules.ComplaintPolicy, str]:
    """The ``complaints`` policy in force and its reference (the rulebook's defaults if the
    schema is not registered)."""
    try:
        resolved = policy_for(company=company, key="complaints", at=at)
    except PolicyKeyUnknown:
        return rules.ComplaintPolicy(), "complaints@default"
    return resolved.values.as_rules_policy(), resolved.ref


def _deadline(
    complaint: Complaint,
    stage: rules.Stage,
    started_at: dt.datetime,
    policy: rules.ComplaintPolicy,
    agreed_date: dt.date | None = None,
) -> rules.StageDeadline:
    try:
        return rules.stage_deadline(
            profile=rules.Profile(complaint.profile),
            stage=stage,
            started_at=started_at,
            policy=policy,
            day_status=company_day_status_lookup(company=complaint.company, start=started_at),
            agreed_date=agreed_date,
        )
    except rules.AgreedDateMissing:
        raise errors.bad_agreed_date() from None
    except CalendarRuleError as error:
        raise from_rule_error(error) from error


def _enter_stage(
    complaint: Complaint,
    stage: rules.Stage,
    at: dt.datetime,
    policy: rules.ComplaintPolicy,
    agreed_date: dt.date | None = None,
) -> rules.StageDeadline:
    """Put the complaint in ``stage`` from ``at``: its deadline and warning time (in memory;
    the caller saves it, then ``_schedule_check``)."""
    deadline = _deadline(complaint, stage, at, policy, agreed_date)
    complaint.stage = stage.value
    complaint.stage_started_at = at
    complaint.due_at = deadline.due_at
    complaint.time_state = TimeStateChoice.ON_TIME
    complaint.escalation_level = 0
    if deadline.due_at is None:
        complaint.warn_at = None
        complaint.closed_at = at
    else:
        complaint.warn_at = rules.warn_at(at, deadline.due_at, policy.warn_at_percent)
        complaint.closed_at = None
    if stage is rules.Stage.AGREED:
        complaint.agreed_date = agreed_date
    return deadline


def _schedule_check(complaint: Complaint, *, new: bool = False) -> None:
    """The sweep's next look at a saved ``complaint`` that has just entered a stage: its warning
    time; none once it is closed. ``new``: the complaint was just created (no check yet)."""
    if complaint.warn_at is None:
        if not new:
            ComplaintCheck.objects.filter(complaint_id=complaint.pk).delete()
        return
    if new or not ComplaintCheck.objects.filter(complaint_id=complaint.pk).update(
        next_check_at=complaint.warn_at
    ):
        ComplaintCheck.objects.create(complaint_id=complaint.pk, next_check_at=complaint.warn_at)


def _event(
    complaint: Complaint,
    *,
    action: str,
    actor: Staff | None,
    at: dt.datetime,
    from_stage: str = "",
    note: str = "",
    rule_ids: Iterable[str] = (),
    detail: dict[str, object] | None = None,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        company_id=complaint.company_id,
        complaint=complaint,
        action=action,
        from_stage=from_stage,
        to_stage=complaint.stage,
        actor=actor,
        at=at,
        note=note,
        due_at=complaint.due_at,
        rule_ids=list(dict.fromkeys(rule_ids)),
        detail=detail or {},
    )


def _company_row(
    model: type[M], company_id: int, pk: int | None, what: tuple[str, str, str]
) -> M | None:
    """The company's row ``pk`` of ``model`` (None for no choice); another company's or a
    missing row is a bad reference, never a silent miss."""
    if pk is None:
        return None
    row = model._default_manager.filter(company_id=company_id, pk=pk).first()
    if row is None:
        raise errors.bad_reference(*what)
    return row


def _when(at: dt.datetime | None, *, not_before: dt.datetime | None) -> dt.datetime:
    """The moment a step happened: now, or an earlier moment given when it is entered later."""
    now = timezone.now()
    if at is None:
        return now
    if at.tzinfo is None:
        at = at.replace(tzinfo=LOCAL_TZ)
    if at > now or (not_before is not None and at < not_before):
        raise errors.bad_time()
    return at


def _require(value: str, field_zh: str, field_en: str, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise errors.field_required(field_zh, field_en, name)
    return value


@transaction.atomic
def complaint_receive(
    *,
    actor: Staff,
    channel: str,
    customer_name: str,
    category: str,
    subject: str,
    description: str,
    contact: str = "",
    site_id: int | None = None,
    place: str = "",
    customer_id: int | None = None,
    own_solution: str = "",
    profile: str | None = None,
    leak: bool = False,
    address: str = "",
    received_at: dt.datetime | None = None,
) -> Complaint:
    """Any unit accepts a complaint (one-stop, A3): there is no refusal. The receiving person
    must pass it to customer service within the forwarding clock (A3) — or, at the sales office,
    settle it the same day (A8.2). A gas-leak report also opens an urgent work order at once
    (A4 hotline). ``received_at``: when the customer complained, if it is being entered later
    (e.g. from a paper form); the clock runs from then. Never in the future."""
    if not actor.active:
        raise errors.not_allowed("受理投诉", "take complaints")
    try:
        the_channel = Channel(channel)
    except ValueError:
        raise errors.field_required("渠道", "the channel", "channel") from None
    the_profile = (
        rules.Profile(profile)
        if profile
        else _DEFAULT_PROFILE.get(the_channel.value, rules.Profile.A3)
    )
    now = _when(received_at, not_before=None)
    policy, policy_ref = complaint_policy(actor.company, now)
    complaint = Complaint(
        company_id=actor.company_id,
        profile=the_profile.value,
        channel=the_channel.value,
        receiving_unit_id=actor.department_id,
        received_by=actor,
        received_at=now,
        customer=_company_row(
            Customer, actor.company_id, customer_id, ("customer_id", "客户", "customer")
        ),
        customer_name=_require(
            customer_name, "投诉人姓名", "the complainant's name", "customer_name"
        ),
        contact=contact.strip(),
        site=_company_row(Site, actor.company_id, site_id, ("site_id", "项目", "site")),
        place=place.strip(),
        category=_require(category, "类别", "the category", "category"),
        subject=_require(subject, "事由", "the subject", "subject"),
        description=_require(description, "投诉内容", "the complaint", "description"),
        own_solution=own_solution.strip(),
        handler=actor,
        policy_ref=policy_ref,
    )
    complaint.company = actor.company
    deadline = _enter_stage(complaint, rules.Stage.RECEIVED, now, policy)
    complaint.save()
    _schedule_check(complaint, new=True)
    _event(
        complaint,
        action=EVENT_RECEIVE,
        actor=actor,
        at=now,
        note=complaint.own_solution,
        rule_ids=(rules.A3_ONE_STOP, *deadline.rule_ids),
        detail={"explanation_zh": deadline.explanation_zh, "policy_ref": policy_ref},
    )
    if leak:
        order = _work_order_create(
            actor=actor,
            kind=rules.WorkKind.LEAK,
            customer_name=complaint.customer_name,
            contact=complaint.contact,
            address=_require(address or place, "地址", "the address", "address"),
            description=complaint.description,
            complaint=complaint,
            customer=complaint.customer,
        )
        _event(
            complaint,
            action=EVENT_WORK_ORDER,
            actor=actor,
            at=now,
            rule_ids=rules.work_order_rule_ids(rules.WorkKind.LEAK),
            detail={"work_order_id": order.pk, "urgent": True},
        )
    return complaint


def _lock(actor: Staff, complaint_id: int) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("company")
        .filter(company_id=actor.company_id, pk=complaint_id)
        .first()
    )
    if complaint is None or not actor.active:
        raise errors.complaint_not_found()
    return complaint


def may_act(actor: Staff, complaint: Complaint, action: rules.Action) -> bool:
    """Customer service may take every step; the person holding the complaint the steps of
    their stage; the responsible department its result (A3)."""
    if staff_has_perm(actor, HANDLE):
        return True
    holds = actor.pk in (complaint.handler_id, complaint.received_by_id)
    if complaint.profile == rules.Profile.A8_2 and holds:
        return True  # the sales office settles its own complaints (A8.2)
    if action is rules.Action.FORWARD:
        return holds or (
            complaint.receiving_unit_id is not None
            and actor.department_id == complaint.receiving_unit_id
        )
    if action in (rules.Action.REPORT_RESULT, rules.Action.REPORT_NOT_SOON):
        in_department = (
            complaint.department_id is not None and actor.department_id == complaint.department_id
        )
        return in_department or actor.pk == complaint.handler_id
    return False


@transaction.atomic
def complaint_act(
    *,
    actor: Staff,
    complaint_id: int,
    action: str,
    note: str = "",
    department_id: int | None = None,
    handler_id: int | None = None,
    agreed_date: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Complaint:
    """Take one step (the profile's transition table); the next stage's deadline is computed
    from now. DISPATCH names the responsible department; REPORT_RESULT and AGREE_DATE need a
    note (the result; the explanation given); AGREE_DATE the date agreed with the customer,
    which becomes the deadline (A3). ``at``: when the step happened, if recorded afterwards —
    not before the current stage began and never in the future."""
    complaint = _lock(actor, complaint_id)
    try:
        the_action = rules.Action(action)
    except ValueError:
        raise errors.field_required("处理动作", "the action", "action") from None
    if not may_act(actor, complaint, the_action):
        raise errors.not_allowed(
            f"对该投诉执行“{rules.ACTION_LABELS[the_action][0]}”",
            f"“{rules.ACTION_LABELS[the_action][1]}” on this complaint",
        )
    profile = rules.Profile(complaint.profile)
    stage = rules.Stage(complaint.stage)
    try:
        new_stage = rules.next_stage(profile, stage, the_action)
    except rules.TransitionRefused as refused:
        raise errors.transition_refused(stage, the_action, refused.allowed) from None
    note = note.strip()
    if the_action in (rules.Action.REPORT_RESULT, rules.Action.AGREE_DATE, rules.Action.REOPEN):
        _require(note, "说明", "a note", "note")
    if the_action is rules.Action.DISPATCH:
        department = _company_row(
            Department, actor.company_id, department_id, ("department_id", "部门", "department")
        )
        if department is None:
            raise errors.field_required("责任部门", "the responsible department", "department_id")
        complaint.department = department
    if the_action is rules.Action.AGREE_DATE and agreed_date is None:
        raise errors.field_required("约定的解决日期", "the agreed date", "agreed_date")
    handler = _company_row(Staff, actor.company_id, handler_id, ("handler_id", "责任人", "handler"))
    now = _when(at, not_before=complaint.stage_started_at)
    policy, _ref = complaint_policy(complaint.company, now)
    deadline = _enter_stage(complaint, new_stage, now, policy, agreed_date)
    complaint.handler = (
        handler if handler is not None else _next_handler(complaint, the_action, actor)
    )
    complaint.save()
    _schedule_check(complaint)
    _event(
        complaint,
        action=the_action.value,
        actor=actor,
        at=now,
        from_stage=stage.value,
        note=note,
        rule_ids=deadline.rule_ids or (rules.A3,),
        detail={
            "explanation_zh": deadline.explanation_zh,
            "department_id": complaint.department_id,
            "handler_id": complaint.handler_id,
            "agreed_date": agreed_date.isoformat() if agreed_date else None,
        },
    )
    return complaint


def _next_handler(complaint: Complaint, action: rules.Action, actor: Staff) -> Staff | None:
    """Who holds the complaint after a step when nobody is named: the sales office itself
    throughout an A8.2 complaint; otherwise a queue (None) — customer service's after a forward
    or a report, the responsible department's after a dispatch."""
    del action  # every A3 step hands over to a queue unless a person is named
    if complaint.profile == rules.Profile.A8_2:
        return complaint.handler or actor
    return None


# --- the sweep --------------------------------------------------------------------------------


@dataclass
class SweepResult:
    looked_at: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    fines: int = 0
    batches: int = 0
    # set by complaint_sweep_all: each batch's time (how long its row locks are held)
    batch_seconds: list[float] = field(default_factory=list)
    # set by complaint_sweep_all: it stopped at its batch limit with the last batch full, so
    # more may be due (the next run goes on)
    more_due: bool = False
    complaint_ids: list[int] = field(default_factory=list)

    @property
    def slowest_batch_seconds(self) -> float:
        return max(self.batch_seconds, default=0.0)

    def add(self, batch: SweepResult) -> None:
        self.looked_at += batch.looked_at
        self.warnings += batch.warnings
        self.breaches += batch.breaches
        self.escalations += batch.escalations
        self.fines += batch.fines
        self.batches += batch.batches
        self.batch_seconds += batch.batch_seconds
        self.complaint_ids += batch.complaint_ids


def sweep_candidates(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """Open complaints the sweep must look at (index ``complaint_check_due``)."""
    return list(_sweep_due(now).values_list("pk", flat=True)[:limit])


def _sweep_due(now: dt.datetime) -> models.QuerySet[Complaint]:
    """Open complaints whose next check has come, the oldest first: through the checks'
    index, then each complaint by its primary key."""
    return (
        Complaint.objects.filter(sweep_check__next_check_at__lte=now)
        .exclude(stage=rules.Stage.CLOSED.value)
        .order_by("sweep_check__next_check_at")
    )


# Rows one sweep batch takes, in one transaction. At midnight far more are due at once (every
# A8.2 same-day stage breaches and is fined, every agreed date escalates: 64,707 among
# 1,000,000 open in the benchmark). On PostgreSQL a batch of 5,000 took 4–5 s; of 500,
# 0.2–0.5 s, but 1.0–1.25 s when every row in it was fined (two proposals and two ledger
# entries each); 250 keeps each transaction, and the row locks it holds, well under a second
# (docs/performance.md, "Fifth session"). A steady minute brings ~560 among 1,000,000 open.
SWEEP_BATCH = 250
# A drain stops after this many batches, whatever is left, so that one run ends within about
# half a minute even at midnight; the next run goes on where it stopped (the oldest due rows
# first).
SWEEP_MAX_BATCHES = 120


def complaint_sweep_all(
    *,
    now: dt.datetime | None = None,
    batch: int | None = None,
    max_batches: int = SWEEP_MAX_BATCHES,
) -> SweepResult:
    """Sweep every complaint due at ``now``, one batch (``complaint_sweep``) after another,
    each in its own transaction, until a batch comes back short. What the job, the command and
    the API run. A batch moves each row's next check past ``now``, so no row is taken twice."""
    now = now or timezone.now()
    batch = batch or SWEEP_BATCH
    total = SweepResult()
    for _ in range(max_batches):
        started = time.perf_counter()
        done = complaint_sweep(now=now, limit=batch)
        done.batch_seconds.append(time.perf_counter() - started)
        total.add(done)
        if done.looked_at < batch:
            break
    else:
        total.more_due = max_batches > 0
    return total


def complaint_sweep(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> SweepResult:
    """Mark warnings, breaches and escalations of the open complaints that need a look, as one
    batch: one indexed read (the same rows ``sweep_candidates`` finds), the verdicts from the
    pure rules, one bulk update and one bulk insert of the events, in one transaction. A
    breached A8.2 complaint's fines go to the discipline ledger once, all of the batch's in one
    post. ``complaint_sweep_all`` runs batches until none are left."""
    now = now or timezone.now()
    result = SweepResult(batches=1)
    with transaction.atomic():
        rows = [
            _SweepRow(*values)
            for values in _sweep_due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list(*_SWEEP_FIELDS)[:limit]
        ]
        if not rows:
            return result
        policies = _sweep_policies({c.company_id for c in rows}, now)
        people = _SweepPeople({c.handler_id or c.received_by_id for c in rows})
        events: list[ComplaintEvent] = []
        fined: list[tuple[_SweepRow, rules.ComplaintPolicy]] = []
        for complaint in rows:
            policy = policies[complaint.company_id]
            events += _sweep_verdict(complaint, now, policy, people, result)
            if complaint.penalised is False and _a8_2_due(complaint):
                fined.append((complaint, policy))
        fines: list[ProposalRequest] = []
        if fined:
            # the fines' reason names the subject, which the sweep's read leaves out
            subjects = dict(
                Complaint.objects.filter(pk__in=[c.pk for c, _ in fined]).values_list(
                    "pk", "subject"
                )
            )
            for complaint, policy in fined:
                responsible = people.get(complaint.handler_id or complaint.received_by_id)
                complaint.subject = subjects[complaint.pk]
                found = _a8_2_fines(complaint, policy, responsible, now, people)
                if found is not None:
                    requests, event = found
                    fines += requests
                    events.append(event)
            # all of one sweep's fines in one post: a few statements, not seven per proposal
            result.fines = len(discipline_proposals_post(fines))
        _sweep_update(rows)  # with ``penalised``: the fines are posted once (A8.2)
        rawsql.insert_many(ComplaintEvent, events)
    return result


@dataclass(slots=True)
class _SweepRow:
    """What the sweep reads of one complaint (``_SWEEP_FIELDS``, in that order) and the four
    fields it sets: plain values, not a model instance (with its people read by hand and its
    events built by ``unsaved``, a PostgreSQL batch of 250 went from 37 to 28–31 ms;
    docs/performance.md, "Twelfth session")."""

    pk: int
    company_id: int
    profile: str
    stage: str
    stage_started_at: dt.datetime
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    next_check_at: dt.datetime | None
    time_state: str
    escalation_level: int
    handler_id: int | None
    received_by_id: int
    penalised: bool
    subject: str = ""  # read only for the complaints that are fined (A8.2)


# What the sweep reads of each complaint: ``_SweepRow``'s fields but ``subject``, in order.
_SWEEP_FIELDS = (
    "pk",
    "company_id",
    "profile",
    "stage",
    "stage_started_at",
    "due_at",
    "warn_at",
    "sweep_check__next_check_at",
    "time_state",
    "escalation_level",
    "handler_id",
    "received_by_id",
    "penalised",
)


# What the sweep writes on the complaint itself: none of these columns is in an index, so on
# PostgreSQL the update stays in place (HOT) instead of adding an entry to each of the table's
# indexes (models.py; tests/complaints/test_services.py).
_SWEEP_SET = (
    "time_state = v.time_state, escalation_level = v.escalation_level, penalised = v.penalised"
)
_SWEEP_COLUMNS = "(id, time_state, escalation_level, next_check_at, penalised)"


def _sweep_update(rows: Sequence[_SweepRow], batch: int = 500) -> None:
    """Write what the sweep decided for every row: the complaint's ``time_state``,
    ``escalation_level`` and ``penalised`` (set once its A8.2 fines are posted), and its
    check's ``next_check_at``. On PostgreSQL one statement for the batch: the values as one
    array per column (``unnest`` — the statement's text stays within psycopg's cache, where a
    ``VALUES`` list of 250 rows was split at its placeholders in Python on every run), both
    tables written by a data-modifying ``WITH``. Elsewhere one ``UPDATE … FROM (VALUES …)`` per
    table and ``batch`` rows (SQLite ≥ 3.33). Django's ``bulk_update`` builds a ``CASE WHEN
    id = … THEN …`` expression per row and field, which cost ~15 ms of Python per row in the
    benchmark (docs/performance.md, "Complaints: the sweep")."""
    complaints = connection.ops.quote_name(Complaint._meta.db_table)
    checks = connection.ops.quote_name(ComplaintCheck._meta.db_table)
    by_complaint = f"FROM v WHERE {complaints}.id = v.id"
    by_check = f"FROM v WHERE {checks}.complaint_id = v.id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH v {_SWEEP_COLUMNS} AS (SELECT * FROM unnest(%s::bigint[], "
                "%s::varchar[], %s::smallint[], %s::timestamptz[], %s::boolean[])), "
                f"done AS (UPDATE {complaints} SET {_SWEEP_SET} {by_complaint}) "
                f"UPDATE {checks} SET next_check_at = v.next_check_at {by_check}",
                [
                    [r.pk for r in rows],
                    [r.time_state for r in rows],
                    [r.escalation_level for r in rows],
                    [r.next_check_at for r in rows],
                    [r.penalised for r in rows],
                ],
            )
            return
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            one = "(%s, %s, %s, %s, %s)"
            values = f"WITH v {_SWEEP_COLUMNS} AS (VALUES {', '.join([one] * len(chunk))})"
            params: list[Any] = []
            for c in chunk:
                params += [
                    c.pk,
                    c.time_state,
                    c.escalation_level,
                    connection.ops.adapt_datetimefield_value(c.next_check_at),
                    c.penalised,
                ]
            cursor.execute(f"{values} UPDATE {complaints} SET {_SWEEP_SET} {by_complaint}", params)
            cursor.execute(
                f"{values} UPDATE {checks} SET next_check_at = v.next_check_at {by_check}", params
            )


def _sweep_policies(company_ids: set[int], now: dt.datetime) -> dict[int, rules.ComplaintPolicy]:
    companies = Company.objects.in_bulk(list(company_ids))
    return {pk: complaint_policy(company, now)[0] for pk, company in companies.items()}


def _a8_2_due(complaint: _SweepRow) -> bool:
    return (
        complaint.profile == rules.Profile.A8_2.value
        and complaint.time_state == TimeStateChoice.BREACHED
    )


def _sweep_event(
    complaint: _SweepRow, now: dt.datetime, action: str, **fields: Any
) -> ComplaintEvent:
    return unsaved(
        ComplaintEvent,
        company_id=complaint.company_id,
        complaint_id=complaint.pk,
        action=action,
        from_stage=complaint.stage,
        to_stage=complaint.stage,
        actor=None,
        at=now,
        due_at=complaint.due_at,
        **fields,
    )


def _sweep_verdict(
    complaint: _SweepRow,
    now: dt.datetime,
    policy: rules.ComplaintPolicy,
    people: _SweepPeople,
    result: SweepResult,
) -> list[ComplaintEvent]:
    """Apply the rules' verdict at ``now`` to one complaint (in memory) and return its events."""
    assert complaint.due_at is not None
    verdict = rules.timing(
        started_at=complaint.stage_started_at, due=complaint.due_at, now=now, policy=policy
    )
    result.looked_at += 1
    result.complaint_ids.append(complaint.pk)
    events: list[ComplaintEvent] = []
    before_state = complaint.time_state
    before_level = complaint.escalation_level
    responsible_id = complaint.handler_id or complaint.received_by_id
    if verdict.state is rules.TimeState.WARNING and before_state == TimeStateChoice.ON_TIME:
        result.warnings += 1
        events.append(
            _sweep_event(
                complaint,
                now,
                EVENT_WARNING,
                rule_ids=[rules.A3],
                detail={"left_seconds": int(verdict.left.total_seconds())},
            )
        )
    if verdict.state is rules.TimeState.BREACHED and before_state != TimeStateChoice.BREACHED:
        result.breaches += 1
        name = people.name(responsible_id) if responsible_id else ""
        events.append(
            _sweep_event(
                complaint,
                now,
                EVENT_BREACH,
                note=f"已超时，催办 {name}" if name else "已超时，催办客服中心",
                rule_ids=[rules.A3 if complaint.profile == rules.Profile.A3 else rules.A8_2],
                detail={"chased_staff_id": responsible_id},
            )
        )
    if verdict.escalation_level > max(before_level, 1):
        chain = people.above(responsible_id, verdict.escalation_level - 1) if responsible_id else []
        for level in range(max(before_level, 1) + 1, verdict.escalation_level + 1):
            target = chain[level - 2] if len(chain) >= level - 1 else None
            result.escalations += 1
            events.append(
                _sweep_event(
                    complaint,
                    now,
                    EVENT_ESCALATE,
                    note=f"督办：{target[1]}" if target else "督办：已到最高一级",
                    rule_ids=[rules.A3],
                    detail={"level": level, "escalated_to": target[0] if target else None},
                )
            )
    complaint.time_state = verdict.state.value
    complaint.escalation_level = verdict.escalation_level
    complaint.next_check_at = _next_check(complaint, verdict, policy)
    return events


def _next_check(
    complaint: _SweepRow, verdict: rules.Timing, policy: rules.ComplaintPolicy
) -> dt.datetime:
    assert complaint.due_at is not None
    if verdict.state is rules.TimeState.ON_TIME:
        return verdict.warn_at
    if verdict.state is rules.TimeState.WARNING:
        return complaint.due_at + dt.timedelta(microseconds=1)
    every = dt.timedelta(hours=policy.escalate_every_hours)
    return complaint.due_at + every * verdict.escalation_level


def _a8_2_fines(
    complaint: _SweepRow,
    policy: rules.ComplaintPolicy,
    responsible: Staff | None,
    now: dt.datetime,
    people: _SweepPeople,
) -> tuple[list[ProposalRequest], ComplaintEvent] | None:
    """The complaint's A8.2 fines for the discipline ledger (the sweep posts them with the
    others) and the ``fines`` event to insert with the sweep's; None when the rules call for
    none."""
    proposals = rules.a8_2_penalties(
        profile=rules.Profile(complaint.profile),
        already_penalised=complaint.penalised,
        policy=policy,
    )
    if not proposals:
        return None
    complaint.penalised = True
    targets = _fine_targets(complaint, responsible, people)
    requests: list[ProposalRequest] = []
    posted: list[dict[str, object]] = []
    for proposal in proposals:
        employee = targets.get(proposal.role)
        if employee is None:
            posted.append({"role": proposal.role.value, "employee_id": None})
            continue
        requests.append(
            ProposalRequest(
                employee=employee,
                kind="fine_in_range",
                on=now.astimezone(LOCAL_TZ).date(),
                low=proposal.amount,
                high=proposal.amount,
                reason=f"{proposal.reason_zh}：{complaint.subject}",
                rule_ids=tuple(proposal.rule_ids),
                source_type=SUBJECT,
                source_id=complaint.pk,
            )
        )
        posted.append({"role": proposal.role.value, "employee_id": employee.pk})
    missing = [p["role"] for p in posted if p["employee_id"] is None]
    event = _sweep_event(
        complaint,
        now,
        EVENT_FINES,
        note="未找到：" + "、".join(str(m) for m in missing) if missing else "",
        rule_ids=[rules.A8_2],
        detail={"proposals": posted},
    )
    return requests, event


class _SweepPeople:
    """The staff one sweep batch names, read once: the people holding its complaints and
    everyone in the supervisor chains above them, one query per level for all (not one per
    person or complaint), with their companies; a company's sales director once. The 催办 and
    督办 names come from here, and so do the A8.2 fines' people."""

    def __init__(self, ids: set[int | None]) -> None:
        self._staff: dict[int, Staff] = {}
        self._asked: set[int] = set()  # found or not: each id is read at most once
        self._chains: dict[int, list[Staff]] = {}
        self._directors: dict[int, Staff | None] = {}
        self._load({i for i in ids if i is not None})

    def _load(self, ids: set[int]) -> None:
        wanted = ids - self._asked
        while wanted:
            self._asked |= wanted
            # by hand, as the hot paths do: the ORM built the query and ~150 instances per batch
            where, params = rawsql.one_of(Staff, "m.id", wanted)
            found = rawsql.select_with(Staff, ["company"], where, params)
            self._staff.update((s.pk, s) for s in found)
            wanted = {s.supervisor_id for s in found if s.supervisor_id is not None} - self._asked

    def get(self, staff_id: int | None) -> Staff | None:
        if staff_id is None:
            return None
        self._load({staff_id})
        return self._staff.get(staff_id)

    def name(self, staff_id: int) -> str:
        staff = self.get(staff_id)
        return staff.name if staff is not None else ""

    def chain_above(self, staff: Staff) -> list[Staff]:
        """As ``staff_chain_above``, from the people already read."""
        if staff.pk not in self._chains:
            chain: list[Staff] = []
            seen = {staff.pk}
            above = self.get(staff.supervisor_id)
            while above is not None and above.pk not in seen:
                chain.append(above)
                seen.add(above.pk)
                above = self.get(above.supervisor_id)
            self._chains[staff.pk] = chain
        return self._chains[staff.pk]

    def above(self, staff_id: int, levels: int) -> list[tuple[int, str]]:
        """The nearest ``levels`` supervisors of ``staff_id`` as (id, name)."""
        staff = self.get(staff_id)
        chain = self.chain_above(staff)[:levels] if staff is not None else []
        return [(s.pk, s.name) for s in chain]

    def company_director(self, company_id: int) -> Staff | None:
        if company_id not in self._directors:
            self._directors[company_id] = (
                Staff.objects.filter(company_id=company_id, post=Post.SALES_DIRECTOR, active=True)
                .select_related("company")
                .order_by("pk")
                .first()
            )
        return self._directors[company_id]


def _fine_targets(
    complaint: _SweepRow, responsible: Staff | None, people: _SweepPeople
) -> dict[rules.PenaltyRole, Staff]:
    """Who the A8.2 fines go to: the customer-service person holding the complaint; the sales
    director above them (or the company's); the director's assistant — a post kehu does not
    have, so that share is recorded as unassigned until one is named (reading)."""
    targets: dict[rules.PenaltyRole, Staff] = {}
    if responsible is not None:
        targets[rules.PenaltyRole.CUSTOMER_SERVICE] = responsible
        chain = people.chain_above(responsible)
        director = next((s for s in chain if s.post == Post.SALES_DIRECTOR), None)
    else:
        director = None
    if director is None:
        director = people.company_director(complaint.company_id)
    if director is not None:
        targets[rules.PenaltyRole.SALES_DIRECTOR] = director
    return targets


# --- groups, sessions, meetings ---------------------------------------------------------------


@transaction.atomic
def group_confirm(*, actor: Staff, complaint_ids: Sequence[int], title: str) -> ComplaintGroup:
    """A person confirms that these complaints are about one problem (A3 统一解释)."""
    if not staff_has_perm(actor, HANDLE):
        raise errors.not_allowed("归并投诉", "group complaints")
    complaints = list(
        Complaint.objects.select_for_update()
        .filter(company_id=actor.company_id, pk__in=list(complaint_ids))
        .order_by("pk")
    )
    if len(complaints) < 2 or len(complaints) != len(set(complaint_ids)):
        raise errors.field_required(
            "至少两件本公司的投诉", "two or more complaints", "complaint_ids"
        )
    first = complaints[0]
    group = ComplaintGroup.objects.create(
        company_id=actor.company_id,
        title=_require(title, "问题说明", "the problem", "title"),
        place=first.place,
        category=first.category,
        confirmed_by=actor,
    )
    now = timezone.now()
    for complaint in complaints:
        complaint.group = group
        complaint.save(update_fields=["group"])
        _event(
            complaint,
            action=EVENT_GROUPED,
            actor=actor,
            at=now,
            from_stage=complaint.stage,
            rule_ids=(rules.A3_GROUP,),
            detail={"group_id": group.pk},
        )
    return group


@transaction.atomic
def session_record(
    *,
    actor: Staff,
    group_id: int,
    held_at: dt.datetime,
    location: str,
    explanation: str,
    attended_complaint_ids: Iterable[int],
) -> ExplanationSession:
    """One explanation session for the group (A3), with which complainants attended."""
    if not staff_has_perm(actor, HANDLE):
        raise errors.not_allowed("记录解释会", "record explanation sessions")
    group = ComplaintGroup.objects.filter(company_id=actor.company_id, pk=group_id).first()
    if group is None:
        raise errors.bad_reference("group_id", "投诉组", "group")
    session = ExplanationSession.objects.create(
        company_id=actor.company_id,
        group=group,
        held_at=held_at,
        location=_require(location, "地点", "the place", "location"),
        explanation=_require(explanation, "解释内容", "the explanation", "explanation"),
        recorded_by=actor,
    )
    attended = set(attended_complaint_ids)
    for complaint in group.complaints.all():
        SessionAttendance.objects.create(
            company_id=actor.company_id,
            session=session,
            complaint=complaint,
            attended=complaint.pk in attended,
        )
        _event(
            complaint,
            action=EVENT_SESSION,
            actor=actor,
            at=timezone.now(),
            from_stage=complaint.stage,
            rule_ids=(rules.A3_GROUP,),
            detail={"session_id": session.pk, "attended": complaint.pk in attended},
        )
    return session


@transaction.atomic
def meeting_record(
    *, actor: Staff, complaint_id: int, held_at: dt.datetime, departments: str, minutes: str
) -> CoordinationMeeting:
    """Customer service brings the departments together on a complex complaint (A3)."""
    if not staff_has_perm(actor, HANDLE):
        raise errors.not_allowed("记录协调会", "record coordination meetings")
    complaint = _lock(actor, complaint_id)
    meeting = CoordinationMeeting.objects.create(
        company_id=actor.company_id,
        complaint=complaint,
        held_at=held_at,
        departments=_require(departments, "参加部门", "the departments", "departments"),
        minutes=_require(minutes, "会议记录", "the minutes", "minutes"),
        recorded_by=actor,
    )
    _event(
        complaint,
        action=EVENT_MEETING,
        actor=actor,
        at=timezone.now(),
        from_stage=complaint.stage,
        rule_ids=(rules.A3,),
        detail={"meeting_id": meeting.pk},
    )
    return meeting


# --- work orders and callbacks ------------------------------------------------------------------


def _work_order_create(
    *,
    actor: Staff,
    kind: rules.WorkKind,
    customer_name: str,
    contact: str,
    address: str,
    description: str,
    complaint: Complaint | None = None,
    customer: Customer | None = None,
    assignee: Staff | None = None,
) -> WorkOrder:
    return WorkOrder.objects.create(
        company_id=actor.company_id,
        kind=kind.value,
        urgent=rules.is_urgent(kind),
        complaint=complaint,
        customer=customer,
        customer_name=customer_name,
        contact=contact,
        address=address,
        description=description,
        assignee=assignee,
        created_by=actor,
    )


@transaction.atomic
def work_order_open(
    *,
    actor: Staff,
    kind: str,
    customer_name: str,
    address: str,
    description: str,
    contact: str = "",
    customer_id: int | None = None,
    assignee_id: int | None = None,
) -> WorkOrder:
    """A service request becomes a work order (A9); a leak is urgent at once (A4)."""
    if not actor.active:
        raise errors.not_allowed("开工单", "open work orders")
    try:
        the_kind = rules.WorkKind(kind)
    except ValueError:
        raise errors.field_required("工单类别", "the kind of work", "kind") from None
    return _work_order_create(
        actor=actor,
        kind=the_kind,
        customer_name=_require(customer_name, "客户", "the customer", "customer_name"),
        contact=contact.strip(),
        address=_require(address, "地址", "the address", "address"),
        description=_require(description, "内容", "the description", "description"),
        customer=_company_row(
            Customer, actor.company_id, customer_id, ("customer_id", "客户", "customer")
        ),
        assignee=_company_row(
            Staff, actor.company_id, assignee_id, ("assignee_id", "处理人", "assignee")
        ),
    )


def _lock_order(actor: Staff, work_order_id: int) -> WorkOrder:
    order = (
        WorkOrder.objects.select_for_update()
        .filter(company_id=actor.company_id, pk=work_order_id)
        .first()
    )
    if order is None or not actor.active:
        raise errors.work_order_not_found()
    return order


@transaction.atomic
def work_order_complete(*, actor: Staff, work_order_id: int) -> WorkOrder:
    """The repairman returns the order: it now waits for its callback (100%, A4/A9)."""
    order = _lock_order(actor, work_order_id)
    if order.status != WorkOrderStatus.OPEN:
        raise errors.already_called_back()
    order.status = WorkOrderStatus.COMPLETED
    order.completed_at = timezone.now()
    order.save(update_fields=["status", "completed_at"])
    return order


@transaction.atomic
def callback_record(
    *, actor: Staff, work_order_id: int, satisfied: bool, note: str = ""
) -> Callback:
    """The callback after a completed order (A4/A9): satisfied → closed; not satisfied → the
    order reopens, and so does the complaint it came from."""
    order = _lock_order(actor, work_order_id)
    if order.status != WorkOrderStatus.COMPLETED:
        raise errors.already_called_back()
    verdict = rules.callback_verdict(kind=rules.WorkKind(order.kind), satisfied=satisfied)
    callback = Callback.objects.create(
        company_id=actor.company_id,
        work_order=order,
        by=actor,
        satisfied=satisfied,
        note=note.strip(),
        rule_ids=list(verdict.rule_ids),
    )
    if verdict.reopen:
        order.status = WorkOrderStatus.OPEN
        order.completed_at = None
        order.reopened_count += 1
        if order.complaint_id is not None:
            complaint = Complaint.objects.select_related("company").get(pk=order.complaint_id)
            if complaint.stage == rules.Stage.CLOSED:
                now = timezone.now()
                policy, _ref = complaint_policy(complaint.company, now)
                new_stage = rules.next_stage(
                    rules.Profile(complaint.profile), rules.Stage.CLOSED, rules.Action.REOPEN
                )
                deadline = _enter_stage(complaint, new_stage, now, policy)
                complaint.save()
                _schedule_check(complaint)
                _event(
                    complaint,
                    action=rules.Action.REOPEN.value,
                    actor=actor,
                    at=now,
                    from_stage=rules.Stage.CLOSED.value,
                    note=note.strip() or verdict.explanation_zh,
                    rule_ids=(*verdict.rule_ids, *deadline.rule_ids),
                    detail={"work_order_id": order.pk, "callback_id": callback.pk},
                )
    else:
        order.status = WorkOrderStatus.CLOSED
    order.save(update_fields=["status", "completed_at", "reopened_count"])
    return callback


# --- needs (A11) ----------------------------------------------------------------------------------


@transaction.atomic
def need_record(
    *,
    actor: Staff,
    text: str,
    need_class: str,
    topic: str = "",
    complaint_id: int | None = None,
    customer_id: int | None = None,
) -> CustomerNeed:
    """Classify a request or opinion (A11) and route it: management and service needs to the
    management office, business needs to the e-home business-services unit."""
    try:
        the_class = rules.NeedClass(need_class)
    except ValueError:
        raise errors.field_required("需求类别", "the kind of need", "need_class") from None
    complaint = None
    if complaint_id is not None:
        complaint = _lock(actor, complaint_id)
        complaint.need_class = the_class.value
        complaint.save(update_fields=["need_class"])
    return CustomerNeed.objects.create(
        company_id=actor.company_id,
        complaint=complaint,
        customer=_company_row(
            Customer, actor.company_id, customer_id, ("customer_id", "客户", "customer")
        ),
        text=_require(text, "内容", "the text", "text"),
        need_class=the_class.value,
        topic=topic.strip(),
        routed_to=rules.need_route(the_class).value,
        recorded_by=actor,
    )
