"""Declared years (A3 reading (clock)): a company that has entered a year's official holidays
and adjusted working days as overrides declares the year; its other dates then follow the
ordinary week instead of stopping working-day deadlines with ``calendar.year_not_covered``.

The 2027 dates used here are the made-up TEST DATA of ``conftest.EXAMPLE_2027``, not the State
Council's 2027 arrangement.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.calendar import official, rules, selectors, services
from kehu.core.calendar.errors import (
    CalendarBadNote,
    CalendarBadYear,
    CalendarDeclarationNotFound,
    CalendarPermissionDenied,
    CalendarYearAlreadyCovered,
    CalendarYearAlreadyDeclared,
    CalendarYearHasNoOverrides,
    CalendarYearNotCovered,
)
from kehu.core.calendar.models import CalendarYearDeclaration
from kehu.core.calendar.rules import LOCAL_TZ, CompanyDay, DayKind
from kehu.core.org.models import Company, Staff

NOTE = "测试数据：虚构的2027年安排（非国务院通知）"


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LOCAL_TZ)


def enter(admin: Staff, lines: str) -> None:
    services.calendar_overrides_import(company=admin.company, text=lines, actor=admin.user)


def declare(admin: Staff, year: int = 2027, note: str = NOTE) -> CalendarYearDeclaration:
    return services.calendar_year_declare(
        company=admin.company, year=year, note=note, actor=admin.user
    )


def workdays(company: Company | None, start: str, amount: int) -> rules.DueDecision:
    return selectors.due_at_for_company(company=company, start=start, amount=amount, unit="workday")


def test_premise_2027_is_not_in_the_installed_official_data() -> None:
    assert not official.is_covered(2027)
    assert official.is_covered(2026)


class TestTheRule:
    """``rules.company_day_status`` alone: override → official → declared year → error."""

    @staticmethod
    def status(
        day: date, override: CompanyDay | None = None, declared: frozenset[int] = frozenset()
    ) -> rules.DayStatus:
        return rules.company_day_status(
            day,
            official=official.official_day_status,
            override=override,
            declared_years=declared,
        )

    def test_an_undeclared_uncovered_year_still_raises(self) -> None:
        with pytest.raises(rules.YearNotCovered):
            self.status(date(2027, 1, 4))

    def test_a_declared_year_follows_the_ordinary_week(self) -> None:
        monday = self.status(date(2027, 1, 4), declared=frozenset({2027}))
        saturday = self.status(date(2027, 1, 2), declared=frozenset({2027}))
        assert monday.is_working_day and monday.kind is DayKind.DECLARED_WORKDAY
        assert not saturday.is_working_day and saturday.kind is DayKind.DECLARED_WEEKEND
        assert monday.name_zh == "公司已声明2027年安排"
        assert (monday.label_zh, saturday.label_zh) == ("普通工作日", "周末")

    def test_an_override_beats_the_declaration(self) -> None:
        day = date(2027, 1, 4)
        status = self.status(day, CompanyDay(day, False, "公司休息"), frozenset({2027}))
        assert status.kind is DayKind.COMPANY_HOLIDAY

    def test_the_official_calendar_beats_a_declaration_of_a_covered_year(self) -> None:
        # Sat 2026-02-14 is an official adjusted working day; a stray declaration changes nothing
        status = self.status(date(2026, 2, 14), declared=frozenset({2026}))
        assert status.kind is DayKind.ADJUSTED_WORKDAY

    def test_declarations_are_not_consulted_inside_the_official_years(self) -> None:
        class Forbidden:
            def __contains__(self, year: object) -> bool:
                raise AssertionError("declared years read for a covered date")

        status = rules.company_day_status(
            date(2026, 3, 2),
            official=official.official_day_status,
            override=None,
            declared_years=Forbidden(),
        )
        assert status.kind is DayKind.WORKDAY


@pytest.mark.django_db
class TestDeadlinesIntoADeclaredYear:
    def test_without_a_declaration_a_2027_workday_deadline_stops(
        self, sun: Staff, example_2027: str
    ) -> None:
        # Given 华东置业 has entered the (test) 2027 holidays but not declared the year
        enter(sun, example_2027)
        # When Wed 2026-12-30 + 3 working days is computed
        with pytest.raises(CalendarYearNotCovered) as raised:
            workdays(sun.company, "2026-12-30T10:00", 3)
        # Then it stops at the first 2027 date without an override, and says how to fix it
        error = raised.value
        assert error.details["date"] == "2027-01-02"
        assert "声明" in error.message_zh and "录入" in error.message_zh
        assert "declare" in error.message_en

    def test_with_overrides_and_a_declaration_it_counts(
        self, sun: Staff, example_2027: str
    ) -> None:
        # Given the (test) 2027 arrangement entered and the year declared
        enter(sun, example_2027)
        declare(sun)
        # When Wed 2026-12-30 + 3 working days is computed
        decision = workdays(sun.company, "2026-12-30T10:00", 3)
        # Then Thu 12-31 (official) is day 1; 01-01 (company holiday) and the weekend are
        # skipped; Mon 01-04 and Tue 01-05 are days 2 and 3
        assert decision.due_at == end_of(date(2027, 1, 5))
        assert [(d.day, d.kind) for d in decision.counted] == [
            (date(2026, 12, 31), DayKind.WORKDAY),
            (date(2027, 1, 4), DayKind.DECLARED_WORKDAY),
            (date(2027, 1, 5), DayKind.DECLARED_WORKDAY),
        ]
        assert [d.kind for d in decision.skipped] == [
            DayKind.COMPANY_HOLIDAY,
            DayKind.DECLARED_WEEKEND,
            DayKind.DECLARED_WEEKEND,
        ]
        # And the explanation says the count relied on the company's declaration
        assert "公司已声明2027年安排" in decision.explanation_zh
        assert "2027-01-02 至 2027-01-03 周末（公司已声明2027年安排）" in decision.explanation_zh
        assert "company declared its 2027 arrangement" in decision.explanation_en

    def test_the_spring_festival_of_the_test_arrangement(
        self, sun: Staff, example_2027: str
    ) -> None:
        enter(sun, example_2027)
        declare(sun)
        # Fri 2027-02-05 09:00 + 2 working days: 02-06..02-12 off, Sat 02-13 works (day 1),
        # Sun 02-14 is an ordinary weekend, Mon 02-15 is day 2
        decision = workdays(sun.company, "2027-02-05T09:00", 2)
        assert decision.due_at == end_of(date(2027, 2, 15))
        assert decision.counted[0].kind is DayKind.COMPANY_WORKDAY
        assert decision.counted[0].name_zh == "春节调休（测试数据）"

    def test_an_override_still_beats_the_declaration(self, sun: Staff, example_2027: str) -> None:
        enter(sun, example_2027)
        declare(sun)
        services.calendar_override_set(
            company=sun.company,
            date=date(2027, 1, 4),
            is_working_day=False,
            reason="公司年会",
            actor=sun.user,
        )
        decision = workdays(sun.company, "2026-12-30T10:00", 3)
        assert decision.due_at == end_of(date(2027, 1, 6))
        assert date(2027, 1, 4) in [d.day for d in decision.skipped]

    def test_another_company_is_not_affected_by_a_declaration(
        self, sun: Staff, west: Company, example_2027: str
    ) -> None:
        enter(sun, example_2027)
        declare(sun)
        with pytest.raises(CalendarYearNotCovered):
            workdays(west, "2026-12-30T10:00", 3)
        with pytest.raises(CalendarYearNotCovered):
            workdays(None, "2026-12-30T10:00", 3)  # the official calendar alone

    def test_a_declared_year_costs_one_query_more(
        self, sun: Staff, example_2027: str, django_assert_num_queries: object
    ) -> None:
        enter(sun, example_2027)
        declare(sun)
        # One window of overrides, one read of the declared years
        with django_assert_num_queries(2):  # type: ignore[operator]
            decision = workdays(sun.company, "2026-12-30T10:00", 20)
        assert decision.due_at.year == 2027

    def test_withdrawing_the_declaration_brings_the_error_back(
        self, sun: Staff, example_2027: str
    ) -> None:
        enter(sun, example_2027)
        declare(sun)
        services.calendar_year_withdraw(company=sun.company, year=2027, actor=sun.user)
        with pytest.raises(CalendarYearNotCovered):
            workdays(sun.company, "2026-12-30T10:00", 3)


@pytest.mark.django_db
class TestDeclaring:
    def test_declaring_is_audited_with_the_source(self, sun: Staff, example_2027: str) -> None:
        enter(sun, example_2027)
        declaration = declare(sun)
        assert declaration.declared_by == sun.user and declaration.note == NOTE
        event = AuditEvent.objects.get(object_type="calendar.year_declaration")
        assert event.action == AuditAction.POLICY_CHANGE
        assert event.company == sun.company and event.actor == sun.user
        assert event.detail == {
            "op": "declare",
            "year": 2027,
            "note": NOTE,
            "days_off": 8,
            "working_days": 1,
        }

    def test_a_covered_year_needs_no_declaration(self, sun: Staff) -> None:
        services.calendar_override_set(
            company=sun.company,
            date=date(2026, 5, 6),
            is_working_day=False,
            reason="x",
            actor=sun.user,
        )
        with pytest.raises(CalendarYearAlreadyCovered) as raised:
            declare(sun, 2026)
        assert raised.value.status == 422
        assert (
            "无需声明" in raised.value.message_zh and "chinesecalendar" in raised.value.message_zh
        )
        assert not CalendarYearDeclaration.objects.exists()
        assert not AuditEvent.objects.filter(object_type="calendar.year_declaration").exists()

    def test_a_year_without_overrides_cannot_be_declared(self, sun: Staff) -> None:
        # Given an override in 2028 only: 2027 has nothing entered
        services.calendar_override_set(
            company=sun.company,
            date=date(2028, 1, 3),
            is_working_day=True,
            reason="x",
            actor=sun.user,
        )
        with pytest.raises(CalendarYearHasNoOverrides) as raised:
            declare(sun, 2027)
        message = raised.value.message_zh
        assert raised.value.status == 422
        assert "2027" in message and "（休）" in message and "（班）" in message
        assert "没有任何法定节假日" in message
        assert not CalendarYearDeclaration.objects.exists()

    def test_another_companys_overrides_do_not_count(
        self, sun: Staff, zhou: Staff, example_2027: str
    ) -> None:
        enter(sun, example_2027)
        with pytest.raises(CalendarYearHasNoOverrides):
            declare(zhou, 2027)

    def test_declaring_twice_is_refused(self, sun: Staff, example_2027: str) -> None:
        enter(sun, example_2027)
        declare(sun)
        with pytest.raises(CalendarYearAlreadyDeclared) as raised:
            declare(sun)
        assert raised.value.status == 409

    @pytest.mark.parametrize("note", ["", "  ", "长" * 501])
    def test_a_source_is_required(self, sun: Staff, example_2027: str, note: str) -> None:
        enter(sun, example_2027)
        with pytest.raises(CalendarBadNote) as raised:
            declare(sun, note=note)
        assert "国务院办公厅" in raised.value.message_zh

    @pytest.mark.parametrize("year", [0, 27, 10000])
    def test_a_bad_year_is_refused(self, sun: Staff, year: int) -> None:
        with pytest.raises(CalendarBadYear):
            declare(sun, year)

    def test_a_salesperson_may_not_declare(self, li: Staff, sun: Staff, example_2027: str) -> None:
        enter(sun, example_2027)
        with pytest.raises(CalendarPermissionDenied):
            declare(li)
        assert not CalendarYearDeclaration.objects.exists()

    def test_an_administrator_may_not_declare_for_another_company(
        self, sun: Staff, zhou: Staff, example_2027: str
    ) -> None:
        enter(zhou, example_2027)
        with pytest.raises(CalendarPermissionDenied):
            services.calendar_year_declare(
                company=zhou.company, year=2027, note=NOTE, actor=sun.user
            )

    def test_withdrawing_is_audited(self, sun: Staff, example_2027: str) -> None:
        enter(sun, example_2027)
        declaration = declare(sun)
        services.calendar_year_withdraw(company=sun.company, year=2027, actor=sun.user)
        assert not CalendarYearDeclaration.objects.exists()
        event = AuditEvent.objects.filter(object_type="calendar.year_declaration").latest("pk")
        assert event.object_id == str(declaration.pk)
        assert event.detail["op"] == "withdraw" and event.detail["note"] == NOTE
        assert event.detail["declared_by"] == sun.user.get_username()

    def test_one_company_cannot_withdraw_anothers_declaration(
        self, sun: Staff, zhou: Staff, example_2027: str
    ) -> None:
        enter(sun, example_2027)
        declare(sun)
        with pytest.raises(CalendarDeclarationNotFound):
            services.calendar_year_withdraw(company=zhou.company, year=2027, actor=zhou.user)
        assert CalendarYearDeclaration.objects.filter(company=sun.company).exists()

    def test_coverage_lists_years_with_their_declarations(
        self, sun: Staff, zhou: Staff, example_2027: str
    ) -> None:
        enter(sun, example_2027)
        declare(sun)
        enter(zhou, "2028-01-03 班 测试")
        coverage = selectors.calendar_coverage(company=sun.company)
        assert [y.year for y in coverage.years] == [2027]
        (year,) = coverage.uncovered_years
        assert (year.days_off, year.working_days, year.declared) == (8, 1, True)
        assert coverage.declared_years == (2027,)
        assert coverage.override_years == {2027: 9}
