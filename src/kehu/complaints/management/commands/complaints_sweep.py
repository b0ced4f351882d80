"""``kehu complaints_sweep [--at 2026-03-03T08:00]``: run the complaints sweep once (the Huey
worker runs it every minute); ``--at`` sweeps as of another time (Asia/Shanghai if no offset)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.complaints.services import complaint_sweep_all
from kehu.core.calendar.rules import parse_start


class Command(BaseCommand):
    help = "巡检未办结投诉：预警、超时、催办、督办（A3、A8.2）。Run the complaints sweep once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", default="", help="sweep as of this time (ISO 8601)")

    def handle(self, *args: Any, **options: Any) -> None:
        at = parse_start(options["at"]) if options["at"] else None
        result = complaint_sweep_all(now=at)
        self.stdout.write(
            f"检查 {result.looked_at} 件：预警 {result.warnings}，超时 {result.breaches}，"
            f"督办 {result.escalations}，罚款提议 {result.fines}"
            f"（{result.batches} 批，最慢一批 {result.slowest_batch_seconds:.2f} 秒）"
            + ("；还有到期的投诉，下一轮巡检继续" if result.more_due else "")
        )
