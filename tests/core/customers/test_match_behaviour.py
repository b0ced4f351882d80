"""A7.4 matching (``selectors.customer_match``) pinned on a varied book.

Given a book with every kind of overlap — shared full names, phones shared within a family and
typed in different ways, the same car under another surname, compound surnames, forms of
address, a registration imported with an earlier date than its id, and another company holding
the same people — when a clerk types any combination of name, phones, car brand and plate, then
``customer_match`` returns exactly what the ORM formulation (``customer_match_queryset`` read by
``rules.identity_match``) returns: the same customers in registration order (A1.5), the same
``IdentityMatch`` (keys, matched phones, needs_confirmation, rule IDs A7.4 / A7.20), the same
loaded columns, and the owner already loaded — in one query.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.customers import match_sql, rules, selectors
from kehu.core.customers.errors import phone_invalid
from kehu.core.customers.models import Customer
from kehu.core.customers.rules import IdentityKey
from kehu.core.customers.services import customer_owner_set, family_link_add
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db

A74 = rules.RULE_IDENTITY
A720 = rules.RULE_MANAGER_RULING
NEEDS = rules.FULL_NAME_ALONE_NEEDS_CONFIRMATION
DECIDES = rules.FULL_NAME_ALONE_DECIDES


def reference_match(
    company_id: int,
    *,
    phone: str | None = None,
    phones: tuple[str, ...] = (),
    name: str | None = None,
    plate: str | None = None,
    car_brand: str | None = None,
    surname: str | None = None,
    exclude_customer_id: int | None = None,
    full_name_alone: str = NEEDS,
) -> list[selectors.CustomerMatch]:
    """``customer_match`` as it was first written: the ORM queryset, then the rule per row."""
    try:
        candidate = rules.IdentityKeys.from_raw(
            name=name or "",
            phones=[p for p in [phone, *phones] if p and p.strip()],
            car_brand=car_brand or "",
            plate=plate or "",
            surname=surname or "",
        )
    except rules.PhoneNumberInvalid as exc:
        raise phone_invalid(exc) from exc
    if candidate.is_empty:
        return []
    qs = selectors.customer_match_queryset(
        company_id, candidate, exclude_customer_id=exclude_customer_id
    )
    results = []
    for customer in qs:
        hit = getattr(customer, "matched_phone", None)
        existing = rules.IdentityKeys(
            full_name=customer.full_name_key,
            phones=frozenset([hit]) if hit else frozenset(),
            car_brand=customer.car_brand_key,
            plate=customer.plate_key,
            surname=customer.surname,
        )
        result = rules.identity_match(candidate, existing, full_name_alone=full_name_alone)
        if result.matched:
            results.append(selectors.CustomerMatch(customer=customer, match=result))
    return results


def loaded(obj: Any) -> dict[str, Any]:
    """Everything an instance carries: its columns (and annotations) and how it was loaded."""
    values = {k: v for k, v in vars(obj).items() if k != "_state"}
    return {**values, "_db": obj._state.db, "_adding": obj._state.adding}


def snapshot(matches: list[selectors.CustomerMatch]) -> list[tuple[Any, ...]]:
    rows = []
    for m in matches:
        customer = m.customer
        owner_loaded = Customer.owner.is_cached(customer)  # type: ignore[attr-defined]
        owner = customer.owner if owner_loaded else "not loaded"
        rows.append(
            (
                customer.pk,
                m.match,
                m.keys,
                loaded(customer),
                owner_loaded,
                loaded(owner) if isinstance(owner, Staff) else owner,
            )
        )
    return rows


@dataclass
class Book:
    """The customers of the varied book, by nickname."""

    ids: dict[str, int]
    company_id: int
    other_company_id: int

    def __getitem__(self, nickname: str) -> int:
        return self.ids[nickname]

    def nickname(self, customer_id: int) -> str:
        return next(k for k, v in self.ids.items() if v == customer_id)


@pytest.fixture
def book(wang: Staff, li: Staff, zhao: Staff, chen: Staff, make_customer: MakeCustomer) -> Book:
    ids: dict[str, int] = {}

    def add(nickname: str, staff: Staff = wang, owner: Staff | None = None, **data: Any) -> None:
        ids[nickname] = make_customer(staff, owner=owner, **data).pk

    add(
        "zhangsan",
        owner=li,
        name="张三",
        phones=["13800138000", "13900139000"],
        car_brand="宝马",
        plate="京A12345",
        address="上海市浦东新区世纪大道1号",
    )
    add("zhangsan_again", name="张 三", phones=["13700137000"])  # same full name, no owner
    add("wangwu", owner=zhao, name="王五", phones=["+86 138 0013 8000"])  # zhangsan's phone
    add("zhangsi", owner=li, name="张四", car_brand="BMW", plate="京a·12345")  # same car, 张
    add("lisi", owner=zhao, name="李四", car_brand="宝马", plate="京A12345")  # same car, 李
    add("zhang_xiansheng", name="张先生", car_brand="寶馬X5", plate="京A 12345")  # no full name
    add("ouyang_xiu", owner=li, name="欧阳修", phones=["021-12345678"], car_brand="奔驰")
    add(
        "ouyang_na",
        owner=li,
        name="欧阳娜",
        phones=["021-12345678", "13612345678"],
        car_brand="Mercedes-Benz",
        plate="沪B88888",
    )
    add("ouyang_xiao", name="欧阳晓", phones=["021 1234 5678"], car_brand="奔驰", plate="沪B88888")
    add(
        "trading_co",
        kind="organisation",
        name="华东贸易有限公司",
        phones=["010-87654321"],
        employer="",
    )
    add(
        "many_phones", owner=zhao, name="赵六", phones=["13500000003", "13500000001", "13500000002"]
    )
    add("imported", owner=zhao, name="张三", phones=["13500000002"])  # registered earliest
    add("plain", name="孙七", phones=["13311112222"], car_brand="丰田", plate="苏E55555")
    add("phoneless", name="周八")
    # The same people in another company: never matched from 华东置业.
    add(
        "west_zhangsan",
        staff=chen,
        name="张三",
        phones=["13800138000"],
        car_brand="宝马",
        plate="京A12345",
    )
    add("west_ouyang", staff=chen, name="欧阳修", phones=["021-12345678"])
    family_link_add(
        staff=wang, customer_id=ids["ouyang_xiu"], relative_id=ids["ouyang_na"], relation="spouse"
    )
    family_link_add(
        staff=wang, customer_id=ids["ouyang_xiao"], relative_id=ids["ouyang_xiu"], relation="parent"
    )
    customer_owner_set(company_id=wang.company_id, customer_id=ids["plain"], owner=zhao)
    # Registration order is not id order: an imported registration is older than the rest, and
    # two registrations share a timestamp (then the id decides).
    base = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    for i, nickname in enumerate(ids):
        Customer.objects.filter(pk=ids[nickname]).update(created_at=base + dt.timedelta(hours=i))
    Customer.objects.filter(pk=ids["imported"]).update(created_at=base - dt.timedelta(days=400))
    for nickname in ("zhangsi", "zhang_xiansheng"):
        Customer.objects.filter(pk=ids[nickname]).update(created_at=base + dt.timedelta(hours=3))
    # every other customer has a latest visit (the sales book's), which a light match compares
    for i, nickname in enumerate(sorted(ids)[::2]):
        Customer.objects.filter(pk=ids[nickname]).update(
            last_visit_at=base + dt.timedelta(days=30 + i, microseconds=i)
        )
    return Book(ids=ids, company_id=wang.company_id, other_company_id=chen.company_id)


def match(book: Book, **typed: Any) -> list[selectors.CustomerMatch]:
    """``customer_match`` in 华东置业, checked against the reference and for one query."""
    with CaptureQueriesContext(connection) as queries:
        found = selectors.customer_match(book.company_id, **typed)
    expected = reference_match(book.company_id, **typed)
    assert snapshot(found) == snapshot(expected)
    candidate = rules.IdentityKeys.from_raw(
        name=typed.get("name") or "",
        phones=[p for p in [typed.get("phone"), *typed.get("phones", ())] if p and p.strip()],
        car_brand=typed.get("car_brand") or "",
        plate=typed.get("plate") or "",
        surname=typed.get("surname") or "",
    )
    assert len(queries) == (0 if candidate.is_empty else 1)
    if not candidate.is_empty:
        assert_light_rows_are_the_full_rows(book, candidate, typed.get("exclude_customer_id"))
    return found


def assert_light_rows_are_the_full_rows(
    book: Book, candidate: rules.IdentityKeys, exclude: int | None
) -> None:
    """The light statement (its own SQL: each ground reads the keys itself) finds the customers
    the full one finds, with the same keys and lowest matched phone, in the same order."""
    full = match_sql.match_rows(book.company_id, candidate, exclude_customer_id=exclude)
    light = match_sql.match_light_rows(book.company_id, candidate, exclude_customer_id=exclude)
    assert light == [
        match_sql.LightRow(c.pk, c.full_name_key, c.surname, c.plate_key, c.car_brand_key, phone)
        for c, phone in full
    ]
    # asked with a time, each row also says whether the customer was seen at or after it: one
    # of the book's latest visits exactly (``book``), some before and some after
    since = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(days=32, microseconds=2)
    seen = match_sql.match_light_rows(
        book.company_id, candidate, exclude_customer_id=exclude, since=since
    )
    assert seen == [
        match_sql.LightRow(
            c.pk,
            c.full_name_key,
            c.surname,
            c.plate_key,
            c.car_brand_key,
            phone,
            c.last_visit_at is not None and c.last_visit_at >= since,
        )
        for c, phone in full
    ]


def summary(book: Book, matches: list[selectors.CustomerMatch]) -> list[tuple[Any, ...]]:
    return [
        (
            book.nickname(m.customer.pk),
            tuple(str(k) for k in m.keys),
            m.match.matched_phones,
            m.match.needs_confirmation,
            m.match.rule_ids,
        )
        for m in matches
    ]


class TestPinnedResults:
    """Given the book, when these are typed, then exactly these matches, in this order."""

    def test_all_three_grounds(self, book: Book) -> None:
        found = match(book, name="张三", phone="138-0013-8000", car_brand="BMW", plate="京A·12345")
        assert summary(book, found) == [
            ("imported", ("full_name",), (), True, (A74, A720)),
            ("zhangsan", ("full_name", "phone", "car_plate_surname"), ("+8613800138000",), False,
             (A74,)),
            ("zhangsan_again", ("full_name",), (), True, (A74, A720)),
            ("wangwu", ("phone",), ("+8613800138000",), False, (A74,)),
            ("zhangsi", ("car_plate_surname",), (), False, (A74,)),
            ("zhang_xiansheng", ("car_plate_surname",), (), False, (A74,)),
        ]  # fmt: skip
        assert found[1].customer.owner is not None and found[1].customer.owner.name == "李明"
        assert found[2].customer.owner is None

    def test_full_name_alone_decides_under_that_policy(self, book: Book) -> None:
        found = match(book, name="张三", full_name_alone=DECIDES)
        assert summary(book, found) == [
            ("imported", ("full_name",), (), False, (A74,)),
            ("zhangsan", ("full_name",), (), False, (A74,)),
            ("zhangsan_again", ("full_name",), (), False, (A74,)),
        ]

    def test_several_phones_report_the_lowest_matched_number(self, book: Book) -> None:
        found = match(book, phones=("13500000002", "135 0000 0003", "13900139000"))
        assert summary(book, found) == [
            ("imported", ("phone",), ("+8613500000002",), False, (A74,)),
            ("zhangsan", ("phone",), ("+8613900139000",), False, (A74,)),
            ("many_phones", ("phone",), ("+8613500000002",), False, (A74,)),
        ]

    def test_a_family_landline_finds_the_whole_family(self, book: Book) -> None:
        found = match(book, phone="(021) 1234-5678", name="欧阳锋")
        assert [book.nickname(m.customer.pk) for m in found] == [
            "ouyang_xiu",
            "ouyang_na",
            "ouyang_xiao",
        ]

    def test_car_ground_needs_brand_plate_and_surname(self, book: Book) -> None:
        found = match(book, name="欧阳先生", car_brand="梅赛德斯", plate="沪b88888")
        assert summary(book, found) == [
            ("ouyang_na", ("car_plate_surname",), (), False, (A74,)),
            ("ouyang_xiao", ("car_plate_surname",), (), False, (A74,)),
        ]
        assert match(book, name="欧阳先生", plate="沪B88888") == []
        assert match(book, car_brand="奔驰", plate="沪B88888") == []

    def test_an_explicit_surname_counts_for_the_car(self, book: Book) -> None:
        found = match(book, car_brand="宝马", plate="京A12345", surname="李")
        assert summary(book, found) == [("lisi", ("car_plate_surname",), (), False, (A74,))]

    def test_excluding_the_customer_being_edited(self, book: Book) -> None:
        found = match(book, name="张三", phone="13800138000", exclude_customer_id=book["zhangsan"])
        assert [book.nickname(m.customer.pk) for m in found] == [
            "imported",
            "zhangsan_again",
            "wangwu",
        ]
        other = book["west_zhangsan"]  # another company's id: excluding it changes nothing
        assert len(match(book, name="张三", exclude_customer_id=other)) == 3

    def test_another_company_sees_only_its_own(self, book: Book) -> None:
        with CaptureQueriesContext(connection):
            found = selectors.customer_match(
                book.other_company_id, name="张三", phone="02112345678", plate="京A12345",
                car_brand="宝马",
            )  # fmt: skip
        expected = reference_match(
            book.other_company_id, name="张三", phone="02112345678", plate="京A12345",
            car_brand="宝马",
        )  # fmt: skip
        assert snapshot(found) == snapshot(expected)
        assert {m.customer.pk for m in found} == {book["west_zhangsan"], book["west_ouyang"]}

    def test_misses_and_nothing_to_match_on(self, book: Book) -> None:
        assert match(book, name="吴九", phone="13199998888", car_brand="比亚迪", plate="粤B0") == []
        assert match(book, name="张先生") == []
        assert match(book, phone="  ", name="", plate="京A12345") == []
        assert match(book) == []

    def test_organisations_match_by_name_and_phone(self, book: Book) -> None:
        found = match(book, name="华东贸易有限公司")
        assert summary(book, found) == [("trading_co", ("full_name",), (), True, (A74, A720))]
        assert len(match(book, phone="010 8765 4321")) == 1

    def test_a_bad_phone_is_the_same_clear_error(self, book: Book) -> None:
        with pytest.raises(KehuError) as caught:
            selectors.customer_match(book.company_id, name="张三", phone="138001380")
        assert caught.value.code == "customers.phone_invalid"

    def test_a_bad_policy_value_is_refused_when_there_is_a_match(self, book: Book) -> None:
        with pytest.raises(ValueError, match="full_name_alone"):
            selectors.customer_match(book.company_id, name="张三", full_name_alone="maybe")
        assert selectors.customer_match(book.company_id, name="吴九", full_name_alone="x") == []


NAMES = ["", "张三", "张 三", "王五", "张四", "李四", "欧阳修", "欧阳娜", "张先生", "欧阳先生",
         "华东贸易有限公司", "赵六", "孙七", "周八", "吴九"]  # fmt: skip
PHONES = ["13800138000", "+86 138 0013 8000", "13900139000", "13700137000", "021-12345678",
          "13612345678", "13500000001", "13500000002", "13500000003", "010-87654321",
          "13311112222", "13199998888"]  # fmt: skip
BRANDS = ["", "宝马", "BMW", "寶馬X5", "奔驰", "Mercedes-Benz", "丰田", "比亚迪"]
PLATES = ["", "京A12345", "京a·12345", "沪B88888", "苏E55555", "粤B00000"]
SURNAMES = ["", "", "", "张", "李", "欧阳"]


class TestEveryShape:
    """Every combination of grounds (none, name, phones ×0–3, car) gives the reference result."""

    @pytest.mark.parametrize(
        ("with_name", "phone_count", "with_car"),
        list(itertools.product([False, True], [0, 1, 2, 3], [False, True])),
    )
    @pytest.mark.parametrize("full_name_alone", [NEEDS, DECIDES])
    def test_shape(
        self,
        book: Book,
        with_name: bool,
        phone_count: int,
        with_car: bool,
        full_name_alone: str,
    ) -> None:
        typed: dict[str, Any] = {"full_name_alone": full_name_alone}
        if with_name:
            typed["name"] = "张三"
        if phone_count:
            typed["phone"] = "13800138000"
            typed["phones"] = ("13500000002", "021-12345678")[: phone_count - 1]
        if with_car:
            typed.update(car_brand="宝马", plate="京A12345", surname="" if with_name else "张")
        found = match(book, **typed)
        assert (found == []) == (not (with_name or phone_count or with_car))
        for exclude in (book["zhangsan"], book["imported"], book["west_zhangsan"]):
            match(book, **typed, exclude_customer_id=exclude)


class TestAnyInput:
    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        name=st.sampled_from(NAMES),
        phones=st.lists(st.sampled_from(PHONES), max_size=4),
        car_brand=st.sampled_from(BRANDS),
        plate=st.sampled_from(PLATES),
        surname=st.sampled_from(SURNAMES),
        exclude=st.sampled_from([None, "zhangsan", "ouyang_na", "imported", "west_zhangsan"]),
        full_name_alone=st.sampled_from([NEEDS, DECIDES]),
        as_phone=st.booleans(),
    )
    def test_same_as_the_reference(
        self,
        book: Book,
        name: str,
        phones: list[str],
        car_brand: str,
        plate: str,
        surname: str,
        exclude: str | None,
        full_name_alone: str,
        as_phone: bool,
    ) -> None:
        """Invariant: whatever is typed, the result is the reference's, in one query."""
        typed: dict[str, Any] = {
            "name": name,
            "car_brand": car_brand,
            "plate": plate,
            "surname": surname,
            "full_name_alone": full_name_alone,
            "exclude_customer_id": book[exclude] if exclude else None,
        }
        if as_phone and phones:
            typed["phone"], typed["phones"] = phones[0], tuple(phones[1:])
        else:
            typed["phones"] = tuple(phones)
        found = match(book, **typed)
        for m in found:
            assert m.match.matched
            assert A74 in m.match.rule_ids
            assert (A720 in m.match.rule_ids) == m.match.needs_confirmation
            assert m.customer.company_id == book.company_id
            assert m.customer.pk != typed["exclude_customer_id"]
        order = [(m.customer.created_at, m.customer.pk) for m in found]
        assert order == sorted(order)
        assert all(IdentityKey(k) in IdentityKey for m in found for k in m.keys)
