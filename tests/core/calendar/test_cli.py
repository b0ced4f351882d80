"""``kehu calendar due|years`` (the management command behind the ``kehu`` CLI)."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.core.calendar import services
from kehu.core.org.models import Staff


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_due_prints_the_local_due_time_and_a_one_line_explanation() -> None:
    out, _ = run("due", "--from", "2026-02-13T16:00", "--amount", "2", "--unit", "workday")
    lines = out.splitlines()
    assert lines[0] == "2026-02-24 23:59:59 (Asia/Shanghai)"
    assert len(lines) == 2
    assert "计入：2026-02-14 调休上班（春节）" in lines[1]
    assert "跳过：2026-02-15 至 2026-02-23 法定节假日（春节）" in lines[1]


def test_due_in_english() -> None:
    out, _ = run(
        "due", "--from", "2025-09-30 19:30", "--amount", "2", "--unit", "workday", "--lang", "en"
    )
    assert out.splitlines()[0] == "2025-10-10 23:59:59 (Asia/Shanghai)"
    assert "Skipped: 2025-10-01 to 2025-10-08 public holiday" in out


def test_a_start_with_an_offset_is_honoured() -> None:
    out, _ = run("due", "--from", "2026-02-13T08:00Z", "--amount", "3", "--unit", "hour")
    assert out.splitlines()[0] == "2026-02-13 19:00:00 (Asia/Shanghai)"


def test_sameday_needs_no_amount() -> None:
    out, _ = run("due", "--from", "2026-02-16T09:00", "--unit", "sameday")
    assert out.splitlines()[0] == "2026-02-16 23:59:59 (Asia/Shanghai)"


def test_an_uncovered_year_is_an_error_in_both_languages() -> None:
    with pytest.raises(CommandError) as raised:
        run("due", "--from", "2026-12-31T10:00", "--amount", "1", "--unit", "workday")
    message = str(raised.value)
    assert raised.value.returncode == 2
    assert message.startswith("[calendar.year_not_covered] ")
    assert "2027 年" in message and "Upgrade chinesecalendar" in message


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--amount", "1", "--unit", "week"], "calendar.bad_unit"),
        (["--amount", "0", "--unit", "workday"], "calendar.bad_amount"),
    ],
)
def test_bad_input_is_an_error(args: list[str], code: str) -> None:
    with pytest.raises(CommandError, match=re.escape(code)):
        run("due", "--from", "2026-02-13T16:00", *args)


def test_bad_start_is_an_error() -> None:
    with pytest.raises(CommandError, match=r"calendar\.bad_start"):
        run("due", "--from", "tomorrow", "--unit", "day")


@pytest.mark.django_db
def test_company_overrides_are_applied(sun: Staff) -> None:
    services.calendar_override_set(
        company=sun.company,
        date=date(2026, 2, 24),
        is_working_day=False,
        reason="节后错峰休息",
        actor=sun.user,
    )
    args = ["due", "--from", "2026-02-13T16:00", "--amount", "2", "--unit", "workday"]
    out, _ = run(*args, "--company", sun.company.code)
    assert out.splitlines()[0] == "2026-02-25 23:59:59 (Asia/Shanghai)"
    assert "公司休息日（节后错峰休息）" in out


@pytest.mark.django_db
def test_an_unknown_company_is_an_error() -> None:
    with pytest.raises(CommandError, match="nobody"):
        run("due", "--from", "2026-02-13T16:00", "--unit", "day", "--company", "nobody")


def test_years_lists_the_official_range() -> None:
    out, _ = run("years")
    assert "2004–2026" in out
    assert "chinesecalendar" in out


@pytest.mark.django_db
def test_years_lists_a_companys_overrides(sun: Staff) -> None:
    services.calendar_override_set(
        company=sun.company,
        date=date(2027, 1, 4),
        is_working_day=True,
        reason="上班",
        actor=sun.user,
    )
    out, _ = run("years", "--company", sun.company.code)
    assert "2027: 1" in out and "not in official data" in out
