"""Writing to the evidence ledger: append an entry, correct one by appending another.

Call these inside your own use-case's transaction: the entry commits (or rolls back) with the
act it records. ``ledger_append`` locks the stream's head row (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite every transaction already holds the write lock, ``BEGIN IMMEDIATE``)
until your transaction ends, so appends to one stream are numbered one after another.

Lock order: take your own business rows' locks first and append to the ledger last; when one
transaction appends to several streams, append in alphabetical order of stream name
(``ledger_append_streams`` locks its streams' heads in that order itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, models, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.ledger import rules
from kehu.core.ledger.errors import (
    LedgerBadKind,
    LedgerBadPayload,
    LedgerBadStream,
    LedgerBadSubject,
    LedgerCorrectionOtherStream,
    LedgerPermissionDenied,
    LedgerReasonRequired,
)
from kehu.core.ledger.models import LedgerEntry, LedgerStream
from kehu.core.ledger.rules import Stream
from kehu.core.org.models import Company, Staff
from kehu.core.unsaved import unsaved

__all__ = [
    "VERIFY_PERMISSION",
    "LedgerItem",
    "Stream",
    "ledger_access_require",
    "ledger_append",
    "ledger_append_many",
    "ledger_append_or_defer",
    "ledger_append_streams",
    "ledger_correct",
]

VERIFY_PERMISSION = "ledger.verify_ledger"

Subject: TypeAlias = models.Model | tuple[str, str | int] | None


def _subject(subject: Subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, models.Model):
        if subject.pk is None:
            raise LedgerBadSubject()
        return subject._meta.label_lower, str(subject.pk)
    subject_type, subject_id = subject
    subject_type, subject_id = str(subject_type).strip(), str(subject_id).strip()
    if not subject_type or not subject_id or len(subject_type) > 60 or len(subject_id) > 64:
        raise LedgerBadSubject()
    return subject_type, subject_id


def _lock_stream(company: Company, stream: str) -> LedgerStream:
    head, _ = LedgerStream.objects.select_for_update().get_or_create(company=company, name=stream)
    return head


def ledger_append(
    *,
    company: Company,
    stream: str,
    kind: str,
    payload: Mapping[str, Any],
    recorded_by: AbstractBaseUser | None = None,
    subject: Subject = None,
    corrects: LedgerEntry | None = None,
    reason: str = "",
) -> LedgerEntry:
    """Append one entry to ``company``'s ``stream`` and return it.

    ``payload`` is a JSON object; Decimal, aware datetimes, dates and UUIDs are stored as text
    (see ``rules.normalise``) and floats are refused. ``subject`` links the entry to the
    business row it is about (a saved model instance or a ``(type, id)`` pair).
    ``corrects`` + ``reason`` make the entry a correction of an earlier one.
    """
    stream = _checked_stream(stream)
    item = _checked_item(
        LedgerItem(kind=kind, payload=payload, subject=subject, recorded_by=recorded_by)
    )
    reason = reason.strip()
    if corrects is not None:
        if not reason:
            raise LedgerReasonRequired()
        if corrects.company_id != company.pk or corrects.stream != stream:
            raise LedgerCorrectionOtherStream()
    try:
        rules.normalise(reason, "reason")
    except rules.NotCanonical as error:
        raise LedgerBadPayload(error) from error

    # The writes below are all-or-nothing without a savepoint of their own: an error here
    # dooms the caller's transaction, which is what a half-appended chain would need anyway.
    with transaction.atomic(savepoint=False):
        head_id, last_seq, last_hash = _lock_head(company, stream)
        entry, payload_text = _sealed_entry(
            company,
            stream,
            item,
            seq=last_seq + 1,
            prev_hash=last_hash,
            recorded_at=timezone.now(),
            corrects=corrects,
            reason=reason,
        )
        # the head moves in the insert's own statement where the database allows it; the
        # payload is stored as the canonical text its hash was computed over
        rawsql.insert(entry, then=_head_moved(head_id, entry), json_texts={"payload": payload_text})
    return entry


@dataclass(frozen=True)
class LedgerItem:
    """One entry to append with ``ledger_append_many``: what ``ledger_append`` takes per entry."""

    kind: str
    payload: Mapping[str, Any]
    subject: Subject = None
    recorded_by: AbstractBaseUser | None = None


@dataclass(frozen=True)
class _CheckedItem:
    kind: str
    payload: Any
    subject_type: str
    subject_id: str
    recorded_by: AbstractBaseUser | None


def ledger_append_many(
    *,
    company: Company,
    stream: str,
    items: Sequence[LedgerItem],
) -> list[LedgerEntry]:
    """Append ``items`` to ``company``'s ``stream`` in their order, as ``ledger_append`` would
    one by one, with the head locked and moved once and the entries written by multi-row
    inserts: a job that records hundreds of acts at once (the complaints sweep's A8.2 fines at
    midnight) pays three statements, not three per entry. Every item is checked before anything
    is written; the entries' ids are not read back. No corrections here (``ledger_correct``)."""
    stream = _checked_stream(stream)
    checked = [_checked_item(item) for item in items]
    if not checked:
        return []
    with transaction.atomic(savepoint=False):
        head_id, last_seq, last_hash = _lock_head(company, stream)
        recorded_at = timezone.now()
        entries: list[LedgerEntry] = []
        for offset, item in enumerate(checked, start=1):
            entry, _ = _sealed_entry(
                company,
                stream,
                item,
                seq=last_seq + offset,
                prev_hash=entries[-1].hash if entries else last_hash,
                recorded_at=recorded_at,
            )
            entries.append(entry)
        rawsql.insert_many(LedgerEntry, entries)
        _move_head(head_id, entries[-1])
    return entries


def ledger_append_streams(
    *, company: Company, items: Sequence[tuple[str, LedgerItem]]
) -> list[LedgerEntry]:
    """Append each item to its own stream — several streams at once — in the items' order, as
    ``ledger_append`` would one by one, in three statements whatever their number: the heads
    read and locked in one (in order of stream name, the lock order above), the entries inserted
    in one, the heads moved in one. Registering a visit records two acts at its end (the book
    line and the ownership decision): three statements instead of six on SQLite, where each
    costs as much Python as SQL. Every item is checked before anything is written; the entries'
    ids are read back; payloads are stored as the canonical text their hashes cover."""
    checked = [(_checked_stream(stream), _checked_item(item)) for stream, item in items]
    if not checked:
        return []
    with transaction.atomic(savepoint=False):
        heads = _lock_heads(company, sorted({stream for stream, _ in checked}))
        recorded_at = timezone.now()
        entries: list[LedgerEntry] = []
        texts: list[dict[str, str]] = []
        for stream, item in checked:
            head = heads[stream]
            entry, payload_text = _sealed_entry(
                company,
                stream,
                item,
                seq=head.seq + 1,
                prev_hash=head.hash,
                recorded_at=recorded_at,
            )
            head.seq, head.hash = entry.seq, entry.hash
            entries.append(entry)
            texts.append({"payload": payload_text})
        rawsql.insert_many(LedgerEntry, entries, read_ids=True, json_texts=texts)
        _move_heads(heads.values(), recorded_at)
    return entries


def ledger_append_or_defer(
    *,
    company: Company,
    stream: str,
    item: LedgerItem,
    deferred: list[tuple[str, LedgerItem]] | None,
) -> LedgerEntry | None:
    """``item`` appended to ``stream`` now and its entry returned — or, when the caller collects
    its entries to append them together at its end (``deferred``, later given to
    ``ledger_append_streams`` in the same transaction), added to that list (None returned)."""
    if deferred is not None:
        deferred.append((stream, item))
        return None
    return ledger_append(
        company=company,
        stream=stream,
        kind=item.kind,
        payload=item.payload,
        recorded_by=item.recorded_by,
        subject=item.subject,
    )


@dataclass
class _Head:
    id: int
    seq: int
    hash: str


def _lock_heads(company: Company, streams: Sequence[str]) -> dict[str, _Head]:
    """The heads of ``streams`` (sorted), locked until the transaction ends, in one statement;
    a stream's head is created on its first entry."""
    connection = connections[router.db_for_write(LedgerStream)]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    names, params = rawsql.in_list(streams)
    found = rawsql.rows(
        LedgerStream,
        f"SELECT name, id, last_seq, last_hash FROM {rawsql.table(LedgerStream)}"
        f" WHERE company_id = %s AND name IN {names} ORDER BY name" + lock,
        [company.pk, *params],
    )
    heads = {str(name): _Head(int(pk), int(seq), str(last)) for name, pk, seq, last in found}
    for stream in streams:
        if stream not in heads:
            created = _lock_stream(company, stream)
            heads[stream] = _Head(created.pk, created.last_seq, created.last_hash)
    return heads


def _move_heads(heads: Iterable[_Head], at: dt.datetime) -> None:
    """Move every head in ``heads`` to its seq and hash, in one statement."""
    moved = list(heads)
    seq_cases = " ".join("WHEN %s THEN %s" for _ in moved)
    hash_cases = " ".join("WHEN %s THEN %s" for _ in moved)
    ids, id_params = rawsql.in_list(head.id for head in moved)
    rawsql.execute(
        LedgerStream,
        f"UPDATE {rawsql.table(LedgerStream)} SET last_seq = CASE id {seq_cases} END,"
        f" last_hash = CASE id {hash_cases} END, updated_at = %s WHERE id IN {ids}",
        [
            *(value for head in moved for value in (head.id, head.seq)),
            *(value for head in moved for value in (head.id, head.hash)),
            at,
            *id_params,
        ],
    )


def _checked_stream(stream: str) -> str:
    stream = str(stream)
    if not rules.STREAM_NAME_RE.match(stream):
        raise LedgerBadStream(stream)
    return stream


def _checked_item(item: LedgerItem) -> _CheckedItem:
    """The item's kind, canonical payload and subject, or the ledger's error for the first
    thing wrong with it."""
    kind = str(item.kind)
    if not rules.KIND_RE.match(kind):
        raise LedgerBadKind(kind)
    if not isinstance(item.payload, Mapping):
        raise LedgerBadPayload()
    try:
        clean_payload = rules.normalise(item.payload)
    except rules.NotCanonical as error:
        raise LedgerBadPayload(error) from error
    subject_type, subject_id = _subject(item.subject)
    return _CheckedItem(kind, clean_payload, subject_type, subject_id, item.recorded_by)


def _sealed_entry(
    company: Company,
    stream: str,
    item: _CheckedItem,
    *,
    seq: int,
    prev_hash: str,
    recorded_at: dt.datetime,
    corrects: LedgerEntry | None = None,
    reason: str = "",
) -> tuple[LedgerEntry, str]:
    """The unsaved entry at ``seq`` after ``prev_hash``, with its hash, and its payload's
    canonical text (``_checked_item`` normalised the payload)."""
    facts, payload_text = rules.seal_with_payload_text(
        rules.EntryFacts(
            company_id=company.pk,
            stream=stream,
            seq=seq,
            recorded_at=recorded_at,
            kind=item.kind,
            payload=item.payload,
            prev_hash=prev_hash,
            subject_type=item.subject_type,
            subject_id=item.subject_id,
            corrects_seq=corrects.seq if corrects is not None else None,
            reason=reason,
            recorded_by_id=item.recorded_by.pk if item.recorded_by is not None else None,
        )
    )
    entry = unsaved(
        LedgerEntry,
        company=company,
        stream=stream,
        seq=facts.seq,
        recorded_at=facts.recorded_at,
        kind=item.kind,
        payload=item.payload,
        subject_type=item.subject_type,
        subject_id=item.subject_id,
        corrects=corrects,
        reason=reason,
        recorded_by_id=facts.recorded_by_id,
        prev_hash=facts.prev_hash,
        hash=facts.hash,
    )
    return entry, payload_text


# Every business decision appends one to three entries, so the append is written as three
# plain statements (lock the head, insert, move the head) rather than through the ORM, whose
# query building cost ~0.3–0.5 ms per statement on the benchmark machine against ~0.03 ms for
# the statement itself (docs/performance.md, "Sales office: registering a visit").


def _lock_head(company: Company, stream: str) -> tuple[int, int, str]:
    """The stream's head (id, last seq, last hash), locked until the transaction ends; created
    on the stream's first entry."""
    connection = connections[router.db_for_write(LedgerStream)]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    statement = rawsql.cursor(connection)
    statement.execute(
        f"SELECT id, last_seq, last_hash FROM {rawsql.table(LedgerStream)}"
        " WHERE company_id = %s AND name = %s" + lock,
        [company.pk, stream],
    )
    found = statement.fetchall()
    row = found[0] if found else None
    if row is None:
        head = _lock_stream(company, stream)
        return head.pk, head.last_seq, head.last_hash
    return int(row[0]), int(row[1]), str(row[2])


def _head_moved(head_id: int, last: LedgerEntry) -> tuple[str, list[Any]]:
    """The statement that moves the stream's head to ``last`` (SQL and parameters)."""
    return (
        f"UPDATE {rawsql.table(LedgerStream)}"
        " SET last_seq = %s, last_hash = %s, updated_at = %s WHERE id = %s",
        [last.seq, last.hash, last.recorded_at, head_id],
    )


def _move_head(head_id: int, last: LedgerEntry) -> None:
    rawsql.execute(LedgerStream, *_head_moved(head_id, last))


def ledger_correct(
    *,
    entry: LedgerEntry,
    payload: Mapping[str, Any],
    reason: str,
    recorded_by: AbstractBaseUser | None,
    kind: str | None = None,
) -> LedgerEntry:
    """Correct ``entry``: append a new entry to its stream that references it, with a reason.

    The original stays as it was. The new entry has the original's kind and subject unless
    ``kind`` is given; its payload is the corrected content (the whole of it, not a diff).
    """
    if not reason.strip():
        raise LedgerReasonRequired()
    return ledger_append(
        company=entry.company,
        stream=entry.stream,
        kind=kind or entry.kind,
        payload=payload,
        recorded_by=recorded_by,
        subject=(entry.subject_type, entry.subject_id) if entry.subject_type else None,
        corrects=entry,
        reason=reason,
    )


def ledger_access_require(
    *, staff: Staff, request: HttpRequest | None = None, what: str = "verify"
) -> None:
    """Refuse (and audit the refusal) unless ``staff`` may verify the ledger.

    Call it outside any transaction that the refusal rolls back: the audit event must stay.
    """
    if staff.user.has_perm(VERIFY_PERMISSION):
        return
    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        actor=staff.user,
        company=staff.company,
        request=request,
        object_type="ledger",
        object_id=what,
        detail={"permission": VERIFY_PERMISSION},
    )
    raise LedgerPermissionDenied()
