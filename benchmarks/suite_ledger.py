"""The evidence ledger: one append per transaction, and verifying a long stream.

Floors: a raw INSERT of a row of the same size in its own transaction (``BEGIN`` … ``COMMIT``
on the raw connection); and, for verification, reading the stream's rows on a raw cursor and
hashing each with ``hashlib``. A second reference, "raw protocol", does by hand what an append
must do (lock the head row, canonical JSON + SHA-256, insert, move the head) to tell the
protocol's own cost from the framework's.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from benchmarks.loading import bulk_insert
from benchmarks.suite_customers import _raw_cursor, _sql, queries_per_call
from benchmarks.timing import Result, Stats, compare, series, time_one
from benchmarks.world import World
from kehu.core.customers import rules as customer_rules
from kehu.core.ledger import rules
from kehu.core.ledger.models import LedgerEntry, LedgerStream
from kehu.core.ledger.selectors import _entry_rows, ledger_verify
from kehu.core.ledger.services import ledger_append

APPEND_STREAM = "bench_append"
FLOOR_STREAM = "bench_floor"
PROTOCOL_STREAM = "bench_protocol"
VERIFY_STREAM = "bench_verify"
KIND = "customer.registered"

ENTRY_COLUMNS = (
    "company_id, stream, seq, recorded_at, kind, payload, subject_type, subject_id, "
    "corrects_id, reason, recorded_by_id, prev_hash, hash"
)


def _payload(world: World, i: int) -> dict[str, Any]:
    """What a registration-book entry holds: who, how to reach them (masked), whose."""
    person = world.book.people[i % len(world.book.people)]
    phones = world.phones_by_person[person.index]
    owner = world.salespeople[person.owner] if person.owner is not None else None
    return {
        "customer_id": world.customer_id(person.index),
        "name": person.name,
        "phone": customer_rules.mask_phone(phones[0]),
        "plate": person.plate,
        "car_brand": person.car_brand,
        "owner_id": owner.pk if owner else None,
        "source": person.source,
        "registered_at": person.created_at,
        "keys": ["full_name", "phone"],
    }


def _begin() -> str:
    # kehu's SQLite transactions take the write lock at BEGIN (transaction_mode IMMEDIATE).
    return "BEGIN IMMEDIATE" if connection.vendor == "sqlite" else "BEGIN"


def run_append(world: World, *, calls: int, warmup: int, log: Any) -> list[Result]:
    log("  ledger: append")
    company = world.company
    user: AbstractBaseUser = world.manager.user
    total = calls + warmup + 1  # every timed, warm-up and counted call gets its own row
    payloads = [rules.normalise(_payload(world, i)) for i in range(total)]
    subjects = [("customers.customer", str(p["customer_id"])) for p in payloads]
    cursor = _raw_cursor()
    insert = _sql(
        f"INSERT INTO ledger_ledgerentry ({ENTRY_COLUMNS}) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL, '', %s, %s, %s)"
    )

    def db_datetime(moment: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(moment)

    # Floor rows: the same payload text Django stores (json.dumps), hashes of the same length.
    floor_rows = []
    previous = rules.GENESIS_HASH
    for seq, payload in enumerate(payloads, start=1):
        digest = secrets.token_hex(32)
        floor_rows.append(
            (
                company.pk,
                FLOOR_STREAM,
                seq,
                None,  # recorded_at: set at call time, as kehu does
                KIND,
                json.dumps(payload),
                *subjects[seq - 1],
                user.pk,
                previous,
                digest,
            )
        )
        previous = digest
    kehu_inputs = list(range(calls))
    next_floor = iter(range(total))

    def kehu(i: int) -> object:
        return ledger_append(
            company=company,
            stream=APPEND_STREAM,
            kind=KIND,
            payload=payloads[i],
            recorded_by=user,
            subject=subjects[i],
        )

    def floor(_: int) -> object:
        row = list(floor_rows[next(next_floor)])
        row[3] = db_datetime(timezone.now())
        cursor.execute(_begin())
        cursor.execute(insert, row)
        cursor.execute("COMMIT")
        return row

    # The raw protocol: lock the head, hash canonically, insert, move the head, commit.
    LedgerStream.objects.create(company=company, name=PROTOCOL_STREAM)
    lock = _sql(
        "SELECT id, last_seq, last_hash FROM ledger_ledgerstream "
        "WHERE company_id = %s AND name = %s"
        + (" FOR UPDATE" if connection.vendor == "postgresql" else "")
    )
    move = _sql(
        "UPDATE ledger_ledgerstream SET last_seq = %s, last_hash = %s, updated_at = %s "
        "WHERE id = %s"
    )

    def protocol(i: int) -> object:
        cursor.execute(_begin())
        cursor.execute(lock, [company.pk, PROTOCOL_STREAM])
        head_id, last_seq, last_hash = cursor.fetchone()
        now = timezone.now()
        facts = rules.seal(
            rules.EntryFacts(
                company_id=company.pk,
                stream=PROTOCOL_STREAM,
                seq=last_seq + 1,
                recorded_at=now,
                kind=KIND,
                payload=payloads[i],
                prev_hash=last_hash,
                subject_type=subjects[i][0],
                subject_id=subjects[i][1],
                recorded_by_id=user.pk,
            )
        )
        at = db_datetime(now)
        cursor.execute(
            insert,
            [
                company.pk,
                PROTOCOL_STREAM,
                facts.seq,
                at,
                KIND,
                json.dumps(payloads[i]),
                *subjects[i],
                user.pk,
                facts.prev_hash,
                facts.hash,
            ],
        )
        cursor.execute(move, [facts.seq, facts.hash, at, head_id])
        cursor.execute("COMMIT")
        return facts

    kehu_stats, floor_stats = compare(kehu, floor, kehu_inputs, warmup=warmup)
    protocol_stats = series(protocol, kehu_inputs, warmup=warmup)
    queries = queries_per_call(lambda: kehu(total - 1))
    cursor.close()
    report = ledger_verify(company=company, stream=APPEND_STREAM)
    if not report.ok:
        raise AssertionError(f"the appended stream does not verify: {report}")
    return [
        Result(
            group="ledger",
            operation="ledger_append — one entry per transaction",
            size=calls,
            kehu=kehu_stats,
            floor=floor_stats,
            kehu_queries=queries,
            floor_queries=3,
            note="floor: BEGIN; INSERT of a same-size row; COMMIT on the raw connection",
            extras={
                "raw protocol (lock head, canonical JSON + SHA-256, insert, move head)": (
                    protocol_stats
                )
            },
        )
    ]


def _load_verify_stream(world: World, entries: int) -> float:
    """A stream of ``entries`` chained entries, written in bulk as ledger_append would have."""
    company = world.company
    user_id = world.manager.user.pk
    start = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    previous = rules.GENESIS_HASH
    rows = []
    for seq in range(1, entries + 1):
        payload = rules.normalise(_payload(world, seq))
        facts = rules.seal(
            rules.EntryFacts(
                company_id=company.pk,
                stream=VERIFY_STREAM,
                seq=seq,
                recorded_at=start + timedelta(seconds=seq * 7, microseconds=seq % 1000),
                kind=KIND,
                payload=payload,
                prev_hash=previous,
                subject_type="customers.customer",
                subject_id=str(payload["customer_id"]),
                recorded_by_id=user_id,
            )
        )
        rows.append(
            {
                "company_id": company.pk,
                "stream": VERIFY_STREAM,
                "seq": seq,
                "recorded_at": facts.recorded_at,
                "kind": KIND,
                "payload": payload,
                "subject_type": facts.subject_type,
                "subject_id": facts.subject_id,
                "reason": "",
                "recorded_by_id": user_id,
                "prev_hash": facts.prev_hash,
                "hash": facts.hash,
            }
        )
        previous = facts.hash
    _, seconds = bulk_insert(LedgerEntry, rows)
    LedgerStream.objects.create(
        company=company,
        name=VERIFY_STREAM,
        last_seq=entries,
        last_hash=previous,
        updated_at=rows[-1]["recorded_at"],
    )
    return seconds


def run_verify(world: World, *, entries: int, runs: int, log: Any) -> list[Result]:
    log(f"  ledger: building a {entries:,}-entry stream")
    load_seconds = _load_verify_stream(world, entries)
    company = world.company
    payload = "payload::text" if connection.vendor == "postgresql" else "payload"
    select = _sql(
        f"SELECT id, seq, recorded_at, kind, {payload}, subject_type, subject_id, corrects_id, "
        "reason, recorded_by_id, prev_hash, hash FROM ledger_ledgerentry "
        "WHERE company_id = %s AND stream = %s ORDER BY seq, id"
    )

    def kehu(_: int) -> object:
        report = ledger_verify(company=company, stream=VERIFY_STREAM)
        if not report.ok or report.streams[0].result.count != entries:
            raise AssertionError(f"the benchmark stream does not verify: {report}")
        return report

    def floor(_: int) -> object:
        cursor = _raw_cursor()
        cursor.execute(select, [company.pk, VERIFY_STREAM])
        last = ""
        while rows := cursor.fetchmany(2000):
            for row in rows:
                last = hashlib.sha256("\x1f".join(map(str, row)).encode()).hexdigest()
        cursor.close()
        return last

    facts = list(_entry_rows(company.pk, VERIFY_STREAM))

    def rules_only(_: int) -> object:
        return rules.verify_chain(facts, index=lambda: rules.ChainIndex({}, 0))

    log(f"  ledger: verify × {runs}")
    kehu(0)  # warm: the first read pulls the table into the page cache
    floor(0)
    kehu_stats, floor_stats = compare(kehu, floor, list(range(runs)), warmup=0)
    rules_stats = Stats.of([time_one(rules_only, 0) for _ in range(min(runs, 3))])
    queries = queries_per_call(lambda: kehu(0))
    return [
        Result(
            group="ledger",
            operation=f"ledger_verify — one stream of {entries:,} entries",
            size=entries,
            kehu=kehu_stats,
            floor=floor_stats,
            kehu_queries=queries,
            floor_queries=1,
            note=(
                f"per run; per entry: kehu {kehu_stats.median_us / entries:.1f} µs, "
                f"floor {floor_stats.median_us / entries:.1f} µs; "
                f"stream bulk-loaded in {load_seconds:.1f} s"
            ),
            extras={"rules.verify_chain alone (entries already in memory)": rules_stats},
        )
    ]
