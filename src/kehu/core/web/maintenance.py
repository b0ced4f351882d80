"""SQLite's WAL checkpoints, run in the background instead of inside a user's save.

In WAL mode SQLite copies the log back into the database file (a checkpoint) in whichever
connection commits once the log passes ``wal_autocheckpoint`` pages — that is, inside a user's
request. On the registration benchmark's small book the hand-written floor's slowest saves were
those checkpoints (p99 7–10 ms against 1.6 ms without them; docs/performance.md, "Sales office:
registering a visit"). kehu raises the threshold (``SQLITE_WAL_AUTOCHECKPOINT_PAGES``, on every
connection: settings) and the worker checkpoints every minute (``tasks.py``), as PostgreSQL's
own checkpointer does off the request path. ``PASSIVE``: it copies what it can without waiting
for readers or writers. With no worker running, the raised threshold still bounds the log
(≈ 16 MB).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections


@dataclass(frozen=True)
class Checkpoint:
    busy: bool  # a reader or writer kept it from finishing; the next run carries on
    log_frames: int  # frames in the log (-1: not in WAL mode, e.g. an in-memory database)
    checkpointed_frames: int


def wal_checkpoint(cursor: Any) -> Checkpoint:
    """``PRAGMA wal_checkpoint(PASSIVE)`` on an SQLite cursor."""
    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    busy, log_frames, checkpointed = cursor.fetchone()
    return Checkpoint(bool(busy), int(log_frames), int(checkpointed))


def sqlite_checkpoint(using: str = "default") -> Checkpoint | None:
    """Checkpoint the database ``using`` if it is SQLite; None for other databases."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        return wal_checkpoint(cursor)
