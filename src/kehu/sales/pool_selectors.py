"""Reads of the public pool (公客池): the customers in it, today's claims against the quota, the
history of returns and claims, and the sweep's candidates.

The sweep's query walks the company's owned customers by the ``(company, owner, …)`` index and
asks, per customer, indexed ``EXISTS`` questions of the follow-ups ``(company, customer, at)``,
the registration lines ``(company, customer, visited_at)``, the pool claims
``(company, customer, claimed_at)`` and the ownership decisions (``customer``): its cost grows
with the customers owned, not with the history behind them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.customers.rules import mask_phone
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.sales.channel_errors import permission_denied
from kehu.sales.channel_selectors import PERM_MANAGE, sales_settings
from kehu.sales.models.channel import PoolClaim, PoolReturn
from kehu.sales.models.reception import OwnershipDecision
from kehu.sales.models.registration import FollowUp, Registration

PERM_CLAIM = "sales.claim_pool_customer"
PERM_ALERTS = "sales.view_sales_alerts"
SWEPT_POSTS = (Post.SALESPERSON,)


def can_claim(staff: Staff) -> bool:
    return staff_has_perm(staff, PERM_CLAIM)


def can_oversee(staff: Staff) -> bool:
    """Run the sweep by hand and read the pool's history: the PM and the sales manager."""
    return staff_has_perm(staff, PERM_MANAGE)


def require_pool_reader(staff: Staff) -> None:
    if not (can_claim(staff) or can_oversee(staff)):
        raise permission_denied("查看公客池", "read the public pool", PERM_CLAIM, area="pool")


def _recent(model: type, moment_field: str, cutoff: dt.datetime) -> QuerySet:  # type: ignore[type-arg]
    return model.objects.filter(  # type: ignore[attr-defined, no-any-return]
        company_id=OuterRef("company_id"),
        customer_id=OuterRef("pk"),
        **{f"{moment_field}__gte": cutoff},
    )


def _latest(model: type, moment_field: str) -> Subquery:
    return Subquery(
        model.objects.filter(  # type: ignore[attr-defined]
            company_id=OuterRef("company_id"), customer_id=OuterRef("pk")
        )
        .order_by(f"-{moment_field}")
        .values(moment_field)[:1]
    )


def pool_sweep_candidates(*, company_id: int, cutoff: dt.datetime) -> QuerySet[Customer]:
    """Salespeople's customers with no follow-up, visit, claim or ownership decision since
    ``cutoff`` (X7.4), each annotated with its latest such moment (``last_*``)."""
    decisions = OwnershipDecision.objects.filter(customer_id=OuterRef("pk"), decided_at__gte=cutoff)
    return (
        Customer.objects.filter(
            company_id=company_id,
            owner__isnull=False,
            owner__post__in=SWEPT_POSTS,
            created_at__lt=cutoff,
        )
        .filter(
            ~Exists(_recent(FollowUp, "at", cutoff)),
            ~Exists(_recent(Registration, "visited_at", cutoff)),
            ~Exists(_recent(PoolClaim, "claimed_at", cutoff)),
            ~Exists(decisions),
        )
        .annotate(
            last_follow_up=_latest(FollowUp, "at"),
            last_visit=_latest(Registration, "visited_at"),
            last_claim=_latest(PoolClaim, "claimed_at"),
        )
        .order_by("pk")
    )


def last_contact(customer: Customer) -> dt.datetime:
    moments = [
        getattr(customer, name, None) for name in ("last_follow_up", "last_visit", "last_claim")
    ]
    return max([m for m in moments if m is not None] + [customer.created_at])


@dataclass(frozen=True)
class PoolRow:
    entry: PoolReturn
    phone_masked: str


def _open_returns(company_id: int) -> QuerySet[PoolReturn]:
    later = PoolReturn.objects.filter(
        company_id=OuterRef("company_id"),
        customer_id=OuterRef("customer_id"),
        returned_at__gt=OuterRef("returned_at"),
    )
    return PoolReturn.objects.filter(
        company_id=company_id, claim__isnull=True, customer__owner__isnull=True
    ).filter(~Exists(later))


def pool_customers_for_user(staff: Staff) -> list[PoolRow]:
    """The customers in the pool, latest returns first, with a masked phone each."""
    require_pool_reader(staff)
    entries = list(
        _open_returns(staff.company_id)
        .select_related("customer", "previous_owner")
        .order_by("-returned_at", "-pk")[:500]
    )
    phones: dict[int, str] = {}
    for customer_id, e164 in (
        CustomerPhone.objects.filter(customer_id__in=[e.customer_id for e in entries])
        .order_by("id")
        .values_list("customer_id", "e164")
    ):
        phones.setdefault(customer_id, e164)
    return [PoolRow(e, mask_phone(phones.get(e.customer_id, ""))) for e in entries]


def pool_open_return_for_update(*, company_id: int, customer_id: int) -> PoolReturn | None:
    """The customer's latest return, locked; None if the customer never went to the pool."""
    return (
        PoolReturn.objects.select_for_update()
        .filter(company_id=company_id, customer_id=customer_id)
        .order_by("-returned_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ClaimQuota:
    day: dt.date
    used: int
    quota: int
    policy_ref: str

    @property
    def left(self) -> int:
        return max(self.quota - self.used, 0)


def pool_quota_for(staff: Staff, *, now: dt.datetime | None = None) -> ClaimQuota:
    now = now or timezone.now()
    settings, ref = sales_settings(staff.company, now)
    day = timezone.localdate(now)
    used = PoolClaim.objects.filter(
        company_id=staff.company_id, claimer_id=staff.pk, claim_day=day
    ).count()
    return ClaimQuota(day, used, settings.pool_daily_claim_quota, ref)


def pool_history_for_user(
    staff: Staff, *, limit: int = 100
) -> tuple[list[PoolReturn], list[PoolClaim]]:
    """The latest returns (with their claims) and claims, for the PM and the sales manager."""
    if not (can_oversee(staff) or staff_has_perm(staff, PERM_ALERTS)):
        raise permission_denied("查看公客池记录", "read the pool's history", PERM_MANAGE, "pool")
    returns = list(
        PoolReturn.objects.filter(company_id=staff.company_id)
        .select_related("customer", "previous_owner", "run_by", "claim", "claim__claimer")
        .order_by("-returned_at", "-pk")[:limit]
    )
    claims = list(
        PoolClaim.objects.filter(company_id=staff.company_id)
        .select_related("customer", "claimer", "pool_return")
        .order_by("-claimed_at", "-pk")[:limit]
    )
    return returns, claims


def my_claims_today(staff: Staff, *, now: dt.datetime | None = None) -> QuerySet[PoolClaim]:
    day = timezone.localdate(now or timezone.now())
    return (
        PoolClaim.objects.filter(company_id=staff.company_id, claimer_id=staff.pk, claim_day=day)
        .select_related("customer")
        .order_by("slot")
    )


def owned_by_salespeople(company_id: int) -> Q:
    return Q(company_id=company_id, owner__post__in=SWEPT_POSTS)
