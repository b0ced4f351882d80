"""``kehu calendar due|years|declare-year|withdraw-year|import`` (the management command behind
the ``kehu`` CLI)."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.core.calendar import services
from kehu.core.calendar.models import CalendarOverride, CalendarYearDeclaration
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


# --- declared years and imports (2027 dates: the made-up TEST DATA of conftest.EXAMPLE_2027) ---
NOTE = "测试数据：虚构的2027年安排（非国务院通知）"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "2027.txt"
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.django_db
def test_import_dry_run_previews_without_a_user_and_saves_nothing(
    sun: Staff, example_2027: str, tmp_path: Path
) -> None:
    out, _ = run(
        "import", "--company", sun.company.code, write(tmp_path, example_2027), "--dry-run"
    )
    assert "第 2 行 / line 2: 2027-01-01 休 元旦（测试数据） —— 新增" in out
    assert "预览（未保存）" in out and "新增 9" in out
    assert "kehu calendar declare-year 2027" in out
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_import_dry_run_with_a_bad_line_lists_it_and_fails(sun: Staff, tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    path = write(tmp_path, "2027-01-01 休 元旦\n2027-01-02 休假 x\n")
    with pytest.raises(CommandError) as raised:
        call_command(
            "calendar",
            "import",
            "--company",
            sun.company.code,
            path,
            "--dry-run",
            stdout=out,
            stderr=err,
        )
    assert raised.value.returncode == 2
    assert "第 2 行" in err.getvalue() and "不认识的标记" in err.getvalue()


@pytest.mark.django_db
def test_import_needs_a_user_and_saves_all_or_nothing(
    sun: Staff, example_2027: str, tmp_path: Path
) -> None:
    path = write(tmp_path, example_2027 + "2027-13-01 休 x\n")
    with pytest.raises(CommandError, match="--user"):
        run("import", "--company", sun.company.code, path)
    with pytest.raises(CommandError, match=r"calendar\.import_rejected"):
        run("import", "--company", sun.company.code, path, "--user", sun.user.get_username())
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_import_reads_gb18030_files_as_saved_by_chinese_excel(
    sun: Staff, example_2027: str, tmp_path: Path
) -> None:
    path = write(tmp_path, example_2027, encoding="gb18030")
    out, _ = run("import", "--company", sun.company.code, path, "--user", sun.user.get_username())
    assert "已导入 / imported: 新增 9" in out
    assert CalendarOverride.objects.get(date=date(2027, 2, 13)).reason == "春节调休（测试数据）"


@pytest.mark.django_db
def test_a_salesperson_cannot_import(li: Staff, example_2027: str, tmp_path: Path) -> None:
    path = write(tmp_path, example_2027)
    with pytest.raises(CommandError, match=r"calendar\.permission_denied"):
        run("import", "--company", li.company.code, path, "--user", li.user.get_username())


@pytest.mark.django_db
def test_declare_year_then_years_shows_it_and_deadlines_count(
    sun: Staff, example_2027: str, tmp_path: Path
) -> None:
    user = sun.user.get_username()
    code = sun.company.code
    run("import", "--company", code, write(tmp_path, example_2027), "--user", user)
    out, _ = run("years", "--company", code)
    assert "2027: 9 条" in out and "未声明 / not declared" in out
    out, _ = run("declare-year", "2027", "--company", code, "--note", NOTE, "--user", user)
    assert "declared 2027" in out
    out, _ = run("years", "--company", code)
    assert "已声明 / declared: " + NOTE in out and user in out
    out, _ = run(
        "due",
        "--from",
        "2026-12-30T10:00",
        "--amount",
        "3",
        "--unit",
        "workday",
        "--company",
        code,
    )
    assert out.splitlines()[0] == "2027-01-05 23:59:59 (Asia/Shanghai)"
    assert "公司已声明2027年安排" in out
    run("withdraw-year", "2027", "--company", code, "--user", user)
    assert not CalendarYearDeclaration.objects.exists()


@pytest.mark.django_db
def test_declare_year_refusals_are_clear(sun: Staff) -> None:
    user = sun.user.get_username()
    code = sun.company.code
    with pytest.raises(CommandError, match=r"calendar\.year_already_covered"):
        run("declare-year", "2026", "--company", code, "--note", NOTE, "--user", user)
    with pytest.raises(CommandError) as raised:
        run("declare-year", "2027", "--company", code, "--note", NOTE, "--user", user)
    assert "calendar.year_has_no_overrides" in str(raised.value)
    assert "（休）" in str(raised.value)
    with pytest.raises(CommandError, match="nobody"):
        run("declare-year", "2027", "--company", code, "--note", NOTE, "--user", "nobody")
