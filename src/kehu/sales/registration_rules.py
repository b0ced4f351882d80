"""Pure rules of the books (no Django, no I/O, no clock: time is a parameter).

- A1.1: a registration is due by the end of the visit's local day; one made later is late.
- A7.5 (Reading): a call answered at a colleague's desk belongs to the desk owner.
- A1.4: a customer is "not followed up" when nothing happened for N days (policy).
- Protection period shown while typing (A7.15/A7.16 windows): days since the first registration
  against a window in days (the ownership engine's policy decides the window; until it does, a
  placeholder of 60 days is shown and marked as such).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

RULE_SAME_DAY = "A1.1"
RULE_BOOK = "A1.2"
RULE_PHONE_NOT_IN_BOOK = "A1.3"
RULE_FOLLOW_UP = "A1.4"
RULE_FIRST_WINS = "A1.5"
RULE_IDENTITY = "A7.4"
RULE_PHONE_BOOK = "A7.5"
RULE_BOOK_KEPT = "A7.21"
RULE_MANAGER_RULING = "A7.20"

# Until the ownership engine's policy ("sales") offers the window, matching shows this one.
PROTECTION_PLACEHOLDER_DAYS = 60


def visit_local_day(visited_at: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The visit's day where the sales office is (Asia/Shanghai)."""
    _require_aware(visited_at)
    return visited_at.astimezone(tz).date()


def registration_due_by(visited_at: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A1.1: the registration is due by the end of the visit's local day (the next midnight)."""
    day = visit_local_day(visited_at, tz)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)


def registration_is_late(
    *, visited_at: dt.datetime, recorded_at: dt.datetime, tz: ZoneInfo
) -> bool:
    """A1.1: made after the end of the visit's local day."""
    _require_aware(recorded_at)
    return recorded_at >= registration_due_by(visited_at, tz)


@dataclass(frozen=True)
class CallOwner:
    owner_id: int
    helped_by_id: int | None  # the colleague who answered for the desk owner, if any
    rule_ids: tuple[str, ...]


def phone_call_belongs_to(*, desk_owner_id: int, answered_by_id: int) -> CallOwner:
    """A7.5: a phone customer belongs to the salesperson whose desk phone rang. **Reading:** when
    a colleague answers because the desk owner is busy or away, the colleague is helping: the
    call still belongs to the desk owner."""
    helped = answered_by_id if answered_by_id != desk_owner_id else None
    return CallOwner(owner_id=desk_owner_id, helped_by_id=helped, rule_ids=(RULE_PHONE_BOOK,))


def follow_up_cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """A1.4: customers with no contact since this moment are "not followed up for N days"."""
    _require_aware(now)
    if days < 1:
        raise ValueError("follow-up days must be at least 1")
    return now - dt.timedelta(days=days)


@dataclass(frozen=True)
class Protection:
    first_registered_on: dt.date
    days_since: int
    window_days: int
    placeholder: bool  # True: the window is the placeholder, not a policy value

    @property
    def days_left(self) -> int:
        return max(0, self.window_days - self.days_since)

    @property
    def expired(self) -> bool:
        return self.days_since > self.window_days


def protection(
    *, first_registered_on: dt.date, today: dt.date, window_days: int, placeholder: bool
) -> Protection:
    """Days since the first registration against the protection window."""
    return Protection(
        first_registered_on=first_registered_on,
        days_since=max(0, (today - first_registered_on).days),
        window_days=window_days,
        placeholder=placeholder,
    )


def document_digest(document: Mapping[str, Any]) -> str:
    """SHA-256 of a row's evidence fields as canonical JSON (sorted keys, no whitespace, UTF-8).

    The digest goes into the row's ledger entry, binding the row to the hash chain: a row whose
    fields no longer give the digest its entry holds was changed.
    """
    text = json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
