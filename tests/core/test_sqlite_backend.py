"""kehu's SQLite backend: Django's, with placeholder rewriting remembered per statement text."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.backends.sqlite3 import base as django_sqlite
from hypothesis import given
from hypothesis import strategies as st

from kehu.core.sqlite.base import _qmark

DJANGOS: Any = django_sqlite.SQLiteCursorWrapper


@given(st.lists(st.sampled_from(["%s", "%%", "%%s", "'x'", " col ", "LIKE '5%%'", "?"])))
def test_the_rewrite_is_djangos(parts: list[str]) -> None:
    query = "SELECT " + "".join(parts)
    assert _qmark(query) == DJANGOS.convert_query(None, query)


@pytest.mark.django_db
def test_sqlite_databases_run_on_it_and_statements_repeat_from_memory() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    _qmark.cache_clear()
    for value in (1, 2):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s + 1, '100%%'", [value])
            assert cursor.fetchone() == (value + 1, "100%")
    info = _qmark.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    with connection.cursor() as cursor:  # named parameters: Django's rewrite, unchanged
        cursor.execute("SELECT %(a)s, %(b)s", {"a": 1, "b": "two"})
        assert cursor.fetchone() == (1, "two")
