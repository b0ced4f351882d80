"""Suspicious-pattern alerts: the detector (periodic and on demand) and acknowledgements.

``alert_detect`` reads the evidence of the last days — registration corrections
(``Registration.corrects``), ownership decisions that moved a customer, pool returns and claims —
counts it with the pure ``alert_rules`` against the policy's thresholds, and stores each finding
as an append-only ``SalesAlert`` with the evidence rows it counted. At most one alert per kind and
subject per local day: running the detector again the same day adds nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.org.models import Company, Staff
from kehu.sales import alert_rules as rules
from kehu.sales.alert_selectors import require_alerts
from kehu.sales.channel_errors import bad_input, not_found, permission_denied
from kehu.sales.channel_selectors import sales_settings
from kehu.sales.models.channel import (
    AlertAcknowledgement,
    AlertKind,
    PoolClaim,
    PoolReturn,
    SalesAlert,
)
from kehu.sales.models.reception import OwnershipDecision
from kehu.sales.models.registration import Registration
from kehu.sales.policy import SalesSettings


def _owner_key(owner: object) -> object:
    """An ``owner_before``/``owner_after`` JSON value, comparable (None: nobody)."""
    if isinstance(owner, dict):
        return tuple(sorted((str(k), str(v)) for k, v in owner.items()))
    return owner


def _corrections(company_id: int, since: dt.datetime) -> list[rules.Evidence]:
    rows = Registration.objects.filter(
        company_id=company_id, corrects__isnull=False, recorded_at__gte=since
    ).values_list("pk", "recorded_by_id", "recorded_at")
    return [rules.Evidence(f"staff:{who}", f"registration:{pk}", at) for pk, who, at in rows]


def _owner_changes(company_id: int, since: dt.datetime) -> list[rules.Evidence]:
    evidence = [
        rules.Evidence(f"customer:{customer}", f"ownershipdecision:{pk}", at)
        for pk, customer, at, before, after in OwnershipDecision.objects.filter(
            company_id=company_id, customer__isnull=False, decided_at__gte=since
        ).values_list("pk", "customer_id", "decided_at", "owner_before", "owner_after")
        if _owner_key(before) != _owner_key(after)
    ]
    evidence += [
        rules.Evidence(f"customer:{customer}", f"poolreturn:{pk}", at)
        for pk, customer, at in PoolReturn.objects.filter(
            company_id=company_id, returned_at__gte=since
        ).values_list("pk", "customer_id", "returned_at")
    ]
    evidence += [
        rules.Evidence(f"customer:{customer}", f"poolclaim:{pk}", at)
        for pk, customer, at in PoolClaim.objects.filter(
            company_id=company_id, claimed_at__gte=since
        ).values_list("pk", "customer_id", "claimed_at")
    ]
    return evidence


def _quick_claims(company_id: int, since: dt.datetime, hours: int) -> list[rules.Evidence]:
    rows = PoolClaim.objects.filter(company_id=company_id, claimed_at__gte=since).values_list(
        "pk", "claimer_id", "claimed_at", "pool_return__returned_at"
    )
    return [
        rules.Evidence(f"staff:{who}", f"poolclaim:{pk}", at)
        for pk, who, at, returned_at in rows
        if rules.is_quick_claim(returned_at=returned_at, claimed_at=at, hours=hours)
    ]


def _findings(
    company_id: int, settings: SalesSettings, now: dt.datetime
) -> list[tuple[AlertKind, dt.datetime, rules.Finding]]:
    found: list[tuple[AlertKind, dt.datetime, rules.Finding]] = []
    start = now - dt.timedelta(days=settings.alert_correction_window_days)
    for finding in rules.count_in_window(
        _corrections(company_id, start),
        start=start,
        end=now,
        threshold=settings.alert_correction_threshold,
        strictly_above=False,
        rule_ids=(rules.RULE_CORRECTIONS, "A1.2"),
    ):
        found.append((AlertKind.CORRECTIONS, start, finding))
    start = now - dt.timedelta(days=settings.alert_owner_change_window_days)
    for finding in rules.count_in_window(
        _owner_changes(company_id, start),
        start=start,
        end=now,
        threshold=settings.alert_owner_change_limit,
        strictly_above=True,
        rule_ids=(rules.RULE_OWNER_CHANGES,),
    ):
        found.append((AlertKind.OWNER_CHANGES, start, finding))
    start = now - dt.timedelta(days=settings.alert_quick_claim_window_days)
    for finding in rules.count_in_window(
        _quick_claims(company_id, start, settings.alert_quick_claim_hours),
        start=start,
        end=now,
        threshold=settings.alert_quick_claim_threshold,
        strictly_above=False,
        rule_ids=(rules.RULE_QUICK_CLAIMS, "A2.4"),
    ):
        found.append((AlertKind.QUICK_CLAIMS, start, finding))
    return found


def _summary(kind: AlertKind, name: str, finding: rules.Finding, settings: SalesSettings) -> str:
    if kind is AlertKind.CORRECTIONS:
        return (
            f"{name} 在 {settings.alert_correction_window_days} 天内更正登记 {finding.count} 次"
            f"（达到 {finding.threshold} 次即预警）。"
        )
    if kind is AlertKind.OWNER_CHANGES:
        return (
            f"客户 {name} 在 {settings.alert_owner_change_window_days} 天内归属变更 "
            f"{finding.count} 次（超过 {finding.threshold} 次即预警）。"
        )
    return (
        f"{name} 在 {settings.alert_quick_claim_window_days} 天内有 {finding.count} 次在客户退回"
        f"公客池 {settings.alert_quick_claim_hours} 小时内认领"
        f"（达到 {finding.threshold} 次即预警）。"
    )


def _subject_names(company_id: int, keys: set[str]) -> dict[str, str]:
    staff_ids = [int(k.split(":")[1]) for k in keys if k.startswith("staff:")]
    customer_ids = [int(k.split(":")[1]) for k in keys if k.startswith("customer:")]
    names = {
        f"staff:{pk}": name
        for pk, name in Staff.objects.filter(company_id=company_id, pk__in=staff_ids).values_list(
            "pk", "name"
        )
    }
    names.update(
        {
            f"customer:{pk}": name or f"#{pk}"
            for pk, name in Customer.objects.filter(
                company_id=company_id, pk__in=customer_ids
            ).values_list("pk", "name")
        }
    )
    return names


def alert_detect(
    *, company: Company, now: dt.datetime | None = None, run_by: Staff | None = None
) -> list[SalesAlert]:
    """Find the suspicious patterns of the last days and store the new alerts (X7.6–X7.8)."""
    if run_by is not None:
        if run_by.company_id != company.pk:
            raise not_found("公司", "Company", code="sales.alert.not_found")
        require_alerts(run_by)
    now = now or timezone.now()
    settings, ref = sales_settings(company, now)
    found = _findings(company.pk, settings, now)
    names = _subject_names(company.pk, {f.subject for _, _, f in found})
    day = timezone.localdate(now)
    created: list[SalesAlert] = []
    with transaction.atomic():
        for kind, start, finding in found:
            kind_of, _, pk = finding.subject.partition(":")
            if SalesAlert.objects.filter(
                company_id=company.pk, kind=kind, subject_key=finding.subject, detected_on=day
            ).exists():
                continue
            try:
                with transaction.atomic():
                    created.append(
                        SalesAlert.objects.create(
                            company_id=company.pk,
                            kind=kind,
                            subject_key=finding.subject,
                            subject_staff_id=int(pk) if kind_of == "staff" else None,
                            subject_customer_id=int(pk) if kind_of == "customer" else None,
                            window_start=start,
                            window_end=now,
                            count=finding.count,
                            threshold=finding.threshold,
                            evidence=[
                                {"ref": e.ref, "at": e.at.isoformat()} for e in finding.evidence
                            ],
                            rule_ids=list(finding.rule_ids),
                            summary_zh=_summary(
                                kind, names.get(finding.subject, finding.subject), finding, settings
                            ),
                            policy_ref=ref,
                            detected_at=now,
                            detected_on=day,
                        )
                    )
            except IntegrityError:  # a parallel run stored it first
                continue
    return created


def alert_detect_all(*, now: dt.datetime | None = None) -> int:
    """The periodic job: run the detector for every company; the number of new alerts."""
    now = now or timezone.now()
    return sum(
        len(alert_detect(company=company, now=now)) for company in Company.objects.order_by("pk")
    )


@transaction.atomic
def alert_acknowledge(*, actor: Staff, alert_id: int, note: str) -> AlertAcknowledgement:
    """A manager writes what was done about an alert (append-only; another note is a new row)."""
    require_alerts(actor)
    note = (note or "").strip()
    if not note:
        raise bad_input("请填写处理说明。", "Write what was done.", "note", area="alert")
    alert = SalesAlert.objects.filter(company_id=actor.company_id, pk=alert_id).first()
    if alert is None:
        raise not_found("预警", "Alert", code="sales.alert.not_found")
    if not actor.active:
        raise permission_denied("处理预警", "handle alerts", "sales.view_sales_alerts", "alert")
    return AlertAcknowledgement.objects.create(
        company_id=actor.company_id, alert=alert, note=note[:2000], by=actor
    )
