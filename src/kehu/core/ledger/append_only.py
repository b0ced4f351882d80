"""Append-only tables: the database itself refuses UPDATE, DELETE (and, on PostgreSQL, TRUNCATE).

Any app marks an evidence table append-only with one migration operation::

    from kehu.core.ledger.append_only import AppendOnly

    class Migration(migrations.Migration):
        dependencies = [("sales", "0001_initial")]
        operations = [AppendOnly("sales_registration")]

It installs, by database vendor:

* SQLite: triggers ``kehu_append_only_<table>_update`` / ``_delete``:
  ``BEFORE UPDATE|DELETE ON <table> BEGIN SELECT RAISE(ABORT, '…'); END``.
* PostgreSQL: the trigger function ``kehu_append_only_refuse()`` (raises SQLSTATE 23001
  ``restrict_violation``) and, on the table, the row trigger ``kehu_append_only_row``
  (BEFORE UPDATE OR DELETE) and the statement trigger ``kehu_append_only_truncate``
  (BEFORE TRUNCATE).

Either way Django raises ``django.db.IntegrityError``. The operation is idempotent and
reversible (unapplying it drops the triggers). ``LiftAppendOnly(table)`` does the reverse, for
the rare migration that must rewrite rows: lift, change, ``AppendOnly`` again, in one migration.

On SQLite, a later migration that *rebuilds* the table (most ``AlterField``s do: create a new
table, copy, drop the old) loses the triggers with the old table: end such a migration with
``AppendOnly(table)`` again. ``kehu ledger verify`` reports every table whose applied migrations
say it is append-only but whose triggers are missing, disabled or altered.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

TRIGGER_PREFIX = "kehu_append_only"
PG_FUNCTION = "kehu_append_only_refuse"
PG_ROW_TRIGGER = f"{TRIGGER_PREFIX}_row"
PG_TRUNCATE_TRIGGER = f"{TRIGGER_PREFIX}_truncate"
_TABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

MESSAGE_EN = "is append-only: evidence cannot be changed or removed"
MESSAGE_ZH = "证据只可追加，不可修改或删除；更正请追加一条引用原记录的新记录"

# Compared with pg_proc.prosrc to notice a function replaced by one that lets changes through.
PG_FUNCTION_BODY = f"""
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'restrict_violation',
        MESSAGE = TG_TABLE_NAME || ' {MESSAGE_EN} (' || TG_OP || ' refused)',
        DETAIL = '{MESSAGE_ZH}';
END;
"""


class UnsupportedDatabase(NotImplementedError):
    pass


def _check_table(table: str) -> str:
    if not _TABLE_RE.match(table):
        raise ValueError(f"not a plain table name: {table!r}")
    return table


def sqlite_trigger_names(table: str) -> tuple[str, str]:
    return f"{TRIGGER_PREFIX}_{table}_update", f"{TRIGGER_PREFIX}_{table}_delete"


def _sqlite_trigger_sql(table: str, event: str, name: str) -> str:
    message = f"{table} {MESSAGE_EN} ({event} refused). {MESSAGE_ZH}"
    return (
        f'CREATE TRIGGER {name} BEFORE {event} ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def install_statements(vendor: str, table: str) -> list[str]:
    """SQL that makes ``table`` append-only (idempotent)."""
    _check_table(table)
    if vendor == "sqlite":
        update, delete = sqlite_trigger_names(table)
        return [
            f"DROP TRIGGER IF EXISTS {update}",
            _sqlite_trigger_sql(table, "UPDATE", update),
            f"DROP TRIGGER IF EXISTS {delete}",
            _sqlite_trigger_sql(table, "DELETE", delete),
        ]
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $kehu${PG_FUNCTION_BODY}$kehu$",
            f'DROP TRIGGER IF EXISTS {PG_ROW_TRIGGER} ON "{table}"',
            f'CREATE TRIGGER {PG_ROW_TRIGGER} BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
            f'DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON "{table}"',
            f'CREATE TRIGGER {PG_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
        ]
    raise UnsupportedDatabase(f"append-only tables are not implemented for {vendor}")


def remove_statements(vendor: str, table: str) -> list[str]:
    """SQL that lifts the guard from ``table`` (the shared PostgreSQL function stays)."""
    _check_table(table)
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in sqlite_trigger_names(table)]
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {PG_ROW_TRIGGER} ON "{table}"',
            f'DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON "{table}"',
        ]
    raise UnsupportedDatabase(f"append-only tables are not implemented for {vendor}")


def _run(connection: BaseDatabaseWrapper, statements: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: BaseDatabaseWrapper, tables: Iterable[str]) -> None:
    for table in tables:
        _run(connection, install_statements(connection.vendor, table))


def lift(connection: BaseDatabaseWrapper, tables: Iterable[str]) -> None:
    """Drop the guards. Only for ``flush`` in tests and for deliberate repairs: call it inside
    a transaction that reinstalls them, so no other session ever sees the table unguarded."""
    for table in tables:
        _run(connection, remove_statements(connection.vendor, table))


def _normalise_sql(sql: str) -> str:
    return " ".join(sql.split())


def tables_with_guards(connection: BaseDatabaseWrapper) -> set[str]:
    """Tables carrying any kehu append-only trigger, working or not."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER_PREFIX}%"],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname IN (%s, %s) AND c.relnamespace = current_schema()::regnamespace",
                [PG_ROW_TRIGGER, PG_TRUNCATE_TRIGGER],
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def guarded_tables(connection: BaseDatabaseWrapper) -> set[str]:
    """Tables whose guards are all present, enabled and unaltered."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name, name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER_PREFIX}%"],
            )
            found = {(table, name): sql for table, name, sql in cursor.fetchall()}
            good: set[str] = set()
            for table in {table for table, _ in found}:
                update, delete = sqlite_trigger_names(table)
                if _normalise_sql(found.get((table, update), "")) == _normalise_sql(
                    _sqlite_trigger_sql(table, "UPDATE", update)
                ) and _normalise_sql(found.get((table, delete), "")) == _normalise_sql(
                    _sqlite_trigger_sql(table, "DELETE", delete)
                ):
                    good.add(table)
            return good
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname, p.prosrc FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgname IN (%s, %s) AND t.tgenabled IN ('O', 'A') "
                "AND c.relnamespace = current_schema()::regnamespace",
                [PG_ROW_TRIGGER, PG_TRUNCATE_TRIGGER],
            )
            names: dict[str, set[str]] = {}
            for table, name, source in cursor.fetchall():
                if _normalise_sql(source) == _normalise_sql(PG_FUNCTION_BODY):
                    names.setdefault(table, set()).add(name)
            return {t for t, n in names.items() if n == {PG_ROW_TRIGGER, PG_TRUNCATE_TRIGGER}}
    return set()


@functools.lru_cache(maxsize=1)
def _plan() -> tuple[tuple[tuple[str, str], tuple[str, ...], tuple[tuple[bool, str], ...]], ...]:
    """Every migration on disk in dependency order: its key, what it replaces, and its
    (guard?, table) operations. Migration files do not change while the process runs."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = []
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key in seen:
                continue
            seen.add(key)
            migration = loader.graph.nodes[key]
            operations = tuple(
                (not isinstance(op, LiftAppendOnly), op.table)
                for op in _flatten(migration.operations)
                if isinstance(op, AppendOnly)
            )
            replaces = tuple(f"{app}.{name}" for app, name in migration.replaces)
            plan.append((key, replaces, operations))
    return tuple(plan)


def expected_tables(connection: BaseDatabaseWrapper) -> set[str]:
    """Tables that applied migrations made append-only (and did not lift again)."""
    from django.db.migrations.recorder import MigrationRecorder

    applied = {f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()}
    tables: set[str] = set()
    for (app, name), replaces, operations in _plan():
        done = f"{app}.{name}" in applied or (replaces and all(r in applied for r in replaces))
        if not done:
            continue
        for guard, table in operations:
            if guard:
                tables.add(table)
            else:
                tables.discard(table)
    return tables


def _flatten(operations: Iterable[Any]) -> Iterable[Any]:
    for operation in operations:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            yield from _flatten(operation.database_operations)
        else:
            yield operation


def unguarded_tables(connection: BaseDatabaseWrapper) -> list[str]:
    """Append-only tables (by the applied migrations) whose guards are missing or altered."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        return []
    return sorted(expected_tables(connection) - guarded_tables(connection))


class AppendOnly(Operation):
    """Migration operation: the database refuses UPDATE, DELETE and TRUNCATE on ``table``."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str) -> None:
        self.table = _check_table(table)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [self.table], {}

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass  # triggers are not part of Django's model state

    def _install(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for sql in install_statements(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql, params=None)

    def _remove(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for sql in remove_statements(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql, params=None)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._install(schema_editor)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._remove(schema_editor)

    def describe(self) -> str:
        return f"Make {self.table} append-only (the database refuses UPDATE/DELETE/TRUNCATE)"

    @property
    def migration_name_fragment(self) -> str:
        return f"append_only_{self.table}"


class LiftAppendOnly(AppendOnly):
    """Migration operation: drop the guards of ``table`` (reinstall them in the same migration)."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._remove(schema_editor)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._install(schema_editor)

    def describe(self) -> str:
        return f"Lift the append-only guard from {self.table}"

    @property
    def migration_name_fragment(self) -> str:
        return f"lift_append_only_{self.table}"
