"""Pre-registered introductions (预先登记, A7.10): one transaction each.

The salesperson of an old customer registers an introduction before the introduced person
visits: who introduces (the old customer, who must be that salesperson's), the introduced
person's name, phone, car brand and plate — the A7.4 identity keys, normalised as the customer
kernel does (``kehu.core.customers.rules``): the phone to E.164, the name NFKC with spaces
collapsed, the plate upper-case without separators; the car brand is kept as typed and
compared through the kernel's synonym table. The reception flow reads these rows into the
facts of a visit (claims ``prereg:<id>``); the ownership engine decides (A7.10).

Evidence: the table is append-only (migration 0010) and every row has a ledger entry in stream
``preregistrations``, written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.customers.rules import (
    IdentityKeys,
    PhoneNumberInvalid,
    canonical_car_brand,
    full_name_key,
    normalise_phone,
    normalise_plate,
    surname_of,
)
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Site, Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.sales import prereg_errors as errors
from kehu.sales.models.reception import PreRegistration
from kehu.sales.models.registration import Registration
from kehu.sales.reception_services import sales_policy

STREAM = "preregistrations"
SUBJECT = "sales.preregistration"
PERM_BOOK = "sales.view_registration_book"  # the book's keepers record for a salesperson
A7_10 = "A7.10"

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class IntroducedPerson:
    """What the salesperson types about the introduced person (A7.4 fields)."""

    name: str = ""
    contact: str = ""
    car_brand: str = ""
    plate: str = ""


@dataclass(frozen=True)
class NormalisedPerson:
    name: str
    contact: str
    phone_e164: str
    car_brand: str
    plate: str

    @property
    def keys(self) -> IdentityKeys:
        return IdentityKeys(
            full_name=full_name_key(self.name),
            phones=frozenset({self.phone_e164} if self.phone_e164 else ()),
            car_brand=canonical_car_brand(self.car_brand),
            plate=self.plate,
            surname=surname_of(self.name),
        )


def _text(raw: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", raw or "")).strip()


def person_normalise(person: IntroducedPerson) -> NormalisedPerson:
    """The introduced person's keys as the kernel normalises them; refuses a bad phone, an
    incomplete car key and a person with no A7.4 key at all."""
    name = _text(person.name)
    contact = _text(person.contact)
    phone = ""
    if contact:
        try:
            phone = normalise_phone(contact)
        except PhoneNumberInvalid as error:
            raise errors.phone_invalid(contact) from error
    car_brand = _text(person.car_brand)
    plate = normalise_plate(person.plate)
    if (car_brand or plate) and not (car_brand and plate and surname_of(name)):
        raise errors.car_incomplete()
    normalised = NormalisedPerson(
        name=name, contact=contact, phone_e164=phone, car_brand=car_brand, plate=plate
    )
    if normalised.keys.is_empty:
        raise errors.identity_required()
    return normalised


def _salesperson(actor: Staff, salesperson_id: int | None) -> Staff:
    """Who pre-registers: the acting salesperson, or the one a book keeper names."""
    if not actor.active:
        raise errors.prereg_not_allowed()
    if salesperson_id is None or salesperson_id == actor.pk:
        if actor.post == Post.SALESPERSON:
            return actor
        if staff_has_perm(actor, PERM_BOOK):
            raise errors.salesperson_invalid()  # a keeper names the salesperson
        raise errors.prereg_not_allowed()
    if not staff_has_perm(actor, PERM_BOOK):
        raise errors.prereg_not_allowed()
    named = Staff.objects.filter(
        company_id=actor.company_id, pk=salesperson_id, active=True, post=Post.SALESPERSON
    ).first()
    if named is None:
        raise errors.salesperson_invalid()
    return named


def _site(actor: Staff, salesperson: Staff) -> Site:
    for candidate in (salesperson.site_id, actor.site_id):
        if candidate is not None:
            return Site.objects.get(pk=candidate)
    site = Site.objects.filter(company_id=actor.company_id).order_by("pk").first()
    if site is None:
        raise errors.salesperson_invalid()
    return site


def _earlier_visit(
    company_id: int, person: NormalisedPerson, since: dt.datetime
) -> Registration | None:
    """A registration of the same person (phone, or car key with surname: A7.4 grounds that
    decide by themselves) since ``since``: then they have visited already."""
    keys = person.keys
    matches = Q(pk__in=[])
    if keys.phones:
        phone_customers = CustomerPhone.objects.filter(
            company_id=company_id, e164__in=sorted(keys.phones)
        ).values("customer_id")
        matches |= Q(customer_id__in=phone_customers)
    if keys.has_car_key:
        matches |= Q(
            customer__plate_key=keys.plate,
            customer__car_brand_key=keys.car_brand,
            customer__surname=keys.surname,
        )
    return (
        Registration.objects.filter(company_id=company_id, visited_at__gte=since)
        .filter(matches)
        .select_related("receiver")
        .order_by("visited_at", "pk")
        .first()
    )


@transaction.atomic
def preregistration_record(
    *,
    actor: Staff,
    introducer_id: int,
    person: IntroducedPerson,
    note: str = "",
    salesperson_id: int | None = None,
) -> PreRegistration:
    """Register an introduction before the introduced person visits (A7.10)."""
    salesperson = _salesperson(actor, salesperson_id)
    introducer = Customer.objects.filter(company_id=actor.company_id, pk=introducer_id).first()
    if introducer is None:
        raise errors.introducer_not_found()
    if introducer.owner_id != salesperson.pk:
        raise errors.introducer_not_yours(salesperson=salesperson.name)
    normalised = person_normalise(person)
    now = timezone.now()
    policy, _ref = sales_policy(actor.company, now)
    visited = _earlier_visit(
        actor.company_id, normalised, now - dt.timedelta(days=policy.new_customer_after_days)
    )
    if visited is not None:
        raise errors.already_visited(receiver=visited.receiver.name, visited_at=visited.visited_at)
    row = PreRegistration.objects.create(
        company_id=actor.company_id,
        site=_site(actor, salesperson),
        introducer=introducer,
        name=normalised.name,
        contact=normalised.contact,
        phone_e164=normalised.phone_e164,
        car_brand=normalised.car_brand,
        plate=normalised.plate,
        salesperson=salesperson,
        registered_at=now,
        note=_text(note)[:500],
        recorded_by=actor,
    )
    ledger_append(
        company=actor.company,
        stream=STREAM,
        kind="pre_registration",
        payload={
            "preregistration_id": row.pk,
            "introducer_id": introducer.pk,
            "salesperson_id": salesperson.pk,
            "name": row.name,
            "phone_e164": row.phone_e164,
            "car_brand": row.car_brand,
            "plate": row.plate,
            "registered_at": now,
            "rule_ids": [A7_10],
        },
        recorded_by=actor.user,
        subject=(SUBJECT, row.pk),
    )
    return row
