"""Channel reports (渠道报备): protection periods and the "visit decides" (到访为王) switch.

Pure: no Django, no clock (``now`` is a parameter). Beyond the regulations — the seed is silent
on channel agents; the product's rules are numbered ``X7.*`` (issue #4 item 7,
``docs/channel-pool.md``):

- **X7.1** A report protects the agent's customer for a period from the moment it was made
  (policy ``channel_protection_amount`` + ``channel_protection_unit``; default 72 hours). In
  hours the period ends exactly that many hours later (hour 71 protected, hour 72 not); in days
  the report's local day is day 0 and day N is still protected (the rulebook's window habit).
- **X7.2** While a report protects, a report of the same phone by anyone is refused; a phone
  already in the office's registration book is refused too (the office already has the customer).
- **X7.3** Visit decides (``channel_visit_decides``): *on* — the agent keeps the customer only if
  the customer visits within the period; the visit confirms the report and it holds from then on;
  without a visit it lapses at the end of the period. *Off* — the report itself protects for the
  period, visit or not, and expires at its end (a visit is recorded all the same).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

RULE_PROTECTION = "X7.1"
RULE_DUPLICATE = "X7.2"
RULE_VISIT_DECIDES = "X7.3"


class ProtectionUnit(StrEnum):
    HOURS = "hours"
    DAYS = "days"


class ReportStatus(StrEnum):
    PROTECTED = "protected"  # within the period
    CONFIRMED = "confirmed"  # visit decides: visited in time, holds
    LAPSED = "lapsed"  # visit decides: no visit within the period
    EXPIRED = "expired"  # report protects: the period is over


STATUS_LABELS: dict[ReportStatus, str] = {
    ReportStatus.PROTECTED: "保护中",
    ReportStatus.CONFIRMED: "到访已确认",
    ReportStatus.LAPSED: "未到访失效",
    ReportStatus.EXPIRED: "保护期已过",
}


def protected_until(
    reported_at: dt.datetime, *, amount: int, unit: ProtectionUnit | str, tz: ZoneInfo
) -> dt.datetime:
    """The first moment the report no longer protects (X7.1)."""
    if reported_at.tzinfo is None:
        raise ValueError("reported_at must be aware")
    if amount < 1:
        raise ValueError("a protection period is at least 1")
    if ProtectionUnit(unit) is ProtectionUnit.HOURS:
        return reported_at + dt.timedelta(hours=amount)
    day0 = reported_at.astimezone(tz).date()
    end_day = day0 + dt.timedelta(days=amount + 1)
    return dt.datetime.combine(end_day, dt.time(0), tzinfo=tz)


def visit_in_time(*, reported_at: dt.datetime, until: dt.datetime, visited_at: dt.datetime) -> bool:
    """A visit counts for a report when it falls within the report's period (X7.3)."""
    return reported_at <= visited_at < until


@dataclass(frozen=True)
class ReportState:
    status: ReportStatus
    holds: bool  # the agent holds the customer now (a new report of the phone is refused)
    remaining: dt.timedelta | None  # protection left, while it counts down
    visited_at: dt.datetime | None
    rule_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def report_state(
    *,
    reported_at: dt.datetime,
    until: dt.datetime,
    visit_decides: bool,
    visited_at: dt.datetime | None,
    now: dt.datetime,
) -> ReportState:
    """Where a report stands at ``now`` (X7.1, X7.3). ``visited_at``: the confirming visit."""
    if visited_at is not None and not visit_in_time(
        reported_at=reported_at, until=until, visited_at=visited_at
    ):
        visited_at = None
    rules: tuple[str, ...]
    if visit_decides:
        rules = (RULE_PROTECTION, RULE_VISIT_DECIDES)
        if visited_at is not None and visited_at <= now:
            return ReportState(ReportStatus.CONFIRMED, True, None, visited_at, rules)
        if now < until:
            return ReportState(ReportStatus.PROTECTED, True, until - now, None, rules)
        return ReportState(ReportStatus.LAPSED, False, None, None, rules)
    rules = (RULE_PROTECTION,)
    if now < until:
        return ReportState(ReportStatus.PROTECTED, True, until - now, visited_at, rules)
    return ReportState(ReportStatus.EXPIRED, False, None, visited_at, rules)


def remaining_text(remaining: dt.timedelta | None) -> str:
    """``2天5小时``, ``5小时12分``, ``12分`` — the countdown as the desk reads it."""
    if remaining is None:
        return ""
    minutes = max(int(remaining.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分"
    return f"{mins}分"
