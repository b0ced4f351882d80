"""The registration benchmark of issue #4 (``python -m benchmarks.suite_sales_register``): its
generated book keeps the book's own rules (A1.1 one line per customer and day, A1.5 a first
registration per customer), and a tiny run goes end to end — kehu in-process, through the API
and the hand-written floor — with the loaded ledger stream verifying (A1.2 / A7.21).

No timing is asserted: only that every path ran and what was loaded is consistent."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the benchmarks package

from benchmarks.sales_dataset import (
    SHANGHAI,
    VisitorKind,
    draw_visitors,
    generate_sales_book,
    shift_book,
)
from benchmarks.suite_sales_register import SalesSizes


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10_000), size=st.integers(20, 400))
def test_a1_1_a1_5_the_generated_book_has_one_first_line_per_customer_and_one_line_a_day(
    seed: int, size: int
) -> None:
    # given a generated book of ``size`` registration lines
    book = generate_sales_book(seed, size)
    # then it has exactly that many lines, in recording order
    assert len(book.lines) == size
    assert [line.visited_at for line in book.lines] == sorted(x.visited_at for x in book.lines)
    # and every customer has exactly one first line, before any later visit (A1.5)
    firsts = Counter(line.person for line in book.lines if line.first)
    assert set(firsts) == {p.index for p in book.people} and set(firsts.values()) == {1}
    first_at = {line.person: line.visited_at for line in book.lines if line.first}
    assert all(line.visited_at >= first_at[line.person] for line in book.lines)
    # and no customer has two lines on one local day (A1.1: one line per customer and day)
    days = [(line.person, line.visited_at.astimezone(SHANGHAI).date()) for line in book.lines]
    assert len(days) == len(set(days))
    # and each line's receiver works at the customer's sales office
    assert all(line.receiver // 10 == book.site_of[line.person] for line in book.lines)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10_000), days=st.integers(-400, 400))
def test_a_book_shifted_to_end_today_keeps_its_days_and_order(seed: int, days: int) -> None:
    # given a generated book and the same book shifted by whole days (--book-ends-today)
    book, shifted = generate_sales_book(seed, 200), generate_sales_book(seed, 200)
    shift_book(shifted, days)
    delta = dt.timedelta(days=days)
    # then every moment moved by exactly that, so order, first lines and local days are kept
    assert [(x.person, x.visited_at + delta, x.first) for x in book.lines] == [
        (x.person, x.visited_at, x.first) for x in shifted.lines
    ]
    assert [c.called_at + delta for c in book.calls] == [c.called_at for c in shifted.calls]
    assert [p.created_at + delta for p in book.people] == [p.created_at for p in shifted.people]


def test_a7_4_the_timed_visitors_follow_the_mix_and_never_repeat_a_customer() -> None:
    # given a book and 200 timed visitors drawn from it
    book = generate_sales_book(7, 3_000)
    visitors = draw_visitors(book, 200, seed=8)
    kinds = Counter(v.kind for v in visitors)
    # then about 30 % are earlier customers recognised by phone (A7.4), some by car + surname,
    # some share only a full name with earlier customers, the rest are new
    assert kinds[VisitorKind.PHONE] == 60 and kinds[VisitorKind.CAR] == 24
    assert kinds[VisitorKind.NAME_ONLY] == 26 and kinds[VisitorKind.NEW] == 90
    # and a returning customer comes once, typed as the desk would type them
    returning = [v.customer for v in visitors if v.customer is not None]
    assert len(returning) == len(set(returning))
    for v in visitors:
        if v.kind == VisitorKind.CAR:
            assert v.surname and v.plate_key and v.car_brand_key and not v.contact
        if v.kind == VisitorKind.NAME_ONLY:
            assert v.full_name_key and any(p.name == v.customer_name for p in book.people)
    # and new visitors' phones belong to nobody in the book
    book_phones = {p.phones[0].replace(" ", "").replace("-", "")[-11:] for p in book.people}
    assert not {v.phone_e164[-11:] for v in visitors if v.kind == VisitorKind.NEW} & book_phones


@pytest.mark.django_db(transaction=True)
def test_a1_2_a_tiny_run_registers_through_every_path_and_the_loaded_book_verifies() -> None:
    from benchmarks.sales_timing import measure

    # given a tiny book, loaded the way the benchmark loads a million lines
    sizes = SalesSizes(mode="smoke", registrations=600, calls=4, warmup=1, profiled=1)
    logged: list[str] = []
    # when the benchmark runs every path (it verifies the ledger stream, or raises)
    outcome: dict[str, Any] = measure("test", sizes, 20260527, logged.append, 0.0)
    # then the book was loaded with its keys and one ledger entry per line (and per call)
    rows = outcome["load"]["rows"]
    assert rows["registrations"] == 600
    assert rows["ledger_entries"] == 600 + rows["phone_enquiries"]
    assert rows["registration_keys"] >= 600 + rows["customers"]
    # and every path registered visitors without errors
    assert outcome["errors"] == {}
    paths = {r["operation"].split(",")[1].split("(")[0].strip(): r for r in outcome["results"]}
    assert set(paths) == {"in-process", "API"}
    for result in paths.values():
        assert result["kehu"]["n"] == 4 and result["floor"]["n"] == 4
        assert result["kehu_queries"] > result["floor_queries"] > 0
    # and the slowest registrations are taken apart: statements, commit, collector, the rest
    slowest = outcome["slowest_register_calls"]
    assert 0 < len(slowest) <= 4
    for call in slowest:
        assert call["statements_count"] > 0 and call["slowest_statement"]
        parts = call["statements"] + call["commit"] + call["gc"] + call["python"]
        assert abs(parts - call["total"]) < 0.05 and call["statements"] > 0
