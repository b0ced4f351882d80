"""Reading pasted override lines (``2027-01-01 休 元旦``), and importing them all or nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.core.audit.models import AuditEvent
from kehu.core.calendar import selectors, services
from kehu.core.calendar.errors import (
    CalendarImportEmpty,
    CalendarImportRejected,
    CalendarPermissionDenied,
)
from kehu.core.calendar.models import CalendarOverride
from kehu.core.calendar.override_lines import (
    MAX_LINES,
    LineProblem,
    OverrideLine,
    parse_override_lines,
)
from kehu.core.org.models import Staff


class TestReadingLines:
    def test_the_two_markers(self) -> None:
        parsed = parse_override_lines("2027-01-01 休 元旦\n2027-02-06 班 春节调休\n")
        assert parsed.ok and not parsed.rejected
        assert parsed.lines == (
            OverrideLine(1, "2027-01-01 休 元旦", date(2027, 1, 1), False, "元旦"),
            OverrideLine(2, "2027-02-06 班 春节调休", date(2027, 2, 6), True, "春节调休"),
        )

    @pytest.mark.parametrize(
        "line",
        [
            "2027-01-01 休 元旦",
            "2027/1/1 休 元旦",
            "2027.01.01\t休息\t元旦",  # pasted from Excel
            "2027年1月1日 休 元旦",
            "２０２７－０１－０１　休　元旦",  # full-width digits and spaces
            "2027-01-01,休,元旦",
            "  2027-01-01   休   元旦  ",
        ],
    )
    def test_common_ways_of_writing_a_line(self, line: str) -> None:
        (read,) = parse_override_lines(line).lines
        assert (read.day, read.is_working_day, read.reason) == (date(2027, 1, 1), False, "元旦")

    def test_the_reason_keeps_its_spaces_and_punctuation(self) -> None:
        (read,) = parse_override_lines("2027-02-06 上班 春节调休 （周六）, 按通知").lines
        assert read.is_working_day and read.reason == "春节调休 （周六）, 按通知"

    def test_blank_and_comment_lines_are_ignored_but_line_numbers_kept(self) -> None:
        parsed = parse_override_lines("# 2027 年安排\n\n2027-01-01 休 元旦\n")
        assert [line.line_no for line in parsed.lines] == [3]

    @pytest.mark.parametrize(
        ("line", "problem", "words"),
        [
            ("2027-02-30 休 不存在的日期", LineProblem.BAD_DATE, "2027-02-30"),
            ("明天 休 元旦", LineProblem.BAD_DATE, "明天"),
            ("日期 标记 原因", LineProblem.BAD_DATE, "日期"),
            ("2027-01-01 假 元旦", LineProblem.UNKNOWN_MARKER, "假"),
            ("2027-01-01", LineProblem.UNKNOWN_MARKER, "休"),
            ("2027-01-01 休", LineProblem.MISSING_REASON, "原因"),
            ("2027-01-01 休 " + "长" * 201, LineProblem.REASON_TOO_LONG, "200"),
        ],
    )
    def test_a_bad_line_is_rejected_with_its_reason(
        self, line: str, problem: LineProblem, words: str
    ) -> None:
        parsed = parse_override_lines(f"2027-01-04 班 正常\n{line}\n")
        assert not parsed.ok
        (rejected,) = parsed.rejected
        assert (rejected.line_no, rejected.problem) == (2, problem)
        assert words in rejected.message_zh and rejected.message_en

    def test_a_date_given_twice_is_rejected_naming_the_first_line(self) -> None:
        parsed = parse_override_lines("2027-01-01 休 元旦\n2027-01-01 班 值班\n")
        (rejected,) = parsed.rejected
        assert rejected.problem is LineProblem.DUPLICATE
        assert "第 1 行" in rejected.message_zh and rejected.line_no == 2

    def test_too_many_lines_stops_the_reading(self) -> None:
        first = date(2027, 1, 1)
        text = "\n".join(
            f"{(first + timedelta(days=i)).isoformat()} 班 x" for i in range(MAX_LINES + 5)
        )
        parsed = parse_override_lines(text)
        assert len(parsed.lines) == MAX_LINES
        assert [r.problem for r in parsed.rejected] == [LineProblem.TOO_MANY_LINES]

    def test_nothing_to_read_is_not_ok(self) -> None:
        assert not parse_override_lines("# 只有注释\n\n").ok


entries = st.dictionaries(
    keys=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    values=st.tuples(
        st.booleans(),
        st.text(
            alphabet=st.sampled_from("元旦春节调休值班公司年会（）ab 1"), min_size=1, max_size=30
        )
        .map(str.strip)
        .filter(bool),
    ),
    max_size=40,
)
separators = st.sampled_from([" ", "\t", "  ", "，", "\u3000"])


@given(entries=entries, data=st.data())
def test_every_well_formed_line_is_read_back_exactly(
    entries: dict[date, tuple[bool, str]], data: st.DataObject
) -> None:
    lines = []
    for day, (working, reason) in entries.items():
        sep = data.draw(separators)
        marker = data.draw(st.sampled_from(["班", "上班"] if working else ["休", "休息"]))
        lines.append(f"{day.isoformat()}{sep}{marker}{sep}{reason}")
    parsed = parse_override_lines("\n".join(lines))
    assert not parsed.rejected
    assert {line.day: (line.is_working_day, line.reason) for line in parsed.lines} == entries


@given(
    good=st.lists(st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)), unique=True),
    bad=st.lists(st.sampled_from(["2027-13-01 休 x", "2027-01-01 放 x", "x y z", "2027-1-1 休"])),
    data=st.data(),
)
def test_every_line_is_either_read_or_rejected(
    good: list[date], bad: list[str], data: st.DataObject
) -> None:
    lines = [f"{day.isoformat()} 班 x" for day in good if day != date(2027, 1, 1)] + bad
    lines = data.draw(st.permutations(lines))
    parsed = parse_override_lines("\n".join(lines))
    assert len(parsed.lines) + len(parsed.rejected) == len(lines)
    assert parsed.ok == (not bad and bool(parsed.lines))


@pytest.mark.django_db
class TestImporting:
    def test_a_dry_run_previews_and_writes_nothing(self, sun: Staff, example_2027: str) -> None:
        preview = services.calendar_overrides_import(
            company=sun.company, text=example_2027, dry_run=True, actor=sun.user
        )
        assert preview.ok and preview.count("create") == 9
        assert [y.year for y in preview.years] == [2027]
        assert not preview.years[0].official and not preview.years[0].declared
        assert not CalendarOverride.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_a_dry_run_shows_rejected_lines_next_to_the_good_ones(self, sun: Staff) -> None:
        preview = services.calendar_overrides_import(
            company=sun.company,
            text="2027-01-01 休 元旦\n2027-01-32 休 x\n2027-01-01 班 y\n",
            dry_run=True,
            actor=sun.user,
        )
        assert not preview.ok
        assert [row.line.line_no for row in preview.rows] == [1]
        assert [(r.line_no, r.problem) for r in preview.rejected] == [
            (2, LineProblem.BAD_DATE),
            (3, LineProblem.DUPLICATE),
        ]

    def test_import_writes_every_line_and_audits_each(self, sun: Staff, example_2027: str) -> None:
        preview = services.calendar_overrides_import(
            company=sun.company, text=example_2027, actor=sun.user
        )
        assert preview.count("create") == 9
        overrides = CalendarOverride.objects.filter(company=sun.company)
        assert overrides.count() == 9
        assert overrides.get(date=date(2027, 2, 13)).is_working_day
        events = AuditEvent.objects.filter(object_type="calendar.override")
        assert events.count() == 9
        assert all(e.detail["via"] == "import" and e.actor == sun.user for e in events)

    def test_one_bad_line_and_nothing_is_written(self, sun: Staff, example_2027: str) -> None:
        with pytest.raises(CalendarImportRejected) as raised:
            services.calendar_overrides_import(
                company=sun.company,
                text=example_2027 + "2027-10-01 国庆 国庆节\n2027-10-02 休\n",
                actor=sun.user,
            )
        error = raised.value
        assert error.status == 400 and error.code == "calendar.import_rejected"
        assert "全部未保存" in error.message_zh and "第 11 行" in error.message_zh
        assert [r["problem"] for r in error.details["rejected"]] == [
            "unknown_marker",
            "missing_reason",
        ]
        assert not CalendarOverride.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_existing_overrides_are_replaced_or_left_alone(self, sun: Staff) -> None:
        services.calendar_override_set(
            company=sun.company,
            date=date(2027, 1, 1),
            is_working_day=True,
            reason="值班",
            actor=sun.user,
        )
        services.calendar_override_set(
            company=sun.company,
            date=date(2027, 1, 4),
            is_working_day=True,
            reason="正常",
            actor=sun.user,
        )
        text = "2027-01-01 休 元旦\n2027-01-04 班 正常\n2027-01-05 班 正常\n"
        preview = selectors.calendar_import_preview(company=sun.company, text=text)
        assert [row.action for row in preview.rows] == ["replace", "unchanged", "create"]
        assert (preview.rows[0].before_working, preview.rows[0].before_reason) == (True, "值班")
        services.calendar_overrides_import(company=sun.company, text=text, actor=sun.user)
        assert not CalendarOverride.objects.get(date=date(2027, 1, 1)).is_working_day
        # Two writes (replace, create), each audited; the unchanged line is not touched
        assert AuditEvent.objects.filter(detail__via="import").count() == 2

    def test_an_empty_paste_is_refused(self, sun: Staff) -> None:
        with pytest.raises(CalendarImportEmpty):
            services.calendar_overrides_import(
                company=sun.company, text="# nothing\n", dry_run=True, actor=sun.user
            )

    def test_a_salesperson_may_not_import_or_preview(self, li: Staff) -> None:
        for dry_run in (True, False):
            with pytest.raises(CalendarPermissionDenied):
                services.calendar_overrides_import(
                    company=li.company, text="2027-01-01 休 元旦", dry_run=dry_run, actor=li.user
                )
        assert not CalendarOverride.objects.exists()

    def test_an_import_only_touches_the_importers_company(
        self, sun: Staff, zhou: Staff, example_2027: str
    ) -> None:
        services.calendar_overrides_import(company=zhou.company, text=example_2027, actor=zhou.user)
        preview = selectors.calendar_import_preview(company=sun.company, text=example_2027)
        assert {row.action for row in preview.rows} == {"create"}
        with pytest.raises(CalendarPermissionDenied):
            services.calendar_overrides_import(
                company=zhou.company, text="2027-01-04 休 x", actor=sun.user
            )
