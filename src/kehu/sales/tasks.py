"""Huey periodic jobs of the sales office: one service call each.

Huey's crontab runs in UTC here (``utc=True``, its default): 18:15 UTC is 02:15 in Asia/Shanghai,
after the day's follow-ups are in.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.sales.alert_services import alert_detect_all
from kehu.sales.pool_services import pool_sweep_all


@db_periodic_task(crontab(minute="15", hour="18"))
def pool_sweep_daily() -> int:
    """Every night: neglected customers return to the public pool (X7.4)."""
    return pool_sweep_all()


@db_periodic_task(crontab(minute="5"))
def alerts_detect_hourly() -> int:
    """Every hour: look for suspicious patterns (X7.6–X7.8)."""
    return alert_detect_all()
