"""``kehu ledger verify|head``: prove the evidence ledger intact; export its heads.

    kehu ledger head [--company CODE] [--stream NAME] > heads-2026-11.txt
    kehu ledger verify [--company CODE] [--stream NAME] [--heads heads-2026-11.txt]

``head`` prints one line per stream — ``<company code> <stream> <seq> <hash>`` — to keep outside
the database (print it, mail it, store it elsewhere). ``verify`` re-derives every chain from its
entries and, with ``--heads``, checks that each exported head is still reached with the same
hash: that is how a deleted tail, or a chain rewritten end to end by someone who can write to
the database, is caught.

Exit status: 0 intact, 1 tampering found (or append-only guards missing), 2 usage errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kehu.core.errors import KehuError
from kehu.core.ledger import rules, selectors
from kehu.core.ledger.errors import LedgerBadHeads, LedgerUnknownCompany
from kehu.core.org.models import Company

EXIT_TAMPERED = 1
EXIT_KEHU_ERROR = 2


class Command(BaseCommand):
    help = "证据账本：校验完整性（verify），导出各账本最新序号与哈希（head）。 Evidence ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,head}")
        verify = sub.add_parser("verify", help="校验账本完整性 / verify the hash chains")
        verify.add_argument("--company", help="只校验该公司（公司代码）")
        verify.add_argument("--stream", help="只校验该账本，如 registration_book")
        verify.add_argument(
            "--heads",
            type=Path,
            help="此前用 `ledger head` 导出的文件：核对各账本仍能到达当时的序号与哈希",
        )
        head = sub.add_parser("head", help="导出各账本最新序号与哈希 / print stream heads")
        head.add_argument("--company", help="只导出该公司（公司代码）")
        head.add_argument("--stream", help="只导出该账本")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "verify":
                self._verify(options)
            else:
                self._head(options)
        except KehuError as error:
            raise CommandError(
                f"[{error.code}] {error.message_zh}\n{error.message_en}", returncode=EXIT_KEHU_ERROR
            ) from error

    def _company(self, code: str | None) -> Company | None:
        if not code:
            return None
        company = Company.objects.filter(code=code).first()
        if company is None:
            raise LedgerUnknownCompany(code)
        return company

    def _head(self, options: dict[str, Any]) -> None:
        heads = selectors.ledger_heads(
            company=self._company(options["company"]), stream=options["stream"]
        )
        now = timezone.now().isoformat(timespec="seconds")
        self.stdout.write(f"# kehu ledger head {now} — 公司代码 账本 序号 哈希")
        for line in rules.format_heads(h.exported() for h in heads):
            self.stdout.write(line)

    def _verify(self, options: dict[str, Any]) -> None:
        heads: list[rules.ExportedHead] = []
        if options["heads"] is not None:
            try:
                heads = rules.parse_heads(options["heads"].read_text("utf-8").splitlines())
            except OSError as error:
                raise CommandError(
                    f"无法读取账本头文件 {options['heads']}：{error}\n"
                    f"Cannot read the heads file {options['heads']}: {error}",
                    returncode=EXIT_KEHU_ERROR,
                ) from error
            except rules.BadHeadLine as error:
                raise LedgerBadHeads(error) from error
        report = selectors.ledger_verify(
            company=self._company(options["company"]), stream=options["stream"], heads=heads
        )
        if not report.streams:
            self.stdout.write(
                "账本为空：没有需要校验的账本 / no ledger streams to verify"
                + ("" if report.unguarded_tables else " … ok")
            )
        for check in report.streams:
            name = f"{check.company_code}/{check.stream}"
            head = check.result.head
            finding = check.finding
            if finding is None:
                self.stdout.write(
                    f"账本完整 {name}（{check.label_zh}）共 {check.result.count} 条，"
                    f"最新 #{head.seq} {head.hash[:16]}… ok"
                )
            else:
                entry = f"id {finding.entry_id}" if finding.entry_id is not None else "已不存在"
                self.stdout.write(
                    f"账本异常 {name}（{check.label_zh}）：第一个问题记录 #{finding.seq}"
                    f"（{entry}）{finding.label_zh} {finding.problem.value} — "
                    f"{finding.detail_zh} / {finding.detail_en} FAILED"
                )
        for table in report.unguarded_tables:
            self.stdout.write(
                f"保护缺失 {table}：数据库不再拒绝修改和删除"
                "（只可追加的触发器缺失、被停用或被改动）"
                " / append-only triggers missing, disabled or altered FAILED"
            )
        if not report.ok:
            bad = [f"{c.company_code}/{c.stream}" for c in report.bad_streams]
            raise CommandError(
                "账本校验未通过 / ledger verification failed: "
                + ", ".join(bad + report.unguarded_tables),
                returncode=EXIT_TAMPERED,
            )
