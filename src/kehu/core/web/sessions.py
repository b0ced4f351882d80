"""Django's database sessions, read by a plain statement.

Every request of a logged-in browser reads its session first; Django's ``db`` store builds that
look-up with the ORM, ≈ 1 ms on the benchmark machine (docs/performance.md, "Sales office:
registering a visit"). This store is Django's own in every other respect (``SESSION_ENGINE``
documents subclassing ``SessionStore``); the table, the cookie and the expiry are unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.utils import timezone

from kehu.core import rawsql


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        found = rawsql.select(
            self.model,
            "session_key = %s AND expire_date > %s",
            [self.session_key, timezone.now()],
        )
        if not found:
            self._session_key = None  # as Django's: an unknown or expired key starts afresh
            return None
        return found[0]
