"""Django's SQLite backend, with one change: the rewriting of a statement's ``%s`` placeholders
into SQLite's ``?`` is remembered per statement text.

Django rewrites every statement with a regular expression before SQLite sees it (≈ 14 µs for a
22-column insert on the benchmark machine). kehu's hot paths run the same few statement texts
over and over (core/rawsql.py builds them from the models), so registering a visit spent about
4 % of its time rewriting texts it had rewritten before (docs/performance.md, "Eighth
session"). Everything else is Django's ``django.db.backends.sqlite3``; settings select this
backend wherever the database URL names SQLite.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base


@lru_cache(maxsize=4096)
def _qmark(query: str) -> str:
    """``query`` in SQLite's placeholder style, as Django's own wrapper rewrites it."""
    return str(base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%"))


_djangos_rewrite: Any = base.SQLiteCursorWrapper.convert_query  # type: ignore[attr-defined]


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None:
            return _qmark(query)
        return str(_djangos_rewrite(self, query, param_names=param_names))


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
