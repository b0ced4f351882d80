"""Reads of the complaints app: who sees which complaint, the desk's queues by stage, a
department's inbox, a customer's history, the supervisor's breach and trend figures.

Visibility: customer service (``complaints.handle_complaints``) and the dashboard viewers see
the whole company; anyone else the complaints they took or hold, and those dispatched to their
department. Another company's complaint is "not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kehu.complaints import errors, rules
from kehu.complaints.models import Complaint, ComplaintEvent, TimeStateChoice, WorkOrder
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.queues import queue_counter

HANDLE = "complaints.handle_complaints"
DASHBOARD = "complaints.view_complaint_dashboard"


def sees_all(staff: Staff) -> bool:
    return staff_has_perm(staff, HANDLE) or staff_has_perm(staff, DASHBOARD)


def complaints_for_staff(staff: Staff) -> QuerySet[Complaint]:
    rows = Complaint.objects.filter(company_id=staff.company_id).select_related(
        "received_by", "handler", "department", "site", "customer"
    )
    if not staff.active:
        return rows.none()
    if sees_all(staff):
        return rows
    mine = Q(received_by=staff) | Q(handler=staff)
    if staff.department_id is not None:
        mine |= Q(department_id=staff.department_id) | Q(receiving_unit_id=staff.department_id)
    return rows.filter(mine)


def complaint_get_for_staff(staff: Staff, complaint_id: int) -> Complaint:
    complaint = complaints_for_staff(staff).filter(pk=complaint_id).first()
    if complaint is None:
        raise errors.complaint_not_found()
    return complaint


def complaint_events(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor").order_by("at", "pk")


@dataclass(frozen=True)
class StageQueue:
    stage: rules.Stage
    label_zh: str
    label_en: str
    complaints: list[Complaint]


def desk_queues(staff: Staff, *, limit: int = 50) -> list[StageQueue]:
    """Open complaints by stage, the most urgent first (the customer-service desk)."""
    rows = complaints_for_staff(staff).exclude(stage=rules.Stage.CLOSED.value)
    queues = []
    for stage in rules.OPEN_STAGES:
        items = list(rows.filter(stage=stage.value).order_by("due_at", "pk")[:limit])
        zh, en = rules.STAGE_LABELS[stage]
        queues.append(StageQueue(stage, zh, en, items))
    return queues


def department_inbox(staff: Staff) -> QuerySet[Complaint]:
    """Complaints with the staff member's department, waiting for its result (A3)."""
    if staff.department_id is None:
        return Complaint.objects.none()
    return (
        complaints_for_staff(staff)
        .filter(
            department_id=staff.department_id,
            stage__in=[rules.Stage.DISPATCHED.value, rules.Stage.AGREED.value],
        )
        .order_by("due_at", "pk")
    )


def customer_history(staff: Staff, customer_id: int) -> QuerySet[Complaint]:
    return complaints_for_staff(staff).filter(customer_id=customer_id).order_by("-received_at")


def time_left_class(complaint: Complaint, now: dt.datetime | None = None) -> str:
    """The desk's colour: ``ok`` (green), ``warn`` (amber, in the warning band), ``late`` (red),
    ``done`` (closed)."""
    if complaint.stage == rules.Stage.CLOSED or complaint.due_at is None:
        return "done"
    now = now or timezone.now()
    if now > complaint.due_at:
        return "late"
    if complaint.warn_at is not None and now >= complaint.warn_at:
        return "warn"
    return "ok"


@dataclass(frozen=True)
class Dashboard:
    open_total: int
    warning: int
    breached: int
    by_stage: dict[str, int]
    by_month: list[dict[str, object]]  # month, received, breached
    by_category: list[dict[str, object]]


def dashboard(staff: Staff, *, since: dt.datetime) -> Dashboard:
    """Breaches and trends for a supervisor (one query per figure)."""
    if not sees_all(staff):
        raise errors.not_allowed("查看投诉看板", "see the complaints dashboard")
    rows = Complaint.objects.filter(company_id=staff.company_id)
    open_rows = rows.exclude(stage=rules.Stage.CLOSED.value)
    states = dict(
        open_rows.values_list("time_state").annotate(n=Count("pk")).values_list("time_state", "n")
    )
    by_stage = dict(
        open_rows.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    breached_ids = ComplaintEvent.objects.filter(
        company_id=staff.company_id, action="breach"
    ).values("complaint_id")
    months = (
        rows.filter(received_at__gte=since)
        .annotate(month=TruncMonth("received_at", tzinfo=rules.LOCAL_TZ))
        .values("month")
        .annotate(
            received=Count("pk"),
            breached=Count("pk", filter=Q(pk__in=breached_ids)),
        )
        .order_by("month")
    )
    categories = (
        rows.filter(received_at__gte=since)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")[:10]
    )
    return Dashboard(
        open_total=sum(states.values()),
        warning=states.get(TimeStateChoice.WARNING, 0),
        breached=states.get(TimeStateChoice.BREACHED, 0),
        by_stage=by_stage,
        by_month=[
            {
                "month": row["month"].strftime("%Y-%m"),
                "received": row["received"],
                "breached": row["breached"],
            }
            for row in months
        ],
        by_category=[{"category": row["category"], "count": row["n"]} for row in categories],
    )


def work_orders_for_staff(staff: Staff) -> QuerySet[WorkOrder]:
    rows = WorkOrder.objects.filter(company_id=staff.company_id).select_related(
        "assignee", "complaint"
    )
    if sees_all(staff):
        return rows
    return rows.filter(Q(assignee=staff) | Q(created_by=staff))


def callbacks_due(staff: Staff) -> QuerySet[WorkOrder]:
    """Completed work orders still waiting for their callback (100%, A4/A9)."""
    return work_orders_for_staff(staff).filter(status="completed").order_by("completed_at")


# --- home-page queues (keys defined in kehu.core.web.queues) ------------------------------------


@queue_counter("complaints.to_dispatch")
def count_to_dispatch(staff: Staff) -> int:
    if not staff_has_perm(staff, HANDLE):
        return 0
    return complaints_for_staff(staff).filter(stage=rules.Stage.AT_SERVICE.value).count()


@queue_counter("complaints.due_soon")
def count_due_soon(staff: Staff) -> int:
    return (
        complaints_for_staff(staff)
        .exclude(stage=rules.Stage.CLOSED.value)
        .exclude(time_state=TimeStateChoice.ON_TIME)
        .count()
    )


@queue_counter("complaints.service_callbacks")
def count_service_callbacks(staff: Staff) -> int:
    return callbacks_due(staff).count() if staff_has_perm(staff, HANDLE) else 0


queue_counter("complaints.work_order_callbacks")(count_service_callbacks)


@queue_counter("complaints.work_orders")
def count_open_work_orders(staff: Staff) -> int:
    return work_orders_for_staff(staff).filter(status="open").count()


@queue_counter("complaints.repair_requests")
def count_repair_requests(staff: Staff) -> int:
    return work_orders_for_staff(staff).filter(status="open", kind="repair").count()


@queue_counter("sales.site_complaints_open")
def count_site_complaints_open(staff: Staff) -> int:
    return (
        complaints_for_staff(staff)
        .filter(profile=rules.Profile.A8_2.value)
        .exclude(stage=rules.Stage.CLOSED.value)
        .count()
    )


def group_suggestions(staff: Staff, *, now: dt.datetime | None = None) -> list[list[Complaint]]:
    """Ungrouped complaints of the last weeks that look like one problem (same place and
    category, close in time): suggestions a person confirms (A3 统一解释)."""
    if not staff_has_perm(staff, HANDLE):
        return []
    from kehu.complaints.services import complaint_policy

    now = now or timezone.now()
    policy, _ref = complaint_policy(staff.company, now)
    horizon = now - dt.timedelta(days=max(policy.group_window_days * 4, 30))
    rows = {
        c.pk: c
        for c in complaints_for_staff(staff).filter(group__isnull=True, received_at__gte=horizon)
    }
    keys = [rules.GroupingKey(str(c.pk), c.place, c.category, c.received_at) for c in rows.values()]
    groups = rules.suggest_groups(keys, window_days=policy.group_window_days)
    return [[rows[int(pk)] for pk in group] for group in groups]


@dataclass(frozen=True)
class NeedsAnalysis:
    month: str
    by_class: list[dict[str, object]]
    by_topic: list[dict[str, object]]
    by_unit: list[dict[str, object]]


def needs_analysis(staff: Staff, *, month: dt.date) -> NeedsAnalysis:
    """The month's needs by class, topic and receiving unit (A11: for the quality department)."""
    if not sees_all(staff):
        raise errors.not_allowed("查看需求分析", "see the needs analysis")
    from kehu.complaints.models import CustomerNeed

    start = dt.datetime.combine(month.replace(day=1), dt.time(), tzinfo=rules.LOCAL_TZ)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    rows = CustomerNeed.objects.filter(
        company_id=staff.company_id, recorded_at__gte=start, recorded_at__lt=end
    )

    def counted(field: str) -> list[dict[str, object]]:
        return [
            {field: value, "count": n}
            for value, n in rows.values_list(field).annotate(n=Count("pk")).order_by("-n", field)
        ]

    return NeedsAnalysis(
        month=start.strftime("%Y-%m"),
        by_class=counted("need_class"),
        by_topic=counted("topic"),
        by_unit=counted("routed_to"),
    )
