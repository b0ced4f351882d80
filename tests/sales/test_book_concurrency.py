"""Issue #4 item 10: two desks registering the same customer at the same moment produce exactly
one first registration — by a unique index on the first-registration keys, not by luck — and
the other desk is told who registered first and when.

These tests commit (``transaction=True``); kehu's ``flush`` (ledger app) lifts and reinstalls the
append-only guards to empty the tables afterwards. They run on PostgreSQL: SQLite serialises
writers by design (``BEGIN IMMEDIATE``), and its shared-cache test database answers racing
threads with "table is locked" instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.services import customer_create
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales.models.registration import Registration, RegistrationKey
from kehu.sales.registration_errors import AlreadyRegistered
from kehu.sales.registration_services import VisitDetails, registration_record

DESKS = 4


def _race(jobs: list[Any]) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(job: Any) -> None:
        try:
            start.wait()
            results.append(job())
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _desks(cast: Any, east: Company) -> list[tuple[Staff, Staff]]:
    pairs = []
    for n in range(DESKS):
        desk = cast.staff(east, f"前台{n}", Post.RECEPTIONIST)
        seller = cast.staff(east, ["李娜", "赵强", "钱多", "孙丽"][n], Post.SALESPERSON)
        pairs.append((desk, seller))
    return pairs


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads race on PostgreSQL; SQLite writers are serialised by design")


@pytest.mark.django_db(transaction=True)
def test_item_10_racing_desks_make_exactly_one_first_registration(
    postgres_only: None, cast: Any, east: Company
) -> None:
    # given four desks, each with the same visitor in front of them (same phone)
    pairs = _desks(cast, east)

    def job(desk: Staff, seller: Staff) -> Any:
        return lambda: registration_record(
            staff=desk,
            receiver=seller,
            details=VisitDetails(customer_name="张伟", contact="13812345678"),
        )

    # when they all register at the same moment
    results, errors = _race([job(d, s) for d, s in pairs])
    # then exactly one registration was made, and it is the first
    assert len(results) == 1 and results[0].first
    winner = results[0].registration
    assert Registration.objects.count() == 1
    assert RegistrationKey.objects.filter(kind="customer").count() == 1
    assert Customer.objects.filter(company=east).count() == 1
    # and every other desk was told who registered first and when, in Chinese
    assert len(errors) == DESKS - 1
    assert all(isinstance(e, AlreadyRegistered) for e in errors), errors
    expected = f"已由 {winner.receiver.name} 于 "
    for error in errors:
        assert isinstance(error, AlreadyRegistered)
        assert error.message_zh.startswith(expected)
        assert error.details["registration_id"] == winner.pk
    # and the book's ledger stream holds exactly one entry and verifies
    assert ledger_verify(company=east).ok


@pytest.mark.django_db(transaction=True)
def test_item_10_racing_desks_on_a_customer_on_file_make_one_first_registration(
    postgres_only: None, cast: Any, east: Company
) -> None:
    # given 张伟 is on file (a phone customer) and has never been registered
    pairs = _desks(cast, east)
    on_file = customer_create(
        staff=pairs[0][1], data={"name": "张伟", "phones": ["13812345678"]}, owner=pairs[0][1]
    )

    def job(desk: Staff, seller: Staff) -> Any:
        return lambda: registration_record(
            staff=desk,
            receiver=seller,
            customer_id=on_file.pk,
            details=VisitDetails(customer_name="张伟", contact="13812345678"),
        )

    # when every desk registers his visit at the same moment, choosing him from the matches
    results, errors = _race([job(d, s) for d, s in pairs])
    # then exactly one first registration exists; the others were refused with who and when
    # (whether they lost the customer's first-registration key or the key of the day's line)
    assert len(results) == 1 and results[0].first
    assert len(errors) == DESKS - 1
    assert all(isinstance(e, AlreadyRegistered) for e in errors), errors
    assert RegistrationKey.objects.filter(kind="customer", value=str(on_file.pk)).count() == 1
    assert Registration.objects.count() == 1


def test_item_10_the_unique_first_registration_key_not_the_lookup_is_what_stops_the_second(
    cast: Any, east: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the lookup that precedes a registration sees nothing, as it does for a desk racing
    # another whose transaction has not committed yet
    from kehu.sales import registration_services

    monkeypatch.setattr(registration_services, "customer_match", lambda *a, **k: [])
    (desk_a, li_na), (desk_b, zhao) = _desks(cast, east)[:2]
    first = registration_record(
        staff=desk_a,
        receiver=li_na,
        details=VisitDetails(customer_name="张伟", contact="13812345678"),
    )
    # when the second desk registers the same visitor as new
    with pytest.raises(AlreadyRegistered) as refused:
        registration_record(
            staff=desk_b,
            receiver=zhao,
            details=VisitDetails(customer_name="张伟", contact="+86 138 1234 5678"),
        )
    # then the database's unique key refused it, and the desk is told who and when
    assert refused.value.message_zh.startswith("已由 李娜 于 ")
    assert refused.value.details["registration_id"] == first.registration.pk
    assert Registration.objects.count() == 1
    assert Customer.objects.filter(company=east).count() == 1


@pytest.mark.django_db(transaction=True)
def test_item_10_racing_desks_on_a_customer_on_file_for_different_days_keep_both_lines(
    postgres_only: None, cast: Any, east: Company
) -> None:
    # given 张伟 is on file and has never been registered
    pairs = _desks(cast, east)[:2]
    on_file = customer_create(
        staff=pairs[0][1], data={"name": "张伟", "phones": ["13812345678"]}, owner=pairs[0][1]
    )
    now = timezone.now()
    days = [now - dt.timedelta(days=1), now]

    def job(desk: Staff, seller: Staff, visited_at: dt.datetime) -> Any:
        return lambda: registration_record(
            staff=desk,
            receiver=seller,
            customer_id=on_file.pk,
            visited_at=visited_at,
            details=VisitDetails(customer_name="张伟", contact="13812345678"),
        )

    # when two desks register his visits of yesterday and today at the same moment
    results, errors = _race([job(d, s, at) for (d, s), at in zip(pairs, days, strict=True)])
    # then both lines are kept (different days), exactly one of them is his first registration,
    # and the book still verifies (Reading in docs/registration-book.md)
    assert errors == []
    assert sorted(r.first for r in results) == [False, True]
    assert RegistrationKey.objects.filter(kind="customer", value=str(on_file.pk)).count() == 1
    assert Registration.objects.count() == 2
    assert ledger_verify(company=east, stream="registration_book").ok
