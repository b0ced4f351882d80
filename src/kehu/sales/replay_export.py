"""``kehu rules sales --export``: the stored ownership decisions of a period as a replay input.

Every live ``OwnershipDecision`` keeps the facts it was decided from as one case of the replay
format (``facts``). An export writes, for one company (and optionally one site) and a range of
local days (Asia/Shanghai, both ends included), each stored decision as a case:

- ``id``: ``decision:<pk>`` (a visit may have several decisions: a ruling, a deal, a conflict
  found later each supersede the earlier one, and each is replayed on its own facts);
- ``policy``: the reference of the sales policy the decision used (``sales@v3``), whose values
  are in the file's ``policies``: the replay uses exactly what the live app used;
- ``stored``: the decision as stored, for ``kehu rules sales --input FILE --compare``.

The file's ``names`` are the salespeople's names today; ``source`` says where the file came from
and which decisions were skipped (stored before decisions kept their facts). Reading the
decisions is an export of evidence: it is audited (``AuditAction.EXPORT``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.errors import KehuError
from kehu.core.org.models import Company, Site, Staff
from kehu.core.policy.errors import PolicyKeyUnknown, PolicyVersionNotFound
from kehu.core.policy.selectors import policy_at_version
from kehu.sales.models.reception import OwnershipDecision
from kehu.sales.rules import LOCAL_TZ

EXPORT_BAD_OPTIONS = "sales.replay_export_bad_options"
EXPORT_NOT_FOUND = "sales.replay_export_not_found"
POLICY_KEY = "sales"
_VERSION_REF = re.compile(r"^sales@v(\d+)$")
# Fields of a case (at any depth) that hold a salesperson's id.
_STAFF_FIELDS = frozenset(
    {"receiver", "named", "helpers", "came_for", "holder", "found_by", "closer", "ruled_by"}
)


class ReplayExportError(KehuError):
    """``--export`` was given options it cannot use (codes ``sales.replay_export_*``)."""


def _bad(message_zh: str, message_en: str, **details: Any) -> ReplayExportError:
    return ReplayExportError(
        EXPORT_BAD_OPTIONS, message_zh, message_en, status=422, details=details
    )


def _not_found(message_zh: str, message_en: str, **details: Any) -> ReplayExportError:
    return ReplayExportError(EXPORT_NOT_FOUND, message_zh, message_en, status=404, details=details)


def _day(value: str | None, option: str) -> dt.date:
    if not value:
        raise _bad(f"请给出 {option} 日期（YYYY-MM-DD）。", f"Give {option} (YYYY-MM-DD).")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _bad(
            f"{option} 的日期“{value}”无效，应为 YYYY-MM-DD。",
            f"{option} {value!r} is not a date (YYYY-MM-DD).",
            option=option,
        ) from None


def _company(code: str | None) -> Company:
    if not code:
        raise _bad("请用 --company 给出公司代码。", "Give the company code with --company.")
    company = Company.objects.filter(code=code).first()
    if company is None:
        raise _not_found(f"找不到代码为“{code}”的公司。", f"No company with code {code!r}.")
    return company


def _site(company: Company, ref: str | None) -> Site | None:
    if not ref:
        return None
    sites = Site.objects.filter(company=company)
    site = sites.filter(pk=int(ref)).first() if ref.isdigit() else sites.filter(name=ref).first()
    if site is None:
        raise _not_found(
            f"{company.name}没有项目“{ref}”。", f"{company.code} has no site {ref!r}.", site=ref
        )
    return site


def _policy_values(company: Company, ref: str) -> dict[str, Any]:
    """The values of the sales policy a decision recorded as ``ref``: a stored version
    (``sales@v3``), or the defaults the company starts from (``sales@default``,
    ``sales@profile:<kind>``)."""
    found = _VERSION_REF.match(ref)
    version = int(found.group(1)) if found else 0
    try:
        resolved = policy_at_version(company=company, key=POLICY_KEY, version=version)
    except (PolicyKeyUnknown, PolicyVersionNotFound):
        raise _not_found(
            f"找不到决定所用的规则设置 {ref}。",
            f"The policy {ref} a decision used is not found.",
            policy=ref,
        ) from None
    return resolved.snapshot()


def _staff_ids(value: Any, into: set[str]) -> None:
    """Collect the salesperson ids a case mentions (``_STAFF_FIELDS`` and owners' ids)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _STAFF_FIELDS or key == "salesperson":
                if isinstance(item, str) and item:
                    into.add(item)
                elif isinstance(item, list):
                    into.update(i for i in item if isinstance(i, str) and i)
            _staff_ids(item, into)
    elif isinstance(value, list):
        for item in value:
            _staff_ids(item, into)


def _names(company: Company, cases: Iterable[dict[str, Any]]) -> dict[str, str]:
    ids: set[str] = set()
    for case in cases:
        _staff_ids(case, ids)
    numeric = sorted(int(i) for i in ids if i.isdigit())
    rows = Staff.objects.filter(company=company, pk__in=numeric).values_list("pk", "name")
    return {str(pk): name for pk, name in sorted(rows)}


def decisions_export(
    *, company: Company, site: Site | None, first_day: dt.date, last_day: dt.date
) -> dict[str, Any]:
    """The decisions ``company`` stored from ``first_day`` to ``last_day`` (local days, both
    included; ``site``: only that site's visits), oldest first, as a replay input."""
    if last_day < first_day:
        raise _bad(
            f"截止日期 {last_day} 早于起始日期 {first_day}。",
            f"--to {last_day} is before --from {first_day}.",
        )
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    rows = OwnershipDecision.objects.filter(
        company=company, decided_at__gte=start, decided_at__lt=end
    )
    if site is not None:
        rows = rows.filter(visit__site=site)
    cases: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    policies: dict[str, dict[str, Any]] = {}
    for decision in rows.order_by("decided_at", "pk"):
        if not decision.facts:
            skipped.append(
                {
                    "decision_id": decision.pk,
                    "reason_zh": "该决定保存时尚未记录依据的事实",
                    "reason_en": "stored before decisions kept their facts",
                }
            )
            continue
        if decision.policy_ref not in policies:
            policies[decision.policy_ref] = _policy_values(company, decision.policy_ref)
        cases.append(
            {
                **decision.facts,
                "id": f"decision:{decision.pk}",
                "policy": decision.policy_ref,
                "stored": decision.detail,
            }
        )
    source = {
        "company": company.code,
        "site": site.pk if site is not None else None,
        "site_name": site.name if site is not None else None,
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "exported_at": timezone.now().astimezone(LOCAL_TZ).isoformat(),
        "decisions": len(cases),
        "skipped": skipped,
    }
    return {
        "policies": policies,
        "names": _names(company, cases),
        "source": source,
        "cases": cases,
    }


@transaction.atomic
def decisions_export_audited(
    *, company: Company, site: Site | None, first_day: dt.date, last_day: dt.date
) -> dict[str, Any]:
    """``decisions_export`` with its audit event (an export of evidence), in one transaction."""
    exported = decisions_export(company=company, site=site, first_day=first_day, last_day=last_day)
    audit_record(
        action=AuditAction.EXPORT,
        company=company,
        actor_label="kehu rules sales --export",
        object_type="sales.ownershipdecision",
        detail={
            "site": site.pk if site is not None else None,
            "from": first_day.isoformat(),
            "to": last_day.isoformat(),
            "decisions": len(exported["cases"]),
        },
    )
    return exported


def export_from_options(options: dict[str, Any]) -> dict[str, Any]:
    """The command's options (``--company``, ``--site``, ``--from``, ``--to`` defaulting to
    ``--from``) → the export."""
    company = _company(options.get("company"))
    site = _site(company, options.get("site"))
    first_day = _day(options.get("date_from"), "--from")
    last = options.get("date_to")
    last_day = _day(last, "--to") if last else first_day
    return decisions_export_audited(
        company=company, site=site, first_day=first_day, last_day=last_day
    )
