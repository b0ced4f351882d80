"""Deadline arithmetic against the official China calendar (rule A3 reading (clock)).

Every named case first checks its premise against the installed chinesecalendar data, so a
wrong memory of a holiday arrangement fails loudly instead of passing quietly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from kehu.core.calendar import official, rules
from kehu.core.calendar.rules import LOCAL_TZ, CompanyDay, DayKind, Unit


def sh(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An Asia/Shanghai wall time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LOCAL_TZ)


def official_due(start: datetime, amount: int, unit: str) -> rules.DueDecision:
    return rules.due_at(
        start=start, amount=amount, unit=unit, day_status=official.official_day_status
    )


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def assert_official(*, holidays: list[date] = (), adjusted_workdays: list[date] = ()) -> None:  # type: ignore[assignment]
    """The premise, read from chinesecalendar itself."""
    for day in holidays:
        assert not chinese_calendar.is_workday(day), f"{day} should be an official day off"
        assert day in chinese_calendar.holidays, f"{day} should be in the holiday table"
    for day in adjusted_workdays:
        assert day.weekday() >= 5, f"{day} should be a weekend day"
        assert chinese_calendar.is_workday(day), f"{day} should be an adjusted working day"


class TestNationalDay2025:
    """Holiday 2025-10-01..08; adjusted working days Sun 2025-09-28 and Sat 2025-10-11."""

    HOLIDAY = days(date(2025, 10, 1), date(2025, 10, 8))

    def test_premise(self) -> None:
        assert_official(
            holidays=self.HOLIDAY, adjusted_workdays=[date(2025, 9, 28), date(2025, 10, 11)]
        )
        assert chinese_calendar.is_workday(date(2025, 9, 30))
        assert chinese_calendar.is_workday(date(2025, 10, 9))

    def test_received_on_the_evening_before_the_holiday_plus_two_workdays(self) -> None:
        # Given a complaint received Tue 2025-09-30 at 19:30 with 2 working days to answer
        start = sh(2025, 9, 30, 19, 30)
        # When the deadline is computed
        decision = official_due(start, 2, "workday")
        # Then the holiday is skipped: Thu 10-09 is day 1, Fri 10-10 is day 2
        assert decision.due_at == end_of(date(2025, 10, 10))
        assert [d.day for d in decision.skipped] == self.HOLIDAY
        assert all(d.kind is DayKind.HOLIDAY for d in decision.skipped)
        assert [d.day for d in decision.counted] == [date(2025, 10, 9), date(2025, 10, 10)]
        assert decision.rule_ids == ("A3 reading (clock)",)
        assert "2025-10-01 至 2025-10-08 法定节假日（国庆节、中秋）" in decision.explanation_zh
        assert "public holiday (National Day, Mid-autumn Festival)" in decision.explanation_en

    def test_adjusted_sunday_before_the_holiday_is_counted(self) -> None:
        # Given something received on Sat 2025-09-27 with 1 working day
        decision = official_due(sh(2025, 9, 27, 10, 0), 1, "workday")
        # Then Sun 2025-09-28 (调休上班) is that working day
        assert decision.due_at == end_of(date(2025, 9, 28))
        assert decision.counted[0].kind is DayKind.ADJUSTED_WORKDAY
        assert "计入：2025-09-28 调休上班（国庆节）" in decision.explanation_zh

    def test_adjusted_saturday_after_the_holiday_is_counted(self) -> None:
        # Given Thu 2025-10-09 + 2 working days: Fri 10-10, then Sat 10-11 (调休上班)
        decision = official_due(sh(2025, 10, 9, 9, 0), 2, "workday")
        assert decision.due_at == end_of(date(2025, 10, 11))
        assert decision.skipped == ()

    def test_three_workdays_from_the_adjusted_saturday_skip_the_weekend(self) -> None:
        # Given Sat 2025-10-11 (a working day, but the start day is never counted) + 3
        decision = official_due(sh(2025, 10, 11, 17, 0), 3, "workday")
        # Then Sun 10-12 is a plain weekend day; Mon 13, Tue 14, Wed 15 count
        assert [(d.day, d.kind) for d in decision.skipped] == [
            (date(2025, 10, 12), DayKind.WEEKEND)
        ]
        assert decision.due_at == end_of(date(2025, 10, 15))


class TestSpringFestival2026:
    """Holiday 2026-02-15..23 (Sun–Mon, nine days); adjusted working days Sat 02-14 and Sat
    02-28 — as chinesecalendar 1.11 records the State Council's 2026 arrangement."""

    HOLIDAY = days(date(2026, 2, 15), date(2026, 2, 23))

    def test_premise(self) -> None:
        assert_official(
            holidays=self.HOLIDAY, adjusted_workdays=[date(2026, 2, 14), date(2026, 2, 28)]
        )
        assert chinese_calendar.is_workday(date(2026, 2, 13))
        assert chinese_calendar.is_workday(date(2026, 2, 24))

    def test_friday_afternoon_before_the_festival_plus_two_workdays(self) -> None:
        # Given Fri 2026-02-13 16:00 + 2 working days
        decision = official_due(sh(2026, 2, 13, 16, 0), 2, "workday")
        # Then Sat 02-14 (调休上班) is day 1, the festival is skipped, Tue 02-24 is day 2
        assert decision.due_at == end_of(date(2026, 2, 24))
        assert decision.due_at_display == "2026-02-24 23:59:59 (Asia/Shanghai)"
        assert [d.day for d in decision.counted] == [date(2026, 2, 14), date(2026, 2, 24)]
        assert [d.day for d in decision.skipped] == self.HOLIDAY
        assert decision.explanation_zh == (
            "2026-02-13 之后第 2 个工作日（起算日不计）为 2026-02-24，"
            "截止 2026-02-24 23:59:59 (Asia/Shanghai)。"
            "计入：2026-02-14 调休上班（春节）。"
            "跳过：2026-02-15 至 2026-02-23 法定节假日（春节）。"
        )

    def test_five_workdays_reach_the_adjusted_saturday_after(self) -> None:
        # Given Tue 2026-02-24 + 4: Wed 25, Thu 26, Fri 27, Sat 28 (调休上班)
        decision = official_due(sh(2026, 2, 24, 9, 0), 4, "workday")
        assert decision.due_at == end_of(date(2026, 2, 28))
        assert decision.counted[-1].kind is DayKind.ADJUSTED_WORKDAY

    def test_received_during_the_festival(self) -> None:
        # Given received on the first day of the festival (a holiday), 1 working day
        decision = official_due(sh(2026, 2, 15, 11, 0), 1, "workday")
        # Then the rest of the festival is skipped and Tue 02-24 is the day
        assert decision.due_at == end_of(date(2026, 2, 24))
        assert len(decision.skipped) == 8


class TestNewYear2026:
    """Holiday 2026-01-01..03 (Thu–Sat); adjusted working day Sun 2026-01-04."""

    def test_premise(self) -> None:
        assert_official(
            holidays=days(date(2026, 1, 1), date(2026, 1, 3)),
            adjusted_workdays=[date(2026, 1, 4)],
        )
        assert chinese_calendar.is_workday(date(2025, 12, 31))

    def test_new_years_eve_plus_one_workday_is_the_adjusted_sunday(self) -> None:
        decision = official_due(sh(2025, 12, 31, 18, 0), 1, "workday")
        assert decision.due_at == end_of(date(2026, 1, 4))
        assert [d.day for d in decision.skipped] == days(date(2026, 1, 1), date(2026, 1, 3))
        assert decision.counted[0].kind is DayKind.ADJUSTED_WORKDAY
        assert decision.counted[0].name_zh == "元旦"

    def test_new_years_eve_plus_two_workdays(self) -> None:
        # Sun 01-04 (调休上班) then Mon 01-05
        decision = official_due(sh(2025, 12, 31, 18, 0), 2, "workday")
        assert decision.due_at == end_of(date(2026, 1, 5))


class TestClockHours:
    def test_hours_run_straight_through_the_festival(self) -> None:
        # Given 24 clock hours from Sat 2026-02-14 16:00 (the eve of the festival)
        decision = official_due(sh(2026, 2, 14, 16, 0), 24, "hour")
        # Then the festival does not pause them
        assert decision.due_at == sh(2026, 2, 15, 16, 0)
        assert decision.skipped == ()

    def test_hours_run_through_nights_and_weekends(self) -> None:
        decision = official_due(sh(2025, 9, 30, 19, 30), 72, "hour")
        assert decision.due_at == sh(2025, 10, 3, 19, 30)
        assert "不因" in decision.explanation_zh or "照常计时" in decision.explanation_zh

    def test_hours_are_elapsed_time_whatever_the_offset_of_the_start(self) -> None:
        start = datetime(2026, 2, 13, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
        decision = official_due(start, 2, "hour")
        assert decision.due_at == datetime(2026, 2, 13, 10, 0, tzinfo=UTC)
        assert decision.due_at_display == "2026-02-13 18:00:00 (Asia/Shanghai)"

    def test_hours_need_no_holiday_data(self) -> None:
        # Given a year the official data does not cover: clock hours still work
        decision = official_due(sh(2030, 1, 1, 9, 0), 48, "hour")
        assert decision.due_at == sh(2030, 1, 3, 9, 0)


class TestCalendarDays:
    def test_calendar_days_count_holidays_like_any_day(self) -> None:
        # Given 2025-09-30 + 3 calendar days: the start day is not counted
        decision = official_due(sh(2025, 9, 30, 19, 30), 3, "day")
        assert decision.due_at == end_of(date(2025, 10, 3))
        assert "第 3 个自然日" in decision.explanation_zh

    def test_start_day_is_its_local_day(self) -> None:
        # 2026-02-13 17:00 UTC is already 02-14 01:00 in Shanghai: the start day is 02-14
        decision = official_due(datetime(2026, 2, 13, 17, 0, tzinfo=UTC), 1, "day")
        assert decision.due_at == end_of(date(2026, 2, 15))

    def test_calendar_days_need_no_holiday_data(self) -> None:
        decision = official_due(sh(2031, 5, 1, 9, 0), 10, "day")
        assert decision.due_at == end_of(date(2031, 5, 11))


class TestSameDay:
    @pytest.mark.parametrize("amount", [0, 1])
    def test_sameday_is_the_end_of_the_start_day(self, amount: int) -> None:
        decision = official_due(sh(2026, 2, 16, 9, 15), amount, "sameday")
        assert decision.due_at == end_of(date(2026, 2, 16))
        assert decision.due_at_display == "2026-02-16 23:59:59 (Asia/Shanghai)"

    def test_sameday_at_the_last_moment_of_a_day(self) -> None:
        decision = official_due(sh(2026, 2, 16, 23, 59, 59), 1, "sameday")
        assert decision.due_at == end_of(date(2026, 2, 16))

    def test_sameday_rejects_other_amounts(self) -> None:
        with pytest.raises(rules.BadAmount):
            official_due(sh(2026, 2, 16, 9, 15), 2, "sameday")


class TestUncoveredYear:
    def test_which_years_the_installed_data_covers(self) -> None:
        years = official.covered_years()
        assert years == tuple(range(2004, 2027))
        with pytest.raises(NotImplementedError, match="2027"):
            chinese_calendar.is_workday(date(2027, 1, 4))

    def test_workdays_into_an_uncovered_year_raise_naming_the_year(self) -> None:
        # Given Wed 2026-12-30 + 3 working days: the count walks into 2027
        with pytest.raises(rules.YearNotCovered) as raised:
            official_due(sh(2026, 12, 30, 10, 0), 3, "workday")
        # Then it stops at the first 2027 date rather than guessing
        assert raised.value.year == 2027
        assert raised.value.day == date(2027, 1, 1)
        assert "2027" in str(raised.value)

    def test_a_company_override_answers_for_the_uncovered_date(self) -> None:
        company = {
            date(2027, 1, 1): CompanyDay(date(2027, 1, 1), False, "元旦"),
            date(2027, 1, 2): CompanyDay(date(2027, 1, 2), False, "周末"),
        }

        def status(day: date) -> rules.DayStatus:
            return rules.company_day_status(
                day, official=official.official_day_status, override=company.get(day)
            )

        # 2026-12-31 counts (official), 01-01 and 01-02 are company days off, 01-03 has no
        # override: the third working day cannot be found without a guess
        with pytest.raises(rules.YearNotCovered) as raised:
            rules.due_at(start=sh(2026, 12, 30, 10, 0), amount=2, unit="workday", day_status=status)
        assert raised.value.day == date(2027, 1, 3)
        company[date(2027, 1, 3)] = CompanyDay(date(2027, 1, 3), True, "补班")
        decision = rules.due_at(
            start=sh(2026, 12, 30, 10, 0), amount=2, unit="workday", day_status=status
        )
        assert decision.due_at == end_of(date(2027, 1, 3))
        assert decision.counted[-1].kind is DayKind.COMPANY_WORKDAY


class TestOverridePrecedence:
    def test_an_extra_company_holiday_is_skipped(self) -> None:
        # Given the company rests on Fri 2026-03-06 (an official working day)
        assert chinese_calendar.is_workday(date(2026, 3, 6))
        extra = {date(2026, 3, 6): CompanyDay(date(2026, 3, 6), False, "公司年会")}
        decision = rules.due_at(
            start=sh(2026, 3, 5, 9, 0),
            amount=1,
            unit=Unit.WORKDAY,
            day_status=lambda d: rules.company_day_status(
                d, official=official.official_day_status, override=extra.get(d)
            ),
        )
        # Then Fri is skipped, the weekend too, and Mon 03-09 is the day
        assert decision.due_at == end_of(date(2026, 3, 9))
        assert decision.skipped[0].kind is DayKind.COMPANY_HOLIDAY
        assert "公司休息日（公司年会）" in decision.explanation_zh

    def test_an_extra_company_working_day_is_counted(self) -> None:
        # Given the company works on Sat 2026-03-07 (an official weekend day)
        assert not chinese_calendar.is_workday(date(2026, 3, 7))
        extra = {date(2026, 3, 7): CompanyDay(date(2026, 3, 7), True, "盘点")}
        decision = rules.due_at(
            start=sh(2026, 3, 6, 9, 0),
            amount=2,
            unit=Unit.WORKDAY,
            day_status=lambda d: rules.company_day_status(
                d, official=official.official_day_status, override=extra.get(d)
            ),
        )
        # Then Sat counts, Sun is skipped, and Mon 03-09 is day 2
        assert decision.due_at == end_of(date(2026, 3, 9))
        assert decision.counted[0].kind is DayKind.COMPANY_WORKDAY

    def test_an_override_beats_an_official_holiday(self) -> None:
        extra = {date(2025, 10, 2): CompanyDay(date(2025, 10, 2), True, "值班")}
        decision = rules.due_at(
            start=sh(2025, 9, 30, 20, 0),
            amount=1,
            unit="workday",
            day_status=lambda d: rules.company_day_status(
                d, official=official.official_day_status, override=extra.get(d)
            ),
        )
        assert decision.due_at == end_of(date(2025, 10, 2))


class TestBadInput:
    @pytest.mark.parametrize("unit", ["week", "", "Workday", "工作日"])
    def test_unknown_units(self, unit: str) -> None:
        with pytest.raises(rules.UnknownUnit):
            official_due(sh(2026, 3, 2, 9, 0), 1, unit)

    @pytest.mark.parametrize(
        ("unit", "amount"),
        [("workday", 0), ("day", -1), ("hour", 0), ("workday", 2501), ("day", True)],
    )
    def test_bad_amounts(self, unit: str, amount: int) -> None:
        with pytest.raises(rules.BadAmount):
            official_due(sh(2026, 3, 2, 9, 0), amount, unit)

    def test_a_naive_start_is_refused(self) -> None:
        with pytest.raises(rules.NaiveStart):
            official_due(datetime(2026, 3, 2, 9, 0), 1, "day")

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2026-02-13T16:00", sh(2026, 2, 13, 16, 0)),
            ("2026-02-13 16:00", sh(2026, 2, 13, 16, 0)),
            ("2026-02-13", sh(2026, 2, 13)),
            ("2026-02-13T08:00Z", sh(2026, 2, 13, 16, 0)),
            ("2026-02-13T16:00+08:00", sh(2026, 2, 13, 16, 0)),
        ],
    )
    def test_parse_start(self, text: str, expected: datetime) -> None:
        assert rules.parse_start(text) == expected

    def test_parse_start_refuses_nonsense(self) -> None:
        with pytest.raises(rules.UnreadableStart):
            rules.parse_start("next tuesday")
