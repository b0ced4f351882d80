"""Every identity-key lookup and every search is driven by its own index, per company.

The book is filled with a few thousand customers in two companies and analysed, so the planner
sees realistic statistics. A plan must name the key's index and must not walk the customer
table (a sequential scan, or the company-only indexes that would visit every customer of the
company). PostgreSQL is told to avoid sequential scans, so a remaining one means no index fits.
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.db.models import QuerySet

from kehu.core.customers import match_sql, rules, selectors
from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.org.models import Company, Staff

from .conftest import MakeCustomer

pytestmark = pytest.mark.django_db

SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国家宁春晓"
BRANDS = ["宝马", "奔驰", "大众", "丰田", "本田", "奥迪", "比亚迪", "特斯拉"]
PER_COMPANY = 1500


def fill(company: Company, owner: Staff | None, seed: int) -> None:
    """Customers with varied names, phones and plates, so every key is selective."""
    rng = random.Random(seed)
    customers = []
    for i in range(PER_COMPANY):
        customer = Customer(
            company=company,
            owner=owner if i % 10 == 0 else None,
            name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2]))),
            car_brand=rng.choice(BRANDS),
            plate=rng.choice("京沪浙苏") + rng.choice("ABCDE") + f"{rng.randrange(10**5):05d}",
        )
        customer.derive_keys()
        customers.append(customer)
    Customer.objects.bulk_create(customers)
    numbers = [f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}" for _ in customers]
    CustomerPhone.objects.bulk_create(
        [
            CustomerPhone(company=company, customer=c, raw=n, e164="+86" + n, last4=n[-4:])
            for c, n in zip(customers, numbers, strict=True)
        ]
    )


@pytest.fixture
def book(wang: Staff, li: Staff, chen: Staff, make_customer: MakeCustomer) -> None:
    fill(wang.company, li, seed=1)
    fill(chen.company, None, seed=2)
    make_customer(
        wang, owner=li, name="张三", phones=["13800138000"], car_brand="宝马", plate="京A12345"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan(qs: QuerySet) -> str:  # type: ignore[type-arg]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return qs.explain()


def plan_sql(sql: str, params: dict[str, object]) -> str:
    """The plan of a hand-written statement, as ``QuerySet.explain()`` prints one."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(column) for column in row) for row in cursor.fetchall())


COMPANY_ONLY = r"(cust_company_created|customers_customer_company_id_\w+)"


def walks_the_book(text: str) -> bool:
    """The customer table is read in full, or through an index that only narrows by company."""
    if connection.vendor == "postgresql":
        if re.search(r"Seq Scan on customers_(customer|customerphone)\b", text):
            return True
        return bool(re.search(rf"Index (Only )?Scan( Backward)? using {COMPANY_ONLY}", text))
    if re.search(r"\bSCAN (customers_customer|customers_customerphone|U\d)\b", text):
        return True
    return bool(re.search(rf"USING (COVERING )?INDEX {COMPANY_ONLY}", text))


@pytest.mark.parametrize(
    ("raw", "indexes"),
    [
        ({"phones": ["13800138000"]}, ["cust_phone_e164"]),
        ({"name": "张三"}, ["cust_full_name_key"]),
        (
            {"name": "张三", "car_brand": "BMW", "plate": "京A12345"},
            ["cust_full_name_key", "cust_plate_brand_surname"],
        ),
        (
            {"name": "张三", "phones": ["13800138000"], "car_brand": "BMW", "plate": "京A12345"},
            ["cust_full_name_key", "cust_phone_e164", "cust_plate_brand_surname"],
        ),
    ],
    ids=["phone", "full_name", "car_plate_surname", "all_keys"],
)
def test_match_looks_up_each_key_by_its_index(
    book: None, wang: Staff, raw: dict[str, object], indexes: list[str]
) -> None:
    candidate = rules.IdentityKeys.from_raw(**raw)  # type: ignore[arg-type]
    sql, params = match_sql.match_statement(wang.company_id, candidate, exclude_customer_id=7)
    light = match_sql.match_statement(wang.company_id, candidate, exclude_customer_id=7, light=True)
    seen = match_sql.match_statement(
        wang.company_id,
        candidate,
        exclude_customer_id=7,
        light=True,
        since=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )
    for text in (
        plan_sql(sql, params),  # what customer_match runs
        plan_sql(*light),  # customer_match_ids: the keys, no owner
        plan_sql(*seen),  # what registering runs: also whether each was seen since the horizon
        plan(selectors.customer_match_queryset(wang.company_id, candidate)),  # its ORM reference
    ):
        assert not walks_the_book(text), text
        for index in indexes:
            assert index in text, text


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("zs", "cust_pinyin_initials"),
        ("zhangsan", "cust_pinyin_full"),
        ("张三", "cust_name_key"),
        ("京A1234", "cust_plate_brand_surname"),
        ("138 0013 8000", "cust_phone_e164"),
        ("8000", "cust_phone_last4"),
        ("1380013", "cust_phone_e164"),
    ],
)
def test_search_is_driven_by_the_index_of_what_was_typed(
    book: None, wang: Staff, query: str, index: str
) -> None:
    text = plan(selectors.customer_list_for_user(wang, query=query))
    assert not walks_the_book(text), text
    assert index in text, text


def test_a_salesperson_search_stays_on_indexes(book: None, li: Staff) -> None:
    text = plan(selectors.customer_list_for_user(li, query="zs"))
    assert not walks_the_book(text), text


def test_the_results_are_right_at_this_size(book: None, wang: Staff, li: Staff) -> None:
    found = selectors.customer_list_for_user(wang, query="138-0013-8000")
    assert [c.name for c in found] == ["张三"]
    matches = selectors.customer_match(
        wang.company, name="张先生", car_brand="BMW", plate="京A·12345"
    )
    assert [m.customer.name for m in matches] == ["张三"]
    assert "张三" in [c.name for c in selectors.customer_list_for_user(li, query="zhangsan")]
