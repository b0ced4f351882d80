"""``kehu calendar …``: compute a deadline, list the years the calendar covers, declare a year,
import many overrides.

    kehu calendar due --from 2026-02-13T16:00 --amount 2 --unit workday [--company CODE]
    kehu calendar years [--company CODE]
    kehu calendar declare-year 2027 --company CODE --user USERNAME --note "国务院办公厅关于…通知"
    kehu calendar withdraw-year 2027 --company CODE --user USERNAME
    kehu calendar import --company CODE FILE [--dry-run] [--user USERNAME]

A ``--from`` without an offset is Asia/Shanghai wall time. Writing commands act as ``--user``
(a login holding ``calendar.add_calendaroverride`` in that company, or a superuser), who is
recorded as the author and in the audit trail; ``import --dry-run`` writes nothing and needs no
user. ``FILE`` is UTF-8 (GB18030 is read too, as saved by Chinese Excel); ``-`` reads stdin.
Errors print the Chinese message and the English one to stderr and exit with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.calendar import selectors, services
from kehu.core.calendar.errors import CalendarImportRejected
from kehu.core.errors import KehuError
from kehu.core.org.models import Company

EXIT_KEHU_ERROR = 2
ACTIONS = ("due", "years", "declare-year", "withdraw-year", "import")


class Command(BaseCommand):
    help = (
        "期限日历：计算截止时间（due），列出年份（years），声明/撤回年度安排"
        "（declare-year/withdraw-year），批量导入例外（import）。 Deadlines calendar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{" + ",".join(ACTIONS) + "}"
        )
        due = sub.add_parser("due", help="计算截止时间 / compute a due time")
        due.add_argument(
            "--from", dest="start", required=True, help="起算时间，如 2026-02-13T16:00"
        )
        due.add_argument("--amount", type=int, default=1, help="数量（默认 1）")
        due.add_argument(
            "--unit",
            required=True,
            help="hour 钟点小时 | day 自然日 | workday 工作日 | sameday 当日",
        )
        due.add_argument("--company", help="公司代码：计入该公司的日历例外")
        due.add_argument("--lang", choices=["zh", "en"], default="zh", help="说明文字的语言")
        years = sub.add_parser("years", help="列出官方数据覆盖的年份 / covered years")
        years.add_argument("--company", help="公司代码：同时列出该公司各年份的例外数和年度声明")

        declare = sub.add_parser(
            "declare-year", help="声明某年安排已录入完整 / declare a year's arrangement entered"
        )
        declare.add_argument("year", type=int, help="年份，如 2027")
        declare.add_argument("--company", required=True, help="公司代码")
        declare.add_argument("--user", required=True, help="以此账号的名义声明（需有日历维护权限）")
        declare.add_argument(
            "--note", required=True, help="依据：国务院办公厅关于该年部分节假日安排的通知及文号"
        )
        withdraw = sub.add_parser("withdraw-year", help="撤回年度声明 / withdraw a declaration")
        withdraw.add_argument("year", type=int, help="年份，如 2027")
        withdraw.add_argument("--company", required=True, help="公司代码")
        withdraw.add_argument("--user", required=True, help="以此账号的名义撤回")

        imp = sub.add_parser("import", help="批量导入公司日历例外 / import overrides from a file")
        imp.add_argument(
            "file", help="每行一条：2027-01-01 休 元旦 / 2027-02-06 班 春节调休；- 为标准输入"
        )
        imp.add_argument("--company", required=True, help="公司代码")
        imp.add_argument("--dry-run", action="store_true", help="只检查并预览，不保存")
        imp.add_argument("--user", help="以此账号的名义导入（不带 --dry-run 时必填）")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "due": self._due,
            "years": self._years,
            "declare-year": self._declare,
            "withdraw-year": self._withdraw,
            "import": self._import,
        }
        try:
            handlers[options["action"]](options)
        except KehuError as error:
            raise CommandError(
                f"[{error.code}] {error.message_zh}\n{error.message_en}", returncode=EXIT_KEHU_ERROR
            ) from error

    def _company(self, code: str | None) -> Company | None:
        if not code:
            return None
        company = Company.objects.filter(code=code).first()
        if company is None:
            raise CommandError(f"没有代码为 {code} 的公司。\nNo company with code {code}.")
        return company

    def _required_company(self, code: str) -> Company:
        company = self._company(code)
        assert company is not None  # argparse makes --company required here
        return company

    def _user(self, username: str | None) -> User:
        if not username:
            raise CommandError(
                "请用 --user 指明以哪个账号的名义操作（需有日历维护权限）。\n"
                "Say with --user which login acts (it needs calendar.add_calendaroverride)."
            )
        user = get_user_model().objects.filter(username=username).first()
        if not isinstance(user, User):
            raise CommandError(f"没有用户名为 {username} 的账号。\nNo login named {username}.")
        return user

    def _due(self, options: dict[str, Any]) -> None:
        decision = selectors.due_at_for_company(
            company=self._company(options["company"]),
            start=options["start"],
            amount=options["amount"],
            unit=options["unit"],
        )
        self.stdout.write(decision.due_at_display)
        lang_en = options["lang"] == "en"
        self.stdout.write(decision.explanation_en if lang_en else decision.explanation_zh)

    def _years(self, options: dict[str, Any]) -> None:
        coverage = selectors.calendar_coverage(company=self._company(options["company"]))
        years = coverage.official_years
        self.stdout.write(
            f"官方节假日数据 / official data: {coverage.source}, {years[0]}–{years[-1]}"
            if years
            else f"{coverage.source}: —"
        )
        if not options["company"]:
            return
        if not coverage.years:
            self.stdout.write("公司日历例外 / company overrides: —")
        for year in coverage.years:
            line = (
                f"{year.year}: {year.overrides} 条公司日历例外 / overrides"
                f"（休 {year.days_off}，班 {year.working_days}）"
            )
            if not year.official:
                line += "  （官方数据未覆盖 / not in official data）"
                if year.declaration is not None:
                    d = year.declaration
                    line += (
                        f"  已声明 / declared: {d.note}"
                        f"（{d.declared_by.get_username()}，{d.declared_at:%Y-%m-%d}）"
                    )
                else:
                    line += "  未声明 / not declared: 工作日期限遇到无例外的日期会报错"
            self.stdout.write(line)

    def _declare(self, options: dict[str, Any]) -> None:
        declaration = services.calendar_year_declare(
            company=self._required_company(options["company"]),
            year=options["year"],
            note=options["note"],
            actor=self._user(options["user"]),
        )
        self.stdout.write(
            f"已声明 {declaration.year} 年安排已录入完整 / declared {declaration.year}: "
            f"{declaration.note}"
        )

    def _withdraw(self, options: dict[str, Any]) -> None:
        services.calendar_year_withdraw(
            company=self._required_company(options["company"]),
            year=options["year"],
            actor=self._user(options["user"]),
        )
        self.stdout.write(f"已撤回 {options['year']} 年的年度声明 / withdrawn")

    def _read(self, path: str) -> str:
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                f"无法读取文件 {path}：{error}\nCannot read {path}: {error}"
            ) from error
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace")

    def _import(self, options: dict[str, Any]) -> None:
        company = self._required_company(options["company"])
        text = self._read(options["file"])
        dry_run = options["dry_run"]
        if dry_run and not options["user"]:
            preview = selectors.calendar_import_preview(company=company, text=text)
        else:
            try:
                preview = services.calendar_overrides_import(
                    company=company, text=text, dry_run=dry_run, actor=self._user(options["user"])
                )
            except CalendarImportRejected as error:
                for rejected in error.details["rejected"]:
                    self.stderr.write(
                        f"第 {rejected['line']} 行 / line {rejected['line']}: "
                        f"{rejected['text']} —— {rejected['message_zh']}"
                    )
                raise
        for row in preview.rows:
            line = row.line
            self.stdout.write(
                f"第 {line.line_no} 行 / line {line.line_no}: {line.day.isoformat()} "
                f"{line.marker_zh} {line.reason} —— {row.action_zh} / {row.action_en}"
            )
        for rejected in preview.rejected:
            self.stderr.write(
                f"第 {rejected.line_no} 行 / line {rejected.line_no}: {rejected.text} "
                f"—— {rejected.message_zh} / {rejected.message_en}"
            )
        counts = (
            f"新增 {preview.count('create')}，替换 {preview.count('replace')}，"
            f"不变 {preview.count('unchanged')}"
        )
        for year in preview.years:
            if not year.official and not year.declared:
                self.stdout.write(
                    f"提示：{year.year} 年不在官方数据中且尚未声明；录入完整后请执行 "
                    f"kehu calendar declare-year {year.year} --company {company.code} …"
                )
        if dry_run:
            if preview.rejected:
                raise CommandError(
                    f"预览：有 {len(preview.rejected)} 行无法导入，正式导入将全部不保存。\n"
                    f"Dry run: {len(preview.rejected)} line(s) rejected; nothing would be saved.",
                    returncode=EXIT_KEHU_ERROR,
                )
            self.stdout.write(f"预览（未保存）/ dry run, nothing saved: {counts}")
        else:
            self.stdout.write(f"已导入 / imported: {counts}")
