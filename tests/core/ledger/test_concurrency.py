"""Racing appends and committed data: tests that really commit (``transaction=True``).

Django flushes the database after such a test. The append-only guards would refuse that flush
(TRUNCATE on PostgreSQL, DELETE on SQLite); kehu's ``flush`` command (in the ledger app) lifts
and reinstalls them inside one transaction while the test runner is active, so these tests —
and every other app's ``transaction=True`` tests — tear down cleanly. These tests prove it: a
failing flush would fail their teardown.
"""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from kehu.core.ledger import append_only
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Company

from .conftest import AUDIT_TABLE, ENTRY_TABLE

THREADS = 6
APPENDS_EACH = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_stream_make_a_gap_free_chain(east: Company) -> None:
    if connection.vendor != "postgresql":
        # SQLite serialises writers with BEGIN IMMEDIATE, and the in-memory test database is
        # shared-cache, where racing threads get "table is locked" instead of waiting.
        pytest.skip("threads race on PostgreSQL; SQLite writers are serialised by design")
    # given six clerks appending to the same registration book at the same moment
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def clerk(n: int) -> None:
        try:
            start.wait()
            for i in range(APPENDS_EACH):
                ledger_append(
                    company=east,
                    stream="registration_book",
                    kind="registration",
                    payload={"clerk": n, "i": i},
                )
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every append got its own seq, with no gap and no duplicate, and the chain verifies
    assert errors == []
    seqs = list(
        LedgerEntry.objects.filter(company=east).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, THREADS * APPENDS_EACH + 1))
    assert ledger_verify(company=east).ok


@pytest.mark.django_db(transaction=True)
def test_flush_in_a_test_run_empties_evidence_and_restores_the_guards(east: Company) -> None:
    # given committed evidence
    ledger_append(company=east, stream="registration_book", kind="registration", payload={})
    # when the test runner's flush runs (as it does after every transaction=True test)
    call_command("flush", interactive=False, verbosity=0)
    # then the evidence is gone and the guards are back
    assert not LedgerEntry.objects.exists()
    assert {ENTRY_TABLE, AUDIT_TABLE} <= append_only.guarded_tables(connection)
