"""The official China calendar (State Council holidays and 调休 adjusted working days), from the
``chinesecalendar`` package. Pure data look-ups: no Django, no I/O.

``chinesecalendar`` ships one table per year the State Council has announced; for any other year
``chinese_calendar.is_workday`` raises ``NotImplementedError``. We never guess: such a date raises
``rules.YearNotCovered`` and the caller decides (a company override for the date, or an upgrade).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import chinese_calendar
from chinese_calendar import Holiday

from kehu.core.calendar.rules import DayKind, DayStatus, YearNotCovered

SOURCE_NAME = f"chinesecalendar {chinese_calendar.__version__}"

_HOLIDAY_ZH = {holiday.value: holiday.chinese for holiday in Holiday}


@cache
def covered_years() -> tuple[int, ...]:
    """The years the installed ``chinesecalendar`` has official data for, in order."""
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return tuple(sorted(years))


def is_covered(year: int) -> bool:
    return year in covered_years()


def official_day_status(day: date) -> DayStatus:
    """The official answer for ``day``; raises ``YearNotCovered`` outside the data's years."""
    if not is_covered(day.year):
        raise YearNotCovered(day, covered_years(), SOURCE_NAME)
    try:
        working = chinese_calendar.is_workday(day)
    except NotImplementedError:  # the package's own range check; same meaning as ours
        raise YearNotCovered(day, covered_years(), SOURCE_NAME) from None
    if day in chinese_calendar.workdays:
        name_en = chinese_calendar.workdays[day]
        return DayStatus(day, working, DayKind.ADJUSTED_WORKDAY, _zh(name_en), name_en)
    if day in chinese_calendar.holidays:
        name_en = chinese_calendar.holidays[day]
        return DayStatus(day, working, DayKind.HOLIDAY, _zh(name_en), name_en)
    return DayStatus(day, working, DayKind.WORKDAY if working else DayKind.WEEKEND)


def _zh(name_en: str) -> str:
    return _HOLIDAY_ZH.get(name_en, name_en)
