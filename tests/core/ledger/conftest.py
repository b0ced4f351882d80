"""Helpers for the ledger tests: appending, and tampering the way an attacker with the
database owner's rights would — drop the guards, change rows with raw SQL, put the guards back
(so that verification, not a missing trigger, is what catches the change)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from kehu.core.ledger import append_only, rules
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Company

ENTRY_TABLE = "ledger_ledgerentry"
STREAM_TABLE = "ledger_ledgerstream"
AUDIT_TABLE = "audit_auditevent"


@contextmanager
def guards_down(*tables: str) -> Iterator[None]:
    """Drop the append-only triggers for the duration (inside the test's transaction)."""
    append_only.lift(connection, tables or (ENTRY_TABLE,))
    try:
        yield
    finally:
        append_only.install(connection, tables or (ENTRY_TABLE,))


def raw(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def json_param() -> str:
    return "%s::jsonb" if connection.vendor == "postgresql" else "%s"


def set_payload_json(entry_id: int, text: str) -> None:
    """Overwrite a stored payload with raw JSON text."""
    raw(f"UPDATE {ENTRY_TABLE} SET payload = {json_param()} WHERE id = %s", [text, entry_id])


def set_seq(company: Company, stream: str, old: int, new: int) -> None:
    raw(
        f"UPDATE {ENTRY_TABLE} SET seq = %s WHERE company_id = %s AND stream = %s AND seq = %s",
        [new, company.pk, stream, old],
    )


def swap_seqs(company: Company, stream: str, a: int, b: int) -> None:
    parking = 10**9
    set_seq(company, stream, a, parking)
    set_seq(company, stream, b, a)
    set_seq(company, stream, parking, b)


def insert_row(facts: rules.EntryFacts) -> int:
    """Insert a forged entry row straight into the table; returns its id."""
    raw(
        f"INSERT INTO {ENTRY_TABLE} (company_id, stream, seq, recorded_at, kind, payload, "
        "subject_type, subject_id, reason, prev_hash, hash) "
        f"VALUES (%s, %s, %s, %s, %s, {json_param()}, %s, %s, %s, %s, %s)",
        [
            facts.company_id,
            facts.stream,
            facts.seq,
            connection.ops.adapt_datetimefield_value(facts.recorded_at),
            facts.kind,
            json.dumps(facts.payload, ensure_ascii=False),
            facts.subject_type,
            facts.subject_id,
            facts.reason,
            facts.prev_hash,
            facts.hash,
        ],
    )
    return LedgerEntry.objects.get(
        company_id=facts.company_id, stream=facts.stream, seq=facts.seq, hash=facts.hash
    ).pk


def set_stream_head(company: Company, stream: str, seq: int, hash_: str) -> None:
    raw(
        f"UPDATE {STREAM_TABLE} SET last_seq = %s, last_hash = %s "
        "WHERE company_id = %s AND name = %s",
        [seq, hash_, company.pk, stream],
    )


def facts_of(entry: LedgerEntry) -> rules.EntryFacts:
    return rules.EntryFacts(
        id=entry.pk,
        company_id=entry.company_id,
        stream=entry.stream,
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        kind=entry.kind,
        payload=entry.payload,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        corrects_seq=entry.corrects.seq if entry.corrects is not None else None,
        reason=entry.reason,
        recorded_by_id=entry.recorded_by_id,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


Book = Callable[..., list[LedgerEntry]]


@pytest.fixture
def book(east: Company) -> Book:
    """``book(n)`` appends n registrations to 华东置业's registration book and returns them."""

    def append(n: int, *, company: Company = east, stream: str = "registration_book") -> list:
        return [
            ledger_append(
                company=company,
                stream=stream,
                kind="registration",
                payload={"customer": f"客户{i}", "phone_tail": f"{1000 + i}", "n": i},
            )
            for i in range(1, n + 1)
        ]

    return append
