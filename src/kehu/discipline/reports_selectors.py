"""Reading customers' hazard and theft reports (A4 五.6).

Every query here defers the encrypted identity column: lists, details and exports never load
it. Only ``reports_services.customer_report_identity_reveal`` reads it, audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from kehu.core.ledger.selectors import ledger_entries_for_subject
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.discipline.errors import DisciplineError, DisciplineErrorCode
from kehu.discipline.models import CustomerReport, CustomerReportKind, CustomerReportState
from kehu.discipline.reports_services import (
    IDENTITY_FIELD,
    PERM_IDENTITY,
    PERM_VERIFY,
    CustomerReportNotFound,
    customer_report_require_see,
)

LEDGER_KIND_LABELS = {
    "customer_report.received": gettext_lazy("受理"),
    "customer_report.verified": gettext_lazy("查实"),
    "customer_report.not_verified": gettext_lazy("未查实"),
    "customer_report.paid": gettext_lazy("奖励发放"),
}


def _filter_value(field: str, value: str, choices: type[CustomerReportKind] | Any) -> str:
    value = (value or "").strip()
    if value and value not in choices.values:
        raise DisciplineError(
            DisciplineErrorCode.BAD_INPUT,
            f"筛选条件“{field}”的取值无效：可选 {', '.join(choices.values)}。",
            f"Invalid filter “{field}”: choose one of {', '.join(choices.values)}.",
            status=422,
            details={"field": field},
        )
    return value


def customer_reports_of_company(staff: Staff) -> QuerySet[CustomerReport]:
    """The caller's company's reports, identity column deferred. No permission check."""
    return (
        CustomerReport.objects.filter(company_id=staff.company_id)
        .defer(IDENTITY_FIELD)
        .select_related("received_by", "verified_by")
    )


def customer_report_list_for_user(
    staff: Staff, *, state: str = "", kind: str = "", request: HttpRequest | None = None
) -> QuerySet[CustomerReport]:
    """The reports ``staff`` may list, newest first; refuses (audited) posts that never work
    with reports. ``state`` and ``kind`` filter when given."""
    customer_report_require_see(staff=staff, request=request)
    state = _filter_value("state", state, CustomerReportState)
    kind = _filter_value("kind", kind, CustomerReportKind)
    reports = customer_reports_of_company(staff)
    if state:
        reports = reports.filter(state=state)
    if kind:
        reports = reports.filter(kind=kind)
    return reports.order_by("-received_at", "-pk")


def customer_report_get_for_user(
    staff: Staff, report_id: int, *, request: HttpRequest | None = None
) -> CustomerReport:
    """One report of the caller's company (identity deferred); other companies' are not found."""
    customer_report_require_see(staff=staff, request=request)
    report = customer_reports_of_company(staff).filter(pk=report_id).first()
    if report is None:
        raise CustomerReportNotFound()
    return report


@dataclasses.dataclass(frozen=True)
class ReportEvent:
    at: dt.datetime
    kind: str
    label: str
    actor: str
    note: str


@dataclasses.dataclass(frozen=True)
class ReportPayment:
    at: dt.datetime
    by: str
    note: str
    amount: Decimal | None


@dataclasses.dataclass(frozen=True)
class ReportDetail:
    """A report as its page and the API show it: never the identity, only whether the caller
    may ask to see it (an audited action)."""

    report: CustomerReport
    can_verify: bool
    can_pay: bool
    can_reveal_identity: bool
    history: list[ReportEvent]
    payment: ReportPayment | None


def _actor(payload: dict[str, Any]) -> str:
    for key in ("received_by_name", "verified_by_name", "paid_by_name"):
        if payload.get(key):
            return str(payload[key])
    return ""


def customer_report_detail_for_user(
    staff: Staff, report_id: int, *, request: HttpRequest | None = None
) -> ReportDetail:
    report = customer_report_get_for_user(staff, report_id, request=request)
    history: list[ReportEvent] = []
    payment: ReportPayment | None = None
    for row in ledger_entries_for_subject(company=staff.company, subject=report).filter(
        stream="customer_reports"
    ):
        payload = row.payload if isinstance(row.payload, dict) else {}
        note = str(payload.get("note") or payload.get("explanation") or "")
        history.append(
            ReportEvent(
                at=row.recorded_at,
                kind=row.kind,
                label=str(LEDGER_KIND_LABELS.get(row.kind, row.kind)),
                actor=_actor(payload),
                note=note,
            )
        )
        if row.kind == "customer_report.paid":
            amount = payload.get("reward_amount")
            payment = ReportPayment(
                at=row.recorded_at,
                by=_actor(payload),
                note=note,
                amount=Decimal(str(amount)) if amount is not None else None,
            )
    may_verify = staff_has_perm(staff, PERM_VERIFY)
    return ReportDetail(
        report=report,
        can_verify=may_verify and report.state == CustomerReportState.RECEIVED,
        can_pay=may_verify
        and report.state == CustomerReportState.VERIFIED
        and bool(report.reward_amount and report.reward_amount > 0),
        can_reveal_identity=staff_has_perm(staff, PERM_IDENTITY),
        history=history,
        payment=payment,
    )
