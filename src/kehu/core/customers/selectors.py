"""Read queries for customers. Every query is scoped to one company.

Visibility (A1.2 / A7.21, architecture "Access follows the regulations"): staff with
``customers.view_all_customers`` see every customer of their company; other staff with
``customers.view_customer`` see the customers they own, and those they registered that have no
owner yet; staff without ``customers.view_customer`` see none. Rows of another company are
reported as "not found" (404), never "forbidden", so their existence does not leak.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.lookups import Exact
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.customers import match_sql, rules
from kehu.core.customers.errors import (
    CustomerNotFound,
    CustomerPermissionDenied,
    phone_invalid,
)
from kehu.core.customers.models import (
    Customer,
    CustomerPhone,
    FamilyLink,
    VisitBatch,
    VisitBatchMember,
)
from kehu.core.org.models import Company, Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.policy.selectors import policy_for

PERM_VIEW = "customers.view_customer"
PERM_VIEW_ALL = "customers.view_all_customers"
PERM_ADD = "customers.add_customer"
PERM_REVEAL_PHONE = "customers.reveal_phone"
PERM_REVEAL_ID_NUMBER = "customers.reveal_id_number"


def _phones_prefetch() -> Any:  # a Prefetch; its stub's type parameters are awkward
    return Prefetch("phones", queryset=CustomerPhone.objects.order_by("id"))


def customers_visible_to(staff: Staff, *, narrowed_by_key: bool = False) -> QuerySet[Customer]:
    """The customers ``staff`` may see (no joins, no ordering: a base to filter further).

    ``narrowed_by_key``: the caller adds an indexed ``pk__in`` lookup (a search or a match). The
    company condition is then written so no index serves it (``company_id + 0``), or SQLite,
    lacking statistics, walks the whole company by its index instead of looking up the few keys.
    """
    if narrowed_by_key:
        qs = Customer.objects.filter(Exact(F("company_id") + 0, staff.company_id))
    else:
        qs = Customer.objects.filter(company_id=staff.company_id)
    if not staff_has_perm(staff, PERM_VIEW):
        return qs.none()
    if staff_has_perm(staff, PERM_VIEW_ALL):
        return qs
    return qs.filter(Q(owner=staff) | Q(owner__isnull=True, created_by=staff))


def _prefix(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written so the backend can use its index.

    PostgreSQL uses the varchar_pattern_ops indexes for LIKE 'abc%'. SQLite's LIKE is
    case-insensitive and ignores the index, but a range on the BINARY collation uses it.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})


_DIGITS_QUERY = re.compile(r"\+?[\d\s\-()（）]+")


def _union(lookups: list[QuerySet[Any]]) -> QuerySet[Any]:
    """One subquery of ids: ``a UNION b UNION c``, each part served by its own index."""
    if not lookups:
        return Customer.objects.none().values("pk")
    # Compound SELECTs may not be ordered part by part (CustomerPhone has a default ordering).
    first, *rest = (lookup.order_by() for lookup in lookups)
    return first.union(*rest) if rest else first


def customer_search_filter(company_id: int, query: str) -> Q:
    """What a search box query means: a phone (whole, 尾号 last 4, or its start), a name, a
    plate, or pinyin initials/full pinyin (``zs``/``zhangsan`` → 张三). Empty → everything.

    Each reading is an indexed lookup (equality or prefix); their UNION picks the rows.
    """
    text = unicodedata.normalize("NFKC", query or "").strip()
    if not text:
        return Q()
    in_company = Customer.objects.filter(company_id=company_id)
    lookups: list[QuerySet[Any]] = []
    if _DIGITS_QUERY.fullmatch(text):
        phones = CustomerPhone.objects.filter(company_id=company_id)
        digits = re.sub(r"\D", "", text)
        try:
            e164 = rules.normalise_phone(text)
        except rules.PhoneNumberInvalid:
            e164 = ""
        prefix = rules.phone_search_prefix(text)
        if e164:
            lookups.append(phones.filter(e164=e164).values("customer_id"))
        elif len(digits) == 4:
            lookups.append(phones.filter(last4=digits).values("customer_id"))
        elif prefix is not None and len(digits) >= 3:
            lookups.append(phones.filter(_prefix("e164", prefix)).values("customer_id"))
        return Q(pk__in=_union(lookups))
    name = rules.normalise_name(text)
    if name:
        lookups.append(in_company.filter(_prefix("name_key", name)).values("pk"))
    plate = rules.normalise_plate(text)
    if len(plate) >= 2:
        lookups.append(in_company.filter(_prefix("plate_key", plate)).values("pk"))
    pinyin = rules.normalise_pinyin_query(text)
    if pinyin and pinyin == re.sub(r"[\s']", "", text.casefold()):
        lookups.append(in_company.filter(_prefix("pinyin_initials", pinyin)).values("pk"))
        lookups.append(in_company.filter(_prefix("pinyin_full", pinyin)).values("pk"))
    return Q(pk__in=_union(lookups))


def customer_list_for_user(staff: Staff, query: str = "") -> QuerySet[Customer]:
    """The customers ``staff`` may see, matching ``query``, newest first, phones prefetched."""
    search = customer_search_filter(staff.company_id, query)
    return (
        customers_visible_to(staff, narrowed_by_key=bool(search))
        .filter(search)
        .select_related("owner")
        .prefetch_related(_phones_prefetch())
        .order_by("-created_at", "-id")
    )


def customer_get_for_user(staff: Staff, customer_id: int) -> Customer:
    """One visible customer with owner, registrar and phones, else ``CustomerNotFound`` (404)."""
    try:
        return (
            customers_visible_to(staff)
            .select_related("owner", "created_by")
            .prefetch_related(_phones_prefetch())
            .get(pk=customer_id)
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise CustomerNotFound() from None


# --- A7.4 matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerMatch:
    """An existing customer that A7.4 says may be the same as the candidate, and why."""

    customer: Customer
    match: rules.IdentityMatch

    @property
    def keys(self) -> tuple[rules.IdentityKey, ...]:
        return self.match.keys


def _as_phone_list(phone: str | None, phones: Iterable[str]) -> list[str]:
    return [p for p in [phone, *phones] if p and p.strip()]


def customer_match(
    company: Company | int,
    *,
    phone: str | None = None,
    phones: Iterable[str] = (),
    name: str | None = None,
    plate: str | None = None,
    car_brand: str | None = None,
    surname: str | None = None,
    exclude_customer_id: int | None = None,
    full_name_alone: str = rules.FULL_NAME_ALONE_NEEDS_CONFIRMATION,
) -> list[CustomerMatch]:
    """Existing customers of ``company`` that share an A7.4 key with the candidate.

    One query, every ground an indexed equality: full name (``cust_full_name_key``), phone
    (``cust_phone_e164``), plate + brand + surname (``cust_plate_brand_surname``). Results are in
    registration order (A1.5: the first registration wins), owners loaded. The rule decides which
    keys matched; a full-name-only match needs confirmation unless ``full_name_alone ==
    "decides"``. Raises ``KehuError`` (customers.phone_invalid) for a malformed phone.

    The query is hand-written SQL built once per shape of candidate (``match_sql``): building
    the same query with the ORM on every call cost 30–70 times the query itself.
    """
    company_id = company if isinstance(company, int) else company.pk
    candidate = _candidate(name, phone, phones, car_brand, plate, surname)
    if candidate.is_empty:
        return []
    rows = match_sql.match_rows(company_id, candidate, exclude_customer_id=exclude_customer_id)
    results = []
    for customer, hit in rows:
        result = _match_of(candidate, customer, hit, full_name_alone)
        if result.matched:
            results.append(CustomerMatch(customer=customer, match=result))
    return results


@dataclass(frozen=True)
class CustomerIdMatch:
    """A customer ``customer_match_ids`` found: the id, why they match, the phone that did, and
    (asked with ``visited_since``) whether their latest visit in the sales book
    (``Customer.last_visit_at``) is at or after that time."""

    customer_id: int
    match: rules.IdentityMatch
    matched_phone: str | None = None
    seen_since: bool | None = None


def customer_match_ids(
    company: Company | int,
    *,
    phone: str | None = None,
    name: str | None = None,
    plate: str | None = None,
    car_brand: str | None = None,
    exclude_customer_id: int | None = None,
    full_name_alone: str = rules.FULL_NAME_ALONE_NEEDS_CONFIRMATION,
    visited_since: dt.datetime | None = None,
) -> list[CustomerIdMatch]:
    """``customer_match``'s matches as ids, in the same order, read by a narrower statement
    (``match_sql.match_light_rows``: no owner, no model instances). Registering a visit keeps
    only the ids of the customers a common name matches — hundreds of them — and reads a
    deciding match's file only when it refuses the registration. ``visited_since``: each match
    also says whether the customer was seen (their latest visit) at or after that time."""
    company_id = company if isinstance(company, int) else company.pk
    candidate = _candidate(name, phone, (), car_brand, plate, None)
    if candidate.is_empty:
        return []
    # A common name matches hundreds of files, nearly all on the name alone: the match is worked
    # out once per shape (see ``_match_shape``) and shared (``IdentityMatch`` is frozen). It was
    # 5 of a name-only registration's 15 ms on SQLite at 720,000 customers.
    shared: dict[tuple[bool, str | None, bool], rules.IdentityMatch | None] = {}
    results = []
    for row in match_sql.match_light_rows(
        company_id, candidate, exclude_customer_id=exclude_customer_id, since=visited_since
    ):
        shape = _match_shape(candidate, row, row.matched_phone)
        if shape in shared:
            result = shared[shape]
        else:
            found = _match_of(candidate, row, row.matched_phone, full_name_alone)
            result = shared[shape] = found if found.matched else None
        if result is not None:
            results.append(CustomerIdMatch(row.id, result, row.matched_phone, row.seen_since))
    return results


def _match_shape(
    candidate: rules.IdentityKeys, found: _IdentityColumns, matched_phone: str | None
) -> tuple[bool, str | None, bool]:
    """All that ``_match_of`` reads of ``found``, for a fixed candidate: whether the full names
    are equal, the matched phone (its only phone), and whether brand, plate and surname are all
    equal while the candidate has a car key (then ``found`` has one too)."""
    return (
        found.full_name_key == candidate.full_name,
        matched_phone,
        candidate.has_car_key
        and found.car_brand_key == candidate.car_brand
        and found.plate_key == candidate.plate
        and found.surname == candidate.surname,
    )


class _IdentityColumns(Protocol):
    """A matched customer as the match statement reads it (a ``Customer`` or a light row)."""

    @property
    def full_name_key(self) -> str: ...
    @property
    def car_brand_key(self) -> str: ...
    @property
    def plate_key(self) -> str: ...
    @property
    def surname(self) -> str: ...


def _match_of(
    candidate: rules.IdentityKeys,
    found: _IdentityColumns,
    matched_phone: str | None,
    full_name_alone: str,
) -> rules.IdentityMatch:
    """Which A7.4 keys ``found`` shares with ``candidate``: its identity columns, and of its
    phones the one the statement matched."""
    existing = rules.IdentityKeys(
        full_name=found.full_name_key,
        phones=frozenset([matched_phone]) if matched_phone else frozenset(),
        car_brand=found.car_brand_key,
        plate=found.plate_key,
        surname=found.surname,
    )
    return rules.identity_match(candidate, existing, full_name_alone=full_name_alone)


def _candidate(
    name: str | None,
    phone: str | None,
    phones: Iterable[str],
    car_brand: str | None,
    plate: str | None,
    surname: str | None,
) -> rules.IdentityKeys:
    try:
        return rules.IdentityKeys.from_raw(
            name=name or "",
            phones=_as_phone_list(phone, phones),
            car_brand=car_brand or "",
            plate=plate or "",
            surname=surname or "",
        )
    except rules.PhoneNumberInvalid as exc:
        raise phone_invalid(exc) from exc


def customer_match_queryset(
    company_id: int, candidate: rules.IdentityKeys, *, exclude_customer_id: int | None = None
) -> QuerySet[Customer]:
    """``customer_match``'s query written with the ORM (its first formulation).

    ``customer_match`` now runs the equivalent hand-written statement of ``match_sql``; this
    queryset is kept as the reference the tests compare it with, and for the benchmarks.

    Each ground is its own indexed lookup, and their UNION picks the rows: an OR of the grounds
    would let the planner walk every customer of the company instead.
    """
    in_company = Customer.objects.filter(company_id=company_id)
    phone_rows = CustomerPhone.objects.filter(company_id=company_id, e164__in=candidate.phones)
    lookups: list[QuerySet[Any]] = []
    if candidate.full_name:
        lookups.append(in_company.filter(full_name_key=candidate.full_name).values("pk"))
    if candidate.phones:
        lookups.append(phone_rows.values("customer_id"))
    if candidate.has_car_key:
        lookups.append(
            in_company.filter(
                plate_key=candidate.plate,
                car_brand_key=candidate.car_brand,
                surname=candidate.surname,
            ).values("pk")
        )
    grounds = Q(pk__in=_union(lookups))
    qs = (
        Customer.objects.filter(grounds, Exact(F("company_id") + 0, company_id))
        .select_related("owner")
        .order_by("created_at", "id")
    )
    if candidate.phones:
        qs = qs.annotate(
            matched_phone=Subquery(
                phone_rows.filter(customer_id=OuterRef("pk")).order_by("e164").values("e164")[:1]
            )
        )
    if exclude_customer_id is not None:
        qs = qs.exclude(pk=exclude_customer_id)
    return qs


# --- families and batches (A7.6 / A7.14) -----------------------------------------------------


def customer_match_for_user(
    staff: Staff,
    *,
    phone: str | None = None,
    name: str | None = None,
    plate: str | None = None,
    car_brand: str | None = None,
    surname: str | None = None,
    at: dt.datetime | None = None,
) -> list[CustomerMatch]:
    """``customer_match`` in the caller's company, for staff who may see customers at all.

    Matches are reported across the whole company (a conflict with a colleague's customer is
    exactly what A7.4 must find); the result names the owner and the keys, not the details.
    Whether a full-name-only match decides is the company's ``identity.full_name_alone`` policy
    in force at ``at`` (default: now).
    """
    if not staff_has_perm(staff, PERM_VIEW):
        raise CustomerPermissionDenied("查看客户", "see customers", PERM_VIEW)
    identity = policy_for(company=staff.company, key="identity", at=at or timezone.now())
    full_name_alone = identity.values.full_name_alone
    return customer_match(
        staff.company_id,
        phone=phone,
        name=name,
        plate=plate,
        car_brand=car_brand,
        surname=surname,
        full_name_alone=full_name_alone,
    )


def _visible_members(staff: Staff) -> Any:  # a Prefetch
    return Prefetch(
        "members",
        queryset=customers_visible_to(staff).order_by("name", "id").only("id", "name"),
        to_attr="visible_members",
    )


def _family_links(staff: Staff, customer: Customer) -> list[FamilyLink]:
    return list(
        FamilyLink.objects.filter(
            company_id=customer.company_id,
            customer=customer,
            relative__in=customers_visible_to(staff),
        )
        .select_related("relative")
        .order_by("relation", "relative__name", "id")
    )


def _batches(staff: Staff) -> QuerySet[VisitBatch]:
    return (
        VisitBatch.objects.filter(company_id=staff.company_id)
        .select_related("site")
        .annotate(member_count=Count("memberships"))
        .prefetch_related(_visible_members(staff))
    )


def _batches_of(staff: Staff, customer: Customer) -> list[VisitBatch]:
    return list(
        _batches(staff)
        .filter(Exists(VisitBatchMember.objects.filter(batch=OuterRef("pk"), customer=customer)))
        .order_by("-visit_date", "-id")
    )


def customer_family_links_for_user(staff: Staff, customer_id: int) -> list[FamilyLink]:
    """The customer's relatives that ``staff`` may see (each link as seen from this customer)."""
    return _family_links(staff, customer_get_for_user(staff, customer_id))


def customer_visit_batches_for_user(staff: Staff, customer_id: int) -> list[VisitBatch]:
    """Batches the customer visited in. Each batch's ``visible_members`` lists the members
    ``staff`` may see; ``member_count`` counts them all."""
    return _batches_of(staff, customer_get_for_user(staff, customer_id))


@dataclass(frozen=True)
class CustomerDetail:
    customer: Customer
    family_links: list[FamilyLink]
    visit_batches: list[VisitBatch]
    can_reveal_phone: bool
    can_reveal_id_number: bool
    can_edit: bool


def customer_detail_for_user(staff: Staff, customer_id: int) -> CustomerDetail:
    """Everything the detail page shows (phones and ID number masked)."""
    customer = customer_get_for_user(staff, customer_id)
    return CustomerDetail(
        customer=customer,
        family_links=_family_links(staff, customer),
        visit_batches=_batches_of(staff, customer),
        can_reveal_phone=staff_has_perm(staff, PERM_REVEAL_PHONE),
        can_reveal_id_number=staff_has_perm(staff, PERM_REVEAL_ID_NUMBER),
        can_edit=staff_has_perm(staff, PERM_ADD),
    )


def visit_batch_get_for_user(staff: Staff, batch_id: int) -> VisitBatch:
    """A batch with at least one member visible to ``staff``; ``CustomerNotFound`` otherwise."""
    visible = customers_visible_to(staff)
    batch = (
        _batches(staff)
        .filter(pk=batch_id)
        .filter(Exists(VisitBatchMember.objects.filter(batch=OuterRef("pk"), customer__in=visible)))
        .first()
    )
    if batch is None:
        raise CustomerNotFound()
    return batch


@dataclass(frozen=True)
class CustomerGroup:
    """The customers counted as one with a customer (A7.6 / A7.14), the customer included:
    ``members`` through family links or shared visiting batches, ``family`` through family
    links alone (direct relatives, transitively)."""

    members: frozenset[int]
    family: frozenset[int]


def customer_group(*, company: Company | int, customer_id: int) -> CustomerGroup:
    """The customer's family and batch group (``CustomerGroup``), transitively. Used by ownership
    decisions; not filtered by visibility."""
    company_id = company if isinstance(company, int) else company.pk
    group = {customer_id}
    frontier = {customer_id}
    relatives: dict[int, set[int]] = {}
    links, members = rawsql.table(FamilyLink), rawsql.table(VisitBatchMember)
    while frontier:
        # Relatives and batch companions of the frontier in one round trip (asked for on
        # every ownership decision), each edge saying which it is: the family is the part of
        # the group reached by family links alone.
        ids_sql, ids = rawsql.in_list(sorted(frontier))
        found = rawsql.rows(
            FamilyLink,
            f"SELECT customer_id, relative_id, 1 FROM {links}"
            f" WHERE company_id = %s AND customer_id IN {ids_sql}"
            f" UNION SELECT mine.customer_id, other.customer_id, 0 FROM {members} AS mine"
            f" JOIN {members} AS other ON other.batch_id = mine.batch_id"
            f" WHERE mine.company_id = %s AND mine.customer_id IN {ids_sql}",
            [company_id, *ids, company_id, *ids],
        )
        for source, target, is_family in found:
            if is_family:
                relatives.setdefault(source, set()).add(target)
        frontier = {target for _, target, _ in found} - group
        group |= frontier
    family, reached = {customer_id}, [customer_id]
    while reached:
        found_now = relatives.get(reached.pop(), set()) - family
        family |= found_now
        reached += found_now
    return CustomerGroup(members=frozenset(group), family=frozenset(family))
