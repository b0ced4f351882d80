"""SQLite checkpoints run in the worker: the threshold every connection gets, and the job."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from kehu.core.web.maintenance import sqlite_checkpoint, wal_checkpoint
from kehu.core.web.tasks import sqlite_checkpoint_every_minute


def test_a_checkpoint_copies_the_whole_log_into_the_database_file(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "book.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # only ours
    db.execute("CREATE TABLE line (id INTEGER PRIMARY KEY, text TEXT)")
    db.executemany("INSERT INTO line (text) VALUES (?)", [("登记",)] * 500)
    db.commit()

    done = wal_checkpoint(db.cursor())

    assert not done.busy
    assert done.log_frames > 0 and done.checkpointed_frames == done.log_frames
    again = wal_checkpoint(db.cursor())
    assert again.checkpointed_frames == again.log_frames  # nothing left behind
    db.close()


@pytest.mark.django_db(transaction=True)  # the worker checkpoints outside any transaction
def test_the_job_checkpoints_sqlite_and_leaves_postgresql_alone() -> None:
    done = sqlite_checkpoint()
    if connection.vendor == "sqlite":
        assert done is not None and not done.busy
        assert sqlite_checkpoint_every_minute.call_local() is True
    else:
        assert done is None
        assert sqlite_checkpoint_every_minute.call_local() is False


def test_every_sqlite_connection_gets_the_raised_threshold() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    init = settings.DATABASES["default"]["OPTIONS"]["init_command"]
    assert f"PRAGMA wal_autocheckpoint={settings.SQLITE_WAL_AUTOCHECKPOINT_PAGES};" in init
