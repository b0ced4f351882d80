"""Deadline arithmetic: when is something due? (rulebook Part C, **A3 reading (clock)**.)

Pure: no Django, no I/O, no clock. The start time is a parameter and whether a date is a
working day is answered by a ``DayStatusLookup`` passed in (see ``official.py`` for the
State Council calendar and ``company_day_status`` for company overrides and declared years on
top of it).

Counting rule (the same text is in ``docs/calendar.md``):

* All local dates and times are Asia/Shanghai. The *start day* is the local date of ``start``.
* ``hour`` N — exactly N elapsed clock hours after ``start``. Hours run straight through
  nights, weekends and holidays; nothing pauses.
* ``day`` N — the start day is not counted; the deadline is the end of the Nth calendar day
  after the start day (weekends and holidays count like any other day).
* ``workday`` N — the start day is not counted (whether or not it is a working day); walk the
  dates after the start day, counting only working days (ordinary Monday–Friday, adjusted
  working days 调休上班 and company working days; skipping weekends, official holidays and
  company days off); the deadline is the end of the Nth working day counted.
* ``sameday`` — the end of the start day. The amount must be 0 or 1 (both mean "the same day").
* "End of a day" is 23:59:59.999999 local time on that day, inclusive: a deadline is met by
  anything done at or before ``due_at`` and missed after it (``now > due_at``).
* Amounts are whole numbers: 1 or more for ``hour``/``day``/``workday`` (at most
  ``MAX_AMOUNT[unit]``).
* Whether a date is a working day, in order: the company's override for that date; the official
  calendar, if its data covers the year; the ordinary week (Monday–Friday work, Saturday and
  Sunday off) if the company has *declared* that year (it has entered the year's official
  holidays and adjusted working days as overrides); otherwise ``YearNotCovered`` — never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

LOCAL_TZ_NAME = "Asia/Shanghai"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)
# The rulebook has no clause number for the deadline reading; this is its row in docs/features.md.
RULE_ID = "A3 reading (clock)"
END_OF_DAY = time(23, 59, 59, 999999)


class Unit(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WORKDAY = "workday"
    SAMEDAY = "sameday"


UNIT_LABELS: dict[Unit, tuple[str, str]] = {
    Unit.HOUR: ("小时（钟点）", "clock hours"),
    Unit.DAY: ("自然日", "calendar days"),
    Unit.WORKDAY: ("工作日", "working days"),
    Unit.SAMEDAY: ("当日", "same day"),
}

MIN_AMOUNT: dict[Unit, int] = {Unit.HOUR: 1, Unit.DAY: 1, Unit.WORKDAY: 1, Unit.SAMEDAY: 0}
# Upper bounds keep one request from walking decades of dates: about ten years each.
MAX_AMOUNT: dict[Unit, int] = {
    Unit.HOUR: 24 * 3660,
    Unit.DAY: 3660,
    Unit.WORKDAY: 2500,
    Unit.SAMEDAY: 1,
}


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    ADJUSTED_WORKDAY = "adjusted_workday"
    COMPANY_HOLIDAY = "company_holiday"
    COMPANY_WORKDAY = "company_workday"
    # The ordinary week in a year the official data lacks but the company has declared.
    DECLARED_WORKDAY = "declared_workday"
    DECLARED_WEEKEND = "declared_weekend"


DAY_KIND_LABELS: dict[DayKind, tuple[str, str]] = {
    DayKind.WORKDAY: ("工作日", "working day"),
    DayKind.WEEKEND: ("周末", "weekend"),
    DayKind.HOLIDAY: ("法定节假日", "public holiday"),
    DayKind.ADJUSTED_WORKDAY: ("调休上班", "adjusted working day"),
    DayKind.COMPANY_HOLIDAY: ("公司休息日", "company day off"),
    DayKind.COMPANY_WORKDAY: ("公司上班日", "company working day"),
    DayKind.DECLARED_WORKDAY: ("普通工作日", "ordinary working day"),
    DayKind.DECLARED_WEEKEND: ("周末", "weekend"),
}


# --- errors (plain exceptions; errors.py turns them into KehuErrors with both languages) -------
class CalendarRuleError(Exception):
    """A deadline cannot be computed from these facts."""


class UnknownUnit(CalendarRuleError):
    def __init__(self, unit: object) -> None:
        super().__init__(f"unknown deadline unit {unit!r}")
        self.unit = unit


class BadAmount(CalendarRuleError):
    def __init__(self, unit: Unit, amount: object) -> None:
        super().__init__(
            f"amount {amount!r} is not allowed for unit {unit}: "
            f"a whole number from {MIN_AMOUNT[unit]} to {MAX_AMOUNT[unit]}"
        )
        self.unit = unit
        self.amount = amount
        self.minimum = MIN_AMOUNT[unit]
        self.maximum = MAX_AMOUNT[unit]


class NaiveStart(CalendarRuleError):
    def __init__(self, start: datetime) -> None:
        super().__init__(f"start {start.isoformat()} has no time zone")
        self.start = start


class UnreadableStart(CalendarRuleError):
    def __init__(self, text: str) -> None:
        super().__init__(f"cannot read start time {text!r}")
        self.text = text


class YearNotCovered(CalendarRuleError):
    """The official calendar has no data for this date's year and nothing overrides the date."""

    def __init__(self, day: date, covered_years: tuple[int, ...], source: str) -> None:
        first, last = (covered_years[0], covered_years[-1]) if covered_years else (0, 0)
        super().__init__(
            f"{day.isoformat()}: year {day.year} is not covered by {source} "
            f"(covers {first}-{last}), no company override exists for that date and the "
            f"company has not declared its {day.year} arrangement"
        )
        self.day = day
        self.year = day.year
        self.covered_years = covered_years
        self.source = source


# --- days -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayStatus:
    """Whether people work on ``day`` and why. ``name_*`` names the holiday or the reason."""

    day: date
    is_working_day: bool
    kind: DayKind
    name_zh: str = ""
    name_en: str = ""

    @property
    def label_zh(self) -> str:
        return DAY_KIND_LABELS[self.kind][0]

    @property
    def label_en(self) -> str:
        return DAY_KIND_LABELS[self.kind][1]


DayStatusLookup = Callable[[date], DayStatus]


@dataclass(frozen=True)
class CompanyDay:
    """A company's own decision for one date; it takes precedence over the official calendar."""

    day: date
    is_working_day: bool
    reason: str = ""


def weekday_status(day: date) -> DayStatus:
    """Monday–Friday work, Saturday and Sunday off: the base the official calendar adjusts."""
    if day.weekday() >= 5:
        return DayStatus(day, False, DayKind.WEEKEND)
    return DayStatus(day, True, DayKind.WORKDAY)


def declared_year_status(day: date) -> DayStatus:
    """The ordinary week in a year the company has declared complete: its overrides carry that
    year's official holidays and adjusted working days, every other date is Monday–Friday work,
    Saturday/Sunday off. The name says so, so that no answer looks official when it is not."""
    name_zh = f"公司已声明{day.year}年安排"
    name_en = f"company declared its {day.year} arrangement"
    if day.weekday() >= 5:
        return DayStatus(day, False, DayKind.DECLARED_WEEKEND, name_zh, name_en)
    return DayStatus(day, True, DayKind.DECLARED_WORKDAY, name_zh, name_en)


def company_day_status(
    day: date,
    *,
    official: DayStatusLookup,
    override: CompanyDay | None,
    declared_years: Container[int] = frozenset(),
) -> DayStatus:
    """Whether the company works on ``day``, in order of precedence:

    1. the company's override for ``day``;
    2. the official calendar, when its data covers the year;
    3. the ordinary week (``declared_year_status``) when ``day.year`` is in ``declared_years``;
    4. otherwise ``YearNotCovered`` is raised.

    ``declared_years`` is only consulted for a date the official data does not cover, so a
    caller may pass a container that reads the declarations lazily."""
    if override is not None:
        kind = DayKind.COMPANY_WORKDAY if override.is_working_day else DayKind.COMPANY_HOLIDAY
        return DayStatus(day, override.is_working_day, kind, override.reason, override.reason)
    try:
        return official(day)
    except YearNotCovered:
        if day.year in declared_years:
            return declared_year_status(day)
        raise


# --- the decision ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DueDecision:
    """A computed deadline with the days that made it, for the UI and the API."""

    start: datetime
    amount: int
    unit: Unit
    due_at: datetime  # aware, in Asia/Shanghai
    counted: tuple[DayStatus, ...]  # working days counted (``workday`` only)
    skipped: tuple[DayStatus, ...]  # days passed over (``workday`` only)
    rule_ids: tuple[str, ...] = (RULE_ID,)

    @property
    def days(self) -> tuple[DayStatus, ...]:
        """Every date walked after the start day, in order (counted and skipped)."""
        return tuple(sorted(self.counted + self.skipped, key=lambda status: status.day))

    @property
    def due_at_display(self) -> str:
        return format_local(self.due_at)

    @property
    def explanation_zh(self) -> str:
        return _explain(self, zh=True)

    @property
    def explanation_en(self) -> str:
        return _explain(self, zh=False)


def parse_unit(unit: str | Unit) -> Unit:
    try:
        return Unit(unit)
    except ValueError:
        raise UnknownUnit(unit) from None


def check_amount(unit: Unit, amount: int) -> int:
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or not MIN_AMOUNT[unit] <= amount <= MAX_AMOUNT[unit]
    ):
        raise BadAmount(unit, amount)
    return amount


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveStart(moment)
    return moment.astimezone(LOCAL_TZ).date()


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=LOCAL_TZ)


def assume_local(moment: datetime) -> datetime:
    """Read a naive date-time as Asia/Shanghai wall time (for user input); keep aware ones."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=LOCAL_TZ)
    return moment


def parse_start(text: str) -> datetime:
    """Read user input: ``2026-02-13T16:00``, ``2026-02-13 16:00``, ``2026-02-13`` (midnight),
    optionally with an offset or ``Z``. Without an offset it is Asia/Shanghai wall time."""
    try:
        return assume_local(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise UnreadableStart(text) from None


def format_local(moment: datetime) -> str:
    """``2026-02-24 23:59:59 (Asia/Shanghai)``: seconds precision, local time."""
    return f"{moment.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M:%S} ({LOCAL_TZ_NAME})"


def due_at(
    *, start: datetime, amount: int, unit: str | Unit, day_status: DayStatusLookup
) -> DueDecision:
    """Compute when something started at ``start`` is due; see the module docstring for the
    counting rule. ``day_status`` is consulted only for ``workday`` and only for the dates after
    the start day up to the due date; it may raise ``YearNotCovered``."""
    the_unit = parse_unit(unit)
    check_amount(the_unit, amount)
    start_day = local_date(start)

    if the_unit is Unit.HOUR:
        # Elapsed time, computed in UTC so that no wall-clock shift could bend it.
        due = (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(LOCAL_TZ)
        return DueDecision(start, amount, the_unit, due, (), ())
    if the_unit is Unit.SAMEDAY:
        return DueDecision(start, amount, the_unit, end_of_local_day(start_day), (), ())
    if the_unit is Unit.DAY:
        due_day = start_day + timedelta(days=amount)
        return DueDecision(start, amount, the_unit, end_of_local_day(due_day), (), ())

    counted: list[DayStatus] = []
    skipped: list[DayStatus] = []
    day = start_day
    while len(counted) < amount:
        day += timedelta(days=1)
        status = day_status(day)
        (counted if status.is_working_day else skipped).append(status)
    return DueDecision(
        start, amount, the_unit, end_of_local_day(day), tuple(counted), tuple(skipped)
    )


# --- explanations ---------------------------------------------------------------------------
def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _runs(days: Iterable[DayStatus]) -> list[tuple[date, date, DayKind, list[str], list[str]]]:
    """Group consecutive dates of the same kind: (first, last, kind, names_zh, names_en)."""
    runs: list[tuple[date, date, DayKind, list[str], list[str]]] = []
    for status in days:
        if runs and runs[-1][2] is status.kind and runs[-1][1] + timedelta(days=1) == status.day:
            first, _, kind, names_zh, names_en = runs[-1]
            runs[-1] = (first, status.day, kind, names_zh, names_en)
        else:
            runs.append((status.day, status.day, status.kind, [], []))
        if status.name_zh and status.name_zh not in runs[-1][3]:
            runs[-1][3].append(status.name_zh)
        if status.name_en and status.name_en not in runs[-1][4]:
            runs[-1][4].append(status.name_en)
    return runs


def _describe_runs(days: Iterable[DayStatus], *, zh: bool) -> str:
    parts = []
    for first, last, kind, names_zh, names_en in _runs(days):
        label = DAY_KIND_LABELS[kind][0 if zh else 1]
        span = first.isoformat()
        if last != first:
            span += f"{' 至 ' if zh else ' to '}{last.isoformat()}"
        names = names_zh if zh else names_en
        if names:
            joined = "、".join(names) if zh else ", ".join(names)
            label = f"{label}（{joined}）" if zh else f"{label} ({joined})"
        parts.append(f"{span} {label}")
    return ("；" if zh else "; ").join(parts)


def _explain(decision: DueDecision, *, zh: bool) -> str:
    start_local = decision.start.astimezone(LOCAL_TZ)
    start_day = start_local.date().isoformat()
    due = decision.due_at_display
    n = decision.amount
    if decision.unit is Unit.HOUR:
        if zh:
            return (
                f"自 {start_local:%Y-%m-%d %H:%M} 起 {n} 个钟点小时"
                f"（夜间、周末和节假日照常计时），截止 {due}。"
            )
        return (
            f"{n} clock hours from {start_local:%Y-%m-%d %H:%M} (nights, weekends and holidays "
            f"are not paused); due {due}."
        )
    if decision.unit is Unit.SAMEDAY:
        if zh:
            return f"当日办结：{start_day} 当天结束前，截止 {due}。"
        return f"Same day: by the end of {start_day}; due {due}."
    due_day = decision.due_at.date().isoformat()
    if decision.unit is Unit.DAY:
        if zh:
            return (
                f"{start_day} 之后第 {n} 个自然日（起算日不计，周末和节假日照常计算）"
                f"为 {due_day}，截止 {due}。"
            )
        return (
            f"The {_ordinal_en(n)} calendar day after {start_day} (the start day is not counted; "
            f"weekends and holidays count) is {due_day}; due {due}."
        )
    notable = [d for d in decision.counted if d.kind is not DayKind.WORKDAY]
    if zh:
        text = f"{start_day} 之后第 {n} 个工作日（起算日不计）为 {due_day}，截止 {due}。"
        if notable:
            text += f"计入：{_describe_runs(notable, zh=True)}。"
        if decision.skipped:
            text += f"跳过：{_describe_runs(decision.skipped, zh=True)}。"
        return text
    text = (
        f"The {_ordinal_en(n)} working day after {start_day} (the start day is not counted) "
        f"is {due_day}; due {due}."
    )
    if notable:
        text += f" Counted: {_describe_runs(notable, zh=False)}."
    if decision.skipped:
        text += f" Skipped: {_describe_runs(decision.skipped, zh=False)}."
    return text
