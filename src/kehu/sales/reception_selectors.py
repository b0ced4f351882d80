"""Reads of the reception flow, filtered by the caller's company (another company: 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from kehu.core.customers.selectors import customers_visible_to
from kehu.core.org.models import Staff
from kehu.sales.models.reception import OwnershipDecision, Visit
from kehu.sales.reception_services import ReceptionError, visit_not_found


def visit_get_for_user(*, staff: Staff, visit_id: int) -> Visit:
    visit = (
        Visit.objects.select_related("receiver", "named", "site")
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
