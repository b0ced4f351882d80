"""Reads of pre-registered introductions (A7.10), filtered by the caller's company and post.

A salesperson sees their own pre-registrations; the registration book's keepers (the sales
manager, the PM) see the company's. Each row comes with its validity (``prereg_rules``): waiting
for the visit, open until the 7th day after the visit's registration, or expired — found from
the introduced person's first registered visit since the pre-registration whose customer
matches an A7.4 key (which key is shown; a full-name-only match needs the sales manager's
confirmation, A7.20).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.customers.rules import (
    IDENTITY_KEY_LABELS_ZH,
    IdentityKeys,
    IdentityMatch,
    identity_match,
    mask_phone,
)
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.sales import prereg_errors as errors
from kehu.sales.models.reception import PreRegistration, Visit
from kehu.sales.prereg_rules import PREREG_STATE_LABELS_ZH, PreregValidity, prereg_validity
from kehu.sales.prereg_services import PERM_BOOK, IntroducedPerson, person_normalise
from kehu.sales.reception_services import sales_policy

LIST_LIMIT = 200


def prereg_identity_keys(row: PreRegistration) -> IdentityKeys:
    """The A7.4 keys of a pre-registration, normalised by the kernel (for the reception flow)."""
    return IdentityKeys.from_raw(
        name=row.name,
        phones=[row.phone_e164] if row.phone_e164 else [],
        car_brand=row.car_brand,
        plate=row.plate,
    )


def _customer_keys(customer: Customer, phones: list[str]) -> IdentityKeys:
    return IdentityKeys(
        full_name=customer.full_name_key,
        phones=frozenset(phones),
        car_brand=customer.car_brand_key,
        plate=customer.plate_key,
        surname=customer.surname,
    )


@dataclass(frozen=True)
class PreregRow:
    row: PreRegistration
    validity: PreregValidity
    visit: Visit | None  # the introduced person's first registered visit since, if any
    match: IdentityMatch | None

    @property
    def state_label(self) -> str:
        return PREREG_STATE_LABELS_ZH[self.validity.state]

    @property
    def contact_masked(self) -> str:
        """The phone masked like every customer phone (138****1234); other contact text kept."""
        if self.row.phone_e164:
            return mask_phone(self.row.phone_e164)
        return self.row.contact

    @property
    def key_labels(self) -> list[str]:
        if self.match is None:
            return []
        return [IDENTITY_KEY_LABELS_ZH[k] for k in self.match.keys]


def may_preregister(staff: Staff) -> bool:
    return staff.active and (staff.post == Post.SALESPERSON or staff_has_perm(staff, PERM_BOOK))


def preregistrations_visible_to(staff: Staff) -> QuerySet[PreRegistration]:
    """The rows the caller may read (another company's: none)."""
    rows = PreRegistration.objects.filter(company_id=staff.company_id)
    if not staff.active:
        return rows.none()
    if staff_has_perm(staff, PERM_BOOK):
        return rows
    if staff.post == Post.SALESPERSON:
        return rows.filter(salesperson=staff)
    return rows.none()


def _first_visits(
    rows: list[PreRegistration],
) -> dict[int, tuple[Visit | None, IdentityMatch | None]]:
    """For each row, the introduced person's first registered visit since it and the A7.4
    match, in a fixed number of queries (candidates by phone, full name or plate; the kernel's
    ``identity_match`` decides)."""
    found: dict[int, tuple[Visit | None, IdentityMatch | None]] = {r.pk: (None, None) for r in rows}
    if not rows:
        return found
    company_id = rows[0].company_id
    keys = {r.pk: prereg_identity_keys(r) for r in rows}
    phones = sorted({p for k in keys.values() for p in k.phones})
    names = sorted({k.full_name for k in keys.values() if k.full_name})
    plates = sorted({k.plate for k in keys.values() if k.has_car_key})
    near = Q(pk__in=[])
    if phones:
        near |= Q(
            pk__in=CustomerPhone.objects.filter(company_id=company_id, e164__in=phones).values(
                "customer_id"
            )
        )
    if names:
        near |= Q(full_name_key__in=names)
    if plates:
        near |= Q(plate_key__in=plates)
    customers = list(
        Customer.objects.filter(company_id=company_id).filter(near).prefetch_related("phones")
    )
    if not customers:
        return found
    their = {c.pk: _customer_keys(c, [p.e164 for p in c.phones.all()]) for c in customers}
    matches: dict[int, dict[int, IdentityMatch]] = {}
    for row in rows:
        for customer_id, customer_keys in their.items():
            if customer_id == row.introducer_id:
                continue
            match = identity_match(keys[row.pk], customer_keys)
            if match.matched:
                matches.setdefault(row.pk, {})[customer_id] = match
    wanted = {c for m in matches.values() for c in m}
    if not wanted:
        return found
    visits = (
        Visit.objects.filter(
            company_id=company_id,
            customer_id__in=sorted(wanted),
            arrived_at__gt=min(r.registered_at for r in rows),
            registered_at__isnull=False,
        )
        .select_related("receiver", "customer")
        .order_by("arrived_at", "pk")
    )
    by_customer: dict[int, list[Visit]] = {}
    for visit in visits:
        if visit.customer_id is not None:
            by_customer.setdefault(visit.customer_id, []).append(visit)
    for row in rows:
        candidates = [
            v
            for customer_id in matches.get(row.pk, {})
            for v in by_customer.get(customer_id, [])
            if v.arrived_at > row.registered_at
        ]
        if candidates:
            first = min(candidates, key=lambda v: (v.arrived_at, v.pk))
            assert first.customer_id is not None
            found[row.pk] = (first, matches[row.pk][first.customer_id])
    return found


def preregistrations_for_user(staff: Staff) -> list[PreregRow]:
    """The caller's pre-registrations with their validity (A7.10), newest first."""
    if not may_preregister(staff):
        raise errors.prereg_not_allowed()
    now = timezone.now()
    policy, _ref = sales_policy(staff.company, now)
    rows = list(
        preregistrations_visible_to(staff)
        .select_related("introducer", "salesperson", "recorded_by", "site")
        .order_by("-registered_at", "-pk")[:LIST_LIMIT]
    )
    visits = _first_visits(rows)
    return [_with_validity(r, visits[r.pk], now, policy.referral_valid_days) for r in rows]


def _with_validity(
    row: PreRegistration,
    first: tuple[Visit | None, IdentityMatch | None],
    now: dt.datetime,
    valid_days: int,
) -> PreregRow:
    visit, match = first
    validity = prereg_validity(
        preregistered_at=row.registered_at,
        visit_registered_at=visit.registered_at if visit else None,
        visit_arrived_at=visit.arrived_at if visit else None,
        now=now,
        valid_days=valid_days,
    )
    return PreregRow(row=row, validity=validity, visit=visit, match=match)


def preregistration_get_for_user(staff: Staff, preregistration_id: int) -> PreregRow:
    row = preregistrations_visible_to(staff).filter(pk=preregistration_id).first()
    if row is None:
        raise errors.PreRegistrationError(
            "prereg.not_found", "未找到该预先登记。", "Pre-registration not found.", status=404
        )
    now = timezone.now()
    policy, _ref = sales_policy(staff.company, now)
    return _with_validity(row, _first_visits([row])[row.pk], now, policy.referral_valid_days)


def introducers_for(staff: Staff, salesperson: Staff | None = None) -> QuerySet[Customer]:
    """The old customers who may introduce: the salesperson's own customers (A7.10)."""
    owner = salesperson or staff
    return Customer.objects.filter(company_id=staff.company_id, owner=owner).order_by("name", "pk")


def salespeople_for(staff: Staff) -> QuerySet[Staff]:
    """Whom a book keeper may record a pre-registration for."""
    rows = Staff.objects.filter(company_id=staff.company_id, active=True, post=Post.SALESPERSON)
    if staff_has_perm(staff, PERM_BOOK):
        return rows.order_by("name", "pk")
    return rows.filter(pk=staff.pk)


def person_keys_preview(person: IntroducedPerson) -> IdentityKeys:
    """The keys the kernel would store (the form's preview); raises the service's errors."""
    return person_normalise(person).keys


def introducers_for_keeper(staff: Staff) -> QuerySet[Customer]:
    """A book keeper picks among every salesperson's customers (the service checks the pair)."""
    return Customer.objects.filter(
        company_id=staff.company_id, owner__post=Post.SALESPERSON, owner__active=True
    ).order_by("name", "pk")
