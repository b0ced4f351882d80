"""Pure decisions about policy versions: which version is in force, when a new one starts,
what changed. No Django, no I/O, no clock: the current time is always a parameter.

The rulebook's introduction makes every number a policy default that "a company can change,
with an effective date, without a code change"; these functions are that sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo

# Effective dates are read on the company's wall clock: a version dated 5 May starts at
# 00:00 on 5 May in China, not at 00:00 UTC.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class VersionStamp(Protocol):
    @property
    def version(self) -> int: ...

    @property
    def effective_from(self) -> datetime: ...


V = TypeVar("V", bound=VersionStamp)


def version_in_force(versions: Iterable[V], at: datetime) -> V | None:
    """The version in force at ``at``: the greatest ``effective_from`` not after ``at``;
    among versions starting at the same moment, the highest version number (the later edit)."""
    best: V | None = None
    for candidate in versions:
        if candidate.effective_from > at:
            continue
        if best is None or (candidate.effective_from, candidate.version) > (
            best.effective_from,
            best.version,
        ):
            best = candidate
    return best


def local_midnight(day: date) -> datetime:
    """The moment a date begins in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class EffectiveStart:
    """When a new version starts, or why it may not.

    ``refusal`` is None when the start is acceptable; otherwise ``"backdated"`` or
    ``"naive"``. ``backdated`` is true when the caller explicitly allowed a start in the past.
    """

    moment: datetime
    backdated: bool = False
    refusal: Literal["backdated", "naive"] | None = None


def effective_start(
    requested: date | datetime, *, now: datetime, allow_backdate: bool = False
) -> EffectiveStart:
    """Decide the moment a new version takes effect.

    - A date means local midnight of that date.
    - A start later today than now, or in the future, is kept as asked.
    - A start earlier today is moved to ``now``: a version never reaches back before it was
      made, so "effective today" means "from now on" and this morning's decisions keep the
      meaning they had.
    - A start before today is refused (a backdated policy would change the meaning of past
      decisions) unless ``allow_backdate``: then it is kept and marked ``backdated``.
    """
    if isinstance(requested, datetime):
        if requested.tzinfo is None or requested.utcoffset() is None:
            return EffectiveStart(moment=requested, refusal="naive")
        moment = requested
    else:
        moment = local_midnight(requested)
    if moment >= now:
        return EffectiveStart(moment=moment)
    if allow_backdate:
        return EffectiveStart(moment=moment, backdated=True)
    if local_date(moment) == local_date(now):
        return EffectiveStart(moment=now)
    return EffectiveStart(moment=moment, refusal="backdated")


def values_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Names of the fields whose values differ, in ``new``'s order, then fields only in ``old``."""
    names: list[str] = [name for name in new if name not in old or old[name] != new[name]]
    names.extend(name for name in old if name not in new)
    return names


def next_version_number(current_max: int | None) -> int:
    """Versions are numbered 1, 2, … per company and key."""
    return (current_max or 0) + 1
