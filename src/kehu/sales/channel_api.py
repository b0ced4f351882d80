"""API of the sales office's 渠道报备（保护期、到访为王）, mounted at /api/v1/sales/channel/.

``GET  /reports``                         the latest reports with state and countdown
``POST /reports``                         report a customer for an agent (PM's token / desk)
``GET  /reports/expiring``                reports whose protection ends within N hours
``GET  /reports/{id}``                    one report
``POST /reports/{id}/confirm-visit``      the customer visited within the period (X7.3)
``GET  /companies`` ``POST /companies`` ``POST /companies/{id}/agents``  the PM's list
``GET  /customers/{customer_id}``         a customer's channel panel (ownership countdown)

A duplicate is refused with 409 ``sales.channel.already_reported`` or
``sales.channel.already_customer``, naming the holder and the time (X7.2).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.web.api_support import ErrorOut, request_staff
from kehu.sales import channel_selectors as selectors
from kehu.sales import channel_services as services
from kehu.sales.channel_selectors import ReportRow
from kehu.sales.models.channel import ChannelAgent, ChannelCompany

router = Router(tags=["sales 渠道报备（保护期、到访为王）"])

_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class ReportIn(Schema):
    agent_id: int
    customer_name: str
    phone: str
    site_id: int | None = None
    note: str = ""


class ReportOut(Schema):
    id: int
    agent_id: int
    agent_name: str
    channel_name: str
    customer_name: str
    phone_masked: str
    reported_at: dt.datetime
    protected_until: dt.datetime
    protection_amount: int
    protection_unit: str
    visit_decides: bool
    status: str
    status_zh: str
    holds: bool
    remaining_seconds: int | None
    remaining_zh: str
    visited_at: dt.datetime | None
    rule_ids: list[str]
    policy_ref: str


class ConfirmIn(Schema):
    visited_at: dt.datetime | None = None


class ConfirmOut(Schema):
    id: int
    report_id: int
    customer_id: int
    visited_at: dt.datetime
    rule_ids: list[str]


class CompanyIn(Schema):
    name: str
    contact_person: str = ""
    phone: str = ""


class AgentIn(Schema):
    name: str
    phone: str = ""


class AgentOut(Schema):
    id: int
    channel_id: int
    name: str
    phone_masked: str
    active: bool


class CompanyOut(Schema):
    id: int
    name: str
    contact_person: str
    active: bool
    agents: list[AgentOut]


class CustomerChannelOut(Schema):
    customer_id: int
    holding_report_id: int | None
    reports: list[ReportOut]


def report_out(row: ReportRow) -> dict[str, Any]:
    r, state = row.report, row.state
    return {
        "id": r.pk,
        "agent_id": r.agent_id,
        "agent_name": r.agent.name,
        "channel_name": r.agent.channel.name,
        "customer_name": r.customer_name,
        "phone_masked": r.phone_masked,
        "reported_at": r.reported_at,
        "protected_until": r.protected_until,
        "protection_amount": r.protection_amount,
        "protection_unit": r.protection_unit,
        "visit_decides": r.visit_decides,
        "status": state.status.value,
        "status_zh": state.label,
        "holds": state.holds,
        "remaining_seconds": int(state.remaining.total_seconds()) if state.remaining else None,
        "remaining_zh": row.countdown,
        "visited_at": state.visited_at,
        "rule_ids": list(state.rule_ids),
        "policy_ref": r.policy_ref,
    }


def agent_out(agent: ChannelAgent) -> dict[str, Any]:
    return {
        "id": agent.pk,
        "channel_id": agent.channel_id,
        "name": agent.name,
        "phone_masked": agent.phone_masked,
        "active": agent.active,
    }


def company_out(company: ChannelCompany) -> dict[str, Any]:
    return {
        "id": company.pk,
        "name": company.name,
        "contact_person": company.contact_person,
        "active": company.active,
        "agents": [agent_out(a) for a in company.agents.all()],
    }


@router.get("/reports", response={200: list[ReportOut], **_ERRORS}, summary="渠道报备 / reports")
def reports(request: HttpRequest, status: str = "") -> Any:
    return [
        report_out(r)
        for r in selectors.channel_reports_for_user(request_staff(request), status=status)
    ]


@router.post("/reports", response={201: ReportOut, **_ERRORS}, summary="报备 / report a customer")
def report_create(request: HttpRequest, payload: ReportIn) -> Any:
    staff = request_staff(request)
    report = services.channel_report_create(actor=staff, **payload.model_dump())
    return Status(201, report_out(selectors.channel_report_get_for_user(staff, report.pk)))


@router.get(
    "/reports/expiring",
    response={200: list[ReportOut], **_ERRORS},
    summary="即将到期 / expiring within N hours",
)
def expiring(request: HttpRequest, hours: int | None = None) -> Any:
    rows, _ = selectors.channel_expiring_for_user(request_staff(request), within_hours=hours)
    return [report_out(r) for r in rows]


@router.get("/reports/{report_id}", response={200: ReportOut, **_ERRORS}, summary="报备 / one")
def report_get(request: HttpRequest, report_id: int) -> Any:
    return report_out(selectors.channel_report_get_for_user(request_staff(request), report_id))


@router.post(
    "/reports/{report_id}/confirm-visit",
    response={201: ConfirmOut, **_ERRORS},
    summary="确认到访 / the customer visited",
)
def confirm_visit(request: HttpRequest, report_id: int, payload: ConfirmIn) -> Any:
    done = services.channel_report_visit_confirm(
        actor=request_staff(request), report_id=report_id, visited_at=payload.visited_at
    )
    return Status(
        201,
        {
            "id": done.pk,
            "report_id": done.report_id,
            "customer_id": done.customer_id,
            "visited_at": done.visited_at,
            "rule_ids": done.rule_ids,
        },
    )


@router.get("/companies", response={200: list[CompanyOut], **_ERRORS}, summary="渠道公司")
def companies(request: HttpRequest) -> Any:
    return [company_out(c) for c in selectors.channel_companies_for_user(request_staff(request))]


@router.post("/companies", response={201: CompanyOut, **_ERRORS}, summary="添加渠道公司")
def company_create(request: HttpRequest, payload: CompanyIn) -> Any:
    company = services.channel_company_add(actor=request_staff(request), **payload.model_dump())
    return Status(201, company_out(company))


@router.post(
    "/companies/{channel_id}/agents", response={201: AgentOut, **_ERRORS}, summary="添加经纪人"
)
def agent_create(request: HttpRequest, channel_id: int, payload: AgentIn) -> Any:
    agent = services.channel_agent_add(
        actor=request_staff(request), channel_id=channel_id, **payload.model_dump()
    )
    return Status(201, agent_out(agent))


@router.get(
    "/customers/{customer_id}",
    response={200: CustomerChannelOut, **_ERRORS},
    summary="客户的渠道归属倒计时 / a customer's channel countdown",
)
def customer_channel(request: HttpRequest, customer_id: int) -> Any:
    channel = selectors.channel_countdown_for_customer(request_staff(request), customer_id)
    holding = channel.holding
    return {
        "customer_id": channel.customer_id,
        "holding_report_id": holding.report.pk if holding else None,
        "reports": [report_out(r) for r in channel.rows],
    }
