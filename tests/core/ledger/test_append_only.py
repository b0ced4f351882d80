"""The database itself refuses to change evidence (architecture: "enforced by the database, not
only by the code"; A1.2 / A7.21 "deletion is impossible through any interface")."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.audit.services import audit_record
from kehu.core.ledger import append_only
from kehu.core.ledger.append_only import AppendOnly, LiftAppendOnly
from kehu.core.ledger.management.commands import flush as kehu_flush
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff

from .conftest import AUDIT_TABLE, ENTRY_TABLE, Book, raw

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="PostgreSQL only: TRUNCATE triggers, ALTER TABLE … DISABLE TRIGGER",
)


def refused() -> AbstractContextManager[Any]:
    return pytest.raises(IntegrityError, match="append-only")


class _Editor:
    """Just enough of a schema editor for an operation (Django's SQLite schema editor cannot
    run inside the test's transaction)."""

    connection = connection

    def execute(self, sql: str, params: object = None) -> None:
        raw(sql)


def _forwards(operation: AppendOnly) -> None:
    operation.database_forwards("test", _Editor(), None, None)  # type: ignore[arg-type]


def _backwards(operation: AppendOnly) -> None:
    operation.database_backwards("test", _Editor(), None, None)  # type: ignore[arg-type]


def test_the_orm_cannot_update_or_delete_an_entry(book: Book) -> None:
    entry, _ = book(2)
    entry.payload = {"customer": "别人"}
    with refused(), transaction.atomic():
        entry.save()
    with refused(), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(kind="tampered")
    with refused(), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with refused(), transaction.atomic():
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.count() == 2
    assert LedgerEntry.objects.get(pk=entry.pk).payload["customer"] == "客户1"


def test_raw_sql_cannot_update_or_delete_an_entry(book: Book) -> None:
    entry, _ = book(2)
    with refused(), transaction.atomic():
        raw(f"UPDATE {ENTRY_TABLE} SET kind = 'tampered' WHERE id = %s", [entry.pk])
    with refused(), transaction.atomic():
        raw(f"DELETE FROM {ENTRY_TABLE} WHERE id = %s", [entry.pk])
    with refused(), transaction.atomic():
        raw(f"DELETE FROM {ENTRY_TABLE}")
    assert LedgerEntry.objects.count() == 2


@postgres_only
def test_truncate_is_refused_on_postgresql(book: Book) -> None:
    book(1)
    # Django's foreign keys are deferred; PostgreSQL will not TRUNCATE or ALTER a table with
    # checks still pending in the transaction, so run them now.
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    for table in (ENTRY_TABLE, AUDIT_TABLE):
        with refused(), transaction.atomic():
            raw(f'TRUNCATE "{table}"')
    assert LedgerEntry.objects.count() == 1


def test_the_audit_trail_is_append_only_too(wang: Staff) -> None:
    event = audit_record(action=AuditAction.EXPORT, actor=wang.user)
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(outcome="denied")
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with refused(), transaction.atomic():
        raw(f"UPDATE {AUDIT_TABLE} SET actor_label = 'someone else' WHERE id = %s", [event.pk])
    with refused(), transaction.atomic():
        raw(f"DELETE FROM {AUDIT_TABLE} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor_label == wang.user.get_username()


def test_appending_still_works(book: Book) -> None:
    assert len(book(3)) == 3


def test_the_guards_are_in_place_and_expected_by_the_migrations(db: None) -> None:
    assert {ENTRY_TABLE, AUDIT_TABLE} <= append_only.expected_tables(connection)
    assert {ENTRY_TABLE, AUDIT_TABLE} <= append_only.guarded_tables(connection)
    assert append_only.unguarded_tables(connection) == []


def test_verify_reports_a_missing_guard(east: Company, book: Book) -> None:
    book(1)
    # when an attacker drops the audit trail's triggers (and leaves them dropped)
    append_only.lift(connection, [AUDIT_TABLE])
    report = ledger_verify()
    # then the chains are intact but the report fails, naming the table
    assert all(check.ok for check in report.streams)
    assert report.unguarded_tables == [AUDIT_TABLE]
    assert not report.ok


def test_verify_reports_a_guard_replaced_by_a_harmless_one(book: Book) -> None:
    book(1)
    if connection.vendor == "postgresql":
        raw(
            "CREATE OR REPLACE FUNCTION kehu_append_only_refuse() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END; $$"
        )
        # The function is shared by every guard: every append-only table is exposed.
        expected = sorted(append_only.expected_tables(connection))
        assert {AUDIT_TABLE, ENTRY_TABLE} <= set(expected)
    else:
        update, _ = append_only.sqlite_trigger_names(ENTRY_TABLE)
        raw(f"DROP TRIGGER {update}")
        raw(f"CREATE TRIGGER {update} BEFORE UPDATE ON {ENTRY_TABLE} BEGIN SELECT 1; END")
        expected = [ENTRY_TABLE]
    assert ledger_verify().unguarded_tables == expected


@postgres_only
def test_verify_reports_a_disabled_trigger_on_postgresql(book: Book) -> None:
    book(1)
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    raw(f"ALTER TABLE {ENTRY_TABLE} DISABLE TRIGGER {append_only.PG_ROW_TRIGGER}")
    assert ledger_verify().unguarded_tables == [ENTRY_TABLE]


def test_the_migration_operation_guards_any_table_and_reverses(db: None) -> None:
    # given a fresh table of some other app's evidence
    raw("CREATE TABLE kehu_test_evidence (id integer PRIMARY KEY, note text)")
    raw("INSERT INTO kehu_test_evidence VALUES (1, 'signed')")
    operation = AppendOnly("kehu_test_evidence")
    assert "append-only" in operation.describe()
    assert operation.deconstruct() == ("AppendOnly", ["kehu_test_evidence"], {})
    # when the operation is applied, the table refuses changes
    _forwards(operation)
    with refused(), transaction.atomic():
        raw("UPDATE kehu_test_evidence SET note = 'forged'")
    with refused(), transaction.atomic():
        raw("DELETE FROM kehu_test_evidence")
    # and applying it twice is harmless
    _forwards(operation)
    # when LiftAppendOnly runs, or the operation is unapplied, changes are possible again
    _forwards(LiftAppendOnly("kehu_test_evidence"))
    raw("UPDATE kehu_test_evidence SET note = 'amended'")
    _forwards(operation)
    _backwards(operation)
    raw("DELETE FROM kehu_test_evidence")


def test_the_operation_refuses_a_table_name_that_is_not_plain() -> None:
    with pytest.raises(ValueError, match="plain table name"):
        AppendOnly('evil"; DROP TABLE x; --')


def test_flush_refuses_to_erase_evidence_outside_a_test_run(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    book(1)
    monkeypatch.setattr(kehu_flush, "in_test_run", lambda: False)
    with pytest.raises(CommandError, match="append-only evidence"):
        call_command("flush", interactive=False)
    assert LedgerEntry.objects.count() == 1
