"""``kehu sales_import FILE.xlsx --site SITE --user USERNAME [--dry-run] [--json]``.

Imports a legacy register (旧客户登记本) into a sales office, as the staff member ``--user``
(whose post must allow ``sales.import_legacy_register``). ``--dry-run`` lists every rejected
row and why and writes nothing; without it all accepted rows are written in one transaction.
``--site`` is the sales office's id or exact name. Exit status 1 when the import is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.sales import import_services as services


class Command(BaseCommand):
    help = "导入旧客户登记本（Excel）/ import a legacy register from Excel"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .xlsx file")
        parser.add_argument("--site", required=True, help="sales office id or exact name")
        parser.add_argument("--user", required=True, help="username of the importing staff")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        staff = (
            Staff.objects.select_related("company", "user")
            .filter(user__username=options["user"], active=True)
            .first()
        )
        if staff is None:
            raise CommandError(f"no active staff member with username {options['user']!r}")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        try:
            if options["dry_run"]:
                report = services.legacy_import_check(
                    staff=staff, site=options["site"], content=content, file_name=path.name
                )
            else:
                report = services.legacy_import_run(
                    staff=staff, site=options["site"], content=content, file_name=path.name
                )
        except KehuError as error:
            raise CommandError(f"{error.code}: {error.message_zh} / {error.message_en}") from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            return
        mode = "试导入 dry run" if report.dry_run else "已导入 imported"
        self.stdout.write(
            f"{mode}: {report.file_name} → {report.site}; 读取 {report.rows_read} 行 rows, "
            f"可导入 {report.accepted} accepted, 拒绝 {report.rejected} rejected, "
            f"写入 {report.written} written; plan {report.plan}"
        )
        for p in report.problems:
            self.stdout.write(
                f"  第 {p.row} 行 row {p.row} · {p.column} ({p.code}): {p.message_zh} / "
                f"{p.message_en}"
            )
