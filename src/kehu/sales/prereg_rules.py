"""Validity of a pre-registered introduction (A7.10). Pure: no Django, no I/O, no clock.

A7.10: the salesperson of an old customer registers the introduction before the introduced
person visits. When the person visits and asks for nobody, rotation receives; if within 7 days
(policy ``referral_valid_days``) after *that visit's registration* a salesperson finds the
conflict and the identity keys match (A7.4), the customer goes to the pre-registering
salesperson; after that the rotation receiver keeps them.

So a pre-registration has no clock of its own until the person visits:

- ``waiting``  — no visit of the introduced person since the pre-registration: it stays valid;
- ``open``     — they visited and were registered; the conflict can still be raised up to and
  including the 7th calendar day after the registration (days as in ``rules.windows``);
- ``expired``  — the 8th day or later: the rotation receiver keeps the customer (A7.10);
- ``late``     — the visit came *before* the pre-registration: not a pre-registration for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from kehu.sales.rules import days_between, local_day

A7_10 = "A7.10"


class PreregState(StrEnum):
    WAITING = "waiting"
    OPEN = "open"
    EXPIRED = "expired"
    LATE = "late"


PREREG_STATE_LABELS_ZH: dict[PreregState, str] = {
    PreregState.WAITING: "等待来访",
    PreregState.OPEN: "已来访，有效期内",
    PreregState.EXPIRED: "已过有效期",
    PreregState.LATE: "来访在预先登记之前",
}


@dataclass(frozen=True)
class PreregValidity:
    state: PreregState
    last_day: dt.date | None  # the last local day the conflict may be raised (OPEN/EXPIRED)
    days_left: int | None  # days from today to ``last_day`` (OPEN), else None
    explanation_zh: str
    rule_ids: tuple[str, ...] = (A7_10,)

    @property
    def valid(self) -> bool:
        return self.state in (PreregState.WAITING, PreregState.OPEN)


def _day_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def prereg_validity(
    *,
    preregistered_at: dt.datetime,
    visit_registered_at: dt.datetime | None,
    visit_arrived_at: dt.datetime | None,
    now: dt.datetime,
    valid_days: int = 7,
) -> PreregValidity:
    """Where a pre-registration stands at ``now`` (A7.10), given the introduced person's first
    registered visit since it (or ``None``)."""
    if valid_days < 0:
        raise ValueError("referral_valid_days is not negative")
    if visit_registered_at is None:
        return PreregValidity(
            PreregState.WAITING,
            None,
            None,
            f"被介绍人尚未来访登记，预先登记有效；来访登记后{valid_days}天内发现即可认定（A7.10）",
        )
    arrived = visit_arrived_at or visit_registered_at
    if arrived <= preregistered_at:
        return PreregValidity(
            PreregState.LATE,
            None,
            None,
            "被介绍人来访在预先登记之前，不是来访前的预先登记，不予考虑（A7.10）",
        )
    last_day = local_day(visit_registered_at) + dt.timedelta(days=valid_days)
    days = days_between(visit_registered_at, now)
    registered = _day_zh(local_day(visit_registered_at))
    if days <= valid_days:
        left = (last_day - local_day(now)).days
        return PreregValidity(
            PreregState.OPEN,
            last_day,
            left,
            f"被介绍人已于{registered}来访登记，{_day_zh(last_day)}前（含当日）发现冲突"
            f"并核实身份要素相符，可移交预先登记的售楼员（A7.10）",
        )
    return PreregValidity(
        PreregState.EXPIRED,
        last_day,
        None,
        f"被介绍人已于{registered}来访登记，至今相隔{days}天，超过{valid_days}天，"
        "已过有效期，客户仍归轮排接待的售楼员（A7.10）",
    )
