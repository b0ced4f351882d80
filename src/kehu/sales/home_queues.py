"""Home-page counters of the front line's sales queues (keys in ``kehu.core.web.queues``):
today's receptions of a salesperson, today's visitors and the receptions in progress at the
front desk's office."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from kehu.core.org.models import Staff
from kehu.core.web.queues import queue_counter
from kehu.sales.models.reception import Visit
from kehu.sales.rules import LOCAL_TZ


def _today_visits(staff: Staff) -> QuerySet[Visit]:
    start = dt.datetime.combine(timezone.localdate(timezone=LOCAL_TZ), dt.time(), tzinfo=LOCAL_TZ)
    rows = Visit.objects.filter(company_id=staff.company_id, arrived_at__gte=start)
    if staff.site_id is not None:
        rows = rows.filter(site_id=staff.site_id)
    return rows


@queue_counter("sales.today_receptions")
def count_today_receptions(staff: Staff) -> int:
    """The salesperson's receptions today (A2.12: who receives, registers)."""
    start = dt.datetime.combine(timezone.localdate(timezone=LOCAL_TZ), dt.time(), tzinfo=LOCAL_TZ)
    return Visit.objects.filter(
        company_id=staff.company_id, receiver=staff, arrived_at__gte=start
    ).count()


@queue_counter("sales.today_visitors")
def count_today_visitors(staff: Staff) -> int:
    return _today_visits(staff).count()


@queue_counter("sales.rotation")
def count_receptions_in_progress(staff: Staff) -> int:
    """Receptions not yet ended today: those salespeople cannot be given another (A2.5)."""
    return _today_visits(staff).filter(ended_at__isnull=True).count()
