"""Huey periodic jobs of the complaints app: one service call each."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.complaints.services import complaint_sweep_all


@db_periodic_task(crontab(minute="*"))
def complaints_sweep_every_minute() -> int:
    """Every minute: warnings, breaches, escalations and A8.2 fines of the open complaints that
    need a look (the partial index keeps this cheap however many are closed)."""
    return complaint_sweep_all().looked_at
