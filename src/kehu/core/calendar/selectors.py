"""Reads: deadlines for a company (its overrides on top of the official calendar) and the
company's override list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from kehu.core.calendar import official, rules
from kehu.core.calendar.errors import CalendarNotStaff, from_rule_error
from kehu.core.calendar.models import CalendarOverride
from kehu.core.org.models import Company, Staff

# Overrides are read in one query for the dates a deadline can plausibly reach:
# N working days never need more than 2N + 31 calendar days under the official calendar
# (the longest official run of days off is nine). Only if a company's own days off push
# the count further is the next window read.
_WINDOW_EXTRA_DAYS = 31


class _CompanyOverrides:
    """A company's overrides, read lazily window by window as the count walks forward."""

    def __init__(self, company: Company | None, first: dt.date, days: int) -> None:
        self._company = company
        self._first = first
        self._end = first  # dates in [first, end) have been read
        self._window = max(days, _WINDOW_EXTRA_DAYS)
        self._by_date: dict[dt.date, rules.CompanyDay] = {}
        self.queries = 0

    def _read(self, until: dt.date) -> None:
        if self._company is not None:
            rows = CalendarOverride.objects.filter(
                company=self._company, date__gte=self._end, date__lt=until
            ).values_list("date", "is_working_day", "reason")
            for day, working, reason in rows:
                self._by_date[day] = rules.CompanyDay(day, working, reason)
            self.queries += 1
        self._end = until

    def get(self, day: dt.date) -> rules.CompanyDay | None:
        if day < self._first:
            raise ValueError(f"{day} is before the first date {self._first} of this count")
        while day >= self._end:
            self._read(max(self._end + dt.timedelta(days=self._window), day + dt.timedelta(days=1)))
        return self._by_date.get(day)


def due_at_for_company(
    *, company: Company | None, start: dt.datetime | str, amount: int, unit: str
) -> rules.DueDecision:
    """When something started at ``start`` is due for ``company``: the company's overrides win,
    then the official calendar (``company=None``: the official calendar alone).

    Raises ``CalendarYearNotCovered`` for a date the official data does not cover and the
    company has not overridden, and ``CalendarBadUnit``/``CalendarBadAmount``/``CalendarBadStart``
    for bad input."""
    try:
        if isinstance(start, str):
            start = rules.parse_start(start)
        first = rules.local_date(start) + dt.timedelta(days=1)
        window = 2 * amount + _WINDOW_EXTRA_DAYS if isinstance(amount, int) else 0
        overrides = _CompanyOverrides(company, first, window)

        def day_status(day: dt.date) -> rules.DayStatus:
            return rules.company_day_status(
                day, official=official.official_day_status, override=overrides.get(day)
            )

        return rules.due_at(start=start, amount=amount, unit=unit, day_status=day_status)
    except rules.CalendarRuleError as error:
        raise from_rule_error(error) from error


def calendar_overrides_for_company(
    *, company: Company, year: int | None = None
) -> QuerySet[CalendarOverride]:
    """A company's overrides in date order (optionally one year)."""
    overrides = CalendarOverride.objects.filter(company=company).select_related(
        "created_by", "updated_by"
    )
    if year is not None:
        overrides = overrides.filter(date__year=year)
    return overrides.order_by("date")


def calendar_overrides_for_staff(
    *, staff: Staff | None, year: int | None = None
) -> QuerySet[CalendarOverride]:
    """The overrides the caller may see: their own company's only."""
    if staff is None:
        raise CalendarNotStaff()
    return calendar_overrides_for_company(company=staff.company, year=year)


@dataclass(frozen=True)
class CalendarCoverage:
    source: str
    official_years: tuple[int, ...]
    override_years: dict[int, int]  # year → number of overrides (one company)


def calendar_coverage(*, company: Company | None = None) -> CalendarCoverage:
    """Which years the official data covers and, for a company, how many overrides per year."""
    per_year: dict[int, int] = {}
    if company is not None:
        for day in CalendarOverride.objects.filter(company=company).values_list("date", flat=True):
            per_year[day.year] = per_year.get(day.year, 0) + 1
    return CalendarCoverage(
        official.SOURCE_NAME, official.covered_years(), dict(sorted(per_year.items()))
    )
