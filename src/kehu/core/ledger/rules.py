"""The evidence ledger's pure rules: canonical JSON, entry hashes, chain verification.

Pure: no Django, no I/O, no clock. Entries come in as ``EntryFacts``; ``verify_chain`` says
whether a stream's entries still form the chain they were written as and, when not, names the
first bad entry and the kind of tampering. The same text is in ``docs/ledger.md``.

Canonical form of an entry (format version 1)::

    {"v": 1, "company": <company id>, "stream": <name>, "seq": <1, 2, 3, ...>,
     "recorded_at": "YYYY-MM-DDTHH:MM:SS.ffffffZ", "kind": <text>, "payload": <JSON object>,
     "subject": null | [<type>, <id>], "corrects": null | <seq of the corrected entry>,
     "reason": <text>, "recorded_by": null | <user id>, "prev_hash": <64 hex>}

serialised as ``json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``
and encoded as UTF-8. ``hash = sha256(canonical bytes).hexdigest()``; ``prev_hash`` is the
previous entry's hash in the same stream, or ``GENESIS_HASH`` for seq 1. Because each document
holds its predecessor's hash, changing any entry changes every hash after it.

Payload values are normalised before they are stored, so what is read back hashes the same:
Decimal → its ``str()``, aware datetime → ISO-8601 UTC with microseconds and ``Z``, date →
``YYYY-MM-DD``, UUID → text, tuple → list, str/int enums → their value. Floats (money is
Decimal, and floats do not survive every database's JSON round trip), naive datetimes, NUL
characters, unpaired surrogates and non-text keys are refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID

import orjson

FORMAT_VERSION = 1
# The prev_hash of every stream's first entry: 64 zeros (documented in docs/ledger.md).
GENESIS_HASH = "0" * 64
# Evidence append-only and verifiable: the registration book (A1.2 / A7.21) and the check
# ledger (A4 四.五); the other streams (discipline, decisions, appeals) rely on the same rule.
RULE_IDS: tuple[str, ...] = ("A1.2", "A7.21", "A4 四.五")

STREAM_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KIND_RE = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")

# When an entry's hash is wrong at its seq, we look for the seq it was written at: first the
# seq after the entry it links to, then this many seqs either side.
_REORDER_WINDOW = 1000


class Stream(StrEnum):
    """Stream names the rulebook needs. Apps may use other names matching STREAM_NAME_RE."""

    REGISTRATION_BOOK = "registration_book"
    PHONE_BOOK = "phone_book"
    CHECK_LEDGER = "check_ledger"
    DISCIPLINE = "discipline"
    DECISIONS = "decisions"
    APPEALS = "appeals"
    DEALS = "deals"


STREAM_LABELS: dict[str, tuple[str, str]] = {
    Stream.REGISTRATION_BOOK: ("客户登记册", "Customer registration book"),
    Stream.PHONE_BOOK: ("电话咨询登记本", "Phone-enquiry book"),
    Stream.CHECK_LEDGER: ("核查工作台帐", "Check ledger"),
    Stream.DISCIPLINE: ("奖惩台账", "Rewards and penalties ledger"),
    Stream.DECISIONS: ("归属决定", "Ownership decisions"),
    Stream.APPEALS: ("申诉", "Appeals"),
    Stream.DEALS: ("成交与业绩台账", "Deals and commission"),
}


def stream_label(name: str) -> tuple[str, str]:
    return STREAM_LABELS.get(name, (name, name))


# --- canonical JSON ----------------------------------------------------------------------


class NotCanonical(ValueError):
    """A value the ledger cannot store so that it reads back (and hashes) the same."""

    def __init__(self, path: str, reason_zh: str, reason_en: str) -> None:
        super().__init__(f"{path}: {reason_en}")
        self.path = path
        self.reason_zh = reason_zh
        self.reason_en = reason_en


# Where a value sits, for the error message only: built as nested (parent, key) pairs while
# walking and turned into text only when a value is refused — formatting a path for every
# item cost a third of hashing a decision's payload (docs/performance.md).
_Where = str | tuple[Any, str | int]


def _path(where: _Where) -> str:
    if isinstance(where, str):
        return where
    parent, key = where
    return f"{_path(parent)}[{key}]" if isinstance(key, int) else f"{_path(parent)}.{key}"


def _text(value: str, where: _Where) -> str:
    text = str.__str__(value)  # a str enum's value, not its repr
    if "\x00" in text:
        raise NotCanonical(
            _path(where), "文本中不能有 NUL 字符", "text may not contain NUL characters"
        )
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise NotCanonical(
            _path(where), "文本不是有效的 Unicode", "text is not valid Unicode"
        ) from error
    return text


def normalise(value: Any, path: str = "payload") -> Any:
    """``value`` as plain JSON (dict, list, str, int, bool, None) that reads back unchanged."""
    return _normalise(value, path)


def _normalise(value: Any, where: _Where) -> Any:
    # The plain JSON types by exact type first: a decision's payload is a few hundred of them,
    # and the checks below (``Mapping`` is an abstract class) cost twice as much per value.
    kind = type(value)
    if kind is str:
        return value if value.isascii() and "\x00" not in value else _text(value, where)
    if kind is int or value is None or kind is bool:
        return value
    if kind is dict:
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(_path(where), "键必须是文本", "keys must be text")
            plain_key = type(key) is str and key.isascii() and "\x00" not in key
            name = key if plain_key else _text(key, where)
            result[name] = _normalise(item, (where, name))
        return result
    if kind is list:
        if all(type(item) is int for item in value):  # ids: a common name's hundreds of files
            return list(value)
        return [_normalise(item, (where, i)) for i, item in enumerate(value)]
    return _normalise_other(value, where)


def _normalise_other(value: Any, where: _Where) -> Any:
    if isinstance(value, str):  # before Enum: a str enum stores its value
        return _text(value, where)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Mapping):
        return _normalise(dict(value), where)
    if isinstance(value, list | tuple):
        return _normalise(list(value), where)
    if isinstance(value, float):
        raise NotCanonical(
            _path(where),
            "不能使用浮点数；金额请用 Decimal，其他数值请用整数或文本",
            "floats are not allowed; use Decimal for money, int or text otherwise",
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotCanonical(_path(where), "数值必须是有限数", "numbers must be finite")
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise NotCanonical(_path(where), "时间必须带时区", "datetimes must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return _normalise(value.value, where)
    raise NotCanonical(
        _path(where),
        f"不支持的类型 {type(value).__name__}",
        f"unsupported type {type(value).__name__}",
    )


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 not escaped; ``value`` normalised first."""
    return _dumps(normalise(value, "value"))


def _dumps(plain: Any) -> bytes:
    """The canonical text of a value already ``normalise``d.

    Written by orjson, ten times faster than the standard library on a decision's payload: for
    the plain values ``normalise`` returns (exact ``str``, ``int``, ``bool``, ``None``, ``dict``
    with text keys, ``list``) its sorted, compact UTF-8 text is byte for byte
    ``json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` — keys in
    code-point order, the same escapes (``tests/core/ledger/test_rules.py`` checks it). An
    integer beyond 64 bits, which orjson refuses, is written by the standard library."""
    try:
        return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _dumps_standard(plain)


def _dumps_standard(plain: Any) -> bytes:
    """The canonical text by the standard library: the definition ``_dumps`` follows."""
    return json.dumps(
        plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


# --- entries and their hashes ------------------------------------------------------------


@dataclass(frozen=True)
class EntryFacts:
    """What the hash covers, plus the stored hash and the row id (for reports)."""

    company_id: int
    stream: str
    seq: int
    recorded_at: datetime
    kind: str
    payload: Any
    prev_hash: str
    hash: str = ""
    subject_type: str = ""
    subject_id: str = ""
    corrects_seq: int | None = None
    reason: str = ""
    recorded_by_id: int | None = None
    id: int | None = None


def entry_document(entry: EntryFacts, *, seq: int | None = None) -> dict[str, Any]:
    """The canonical document of ``entry`` (as if it stood at ``seq``, when given)."""
    has_subject = bool(entry.subject_type or entry.subject_id)
    subject = [entry.subject_type, entry.subject_id] if has_subject else None
    return {
        "v": FORMAT_VERSION,
        "company": entry.company_id,
        "stream": entry.stream,
        "seq": entry.seq if seq is None else seq,
        "recorded_at": normalise(entry.recorded_at, "recorded_at"),
        "kind": entry.kind,
        "payload": entry.payload,
        "subject": subject,
        "corrects": entry.corrects_seq,
        "reason": entry.reason,
        "recorded_by": entry.recorded_by_id,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(
    entry: EntryFacts, *, seq: int | None = None, payload_normalised: bool = False
) -> str:
    """SHA-256 hex of the canonical document; raises NotCanonical for unstorable values.
    ``payload_normalised``: the payload is ``normalise``'s output already (the append checked
    it), so only the rest of the document is normalised; the hash is the same either way, as
    ``normalise`` gives back its own output unchanged. A decision's payload is the largest part
    of the document, and walking it twice cost ≈ 0.1 ms per append (docs/performance.md)."""
    document = entry_document(entry, seq=seq)
    if not payload_normalised:
        return hashlib.sha256(canonical_json(document)).hexdigest()
    return _hash_with_payload_text(document, _dumps(entry.payload))


def _hash_with_payload_text(document: dict[str, Any], payload_text: bytes) -> str:
    """The hash of ``document`` whose payload's canonical text is ``payload_text``: the rest
    of the document is written around it. With sorted keys and no whitespace, an object's
    text is ``{`` + its members in key order joined by ``,`` + ``}``, so the members before
    ``"payload"`` and after it can be written apart and joined: the bytes are the same as
    writing the whole document (``tests/core/ledger/test_rules.py`` checks it)."""
    document = dict(document)
    del document["payload"]
    plain = normalise(document, "value")
    before = _dumps({key: value for key, value in plain.items() if key < "payload"})
    after = _dumps({key: value for key, value in plain.items() if key > "payload"})
    text = b"".join((before[:-1], b',"payload":', payload_text, b",", after[1:]))
    return hashlib.sha256(text).hexdigest()


def seal(entry: EntryFacts, *, payload_normalised: bool = False) -> EntryFacts:
    """``entry`` with its hash filled in (``payload_normalised``: see ``entry_hash``)."""
    return replace(entry, hash=entry_hash(entry, payload_normalised=payload_normalised))


def seal_with_payload_text(entry: EntryFacts) -> tuple[EntryFacts, str]:
    """``seal`` of an entry whose payload is ``normalise``'s output, and the payload's
    canonical text, written once for both: the append stores that text as the row's JSON
    instead of writing the payload a second time (a decision's payload is ≈ 2 KB)."""
    payload_text = _dumps(entry.payload)
    hashed = _hash_with_payload_text(entry_document(entry), payload_text)
    return replace(entry, hash=hashed), payload_text.decode("utf-8")


def _valid_at(entry: EntryFacts, seq: int) -> bool:
    try:
        return entry_hash(entry, seq=seq) == entry.hash
    except NotCanonical:  # a stored value the ledger could never have written
        return False


# --- verification ------------------------------------------------------------------------


class Problem(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    REORDERED = "reordered"
    INSERTED = "inserted"


PROBLEM_LABELS: dict[Problem, tuple[str, str]] = {
    Problem.EDITED: ("被篡改", "edited"),
    Problem.DELETED: ("被删除", "deleted"),
    Problem.REORDERED: ("顺序被调换", "reordered"),
    Problem.INSERTED: ("被插入伪造记录", "inserted"),
}


@dataclass(frozen=True)
class Head:
    """A stream's latest seq and hash (seq 0 and GENESIS_HASH for an empty stream)."""

    seq: int
    hash: str


EMPTY_HEAD = Head(0, GENESIS_HASH)


@dataclass(frozen=True)
class Finding:
    """The first bad entry of a stream: its seq, row id (None when the row is gone), why."""

    problem: Problem
    seq: int
    entry_id: int | None
    detail_zh: str
    detail_en: str

    @property
    def label_zh(self) -> str:
        return PROBLEM_LABELS[self.problem][0]


@dataclass(frozen=True)
class ChainIndex:
    """Every hash of the stream with its seq, and the highest seq: read only to classify."""

    seq_by_hash: Mapping[str, int]
    max_seq: int

    @classmethod
    def of(cls, entries: Iterable[EntryFacts]) -> ChainIndex:
        seq_by_hash: dict[str, int] = {}
        max_seq = 0
        for entry in entries:
            seq_by_hash[entry.hash] = entry.seq
            max_seq = max(max_seq, entry.seq)
        return cls(seq_by_hash, max_seq)


@dataclass(frozen=True)
class ChainResult:
    count: int  # entries checked before the first problem (all of them when ok)
    head: Head  # the last good entry
    finding: Finding | None
    rule_ids: tuple[str, ...] = RULE_IDS

    @property
    def ok(self) -> bool:
        return self.finding is None


class _Peekable:
    def __init__(self, items: Iterable[EntryFacts]) -> None:
        self._items: Iterator[EntryFacts] = iter(items)
        self._next: EntryFacts | None = None
        self._has_next = False

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> EntryFacts:
        if self._has_next:
            self._has_next = False
            item = self._next
            assert item is not None
            return item
        return next(self._items)

    def peek(self) -> EntryFacts | None:
        if not self._has_next:
            try:
                self._next = next(self._items)
            except StopIteration:
                return None
            self._has_next = True
        return self._next


def _written_at(entry: EntryFacts, index: ChainIndex) -> int | None:
    """The seq at which ``entry``'s hash is valid, when it is not its own."""
    candidates: list[int] = []
    linked = index.seq_by_hash.get(entry.prev_hash)
    if linked is not None:
        candidates.append(linked + 1)
    if entry.prev_hash == GENESIS_HASH:
        candidates.append(1)
    low = max(1, entry.seq - _REORDER_WINDOW)
    high = entry.seq + _REORDER_WINDOW
    candidates.extend(range(low, high + 1))
    for seq in candidates:
        if seq != entry.seq and _valid_at(entry, seq):
            return seq
    return None


def _finding(problem: Problem, entry: EntryFacts, zh: str, en: str) -> Finding:
    return Finding(problem, entry.seq, entry.id, zh, en)


def _check(
    entry: EntryFacts,
    prev: EntryFacts | None,
    nxt: EntryFacts | None,
    index: Callable[[], ChainIndex],
    ceiling: int | None,
) -> Finding | None:
    expected_seq = prev.seq + 1 if prev else 1
    expected_prev = prev.hash if prev else GENESIS_HASH
    s = entry.seq

    # Two rows with one seq (possible only once the unique constraint is gone).
    if prev is not None and s == prev.seq:
        intruder = entry
        if nxt is not None and nxt.prev_hash == entry.hash and nxt.prev_hash != prev.hash:
            intruder = prev
        return _finding(
            Problem.INSERTED,
            intruder,
            f"序号 {s} 出现两条记录，其中一条是插入的伪造记录",
            f"two rows have seq {s}; one of them was inserted",
        )

    # Every append moves the stream's head row in the same transaction, so a row beyond the
    # head (read after the entries) was not written by the ledger.
    if ceiling is not None and s > ceiling:
        return _finding(
            Problem.INSERTED,
            entry,
            f"序号 {s} 超出了账本记录的最新序号 {ceiling}：这是插入的伪造记录",
            f"seq {s} is beyond the stream head the ledger recorded (seq {ceiling}): "
            "it was inserted",
        )

    # A fork: this entry links to the same predecessor as the one before it, so one of the
    # two was slipped in between (the chain skips it).
    if prev is not None and entry.prev_hash == prev.prev_hash:
        intruder = prev if _valid_at(entry, prev.seq) else max(prev, entry, key=lambda e: e.id or 0)
        return _finding(
            Problem.INSERTED,
            intruder,
            f"序号 {prev.seq} 与 {s} 都链接到同一条前序记录：序号 {intruder.seq} 是插入的伪造记录",
            f"seq {prev.seq} and {s} both link to the same predecessor: "
            f"seq {intruder.seq} was inserted",
        )

    if not _valid_at(entry, s):
        other = _written_at(entry, index())
        if other is not None:
            links_to_existing = (
                entry.prev_hash in index().seq_by_hash or entry.prev_hash == GENESIS_HASH
            )
            if links_to_existing:
                return _finding(
                    Problem.REORDERED,
                    entry,
                    f"序号 {s} 处的记录原本写在序号 {other}：记录的顺序被调换",
                    f"the entry at seq {s} was written as seq {other}: rows were reordered",
                )
            return _finding(
                Problem.DELETED,
                entry,
                f"序号 {s} 处的记录原本写在序号 {other}，它的前一条记录已不存在："
                "有记录被删除，其后的记录被重新编号",
                f"the entry at seq {s} was written as seq {other} and its predecessor is gone: "
                "entries were deleted and the rest renumbered",
            )
        if nxt is not None and nxt.prev_hash == expected_prev:
            return _finding(
                Problem.INSERTED,
                entry,
                f"序号 {s} 不在链上（序号 {nxt.seq} 直接链接到它之前的记录）：这是插入的伪造记录",
                f"seq {s} is not on the chain (seq {nxt.seq} links to the entry before it): "
                "it was inserted",
            )
        return _finding(
            Problem.EDITED,
            entry,
            f"序号 {s} 的内容与其哈希不符：记录被修改",
            f"the content of seq {s} does not match its hash: the entry was edited",
        )

    if entry.prev_hash != expected_prev:
        if s > expected_seq:
            return _finding(
                Problem.DELETED,
                entry,
                f"缺少序号 {_seq_range(expected_seq, s - 1)}：记录被删除",
                f"seq {_seq_range(expected_seq, s - 1)} missing: entries were deleted",
            )
        linked = index().seq_by_hash.get(entry.prev_hash)
        if linked is not None:
            return _finding(
                Problem.REORDERED,
                entry,
                f"序号 {s} 链接到序号 {linked}，而不是它的前一条：记录的顺序被调换",
                f"seq {s} links to seq {linked}, not to its predecessor: rows were reordered",
            )
        if prev is None:
            return _finding(
                Problem.EDITED,
                entry,
                "第一条记录没有链接到起始值：记录被修改",
                "the first entry does not link to the genesis hash: it was edited",
            )
        return _finding(
            Problem.EDITED,
            prev,
            f"序号 {prev.seq} 被改写并重新计算了哈希（序号 {s} 链接的是原来的哈希）",
            f"seq {prev.seq} was rewritten and rehashed (seq {s} links to its original hash)",
        )

    if s != expected_seq:
        return _finding(
            Problem.DELETED,
            entry,
            f"缺少序号 {_seq_range(expected_seq, s - 1)}：记录被删除",
            f"seq {_seq_range(expected_seq, s - 1)} missing: entries were deleted",
        )

    # Appends hold the stream's lock while inserting, so row ids grow with seq; a smaller id
    # after a larger one means whole rows were swapped (hashes and all).
    if prev is not None and entry.id is not None and prev.id is not None and entry.id < prev.id:
        return _finding(
            Problem.REORDERED,
            entry,
            f"序号 {s} 的行号小于序号 {prev.seq} 的行号：整行被调换",
            f"seq {s} has a smaller row id than seq {prev.seq}: whole rows were swapped",
        )

    return None


def _seq_range(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def verify_chain(
    entries: Iterable[EntryFacts],
    *,
    index: Callable[[], ChainIndex],
    floors: Sequence[Head] = (),
    ceiling: int | None = None,
) -> ChainResult:
    """Check one stream's entries, given in (seq, id) order.

    ``index`` is called (at most once) only to classify a problem. ``floors`` are heads known
    from elsewhere — exported earlier, or the stream's own head row read before the entries:
    the chain must reach each one with the same hash, which catches a truncated tail and a
    chain rewritten end to end. ``ceiling`` is the highest seq the ledger itself recorded
    (read after the entries): rows beyond it were not appended by the ledger.
    """
    cached: list[ChainIndex] = []

    def lazy_index() -> ChainIndex:
        if not cached:
            cached.append(index())
        return cached[0]

    wanted = {floor.seq for floor in floors if floor.seq > 0}
    at_floor: dict[int, EntryFacts] = {}
    stream = _Peekable(entries)
    prev: EntryFacts | None = None
    count = 0
    for entry in stream:
        finding = _check(entry, prev, stream.peek(), lazy_index, ceiling)
        if finding is not None:
            return ChainResult(count, _head(prev), finding)
        count += 1
        if entry.seq in wanted:
            at_floor[entry.seq] = entry
        prev = entry
    last = _head(prev)
    for floor in sorted(floors, key=lambda f: f.seq):
        if floor.seq <= 0:
            continue
        reached = at_floor.get(floor.seq)
        if reached is None:
            missing = _seq_range(last.seq + 1, floor.seq)
            return ChainResult(
                count,
                last,
                Finding(
                    Problem.DELETED,
                    last.seq + 1,
                    None,
                    f"账本只到序号 {last.seq}，而此前记下的最新序号是 {floor.seq}："
                    f"序号 {missing} 被删除",
                    f"the chain ends at seq {last.seq} but a head kept earlier is seq "
                    f"{floor.seq}: seq {missing} {'was' if floor.seq == last.seq + 1 else 'were'} "
                    "deleted",
                ),
            )
        if reached.hash != floor.hash:
            return ChainResult(
                count,
                last,
                Finding(
                    Problem.EDITED,
                    floor.seq,
                    reached.id,
                    f"序号 {floor.seq} 的哈希与此前记下的不同：序号 {floor.seq} 及之前的记录"
                    "被改写并重新计算了哈希",
                    f"seq {floor.seq} has a different hash from the head kept earlier: entries "
                    f"up to seq {floor.seq} were rewritten and rehashed",
                ),
            )
    return ChainResult(count, last, None)


def _head(entry: EntryFacts | None) -> Head:
    return EMPTY_HEAD if entry is None else Head(entry.seq, entry.hash)


# --- heads kept outside the database -----------------------------------------------------


@dataclass(frozen=True)
class ExportedHead:
    company_code: str
    stream: str
    seq: int
    hash: str


class BadHeadLine(ValueError):
    def __init__(self, line_no: int, line: str) -> None:
        super().__init__(f"line {line_no}: {line!r}")
        self.line_no = line_no
        self.line = line


def format_heads(heads: Iterable[ExportedHead]) -> list[str]:
    """One line per stream: ``<company code> <stream> <seq> <hash>``."""
    return [f"{h.company_code} {h.stream} {h.seq} {h.hash}" for h in heads]


def parse_heads(lines: Iterable[str]) -> list[ExportedHead]:
    """Read what ``format_heads`` wrote; blank lines and ``#`` comments are skipped."""
    heads: list[ExportedHead] = []
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if (
            len(parts) != 4
            or not STREAM_NAME_RE.match(parts[1])
            or not parts[2].isdigit()
            or not HASH_RE.match(parts[3])
        ):
            raise BadHeadLine(line_no, line)
        heads.append(ExportedHead(parts[0], parts[1], int(parts[2]), parts[3]))
    return heads
