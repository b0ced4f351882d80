"""The ledger's pure rules (A1.2 / A7.21, A4 四.五): canonical JSON, hashes, chain verification.

No database: chains are built from ``EntryFacts`` and tampered with in memory.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kehu.core.ledger import rules
from kehu.core.ledger.rules import (
    GENESIS_HASH,
    ChainIndex,
    EntryFacts,
    Head,
    NotCanonical,
    Problem,
    canonical_json,
    entry_hash,
    normalise,
    seal,
    verify_chain,
)

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def chain(payloads: list[dict[str, Any]], *, company_id: int = 7, stream: str = "book") -> list:
    entries: list[EntryFacts] = []
    prev = GENESIS_HASH
    for i, payload in enumerate(payloads, start=1):
        entry = seal(
            EntryFacts(
                id=100 + i,
                company_id=company_id,
                stream=stream,
                seq=i,
                recorded_at=T0 + timedelta(minutes=i),
                kind="registration",
                payload=rules.normalise(payload),
                prev_hash=prev,
            )
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def verify(entries: list[EntryFacts], **kwargs: Any) -> rules.ChainResult:
    ordered = sorted(entries, key=lambda e: (e.seq, e.id or 0))
    return verify_chain(ordered, index=lambda: ChainIndex.of(entries), **kwargs)


def resealed(entry: EntryFacts, **changes: Any) -> EntryFacts:
    return seal(replace(entry, **changes))


def payloads(n: int) -> list[dict[str, Any]]:
    return [{"customer": f"客户{i}", "n": i} for i in range(1, n + 1)]


# --- canonical JSON ----------------------------------------------------------------------


class Colour(StrEnum):
    RED = "red"


def test_canonical_json_sorts_keys_without_whitespace_and_keeps_chinese() -> None:
    assert canonical_json({"b": 1, "a": [True, None], "名": "张三"}) == (
        '{"a":[true,null],"b":1,"名":"张三"}'.encode()
    )


def test_canonical_json_writes_decimals_dates_and_datetimes_as_text() -> None:
    shanghai = timezone(timedelta(hours=8))
    value = {
        "amount": Decimal("1200.50"),
        "day": date(2026, 2, 13),
        "at": datetime(2026, 2, 13, 16, 0, tzinfo=shanghai),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "colour": Colour.RED,
        "pair": (1, 2),
    }
    assert json.loads(canonical_json(value)) == {
        "amount": "1200.50",
        "day": "2026-02-13",
        "at": "2026-02-13T08:00:00.000000Z",
        "id": "12345678-1234-5678-1234-567812345678",
        "colour": "red",
        "pair": [1, 2],
    }


@pytest.mark.parametrize(
    "value",
    [
        {"price": 1.5},
        {"at": datetime(2026, 1, 1)},
        {"text": "a\x00b"},
        {"text": "\ud800"},
        {1: "numeric key"},
        {"amount": Decimal("NaN")},
        {"thing": object()},
    ],
    ids=["float", "naive datetime", "NUL", "lone surrogate", "int key", "NaN", "object"],
)
def test_values_that_would_not_read_back_the_same_are_refused(value: dict[Any, Any]) -> None:
    with pytest.raises(NotCanonical):
        canonical_json(value)


def test_a_refused_value_is_named_by_where_it_sits() -> None:
    payload = {"decision": {"shares": [{"percent": "20"}, {"percent": 0.8}]}}
    with pytest.raises(NotCanonical) as refused:
        normalise(payload)
    assert refused.value.path == "payload.decision.shares[1].percent"
    with pytest.raises(NotCanonical) as refused:
        normalise({"claims": [{"holder": "李明\x00"}]}, "facts")
    assert refused.value.path == "facts.claims[0].holder"
    assert "NUL" in refused.value.reason_en


def test_the_genesis_hash_is_64_zeros() -> None:
    assert GENESIS_HASH == "0" * 64
    assert chain(payloads(1))[0].prev_hash == GENESIS_HASH


def test_every_field_is_covered_by_the_hash() -> None:
    entry = chain(payloads(1))[0]
    changes: dict[str, Any] = {
        "company_id": 8,
        "stream": "other",
        "seq": 2,
        "recorded_at": entry.recorded_at + timedelta(microseconds=1),
        "kind": "visit",
        "payload": {"customer": "客户2", "n": 1},
        "subject_type": "sales.registration",
        "subject_id": "1",
        "corrects_seq": 1,
        "reason": "x",
        "recorded_by_id": 3,
        "prev_hash": "f" * 64,
    }
    for name, value in changes.items():
        assert entry_hash(replace(entry, **{name: value})) != entry.hash, name


# --- verification: the good case ---------------------------------------------------------

json_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | json_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(json_text, json_values, max_size=5)


@given(st.lists(json_objects, max_size=12))
def test_any_sequence_of_appends_verifies(contents: list[dict[str, Any]]) -> None:
    # given any entries appended one after another
    entries = chain(contents)
    # when the chain is verified
    result = verify(entries, floors=[Head(len(entries), entries[-1].hash)] if entries else ())
    # then it is intact and its head is the last entry
    assert result.ok
    assert result.count == len(entries)
    assert result.head == (Head(len(entries), entries[-1].hash) if entries else rules.EMPTY_HEAD)
    assert result.rule_ids == ("A1.2", "A7.21", "A4 四.五")


@given(
    payload=json_objects,
    kind=json_text,
    stream=json_text,
    subject=st.tuples(json_text, json_text),
    corrects=st.none() | st.integers(1, 10**6),
    reason=json_text,
    recorded_by=st.none() | st.integers(1, 10**6),
)
def test_the_payload_written_once_hashes_as_the_whole_document(
    payload: dict[str, Any],
    kind: str,
    stream: str,
    subject: tuple[str, str],
    corrects: int | None,
    reason: str,
    recorded_by: int | None,
) -> None:
    # given any entry (any payload, kind, subject, correction, reason, recorder)
    entry = EntryFacts(
        company_id=7,
        stream=stream,
        seq=3,
        recorded_at=T0,
        kind=kind,
        payload=normalise(payload),
        prev_hash=GENESIS_HASH,
        subject_type=subject[0],
        subject_id=subject[1],
        corrects_seq=corrects,
        reason=reason,
        recorded_by_id=recorded_by,
    )
    # when it is sealed with the payload's text written once and joined into the document
    sealed, payload_text = rules.seal_with_payload_text(entry)
    # then the hash is the whole canonical document's, and the text is the payload's own
    assert sealed.hash == entry_hash(entry) == seal(entry, payload_normalised=True).hash
    assert payload_text.encode() == canonical_json(payload)


rich_values = st.recursive(
    json_values
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | st.datetimes(timezones=st.just(timezone(timedelta(hours=8))))
    | st.dates()
    | st.just(Colour.RED),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(json_text, children, max_size=3)
    ),
    max_leaves=8,
)


@given(st.dictionaries(json_text, rich_values, max_size=5))
def test_a_payload_normalised_beforehand_hashes_the_same(payload: dict[str, Any]) -> None:
    # given an entry whose payload holds values normalise turns into text
    entry = EntryFacts(
        company_id=7,
        stream="book",
        seq=3,
        recorded_at=T0,
        kind="registration",
        payload=payload,
        prev_hash=GENESIS_HASH,
        subject_type="sales.visit",
        subject_id="9",
    )
    # when the append normalises the payload first and says so
    fast = entry_hash(replace(entry, payload=normalise(payload)), payload_normalised=True)
    # then the hash is the one of the whole document normalised at once
    assert fast == entry_hash(entry)
    assert seal(replace(entry, payload=normalise(payload)), payload_normalised=True).hash == fast


class _Frozen(dict):  # type: ignore[type-arg]
    """A mapping that is not a plain ``dict``: normalise takes its general path."""


def _disguised(value: Any) -> Any:
    """``value`` with every container and text in a subclass or another shape: a tuple for a
    list, a dict subclass, a ``str`` subclass (as a ``StrEnum`` is), which the plain-type fast
    path leaves to the general one."""

    class Text(str):
        pass

    if isinstance(value, dict):
        return _Frozen({Text(k): _disguised(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_disguised(v) for v in value)
    if isinstance(value, str):
        return Text(value)
    return value


@given(json_values)
def test_plain_and_disguised_json_normalise_alike_and_read_back_the_same(value: Any) -> None:
    plain = normalise(value)
    assert plain == json.loads(json.dumps(value))
    assert normalise(_disguised(value)) == plain
    assert type(normalise(_disguised(value))) is type(plain)


# Control characters, quotes, backslashes, DEL, line separators and characters from every plane
# (the escapes are where two JSON writers could differ), and integers on both sides of 64 bits.
escape_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00")
    | st.sampled_from(list('\x01\x08\t\n\x0b\x0c\r\x1f"\\/\x7f\x80\u2028\u2029\ufeff😀張')),
    max_size=12,
)
canonical_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(2**63 - 2, 2**64 + 2) | escape_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(escape_text, children, max_size=4)
    ),
    max_leaves=16,
)


@given(canonical_values)
def test_the_canonical_text_is_the_standard_librarys_byte_for_byte(value: Any) -> None:
    """``_dumps`` (orjson, falling back for integers beyond 64 bits) writes exactly the text
    the format defines: ``json.dumps(…, ensure_ascii=False, sort_keys=True, separators=…)``."""
    plain = normalise(value)
    assert rules._dumps(plain) == rules._dumps_standard(plain)
    assert json.loads(rules._dumps(plain)) == plain


@given(json_text.filter(lambda t: not t.isascii()), st.sampled_from(["value", "key"]))
def test_a_nul_is_refused_in_chinese_and_in_ascii_text_keys_included(text: str, where: str) -> None:
    for bad in (text + "\x00", "abc\x00"):
        with pytest.raises(NotCanonical):
            normalise({"v": [bad]} if where == "value" else {"v": {bad: 1}})


# A mix of ASCII and Chinese, so that many single-byte changes keep the JSON valid.
mutable_text = st.text(alphabet="abcxyz019 张三李", min_size=1, max_size=10)
mutable_objects = st.dictionaries(
    mutable_text,
    mutable_text | st.integers(0, 10**6) | st.booleans() | st.lists(mutable_text, max_size=3),
    min_size=1,
    max_size=4,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.lists(mutable_objects, min_size=1, max_size=6), st.data())
def test_any_single_byte_payload_change_is_detected(
    contents: list[dict[str, Any]], data: st.DataObject
) -> None:
    # given a chain
    entries = chain(contents)
    # when one byte of one entry's stored payload is changed (and still parses as JSON)
    target = data.draw(st.integers(0, len(entries) - 1))
    original = canonical_json(entries[target].payload)
    position = data.draw(st.integers(0, len(original) - 1))
    byte = data.draw(st.integers(0x20, 0x7E))
    mutated = original[:position] + bytes([byte]) + original[position + 1 :]
    assume(mutated != original)
    try:
        payload = json.loads(mutated.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        assume(False)
    assume(
        json.dumps(payload, sort_keys=True) != json.dumps(entries[target].payload, sort_keys=True)
    )
    entries[target] = replace(entries[target], payload=payload)
    # then verification names exactly that entry as edited
    result = verify(entries)
    assert result.finding is not None
    assert result.finding.problem == Problem.EDITED
    assert result.finding.seq == target + 1
    assert result.finding.entry_id == entries[target].id


# --- verification: each kind of tampering ------------------------------------------------


def test_an_edited_entry_is_named() -> None:
    entries = chain(payloads(5))
    entries[2] = replace(entries[2], payload={"customer": "别人", "n": 3})
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.EDITED, 3, 103)


def test_an_entry_rewritten_with_a_recomputed_hash_is_named() -> None:
    entries = chain(payloads(5))
    entries[2] = resealed(entries[2], payload={"customer": "别人", "n": 3})
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.EDITED, 3, 103)


def test_a_deleted_middle_entry_leaves_a_gap() -> None:
    entries = chain(payloads(5))
    del entries[2]
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.DELETED, 4, 104)
    assert "seq 3 missing" in finding.detail_en


def test_a_deleted_entry_with_the_rest_renumbered_is_a_deletion() -> None:
    entries = chain(payloads(5))
    del entries[2]
    entries[2:] = [replace(e, seq=e.seq - 1) for e in entries[2:]]
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.DELETED, 3, 104)


def test_two_entries_with_their_seqs_swapped_are_reordered() -> None:
    entries = chain(payloads(5))
    entries[1], entries[2] = replace(entries[2], seq=2), replace(entries[1], seq=3)
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.REORDERED, 2, 103)


def test_two_whole_rows_swapped_between_ids_are_reordered() -> None:
    entries = chain(payloads(5))
    entries[1], entries[2] = replace(entries[1], id=103), replace(entries[2], id=102)
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.REORDERED, 3, 102)


def test_a_forged_entry_slipped_in_with_a_valid_hash_is_inserted() -> None:
    entries = chain(payloads(5))
    forged = seal(replace(entries[2], id=999, payload={"customer": "伪造", "n": 0}))
    entries = [*entries[:2], forged, *(replace(e, seq=e.seq + 1) for e in entries[2:])]
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.INSERTED, 3, 999)


def test_a_forged_entry_with_a_made_up_hash_is_inserted() -> None:
    entries = chain(payloads(5))
    forged = replace(entries[2], id=999, payload={"customer": "伪造"}, hash="a" * 64)
    entries = [*entries[:2], forged, *(replace(e, seq=e.seq + 1) for e in entries[2:])]
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.INSERTED, 3, 999)


def test_a_second_row_with_an_existing_seq_is_inserted() -> None:
    entries = chain(payloads(5))
    forged = seal(replace(entries[2], id=999, payload={"customer": "伪造"}))
    finding = verify([*entries, forged]).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.INSERTED, 3, 999)


def test_an_entry_beyond_the_recorded_head_is_inserted() -> None:
    entries = chain(payloads(4))
    finding = verify(entries, ceiling=3).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.INSERTED, 4, 104)


def test_a_truncated_tail_is_caught_only_against_a_head_kept_earlier() -> None:
    entries = chain(payloads(5))
    kept = Head(5, entries[-1].hash)
    # the chain that is left is internally consistent ...
    assert verify(entries[:3]).ok
    # ... but does not reach the head kept outside
    finding = verify(entries[:3], floors=[kept]).finding
    assert finding is not None
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.DELETED, 4, None)
    assert "seq 4–5 were deleted" in finding.detail_en


def test_a_chain_rewritten_end_to_end_is_caught_against_a_head_kept_earlier() -> None:
    entries = chain(payloads(5))
    kept = Head(5, entries[-1].hash)
    rewritten = chain([*payloads(2), {"customer": "别人", "n": 3}, *payloads(5)[3:]])
    assert verify(rewritten).ok
    finding = verify(rewritten, floors=[kept]).finding
    assert finding is not None
    assert (finding.problem, finding.seq) == (Problem.EDITED, 5)


def test_a_stored_float_is_an_edit_not_a_crash() -> None:
    entries = chain(payloads(3))
    entries[1] = replace(entries[1], payload={"customer": "客户2", "n": 2.0})
    finding = verify(entries).finding
    assert finding is not None
    assert (finding.problem, finding.seq) == (Problem.EDITED, 2)


# --- heads kept outside ------------------------------------------------------------------


def test_heads_are_written_one_line_per_stream_and_read_back() -> None:
    heads = [rules.ExportedHead("huadong", "registration_book", 42, "ab" * 32)]
    lines = rules.format_heads(heads)
    assert lines == [f"huadong registration_book 42 {'ab' * 32}"]
    assert rules.parse_heads(["# exported", "", *lines]) == heads


def test_a_garbled_heads_line_is_refused_with_its_number() -> None:
    with pytest.raises(rules.BadHeadLine) as error:
        rules.parse_heads(["# ok", "huadong registration_book 42 not-a-hash"])
    assert error.value.line_no == 2
