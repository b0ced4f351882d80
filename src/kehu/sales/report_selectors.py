"""Sales-office reports (案场报表): reads only, one aggregate query per chart.

Who may read them: ``sales.view_sales_reports`` (project manager, sales manager, sales
director). A project manager tied to one sales office sees that office only; another company's
site, or another office for such a PM, is "not found" (404). A salesperson is refused (403).

The four reports, each filtered by site (optional) and a date range of local days
(Asia/Shanghai), inclusive at both ends:

- **Receptions and rotation fairness** (A2.1, A5.1, A7.1, A7.2): per salesperson per day or per
  month, from the rotation's ``assigned`` events — receptions, turns consumed, not consumed, and
  of those the make-up turns served (``via = makeup``); make-up turns earned, from
  ``MakeupTurn``. Fairness compares each salesperson's consumed turns with the mean of everyone
  who was on the rotation in the range (a salesperson on duty who received nobody counts as 0),
  and the spread is the largest minus the smallest.
- **Funnel** visit → registration → deal (A1.1, A7.17): visits that arrived in the range; of
  them the registered ones; their distinct customers; and those customers who have a deal
  (deposit paid and subscription signed: ``closed_at``) at the same site closed on or before the
  range's last day — so a past month's report does not change when later months close deals.
- **Conflicts by deciding rule** (撞单, per month of the visit): a visit's current ownership
  decision (not superseded) counts as a conflict when before the visit the customer was a
  salesperson's other than the receiver's, or the decision went to the sales manager (A7.20),
  or a conflict (``ConflictEvent``) was recorded for the visit. Grouped by the decision's
  ``clause``.
- **Commission by salesperson per month** (A7.17 and the splits): the ``CommissionEntry``
  ledger summed per month and party; reversals are negative lines, so the sums are net.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kehu.core.errors import KehuError
from kehu.core.org.models import Site, SiteKind, Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.sales.models.deal import CommissionEntry, Deal
from kehu.sales.models.reception import (
    ConflictEvent,
    DecisionOutcome,
    OwnershipDecision,
    Visit,
)
from kehu.sales.models.rotation import (
    DutyRow,
    MakeupTurn,
    RotationEvent,
    RotationEventKind,
)
from kehu.sales.registration_selectors import local_today, office_tz

PERM_REPORTS = "sales.view_sales_reports"
Period = Literal["day", "month"]
# A range longer than this is refused: a report is a management view, not a data dump.
MAX_DAYS = 3 * 366
TWO_PLACES = Decimal("0.01")


class ReportError(KehuError):
    """A report error (codes ``sales.report.*``)."""


def report_denied() -> ReportError:
    return ReportError(
        "sales.report.permission_denied",
        f"您的岗位无权查看案场报表（需要权限 {PERM_REPORTS}）。",
        f"Your post may not read the sales-office reports (needs permission {PERM_REPORTS}).",
        status=403,
        details={"permission": PERM_REPORTS},
    )


def site_not_found() -> ReportError:
    return ReportError(
        "sales.report.site_not_found",
        "找不到该项目（售楼处），或您无权查看。",
        "No such site (sales office), or you may not see it.",
        status=404,
    )


def bad_range(message_zh: str, message_en: str) -> ReportError:
    return ReportError("sales.report.bad_range", message_zh, message_en, status=400)


@dataclass(frozen=True)
class ReportFilters:
    """What every report is filtered by: a site (None: every office the reader may see) and a
    range of local days, both ends included."""

    start: dt.date
    end: dt.date
    site_id: int | None = None
    period: Period = "day"

    @classmethod
    def default(cls) -> ReportFilters:
        today = local_today()
        first = today.replace(day=1)
        # this month and the two before it
        for _step in range(2):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return cls(start=first, end=today)

    def checked(self) -> ReportFilters:
        if self.end < self.start:
            raise bad_range(
                "结束日期不能早于开始日期。", "The end date cannot be before the start date."
            )
        if (self.end - self.start).days >= MAX_DAYS:
            raise bad_range(
                f"日期范围最长 {MAX_DAYS} 天，请缩小范围。",
                f"The date range is at most {MAX_DAYS} days; narrow it.",
            )
        if self.period not in ("day", "month"):
            raise bad_range("统计周期只可为日或月。", "The period is day or month.")
        return self

    @property
    def first_month(self) -> dt.date:
        return self.start.replace(day=1)

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, the day after end 00:00) in the office's time zone, aware."""
        tz = office_tz()
        begin = dt.datetime.combine(self.start, dt.time(), tzinfo=tz)
        finish = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return begin, finish

    def as_dict(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "period": self.period,
        }


@dataclass(frozen=True)
class ReportScope:
    """The reader, the company and the sites the report covers."""

    staff: Staff
    filters: ReportFilters
    site: Site | None  # the one site asked for (or the PM's own), else None: all offices
    site_name: str

    @property
    def company_id(self) -> int:
        return self.staff.company_id

    def site_q(self, path: str) -> Q:
        return Q(**{path: self.site.pk}) if self.site is not None else Q()


def report_sites(staff: Staff) -> QuerySet[Site]:
    """The sales offices whose reports ``staff`` may read (for the site filter)."""
    if not staff_has_perm(staff, PERM_REPORTS):
        return Site.objects.none()
    qs = Site.objects.filter(company_id=staff.company_id, kind=SiteKind.SALES_OFFICE)
    if staff.post == Post.PROJECT_MANAGER and staff.site_id is not None:
        qs = qs.filter(pk=staff.site_id)
    return qs.order_by("name", "pk")


def report_scope(staff: Staff, filters: ReportFilters) -> ReportScope:
    """Check the reader and the filters; raises 403 without the permission, 404 for a site
    the reader may not see (another company's: the same answer)."""
    if not staff_has_perm(staff, PERM_REPORTS):
        raise report_denied()
    filters = filters.checked()
    site: Site | None = None
    if filters.site_id is not None:
        site = report_sites(staff).filter(pk=filters.site_id).first()
        if site is None:
            raise site_not_found()
    elif staff.post == Post.PROJECT_MANAGER and staff.site_id is not None:
        site = report_sites(staff).first()
    return ReportScope(
        staff=staff,
        filters=filters,
        site=site,
        site_name=site.name if site is not None else _("全部项目"),
    )


# --- receptions and rotation fairness ----------------------------------------------------------


@dataclass(frozen=True)
class ReceptionRow:
    period: dt.date  # the day, or the first day of the month
    staff_id: int
    name: str
    receptions: int
    consumed: int
    not_consumed: int
    makeups_served: int
    makeups_earned: int


@dataclass(frozen=True)
class FairnessRow:
    staff_id: int
    name: str
    receptions: int
    consumed: int
    not_consumed: int
    makeups_served: int
    makeups_earned: int
    versus_mean: Decimal  # consumed turns minus the mean


@dataclass(frozen=True)
class ReceptionReport:
    rows: list[ReceptionRow]
    fairness: list[FairnessRow]
    mean_consumed: Decimal
    spread: int  # most consumed turns minus fewest, among everyone on the rotation
    rule_ids: tuple[str, ...] = ("A2.1", "A5.1", "A7.1", "A7.2")


def _period(path: str, period: Period) -> Any:
    return F(path) if period == "day" else TruncMonth(path)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    assert isinstance(value, dt.date)
    return value


def reception_report(scope: ReportScope) -> ReceptionReport:
    """Receptions per salesperson per day or month, and fairness over the range: three
    aggregate queries (assignments, make-ups earned, who was on the rotation)."""
    f = scope.filters
    assigned = (
        RotationEvent.objects.filter(
            scope.site_q("day__site_id"),
            company_id=scope.company_id,
            kind=RotationEventKind.ASSIGNED,
            day__on__range=(f.start, f.end),
            staff__isnull=False,
        )
        .annotate(period=_period("day__on", f.period))
        .values("period", "staff_id", "staff__name")
        .annotate(
            receptions=Count("pk"),
            consumed=Count("pk", filter=Q(detail__consumed=True)),
            makeups_served=Count("pk", filter=Q(detail__via="makeup")),
        )
        .order_by("period", "staff__name", "staff_id")
    )
    earned = (
        MakeupTurn.objects.filter(
            scope.site_q("site_id"),
            company_id=scope.company_id,
            earned_day__on__range=(f.start, f.end),
        )
        .annotate(period=_period("earned_day__on", f.period))
        .values("period", "staff_id", "staff__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_key: dict[tuple[dt.date, int], dict[str, Any]] = {}
    for row in assigned:
        by_key[(_as_date(row["period"]), row["staff_id"])] = {**row, "makeups_earned": 0}
    for row in earned:
        key = (_as_date(row["period"]), row["staff_id"])
        entry = by_key.setdefault(
            key,
            {
                "staff_id": row["staff_id"],
                "staff__name": row["staff__name"],
                "receptions": 0,
                "consumed": 0,
                "makeups_served": 0,
            },
        )
        entry["makeups_earned"] = row["n"]
    rows = [
        ReceptionRow(
            period=period,
            staff_id=staff_id,
            name=v["staff__name"],
            receptions=v["receptions"],
            consumed=v["consumed"],
            not_consumed=v["receptions"] - v["consumed"],
            makeups_served=v["makeups_served"],
            makeups_earned=v["makeups_earned"],
        )
        for (period, staff_id), v in sorted(
            by_key.items(), key=lambda kv: (kv[0][0], kv[1]["staff__name"], kv[0][1])
        )
    ]
    on_duty = dict(
        DutyRow.objects.filter(
            scope.site_q("day__site_id"),
            company_id=scope.company_id,
            day__on__range=(f.start, f.end),
        )
        .values_list("staff_id", "staff__name")
        .distinct()
        .order_by()
    )
    return ReceptionReport(rows=rows, **_fairness(rows, on_duty))


def _fairness(rows: Sequence[ReceptionRow], on_duty: dict[int, str]) -> dict[str, Any]:
    totals: dict[int, list[Any]] = {pk: [name, 0, 0, 0, 0] for pk, name in on_duty.items()}
    for row in rows:
        acc = totals.setdefault(row.staff_id, [row.name, 0, 0, 0, 0])
        acc[1] += row.receptions
        acc[2] += row.consumed
        acc[3] += row.makeups_served
        acc[4] += row.makeups_earned
    if not totals:
        return {"fairness": [], "mean_consumed": Decimal("0.00"), "spread": 0}
    mean = Decimal(sum(acc[2] for acc in totals.values())) / len(totals)
    fairness = [
        FairnessRow(
            staff_id=pk,
            name=acc[0],
            receptions=acc[1],
            consumed=acc[2],
            not_consumed=acc[1] - acc[2],
            makeups_served=acc[3],
            makeups_earned=acc[4],
            versus_mean=(acc[2] - mean).quantize(TWO_PLACES, ROUND_HALF_UP),
        )
        for pk, acc in sorted(totals.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]
    consumed = [row.consumed for row in fairness]
    return {
        "fairness": fairness,
        "mean_consumed": mean.quantize(TWO_PLACES, ROUND_HALF_UP),
        "spread": max(consumed) - min(consumed),
    }


# --- visit → registration → deal ---------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    key: str
    label: str
    count: int
    percent_of_previous: Decimal | None


@dataclass(frozen=True)
class FunnelReport:
    stages: list[FunnelStage]
    rule_ids: tuple[str, ...] = ("A1.1", "A7.4", "A7.17")


def funnel_report(scope: ReportScope) -> FunnelReport:
    """One aggregate query over the visits of the range (see the module docstring)."""
    begin, finish = scope.filters.moments()
    dealt = Exists(
        Deal.objects.filter(
            company_id=OuterRef("company_id"),
            site_id=OuterRef("site_id"),
            customer_id=OuterRef("customer_id"),
            closed_at__isnull=False,
            closed_at__lt=finish,
        )
    )
    counts = Visit.objects.filter(
        scope.site_q("site_id"),
        company_id=scope.company_id,
        arrived_at__gte=begin,
        arrived_at__lt=finish,
    ).aggregate(
        visits=Count("pk"),
        registered=Count("pk", filter=Q(registration__isnull=False)),
        customers=Count("customer", distinct=True, filter=Q(registration__isnull=False)),
        dealt=Count("customer", distinct=True, filter=Q(registration__isnull=False) & Q(dealt)),
    )
    labels = {
        "visits": _("来访"),
        "registered": _("已登记的来访"),
        "customers": _("登记客户"),
        "dealt": _("成交客户"),
    }
    stages: list[FunnelStage] = []
    previous: int | None = None
    for key, label in labels.items():
        count = int(counts[key] or 0)
        percent = None
        if previous is not None:
            percent = (
                (Decimal(count) * 100 / previous).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if previous
                else Decimal("0.0")
            )
        stages.append(FunnelStage(key, label, count, percent))
        previous = count
    return FunnelReport(stages=stages)


# --- conflicts by deciding rule ----------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    month: dt.date
    clause: str
    count: int


@dataclass(frozen=True)
class ConflictReport:
    rows: list[ConflictRow]
    clauses: list[str] = field(default_factory=list)
    months: list[dt.date] = field(default_factory=list)


def conflict_report(scope: ReportScope) -> ConflictReport:
    begin, finish = scope.filters.moments()
    superseded = OwnershipDecision.objects.filter(supersedes=OuterRef("pk"))
    recorded = ConflictEvent.objects.filter(visit_id=OuterRef("visit_id"))
    another_salesperson = Q(owner_before__kind="salesperson") & ~Q(
        owner_before_salesperson=F("receiver_text")
    )
    rows = (
        OwnershipDecision.objects.filter(
            scope.site_q("visit__site_id"),
            company_id=scope.company_id,
            visit__arrived_at__gte=begin,
            visit__arrived_at__lt=finish,
        )
        .annotate(
            owner_before_salesperson=KT("owner_before__salesperson"),
            receiver_text=Cast("visit__receiver_id", CharField()),
        )
        .filter(~Exists(superseded))
        .filter(Q(outcome=DecisionOutcome.PENDING) | another_salesperson | Q(Exists(recorded)))
        .annotate(month=TruncMonth("visit__arrived_at", tzinfo=office_tz()))
        .values("month", "clause")
        .annotate(count=Count("pk"))
        .order_by("month", "clause")
    )
    result = [ConflictRow(_as_date(r["month"]), r["clause"], r["count"]) for r in rows]
    return ConflictReport(
        rows=result,
        clauses=sorted({r.clause for r in result}, key=_clause_order),
        months=sorted({r.month for r in result}),
    )


def _clause_order(clause: str) -> tuple[Any, ...]:
    """A1.5 < A7.9(1) < A7.12(3) < A7.20: by part, then number, then sub-clause."""
    head, _sep, sub = clause.partition("(")
    letter, _dot, rest = head.partition(".")
    numbers = tuple(int(n) if n.isdigit() else 0 for n in rest.split("."))
    return (letter, numbers, sub)


# --- commission by salesperson per month -------------------------------------------------------


@dataclass(frozen=True)
class CommissionRow:
    month: dt.date
    staff_id: int | None
    name: str  # a salesperson, or the department / group-buy pool
    party_kind: str
    amount: Decimal  # net of reversals
    lines: int


@dataclass(frozen=True)
class CommissionReport:
    rows: list[CommissionRow]
    total: Decimal
    rule_ids: tuple[str, ...] = ("A7.17", "A7.9", "A7.12", "A7.13", "A7.16")


PARTY_LABELS: dict[str, str] = {
    "sales_department": gettext_noop("销售部（公共资源）"),
    "group_buy": gettext_noop("团购（开发商或营销部）"),
}


def commission_report(scope: ReportScope) -> CommissionReport:
    f = scope.filters
    rows = (
        CommissionEntry.objects.filter(
            scope.site_q("deal__site_id"),
            company_id=scope.company_id,
            month__gte=f.first_month,
            month__lte=f.end,
        )
        .values("month", "salesperson_id", "salesperson__name", "party_kind")
        .annotate(amount=Sum("amount"), lines=Count("pk"))
        .order_by("month", "salesperson__name", "party_kind")
    )
    result = [
        CommissionRow(
            month=_as_date(r["month"]),
            staff_id=r["salesperson_id"],
            name=r["salesperson__name"] or _(PARTY_LABELS.get(r["party_kind"], r["party_kind"])),
            party_kind=r["party_kind"],
            amount=Decimal(r["amount"] or 0).quantize(TWO_PLACES),
            lines=r["lines"],
        )
        for r in rows
    ]
    return CommissionReport(rows=result, total=sum((r.amount for r in result), Decimal("0.00")))
