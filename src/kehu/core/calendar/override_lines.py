"""Reading company calendar overrides pasted as lines of text. Pure: no Django, no I/O.

One override per line, three fields separated by spaces, tabs or commas::

    2027-01-01 休 元旦
    2027-02-06 班 春节调休

* date: ``2027-01-01``, ``2027/1/1``, ``2027.1.1`` or ``2027年1月1日`` (full-width digits are
  read too);
* marker: ``休`` (or ``休息``) — a day off; ``班`` (or ``上班``) — a working day;
* reason: the rest of the line, required, at most 200 characters.

Blank lines and lines starting with ``#`` are ignored. Every other line is either read or
rejected with a reason (bad date, unknown marker, missing reason, date given twice); callers
write nothing unless every line was read (all or nothing).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MARKERS: dict[str, bool] = {"休": False, "休息": False, "班": True, "上班": True}
REASON_MAX_LENGTH = 200
# A year has at most 366 dates; this leaves room for several years and stops runaway pastes.
MAX_LINES = 1000

_FIELD_SEPARATOR = re.compile(r"[\s,，;；]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class LineProblem(StrEnum):
    BAD_DATE = "bad_date"
    UNKNOWN_MARKER = "unknown_marker"
    MISSING_REASON = "missing_reason"
    REASON_TOO_LONG = "reason_too_long"
    DUPLICATE = "duplicate"
    TOO_MANY_LINES = "too_many_lines"


@dataclass(frozen=True)
class OverrideLine:
    """A line read as one override."""

    line_no: int
    text: str
    day: date
    is_working_day: bool
    reason: str

    @property
    def marker_zh(self) -> str:
        return "班" if self.is_working_day else "休"


@dataclass(frozen=True)
class RejectedLine:
    """A line that cannot be read, and why, in both languages."""

    line_no: int
    text: str
    problem: LineProblem
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class ParsedLines:
    lines: tuple[OverrideLine, ...]
    rejected: tuple[RejectedLine, ...]

    @property
    def ok(self) -> bool:
        """Something to import and nothing wrong."""
        return bool(self.lines) and not self.rejected


def _reject(line_no: int, text: str, problem: LineProblem, zh: str, en: str) -> RejectedLine:
    return RejectedLine(line_no, text, problem, zh, en)


def _read_date(field: str) -> date | None:
    match = _DATE.match(unicodedata.normalize("NFKC", field))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_override_lines(text: str) -> ParsedLines:
    """Read every line of ``text``; see the module docstring for the format."""
    lines: list[OverrideLine] = []
    rejected: list[RejectedLine] = []
    first_line_of: dict[date, int] = {}
    read = 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        read += 1
        if read > MAX_LINES:
            rejected.append(
                _reject(
                    line_no,
                    line,
                    LineProblem.TOO_MANY_LINES,
                    f"一次最多导入 {MAX_LINES} 行；请分批导入。",
                    f"At most {MAX_LINES} lines at a time; import in parts.",
                )
            )
            break
        fields = _FIELD_SEPARATOR.split(line, maxsplit=2)
        day = _read_date(fields[0])
        if day is None:
            rejected.append(
                _reject(
                    line_no,
                    line,
                    LineProblem.BAD_DATE,
                    f"日期“{fields[0]}”无法识别或不存在；请写成 2027-01-01。",
                    f"Cannot read the date {fields[0]!r} (or no such date); write 2027-01-01.",
                )
            )
            continue
        marker = unicodedata.normalize("NFKC", fields[1]) if len(fields) > 1 else ""
        if marker not in MARKERS:
            rejected.append(
                _reject(
                    line_no,
                    line,
                    LineProblem.UNKNOWN_MARKER,
                    f"不认识的标记“{marker}”：请写“休”（休息）或“班”（上班）。",
                    f"Unknown marker {marker!r}: write 休 (day off) or 班 (working day).",
                )
            )
            continue
        reason = fields[2].strip() if len(fields) > 2 else ""
        if not reason:
            rejected.append(
                _reject(
                    line_no,
                    line,
                    LineProblem.MISSING_REASON,
                    "缺少原因：请在标记后写明原因，如“元旦”“春节调休”。",
                    "No reason: write one after the marker, e.g. 元旦 or 春节调休.",
                )
            )
            continue
        if len(reason) > REASON_MAX_LENGTH:
            rejected.append(
                _reject(
                    line_no,
                    line,
                    LineProblem.REASON_TOO_LONG,
                    f"原因超过 {REASON_MAX_LENGTH} 字。",
                    f"The reason is longer than {REASON_MAX_LENGTH} characters.",
                )
            )
            continue
        if day in first_line_of:
            first = first_line_of[day]
            rejected.append(
                _reject(
                    line_no,
                    line,
                    LineProblem.DUPLICATE,
                    f"{day.isoformat()} 重复：第 {first} 行已写过这一天。",
                    f"{day.isoformat()} is given twice: line {first} already has it.",
                )
            )
            continue
        first_line_of[day] = line_no
        lines.append(OverrideLine(line_no, line, day, MARKERS[marker], reason))
    return ParsedLines(tuple(lines), tuple(rejected))
