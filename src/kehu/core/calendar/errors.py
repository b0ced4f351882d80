"""Error codes of the deadlines calendar, each with a Chinese and an English message."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from kehu.core.calendar import rules
from kehu.core.errors import KehuError, NotFound, PermissionDenied


class CalendarErrorCode(StrEnum):
    YEAR_NOT_COVERED = "calendar.year_not_covered"
    BAD_UNIT = "calendar.bad_unit"
    BAD_AMOUNT = "calendar.bad_amount"
    BAD_START = "calendar.bad_start"
    BAD_REASON = "calendar.bad_reason"
    PERMISSION_DENIED = "calendar.permission_denied"
    OVERRIDE_NOT_FOUND = "calendar.override_not_found"
    NOT_STAFF = "calendar.not_staff"


class CalendarYearNotCovered(KehuError):
    status = 422

    def __init__(self, *, day: date, covered_years: tuple[int, ...], source: str) -> None:
        first, last = (covered_years[0], covered_years[-1]) if covered_years else (0, 0)
        year = day.year
        super().__init__(
            CalendarErrorCode.YEAR_NOT_COVERED,
            f"无法按工作日计算期限：{day.isoformat()} 所在的 {year} 年不在已安装的官方节假日数据"
            f"（{source}，覆盖 {first}–{last} 年）中，本公司也没有为该日期设置日历例外。"
            f"请升级 chinesecalendar 到包含 {year} 年安排的版本，"
            f"或由有权限的人员在“公司日历”中为 {year} 年的日期设置例外（上班/休息）。",
            f"Cannot count working days: {day.isoformat()} is in {year}, which the installed "
            f"official holiday data ({source}, covering {first}-{last}) does not include, and "
            f"your company has no calendar override for that date. Upgrade chinesecalendar to a "
            f"version with the {year} arrangement, or have someone allowed to edit the company "
            f"calendar add overrides (working day / day off) for the dates in {year}.",
            details={
                "year": year,
                "date": day.isoformat(),
                "covered_years": [first, last],
                "source": source,
            },
        )

    @classmethod
    def from_rule(cls, error: rules.YearNotCovered) -> CalendarYearNotCovered:
        return cls(day=error.day, covered_years=error.covered_years, source=error.source)


class CalendarBadUnit(KehuError):
    def __init__(self, unit: object) -> None:
        units = ", ".join(u.value for u in rules.Unit)
        super().__init__(
            CalendarErrorCode.BAD_UNIT,
            f"不认识的期限单位 {unit!s}；可用单位：{units}"
            "（hour 钟点小时，day 自然日，workday 工作日，sameday 当日）。",
            f"Unknown deadline unit {unit!s}; use one of: {units}.",
            details={"unit": str(unit), "allowed": [u.value for u in rules.Unit]},
        )


class CalendarBadAmount(KehuError):
    def __init__(self, *, unit: rules.Unit, amount: object) -> None:
        low, high = rules.MIN_AMOUNT[unit], rules.MAX_AMOUNT[unit]
        super().__init__(
            CalendarErrorCode.BAD_AMOUNT,
            f"期限数量 {amount!s} 不适用于单位 {unit.value}：应为 {low} 到 {high} 之间的整数。",
            f"Amount {amount!s} is not allowed for unit {unit.value}: "
            f"use a whole number from {low} to {high}.",
            details={"unit": unit.value, "amount": str(amount), "min": low, "max": high},
        )


class CalendarBadStart(KehuError):
    def __init__(self, value: str) -> None:
        super().__init__(
            CalendarErrorCode.BAD_START,
            f"起算时间 {value!s} 无法识别；请写成 2026-02-13T16:00（不带时区时按北京时间）。",
            f"Cannot read the start time {value!s}; write it like 2026-02-13T16:00 "
            "(read as Asia/Shanghai when no offset is given).",
            details={"start": value},
        )


class CalendarBadReason(KehuError):
    def __init__(self) -> None:
        super().__init__(
            CalendarErrorCode.BAD_REASON,
            "请填写设置该日历例外的原因（最多 200 字）。",
            "Give the reason for this calendar override (at most 200 characters).",
        )


class CalendarPermissionDenied(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            CalendarErrorCode.PERMISSION_DENIED,
            "您没有维护公司日历的权限（calendar.add_calendaroverride），请联系系统管理员。",
            "You may not edit the company calendar (needs calendar.add_calendaroverride); "
            "ask your system administrator.",
        )


class CalendarNotStaff(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            CalendarErrorCode.NOT_STAFF,
            "此账号不是在职员工，无法使用公司日历。",
            "This account is not an active staff member, so it has no company calendar.",
        )


class CalendarOverrideNotFound(NotFound):
    def __init__(self, override_id: object) -> None:
        super().__init__(
            CalendarErrorCode.OVERRIDE_NOT_FOUND,
            "找不到该日历例外。",
            "No such calendar override.",
            details={"id": str(override_id)},
        )


def from_rule_error(error: rules.CalendarRuleError) -> KehuError:
    """The user-facing error for a rule-level failure."""
    if isinstance(error, rules.YearNotCovered):
        return CalendarYearNotCovered.from_rule(error)
    if isinstance(error, rules.UnknownUnit):
        return CalendarBadUnit(error.unit)
    if isinstance(error, rules.BadAmount):
        return CalendarBadAmount(unit=error.unit, amount=error.amount)
    if isinstance(error, rules.NaiveStart):
        return CalendarBadStart(error.start.isoformat())
    if isinstance(error, rules.UnreadableStart):
        return CalendarBadStart(error.text)
    raise TypeError(f"no user-facing error for {error!r}")  # a new rule error needs one
