"""Huey periodic jobs of the platform: one service call each."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.core.web.maintenance import sqlite_checkpoint


@db_periodic_task(crontab(minute="*"))
def sqlite_checkpoint_every_minute() -> bool:
    """Every minute, on SQLite: copy the write-ahead log into the database file, so that no
    user's save has to (docs/performance.md). Nothing on PostgreSQL."""
    return sqlite_checkpoint() is not None
