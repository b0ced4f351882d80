"""The demo's legacy import: after ``kehu demo``, ``demo_load_import`` imports the accepted rows
of the sample register once (idempotent) and the book still verifies."""

from __future__ import annotations

from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.demo import demo_load
from kehu.sales import import_services
from kehu.sales.import_demo import demo_load_import
from kehu.sales.registration_selectors import registration_book_verify


def test_demo_import_loads_once_and_the_book_verifies(db: None) -> None:
    org, _loaded = demo_load()
    demo_load_import(org)
    imported = LedgerEntry.objects.filter(kind=import_services.LEDGER_KIND)
    # 10 rows: a departed salesperson, a bad date, a bad phone, a repeat, an empty row rejected
    assert imported.count() == 5
    demo_load_import(org)
    assert imported.count() == 5
    assert registration_book_verify(org.staff["salesmgr.zhao"]).ok
