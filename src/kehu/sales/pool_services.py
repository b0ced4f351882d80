"""The public pool (公客池): the sweep that returns neglected customers, and claims from it.

- ``pool_sweep`` (one transaction per company): every salesperson's customer with no follow-up,
  visit, claim or ownership decision for N days (X7.4) gets an append-only ``PoolReturn`` (the
  owner it had, the last contact, the rule and the policy version) and no owner
  (``customer_owner_set``). Run daily by a Huey job (``kehu.sales.tasks``) and by
  ``manage.py pool_sweep``; the PM can run it from the pool page.
- ``pool_claim`` (one transaction): a salesperson takes a customer from the pool within the daily
  quota (X7.5). Locks, in this order: the claimer's staff row (their claims of the day are
  counted under it), the customer's latest return row, then the customer row. The database backs
  both limits: one claim per return (one-to-one) and one claim per (claimer, day, slot) with
  ``slot ≤ quota`` — two parallel claims cannot exceed the quota even without the locks.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.core.customers.services import customer_owner_set
from kehu.core.org.models import Company, Staff
from kehu.sales import pool_rules as rules
from kehu.sales.channel_errors import not_found, not_in_pool, permission_denied, quota_used
from kehu.sales.channel_selectors import sales_settings
from kehu.sales.models.channel import PoolClaim, PoolReturn
from kehu.sales.pool_selectors import (
    PERM_CLAIM,
    can_oversee,
    last_contact,
    pool_open_return_for_update,
    pool_sweep_candidates,
)
from kehu.sales.registration_selectors import office_tz


def pool_sweep(
    *, company: Company, now: dt.datetime | None = None, run_by: Staff | None = None
) -> list[PoolReturn]:
    """Return every neglected customer of the company's salespeople to the pool (X7.4)."""
    if run_by is not None and (run_by.company_id != company.pk or not can_oversee(run_by)):
        raise permission_denied("执行公客池回收", "run the pool sweep", "sales.manage_channel")
    now = now or timezone.now()
    settings, ref = sales_settings(company, now)
    days = settings.pool_no_follow_up_days
    cutoff = rules.pool_cutoff(now, days=days, tz=office_tz())
    returned: list[PoolReturn] = []
    with transaction.atomic():
        for customer in pool_sweep_candidates(company_id=company.pk, cutoff=cutoff):
            previous = customer.owner
            assert previous is not None  # the candidates have owners
            customer_owner_set(company_id=company.pk, customer_id=customer.pk, owner=None)
            returned.append(
                PoolReturn.objects.create(
                    company_id=company.pk,
                    customer=customer,
                    previous_owner=previous,
                    returned_at=now,
                    last_contact_at=last_contact(customer),
                    days=days,
                    rule_ids=[rules.RULE_RETURN, rules.RULE_FOLLOW_UP],
                    policy_ref=ref,
                    run_by=run_by,
                )
            )
    return returned


def pool_sweep_all(*, now: dt.datetime | None = None) -> int:
    """The periodic job: sweep every company; the number of customers returned."""
    now = now or timezone.now()
    return sum(
        len(pool_sweep(company=company, now=now)) for company in Company.objects.order_by("pk")
    )


@transaction.atomic
def pool_claim(*, actor: Staff, customer_id: int) -> PoolClaim:
    """``actor`` claims a customer from the pool and becomes the owner (X7.5)."""
    if not actor.active or not actor.user.has_perm(PERM_CLAIM):
        raise permission_denied("认领公客", "claim pool customers", PERM_CLAIM, area="pool")
    now = timezone.now()
    Staff.objects.select_for_update().filter(pk=actor.pk).first()
    entry = pool_open_return_for_update(company_id=actor.company_id, customer_id=customer_id)
    if entry is None:
        raise not_found("公客", "Pool customer", code="sales.pool.not_found")
    if PoolClaim.objects.filter(pool_return=entry).exists() or entry.customer.owner_id is not None:
        raise not_in_pool()
    settings, ref = sales_settings(actor.company, now)
    quota = settings.pool_daily_claim_quota
    day = timezone.localdate(now)
    used = PoolClaim.objects.filter(
        company_id=actor.company_id, claimer_id=actor.pk, claim_day=day
    ).count()
    slot = rules.next_claim_slot(used, quota)
    if slot is None:
        raise quota_used(
            quota=quota,
            details={"used": used, "quota": quota, "day": day.isoformat(), "policy_ref": ref},
        )
    try:
        with transaction.atomic():
            claim = PoolClaim.objects.create(
                company_id=actor.company_id,
                pool_return=entry,
                customer_id=customer_id,
                claimer=actor,
                claimed_at=now,
                claim_day=day,
                slot=slot,
                quota=quota,
                policy_ref=ref,
            )
    except IntegrityError:
        # a parallel claim won the race the locks should already have serialised
        if PoolClaim.objects.filter(pool_return=entry).exists():
            raise not_in_pool() from None
        raise quota_used(quota=quota, details={"quota": quota, "day": day.isoformat()}) from None
    customer_owner_set(company_id=actor.company_id, customer_id=customer_id, owner=actor)
    return claim
