"""Reads of the suspicious-pattern alerts, for the PM, the sales manager and the director
(``sales.view_sales_alerts``); another company's alerts are "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.queues import queue_counter
from kehu.sales.channel_errors import not_found, permission_denied
from kehu.sales.models.channel import PoolClaim, PoolReturn, SalesAlert
from kehu.sales.models.reception import OwnershipDecision
from kehu.sales.models.registration import Registration

PERM_ALERTS = "sales.view_sales_alerts"


def can_read_alerts(staff: Staff) -> bool:
    return staff_has_perm(staff, PERM_ALERTS)


def require_alerts(staff: Staff) -> None:
    if not can_read_alerts(staff):
        raise permission_denied("查看异常预警", "read sales alerts", PERM_ALERTS, area="alert")


def alerts_for_user(staff: Staff, *, open_only: bool = False) -> QuerySet[SalesAlert]:
    """The company's alerts, newest first, with the number of acknowledgements (``acks``)."""
    require_alerts(staff)
    alerts = (
        SalesAlert.objects.filter(company_id=staff.company_id)
        .select_related("subject_staff", "subject_customer")
        .annotate(acks=Count("acknowledgements"))
        .order_by("-detected_at", "-pk")
    )
    if open_only:
        alerts = alerts.filter(acks=0)
    return alerts


@queue_counter("sales.alerts_open")
def alerts_open_count(staff: Staff) -> int:
    if not can_read_alerts(staff):
        return 0
    return alerts_for_user(staff, open_only=True).count()


@dataclass(frozen=True)
class EvidenceRow:
    ref: str
    table_zh: str
    at: str
    text: str


_TABLES = {
    "registration": "登记更正",
    "ownershipdecision": "归属决定",
    "poolreturn": "退回公客池",
    "poolclaim": "认领公客",
}


def _evidence_rows(alert: SalesAlert) -> list[EvidenceRow]:
    refs: dict[str, list[int]] = {}
    for item in alert.evidence:
        table, _, pk = str(item["ref"]).partition(":")
        refs.setdefault(table, []).append(int(pk))
    texts: dict[str, str] = {}
    company = alert.company_id
    for row in Registration.objects.filter(company_id=company, pk__in=refs.get("registration", [])):
        texts[f"registration:{row.pk}"] = (
            f"{row.customer_name}：更正第 {row.corrects_id} 条，理由：{row.correction_reason}"
        )
    for d in OwnershipDecision.objects.filter(
        company_id=company, pk__in=refs.get("ownershipdecision", [])
    ):
        texts[f"ownershipdecision:{d.pk}"] = (
            f"{d.clause} {'、'.join(d.rule_ids)}：{d.explanation_zh}"
        )
    for r in PoolReturn.objects.filter(
        company_id=company, pk__in=refs.get("poolreturn", [])
    ).select_related("previous_owner", "customer"):
        texts[f"poolreturn:{r.pk}"] = f"{r.customer.name} 从 {r.previous_owner.name} 退回公客池"
    for c in PoolClaim.objects.filter(
        company_id=company, pk__in=refs.get("poolclaim", [])
    ).select_related("claimer", "customer"):
        texts[f"poolclaim:{c.pk}"] = f"{c.claimer.name} 认领 {c.customer.name}"
    return [
        EvidenceRow(
            ref=str(item["ref"]),
            table_zh=_TABLES.get(str(item["ref"]).partition(":")[0], ""),
            at=_local_text(str(item["at"])),
            text=texts.get(str(item["ref"]), ""),
        )
        for item in alert.evidence
    ]


def _local_text(iso: str) -> str:
    moment = parse_datetime(iso)
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else iso


@dataclass(frozen=True)
class AlertDetail:
    alert: SalesAlert
    evidence: list[EvidenceRow]
    acknowledgements: list[Any]


def alert_get_for_user(staff: Staff, alert_id: int) -> AlertDetail:
    require_alerts(staff)
    alert = (
        SalesAlert.objects.filter(company_id=staff.company_id, pk=alert_id)
        .select_related("subject_staff", "subject_customer")
        .first()
    )
    if alert is None:
        raise not_found("预警", "Alert", code="sales.alert.not_found")
    acks = list(alert.acknowledgements.select_related("by").order_by("at", "pk"))
    return AlertDetail(alert, _evidence_rows(alert), acks)
