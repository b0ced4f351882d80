"""``flush`` that knows about append-only tables.

Django's ``flush`` empties every table (``TRUNCATE`` on PostgreSQL, ``DELETE`` on SQLite), which
the append-only guards refuse. Test runs need it: ``TransactionTestCase`` — pytest's
``django_db(transaction=True)`` — flushes the database after each test. So this command, which
replaces Django's (an app's command of the same name wins over ``django.core``'s), lifts the
guards, flushes and reinstalls them inside one transaction, so no other session ever sees an
unguarded table.

Outside the test runner it refuses to erase evidence unless ``--include-evidence`` is given:
emptying the registration book is not something to do by accident.
"""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import flush
from django.db import connections, transaction

from kehu.core.ledger import append_only


def in_test_run() -> bool:
    # Django's test environment (setup_test_environment, used by pytest-django and the test
    # runner) installs mail.outbox and removes it on teardown.
    return hasattr(mail, "outbox")


class Command(flush.Command):
    help = (
        flush.Command.help
        + " Append-only evidence tables (ledger, audit trail) are emptied only in test runs or "
        "with --include-evidence. 只可追加的证据表只在测试中或加 --include-evidence 时清空。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--include-evidence",
            action="store_true",
            help="也清空只可追加的证据表（账本、审计记录）/ also erase append-only evidence tables",
        )

    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        tables = sorted(append_only.tables_with_guards(connection))
        if not tables:
            super().handle(**options)
            return
        if not (options.get("include_evidence") or in_test_run()):
            raise CommandError(
                "拒绝清空数据库：以下表是只可追加的证据，清空会销毁证据："
                f"{', '.join(tables)}。确需清空请加 --include-evidence。\n"
                f"Refusing to flush: these tables are append-only evidence: {', '.join(tables)}. "
                "Pass --include-evidence if you really mean to destroy them."
            )
        with transaction.atomic(using=database):
            append_only.lift(connection, tables)
            super().handle(**options)
            append_only.install(connection, tables)
