"""Loading the generated registration book into kehu's tables, fast and faithfully.

- The organisation (company, sites, staff and their permission groups) goes through the ORM:
  it is a few dozen rows.
- The book goes in bulk (``benchmarks.loading.bulk_insert``: ``executemany`` on SQLite, ``COPY``
  on PostgreSQL) with the big tables' secondary indexes and (PostgreSQL) unique and foreign-key
  constraints **dropped first and rebuilt after** (the performance notes: building an index
  once is several times faster than maintaining it row by row). The rebuilt definitions are the
  ones the migrations created, read back from the database catalogue, so nothing is lost.
- Every row the services would have written is written: customers with their derived keys,
  phones, family links, the phone-enquiry book, the registration lines, the ``RegistrationKey``
  rows (each customer's first-registration key, its phone and car keys where first, one visit
  key per customer and day) and one ledger entry per line in the company's ``registration_book``
  stream (and per call in ``phone_book``), hash-chained with ``kehu.core.ledger.rules.seal``
  over the same payload ``registration_record`` writes — so ``ledger_verify`` passes on the
  loaded book.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from time import perf_counter
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from benchmarks.loading import analyze, bulk_insert
from benchmarks.sales_dataset import SITES, SalesBook, seller_site
from kehu.core.customers import rules as identity_rules
from kehu.core.customers.models import Customer, CustomerPhone, FamilyLink
from kehu.core.ledger import rules as ledger_rules
from kehu.core.ledger.models import LedgerEntry, LedgerStream
from kehu.core.org.models import Company, CompanyGroup, CompanyKind, Department, Site, Staff
from kehu.core.org.posts import Post
from kehu.core.org.services import staff_assign_post_group
from kehu.sales import registration_rules
from kehu.sales.models.registration import (
    PhoneEnquiry,
    Registration,
    RegistrationKey,
    RegistrationKeyKind,
)
from kehu.sales.registration_selectors import (
    PHONE_SUBJECT,
    REGISTRATION_SUBJECT,
    masked_contact,
    phone_enquiry_document,
)
from kehu.sales.registration_services import _registration_payload

CHUNK = 100_000  # rows per bulk insert (and per transaction)
BIG_TABLES: tuple[type[models.Model], ...] = (
    Customer,
    CustomerPhone,
    FamilyLink,
    PhoneEnquiry,
    Registration,
    RegistrationKey,
    LedgerEntry,
)


@dataclass
class Office:
    company: Company
    sites: list[Site]
    sellers: list[Staff]  # by salesperson index
    desks: list[Staff]  # front desk (前台) per site
    pms: list[Staff]  # project manager per site
    manager: Staff  # 销售经理: reads the whole book


def _staff(company: Company, site: Site, dept: Department, name: str, post: str, n: int) -> Staff:
    user = get_user_model().objects.create_user(username=f"bench-sales-{n:03d}", password=None)
    staff = Staff.objects.create(
        company=company, user=user, name=name, post=post, site=site, department=dept
    )
    staff_assign_post_group(staff=staff)
    return staff


def build_office(book: SalesBook) -> Office:
    with transaction.atomic():
        group = CompanyGroup.objects.create(name="基准测试集团")
        company = Company.objects.create(
            group=group, code="bench-east", name="华东置业", kind=CompanyKind.REAL_ESTATE
        )
        dept = Department.objects.create(company=company, name="营销部")
        sites = [
            Site.objects.create(company=company, name=name, kind="sales_office") for name in SITES
        ]
        counter = iter(range(1, 1000))
        sellers = [
            _staff(
                company,
                sites[seller_site(i)],
                dept,
                name,
                Post.SALESPERSON,
                next(counter),
            )
            for i, name in enumerate(book.sellers)
        ]
        desks = [
            _staff(company, s, dept, f"前台{n + 1}号", Post.RECEPTIONIST, next(counter))
            for n, s in enumerate(sites)
        ]
        pms = [
            _staff(company, s, dept, f"项目经理{n + 1}号", Post.PROJECT_MANAGER, next(counter))
            for n, s in enumerate(sites)
        ]
        manager = _staff(company, sites[0], dept, "王经理", Post.SALES_MANAGER, next(counter))
    return Office(company, sites, sellers, desks, pms, manager)


# --- indexes: drop before, build after ---------------------------------------------------------


@dataclass
class DroppedIndexes:
    """What was dropped, to be rebuilt: (statement) in order."""

    statements: list[str]


def drop_secondary_indexes(tables: Iterable[type[models.Model]]) -> DroppedIndexes:
    names = [m._meta.db_table for m in tables]
    rebuild: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in names:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [table],
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    rebuild.append(sql)
            return DroppedIndexes(rebuild)
        constraints: list[str] = []
        for table in names:
            # Unique and foreign-key constraints (their indexes go with them), then the rest.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                constraints.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                rebuild.append(definition)
        # Indexes first (unique constraints build their own), foreign keys last.
        unique = [c for c in constraints if " UNIQUE " in c]
        foreign = [c for c in constraints if " FOREIGN KEY " in c]
        return DroppedIndexes(rebuild + unique + foreign)


def rebuild_indexes(dropped: DroppedIndexes) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in dropped.statements:
            cursor.execute(statement)


# --- the book's rows ---------------------------------------------------------------------------


@cache
def _name_keys(name: str) -> dict[str, str]:
    initials, full = identity_rules.name_pinyin(name)
    return {
        "name": name.strip(),
        "name_key": identity_rules.normalise_name(name)[:100],
        "full_name_key": identity_rules.full_name_key(name)[:100],
        "surname": identity_rules.surname_of(name)[:40],
        "pinyin_initials": initials[:100],
        "pinyin_full": full[:255],
    }


@cache
def _brand_key(brand: str) -> str:
    return identity_rules.canonical_car_brand(brand)[:50]


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> tuple[int, float]:
    count, seconds = 0, 0.0
    for chunk in _chunks(rows):
        n, s = bulk_insert(model, chunk, with_ids="id" in chunk[0])
        count += n
        seconds += s
    return count, seconds


class _Chain:
    """Seals ledger entries one after another, as ``ledger_append`` does."""

    def __init__(self, company: Company, stream: str) -> None:
        self.company_id = company.pk
        self.stream = stream
        self.seq = 0
        self.prev = ledger_rules.GENESIS_HASH
        self.at: dt.datetime | None = None

    def entry(
        self,
        *,
        kind: str,
        payload: Mapping[str, Any],
        subject: tuple[str, int],
        recorded_at: dt.datetime,
        recorded_by_id: int,
        canonical: bool = False,
    ) -> dict[str, Any]:
        """``canonical``: ``payload`` holds only JSON text, numbers, booleans, lists and
        dicts already (no datetimes, no Decimals), so the document is hashed directly, as
        ``rules.entry_hash`` would (the first entries are checked against it)."""
        self.seq += 1
        clean = payload if canonical else ledger_rules.normalise(payload)
        facts = ledger_rules.EntryFacts(
            company_id=self.company_id,
            stream=self.stream,
            seq=self.seq,
            recorded_at=recorded_at,
            kind=kind,
            payload=clean,
            prev_hash=self.prev,
            subject_type=subject[0],
            subject_id=str(subject[1]),
            recorded_by_id=recorded_by_id,
        )
        if canonical and self.seq > 100:
            document = {
                "v": ledger_rules.FORMAT_VERSION,
                "company": self.company_id,
                "stream": self.stream,
                "seq": self.seq,
                "recorded_at": _iso(recorded_at),
                "kind": kind,
                "payload": clean,
                "subject": [subject[0], str(subject[1])],
                "corrects": None,
                "reason": "",
                "recorded_by": recorded_by_id,
                "prev_hash": self.prev,
            }
            text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        else:
            digest = ledger_rules.entry_hash(facts)
            if canonical and ledger_rules.normalise(clean) != clean:
                raise AssertionError(f"payload not canonical: {clean}")
        self.prev = digest
        self.at = recorded_at
        return {
            "company_id": self.company_id,
            "stream": self.stream,
            "seq": self.seq,
            "recorded_at": recorded_at,
            "kind": kind,
            "payload": clean,
            "subject_type": subject[0],
            "subject_id": str(subject[1]),
            "corrects_id": None,
            "reason": "",
            "recorded_by_id": recorded_by_id,
            "prev_hash": facts.prev_hash,
            "hash": digest,
        }

    def head(self) -> LedgerStream:
        return LedgerStream.objects.create(
            company_id=self.company_id,
            name=self.stream,
            last_seq=self.seq,
            last_hash=self.prev,
            updated_at=self.at,
        )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@cache
def _plate_key(plate: str) -> str:
    return identity_rules.normalise_plate(plate)


def _car_key(name: str, car_brand: str, plate: str) -> str:
    """The CAR first-registration key ``registration_record`` claims ("" without one)."""
    brand, plate_key, surname = (
        _brand_key(car_brand),
        _plate_key(plate),
        _name_keys(name)["surname"],
    )
    if not (brand and plate_key and surname):
        return ""
    return f"{brand}|{plate_key}|{surname}"[:120]


def _check_car(name: str, car_brand: str, plate: str) -> None:
    keys = identity_rules.IdentityKeys.from_raw(name=name, car_brand=car_brand, plate=plate)
    expected = f"{keys.car_brand}|{keys.plate}|{keys.surname}"[:120] if keys.has_car_key else ""
    if _car_key(name, car_brand, plate) != expected:
        raise AssertionError(f"car key differs from registration_record's for {name} {plate}")


def _check_line(
    row: dict[str, Any],
    payload: dict[str, Any],
    *,
    first: bool,
    rule_ids: list[str],
    names: dict[int, str],
) -> None:
    """The fast payload is exactly what ``registration_record`` would write for the row."""
    stub = SimpleNamespace(
        pk=row["id"],
        site=SimpleNamespace(name=payload["site"]),
        receiver=SimpleNamespace(name=names[row["receiver_id"]]),
        **{k: v for k, v in row.items() if k != "id"},
    )
    expected = ledger_rules.normalise(
        _registration_payload(stub, first=first, conflicts=[], rule_ids=rule_ids)  # type: ignore[arg-type]
    )
    if expected != payload:
        raise AssertionError(f"registration payload differs: {expected} != {payload}")


@dataclass
class LoadedBook:
    customer_ids: list[int]  # per person
    registrations: int
    keys: int
    ledger_entries: int
    rows: dict[str, int]
    seconds: dict[str, float]


def _e164(raw: str) -> str:
    try:
        return identity_rules.normalise_phone(raw)
    except identity_rules.PhoneNumberInvalid:
        return ""


def load_book(
    office: Office,
    book: SalesBook,
    *,
    policy_ref: str,
    tz: dt.tzinfo,
    log: Callable[[str], None],
) -> LoadedBook:
    company = office.company
    seller_ids = [s.pk for s in office.sellers]
    desk_ids = [d.pk for d in office.desks]
    user_of = {s.pk: s.user_id for s in [*office.sellers, *office.desks]}
    customer_ids = [i + 1 for i in range(len(book.people))]
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}

    started = perf_counter()
    dropped = drop_secondary_indexes(BIG_TABLES)
    seconds["drop_indexes"] = perf_counter() - started

    # Who first received each customer (A1.5; the creator of the customer file), and when each
    # was last received (``Customer.last_visit_at``, as registering keeps it).
    first_receiver: dict[int, int] = {}
    last_visit: dict[int, dt.datetime] = {}
    for line in book.lines:
        if line.first:
            first_receiver[line.person] = seller_ids[line.receiver]
        seen = last_visit.get(line.person)
        if seen is None or line.visited_at > seen:
            last_visit[line.person] = line.visited_at

    def customers() -> Iterator[dict[str, Any]]:
        for person in book.people:
            owner = book.owner_of[person.index]
            yield {
                "id": customer_ids[person.index],
                "company_id": company.pk,
                "kind": "person",
                "address": person.address,
                "car_brand": person.car_brand,
                "plate": person.plate,
                "source": person.source,
                "intention": person.intention,
                "owner_id": seller_ids[owner] if owner is not None else None,
                "created_by_id": first_receiver[person.index],
                "created_at": person.created_at,
                "updated_at": person.created_at,
                "last_visit_at": last_visit.get(person.index),
                "plate_key": identity_rules.normalise_plate(person.plate)[:20],
                "car_brand_key": _brand_key(person.car_brand),
                **_name_keys(person.name),
            }

    phones_of: list[list[str]] = []

    def phones() -> Iterator[dict[str, Any]]:
        for person in book.people:
            seen: list[str] = []
            phones_of.append(seen)
            for raw in person.phones:
                e164 = _e164(raw)
                if not e164 or e164 in seen:
                    continue
                seen.append(e164)
                yield {
                    "company_id": company.pk,
                    "customer_id": customer_ids[person.index],
                    "raw": raw,
                    "e164": e164,
                    "last4": identity_rules.phone_last4(e164),
                    "label": "",
                    "created_at": person.created_at,
                }

    def links() -> Iterator[dict[str, Any]]:
        for a, b, relation in book.family_links:
            yield {
                "company_id": company.pk,
                "customer_id": customer_ids[a],
                "relative_id": customer_ids[b],
                "relation": relation,
                "created_at": book.people[a].created_at,
            }

    for name, model, source in (
        ("customers", Customer, customers()),
        ("phones", CustomerPhone, phones()),
        ("family_links", FamilyLink, links()),
    ):
        log(f"  loading {name}")
        rows[name], seconds[name] = _insert(model, source)

    # The phone-enquiry book and its ledger stream (A1.3, A7.5).
    phone_chain = _Chain(company, "phone_book")
    phone_entries: list[dict[str, Any]] = []

    def calls() -> Iterator[dict[str, Any]]:
        for n, call in enumerate(book.calls, start=1):
            person = book.people[call.person]
            owner = seller_ids[call.desk_owner]
            contact = person.phones[0]
            recorded_at = call.called_at + dt.timedelta(minutes=3)
            row = SimpleNamespace(
                pk=n,
                company_id=company.pk,
                site_id=office.sites[seller_site(call.desk_owner)].pk,
                called_at=call.called_at,
                desk_owner_id=owner,
                answered_by_id=owner,
                caller_name=person.name,
                contact=contact,
                phone_e164=_e164(contact),
                intention=person.intention,
                source="来电",
                customer_id=customer_ids[call.person],
                recorded_by_id=owner,
                recorded_at=recorded_at,
                corrects_id=None,
                correction_reason="",
            )
            phone_entries.append(
                phone_chain.entry(
                    kind="phone_enquiry",
                    payload={
                        "phone_enquiry_id": n,
                        "called_at": row.called_at,
                        "desk_owner_id": owner,
                        "desk_owner": book.sellers[call.desk_owner],
                        "answered_by_id": owner,
                        "helped": False,
                        "caller_name": row.caller_name,
                        "contact": masked_contact(row.phone_e164, contact),
                        "customer_id": row.customer_id,
                        "rule_ids": [registration_rules.RULE_PHONE_NOT_IN_BOOK, "A7.5"],
                        "digest": registration_rules.document_digest(
                            phone_enquiry_document(row)  # type: ignore[arg-type]  # a stub row
                        ),
                    },
                    subject=(PHONE_SUBJECT, n),
                    recorded_at=recorded_at,
                    recorded_by_id=user_of[owner],
                )
            )
            yield {k: v for k, v in vars(row).items() if k != "pk"} | {"id": n}

    log("  loading phone enquiries")
    rows["phone_enquiries"], seconds["phone_enquiries"] = _insert(PhoneEnquiry, calls())

    # The registration book: lines, first-registration keys, ledger entries. The payload and
    # the row's digest are built here from values already in canonical form (the same dicts
    # ``registration_record`` builds; the first lines are checked against its functions).
    chain = _Chain(company, "registration_book")
    claimed: set[tuple[str, str]] = set()
    keys: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    sites = office.sites
    seller_names = {s.pk: s.name for s in office.sellers}
    day_cache: dict[dt.date, str] = {}

    def lines() -> Iterator[dict[str, Any]]:
        for n, line in enumerate(book.lines, start=1):
            person = book.people[line.person]
            customer_id = customer_ids[line.person]
            receiver = seller_ids[line.receiver]
            site = book.site_of[line.person]
            desk = desk_ids[site]
            contact = person.phones[0]
            phone_e164 = phones_of[line.person][0]
            recorded_at = line.visited_at + dt.timedelta(minutes=5 + n % 40)
            visited_iso = _iso(line.visited_at)
            recorded_iso = _iso(recorded_at)
            received_on = registration_rules.visit_local_day(line.visited_at, tz)  # type: ignore[arg-type]
            day = day_cache.get(received_on) or day_cache.setdefault(
                received_on, received_on.isoformat()
            )
            car_brand = person.car_brand if line.with_car else ""
            plate = person.plate if line.with_car else ""
            row = {
                "id": n,
                "company_id": company.pk,
                "site_id": sites[site].pk,
                "customer_id": customer_id,
                "visited_at": line.visited_at,
                "received_on": received_on,
                "customer_name": person.name,
                "employer_or_address": person.address,
                "contact": contact,
                "phone_e164": phone_e164,
                "car_brand": car_brand,
                "plate": plate,
                "intention": person.intention,
                "source": person.source,
                "receiver_id": receiver,
                "recorded_by_id": desk,
                "recorded_at": recorded_at,
                "late": False,
                "name_matches": [],
                "policy_ref": policy_ref,
                "corrects_id": None,
                "original_id": None,
                "correction_reason": "",
            }

            wanted = [(RegistrationKeyKind.VISIT.value, f"{customer_id}|{day}")]
            if line.first:
                wanted.append((RegistrationKeyKind.CUSTOMER.value, str(customer_id)))
                if phone_e164:
                    wanted.append((RegistrationKeyKind.PHONE.value, phone_e164))
                car = _car_key(person.name, car_brand, plate)
                if car:
                    wanted.append((RegistrationKeyKind.CAR.value, car))
            for kind, value in wanted:
                if (kind, value) in claimed:
                    continue  # held by an earlier registration (a family's shared car)
                claimed.add((kind, value))
                keys.append(
                    {
                        "company_id": company.pk,
                        "kind": kind,
                        "value": value,
                        "customer_id": customer_id,
                        "registration_id": n,
                        "claimed_at": recorded_at,
                    }
                )
            rule_ids = [registration_rules.RULE_IDENTITY, registration_rules.RULE_SAME_DAY]
            if line.first:
                rule_ids.append(registration_rules.RULE_FIRST_WINS)
            document = {
                **row,
                "visited_at": visited_iso,
                "received_on": day,
                "recorded_at": recorded_iso,
            }
            payload = {
                "registration_id": n,
                "customer_id": customer_id,
                "site_id": row["site_id"],
                "site": sites[site].name,
                "visited_at": visited_iso,
                "received_on": day,
                "customer_name": person.name,
                "employer_or_address": person.address,
                "contact": identity_rules.mask_phone(phone_e164) if phone_e164 else contact,
                "intention": person.intention,
                "source": person.source,
                "receiver_id": receiver,
                "receiver": seller_names[receiver],
                "recorded_by_id": desk,
                "late": False,
                "first": line.first,
                "name_matches": [],
                "conflicts": [],
                "policy_ref": policy_ref,
                "rule_ids": rule_ids,
                "digest": registration_rules.document_digest(document),
            }
            if n <= 100:
                _check_line(row, payload, first=line.first, rule_ids=rule_ids, names=seller_names)
                _check_car(person.name, car_brand, plate)
            entries.append(
                chain.entry(
                    kind="registration",
                    payload=payload,
                    subject=(REGISTRATION_SUBJECT, n),
                    recorded_at=recorded_at,
                    recorded_by_id=user_of[desk],
                    canonical=True,
                )
            )
            yield row

    log("  loading registrations (and sealing their ledger entries)")
    rows["registrations"], seconds["registrations"] = _insert(Registration, lines())
    log("  loading registration keys")
    rows["registration_keys"], seconds["registration_keys"] = _insert(RegistrationKey, keys)
    log("  loading ledger entries")
    rows["ledger_entries"], seconds["ledger_entries"] = _insert(
        LedgerEntry, [*phone_entries, *entries]
    )
    chain.head()
    phone_chain.head()
    log("  rebuilding indexes and constraints")
    started = perf_counter()
    rebuild_indexes(dropped)
    seconds["build_indexes"] = perf_counter() - started
    started = perf_counter()
    analyze()
    seconds["analyze"] = perf_counter() - started
    return LoadedBook(
        customer_ids=customer_ids,
        registrations=rows["registrations"],
        keys=rows["registration_keys"],
        ledger_entries=rows["ledger_entries"],
        rows=rows,
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )
