"""Reads for appeals (A4 四.七): mine, my queue, one appeal with its history, overdue appeals.

Who sees an appeal: the appellant, its handlers (the current one and the supervisor who decided
the first level) and HR of the company (``appeals_services.appeal_visible_to``). Anyone else —
colleagues, other managers, another company — gets "not found".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_chain_above
from kehu.core.web.queues import queue_counter
from kehu.discipline.appeals_services import (
    ACTION_LABELS,
    APPEALABLE_KINDS,
    SOURCE_TYPE,
    AppealAction,
    AppealFacts,
    appeal_actions_allowed,
    appeal_visible_to,
    staff_is_hr_for,
)
from kehu.discipline.errors import DisciplineNotFound, EvidenceAltered
from kehu.discipline.models import (
    APPEAL_OPEN_STATES,
    Appeal,
    AppealEvent,
    AppealEvidence,
    AppealState,
    DisciplineEntry,
)
from kehu.discipline.rules import Kind

# A deadline this close is shown as "soon" in the queue.
DUE_SOON = dt.timedelta(days=1)
_DECIDED = [AppealAction.UPHOLD.value, AppealAction.REJECT.value]


def _with_related(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return appeals.select_related("entry", "appellant", "handler")


def appeals_visible_to(*, staff: Staff) -> QuerySet[Appeal]:
    """Every appeal ``staff`` may see (the rule of ``appeal_visible_to`` as one query)."""
    base = Appeal.objects.filter(company_id=staff.company_id)
    if staff_is_hr_for(staff, staff.company_id):
        return base
    decided = AppealEvent.objects.filter(appeal=OuterRef("pk"), actor=staff, action__in=_DECIDED)
    return base.filter(Q(appellant=staff) | Q(handler=staff) | Exists(decided))


def appeals_mine(*, staff: Staff) -> QuerySet[Appeal]:
    """The caller's own appeals, newest first."""
    return _with_related(
        Appeal.objects.filter(company_id=staff.company_id, appellant=staff)
    ).order_by("-submitted_at", "-pk")


def appeals_queue(*, staff: Staff) -> QuerySet[Appeal]:
    """Open appeals waiting for the caller: those they handle and, for HR, every escalated
    appeal of the company (HR investigates those). Earliest deadline first."""
    mine = Q(handler=staff)
    if staff_is_hr_for(staff, staff.company_id):
        mine |= Q(state=AppealState.ESCALATED)
    return _with_related(
        Appeal.objects.filter(company_id=staff.company_id, state__in=APPEAL_OPEN_STATES)
        .filter(mine)
        .exclude(appellant=staff)
    ).order_by("due_at", "pk")


def appeal_count_to_investigate(staff: Staff) -> int:
    """The home page's count for the queue ``discipline.appeals`` (申诉待调查)."""
    return appeals_queue(staff=staff).count()


def appeals_overdue(
    *, company: Company, now: dt.datetime, handler: Staff | None = None
) -> QuerySet[Appeal]:
    """Open appeals past their deadline, oldest deadline first. The filter matches the partial
    index ``discipline_appeal_open_due`` (company, handler, due_at) WHERE state is open."""
    appeals = Appeal.objects.filter(company=company, state__in=APPEAL_OPEN_STATES, due_at__lt=now)
    if handler is not None:
        appeals = appeals.filter(handler=handler)
    return _with_related(appeals).order_by("due_at", "pk")


def due_class(appeal: Appeal, now: dt.datetime) -> str:
    """How urgent the deadline is: "overdue", "soon" (within a day), "ok" or "" (closed)."""
    if appeal.state not in APPEAL_OPEN_STATES or appeal.due_at is None:
        return ""
    if appeal.due_at < now:
        return "overdue"
    if appeal.due_at - now <= DUE_SOON:
        return "soon"
    return "ok"


@dataclass(frozen=True)
class AppealRow:
    appeal: Appeal
    due: str  # due_class

    @property
    def tag_class(self) -> str:
        return {"overdue": "tag-bad", "soon": "tag-warn", "ok": "tag-ok"}.get(self.due, "")


def appeal_rows(appeals: QuerySet[Appeal], *, now: dt.datetime | None = None) -> list[AppealRow]:
    moment = now or timezone.now()
    return [AppealRow(appeal, due_class(appeal, moment)) for appeal in appeals]


@dataclass(frozen=True)
class EvidenceItem:
    evidence: AppealEvidence

    @property
    def file_name(self) -> str:
        return self.evidence.file.name.rsplit("/", 1)[-1] if self.evidence.file else ""


def _action_label(action: str) -> str:
    """ACTION_LABELS (Chinese, also used in the services' messages) in the page's language."""
    label = ACTION_LABELS.get(action)
    return gettext(label) if label else action


@dataclass(frozen=True)
class TimelineItem:
    event: AppealEvent
    label: str
    evidence: list[EvidenceItem]

    @property
    def to_label(self) -> str:
        event = self.event
        if not event.to_state or event.to_state == event.from_state:
            return ""
        return str(AppealState(event.to_state).label)


@dataclass(frozen=True)
class AppealDetail:
    appeal: Appeal
    timeline: list[TimelineItem]
    evidence: list[EvidenceItem]
    actions: list[str]
    facts: AppealFacts
    reversal: DisciplineEntry | None
    due: str
    viewer_is_appellant: bool
    viewer_is_hr: bool

    @property
    def level(self) -> int:
        """1: the supervisor; 2: the next level up with HR investigating."""
        return 2 if self.facts.escalated else 1

    def can(self, action: str) -> bool:
        return action in self.actions

    @property
    def can_add_evidence(self) -> bool:
        return self.can(AppealAction.ADD_EVIDENCE)

    @property
    def can_hr_findings(self) -> bool:
        return self.can(AppealAction.HR_FINDINGS)

    @property
    def can_decide(self) -> bool:
        return self.can(AppealAction.UPHOLD) or self.can(AppealAction.REJECT)

    @property
    def can_escalate(self) -> bool:
        return self.can(AppealAction.ESCALATE)

    @property
    def can_withdraw(self) -> bool:
        return self.can(AppealAction.WITHDRAW)

    @property
    def waiting_for_hr(self) -> bool:
        """At the second level, the decision waits for HR's findings."""
        return (
            self.appeal.state == AppealState.ESCALATED
            and self.facts.hr_in_company
            and not self.facts.hr_findings
        )


def appeal_get_for_user(*, staff: Staff, appeal_id: int) -> Appeal:
    appeal = (
        Appeal.objects.select_related("company", "entry", "appellant", "handler")
        .filter(pk=appeal_id, company_id=staff.company_id)
        .first()
    )
    if appeal is None or not appeal_visible_to(appeal=appeal, staff=staff):
        raise DisciplineNotFound("申诉", "appeal")
    return appeal


def appeal_detail_for_user(*, staff: Staff, appeal_id: int) -> AppealDetail:
    """One appeal with its timeline, evidence and the actions open to ``staff``."""
    appeal = appeal_get_for_user(staff=staff, appeal_id=appeal_id)
    events = list(appeal.events.select_related("actor").order_by("at", "pk"))
    evidence = [
        EvidenceItem(item)
        for item in appeal.evidence.select_related("added_by").order_by("added_at", "pk")
    ]
    # Evidence belongs to the event that added it (same actor, same transaction moment or
    # just before the event).
    timeline: list[TimelineItem] = []
    pending = list(evidence)
    for event in events:
        attached = [
            item
            for item in pending
            if item.evidence.added_by_id == event.actor_id
            and item.evidence.added_at <= event.at
            and event.action
            in (AppealAction.SUBMIT, AppealAction.ADD_EVIDENCE, AppealAction.HR_FINDINGS)
        ]
        pending = [item for item in pending if item not in attached]
        timeline.append(TimelineItem(event, _action_label(event.action), attached))
    facts = AppealFacts.of(appeal)
    reversal = (
        DisciplineEntry.objects.filter(
            company_id=appeal.company_id,
            kind=Kind.REVERSAL,
            source_type=SOURCE_TYPE,
            source_id=str(appeal.pk),
        ).first()
        if appeal.state == AppealState.UPHELD
        else None
    )
    return AppealDetail(
        appeal=appeal,
        timeline=timeline,
        evidence=evidence,
        actions=appeal_actions_allowed(appeal=appeal, staff=staff, facts=facts),
        facts=facts,
        reversal=reversal,
        due=due_class(appeal, timezone.now()),
        viewer_is_appellant=staff.pk == appeal.appellant_id,
        viewer_is_hr=staff.post == Post.HR and staff_is_hr_for(staff, appeal.company_id),
    )


def appeal_evidence_for_user(*, staff: Staff, appeal_id: int, evidence_id: int) -> AppealEvidence:
    """One evidence file, only for the people who may see the appeal (never a public URL)."""
    appeal = appeal_get_for_user(staff=staff, appeal_id=appeal_id)
    evidence = AppealEvidence.objects.filter(pk=evidence_id, appeal=appeal).exclude(file="").first()
    if evidence is None:
        raise DisciplineNotFound("附件", "evidence file")
    return evidence


def _adverse(entry: DisciplineEntry) -> bool:
    return Kind(entry.kind) in APPEALABLE_KINDS or (
        entry.kind == Kind.POINTS and (entry.points or 0) < 0
    )


def appeal_entry_for_new(*, staff: Staff, entry_id: int) -> DisciplineEntry:
    """The entry an appeal form is about: one of the caller's own entries, else not found."""
    entry = DisciplineEntry.objects.filter(
        pk=entry_id, company_id=staff.company_id, employee=staff
    ).first()
    if entry is None:
        raise DisciplineNotFound("奖惩记录", "ledger entry")
    return entry


def appeal_supervisor_for(*, staff: Staff) -> Staff | None:
    """Who a new appeal of ``staff`` would go to: the first active person above them."""
    return next((boss for boss in staff_chain_above(staff) if boss.active), None)


def appeal_entries_appealable(*, staff: Staff) -> list[DisciplineEntry]:
    """The caller's adverse entries that can be appealed now: not reversed, no open appeal,
    no decided appeal. Newest first."""
    entries = list(
        DisciplineEntry.objects.filter(company_id=staff.company_id, employee=staff).order_by(
            "-on", "-pk"
        )
    )
    reversed_ids = {
        ref for entry in entries if entry.kind == Kind.REVERSAL for ref in (entry.refs or [])
    }
    blocked = set(
        Appeal.objects.filter(company_id=staff.company_id, appellant=staff)
        .exclude(state=AppealState.WITHDRAWN)
        .values_list("entry_id", flat=True)
    )
    return [
        entry
        for entry in entries
        if _adverse(entry) and entry.pk not in reversed_ids and entry.pk not in blocked
    ]


def entry_summary(entry: DisciplineEntry) -> str:
    """ "2026-11-20 通报批评 · 迟到" (amount or points when the entry has them)."""
    parts = [str(entry.on), entry.get_kind_display()]
    if entry.amount is not None:
        parts.append(f"{entry.amount.quantize(Decimal('0.01'))} 元")
    if entry.points is not None:
        parts.append(f"{entry.points:+d} 分")
    return " ".join(parts) + f" · {entry.reason}"


# The home page's HR queue "申诉待调查" counts with this selector (kehu.core.web.queues).
queue_counter("discipline.appeals")(appeal_count_to_investigate)


def appeal_evidence_check_intact(evidence: AppealEvidence) -> None:
    """Raise ``EvidenceAltered`` unless the stored file still has its recorded SHA-256."""
    if not evidence.file_sha256:
        return
    digest = hashlib.sha256()
    with evidence.file.open("rb") as handle:
        for chunk in handle.chunks():
            digest.update(chunk)
    if digest.hexdigest() != evidence.file_sha256:
        raise EvidenceAltered(evidence.pk)
