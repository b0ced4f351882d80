"""Reads of deals, the commission ledger, A7.19 requests and conduct records.

Who sees what: everything is filtered by the caller's company (another company: "not found").
Those with ``sales.view_all_deals`` (PM, sales manager, director) see every deal and every
salesperson's commission; a salesperson (``sales.view_deal``) sees the deals they closed or share
in and only their own commission lines, their own requests and the conduct records about them.

Importing this module registers the home-page counter of the sales manager's request queue
(``sales.approvals``, also under ``sales.requests_pending``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.customers.models import Customer
from kehu.core.customers.selectors import customers_visible_to
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.queues import queue_counter
from kehu.sales import rules
from kehu.sales.deal_errors import DealError, DealErrorCode, customer_not_found, deal_not_found
from kehu.sales.deal_services import (
    PERM_ADD,
    PERM_ALL,
    PERM_APPROVE,
    PERM_VIEW,
    forward_kinds,
    latest_deal_decision,
    latest_registered_visit,
    month_of,
    share_amount,
)
from kehu.sales.models.deal import (
    CommissionEntry,
    ConductRecord,
    Deal,
    SalesRequest,
    SalesRequestDecision,
    SalesRequestKind,
)
from kehu.sales.models.reception import OwnershipDecision, Visit

ROLE_LABELS: dict[str, str] = {role.value: label for role, label in rules.SHARE_ROLE_LABELS.items()}
PARTY_LABELS: dict[str, str] = {
    kind.value: label for kind, label in rules.OWNER_KIND_LABELS.items()
}


def may_see_all(staff: Staff) -> bool:
    return staff_has_perm(staff, PERM_ALL)


def _require_view(staff: Staff) -> None:
    if not (staff_has_perm(staff, PERM_VIEW) or staff_has_perm(staff, PERM_ALL)):
        raise DealError(
            DealErrorCode.PERMISSION_DENIED,
            "您的岗位无权查看成交与业绩台账。",
            "Your post may not see deals or the commission ledger.",
            status=403,
        )


# --- deals ---------------------------------------------------------------------------------------


def deals_for_user(staff: Staff) -> QuerySet[Deal]:
    """The deals ``staff`` may see, newest first."""
    _require_view(staff)
    rows = Deal.objects.filter(company_id=staff.company_id).select_related(
        "customer", "closer", "site"
    )
    if not may_see_all(staff):
        share = CommissionEntry.objects.filter(deal=OuterRef("pk"), salesperson=staff)
        rows = rows.filter(Q(closer=staff) | Exists(share))
    return rows.order_by("-recorded_at", "-pk")


@dataclass(frozen=True)
class ShareLine:
    """One share of a deal as the page shows it."""

    party: str
    role: str
    percent: Decimal
    cancelled: bool
    amount: Decimal


@dataclass(frozen=True)
class DealDetail:
    deal: Deal
    decision: OwnershipDecision | None  # the newest decision that shares the deal
    shares: list[ShareLine]
    ledger_follows: bool  # the commission ledger is on that decision
    lines: list[CommissionEntry]
    requests: list[SalesRequest]
    approved: list[SalesRequest]
    approved_discounts: list[SalesRequest]
    may_record: bool
    may_refresh: bool
    steps_missing: list[str]


def deal_get_for_user(staff: Staff, deal_id: int) -> DealDetail:
    deal = deals_for_user(staff).filter(pk=deal_id).first()
    if deal is None:
        raise deal_not_found()
    decision = latest_deal_decision(deal)
    names = _names(staff.company_id)
    shares = _share_lines(deal, decision, names)
    lines = list(
        CommissionEntry.objects.filter(deal=deal)
        .select_related("salesperson", "decision")
        .order_by("pk")
    )
    if not may_see_all(staff):
        lines = [e for e in lines if e.salesperson_id == staff.pk]
    _label(lines)
    live_decisions = {e.decision_id for e in lines if e.reverses_id is None}
    follows = decision is not None and (
        decision.pk in live_decisions
        or CommissionEntry.objects.filter(deal=deal, decision=decision).exists()
    )
    requests = list(_requests(staff).filter(Q(deal=deal) | Q(site=deal.site, unit=deal.unit)))
    approved = [r for r in requests if _approved(r)]
    is_closer = deal.closer_id == staff.pk
    may_record = staff_has_perm(staff, PERM_ADD) and (may_see_all(staff) or is_closer)
    missing = []
    if deal.deposit_paid_at is None:
        missing.append("deposit")
    if deal.subscription_signed_at is None:
        missing.append("subscription")
    discounts = [
        r
        for r in approved
        if r.kind == SalesRequestKind.DISCOUNT and deal.discount_request_id is None
    ]
    return DealDetail(
        deal=deal,
        decision=decision,
        shares=shares,
        ledger_follows=follows or decision is None or not decision.shares,
        lines=lines,
        requests=requests,
        approved=approved,
        approved_discounts=discounts if deal.closed_at is None else [],
        may_record=may_record,
        may_refresh=may_record and deal.closed_at is not None,
        steps_missing=missing,
    )


def _approved(row: SalesRequest) -> bool:
    decision = getattr(row, "decision", None)
    return decision is not None and decision.approved


def _names(company_id: int) -> dict[str, str]:
    rows = Staff.objects.filter(company_id=company_id).values_list("pk", "name")
    return {str(pk): name for pk, name in rows}


def _share_lines(
    deal: Deal, decision: OwnershipDecision | None, names: dict[str, str]
) -> list[ShareLine]:
    if decision is None or not isinstance(decision.shares, dict):
        return []
    lines = []
    for share in decision.shares.get("shares") or []:
        party = share.get("party") or {}
        kind = str(party.get("kind", ""))
        label = (
            names.get(str(party.get("salesperson")), str(party.get("salesperson")))
            if kind == rules.OwnerKind.SALESPERSON
            else PARTY_LABELS.get(kind, kind)
        )
        percent = Decimal(str(share.get("percent", "0")))
        cancelled = bool(share.get("cancelled"))
        lines.append(
            ShareLine(
                party=label,
                role=ROLE_LABELS.get(str(share.get("role")), str(share.get("role"))),
                percent=percent,
                cancelled=cancelled,
                amount=Decimal("0.00") if cancelled else share_amount(deal.price, percent),
            )
        )
    return lines


# --- choices for the deal form -------------------------------------------------------------------


def deal_customers_for(staff: Staff) -> QuerySet[Customer]:
    """Customers a deal may be recorded for: those the caller sees, and those of visits they
    received (a helper closing a colleague's customer, A7.9, A7.12(3), A7.13)."""
    received = Visit.objects.filter(
        company_id=staff.company_id, receiver=staff, customer_id__isnull=False
    ).values("customer_id")
    if may_see_all(staff):
        return Customer.objects.filter(company_id=staff.company_id).order_by("name", "pk")
    visible = customers_visible_to(staff).values("pk")
    return Customer.objects.filter(
        Q(pk__in=visible) | Q(pk__in=received), company_id=staff.company_id
    ).order_by("name", "pk")


def customer_visits(staff: Staff, customer_id: int) -> list[Visit]:
    """The customer's registered visits, newest first (the first is the deal's default)."""
    if not deal_customers_for(staff).filter(pk=customer_id).exists():
        raise customer_not_found()
    return list(
        Visit.objects.filter(
            company_id=staff.company_id, customer_id=customer_id, registered_at__isnull=False
        )
        .select_related("receiver")
        .order_by("-registered_at", "-pk")[:20]
    )


def default_visit(staff: Staff, customer_id: int) -> Visit | None:
    return latest_registered_visit(customer_id, staff.company_id)


def salespeople_for(staff: Staff) -> QuerySet[Staff]:
    return Staff.objects.filter(
        company_id=staff.company_id, active=True, post=Post.SALESPERSON
    ).order_by("name", "pk")


def approved_discounts_for(staff: Staff) -> QuerySet[SalesRequest]:
    """Approved discount requests not yet applied to a deal (for the deal form)."""
    rows = _requests(staff).filter(
        kind=SalesRequestKind.DISCOUNT, decision__approved=True, applied_to__isnull=True
    )
    return rows


# --- the commission ledger -----------------------------------------------------------------------


@dataclass
class LedgerGroup:
    """One salesperson's (or the department's) lines of one month, with the month total."""

    key: str
    label: str
    salesperson: Staff | None
    lines: list[CommissionEntry] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((e.amount for e in self.lines), Decimal("0.00"))

    @property
    def deals(self) -> int:
        return len({e.deal_id for e in self.lines if e.reverses_id is None})


@dataclass(frozen=True)
class CommissionLedger:
    month: dt.date
    salesperson: Staff | None  # None: every salesperson (PM, sales manager, director)
    groups: list[LedgerGroup]
    may_see_all: bool
    salespeople: list[Staff]

    @property
    def total(self) -> Decimal:
        return sum((g.total for g in self.groups), Decimal("0.00"))

    @property
    def lines(self) -> list[CommissionEntry]:
        return [e for g in self.groups for e in g.lines]


def parse_month(text: str | None) -> dt.date:
    """``YYYY-MM`` → the first of that month; empty → this month in Shanghai."""
    if not text:
        return month_of(timezone.now())
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise DealError(
            DealErrorCode.BAD_INPUT,
            "月份格式应为 YYYY-MM，例如 2026-11。",
            "The month is written YYYY-MM, e.g. 2026-11.",
            status=422,
        ) from None


def commission_ledger(
    staff: Staff, *, month: dt.date, salesperson_id: int | None = None
) -> CommissionLedger:
    """One month of the commission ledger, grouped by salesperson with month totals. A
    salesperson sees only their own lines; asking for someone else's is "not found"."""
    _require_view(staff)
    everyone = may_see_all(staff)
    if not everyone:
        if salesperson_id not in (None, staff.pk):
            raise DealError(
                DealErrorCode.NOT_FOUND, "未找到该售楼员。", "Salesperson not found.", status=404
            )
        salesperson_id = staff.pk
    person = None
    if salesperson_id is not None:
        person = Staff.objects.filter(company_id=staff.company_id, pk=salesperson_id).first()
        if person is None:
            raise DealError(
                DealErrorCode.NOT_FOUND, "未找到该售楼员。", "Salesperson not found.", status=404
            )
    rows = (
        CommissionEntry.objects.filter(company_id=staff.company_id, month=month)
        .select_related("deal", "deal__customer", "decision", "salesperson", "reverses")
        .order_by("salesperson__name", "salesperson_id", "deal_id", "pk")
    )
    if person is not None:
        rows = rows.filter(salesperson=person)
    groups: dict[str, LedgerGroup] = {}
    for entry in rows:
        key = f"s:{entry.salesperson_id}" if entry.salesperson_id else f"k:{entry.party_kind}"
        if key not in groups:
            label = (
                entry.salesperson.name
                if entry.salesperson is not None
                else PARTY_LABELS.get(entry.party_kind, entry.party_kind)
            )
            groups[key] = LedgerGroup(key=key, label=label, salesperson=entry.salesperson)
        groups[key].lines.append(entry)
    _label([e for g in groups.values() for e in g.lines])
    if person is not None and not groups:
        key = f"s:{person.pk}"
        groups[key] = LedgerGroup(key=key, label=person.name, salesperson=person)
    return CommissionLedger(
        month=month,
        salesperson=person,
        groups=list(groups.values()),
        may_see_all=everyone,
        salespeople=list(salespeople_for(staff)) if everyone else [],
    )


def ledger_months(staff: Staff) -> list[dt.date]:
    """Months with lines the caller may see, newest first (for the month picker)."""
    rows = CommissionEntry.objects.filter(company_id=staff.company_id)
    if not may_see_all(staff):
        rows = rows.filter(salesperson=staff)
    return list(rows.order_by("-month").values_list("month", flat=True).distinct()[:24])


def _label(entries: list[CommissionEntry]) -> None:
    """Give each line its Chinese role label and status for the templates."""
    for entry in entries:
        entry.role_label = role_label(entry.role)  # type: ignore[attr-defined]
        entry.status_label = line_status(entry)  # type: ignore[attr-defined]


def line_status(entry: CommissionEntry) -> str:
    if entry.reverses_id is not None:
        return _("冲销 #%(id)s") % {"id": entry.reverses_id}
    if entry.cancelled:
        return _("已取消（抢客户，A7.13）")
    if "A1.6" in (entry.rule_ids or []):
        return _("提成另议（A1.6）")
    return _("有效")


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def totals_by_salesperson(entries: list[CommissionEntry]) -> dict[int | None, Decimal]:
    totals: dict[int | None, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for entry in entries:
        totals[entry.salesperson_id] += entry.amount
    return dict(totals)


# --- A7.19 requests ------------------------------------------------------------------------------


def _requests(staff: Staff) -> QuerySet[SalesRequest]:
    rows = SalesRequest.objects.filter(company_id=staff.company_id).select_related(
        "requested_by", "customer", "deal", "decision", "decision__decided_by", "site"
    )
    if may_see_all(staff) or staff_has_perm(staff, PERM_APPROVE):
        return rows
    return rows.filter(requested_by=staff)


def requests_for_user(staff: Staff, *, pending: bool = False) -> QuerySet[SalesRequest]:
    """Requests the caller may see (their own; all for the sales manager, PM and director),
    newest first; ``pending``: not yet decided, oldest first (the queue)."""
    _require_view(staff)
    rows = _requests(staff)
    if pending:
        undecided = ~Exists(SalesRequestDecision.objects.filter(request=OuterRef("pk")))
        return rows.filter(undecided).order_by("requested_at", "pk")
    return rows.order_by("-requested_at", "-pk")


def request_get_for_user(staff: Staff, request_id: int) -> SalesRequest:
    row = requests_for_user(staff).filter(pk=request_id).first()
    if row is None:
        raise DealError(
            DealErrorCode.REQUEST_NOT_FOUND, "未找到该申请。", "Request not found.", status=404
        )
    return row


def request_queue_count(staff: Staff) -> int:
    """Requests waiting for the sales manager's decision (A7.19)."""
    if not staff_has_perm(staff, PERM_APPROVE):
        return 0
    undecided = ~Exists(SalesRequestDecision.objects.filter(request=OuterRef("pk")))
    return SalesRequest.objects.filter(undecided, company_id=staff.company_id).count()


@queue_counter("sales.approvals")
def _approvals(staff: Staff) -> int:
    return request_queue_count(staff)


@queue_counter("sales.requests_pending")
def _requests_pending(staff: Staff) -> int:
    return request_queue_count(staff)


# --- conduct records -----------------------------------------------------------------------------


def conduct_for_user(staff: Staff, *, salesperson_id: int | None = None) -> QuerySet[ConductRecord]:
    """Conduct records: all for the office's managers; a salesperson sees those about them."""
    _require_view(staff)
    rows = ConductRecord.objects.filter(company_id=staff.company_id).select_related(
        "salesperson", "recorded_by", "customer", "forward"
    )
    if not may_see_all(staff):
        rows = rows.filter(salesperson=staff)
    elif salesperson_id is not None:
        rows = rows.filter(salesperson_id=salesperson_id)
    return rows.order_by("-occurred_at", "-pk")


def conduct_get_for_user(staff: Staff, record_id: int) -> ConductRecord:
    row = conduct_for_user(staff).filter(pk=record_id).first()
    if row is None:
        raise DealError(
            DealErrorCode.CONDUCT_NOT_FOUND,
            "未找到该违规记录。",
            "Conduct record not found.",
            status=404,
        )
    return row


def conduct_forward_kinds() -> list[str]:
    return forward_kinds()
