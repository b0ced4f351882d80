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
    BAD_YEAR = "calendar.bad_year"
    BAD_NOTE = "calendar.bad_note"
    YEAR_ALREADY_COVERED = "calendar.year_already_covered"
    YEAR_HAS_NO_OVERRIDES = "calendar.year_has_no_overrides"
    YEAR_ALREADY_DECLARED = "calendar.year_already_declared"
    DECLARATION_NOT_FOUND = "calendar.declaration_not_found"
    IMPORT_EMPTY = "calendar.import_empty"
    IMPORT_REJECTED = "calendar.import_rejected"


class CalendarYearNotCovered(KehuError):
    status = 422

    def __init__(self, *, day: date, covered_years: tuple[int, ...], source: str) -> None:
        first, last = (covered_years[0], covered_years[-1]) if covered_years else (0, 0)
        year = day.year
        super().__init__(
            CalendarErrorCode.YEAR_NOT_COVERED,
            f"无法按工作日计算期限：{day.isoformat()} 所在的 {year} 年不在已安装的官方节假日数据"
            f"（{source}，覆盖 {first}–{last} 年）中，本公司没有为该日期设置日历例外，"
            f"也没有声明 {year} 年的安排。请升级 chinesecalendar 到包含 {year} 年安排的版本；"
            f"或由有权限的人员在“公司日历”中先录入 {year} 年的全部法定节假日（休）和调休上班日"
            f"（班），再声明“{year} 年安排已录入完整”，"
            "其余日期即按周一至周五上班、周六周日休息计算。",
            f"Cannot count working days: {day.isoformat()} is in {year}, which the installed "
            f"official holiday data ({source}, covering {first}-{last}) does not include; your "
            f"company has no calendar override for that date and has not declared its {year} "
            f"arrangement. Upgrade chinesecalendar to a version with the {year} arrangement, or "
            f"have someone allowed to edit the company calendar enter all of {year}'s official "
            f"holidays (休) and adjusted working days (班) as overrides and then declare the "
            f"{year} arrangement complete; every other date then follows the ordinary week "
            f"(Monday-Friday working, Saturday and Sunday off).",
            details={
                "year": year,
                "date": day.isoformat(),
                "covered_years": [first, last],
                "source": source,
                "declared": False,
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


class CalendarBadYear(KehuError):
    def __init__(self, year: object) -> None:
        super().__init__(
            CalendarErrorCode.BAD_YEAR,
            f"年份 {year!s} 无效：请填写四位年份，如 2027。",
            f"Year {year!s} is not valid: give a four-digit year such as 2027.",
            details={"year": str(year)},
        )


class CalendarBadNote(KehuError):
    def __init__(self, *, max_length: int) -> None:
        super().__init__(
            CalendarErrorCode.BAD_NOTE,
            f"请填写声明的依据（最多 {max_length} 字），"
            "如“国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号”。",
            f"Give the source of the declaration (at most {max_length} characters), e.g. the "
            "title and number of the State Council notice on the year's holiday arrangement.",
        )


class CalendarYearAlreadyCovered(KehuError):
    status = 422

    def __init__(self, *, year: int, source: str) -> None:
        super().__init__(
            CalendarErrorCode.YEAR_ALREADY_COVERED,
            f"无需声明：已安装的官方节假日数据（{source}）已包含 {year} 年的安排，"
            f"按工作日计算的期限直接使用官方安排（公司日历例外仍然优先）。",
            f"No declaration needed: the installed official data ({source}) already includes "
            f"{year}; working-day deadlines use it (company overrides still come first).",
            details={"year": year, "source": source},
        )


class CalendarYearHasNoOverrides(KehuError):
    status = 422

    def __init__(self, *, year: int) -> None:
        super().__init__(
            CalendarErrorCode.YEAR_HAS_NO_OVERRIDES,
            f"无法声明 {year} 年安排：本公司还没有录入任何 {year} 年的日历例外。"
            f"声明后，{year} 年中没有例外的日期一律按周一至周五上班、周六周日休息计算，"
            f"现在声明等于认定 {year} 年没有任何法定节假日。请先按国务院办公厅公布的 {year} 年"
            f"节假日安排，录入全部放假日期（休）和调休上班日期（班），再声明。",
            f"Cannot declare {year}: your company has entered no calendar override for {year}. "
            f"Once declared, every {year} date without an override follows the ordinary week, "
            f"so declaring now would mean {year} has no public holidays at all. First enter all "
            f"of the official {year} days off (休) and adjusted working days (班) as overrides, "
            f"then declare the year.",
            details={"year": year},
        )


class CalendarYearAlreadyDeclared(KehuError):
    status = 409

    def __init__(self, *, year: int) -> None:
        super().__init__(
            CalendarErrorCode.YEAR_ALREADY_DECLARED,
            f"本公司已声明过 {year} 年安排；如需更改依据，请先撤回原声明再重新声明。",
            f"Your company has already declared {year}; withdraw that declaration first to "
            "declare it again.",
            details={"year": year},
        )


class CalendarDeclarationNotFound(NotFound):
    def __init__(self, year: object) -> None:
        super().__init__(
            CalendarErrorCode.DECLARATION_NOT_FOUND,
            f"本公司没有 {year!s} 年的年度声明。",
            f"Your company has no declaration for {year!s}.",
            details={"year": str(year)},
        )


class CalendarImportEmpty(KehuError):
    def __init__(self) -> None:
        super().__init__(
            CalendarErrorCode.IMPORT_EMPTY,
            "没有可导入的行：每行写一个日期，如“2027-01-01 休 元旦”或“2027-02-06 班 春节调休”。",
            "Nothing to import: one date per line, e.g. “2027-01-01 休 元旦” (day off) or "
            "“2027-02-06 班 春节调休” (working day).",
        )


class CalendarImportRejected(KehuError):
    def __init__(self, rejected: list[dict[str, object]]) -> None:
        first = rejected[0]
        super().__init__(
            CalendarErrorCode.IMPORT_REJECTED,
            f"有 {len(rejected)} 行无法导入，全部未保存。第 {first['line']} 行："
            f"{first['message_zh']}",
            f"{len(rejected)} line(s) cannot be imported, so nothing was saved. "
            f"Line {first['line']}: {first['message_en']}",
            details={"rejected": rejected},
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
