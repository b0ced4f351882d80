"""Reads of the rotation (轮排): the day's state as the rules see it, the board, the history,
who is next, and who may see or operate a site's rotation.

Access: any active staff member of the site's company may *see* its rotation (the wall screen
runs under a staff login of the company, e.g. the front desk's); another company's site is "not
found" (404). The front desk (案场前台) and the project manager of the site, and the company's
sales manager and sales director, may *operate* it (arrivals, reception end, status); the
project manager, sales manager and sales director may *manage* it (open the day, reorder with a
reason — A2.2 —, void a make-up).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.errors import KehuError
from kehu.core.org.models import Company, Site, SiteKind, Staff
from kehu.core.org.posts import Post
from kehu.core.policy.errors import PolicyKeyUnknown
from kehu.core.policy.selectors import policy_for
from kehu.sales import labels
from kehu.sales import rotation_rules as rules
from kehu.sales.models.rotation import DutyRow, MakeupTurn, RotationDay, RotationEvent

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
POLICY_KEY = "sales"
# The rulebook's default (A5.1 补接) when the ``sales`` policy is not registered.
DEFAULT_SKIP_MAKEUP = rules.SkipMakeup.OWED

# Posts that work at one site: they operate only their own site's rotation.
SITE_DESK_POSTS = frozenset({Post.RECEPTIONIST, Post.PROJECT_MANAGER})
COMPANY_DESK_POSTS = frozenset({Post.SALES_MANAGER, Post.SALES_DIRECTOR})
MANAGE_POSTS = frozenset({Post.PROJECT_MANAGER, Post.SALES_MANAGER, Post.SALES_DIRECTOR})


class RotationErrorCode:
    NOT_FOUND = "rotation.not_found"
    NOT_OPEN = "rotation.not_open"
    ALREADY_OPEN = "rotation.already_open"
    PERMISSION_DENIED = "rotation.permission_denied"
    NOBODY_FREE = "rotation.nobody_free"
    REASON_REQUIRED = "rotation.reason_required"
    BAD_INPUT = "rotation.bad_input"


class RotationError(KehuError):
    """An error of the rotation, in Chinese and English, with the rule IDs behind it."""


def rotation_not_found() -> RotationError:
    return RotationError(
        RotationErrorCode.NOT_FOUND,
        "找不到该售楼处的轮排，或您无权查看。",
        "No such sales-office rotation, or you may not see it.",
        status=404,
    )


def rotation_denied(what_zh: str, what_en: str) -> RotationError:
    return RotationError(
        RotationErrorCode.PERMISSION_DENIED,
        f"您的岗位无权{what_zh}（案场前台、项目经理、销售经理、销售总监可操作）。",
        f"Your post may not {what_en}.",
        status=403,
    )


def rotation_not_open(site: Site, on: dt.date) -> RotationError:
    return RotationError(
        RotationErrorCode.NOT_OPEN,
        f"{site.name} {on:%Y-%m-%d} 的轮排尚未开启，请项目经理先开启（A2.2）。",
        f"The rotation of {site.name} for {on:%Y-%m-%d} has not been opened yet.",
        status=409,
        details={"rule_ids": ["A2.2"]},
    )


def from_rule_error(error: rules.RotationRuleError, status: int = 409) -> RotationError:
    return RotationError(
        error.code,
        error.message_zh,
        error.message_en,
        status=status,
        details={"rule_ids": list(error.rule_ids)},
    )


def local_today() -> dt.date:
    """Today in Asia/Shanghai: the rotation's business date."""
    return timezone.localdate(timezone=LOCAL_TZ)


# --- access -----------------------------------------------------------------------------------


def rotation_sites_for(staff: Staff) -> QuerySet[Site]:
    """The sales offices of the staff member's company, their own first."""
    return Site.objects.filter(company_id=staff.company_id, kind=SiteKind.SALES_OFFICE).order_by(
        "name"
    )


def rotation_site_get(*, staff: Staff, site_id: int) -> Site:
    """A sales office the staff member may see; another company's is "not found"."""
    site = (
        Site.objects.select_related("company")
        .filter(pk=site_id, company_id=staff.company_id, kind=SiteKind.SALES_OFFICE)
        .first()
    )
    if site is None or not staff.active:
        raise rotation_not_found()
    return site


def rotation_may_operate(staff: Staff, site: Site) -> bool:
    """Front desk and PM of the site; the company's sales manager and director."""
    if not staff.active or staff.company_id != site.company_id:
        return False
    if staff.post in COMPANY_DESK_POSTS:
        return True
    return staff.post in SITE_DESK_POSTS and staff.site_id in (None, site.pk)


def rotation_may_manage(staff: Staff, site: Site) -> bool:
    """The site's PM; the company's sales manager and director (A2.2)."""
    return rotation_may_operate(staff, site) and staff.post in MANAGE_POSTS


# --- policy -----------------------------------------------------------------------------------


def rotation_policy_for(*, company: Company, at: dt.datetime) -> tuple[rules.RotationPolicy, str]:
    """The rotation's settings in force (policy ``sales``: ``skip_makeup`` — the rulebook's
    ``rotation.skip_makeup`` — and ``group_buy_consumes``) and the reference to store with
    decisions. Without a registered ``sales`` schema, the rulebook's defaults."""
    try:
        resolved = policy_for(company=company, key=POLICY_KEY, at=at)
    except PolicyKeyUnknown:
        return rules.RotationPolicy(skip_makeup=DEFAULT_SKIP_MAKEUP), f"{POLICY_KEY}@default"
    skip = getattr(resolved.values, "skip_makeup", None)
    group_buy = getattr(resolved.values, "group_buy_consumes", None)
    policy = rules.RotationPolicy(
        skip_makeup=rules.SkipMakeup(str(skip)) if skip is not None else DEFAULT_SKIP_MAKEUP,
        group_buy_consumes=bool(group_buy),
    )
    return policy, resolved.ref


# --- the day's state --------------------------------------------------------------------------


@dataclass
class LoadedDay:
    """A rotation day with its roster (in order) and the site's open make-ups, and the same
    facts as the pure rules' ``DayState``."""

    site: Site
    on: dt.date
    day: RotationDay | None
    rows: list[DutyRow]
    makeups: list[MakeupTurn]
    state: rules.DayState
    staff_by_id: dict[int, Staff] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.day is not None


def _member(row: DutyRow) -> rules.Member:
    return rules.Member(
        staff_id=row.staff_id,
        name=row.staff.name,
        status=rules.Status(row.status),
        reason=rules.Reason(row.reason) if row.reason else None,
    )


def _makeup(row: MakeupTurn) -> rules.Makeup:
    return rules.Makeup(
        id=row.pk,
        staff_id=row.staff_id,
        cause=row.cause,
        rule_ids=tuple(row.rule_ids),
        text_zh=row.text,
    )


def open_makeups(site: Site) -> list[MakeupTurn]:
    """The site's make-ups still owed, in the order they were earned, with their staff (one
    plain statement: every arrival reads them; index ``sales_makeup_open``)."""
    return rawsql.select_with(
        MakeupTurn,
        ("staff",),
        "m.site_id = %s AND m.served_at IS NULL AND m.voided_at IS NULL",
        [site.pk],
        order_by="m.earned_at, m.id",
    )


def rotation_day_find(site: Site, on: dt.date, *, lock: bool = False) -> RotationDay | None:
    """The site's rotation day ``on`` (``lock``: until the transaction ends), or None."""
    on_column = rawsql.column(RotationDay, "on")
    found = rawsql.select(
        RotationDay, f"site_id = %s AND {on_column} = %s", [site.pk, on], lock=lock
    )
    return found[0] if found else None


def rotation_day_load(*, site: Site, on: dt.date, day: RotationDay | None = None) -> LoadedDay:
    """The day (``day`` if the caller locked it already) as rows and as the rules' state.
    Plain statements (core/rawsql.py): every arrival and reception end loads the day."""
    if day is None:
        day = rotation_day_find(site, on)
    if day is None:
        return LoadedDay(site, on, None, [], [], rules.DayState(members=()))
    rows = rawsql.select_with(
        DutyRow, ("staff",), "m.day_id = %s", [day.pk], order_by="m.position, m.id"
    )
    makeups = open_makeups(site)
    members = tuple(_member(row) for row in rows)
    pointer = next((i for i, row in enumerate(rows) if row.staff_id == day.next_staff_id), 0)
    state = rules.DayState(
        members=members, pointer=pointer, makeups=tuple(_makeup(m) for m in makeups)
    )
    staff_by_id = {row.staff_id: row.staff for row in rows}
    staff_by_id.update({m.staff_id: m.staff for m in makeups})
    return LoadedDay(site, on, day, rows, makeups, state, staff_by_id)


def rotation_next(
    *,
    site: Site,
    on: dt.date | None = None,
    kind: rules.ReceptionKind = rules.ReceptionKind.NEW,
    named_staff_id: int | None = None,
) -> rules.NextAnswer:
    """Who would receive a customer of ``kind`` arriving now, and why. No side effects."""
    loaded = rotation_day_load(site=site, on=on or local_today())
    policy, _ref = rotation_policy_for(company=site.company, at=timezone.now())
    try:
        return rules.next_receiver(loaded.state, policy, kind, named_staff_id)
    except rules.RotationRuleError as error:
        raise from_rule_error(error, status=422) from error


# --- the board --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    position: int
    staff_id: int
    name: str
    status: str
    status_label: str
    reason: str
    reason_label: str
    since: dt.datetime
    is_next: bool
    makeups_owed: int
    visit_ref: str


@dataclass(frozen=True)
class BoardMakeup:
    id: int
    staff_id: int
    name: str
    cause: str
    text: str  # in the language active when the board was read
    rule_ids: tuple[str, ...]
    earned_at: dt.datetime
    on_duty: bool
    free: bool
    text_zh: str = ""  # as stored


@dataclass(frozen=True)
class EventLine:
    """A rotation event and its explanation in the language active when it was read."""

    event: RotationEvent
    explanation: str


@dataclass(frozen=True)
class Board:
    site: Site
    on: dt.date
    is_open: bool
    rows: list[BoardRow]
    makeups: list[BoardMakeup]
    next_answer: rules.NextAnswer
    policy: rules.RotationPolicy
    policy_ref: str
    recent: list[RotationEvent]
    changed_at: dt.datetime | None

    @property
    def counts(self) -> dict[str, int]:
        result = {status.value: 0 for status in rules.Status}
        for row in self.rows:
            result[row.status] += 1
        return result

    @property
    def next_explanation(self) -> str:
        """Who is next and why, in the active language (``next_answer.explanation_zh``: the
        Chinese)."""
        return labels.answer_explanation(self.next_answer)

    @property
    def recent_lines(self) -> list[EventLine]:
        """``recent`` with each explanation in the active language."""
        return explained(self.recent)

    @property
    def history(self) -> list[EventLine]:
        """The whole day's events, oldest first, explained in the active language."""
        return explained(rotation_events(site=self.site, on=self.on)) if self.is_open else []


def explained(events: Iterable[RotationEvent]) -> list[EventLine]:
    return [
        EventLine(event, labels.event_explanation(event.detail, event.explanation))
        for event in events
    ]


def rotation_board(*, site: Site, on: dt.date | None = None, recent: int = 8) -> Board:
    """Everything the wall screen, the desk and the API show of a day, in a fixed number of
    queries whatever the size of the roster."""
    on = on or local_today()
    loaded = rotation_day_load(site=site, on=on)
    policy, ref = rotation_policy_for(company=site.company, at=timezone.now())
    answer = rules.next_receiver(loaded.state, policy)
    owed: dict[int, int] = {}
    for makeup in loaded.makeups:
        owed[makeup.staff_id] = owed.get(makeup.staff_id, 0) + 1
    next_id = answer.receiver.staff_id if answer.receiver else None
    rows = [
        BoardRow(
            position=i + 1,
            staff_id=row.staff_id,
            name=row.staff.name,
            status=row.status,
            status_label=row.get_status_display(),
            reason=row.reason,
            reason_label=row.get_reason_display() if row.reason else "",
            since=row.since,
            is_next=row.staff_id == next_id,
            makeups_owed=owed.get(row.staff_id, 0),
            visit_ref=row.visit_ref,
        )
        for i, row in enumerate(loaded.rows)
    ]
    status_of = {row.staff_id: row.status for row in loaded.rows}
    makeups = [
        BoardMakeup(
            id=m.pk,
            staff_id=m.staff_id,
            name=m.staff.name,
            cause=m.cause,
            text=labels.makeup_text(m.text, m.cause),
            text_zh=m.text,
            rule_ids=tuple(m.rule_ids),
            earned_at=m.earned_at,
            on_duty=m.staff_id in status_of,
            free=status_of.get(m.staff_id) == rules.Status.FREE,
        )
        for m in loaded.makeups
    ]
    events: list[RotationEvent] = []
    if loaded.day is not None and recent:
        events = list(
            RotationEvent.objects.filter(day=loaded.day)
            .select_related("staff", "actor")
            .order_by("-pk")[:recent]
        )
    return Board(
        site=site,
        on=on,
        is_open=loaded.is_open,
        rows=rows,
        makeups=makeups,
        next_answer=answer,
        policy=policy,
        policy_ref=ref,
        recent=events,
        changed_at=loaded.day.changed_at if loaded.day else None,
    )


def rotation_events(*, site: Site, on: dt.date) -> QuerySet[RotationEvent]:
    """The day's history, oldest first."""
    return (
        RotationEvent.objects.filter(day__site=site, day__on=on)
        .select_related("staff", "actor")
        .order_by("pk")
    )


def rotation_candidates(site: Site) -> QuerySet[Staff]:
    """The site's active salespeople: who can be put on its rotation."""
    return Staff.objects.filter(
        company_id=site.company_id, site=site, post=Post.SALESPERSON, active=True
    ).order_by("pk")


def rotation_default_order(site: Site, on: dt.date) -> list[Staff]:
    """A suggestion for opening a day: the last day's order, then the site's other
    salespeople."""
    candidates = list(rotation_candidates(site))
    last = RotationDay.objects.filter(site=site, on__lt=on).order_by("-on").first()
    if last is None:
        return candidates
    placed = list(last.rows.order_by("position").values_list("staff_id", flat=True))
    rank = {staff_id: i for i, staff_id in enumerate(placed)}
    return sorted(candidates, key=lambda s: (rank.get(s.pk, len(rank)), s.pk))
