"""The sales office's registration book for the registration benchmark (issue #4), generated.

Pure Python from one seed (no Django): the same seed and size give the same book everywhere.

- One company, ``SITES`` sales offices with ``SELLERS_PER_SITE`` salespeople each (40 in all,
  realistic names: the same surname skew as the customers, so two 王静 may work side by side).
- Customers come from ``benchmarks.dataset.Generator`` (common-surname skew, crowds of 张伟,
  mainland mobiles typed the usual ways, plates and brands typed otherwise, families with
  their links). Each belongs to the site of its owner (families: of their first member).
- ``RETURNING_SHARE`` of the registrations are later visits of earlier customers (never two
  lines of one customer on one local day: A1.1's "one line per customer per day" key).
- ``PHONE_FIRST_SHARE`` of the customers first called (a line in the phone-enquiry book, A1.3,
  A7.5, before their first visit).
- 85 % of the customers are owned (the generator's share); the rest were returned to the pool.
- Registrations are numbered in the order they were recorded (visit time): ids, ledger
  sequence numbers and recording times all increase together, as in a book written day by day.

The timed inputs (``Visitor``) are drawn from the same generator after the book, so new
visitors' phones and plates are unused, and returning visitors are distinct customers (a
customer visits at most once during a run).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from benchmarks.dataset import BOOK_END, Generator, Person

SITES = ("一期售楼处", "二期售楼处", "滨江售楼处", "新城售楼处")
SELLERS_PER_SITE = 10
RETURNING_SHARE = 0.28  # of the registrations: later visits of earlier customers
PHONE_FIRST_SHARE = 0.04  # of the customers: a phone enquiry before the first visit
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Line:
    """One registration line: customer ``person`` (index), received by ``receiver``."""

    person: int
    receiver: int  # salesperson index (0 … sites × SELLERS_PER_SITE − 1)
    visited_at: datetime
    first: bool  # the customer's first registration
    with_car: bool  # the desk wrote the car down on this line


@dataclass(frozen=True)
class Call:
    """A phone enquiry before the customer's first visit (A7.5: the desk owner's customer)."""

    person: int
    desk_owner: int
    called_at: datetime


class VisitorKind(StrEnum):
    NEW = "new"  # nobody has any of the keys
    PHONE = "phone"  # an earlier customer, recognised by the phone typed
    CAR = "car"  # an earlier customer, recognised by brand + plate + surname (王先生)
    NAME_ONLY = "name_only"  # a new visitor who shares a full name with earlier customers


# The mix of the timed visitors (issue #4 brief: ≈ 30 % matched by phone, some by plate +
# surname, some full-name-only, the rest new).
VISITOR_MIX: tuple[tuple[VisitorKind, float], ...] = (
    (VisitorKind.NEW, 0.45),
    (VisitorKind.PHONE, 0.30),
    (VisitorKind.CAR, 0.12),
    (VisitorKind.NAME_ONLY, 0.13),
)


@dataclass(frozen=True)
class Visitor:
    """What the front desk records for one timed visit, and what it should find."""

    kind: VisitorKind
    site: int
    customer_name: str
    contact: str  # as typed
    car_brand: str
    plate: str
    employer_or_address: str
    intention: str
    source: str
    customer: int | None  # the earlier customer the desk picked (index into people)
    asked_for: int | None  # salesperson index the visitor asked for (their owner)
    # For the floor: already-normalised keys (normalising is part of kehu's work).
    phone_e164: str = ""
    full_name_key: str = ""
    surname: str = ""
    plate_key: str = ""
    car_brand_key: str = ""


@dataclass
class SalesBook:
    sellers: list[str]  # names, by salesperson index; site = index // SELLERS_PER_SITE
    people: list[Person]
    family_links: list[tuple[int, int, str]]
    site_of: list[int]  # per person
    owner_of: list[int | None]  # per person: salesperson index
    lines: list[Line]  # in recording order
    calls: list[Call]
    mobiles: set[str]  # national numbers in use (new visitors get others)
    plates: set[str]
    generator: Generator = field(repr=False)
    used: set[int] = field(default_factory=set)  # customers already drawn as returning visitors


def seller_site(seller: int) -> int:
    return seller // SELLERS_PER_SITE


def _local_day(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat()


def generate_sales_book(seed: int, registrations: int) -> SalesBook:
    """A book of exactly ``registrations`` lines (first visits and returning visits)."""
    gen = Generator(seed)
    rng = random.Random(seed + 7)
    seller_count = len(SITES) * SELLERS_PER_SITE
    sellers: list[str] = []
    while len(sellers) < seller_count:
        sellers.append(gen.surname() + gen.given_name())
    customers = max(1, round(registrations * (1 - RETURNING_SHARE)))
    # Owners are drawn by the generator among all 40 salespeople; the site follows the owner.
    book = gen.book(customers, owners=seller_count)
    people = book.people
    site_of: list[int] = []
    owner_of: list[int | None] = []
    for person in people:  # the generator leaves 15 % unowned (returned to the pool)
        owner_of.append(person.owner)
        owner = person.owner
        site_of.append(seller_site(owner) if owner is not None else rng.randrange(len(SITES)))
    # Family members visit the same office as the family's first member.
    family_site: dict[int, int] = {}
    for person in people:
        if person.family is not None:
            site_of[person.index] = family_site.setdefault(person.family, site_of[person.index])

    def receiver_for(index: int) -> int:
        owner = owner_of[index]
        if owner is not None and seller_site(owner) == site_of[index]:
            return owner
        return site_of[index] * SELLERS_PER_SITE + rng.randrange(SELLERS_PER_SITE)

    lines: list[Line] = []
    days: set[tuple[int, str]] = set()
    for person in people:
        lines.append(Line(person.index, receiver_for(person.index), person.created_at, True, True))
        days.add((person.index, _local_day(person.created_at)))
    while len(lines) < registrations:
        index = rng.randrange(len(people))
        start = people[index].created_at
        span = (BOOK_END - start).total_seconds()
        if span < 86_400 * 2:
            continue
        at = start + timedelta(seconds=rng.uniform(86_400, span))
        day = (index, _local_day(at))
        if day in days:
            continue
        days.add(day)
        receiver = receiver_for(index)
        if rng.random() < 0.2:  # a colleague of the same office received (helping, A7.9)
            receiver = site_of[index] * SELLERS_PER_SITE + rng.randrange(SELLERS_PER_SITE)
        lines.append(Line(index, receiver, at, False, rng.random() < 0.5))
    lines.sort(key=lambda line: (line.visited_at, line.person))
    calls = [
        Call(
            person.index,
            receiver_for(person.index),
            person.created_at - timedelta(days=rng.uniform(1, 20)),
        )
        for person in people
        if rng.random() < PHONE_FIRST_SHARE
    ]
    calls.sort(key=lambda call: (call.called_at, call.person))
    return SalesBook(
        sellers=sellers,
        people=people,
        family_links=book.family_links,
        site_of=site_of,
        owner_of=owner_of,
        lines=lines,
        calls=calls,
        mobiles=book.mobiles,
        plates=book.plates,
        generator=gen,
    )


def shift_book(book: SalesBook, days: int) -> None:
    """Move every moment of ``book`` by whole ``days`` (local days, and so the one-line-per-day
    keys, stay as they were): a book generated to end on ``BOOK_END`` ends ``days`` later."""
    delta = timedelta(days=days)
    for person in book.people:
        person.created_at += delta
    book.lines = [replace(line, visited_at=line.visited_at + delta) for line in book.lines]
    book.calls = [replace(call, called_at=call.called_at + delta) for call in book.calls]


def draw_visitors(book: SalesBook, count: int, *, seed: int) -> list[Visitor]:
    """``count`` timed visitors in the ``VISITOR_MIX``, interleaved in a seeded order."""
    from kehu.core.customers import rules  # pure (no Django): the keys the floor is given

    rng = random.Random(seed)
    gen = book.generator
    kinds: list[VisitorKind] = []
    for kind, share in VISITOR_MIX:
        kinds += [kind] * round(count * share)
    kinds = (kinds + [VisitorKind.NEW] * count)[:count]
    rng.shuffle(kinds)
    visitors = []
    for kind in kinds:
        site = rng.randrange(len(SITES))
        customer: int | None = None
        asked_for: int | None = None
        if kind in (VisitorKind.PHONE, VisitorKind.CAR):
            customer = _unused_customer(book, rng, with_car=kind == VisitorKind.CAR)
            person = book.people[customer]
            site = book.site_of[customer]
            owner = book.owner_of[customer]
            if owner is not None and seller_site(owner) == site and rng.random() < 0.5:
                asked_for = owner  # an old customer asks for their salesperson (A7.12(2))
            if kind == VisitorKind.PHONE:
                number = "".join(ch for ch in person.phones[0] if ch.isdigit())[-11:]
                name = person.name if rng.random() < 0.8 else ""
                contact, brand, plate = gen.typed_mobile(number), "", ""
            else:
                surname = rules.surname_of(person.name)
                name = surname + rng.choice(("先生", "女士"))
                contact = ""
                brand, plate = person.car_brand, _retyped_plate(gen, person.plate)
            address, intention, source = person.address, person.intention, "老客户再次到访"
        else:
            fresh = _fresh_person(gen, book)
            name = fresh.name
            if kind == VisitorKind.NAME_ONLY:
                name = book.people[rng.randrange(len(book.people))].name
                brand, plate = "", ""
            else:
                brand, plate = fresh.car_brand, fresh.plate
            contact = fresh.phones[0]
            address, intention, source = fresh.address, fresh.intention, fresh.source
        keys = rules.IdentityKeys.from_raw(
            name=name,
            phones=[rules.normalise_phone(contact)] if contact else [],
            car_brand=brand,
            plate=plate,
        )
        visitors.append(
            Visitor(
                kind=kind,
                site=site,
                customer_name=name,
                contact=contact,
                car_brand=brand,
                plate=plate,
                employer_or_address=address,
                intention=intention,
                source=source,
                customer=customer,
                asked_for=asked_for,
                phone_e164=min(keys.phones) if keys.phones else "",
                full_name_key=keys.full_name,
                surname=keys.surname,
                plate_key=keys.plate,
                car_brand_key=keys.car_brand,
            )
        )
    return visitors


def _unused_customer(book: SalesBook, rng: random.Random, *, with_car: bool) -> int:
    while True:
        index = rng.randrange(len(book.people))
        if index in book.used or (with_car and not book.people[index].plate):
            continue
        book.used.add(index)
        return index


def _retyped_plate(gen: Generator, plate: str) -> str:
    """The plate as another clerk types it (京A·12345, 京a 12345)."""
    bare = plate.replace("·", "").replace(" ", "").upper()
    return gen.typed_plate(bare)


def _fresh_person(gen: Generator, book: SalesBook) -> Person:
    """A person nobody in the book is: an unused mobile and plate, a newly drawn name."""
    person = Person(index=-1, name=gen.surname() + gen.given_name(), phones=[])
    person.phones = [gen.typed_mobile(gen.mobile(book.mobiles))]
    person.address = gen.address()
    person.intention = gen.rng.choice(("两居室", "三居室", "改善型四居", ""))
    person.source = gen.rng.choice(("到访", "网络咨询", "渠道推荐", "外展"))
    if gen.rng.random() < 0.65:
        brand, spellings = gen.brand()
        person.car_brand = gen.typed_brand(brand, spellings)
        person.plate = gen.typed_plate(gen.plate(book.plates))
    return person
