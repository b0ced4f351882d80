"""``kehu calendar due|years``: compute a deadline, list the years the calendar covers.

    kehu calendar due --from 2026-02-13T16:00 --amount 2 --unit workday [--company CODE]
    kehu calendar years [--company CODE]

A ``--from`` without an offset is Asia/Shanghai wall time. Errors print the Chinese message and
the English one to stderr and exit non-zero.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.calendar import selectors
from kehu.core.errors import KehuError
from kehu.core.org.models import Company

EXIT_KEHU_ERROR = 2


class Command(BaseCommand):
    help = "期限日历：计算截止时间（due），列出已覆盖年份（years）。 Deadlines calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{due,years}")
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
        years.add_argument("--company", help="公司代码：同时列出该公司各年份的例外数")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "due":
                self._due(options)
            else:
                self._years(options)
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
        if options["company"]:
            if not coverage.override_years:
                self.stdout.write("公司日历例外 / company overrides: —")
            for year, count in coverage.override_years.items():
                covered = "" if year in years else "  （官方数据未覆盖 / not in official data）"
                self.stdout.write(f"{year}: {count} 条公司日历例外 / overrides{covered}")
