"""Reads: deadlines for a company (its overrides and declared years on top of the official
calendar), the company's overrides, its years, and the preview of a pasted list of overrides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from kehu.core.calendar import official, rules
from kehu.core.calendar.errors import CalendarImportEmpty, CalendarNotStaff, from_rule_error
from kehu.core.calendar.models import CalendarOverride, CalendarYearDeclaration
from kehu.core.calendar.override_lines import OverrideLine, RejectedLine, parse_override_lines
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


class _DeclaredYears:
    """The years a company has declared, read in one query the first time a date outside the
    official data needs them (so a count inside the official years reads none)."""

    def __init__(self, company: Company | None) -> None:
        self._company = company
        self._years: frozenset[int] | None = None
        self.queries = 0

    def __contains__(self, year: object) -> bool:
        if self._company is None:
            return False
        if self._years is None:
            self._years = frozenset(
                CalendarYearDeclaration.objects.filter(company=self._company).values_list(
                    "year", flat=True
                )
            )
            self.queries += 1
        return year in self._years


def due_at_for_company(
    *, company: Company | None, start: dt.datetime | str, amount: int, unit: str
) -> rules.DueDecision:
    """When something started at ``start`` is due for ``company``: the company's overrides win,
    then the official calendar, then — for a year the official data does not cover — the
    ordinary week if the company has declared that year (``company=None``: the official
    calendar alone).

    Reads at most one query of overrides per window of dates walked and one query of declared
    years (only when a date falls outside the official data). Raises ``CalendarYearNotCovered``
    for a date the official data does not cover, the company has not overridden and whose year
    it has not declared, and ``CalendarBadUnit``/``CalendarBadAmount``/``CalendarBadStart`` for
    bad input."""
    try:
        if isinstance(start, str):
            start = rules.parse_start(start)
        window = 2 * amount + _WINDOW_EXTRA_DAYS if isinstance(amount, int) else 0
        day_status = company_day_status_lookup(company=company, start=start, window_days=window)
        return rules.due_at(start=start, amount=amount, unit=unit, day_status=day_status)
    except rules.CalendarRuleError as error:
        raise from_rule_error(error) from error


def company_day_status_lookup(
    *, company: Company | None, start: dt.datetime, window_days: int = _WINDOW_EXTRA_DAYS
) -> rules.DayStatusLookup:
    """Whether ``company`` works on a date after ``start``'s local day, for pure rules that take
    a ``DayStatusLookup`` (overrides read lazily, ``window_days`` at a time; declared years in
    one query when needed). The lookup raises ``rules.YearNotCovered`` like the official data;
    callers turn it into ``CalendarYearNotCovered`` with ``from_rule_error``."""
    first = rules.local_date(start) + dt.timedelta(days=1)
    overrides = _CompanyOverrides(company, first, window_days)
    declared = _DeclaredYears(company)

    def day_status(day: dt.date) -> rules.DayStatus:
        return rules.company_day_status(
            day,
            official=official.official_day_status,
            override=overrides.get(day),
            declared_years=declared,
        )

    return day_status


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
class CalendarYear:
    """One year of a company's calendar: official data or not, its overrides, its declaration."""

    year: int
    official: bool
    days_off: int
    working_days: int
    declaration: CalendarYearDeclaration | None

    @property
    def overrides(self) -> int:
        return self.days_off + self.working_days

    @property
    def declared(self) -> bool:
        return self.declaration is not None

    @property
    def may_declare(self) -> bool:
        """Declaring makes sense: no official data, not yet declared, overrides entered."""
        return not self.official and not self.declared and self.overrides > 0


@dataclass(frozen=True)
class CalendarCoverage:
    source: str
    official_years: tuple[int, ...]
    override_years: dict[int, int]  # year → number of overrides (one company)
    # Years with overrides or a declaration (one company), in order.
    years: tuple[CalendarYear, ...] = ()

    @property
    def declared_years(self) -> tuple[int, ...]:
        return tuple(y.year for y in self.years if y.declared)

    @property
    def uncovered_years(self) -> tuple[CalendarYear, ...]:
        """The company's years the official data lacks: where declarations matter."""
        return tuple(y for y in self.years if not y.official)


def calendar_coverage(*, company: Company | None = None) -> CalendarCoverage:
    """Which years the official data covers and, for a company, its overrides (days off and
    working days) and declarations per year. Two queries for a company, none without."""
    counts: dict[int, list[int]] = {}  # year → [days off, working days]
    declarations: dict[int, CalendarYearDeclaration] = {}
    if company is not None:
        rows = (
            CalendarOverride.objects.filter(company=company)
            .annotate(year=ExtractYear("date"))
            .values("year", "is_working_day")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts.setdefault(row["year"], [0, 0])[1 if row["is_working_day"] else 0] += row["n"]
        declarations = {
            d.year: d
            for d in CalendarYearDeclaration.objects.filter(company=company).select_related(
                "declared_by"
            )
        }
    years = tuple(
        CalendarYear(
            year=year,
            official=official.is_covered(year),
            days_off=counts.get(year, [0, 0])[0],
            working_days=counts.get(year, [0, 0])[1],
            declaration=declarations.get(year),
        )
        for year in sorted(set(counts) | set(declarations))
    )
    return CalendarCoverage(
        official.SOURCE_NAME,
        official.covered_years(),
        {year: sum(pair) for year, pair in sorted(counts.items())},
        years,
    )


def calendar_coverage_for_staff(*, staff: Staff | None) -> CalendarCoverage:
    """The caller's own company's years."""
    if staff is None:
        raise CalendarNotStaff()
    return calendar_coverage(company=staff.company)


def calendar_year_declaration_get(*, company: Company, year: int) -> CalendarYearDeclaration | None:
    return (
        CalendarYearDeclaration.objects.filter(company=company, year=year)
        .select_related("declared_by")
        .first()
    )


# --- pasted override lines -------------------------------------------------------------------
ImportAction = Literal["create", "replace", "unchanged"]

IMPORT_ACTION_LABELS: dict[str, tuple[str, str]] = {
    "create": ("新增", "new"),
    "replace": ("替换现有例外", "replaces an override"),
    "unchanged": ("与现有例外相同，不变", "same as the existing override"),
}


@dataclass(frozen=True)
class ImportRow:
    """One pasted line and what importing it would do to the company's calendar."""

    line: OverrideLine
    action: ImportAction
    before_working: bool | None = None
    before_reason: str = ""

    @property
    def action_zh(self) -> str:
        return IMPORT_ACTION_LABELS[self.action][0]

    @property
    def action_en(self) -> str:
        return IMPORT_ACTION_LABELS[self.action][1]


@dataclass(frozen=True)
class ImportYear:
    """A year the paste touches: whether working-day deadlines can use it after the import."""

    year: int
    lines: int
    official: bool
    declared: bool


@dataclass(frozen=True)
class ImportPreview:
    rows: tuple[ImportRow, ...]
    rejected: tuple[RejectedLine, ...]
    years: tuple[ImportYear, ...]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.rejected

    @property
    def to_write(self) -> tuple[ImportRow, ...]:
        return tuple(row for row in self.rows if row.action != "unchanged")

    def count(self, action: ImportAction) -> int:
        return sum(1 for row in self.rows if row.action == action)


def calendar_import_preview(
    *, company: Company, text: str, for_update: bool = False
) -> ImportPreview:
    """What importing the pasted ``text`` (see ``override_lines``) would do for ``company``:
    each line new, replacing an override or unchanged; the rejected lines; the years touched.
    Raises ``CalendarImportEmpty`` when there is no line at all. ``for_update`` locks the
    existing overrides of those dates (inside the importing transaction). Two queries at most."""
    parsed = parse_override_lines(text or "")
    if not parsed.lines and not parsed.rejected:
        raise CalendarImportEmpty()
    existing: dict[dt.date, CalendarOverride] = {}
    declared: set[int] = set()
    if parsed.lines:
        days = [line.day for line in parsed.lines]
        query = CalendarOverride.objects.filter(
            company=company, date__gte=min(days), date__lte=max(days)
        )
        if for_update:
            query = query.select_for_update()
        existing = {o.date: o for o in query}
        years = {day.year for day in days}
        declared = set(
            CalendarYearDeclaration.objects.filter(company=company, year__in=years).values_list(
                "year", flat=True
            )
        )
    rows = []
    per_year: dict[int, int] = {}
    for line in parsed.lines:
        per_year[line.day.year] = per_year.get(line.day.year, 0) + 1
        before = existing.get(line.day)
        if before is None:
            rows.append(ImportRow(line, "create"))
            continue
        same = before.is_working_day == line.is_working_day and before.reason == line.reason
        rows.append(
            ImportRow(
                line, "unchanged" if same else "replace", before.is_working_day, before.reason
            )
        )
    return ImportPreview(
        tuple(rows),
        parsed.rejected,
        tuple(
            ImportYear(year, n, official.is_covered(year), year in declared)
            for year, n in sorted(per_year.items())
        ),
    )
