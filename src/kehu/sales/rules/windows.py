"""Day windows of Part S (A7.10 7 days, A7.14 30 days, A7.15/A7.16 60 days, A7.16 3 days).

**Reading (edges):** the seed counts in days (天), so the rules count calendar days on the sales
office's wall clock (Asia/Shanghai), not 24-hour periods: the number of days between two
moments is the difference of their local dates (same day = 0). "N天内" (within N days) is
``days ≤ N``; "超过/超出N天" and "N天后" (more than / after N days) is ``days > N``. So the N-th
day itself is still inside every window and day N + 1 is the first day outside:

- A7.10: conflict found on the 7th day after the visit's registration → within (transfer);
  on the 8th → the rotation receiver keeps the customer;
- A7.14: family visit on the 30th day after the anchor → still the first receiver's; 31st → new;
- A7.15: visit on the 60th day after the anchor → still the owner's; 61st → new customer;
- A7.16: conflict found on the 3rd day after the deal → 50/50; 4th → all to the closer;
  deal on the 60th day after the anchor → the original receiver shares; 61st → new customer.

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kehu.sales.rules.messages import RULES_CONTEXT, Day, Msg, Term, define, gettext_noop, msg

define(
    {
        "window.within": gettext_noop(
            "%(start_label)s%(start)s至%(end_label)s%(end)s相隔%(days)s天，未超过%(limit)s天"
        ),
        "window.beyond": gettext_noop(
            "%(start_label)s%(start)s至%(end_label)s%(end)s相隔%(days)s天，超过%(limit)s天"
        ),
    }
)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def require_aware(moment: dt.datetime, what: str = "datetime") -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def local_day(moment: dt.datetime) -> dt.date:
    """The sales office's calendar day of ``moment``."""
    require_aware(moment)
    return moment.astimezone(LOCAL_TZ).date()


def days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Calendar days from ``start``'s local day to ``end``'s (negative when ``end`` is earlier)."""
    return (local_day(end) - local_day(start)).days


@dataclass(frozen=True)
class WindowCheck:
    """One window test with what a person needs to check it by hand."""

    rule_id: str
    start: dt.date
    end: dt.date
    days: int
    limit: int

    @property
    def within(self) -> bool:
        """N天内: ``days ≤ limit`` (the limit-th day is inside)."""
        return self.days <= self.limit

    @property
    def beyond(self) -> bool:
        """超过N天: ``days > limit``."""
        return not self.within

    def text(self, start_label: str, end_label: str) -> Msg:
        """``text_zh`` as a message; the labels are the rules' words (catalogue msgids)."""
        return msg(
            "window.within" if self.within else "window.beyond",
            start_label=Term(start_label, RULES_CONTEXT),
            start=Day(self.start),
            end_label=Term(end_label, RULES_CONTEXT),
            end=Day(self.end),
            days=self.days,
            limit=self.limit,
        )

    def text_zh(self, start_label: str, end_label: str) -> str:
        relation = "未超过" if self.within else "超过"
        return (
            f"{start_label}{_date_zh(self.start)}至{end_label}{_date_zh(self.end)}"
            f"相隔{self.days}天，{relation}{self.limit}天"
        )


def window_check(rule_id: str, start: dt.datetime, end: dt.datetime, limit: int) -> WindowCheck:
    return WindowCheck(
        rule_id=rule_id,
        start=local_day(start),
        end=local_day(end),
        days=days_between(start, end),
        limit=limit,
    )


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
