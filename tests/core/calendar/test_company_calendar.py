"""Company overrides on top of the official calendar: services, selectors, isolation."""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.calendar import selectors, services
from kehu.core.calendar.errors import (
    CalendarBadAmount,
    CalendarBadReason,
    CalendarBadStart,
    CalendarBadUnit,
    CalendarOverrideNotFound,
    CalendarPermissionDenied,
    CalendarYearNotCovered,
)
from kehu.core.calendar.models import CalendarOverride
from kehu.core.calendar.rules import LOCAL_TZ, DayKind
from kehu.core.org.models import Company, Staff

pytestmark = pytest.mark.django_db


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LOCAL_TZ)


def set_day(admin: Staff, day: date, working: bool, reason: str) -> CalendarOverride:
    return services.calendar_override_set(
        company=admin.company, date=day, is_working_day=working, reason=reason, actor=admin.user
    )


class TestOverridesAndTheOfficialCalendar:
    def test_without_overrides_the_official_calendar_answers(self, east: Company) -> None:
        decision = selectors.due_at_for_company(
            company=east, start="2026-02-13T16:00", amount=2, unit="workday"
        )
        assert decision.due_at == end_of(date(2026, 2, 24))

    def test_an_extra_company_holiday_is_skipped(self, sun: Staff) -> None:
        # Given 华东置业 rests on Tue 2026-02-24, the first official working day after the festival
        assert chinese_calendar.is_workday(date(2026, 2, 24))
        set_day(sun, date(2026, 2, 24), False, "节后错峰休息")
        # When Fri 02-13 16:00 + 2 working days is computed for 华东置业
        decision = selectors.due_at_for_company(
            company=sun.company, start="2026-02-13T16:00", amount=2, unit="workday"
        )
        # Then 02-24 is skipped as a company day off and Wed 02-25 is day 2
        assert decision.due_at == end_of(date(2026, 2, 25))
        assert decision.skipped[-1].kind is DayKind.COMPANY_HOLIDAY
        assert decision.skipped[-1].name_zh == "节后错峰休息"

    def test_an_extra_company_working_day_is_counted(self, sun: Staff) -> None:
        # Given 华东置业 works on Mon 2026-02-16, an official festival day
        assert not chinese_calendar.is_workday(date(2026, 2, 16))
        set_day(sun, date(2026, 2, 16), True, "春节值班")
        decision = selectors.due_at_for_company(
            company=sun.company, start="2026-02-13T16:00", amount=2, unit="workday"
        )
        # Then Sat 02-14 (调休) and Mon 02-16 (company working day) are the two days
        assert decision.due_at == end_of(date(2026, 2, 16))
        assert [d.kind for d in decision.counted] == [
            DayKind.ADJUSTED_WORKDAY,
            DayKind.COMPANY_WORKDAY,
        ]

    def test_one_companys_overrides_do_not_affect_another(self, sun: Staff, west: Company) -> None:
        set_day(sun, date(2026, 2, 24), False, "节后错峰休息")
        decision = selectors.due_at_for_company(
            company=west, start="2026-02-13T16:00", amount=2, unit="workday"
        )
        assert decision.due_at == end_of(date(2026, 2, 24))

    def test_overrides_are_read_in_one_query(
        self, sun: Staff, django_assert_num_queries: object
    ) -> None:
        set_day(sun, date(2026, 2, 24), False, "节后错峰休息")
        set_day(sun, date(2026, 3, 2), False, "公司活动")
        with django_assert_num_queries(1):  # type: ignore[operator]
            decision = selectors.due_at_for_company(
                company=sun.company, start="2026-02-13T16:00", amount=10, unit="workday"
            )
        assert date(2026, 3, 2) in [d.day for d in decision.skipped]

    def test_company_days_off_beyond_the_first_window_are_still_read(self, sun: Staff) -> None:
        # Given 华东置业 closes for the whole of March 2026 (beyond a 1-workday window)
        for day in range(1, 32):
            set_day(sun, date(2026, 3, day), False, "停业整顿")
        decision = selectors.due_at_for_company(
            company=sun.company, start="2026-02-27T09:00", amount=2, unit="workday"
        )
        # Then Sat 02-28 (调休) is day 1 and Wed 04-01 is day 2
        assert decision.due_at == end_of(date(2026, 4, 1))

    def test_hours_days_and_sameday_read_no_overrides(
        self, sun: Staff, django_assert_num_queries: object
    ) -> None:
        with django_assert_num_queries(0):  # type: ignore[operator]
            for unit, amount in [("hour", 24), ("day", 3), ("sameday", 1)]:
                selectors.due_at_for_company(
                    company=sun.company, start="2026-02-13T16:00", amount=amount, unit=unit
                )


class TestUncoveredYear:
    def test_workdays_into_2027_name_the_year_and_the_fix(self, east: Company) -> None:
        with pytest.raises(CalendarYearNotCovered) as raised:
            selectors.due_at_for_company(
                company=east, start="2026-12-31T10:00", amount=1, unit="workday"
            )
        error = raised.value
        assert error.code == "calendar.year_not_covered"
        assert error.status == 422
        assert error.details["year"] == 2027
        assert error.details["date"] == "2027-01-01"
        assert "2027 年" in error.message_zh and "升级 chinesecalendar" in error.message_zh
        assert "公司日历" in error.message_zh
        assert "2027" in error.message_en and "Upgrade chinesecalendar" in error.message_en

    def test_an_override_for_that_date_makes_it_work(self, sun: Staff) -> None:
        # Given 华东置业 has declared Mon 2027-01-04 a working day
        set_day(sun, date(2027, 1, 1), False, "元旦（国务院2027年安排）")
        set_day(sun, date(2027, 1, 2), False, "周末")
        set_day(sun, date(2027, 1, 3), False, "周末")
        set_day(sun, date(2027, 1, 4), True, "正常上班")
        # When Thu 2026-12-31 + 1 working day is computed
        decision = selectors.due_at_for_company(
            company=sun.company, start="2026-12-31T10:00", amount=1, unit="workday"
        )
        # Then the company's dates answer for 2027
        assert decision.due_at == end_of(date(2027, 1, 4))
        assert [d.kind for d in decision.skipped] == [DayKind.COMPANY_HOLIDAY] * 3

    def test_another_company_still_gets_the_error(self, sun: Staff, west: Company) -> None:
        set_day(sun, date(2027, 1, 1), True, "上班")
        with pytest.raises(CalendarYearNotCovered):
            selectors.due_at_for_company(
                company=west, start="2026-12-31T10:00", amount=1, unit="workday"
            )


class TestBadInput:
    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"unit": "week", "amount": 1}, CalendarBadUnit),
            ({"unit": "workday", "amount": 0}, CalendarBadAmount),
            ({"unit": "sameday", "amount": 3}, CalendarBadAmount),
        ],
    )
    def test_bad_unit_and_amount(
        self, east: Company, kwargs: dict[str, object], error: type[Exception]
    ) -> None:
        with pytest.raises(error):
            selectors.due_at_for_company(company=east, start="2026-02-13T16:00", **kwargs)  # type: ignore[arg-type]

    def test_bad_start(self, east: Company) -> None:
        with pytest.raises(CalendarBadStart) as raised:
            selectors.due_at_for_company(company=east, start="昨天", amount=1, unit="day")
        assert raised.value.code == "calendar.bad_start"


class TestEditingTheCalendar:
    def test_setting_an_override_is_audited(self, sun: Staff) -> None:
        override = set_day(sun, date(2026, 5, 6), False, "公司调休")
        event = AuditEvent.objects.get(object_type="calendar.override", object_id=str(override.pk))
        assert event.action == AuditAction.POLICY_CHANGE
        assert event.company == sun.company
        assert event.actor == sun.user
        assert event.detail["date"] == "2026-05-06"
        assert event.detail["before"] is None

    def test_setting_the_same_date_again_replaces_it(self, sun: Staff) -> None:
        first = set_day(sun, date(2026, 5, 6), False, "公司调休")
        second = set_day(sun, date(2026, 5, 6), True, "改为上班")
        assert first.pk == second.pk
        assert CalendarOverride.objects.filter(company=sun.company).count() == 1
        second.refresh_from_db()
        assert second.is_working_day and second.updated_by == sun.user
        assert second.created_by == sun.user
        last = AuditEvent.objects.filter(object_type="calendar.override").latest("pk")
        assert last.detail["before"] == {"is_working_day": False, "reason": "公司调休"}

    def test_a_salesperson_may_not_edit_the_calendar(self, li: Staff) -> None:
        with pytest.raises(CalendarPermissionDenied) as raised:
            set_day(li, date(2026, 5, 6), False, "想放假")
        assert raised.value.status == 403
        assert "calendar.add_calendaroverride" in raised.value.message_zh
        assert not CalendarOverride.objects.exists()

    def test_an_administrator_may_not_edit_another_companys_calendar(
        self, sun: Staff, west: Company
    ) -> None:
        with pytest.raises(CalendarPermissionDenied):
            services.calendar_override_set(
                company=west,
                date=date(2026, 5, 6),
                is_working_day=False,
                reason="x",
                actor=sun.user,
            )

    @pytest.mark.parametrize("reason", ["", "   ", "长" * 201])
    def test_a_reason_is_required(self, sun: Staff, reason: str) -> None:
        with pytest.raises(CalendarBadReason):
            set_day(sun, date(2026, 5, 6), False, reason)

    def test_deleting_an_override_restores_the_official_answer(self, sun: Staff) -> None:
        override = set_day(sun, date(2026, 2, 24), False, "节后错峰休息")
        services.calendar_override_delete(
            company=sun.company, override_id=override.pk, actor=sun.user
        )
        decision = selectors.due_at_for_company(
            company=sun.company, start="2026-02-13T16:00", amount=2, unit="workday"
        )
        assert decision.due_at == end_of(date(2026, 2, 24))
        assert AuditEvent.objects.filter(detail__op="delete").count() == 1

    def test_one_company_cannot_delete_anothers_override(self, sun: Staff, zhou: Staff) -> None:
        override = set_day(sun, date(2026, 2, 24), False, "节后错峰休息")
        with pytest.raises(CalendarOverrideNotFound):
            services.calendar_override_delete(
                company=zhou.company, override_id=override.pk, actor=zhou.user
            )
        assert CalendarOverride.objects.filter(pk=override.pk).exists()

    def test_the_list_shows_only_the_callers_company(self, sun: Staff, zhou: Staff) -> None:
        set_day(sun, date(2026, 2, 24), False, "华东")
        set_day(zhou, date(2026, 2, 25), False, "西湖")
        reasons = [o.reason for o in selectors.calendar_overrides_for_staff(staff=zhou)]
        assert reasons == ["西湖"]

    def test_coverage_counts_overrides_per_year(self, sun: Staff) -> None:
        set_day(sun, date(2026, 2, 24), False, "a")
        set_day(sun, date(2027, 1, 4), True, "b")
        set_day(sun, date(2027, 1, 5), True, "c")
        coverage = selectors.calendar_coverage(company=sun.company)
        assert coverage.official_years[-1] == 2026
        assert coverage.override_years == {2026: 1, 2027: 2}
