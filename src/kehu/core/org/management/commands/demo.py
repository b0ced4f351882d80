"""``kehu demo``: load the demo organisation (and every app's demo rows) and print the logins.

Idempotent: a second run changes nothing and prints the same table. Refuses to run on a
production configuration (DEBUG off and KEHU_DEMO unset), because it creates accounts with a
published password and a superuser.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.org.demo import DemoLogin, demo_load, demo_logins


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table(logins: list[DemoLogin]) -> str:
    header = ("用户名 username", "密码 password", "姓名 name", "岗位 post", "公司 company")
    rows = [header] + [(x.username, x.password, x.name, x.post, x.company) for x in logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "载入演示数据（集团、五家公司、员工）并打印各岗位的登录账号。Load the demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="run even though DEBUG is off and KEHU_DEMO is not set (never on a live system)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo_env = os.environ.get("KEHU_DEMO", "").strip().lower() in {"1", "true", "yes", "on"}
        if not (settings.DEBUG or demo_env or options["allow_production"]):
            raise CommandError(
                "演示数据会创建使用公开密码的账户和超级用户，不能在生产配置下载入。"
                "请设置 KEHU_DEMO=1（仅限演示环境）。\n"
                "Demo data creates accounts with a published password and a superuser; it is "
                "refused on a production configuration. Set KEHU_DEMO=1 on a demo system."
            )
        org, loaded = demo_load()
        self.stdout.write(
            f"{org.group.name}: {len(org.companies)} 家公司 companies, "
            f"{len(org.staff)} 名员工 staff"
            + (f"; 应用演示数据 app demo data: {', '.join(loaded)}" if loaded else "")
        )
        self.stdout.write("")
        self.stdout.write(logins_table(demo_logins(org)))
