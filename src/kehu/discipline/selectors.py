"""Read queries of the rewards-and-penalties ledger (奖惩台账).

Who sees whose ledger (architecture "Access follows the regulations"):
- every employee sees their own;
- a supervisor with ``discipline.view_team_discipline`` sees the people below them in the
  supervisor chain;
- a post with ``discipline.view_company_discipline`` (HR, managers, the general manager) sees
  everyone of their company.
Anyone else, and anyone of another company, is told "not found" (404), so that whether an
employee has a ledger does not leak.

Standings are never stored: ``standing_for_employee`` replays the employee's ledger rows through
``rules.standing`` with the policy in force on the date asked for, so what a page or the API
shows is always what the ledger says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_chain_above, staff_has_perm, staff_reports_below
from kehu.core.policy.selectors import ResolvedPolicy, policy_for
from kehu.discipline import rules
from kehu.discipline.errors import DisciplineNotFound, DisciplinePermissionDenied
from kehu.discipline.models import (
    DisciplineEntry,
    DisciplineProposal,
    ProposalDecision,
    ProposalKind,
)
from kehu.discipline.policy import DisciplineSettings

PERM_RECORD = "discipline.add_disciplineentry"
PERM_VIEW_TEAM = "discipline.view_team_discipline"
PERM_VIEW_COMPANY = "discipline.view_company_discipline"
PERM_DECIDE = "discipline.decide_discipline"

POLICY_KEY = "discipline"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# ProposalDecision.proposal_key is a CharField(max_length=200); longer keys are hashed.
PROPOSAL_KEY_MAX = 200
STORED_PREFIX = "stored:"
# The kinds of proposals ``rules.standing`` derives (A4 五.5.5, 五.5.6, 四.六.6, 四.六.7).
DERIVED_PROPOSAL_KINDS = (
    ProposalKind.TERMINATION.value,
    ProposalKind.DEMOTION.value,
    ProposalKind.REASSIGNMENT_OR_DEMOTION.value,
    ProposalKind.OFFSET.value,
)
_ENTRY_PK_IN_KEY = re.compile(r"(?<=[:+])(\d+)(?=\+|$)")


# --- dates and policy ---------------------------------------------------------------------


def local_today() -> dt.date:
    """Today in Asia/Shanghai: the business date standings and decisions default to."""
    return timezone.localdate(timezone=LOCAL_TZ)


def local_noon(day: dt.date) -> dt.datetime:
    """A business date's policy is the one in force during that day (noon, Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=LOCAL_TZ)


def discipline_policy_on(*, company: Any, on: dt.date) -> ResolvedPolicy[DisciplineSettings]:
    """The rewards-and-penalties policy in force for ``company`` on the business date ``on``."""
    return policy_for(company=company, key=POLICY_KEY, at=local_noon(on))


# --- ledger rows as the rules see them -------------------------------------------------------


def entry_as_rules_entry(row: DisciplineEntry) -> rules.Entry:
    """A ledger row as a ``rules.Entry``: id is the row's pk as text, seq the pk (the order the
    ledger received entries of the same day), refs as text."""
    return rules.Entry(
        id=str(row.pk),
        kind=rules.Kind(row.kind),
        on=row.on,
        seq=row.pk,
        amount=row.amount,
        points=row.points,
        failure_type=row.failure_type,
        refs=tuple(str(ref) for ref in row.refs),
        rule_ids=tuple(row.rule_ids),
    )


def employee_entries(employee: Staff) -> QuerySet[DisciplineEntry]:
    """Every entry on ``employee``'s ledger, in ledger order (date, then the order received).
    No access check: callers have established that the reader may see this ledger."""
    return (
        DisciplineEntry.objects.filter(company_id=employee.company_id, employee=employee)
        .select_related("recorded_by", "employee")
        .order_by("on", "pk")
    )


# --- proposal keys ---------------------------------------------------------------------------


def proposal_key(proposal: rules.Proposal) -> str:
    """The stable key of a proposal ``rules.standing`` derived: ``"<kind>:<sorted from_ids
    joined by +>"`` (e.g. ``"termination:41+57"``). Keys longer than the column are hashed."""
    key = f"{proposal.kind}:{'+'.join(sorted(proposal.from_ids))}"
    if len(key) > PROPOSAL_KEY_MAX:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = f"{proposal.kind}:sha256:{digest}"
    return key


def stored_proposal_key(proposal: DisciplineProposal) -> str:
    return f"{STORED_PREFIX}{proposal.pk}"


def entry_pks_in_key(key: str) -> list[int]:
    """The ledger entry pks a derived proposal's key names (none for a hashed key)."""
    return [int(match) for match in _ENTRY_PK_IN_KEY.findall(key)]


# --- access ------------------------------------------------------------------------------------


def viewer_may_see(viewer: Staff, employee: Staff) -> bool:
    """Whether ``viewer`` may read ``employee``'s ledger and standing (see module docstring)."""
    if not viewer.active or viewer.company_id != employee.company_id:
        return False
    if viewer.pk == employee.pk:
        return True
    if staff_has_perm(viewer, PERM_VIEW_COMPANY):
        return True
    if staff_has_perm(viewer, PERM_VIEW_TEAM):
        return any(boss.pk == viewer.pk for boss in staff_chain_above(employee))
    return False


def viewer_may_decide_for(decider: Staff, employee: Staff) -> bool:
    """Whether ``decider`` decides proposals about ``employee``: ``discipline.decide_discipline``,
    the same company, never about themselves, and the employee below them in the chain (or
    the decider sees the whole company)."""
    if decider.pk == employee.pk or decider.company_id != employee.company_id:
        return False
    if not staff_has_perm(decider, PERM_DECIDE):
        return False
    if staff_has_perm(decider, PERM_VIEW_COMPANY):
        return True
    return any(boss.pk == decider.pk for boss in staff_chain_above(employee))


def employees_visible_to(viewer: Staff) -> QuerySet[Staff]:
    """The staff whose ledgers ``viewer`` may read (themselves included), by name."""
    base = Staff.objects.filter(company_id=viewer.company_id).select_related(
        "department", "team", "user"
    )
    if not viewer.active:
        return base.none()
    if staff_has_perm(viewer, PERM_VIEW_COMPANY):
        return base.order_by("name", "pk")
    pks = {viewer.pk}
    if staff_has_perm(viewer, PERM_VIEW_TEAM):
        pks.update(s.pk for s in staff_reports_below(viewer))
    return base.filter(pk__in=pks).order_by("name", "pk")


def employee_get_for_viewer(*, viewer: Staff, employee_id: int) -> Staff:
    """The employee ``employee_id`` if ``viewer`` may read their ledger; otherwise 404."""
    employee = (
        Staff.objects.select_related("company", "department", "team", "supervisor", "user")
        .filter(pk=employee_id, company_id=viewer.company_id)
        .first()
    )
    if employee is None or not viewer_may_see(viewer, employee):
        raise DisciplineNotFound("员工", "employee")
    return employee


def employee_in_company(*, company_id: int, employee_id: int) -> Staff:
    """An employee of ``company_id`` (for recording, which needs no read access); 404 if none."""
    employee = (
        Staff.objects.select_related("company", "department", "user")
        .filter(pk=employee_id, company_id=company_id)
        .first()
    )
    if employee is None:
        raise DisciplineNotFound("员工", "employee")
    return employee


def entries_for_viewer(
    *, viewer: Staff, employee_id: int | None = None
) -> QuerySet[DisciplineEntry]:
    """The ledger of ``employee_id`` (default: the viewer's own), newest first; 404 when the
    viewer may not see it."""
    employee = (
        viewer
        if employee_id is None
        else employee_get_for_viewer(viewer=viewer, employee_id=employee_id)
    )
    return (
        DisciplineEntry.objects.filter(company_id=employee.company_id, employee=employee)
        .select_related("recorded_by", "employee")
        .order_by("-on", "-pk")
    )


# --- standing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalState:
    """A proposal of a standing with its key and, once decided, the decision."""

    key: str
    proposal: rules.Proposal
    decision: ProposalDecision | None

    @property
    def open(self) -> bool:
        return self.decision is None


@dataclass(frozen=True)
class StoredProposalState:
    key: str
    proposal: DisciplineProposal
    decision: ProposalDecision | None

    @property
    def open(self) -> bool:
        return self.decision is None


@dataclass(frozen=True)
class EmployeeStanding:
    """An employee's standing on ``as_of`` as the rules compute it from the ledger, with the
    policy version used, the entries (for the explanation chain) and each proposal's state."""

    employee: Staff
    as_of: dt.date
    standing: rules.Standing
    policy_ref: str
    entries: list[DisciplineEntry]
    proposals: list[ProposalState]
    stored_proposals: list[StoredProposalState] = field(default_factory=list)

    @property
    def entries_by_id(self) -> dict[str, DisciplineEntry]:
        """Entries by the id the rules use (``str(pk)``), to resolve a step's ``entry_ids``."""
        return {str(row.pk): row for row in self.entries}

    @property
    def open_proposals(self) -> list[ProposalState]:
        return [p for p in self.proposals if p.open]


def standing_compute(
    *, entries: Sequence[DisciplineEntry], policy: DisciplineSettings, as_of: dt.date
) -> rules.Standing:
    """``rules.standing`` over ledger rows: the one place DB rows meet the rules."""
    return rules.standing(
        [entry_as_rules_entry(row) for row in entries], policy.as_rules_policy(), as_of
    )


def _decisions_by_key(employee_ids: Iterable[int], company_id: int) -> dict[str, ProposalDecision]:
    rows = ProposalDecision.objects.filter(
        company_id=company_id, employee_id__in=list(employee_ids)
    ).select_related("decided_by", "resulting_entry")
    return {row.proposal_key: row for row in rows}


def standing_for_employee(
    *, viewer: Staff, employee: Staff, as_of: dt.date | None = None
) -> EmployeeStanding:
    """``employee``'s standing on ``as_of`` (default today), recomputed from their ledger with
    the policy in force that day. 404 when ``viewer`` may not see this ledger."""
    if not viewer_may_see(viewer, employee):
        raise DisciplineNotFound("员工", "employee")
    return _standing_of(employee, as_of or local_today())


def standing_for_employee_id(
    *, viewer: Staff, employee_id: int, as_of: dt.date | None = None
) -> EmployeeStanding:
    """``standing_for_employee`` by id: 404 for another company's or an unseen employee."""
    employee = employee_get_for_viewer(viewer=viewer, employee_id=employee_id)
    return _standing_of(employee, as_of or local_today())


def _standing_of(employee: Staff, as_of: dt.date) -> EmployeeStanding:
    resolved = discipline_policy_on(company=employee.company, on=as_of)
    rows = [row for row in employee_entries(employee) if row.on <= as_of]
    standing = standing_compute(entries=rows, policy=resolved.values, as_of=as_of)
    decisions = _decisions_by_key([employee.pk], employee.company_id)
    stored = DisciplineProposal.objects.filter(
        company_id=employee.company_id, employee=employee, on__lte=as_of
    ).order_by("on", "pk")
    return EmployeeStanding(
        employee=employee,
        as_of=as_of,
        standing=standing,
        policy_ref=resolved.ref,
        entries=rows,
        proposals=[
            ProposalState(proposal_key(p), p, decisions.get(proposal_key(p)))
            for p in standing.proposals
        ],
        stored_proposals=[
            StoredProposalState(stored_proposal_key(p), p, decisions.get(stored_proposal_key(p)))
            for p in stored
        ],
    )


def standing_as_json(standing: rules.Standing) -> dict[str, Any]:
    """A standing as plain JSON values: the shape the API's standing and ``kehu rules
    discipline`` share (money as decimal strings in yuan, dates as ISO text)."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value.quantize(rules.CENT))

    return {
        "as_of": standing.as_of.isoformat(),
        "counts": dict(standing.counts),
        "derived": [
            {
                "id": d.id,
                "kind": d.kind.value,
                "kind_label": rules.KIND_LABELS[d.kind],
                "on": d.on.isoformat(),
                "from_ids": list(d.from_ids),
                "rule_ids": list(d.rule_ids),
                "amount": money(d.amount),
                "points": d.points,
                "note_zh": d.note_zh,
            }
            for d in standing.derived
        ],
        "proposals": [
            {
                "key": proposal_key(p),
                "kind": p.kind,
                "on": p.on.isoformat(),
                "from_ids": list(p.from_ids),
                "rule_ids": list(p.rule_ids),
                "note_zh": p.note_zh,
            }
            for p in standing.proposals
        ],
        "fines": money(standing.fines),
        "bonuses": money(standing.bonuses),
        "money_net": money(standing.money_net),
        "points": standing.points,
        "warnings_in_window": standing.warnings_in_window,
        "failures_in_window": {str(t): n for t, n in standing.failures_in_window.items()},
        "steps": [
            {
                "on": s.on.isoformat(),
                "text_zh": s.text_zh,
                "entry_ids": list(s.entry_ids),
                "rule_ids": list(s.rule_ids),
            }
            for s in standing.steps
        ],
        "ignored_ids": list(standing.ignored_ids),
        "rule_ids": standing.rule_ids,
    }


# --- the deciding manager's queue ------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One open proposal a manager may decide: derived by the rules or posted by an app."""

    key: str
    kind: str
    employee: Staff
    on: dt.date
    rule_ids: tuple[str, ...]
    note_zh: str
    from_ids: tuple[str, ...] = ()
    stored: DisciplineProposal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def kind_label(self) -> str:
        return str(ProposalKind(self.kind).label)


def _decidable_employees(decider: Staff) -> list[Staff]:
    if not decider.active or not staff_has_perm(decider, PERM_DECIDE):
        return []
    if staff_has_perm(decider, PERM_VIEW_COMPANY):
        rows = list(
            Staff.objects.filter(company_id=decider.company_id)
            .exclude(pk=decider.pk)
            .select_related("company", "department")
        )
    else:
        rows = [s for s in staff_reports_below(decider) if s.pk != decider.pk]
    return sorted(rows, key=lambda s: (s.name, s.pk))


def _stored_visible_to(decider: Staff, proposal: DisciplineProposal) -> bool:
    """A stored proposal naming a deciding post goes to that post; a company-wide decider
    (general manager, department head …) may decide it too."""
    if not proposal.decider_post or proposal.decider_post == decider.post:
        return True
    return staff_has_perm(decider, PERM_VIEW_COMPANY)


def _derived_items(
    employee: Staff,
    rows: Sequence[DisciplineEntry],
    policy: DisciplineSettings,
    as_of: dt.date,
    decided: set[str],
) -> list[QueueItem]:
    standing = standing_compute(entries=rows, policy=policy, as_of=as_of)
    items = []
    for proposal in standing.proposals:
        key = proposal_key(proposal)
        if proposal.kind not in DERIVED_PROPOSAL_KINDS or key in decided:
            continue
        items.append(
            QueueItem(
                key=key,
                kind=proposal.kind,
                employee=employee,
                on=proposal.on,
                rule_ids=proposal.rule_ids,
                note_zh=proposal.note_zh,
                from_ids=proposal.from_ids,
            )
        )
    return items


def _stored_item(proposal: DisciplineProposal) -> QueueItem:
    return QueueItem(
        key=stored_proposal_key(proposal),
        kind=proposal.kind,
        employee=proposal.employee,
        on=proposal.on,
        rule_ids=tuple(proposal.rule_ids),
        note_zh=proposal.reason,
        stored=proposal,
        low=proposal.low,
        high=proposal.high,
    )


def proposals_queue_for(viewer: Staff, *, as_of: dt.date | None = None) -> list[QueueItem]:
    """The open proposals ``viewer`` may decide, oldest first: the rules' proposals
    (termination, demotion, reassignment or demotion, offsets) on the standings of the
    employees they decide for, and the proposals other apps posted, less those decided."""
    return _queue(viewer, _decidable_employees(viewer), as_of or local_today())


def _queue(decider: Staff, employees: Sequence[Staff], as_of: dt.date) -> list[QueueItem]:
    if not employees:
        return []
    ids = [e.pk for e in employees]
    decided = set(_decisions_by_key(ids, decider.company_id))
    by_employee: dict[int, list[DisciplineEntry]] = defaultdict(list)
    for row in DisciplineEntry.objects.filter(
        company_id=decider.company_id, employee_id__in=ids, on__lte=as_of
    ).order_by("on", "pk"):
        by_employee[row.employee_id].append(row)
    policy = discipline_policy_on(company=decider.company, on=as_of).values
    items: list[QueueItem] = []
    for employee in employees:
        rows = by_employee.get(employee.pk)
        if rows:
            items.extend(_derived_items(employee, rows, policy, as_of, decided))
    stored = (
        DisciplineProposal.objects.filter(company_id=decider.company_id, employee_id__in=ids)
        .select_related("employee")
        .order_by("on", "pk")
    )
    items.extend(
        _stored_item(p)
        for p in stored
        if stored_proposal_key(p) not in decided and _stored_visible_to(decider, p)
    )
    return sorted(items, key=lambda item: (item.on, item.employee.name, item.key))


def open_proposal_for(*, decider: Staff, key: str, as_of: dt.date | None = None) -> QueueItem:
    """The proposal ``key`` if it is open now for ``decider``: re-derived from the ledger, never
    taken from the client. 404 when it is not in their queue (decided keys are checked by the
    caller, which says so more clearly)."""
    as_of = as_of or local_today()
    if key.startswith(STORED_PREFIX):
        stored_id = key.removeprefix(STORED_PREFIX)
        proposal = (
            DisciplineProposal.objects.select_related("employee__company")
            .filter(company_id=decider.company_id, pk=int(stored_id) if stored_id.isdigit() else 0)
            .first()
        )
        if (
            proposal is None
            or not viewer_may_decide_for(decider, proposal.employee)
            or not _stored_visible_to(decider, proposal)
        ):
            raise DisciplineNotFound("提议", "proposal")
        return _stored_item(proposal)
    pks = entry_pks_in_key(key)
    if pks:
        owner = (
            DisciplineEntry.objects.filter(company_id=decider.company_id, pk=pks[0])
            .select_related("employee__company")
            .first()
        )
        employees = (
            [owner.employee]
            if owner is not None and viewer_may_decide_for(decider, owner.employee)
            else []
        )
    else:  # a hashed key names no entry: look through the whole queue
        employees = _decidable_employees(decider)
    rows_by_employee: dict[int, list[DisciplineEntry]] = defaultdict(list)
    for row in DisciplineEntry.objects.filter(
        company_id=decider.company_id, employee_id__in=[e.pk for e in employees], on__lte=as_of
    ).order_by("on", "pk"):
        rows_by_employee[row.employee_id].append(row)
    policy = discipline_policy_on(company=decider.company, on=as_of).values
    for employee in employees:
        for item in _derived_items(employee, rows_by_employee[employee.pk], policy, as_of, set()):
            if item.key == key:
                return item
    raise DisciplineNotFound("提议", "proposal")


def decision_for_key(*, company_id: int, key: str) -> ProposalDecision | None:
    return ProposalDecision.objects.filter(company_id=company_id, proposal_key=key).first()


# --- the company report --------------------------------------------------------------------

PENALTY_KINDS = (
    rules.Kind.CRITICISM,
    rules.Kind.MINOR_DEMERIT,
    rules.Kind.MAJOR_DEMERIT,
    rules.Kind.TERMINATION,
    rules.Kind.FINE,
    rules.Kind.WARNING,
    rules.Kind.SUPERVISION_FAILURE,
    rules.Kind.DEMOTION,
    rules.Kind.REASSIGNMENT,
)
REWARD_KINDS = (
    rules.Kind.COMMENDATION,
    rules.Kind.MINOR_MERIT,
    rules.Kind.MAJOR_MERIT,
    rules.Kind.BONUS,
    rules.Kind.SPECIAL_AWARD,
)
NO_DEPARTMENT = "（未分配部门）"


@dataclass(frozen=True)
class ReportRow:
    """Penalties and rewards recorded in one department in one month of the year."""

    department: str
    month: int
    penalties: int
    rewards: int
    fines: Decimal
    bonuses: Decimal
    points_added: int
    points_deducted: int


def company_report(viewer: Staff, year: int) -> list[ReportRow]:
    """Counts and money of the penalties and rewards on the ledger of ``viewer``'s company in
    ``year``, by department and month (rows only where something was recorded).

    Counts are ledger entries as recorded (a performance-point entry counts as a reward or a
    penalty by its sign); entries reversed on appeal are left out; offsets and reversals are
    neither. Needs ``discipline.view_company_discipline`` (403 otherwise)."""
    if not viewer.active or not staff_has_perm(viewer, PERM_VIEW_COMPANY):
        raise DisciplinePermissionDenied(
            "查看本公司奖惩报表",
            "see the company's rewards-and-penalties report",
            PERM_VIEW_COMPANY,
        )
    company_entries = DisciplineEntry.objects.filter(company_id=viewer.company_id)
    reversed_ids = {
        str(ref)
        for refs in company_entries.filter(kind=rules.Kind.REVERSAL).values_list("refs", flat=True)
        for ref in refs
    }
    penalty_q = Q(kind__in=[k.value for k in PENALTY_KINDS]) | Q(kind="points", points__lt=0)
    reward_q = Q(kind__in=[k.value for k in REWARD_KINDS]) | Q(kind="points", points__gt=0)
    rows = (
        company_entries.filter(on__year=year)
        .exclude(pk__in=[int(r) for r in reversed_ids if r.isdigit()])
        .annotate(month=ExtractMonth("on"))
        .values("employee__department__name", "month")
        .annotate(
            penalties=Count("pk", filter=penalty_q),
            rewards=Count("pk", filter=reward_q),
            fines=Sum("amount", filter=Q(kind="fine")),
            bonuses=Sum("amount", filter=Q(kind__in=["bonus", "special_award"])),
            points_added=Sum("points", filter=Q(kind="points", points__gt=0)),
            points_deducted=Sum("points", filter=Q(kind="points", points__lt=0)),
        )
        .order_by("employee__department__name", "month")
    )
    zero = Decimal("0.00")
    return [
        ReportRow(
            department=row["employee__department__name"] or NO_DEPARTMENT,
            month=int(row["month"]),
            penalties=row["penalties"],
            rewards=row["rewards"],
            fines=(row["fines"] or zero).quantize(rules.CENT),
            bonuses=(row["bonuses"] or zero).quantize(rules.CENT),
            points_added=row["points_added"] or 0,
            points_deducted=-(row["points_deducted"] or 0),
        )
        for row in rows
        if row["penalties"] or row["rewards"]
    ]


@dataclass(frozen=True)
class TeamStanding:
    employee: Staff
    standing: rules.Standing
    open_proposals: int


def team_standings(
    *, viewer: Staff, employees: Sequence[Staff], as_of: dt.date
) -> list[TeamStanding]:
    """Each member's standing and open proposals, from one query per table for the whole team
    (no N+1). ``employees`` must already be those the viewer may see."""
    ids = [e.pk for e in employees]
    by_employee: dict[int, list[DisciplineEntry]] = {pk: [] for pk in ids}
    for row in DisciplineEntry.objects.filter(
        company_id=viewer.company_id, employee_id__in=ids, on__lte=as_of
    ).order_by("on", "pk"):
        by_employee[row.employee_id].append(row)
    decided = set(
        ProposalDecision.objects.filter(
            company_id=viewer.company_id, employee_id__in=ids
        ).values_list("proposal_key", flat=True)
    )
    stored_open: dict[int, int] = {}
    for proposal in DisciplineProposal.objects.filter(
        company_id=viewer.company_id, employee_id__in=ids, on__lte=as_of
    ).only("pk", "employee_id"):
        if stored_proposal_key(proposal) not in decided:
            stored_open[proposal.employee_id] = stored_open.get(proposal.employee_id, 0) + 1
    policy = discipline_policy_on(company=viewer.company, on=as_of).values
    result = []
    for employee in employees:
        standing = standing_compute(entries=by_employee[employee.pk], policy=policy, as_of=as_of)
        open_derived = sum(1 for p in standing.proposals if proposal_key(p) not in decided)
        result.append(
            TeamStanding(employee, standing, open_derived + stored_open.get(employee.pk, 0))
        )
    return result
