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


def _first_visit(row: PreRegistration) -> tuple[Visit | None, IdentityMatch | None]:
    keys = prereg_identity_keys(row)
    near = Q(pk__in=[])
    if keys.phones:
        near |= Q(
            pk__in=CustomerPhone.objects.filter(
                company_id=row.company_id, e164__in=sorted(keys.phones)
            ).values("customer_id")
        )
    if keys.full_name:
        near |= Q(full_name_key=keys.full_name)
    if keys.has_car_key:
        near |= Q(plate_key=keys.plate, car_brand_key=keys.car_brand, surname=keys.surname)
    candidates = Customer.objects.filter(company_id=row.company_id).filter(near)
    if row.introducer_id is not None:
        candidates = candidates.exclude(pk=row.introducer_id)
    customers = list(candidates.prefetch_related("phones"))
    matches: dict[int, IdentityMatch] = {}
    for customer in customers:
        found = identity_match(
            keys, _customer_keys(customer, [p.e164 for p in customer.phones.all()])
        )
        if found.matched:
            matches[customer.pk] = found
    if not matches:
        return None, None
    visit = (
        Visit.objects.filter(
            company_id=row.company_id,
            customer_id__in=list(matches),
            arrived_at__gt=row.registered_at,
            registered_at__isnull=False,
        )
        .select_related("receiver", "customer")
        .order_by("arrived_at", "pk")
        .first()
    )
    if visit is None or visit.customer_id is None:
        return None, None
    return visit, matches[visit.customer_id]


def preregistrations_for_user(staff: Staff) -> list[PreregRow]:
    """The caller's pre-registrations with their validity (A7.10), newest first."""
    if not may_preregister(staff):
        raise errors.prereg_not_allowed()
    now = timezone.now()
    policy, _ref = sales_policy(staff.company, now)
    rows = (
        preregistrations_visible_to(staff)
        .select_related("introducer", "salesperson", "recorded_by", "site")
        .order_by("-registered_at", "-pk")[:LIST_LIMIT]
    )
    return [_with_validity(row, now, policy.referral_valid_days) for row in rows]


def _with_validity(row: PreRegistration, now: dt.datetime, valid_days: int) -> PreregRow:
    visit, match = _first_visit(row)
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
    return _with_validity(row, now, policy.referral_valid_days)


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
