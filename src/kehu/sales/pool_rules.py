"""The public pool (公客池): when a customer returns to it, and the daily claim quota.

Pure: no Django, no clock. Beyond the regulations (issue #4 item 7, ``docs/channel-pool.md``):

- **X7.4** A salesperson's customer with no follow-up, visit or claim for N days (policy
  ``pool_no_follow_up_days``, default 30) returns to the pool and has no owner. Days are local
  calendar days and day N is still the salesperson's (the rulebook's window habit): last contact
  on the 1st, N = 30 → kept through the 31st, returned from the 32nd. A1.4 (follow up your own
  customers; losses from weak follow-up are yours) is the clause it builds on.
- **X7.5** A salesperson claims at most Q customers from the pool per local day (policy
  ``pool_daily_claim_quota``, default 5); a customer in the pool is claimed once.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

RULE_RETURN = "X7.4"
RULE_FOLLOW_UP = "A1.4"
RULE_QUOTA = "X7.5"


def pool_cutoff(now: dt.datetime, *, days: int, tz: ZoneInfo) -> dt.datetime:
    """Last contact before this moment returns the customer (X7.4): the local midnight that
    starts day ``days`` before today."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    today = now.astimezone(tz).date()
    return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(0), tzinfo=tz)


def returns_to_pool(
    last_contact: dt.datetime, *, now: dt.datetime, days: int, tz: ZoneInfo
) -> bool:
    return last_contact < pool_cutoff(now, days=days, tz=tz)


def next_claim_slot(claims_today: int, quota: int) -> int | None:
    """The place of the next claim today (1-based), or None when the quota is used up (X7.5)."""
    if claims_today < 0 or quota < 0:
        raise ValueError("counts are not negative")
    return claims_today + 1 if claims_today < quota else None
