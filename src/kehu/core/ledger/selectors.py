"""Reading the evidence ledger: streams, an entry with its corrections, heads, verification."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, models
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.ledger import append_only, rules
from kehu.core.ledger.errors import LedgerEntryNotFound
from kehu.core.ledger.models import LedgerEntry, LedgerStream
from kehu.core.ledger.services import ledger_access_require
from kehu.core.org.models import Company, Staff

# --- entries -----------------------------------------------------------------------------


def ledger_stream_entries(
    *, company: Company, stream: str, after_seq: int = 0
) -> QuerySet[LedgerEntry]:
    """One stream's entries in seq order (slice the result to page)."""
    return LedgerEntry.objects.filter(company=company, stream=stream, seq__gt=after_seq).order_by(
        "seq"
    )


def ledger_entries_for_subject(
    *, company: Company, subject: models.Model | tuple[str, str | int]
) -> QuerySet[LedgerEntry]:
    """Every entry about one business row, by stream and seq."""
    if isinstance(subject, models.Model):
        subject_type, subject_id = subject._meta.label_lower, str(subject.pk)
    else:
        subject_type, subject_id = str(subject[0]), str(subject[1])
    return LedgerEntry.objects.filter(
        company=company, subject_type=subject_type, subject_id=subject_id
    ).order_by("stream", "seq")


@dataclass(frozen=True)
class EntryHistory:
    """An entry and every correction of it (and of its corrections), in seq order."""

    entry: LedgerEntry
    corrections: list[LedgerEntry]

    @property
    def current(self) -> LedgerEntry:
        """The latest word on the matter: the last correction, else the entry itself."""
        return self.corrections[-1] if self.corrections else self.entry


def ledger_entry_get(*, company: Company, entry_id: int) -> EntryHistory:
    entry = LedgerEntry.objects.filter(company=company, pk=entry_id).first()
    if entry is None:
        raise LedgerEntryNotFound(entry_id)
    later = LedgerEntry.objects.filter(
        company=company, stream=entry.stream, seq__gt=entry.seq, corrects__isnull=False
    ).order_by("seq")
    chain = {entry.pk}
    corrections: list[LedgerEntry] = []
    for candidate in later:
        if candidate.corrects_id in chain:
            chain.add(candidate.pk)
            corrections.append(candidate)
    return EntryHistory(entry, corrections)


# --- heads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamHead:
    company_id: int
    company_code: str
    company_name: str
    stream: str
    seq: int
    hash: str
    recorded_at: datetime | None

    @property
    def label_zh(self) -> str:
        return rules.stream_label(self.stream)[0]

    @property
    def label_en(self) -> str:
        return rules.stream_label(self.stream)[1]

    def exported(self) -> rules.ExportedHead:
        return rules.ExportedHead(self.company_code, self.stream, self.seq, self.hash)


def _entry_filter(company: Company | None, stream: str | None) -> Q:
    q = Q()
    if company is not None:
        q &= Q(company=company)
    if stream is not None:
        q &= Q(stream=stream)
    return q


def ledger_heads(*, company: Company | None = None, stream: str | None = None) -> list[StreamHead]:
    """Each stream's latest entry (seq and hash), read from the entries themselves."""
    latest = (
        LedgerEntry.objects.filter(_entry_filter(company, stream))
        .values("company_id", "stream")
        .annotate(max_seq=Max("seq"))
        .order_by()
    )
    conditions = [
        Q(company_id=row["company_id"], stream=row["stream"], seq=row["max_seq"]) for row in latest
    ]
    if not conditions:
        return []
    entries = LedgerEntry.objects.filter(reduce(or_, conditions)).select_related("company")
    heads = [
        StreamHead(
            company_id=e.company_id,
            company_code=e.company.code,
            company_name=e.company.name,
            stream=e.stream,
            seq=e.seq,
            hash=e.hash,
            recorded_at=e.recorded_at,
        )
        for e in entries
    ]
    return sorted(heads, key=lambda h: (h.company_code, h.stream, h.seq))


def ledger_heads_for_staff(*, staff: Staff, request: HttpRequest | None = None) -> list[StreamHead]:
    ledger_access_require(staff=staff, request=request, what="heads")
    return ledger_heads(company=staff.company)


# --- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamCheck:
    company_id: int
    company_code: str
    stream: str
    result: rules.ChainResult

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def finding(self) -> rules.Finding | None:
        return self.result.finding

    @property
    def label_zh(self) -> str:
        return rules.stream_label(self.stream)[0]

    @property
    def label_en(self) -> str:
        return rules.stream_label(self.stream)[1]


@dataclass(frozen=True)
class LedgerReport:
    checked_at: datetime
    streams: list[StreamCheck]
    unguarded_tables: list[str] = field(default_factory=list)
    rule_ids: tuple[str, ...] = rules.RULE_IDS

    @property
    def ok(self) -> bool:
        return not self.unguarded_tables and all(check.ok for check in self.streams)

    @property
    def bad_streams(self) -> list[StreamCheck]:
        return [check for check in self.streams if not check.ok]


def _facts(
    rows: Iterable[tuple[Any, ...]], company_id: int, stream: str
) -> Iterator[rules.EntryFacts]:
    for (
        pk,
        seq,
        recorded_at,
        kind,
        payload,
        subject_type,
        subject_id,
        corrects_id,
        corrects_company_id,
        corrects_stream,
        corrects_seq,
        reason,
        recorded_by_id,
        prev_hash,
        hash_,
    ) in rows:
        if corrects_id is None:
            corrected: int | None = None
        elif corrects_company_id == company_id and corrects_stream == stream:
            corrected = int(corrects_seq)
        else:
            corrected = -1  # points outside its stream: the hash cannot match
        yield rules.EntryFacts(
            id=int(pk),
            company_id=company_id,
            stream=stream,
            seq=int(seq),
            recorded_at=recorded_at,
            kind=str(kind),
            payload=payload,
            subject_type=str(subject_type),
            subject_id=str(subject_id),
            corrects_seq=corrected,
            reason=str(reason),
            recorded_by_id=recorded_by_id,
            prev_hash=str(prev_hash),
            hash=str(hash_),
        )


def _entry_rows(company_id: int, stream: str) -> Iterator[rules.EntryFacts]:
    rows = (
        LedgerEntry.objects.filter(company_id=company_id, stream=stream)
        .order_by("seq", "id")
        .values_list(
            "id",
            "seq",
            "recorded_at",
            "kind",
            "payload",
            "subject_type",
            "subject_id",
            "corrects_id",
            "corrects__company_id",
            "corrects__stream",
            "corrects__seq",
            "reason",
            "recorded_by_id",
            "prev_hash",
            "hash",
        )
        .iterator(chunk_size=2000)
    )
    return _facts(rows, company_id, stream)


def _index(company_id: int, stream: str) -> rules.ChainIndex:
    pairs = LedgerEntry.objects.filter(company_id=company_id, stream=stream).values_list(
        "hash", "seq"
    )
    seq_by_hash = dict(pairs)
    return rules.ChainIndex(seq_by_hash, max(seq_by_hash.values(), default=0))


def _check_stream(company_id: int, stream: str, floors: Sequence[rules.Head]) -> rules.ChainResult:
    rows = _entry_rows(company_id, stream)
    first = next(rows, None)  # runs the query: every row it sees was committed before ...
    head_after = (
        LedgerStream.objects.filter(company_id=company_id, name=stream)
        .values_list("last_seq", flat=True)
        .first()
    )  # ... so the head row read now covers every one of them (they commit together).
    entries = itertools.chain([first], rows) if first is not None else iter(())
    return rules.verify_chain(
        entries,
        index=lambda: _index(company_id, stream),
        floors=floors,
        ceiling=head_after,
    )


def ledger_verify(
    *,
    company: Company | None = None,
    stream: str | None = None,
    heads: Sequence[rules.ExportedHead] = (),
    check_guards: bool = True,
) -> LedgerReport:
    """Verify every stream (of ``company``, named ``stream``, when given).

    Each stream's chain is re-derived from its entries; its head row (read before) and any
    ``heads`` exported earlier (``kehu ledger head``) must be reached with the same hash, which
    is how a deleted tail is caught. With ``check_guards``, tables that migrations made
    append-only but whose triggers are missing, disabled or altered are listed too.
    """
    checked_at = timezone.now()
    recorded: dict[tuple[int, str], rules.Head] = {
        (company_id, name): rules.Head(last_seq, last_hash)
        for company_id, name, last_seq, last_hash in LedgerStream.objects.filter(
            _stream_filter(company, stream)
        ).values_list("company_id", "name", "last_seq", "last_hash")
    }
    keys = set(recorded)
    keys.update(
        LedgerEntry.objects.filter(_entry_filter(company, stream))
        .values_list("company_id", "stream")
        .distinct()
        .order_by()
    )
    codes = dict(Company.objects.filter(pk__in={k[0] for k in keys}).values_list("pk", "code"))

    kept: dict[tuple[int, str], list[rules.Head]] = {}
    missing_companies: list[rules.ExportedHead] = []
    wanted = [
        h
        for h in heads
        if (company is None or h.company_code == company.code)
        and (stream is None or h.stream == stream)
    ]
    ids = dict(
        Company.objects.filter(code__in={h.company_code for h in wanted}).values_list("code", "pk")
    )
    for head in wanted:
        company_id = ids.get(head.company_code)
        if company_id is None:
            missing_companies.append(head)
            continue
        codes.setdefault(company_id, head.company_code)
        kept.setdefault((company_id, head.stream), []).append(rules.Head(head.seq, head.hash))
        keys.add((company_id, head.stream))

    checks = []
    for key in sorted(keys, key=lambda k: (codes.get(k[0], ""), k[1])):
        company_id, name = key
        floors = [*([recorded[key]] if key in recorded else []), *kept.get(key, [])]
        checks.append(
            StreamCheck(
                company_id, codes.get(company_id, ""), name, _check_stream(company_id, name, floors)
            )
        )
    for head in missing_companies:
        result = rules.verify_chain(
            [], index=lambda: rules.ChainIndex({}, 0), floors=[rules.Head(head.seq, head.hash)]
        )
        checks.append(StreamCheck(0, head.company_code, head.stream, result))
    unguarded = append_only.unguarded_tables(connection) if check_guards else []
    return LedgerReport(checked_at, checks, unguarded)


def _stream_filter(company: Company | None, stream: str | None) -> Q:
    q = Q()
    if company is not None:
        q &= Q(company=company)
    if stream is not None:
        q &= Q(name=stream)
    return q


def ledger_verify_for_staff(*, staff: Staff, request: HttpRequest | None = None) -> LedgerReport:
    """Verify the caller's company's streams (needs ``ledger.verify_ledger``)."""
    ledger_access_require(staff=staff, request=request, what="verify")
    return ledger_verify(company=staff.company)
