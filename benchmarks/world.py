"""The organisation and customer book the suites run against, loaded in bulk.

Two companies of one group: 华东置业 holds the measured book, 西湖燃气 a tenth as many customers
(so every lookup must keep to its company). 华东置业 has a sales manager (sees the whole book)
and twenty salespeople who own most customers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from time import perf_counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from benchmarks.dataset import Book, generate_book
from benchmarks.loading import analyze, bulk_insert
from kehu.core.customers import rules
from kehu.core.customers.models import Customer, CustomerPhone, FamilyLink
from kehu.core.org.models import Company, CompanyGroup, CompanyKind, Department, Site, Staff
from kehu.core.org.posts import Post
from kehu.core.org.services import staff_assign_post_group

SALESPEOPLE = 20


@dataclass
class World:
    company: Company
    other: Company
    manager: Staff  # 王经理: sales manager, sees every customer of the company
    salespeople: list[Staff]
    book: Book
    first_id: int  # customer id of book.people[0]; ids follow the book's order
    phones_by_person: list[list[str]]  # E.164 numbers of each person
    load_seconds: dict[str, float]
    load_rows: dict[str, int]

    def customer_id(self, index: int) -> int:
        return self.first_id + index


@cache
def _name_keys(name: str) -> dict[str, str]:
    """What ``Customer.derive_keys`` stores for a name (checked against it after loading)."""
    initials, full = rules.name_pinyin(name)
    return {
        "name": name.strip(),
        "name_key": rules.normalise_name(name)[:100],
        "full_name_key": rules.full_name_key(name)[:100],
        "surname": rules.surname_of(name)[:40],
        "pinyin_initials": initials[:100],
        "pinyin_full": full[:255],
    }


@cache
def _brand_key(brand: str) -> str:
    return rules.canonical_car_brand(brand)[:50]


@cache
def _phone_key(raw: str) -> str:
    return rules.normalise_phone(raw)


def _staff(company: Company, name: str, post: str, username: str) -> Staff:
    user = get_user_model().objects.create_user(username=username, password=None)
    site, _ = Site.objects.get_or_create(
        company=company, name=f"{company.name}项目", defaults={"kind": "sales_office"}
    )
    department, _ = Department.objects.get_or_create(company=company, name="营销部")
    staff = Staff.objects.create(
        company=company, user=user, name=name, post=post, site=site, department=department
    )
    staff_assign_post_group(staff=staff)
    return staff


def _load_book(
    company: Company, book: Book, owners: list[Staff], first_id: int, first_phone_id: int
) -> tuple[list[list[str]], dict[str, tuple[int, float]]]:
    customer_rows: list[dict[str, Any]] = []
    phone_rows: list[dict[str, Any]] = []
    phones_by_person: list[list[str]] = []
    phone_id = first_phone_id
    for person in book.people:
        owner = owners[person.owner] if person.owner is not None else None
        created: datetime = person.created_at
        customer_id = first_id + person.index
        customer_rows.append(
            {
                "id": customer_id,
                "company_id": company.pk,
                "kind": "person",
                "address": person.address,
                "car_brand": person.car_brand,
                "plate": person.plate,
                "source": person.source,
                "intention": person.intention,
                "owner_id": owner.pk if owner else None,
                "created_by_id": owner.pk if owner else None,
                "created_at": created,
                "updated_at": created,
                "plate_key": rules.normalise_plate(person.plate)[:20],
                "car_brand_key": _brand_key(person.car_brand),
                **_name_keys(person.name),
            }
        )
        e164s = []
        for raw in person.phones:
            e164 = _phone_key(raw)
            if e164 in e164s:
                continue
            e164s.append(e164)
            phone_rows.append(
                {
                    "id": phone_id,
                    "company_id": company.pk,
                    "customer_id": customer_id,
                    "raw": raw,
                    "e164": e164,
                    "last4": rules.phone_last4(e164),
                    "label": "",
                    "created_at": created,
                }
            )
            phone_id += 1
        phones_by_person.append(e164s)
    link_rows = [
        {
            "company_id": company.pk,
            "customer_id": first_id + a,
            "relative_id": first_id + b,
            "relation": relation,
            "created_at": book.people[a].created_at,
        }
        for a, b, relation in book.family_links
    ]
    timings = {
        "customers": bulk_insert(Customer, customer_rows, with_ids=True),
        "phones": bulk_insert(CustomerPhone, phone_rows, with_ids=True),
        "family_links": bulk_insert(FamilyLink, link_rows),
    }
    return phones_by_person, timings


def _check_keys(first_id: int, count: int, seed: int) -> None:
    """The bulk-loaded keys are exactly what ``Customer.derive_keys`` would have written."""
    fields = (
        "name_key",
        "full_name_key",
        "surname",
        "pinyin_initials",
        "pinyin_full",
        "plate_key",
        "car_brand_key",
    )
    ids = random.Random(seed).sample(range(first_id, first_id + count), k=min(200, count))
    for customer in Customer.objects.filter(pk__in=ids):
        stored = {f: getattr(customer, f) for f in fields}
        customer.derive_keys()
        derived = {f: getattr(customer, f) for f in fields}
        if stored != derived:
            raise AssertionError(f"bulk-loaded keys differ for {customer.pk}: {stored} {derived}")


def build_world(*, seed: int, customers: int, log: Any) -> World:
    with transaction.atomic():
        group = CompanyGroup.objects.create(name="基准测试集团")
        company = Company.objects.create(
            group=group, code="bench-east", name="华东置业", kind=CompanyKind.REAL_ESTATE
        )
        other = Company.objects.create(
            group=group, code="bench-west", name="西湖燃气", kind=CompanyKind.GAS
        )
        manager = _staff(company, "王经理", Post.SALES_MANAGER, "bench-manager")
        salespeople = [
            _staff(company, f"销售{i + 1:02d}", Post.SALESPERSON, f"bench-sales-{i + 1:02d}")
            for i in range(SALESPEOPLE)
        ]
        other_staff = [_staff(other, "客服小陈", Post.CUSTOMER_SERVICE, "bench-west-cs")]

    log(f"generating {customers:,} customers (seed {seed})")
    book = generate_book(seed, customers, owners=len(salespeople))
    other_book = generate_book(seed + 1, max(customers // 10, 10), owners=len(other_staff))

    log("bulk-loading customers, phones and family links")
    first_id = 1
    phones_by_person, timings = _load_book(company, book, salespeople, first_id, 1)
    total_phones = sum(len(p) for p in phones_by_person)
    _, other_timings = _load_book(
        other, other_book, other_staff, first_id + len(book.people), 1 + total_phones
    )
    analyze_started = perf_counter()
    analyze()
    analyze_seconds = perf_counter() - analyze_started
    _check_keys(first_id, len(book.people), seed)
    return World(
        company=company,
        other=other,
        manager=manager,
        salespeople=salespeople,
        book=book,
        first_id=first_id,
        phones_by_person=phones_by_person,
        load_seconds={
            **{k: round(v[1] + other_timings[k][1], 2) for k, v in timings.items()},
            "analyze": round(analyze_seconds, 2),
        },
        load_rows={k: v[0] + other_timings[k][0] for k, v in timings.items()},
    )
