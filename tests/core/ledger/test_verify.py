"""``ledger verify`` catches every kind of tampering and names the first bad entry
(A1.2 / A7.21: "a check that proves no record was changed or removed since it was written";
A4 四.五: check-ledger entries cannot be falsified).

The attacker has the database owner's rights: drops the append-only triggers, changes rows with
raw SQL, and puts the triggers back (so verification, not a missing guard, must catch it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kehu.core.ledger import rules
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.rules import Problem
from kehu.core.ledger.selectors import LedgerReport, ledger_verify
from kehu.core.ledger.services import ledger_append, ledger_correct
from kehu.core.org.models import Company

from .conftest import (
    ENTRY_TABLE,
    STREAM_TABLE,
    Book,
    facts_of,
    guards_down,
    insert_row,
    raw,
    set_payload_json,
    set_seq,
    set_stream_head,
    swap_seqs,
)

BOOK = "registration_book"


def only_finding(report: LedgerReport) -> rules.Finding:
    (bad,) = report.bad_streams
    assert bad.stream == BOOK
    assert bad.finding is not None
    return bad.finding


def run_verify(*args: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("ledger", "verify", *args, stdout=out)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def export_heads(tmp_path: Path, *args: str) -> Path:
    out = StringIO()
    call_command("ledger", "head", *args, stdout=out)
    path = tmp_path / "heads.txt"
    path.write_text(out.getvalue(), "utf-8")
    return path


# --- intact --------------------------------------------------------------------------------


def test_an_intact_ledger_verifies_ok(east: Company, west: Company, book: Book) -> None:
    book(3)
    book(2, stream="check_ledger", company=west)
    report = ledger_verify()
    assert report.ok
    assert [(c.company_code, c.stream, c.result.count) for c in report.streams] == [
        ("huadong", BOOK, 3),
        ("xihu-gas", "check_ledger", 2),
    ]
    output, code = run_verify()
    assert code == 0
    lines = output.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("账本完整 ") and line.endswith(" ok") for line in lines)
    assert "huadong/registration_book" in lines[0]


def test_an_empty_ledger_verifies_ok(db: None) -> None:
    output, code = run_verify()
    assert code == 0
    assert "ok" in output


def test_verify_can_be_limited_to_a_company_and_a_stream(
    east: Company, west: Company, book: Book
) -> None:
    book(1)
    book(1, stream="phone_book")
    book(1, company=west)
    output, code = run_verify("--company", "huadong", "--stream", "phone_book")
    assert code == 0
    assert output.count("账本完整") == 1
    assert "huadong/phone_book" in output
    output, code = run_verify("--company", "nobody")
    assert code == 2
    assert "nobody" in output


# --- each kind of tampering ------------------------------------------------------------------


def test_an_edited_payload_is_caught_and_named(east: Company, book: Book) -> None:
    entries = book(5)
    with guards_down():
        set_payload_json(
            entries[2].pk, json.dumps({"customer": "别人", "phone_tail": "1003", "n": 3})
        )
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.EDITED, 3, entries[2].pk)
    output, code = run_verify()
    assert code == 1
    assert f"账本异常 huadong/{BOOK}" in output
    assert f"#3（id {entries[2].pk}）被篡改 edited" in output


def test_an_edit_with_the_hash_recomputed_is_caught(east: Company, book: Book) -> None:
    entries = book(5)
    forged = rules.seal(replace(facts_of(entries[2]), payload={"customer": "别人"}))
    with guards_down():
        set_payload_json(entries[2].pk, json.dumps(forged.payload, ensure_ascii=False))
        raw(f"UPDATE {ENTRY_TABLE} SET hash = %s WHERE id = %s", [forged.hash, entries[2].pk])
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.EDITED, 3, entries[2].pk)


def test_a_deleted_middle_entry_is_caught(east: Company, book: Book) -> None:
    entries = book(5)
    with guards_down():
        raw(f"DELETE FROM {ENTRY_TABLE} WHERE id = %s", [entries[2].pk])
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.DELETED, 4, entries[3].pk)
    output, code = run_verify()
    assert code == 1
    assert "被删除 deleted" in output
    assert "缺少序号 3" in output


def test_a_deleted_entry_with_the_rest_renumbered_is_caught(east: Company, book: Book) -> None:
    entries = book(5)
    with guards_down():
        raw(f"DELETE FROM {ENTRY_TABLE} WHERE id = %s", [entries[2].pk])
        for seq in (4, 5):
            set_seq(east, BOOK, seq, seq - 1)
    set_stream_head(east, BOOK, 4, entries[4].hash)
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.DELETED, 3, entries[3].pk)


def test_a_deleted_last_entry_is_caught_by_the_stream_head(east: Company, book: Book) -> None:
    entries = book(5)
    with guards_down():
        raw(f"DELETE FROM {ENTRY_TABLE} WHERE id = %s", [entries[4].pk])
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.DELETED, 5, None)
    output, code = run_verify()
    assert code == 1
    assert "#5（已不存在）被删除 deleted" in output


def test_a_deleted_tail_covered_up_is_caught_only_against_exported_heads(
    east: Company, book: Book, tmp_path: Path
) -> None:
    # given the heads were exported and kept outside the database
    entries = book(5)
    heads = export_heads(tmp_path)
    assert f"huadong {BOOK} 5 {entries[4].hash}" in heads.read_text("utf-8")
    # when the attacker deletes the last two entries and winds the stream head back
    with guards_down():
        raw(f"DELETE FROM {ENTRY_TABLE} WHERE id IN (%s, %s)", [entries[3].pk, entries[4].pk])
    set_stream_head(east, BOOK, 3, entries[2].hash)
    # then the database alone looks consistent ...
    assert ledger_verify().ok
    # ... but not against the heads kept outside
    output, code = run_verify("--heads", str(heads))
    assert code == 1
    assert "被删除 deleted" in output
    assert "4–5" in output
    report = ledger_verify(heads=rules.parse_heads(heads.read_text("utf-8").splitlines()))
    finding = only_finding(report)
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.DELETED, 4, None)


def test_a_chain_rewritten_end_to_end_is_caught_against_exported_heads(
    east: Company, book: Book, tmp_path: Path
) -> None:
    entries = book(4)
    heads = export_heads(tmp_path, "--company", "huadong")
    # the attacker rewrites seq 2 and recomputes every hash after it, and the stream head
    prev = entries[0].hash
    with guards_down():
        for entry in entries[1:]:
            facts = facts_of(entry)
            if entry.seq == 2:
                facts = replace(facts, payload={"customer": "别人"})
                set_payload_json(entry.pk, json.dumps(facts.payload, ensure_ascii=False))
            facts = rules.seal(replace(facts, prev_hash=prev))
            raw(
                f"UPDATE {ENTRY_TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
                [facts.prev_hash, facts.hash, entry.pk],
            )
            prev = facts.hash
    set_stream_head(east, BOOK, 4, prev)
    assert ledger_verify().ok
    output, code = run_verify("--heads", str(heads))
    assert code == 1
    assert "被篡改 edited" in output


def test_two_entries_swapped_are_caught(east: Company, book: Book) -> None:
    entries = book(5)
    with guards_down():
        swap_seqs(east, BOOK, 2, 3)
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (
        Problem.REORDERED,
        2,
        entries[2].pk,
    )
    output, code = run_verify()
    assert code == 1
    assert "顺序被调换 reordered" in output


def test_a_forged_entry_inserted_in_the_middle_is_caught(east: Company, book: Book) -> None:
    entries = book(5)
    # the attacker makes room at seq 3 and inserts a well-formed entry there
    forged = rules.seal(
        replace(
            facts_of(entries[2]), id=None, payload={"customer": "伪造的客户"}, kind="registration"
        )
    )
    with guards_down():
        for seq in (5, 4, 3):
            set_seq(east, BOOK, seq, seq + 1)
        forged_id = insert_row(forged)
    set_stream_head(east, BOOK, 6, entries[4].hash)
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.INSERTED, 3, forged_id)
    output, code = run_verify()
    assert code == 1
    assert f"#3（id {forged_id}）被插入伪造记录 inserted" in output


def test_a_forged_entry_appended_behind_the_ledgers_back_is_caught(
    east: Company, book: Book
) -> None:
    entries = book(3)
    forged = rules.seal(
        replace(facts_of(entries[2]), id=None, seq=4, prev_hash=entries[2].hash, payload={"x": 1})
    )
    with guards_down():
        forged_id = insert_row(forged)
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq, finding.entry_id) == (Problem.INSERTED, 4, forged_id)


def test_only_the_tampered_stream_fails(east: Company, west: Company, book: Book) -> None:
    entries = book(3)
    book(3, company=west)
    book(2, stream="phone_book")
    with guards_down():
        set_payload_json(entries[0].pk, "{}")
    report = ledger_verify()
    assert [(c.company_code, c.stream, c.ok) for c in report.streams] == [
        ("huadong", "phone_book", True),
        ("huadong", BOOK, False),
        ("xihu-gas", BOOK, True),
    ]
    output, code = run_verify()
    assert code == 1
    assert output.count("账本完整") == 2


def test_a_correction_pointed_at_another_entry_is_caught(east: Company, book: Book) -> None:
    first, second = book(2)
    correction = ledger_correct(entry=first, payload={}, reason="更正", recorded_by=None)
    with guards_down():
        raw(f"UPDATE {ENTRY_TABLE} SET corrects_id = %s WHERE id = %s", [second.pk, correction.pk])
    finding = only_finding(ledger_verify())
    assert (finding.problem, finding.seq) == (Problem.EDITED, 3)


def test_a_bad_heads_file_is_a_usage_error(db: None, tmp_path: Path) -> None:
    path = tmp_path / "heads.txt"
    path.write_text("huadong registration_book five abc\n", "utf-8")
    output, code = run_verify("--heads", str(path))
    assert code == 2
    assert "第 1 行" in output
    output, code = run_verify("--heads", str(tmp_path / "missing.txt"))
    assert code == 2


def test_head_prints_one_line_per_stream(east: Company, west: Company, book: Book) -> None:
    entries = book(2)
    book(1, company=west)
    out = StringIO()
    call_command("ledger", "head", "--company", "huadong", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith("#")]
    assert lines == [f"huadong {BOOK} 2 {entries[1].hash}"]


# --- property: one changed byte in a stored payload is always caught ------------------------

mutable_text = st.text(alphabet="abcxyz019 张三李", min_size=1, max_size=8)
mutable_objects = st.dictionaries(
    mutable_text,
    mutable_text | st.integers(0, 10**6) | st.booleans(),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
    ],
)
@given(contents=st.lists(mutable_objects, min_size=1, max_size=4), data=st.data())
def test_any_single_byte_change_to_a_stored_payload_is_caught(
    east: Company, contents: list[dict[str, object]], data: st.DataObject
) -> None:
    target = data.draw(st.integers(0, len(contents) - 1))
    original = rules.canonical_json(contents[target])
    position = data.draw(st.integers(0, len(original) - 1))
    mutated = (
        original[:position] + bytes([data.draw(st.integers(0x20, 0x7E))]) + original[position + 1 :]
    )
    try:
        changed = json.loads(mutated.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        changed = None
    assume(isinstance(changed, dict))
    assume(json.dumps(changed, sort_keys=True) != json.dumps(contents[target], sort_keys=True))
    with transaction.atomic():
        entries = [
            ledger_append(company=east, stream=BOOK, kind="registration", payload=payload)
            for payload in contents
        ]
        with guards_down():
            set_payload_json(entries[target].pk, mutated.decode("utf-8"))
        finding = only_finding(ledger_verify(check_guards=False))
        assert (finding.problem, finding.seq, finding.entry_id) == (
            Problem.EDITED,
            target + 1,
            entries[target].pk,
        )
        transaction.set_rollback(True)


def test_streams_table_rows_are_not_evidence(east: Company, book: Book) -> None:
    # The head row is a lock and a cross-check, not evidence: it may move (appends move it).
    book(1)
    assert raw(f"UPDATE {STREAM_TABLE} SET updated_at = updated_at") == 1
    assert LedgerEntry.objects.count() == 1


def test_ledger_append_after_verification_continues_the_chain(east: Company, book: Book) -> None:
    book(2)
    assert ledger_verify().ok
    entry = ledger_append(company=east, stream=BOOK, kind="registration", payload={})
    assert entry.seq == 3
    assert ledger_verify().ok
