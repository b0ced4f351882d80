"""Reads of channel reports (渠道报备): lists with their countdowns, expiry warnings, a customer's
channel panel. Filtered by the caller's company (another company's rows are "not found").

Who reads: the channel list and reports — staff with ``sales.manage_channel`` (PM, sales
manager) and the front desk, who enter reports on the agents' behalf; a customer's channel panel
— anyone who may see the customer (a salesperson: their own customers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from kehu.core.customers.models import CustomerPhone
from kehu.core.customers.selectors import customers_visible_to
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.core.policy.errors import PolicyKeyUnknown
from kehu.core.policy.selectors import policy_for
from kehu.core.web.queues import queue_counter
from kehu.sales import channel_rules as rules
from kehu.sales.channel_errors import not_found, permission_denied
from kehu.sales.models.channel import ChannelAgent, ChannelCompany, ChannelReport
from kehu.sales.policy import SalesSettings

PERM_MANAGE = "sales.manage_channel"
LIST_LIMIT = 200


def sales_settings(company: Company | int, at: dt.datetime) -> tuple[SalesSettings, str]:
    """The ``sales`` policy in force at ``at`` and its reference (defaults if unregistered)."""
    if isinstance(company, int):
        company = Company.objects.get(pk=company)
    try:
        resolved = policy_for(company=company, key="sales", at=at)
    except PolicyKeyUnknown:
        return SalesSettings(), "sales@default"
    values = resolved.values
    assert isinstance(values, SalesSettings)
    return values, resolved.ref


def can_manage(staff: Staff) -> bool:
    return staff_has_perm(staff, PERM_MANAGE)


def can_report(staff: Staff) -> bool:
    """The PM and sales manager, and the front desk entering reports for the agents."""
    return staff.active and (can_manage(staff) or staff.post == Post.RECEPTIONIST)


def require_report(staff: Staff) -> None:
    if not can_report(staff):
        raise permission_denied("查看或录入渠道报备", "read or enter channel reports", PERM_MANAGE)


def require_manage(staff: Staff) -> None:
    if not can_manage(staff):
        raise permission_denied("管理渠道公司和经纪人", "manage channel companies", PERM_MANAGE)


@dataclass(frozen=True)
class ReportRow:
    report: ChannelReport
    state: rules.ReportState

    @property
    def countdown(self) -> str:
        return rules.remaining_text(self.state.remaining)

    @property
    def urgent(self) -> bool:
        """Less than a day of protection left."""
        left = self.state.remaining
        return left is not None and left < dt.timedelta(hours=24)


def report_rows(reports: Iterable[ChannelReport], now: dt.datetime) -> list[ReportRow]:
    rows = []
    for report in reports:
        confirmation = getattr(report, "confirmation", None)
        state = rules.report_state(
            reported_at=report.reported_at,
            until=report.protected_until,
            visit_decides=report.visit_decides,
            visited_at=confirmation.visited_at if confirmation else None,
            now=now,
        )
        rows.append(ReportRow(report, state))
    return rows


def _reports(company_id: int) -> QuerySet[ChannelReport]:
    return ChannelReport.objects.filter(company_id=company_id).select_related(
        "agent", "agent__channel", "confirmation", "recorded_by"
    )


def channel_reports_for_user(
    staff: Staff, *, status: str = "", now: dt.datetime | None = None
) -> list[ReportRow]:
    """The company's latest reports with their state and countdown, newest first."""
    require_report(staff)
    now = now or timezone.now()
    rows = report_rows(_reports(staff.company_id).order_by("-reported_at", "-pk")[:LIST_LIMIT], now)
    if status:
        rows = [r for r in rows if r.state.status == status]
    return rows


def channel_expiring_for_user(
    staff: Staff, *, within_hours: int | None = None, now: dt.datetime | None = None
) -> tuple[list[ReportRow], int]:
    """Reports still counting down whose protection ends within N hours (policy
    ``channel_expiring_hours``), soonest first; and N."""
    require_report(staff)
    now = now or timezone.now()
    if within_hours is None:
        settings, _ = sales_settings(staff.company, now)
        within_hours = settings.channel_expiring_hours
    reports = _reports(staff.company_id).filter(
        protected_until__gt=now, protected_until__lte=now + dt.timedelta(hours=within_hours)
    )
    rows = [
        r
        for r in report_rows(reports.order_by("protected_until", "pk"), now)
        if r.state.remaining is not None
    ]
    return rows, within_hours


@queue_counter("sales.channel_expiring")
def channel_expiring_count(staff: Staff) -> int:
    if not can_report(staff):
        return 0
    rows, _ = channel_expiring_for_user(staff)
    return len(rows)


def channel_report_get_for_user(
    staff: Staff, report_id: int, *, now: dt.datetime | None = None
) -> ReportRow:
    require_report(staff)
    report = _reports(staff.company_id).filter(pk=report_id).first()
    if report is None:
        raise not_found("渠道报备", "Channel report")
    return report_rows([report], now or timezone.now())[0]


@dataclass(frozen=True)
class CustomerChannel:
    """What the customer page's channel panel shows: the customer's reports and countdowns."""

    customer_id: int
    customer_name: str
    rows: list[ReportRow]

    @property
    def holding(self) -> ReportRow | None:
        """The report that holds the customer now, if any."""
        return next((r for r in self.rows if r.state.holds), None)


def channel_countdown_for_customer(
    staff: Staff, customer_id: int, *, now: dt.datetime | None = None
) -> CustomerChannel:
    """The reports of a customer's phones with their ownership countdown — for a customer the
    caller may see (a salesperson: their own; another company: 404). Use it with the include
    ``sales/channel/_countdown.html`` (context name ``channel``)."""
    customer = customers_visible_to(staff).filter(pk=customer_id).first()
    if customer is None or not staff.active:
        raise not_found("客户", "Customer")
    phones = list(
        CustomerPhone.objects.filter(company_id=staff.company_id, customer_id=customer_id)
        .values_list("e164", flat=True)
        .distinct()
    )
    reports = _reports(staff.company_id).filter(phone_e164__in=phones).order_by("-reported_at")
    return CustomerChannel(customer.pk, customer.name, report_rows(reports, now or timezone.now()))


def channel_companies_for_user(staff: Staff) -> QuerySet[ChannelCompany]:
    require_report(staff)
    return ChannelCompany.objects.filter(company_id=staff.company_id).prefetch_related("agents")


def channel_agents_for_user(staff: Staff, *, active_only: bool = True) -> QuerySet[ChannelAgent]:
    require_report(staff)
    agents = ChannelAgent.objects.filter(company_id=staff.company_id).select_related("channel")
    if active_only:
        agents = agents.filter(active=True, channel__active=True)
    return agents
