"""Reads of the reception flow, filtered by the caller's company (another company: 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, QuerySet, Value, When

from kehu.core.customers.selectors import customers_visible_to
from kehu.core.ledger.selectors import ledger_entries_for_subject
from kehu.core.org.models import Site, Staff
from kehu.core.org.posts import Post
from kehu.sales import rules
from kehu.sales.models.reception import ConflictEvent, ConsentRecord, OwnershipDecision, Visit
from kehu.sales.reception_services import (
    RECEPTION_STREAM,
    VISIT_SUBJECT,
    ReceptionError,
    visit_not_found,
)


def visit_get_for_user(*, staff: Staff, visit_id: int) -> Visit:
    visit = (
        Visit.objects.select_related("receiver", "named", "site", "came_for", "customer")
        .filter(company_id=staff.company_id, pk=visit_id)
        .first()
    )
    if visit is None or not staff.active:
        raise visit_not_found()
    return visit


def decisions_for_customer(*, staff: Staff, customer_id: int) -> QuerySet[OwnershipDecision]:
    """The customer's stored ownership decisions, newest first — for a customer the caller may
    see (a salesperson: their own customers; another company: 404)."""
    if not staff.active or not customers_visible_to(staff).filter(pk=customer_id).exists():
        raise ReceptionError(
            "reception.not_found", "未找到该客户。", "Customer not found.", status=404
        )
    return OwnershipDecision.objects.filter(
        company_id=staff.company_id, customer_id=customer_id
    ).order_by("-decided_at", "-pk")


def visits_of_day(*, staff: Staff, site: Site, on: dt.date) -> list[Visit]:
    """The site's visits of one local day, open receptions first, then newest first."""
    start = dt.datetime.combine(on, dt.time.min, tzinfo=rules.LOCAL_TZ)
    rows = (
        Visit.objects.select_related("receiver", "named", "came_for", "customer", "registration")
        .filter(
            company_id=staff.company_id,
            site=site,
            arrived_at__gte=start,
            arrived_at__lt=start + dt.timedelta(days=1),
        )
        .order_by("-arrived_at", "-pk")
    )
    visits = list(rows)
    latest = latest_decisions([v.pk for v in visits])
    for visit in visits:
        visit.latest_decision = latest.get(visit.pk)  # type: ignore[attr-defined]
    return sorted(visits, key=lambda v: v.ended_at is not None)


def latest_decisions(visit_ids: list[int]) -> dict[int, OwnershipDecision]:
    """Each visit's latest decision (the one no later decision supersedes)."""
    latest: dict[int, OwnershipDecision] = {}
    for row in OwnershipDecision.objects.filter(visit_id__in=visit_ids).order_by("pk"):
        latest[row.visit_id] = row
    return latest


@dataclass(frozen=True)
class VisitDetail:
    """One visit with everything recorded about it, for the desk and the API."""

    visit: Visit
    decisions: list[OwnershipDecision]  # newest first: the first is in force
    conflicts: list[ConflictEvent]
    consents: list[ConsentRecord]
    handling: list[dict[str, Any]]  # the A7.13 handling entries, oldest first

    @property
    def decision(self) -> OwnershipDecision | None:
        return self.decisions[0] if self.decisions else None


def visit_detail_for_user(*, staff: Staff, visit_id: int) -> VisitDetail:
    visit = visit_get_for_user(staff=staff, visit_id=visit_id)
    entries = ledger_entries_for_subject(company=staff.company, subject=(VISIT_SUBJECT, visit.pk))
    return VisitDetail(
        visit=visit,
        decisions=list(
            OwnershipDecision.objects.filter(visit=visit)
            .select_related("decided_by")
            .order_by("-pk")
        ),
        conflicts=list(
            ConflictEvent.objects.filter(visit=visit)
            .select_related("holder", "found_by")
            .order_by("found_at", "pk")
        ),
        consents=list(
            ConsentRecord.objects.filter(visit=visit)
            .select_related("holder", "receiver")
            .order_by("answered_at", "pk")
        ),
        handling=[
            dict(e.payload)
            for e in entries.filter(stream=RECEPTION_STREAM, kind="reception_handling").order_by(
                "seq"
            )
        ],
    )


def reception_colleagues(*, staff: Staff, site: Site) -> QuerySet[Staff]:
    """The company's active salespeople, this site's first (to name a holder or came-for)."""
    return (
        Staff.objects.filter(company_id=staff.company_id, active=True, post=Post.SALESPERSON)
        .annotate(here=Case(When(site=site, then=Value(0)), default=Value(1)))
        .order_by("here", "name", "pk")
    )
