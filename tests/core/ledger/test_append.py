"""Appending to the evidence ledger and correcting by appending (A1.2 / A7.21, A4 四.五)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.errors import KehuError
from kehu.core.ledger import rules
from kehu.core.ledger.errors import LedgerErrorCode
from kehu.core.ledger.models import LedgerEntry, LedgerStream
from kehu.core.ledger.selectors import (
    ledger_entries_for_subject,
    ledger_entry_get,
    ledger_heads,
    ledger_stream_entries,
    ledger_verify,
)
from kehu.core.ledger.services import (
    LedgerItem,
    Stream,
    ledger_append,
    ledger_append_many,
    ledger_append_or_defer,
    ledger_append_streams,
    ledger_correct,
)
from kehu.core.org.models import Company, Staff

from .conftest import Book, facts_of


def test_appending_builds_a_valid_chain(east: Company, book: Book) -> None:
    # given three registrations appended to 华东置业's registration book
    first, second, third = book(3)
    # then they are numbered 1, 2, 3, each linked to the one before, from the genesis hash
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == rules.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    # and each stored row hashes to its own hash (the chain derives from the rows alone)
    for entry in LedgerEntry.objects.filter(company=east):
        assert rules.entry_hash(facts_of(entry)) == entry.hash
    # and the stream's head row points at the last one, moved when it was appended
    head = LedgerStream.objects.get(company=east, name="registration_book")
    assert (head.last_seq, head.last_hash) == (3, third.hash)
    assert head.updated_at == third.recorded_at
    assert ledger_verify(company=east).ok


def test_the_payload_is_stored_as_the_canonical_text_its_hash_covers(east: Company) -> None:
    # given an entry whose payload has Chinese text, a nested object and a decimal
    payload = {"客户": "张三", "份额": Decimal("0.20"), "keys": {"b": [1, None], "a": True}}
    entry = ledger_append(company=east, stream=Stream.REGISTRATION_BOOK, kind="t", payload=payload)
    # then the row reads back as the payload (normalised) and hashes to its hash
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert stored.payload == rules.normalise(payload) == entry.payload
    assert rules.entry_hash(facts_of(stored)) == stored.hash == entry.hash
    # and on SQLite, which keeps JSON as text, the text is the canonical one (written once)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT payload FROM ledger_ledgerentry WHERE id = %s", [entry.pk])
            assert cursor.fetchone()[0] == rules.canonical_json(payload).decode()


def test_an_append_locks_the_head_then_inserts_and_moves_it_in_one_statement_on_postgresql(
    east: Company, book: Book
) -> None:
    # given a stream with an entry (its head exists)
    book(1)
    # when one more entry is appended
    with CaptureQueriesContext(connection) as captured:
        entry = ledger_append(company=east, stream="registration_book", kind="k", payload={})
    # then the head was locked and read, and the entry inserted with the head moved: in one
    # statement on PostgreSQL (data-modifying WITH), in two on SQLite
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == (2 if connection.vendor == "postgresql" else 3), statements
    head = LedgerStream.objects.get(company=east, name="registration_book")
    assert (head.last_seq, head.last_hash, head.updated_at) == (2, entry.hash, entry.recorded_at)
    assert LedgerEntry.objects.get(pk=entry.pk).hash == entry.hash


def test_streams_are_numbered_separately_per_company_and_name(
    east: Company, west: Company, book: Book
) -> None:
    book(2)
    book(1, stream="phone_book")
    book(3, company=west)
    heads = {(h.company_code, h.stream): h.seq for h in ledger_heads()}
    assert heads == {
        ("huadong", "phone_book"): 1,
        ("huadong", "registration_book"): 2,
        ("xihu-gas", "registration_book"): 3,
    }
    assert [h.stream for h in ledger_heads(company=east, stream="phone_book")] == ["phone_book"]


def test_recorded_at_is_the_append_time_in_utc(east: Company) -> None:
    with time_machine.travel(datetime(2026, 2, 13, 16, 0, 0, 123456, tzinfo=UTC), tick=False):
        entry = ledger_append(company=east, stream="check_ledger", kind="check", payload={})
    entry.refresh_from_db()
    assert entry.recorded_at == datetime(2026, 2, 13, 16, 0, 0, 123456, tzinfo=UTC)


def test_payload_values_are_stored_in_their_canonical_form(east: Company, wang: Staff) -> None:
    entry = ledger_append(
        company=east,
        stream=Stream.DISCIPLINE,
        kind="penalty",
        payload={"fine": Decimal("200.00"), "on": date(2026, 3, 1), "who": "赵强"},
        recorded_by=wang.user,
        subject=wang,
    )
    entry.refresh_from_db()
    assert entry.payload == {"fine": "200.00", "on": "2026-03-01", "who": "赵强"}
    assert (entry.subject_type, entry.subject_id) == ("org.staff", str(wang.pk))
    assert entry.recorded_by_id == wang.user.pk
    assert list(ledger_entries_for_subject(company=east, subject=wang)) == [entry]
    assert ledger_verify(company=east).ok


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"stream": "Registration Book"}, LedgerErrorCode.BAD_STREAM),
        ({"stream": ""}, LedgerErrorCode.BAD_STREAM),
        ({"kind": ""}, LedgerErrorCode.BAD_KIND),
        ({"payload": ["not", "an", "object"]}, LedgerErrorCode.BAD_PAYLOAD),
        ({"payload": {"price": 1.5}}, LedgerErrorCode.BAD_PAYLOAD),
        ({"subject": ("", "1")}, LedgerErrorCode.BAD_SUBJECT),
    ],
)
def test_bad_appends_are_refused_with_a_clear_error(
    east: Company, changes: dict[str, Any], code: str
) -> None:
    arguments: dict[str, Any] = {
        "company": east,
        "stream": "registration_book",
        "kind": "registration",
        "payload": {"customer": "张三"},
        **changes,
    }
    with pytest.raises(KehuError) as error:
        ledger_append(**arguments)
    assert error.value.code == code
    assert error.value.message_zh and error.value.message_en
    assert not LedgerEntry.objects.exists()


# --- many entries at once ------------------------------------------------------------------


def test_appending_many_continues_the_chain_as_one_by_one_appends_would(
    east: Company, wang: Staff, li: Staff, book: Book
) -> None:
    # given two registrations already in the book
    _, second = book(2)
    # when a job appends three more at once, each with its own subject and recorder
    entries = ledger_append_many(
        company=east,
        stream="registration_book",
        items=[
            LedgerItem(kind="registration", payload={"n": 3}, subject=wang),
            LedgerItem(kind="registration", payload={"n": 4}, recorded_by=li.user),
            LedgerItem(kind="registration", payload={"n": 5, "fine": Decimal("100")}),
        ],
    )
    # then they follow on as 3, 4, 5, each linked to the one before
    assert [e.seq for e in entries] == [3, 4, 5]
    assert entries[0].prev_hash == second.hash
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:2]]
    stored = list(LedgerEntry.objects.filter(company=east, seq__gte=3).order_by("seq"))
    assert [(e.seq, e.hash, e.subject_id, e.recorded_by_id) for e in stored] == [
        (3, entries[0].hash, str(wang.pk), None),
        (4, entries[1].hash, "", li.user.pk),
        (5, entries[2].hash, "", None),
    ]
    assert stored[2].payload == {"n": 5, "fine": "100"}
    # and the head points at the last, and the whole chain verifies
    head = LedgerStream.objects.get(company=east, name="registration_book")
    assert (head.last_seq, head.last_hash) == (5, entries[2].hash)
    assert ledger_verify(company=east).ok
    # and a later single append follows on
    sixth = ledger_append(company=east, stream="registration_book", kind="x", payload={})
    assert (sixth.seq, sixth.prev_hash) == (6, entries[2].hash)


def test_appending_many_on_a_new_stream_starts_from_the_genesis_hash(east: Company) -> None:
    entries = ledger_append_many(
        company=east,
        stream="phone_book",
        items=[LedgerItem(kind="enquiry", payload={"n": n}) for n in range(3)],
    )
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == rules.GENESIS_HASH
    assert ledger_verify(company=east).ok


def test_appending_many_writes_nothing_when_one_item_is_bad(east: Company, book: Book) -> None:
    book(1)
    with pytest.raises(KehuError) as error:
        ledger_append_many(
            company=east,
            stream="registration_book",
            items=[
                LedgerItem(kind="registration", payload={"n": 2}),
                LedgerItem(kind="registration", payload={"price": 1.5}),
            ],
        )
    assert error.value.code == LedgerErrorCode.BAD_PAYLOAD
    assert LedgerEntry.objects.count() == 1
    assert LedgerStream.objects.get(company=east, name="registration_book").last_seq == 1


def test_appending_nothing_writes_nothing(east: Company) -> None:
    assert ledger_append_many(company=east, stream="registration_book", items=[]) == []
    assert not LedgerStream.objects.exists()


def test_appending_across_streams_continues_each_chain_as_one_by_one_appends_would(
    east: Company, wang: Staff, book: Book
) -> None:
    # given a registration book with two lines, and no decisions stream yet
    _, second = book(2)
    # when a use case appends its book line, its decision and a second decision at its end
    with CaptureQueriesContext(connection) as captured:
        line, decided, again = ledger_append_streams(
            company=east,
            items=[
                ("registration_book", LedgerItem(kind="registration", payload={"n": 3})),
                ("decisions", LedgerItem(kind="decision", payload={"份额": Decimal("0.20")})),
                ("decisions", LedgerItem(kind="decision", payload={"n": 2}, subject=wang)),
            ],
        )
    # then each stream's chain goes on (the new one from the genesis hash) ...
    assert (line.seq, line.prev_hash) == (3, second.hash)
    assert (decided.seq, decided.prev_hash) == (1, rules.GENESIS_HASH)
    assert (again.seq, again.prev_hash) == (2, decided.hash)
    # ... with the ids read back, the rows as appended and the heads moved to the last entries
    appended = (line, decided, again)
    stored = LedgerEntry.objects.in_bulk([e.pk for e in appended if e.pk is not None])
    assert [stored[e.pk].hash for e in appended] == [e.hash for e in appended]
    assert stored[decided.pk].payload == {"份额": "0.20"}
    heads = {h.name: (h.last_seq, h.last_hash) for h in LedgerStream.objects.filter(company=east)}
    assert heads == {"registration_book": (3, line.hash), "decisions": (2, again.hash)}
    assert ledger_verify(company=east).ok
    # and the heads were read in one statement, the entries written in one, the heads moved in
    # one (with the new stream's head created in between)
    statements = [q["sql"] for q in captured.captured_queries]
    assert sum('INSERT INTO "ledger_ledgerentry"' in sql for sql in statements) == 1
    assert sum(sql.startswith('UPDATE "ledger_ledgerstream"') for sql in statements) == 1


def test_appending_across_streams_is_three_statements_once_the_heads_exist(
    east: Company, book: Book
) -> None:
    book(1)
    book(1, stream="phone_book")
    with CaptureQueriesContext(connection) as captured:
        ledger_append_streams(
            company=east,
            items=[
                ("registration_book", LedgerItem(kind="registration", payload={})),
                ("phone_book", LedgerItem(kind="enquiry", payload={})),
            ],
        )
    assert len(captured.captured_queries) == 3, [q["sql"] for q in captured.captured_queries]
    assert ledger_verify(company=east).ok


def test_appending_across_streams_writes_nothing_when_one_item_is_bad(
    east: Company, book: Book
) -> None:
    book(1)
    with pytest.raises(KehuError) as error:
        ledger_append_streams(
            company=east,
            items=[
                ("registration_book", LedgerItem(kind="registration", payload={"n": 2})),
                ("decisions", LedgerItem(kind="decision", payload={"price": 1.5})),
            ],
        )
    assert error.value.code == LedgerErrorCode.BAD_PAYLOAD
    assert LedgerEntry.objects.count() == 1
    assert not LedgerStream.objects.filter(name="decisions").exists()


def test_an_item_is_appended_now_or_collected_for_later(east: Company) -> None:
    item = LedgerItem(kind="registration", payload={"n": 1})
    # collected: nothing written, the item waits in the caller's list
    later: list[tuple[str, LedgerItem]] = []
    assert (
        ledger_append_or_defer(company=east, stream="registration_book", item=item, deferred=later)
        is None
    )
    assert later == [("registration_book", item)] and not LedgerEntry.objects.exists()
    # appended now: the entry is written and returned
    entry = ledger_append_or_defer(
        company=east, stream="registration_book", item=item, deferred=None
    )
    assert entry is not None and LedgerEntry.objects.get(pk=entry.pk).seq == 1


# --- corrections ---------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_referencing_the_original_with_a_reason(
    east: Company, wang: Staff, book: Book
) -> None:
    # given a registration with a wrong phone number
    original, _ = book(2)
    # when 王经理 corrects it
    correction = ledger_correct(
        entry=original,
        payload={"customer": "客户1", "phone_tail": "1999", "n": 1},
        reason="电话号码登记错误，客户来电更正",
        recorded_by=wang.user,
    )
    # then the original is untouched and the correction is appended after it, pointing at it
    original.refresh_from_db()
    assert original.payload["phone_tail"] == "1001"
    assert (correction.seq, correction.corrects_id, correction.kind) == (
        3,
        original.pk,
        "registration",
    )
    assert correction.reason == "电话号码登记错误，客户来电更正"
    # and reading the original shows its corrections, the latest one being current
    history = ledger_entry_get(company=east, entry_id=original.pk)
    assert history.corrections == [correction]
    assert history.current == correction
    assert ledger_verify(company=east).ok


def test_corrections_of_corrections_are_followed(east: Company, wang: Staff, book: Book) -> None:
    original, other = book(2)
    first = ledger_correct(entry=original, payload={"v": 1}, reason="一改", recorded_by=wang.user)
    ledger_correct(entry=other, payload={"v": 0}, reason="别的记录", recorded_by=wang.user)
    second = ledger_correct(entry=first, payload={"v": 2}, reason="再改", recorded_by=wang.user)
    history = ledger_entry_get(company=east, entry_id=original.pk)
    assert history.corrections == [first, second]
    assert history.current.payload == {"v": 2}


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_without_a_reason_is_refused(
    east: Company, wang: Staff, book: Book, reason: str
) -> None:
    (original,) = book(1)
    with pytest.raises(KehuError) as error:
        ledger_correct(entry=original, payload={}, reason=reason, recorded_by=wang.user)
    assert error.value.code == LedgerErrorCode.REASON_REQUIRED
    assert "理由" in error.value.message_zh
    with pytest.raises(KehuError):
        ledger_append(
            company=east, stream="registration_book", kind="x", payload={}, corrects=original
        )
    assert LedgerEntry.objects.count() == 1


def test_a_correction_must_stay_in_its_stream(east: Company, west: Company, book: Book) -> None:
    (original,) = book(1)
    for company, stream in [(west, "registration_book"), (east, "phone_book")]:
        with pytest.raises(KehuError) as error:
            ledger_append(
                company=company,
                stream=stream,
                kind="registration",
                payload={},
                corrects=original,
                reason="跨账本更正",
            )
        assert error.value.code == LedgerErrorCode.CORRECTION_OTHER_STREAM


def test_an_entry_of_another_company_is_not_found(east: Company, west: Company, book: Book) -> None:
    (theirs,) = book(1, company=west)
    with pytest.raises(KehuError) as error:
        ledger_entry_get(company=east, entry_id=theirs.pk)
    assert error.value.status == 404


def test_appends_roll_back_with_the_callers_transaction(east: Company, book: Book) -> None:
    book(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_append(company=east, stream="registration_book", kind="registration", payload={})
        raise RuntimeError("the business act failed")
    (second,) = [e for e in book(1)]
    assert second.seq == 2
    assert ledger_verify(company=east).ok


def test_stream_entries_are_listed_in_order(east: Company, book: Book) -> None:
    entries = book(4)
    listed = ledger_stream_entries(company=east, stream="registration_book", after_seq=1)
    assert list(listed) == entries[1:]


# --- property: any sequence of appends verifies ------------------------------------------

json_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | json_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(json_text, children, max_size=3)
    ),
    max_leaves=8,
)
appends = st.lists(
    st.tuples(
        st.sampled_from(["registration_book", "phone_book", "check_ledger"]),
        st.dictionaries(json_text, json_values, max_size=4),
        st.booleans(),
    ),
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=appends)
def test_any_sequence_of_appends_and_corrections_verifies(
    east: Company, wang: Staff, steps: list[tuple[str, dict[str, Any], bool]]
) -> None:
    with transaction.atomic():
        last: dict[str, LedgerEntry] = {}
        for stream, payload, correct in steps:
            if correct and stream in last:
                entry = ledger_correct(
                    entry=last[stream], payload=payload, reason="更正", recorded_by=wang.user
                )
            else:
                entry = ledger_append(
                    company=east, stream=stream, kind="k", payload=payload, recorded_by=wang.user
                )
            last[stream] = entry
        report = ledger_verify(company=east)
        assert report.ok, report.bad_streams
        assert sum(check.result.count for check in report.streams) == len(steps)
        transaction.set_rollback(True)
