"""Write use-cases for customers: one transaction each, keys normalised once on write.

Revealing a full phone or ID number is an explicit act: it is recorded as an audit event in
the same transaction. A denied reveal is recorded too (its transaction commits before the
error is raised, so the record survives the error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.customers import rules
from kehu.core.customers.errors import (
    CustomerErrorCode,
    CustomerNotFound,
    CustomerPermissionDenied,
    CustomerPhoneNotFound,
    RevealDenied,
    id_number_invalid,
    name_or_phone_required,
    phone_invalid,
)
from kehu.core.customers.models import (
    Customer,
    CustomerPhone,
    FamilyLink,
    VisitBatch,
    VisitBatchMember,
)
from kehu.core.customers.schemas import CustomerChanges, CustomerData
from kehu.core.customers.selectors import (
    PERM_ADD,
    PERM_REVEAL_ID_NUMBER,
    PERM_REVEAL_PHONE,
    customer_get_for_user,
    customers_visible_to,
    staff_has_perm,
)
from kehu.core.errors import KehuError
from kehu.core.org.models import Site, Staff
from kehu.core.unsaved import unsaved

AUDIT_OBJECT_TYPE = "customers.customer"


def _require_write(staff: Staff) -> None:
    if not staff_has_perm(staff, PERM_ADD):
        raise CustomerPermissionDenied("登记或修改客户", "register or change customers", PERM_ADD)


def _normalised_phones(raw_phones: Iterable[str]) -> list[tuple[str, str]]:
    """(raw, E.164) pairs, blanks dropped, duplicates (same number typed twice) dropped."""
    seen: set[str] = set()
    result = []
    for raw in raw_phones:
        if not raw or not raw.strip():
            continue
        try:
            e164 = rules.normalise_phone(raw)
        except rules.PhoneNumberInvalid as exc:
            raise phone_invalid(exc) from exc
        if e164 not in seen:
            seen.add(e164)
            result.append((raw.strip(), e164))
    return result


def _normalised_id_number(raw: str) -> str:
    try:
        return rules.normalise_id_number(raw)
    except rules.IdNumberInvalid as exc:
        raise id_number_invalid(exc) from exc


def _phone_row(customer: Customer, raw: str, e164: str, label: str = "") -> CustomerPhone:
    return unsaved(
        CustomerPhone,
        company_id=customer.company_id,
        customer=customer,
        raw=raw[:40],
        e164=e164,
        last4=rules.phone_last4(e164),
        label=label,
    )


def customer_create(
    *,
    staff: Staff,
    data: CustomerData | Mapping[str, Any],
    owner: Staff | None = None,
    savepoint: bool = True,
    last_visit_at: dt.datetime | None = None,
) -> Customer:
    """Register a customer for ``staff``'s company (A7.4: incomplete details are allowed, but
    a name or a phone is needed). ``owner`` is left empty unless the caller (the sales app's
    ownership decision) names one; the registering staff member still sees an unowned customer.
    ``savepoint=False``: the caller's transaction is all-or-nothing and lets errors through
    (registering a visit), so no savepoint of its own. ``last_visit_at``: the visit the sales
    book registers the new customer with (``customer_visit_note``).
    """
    _require_write(staff)
    if not isinstance(data, CustomerData):
        data = CustomerData.model_validate(dict(data))
    phones = _normalised_phones(data.phones)
    if not data.name.strip() and not phones:
        raise name_or_phone_required()
    id_number = _normalised_id_number(data.id_number)
    if owner is not None and (owner.company_id != staff.company_id or not owner.active):
        raise _owner_invalid()
    with transaction.atomic(savepoint=savepoint):
        customer = unsaved(
            Customer,
            company_id=staff.company_id,
            kind=data.kind,
            name=data.name,
            employer=data.employer.strip(),
            address=data.address.strip(),
            car_brand=data.car_brand.strip(),
            plate=data.plate.strip(),
            source=data.source.strip(),
            intention=data.intention.strip(),
            owner=owner,
            created_by=staff,
            last_visit_at=last_visit_at,
        )
        customer.set_id_number(id_number)
        # What ``save()`` does, written by hand: a new customer on every first visit
        customer.derive_keys()
        rawsql.insert(customer)
        rawsql.insert_many(CustomerPhone, [_phone_row(customer, r, e) for r, e in phones])
    return customer


def customer_update(
    *, staff: Staff, customer_id: int, data: CustomerChanges | Mapping[str, Any]
) -> Customer:
    """Change a visible customer's details; identity keys are recomputed from the new values."""
    _require_write(staff)
    if not isinstance(data, CustomerChanges):
        data = CustomerChanges.model_validate(dict(data))
    changes = data.model_dump(exclude_none=True)
    with transaction.atomic():
        customer = customer_get_for_user(staff, customer_id)
        id_number = changes.pop("id_number", None)
        for field, value in changes.items():
            setattr(customer, field, value.strip() if isinstance(value, str) else value)
        if not customer.name.strip() and not customer.phones.exists():
            raise name_or_phone_required()
        if id_number is not None:
            customer.set_id_number(_normalised_id_number(id_number))
        customer.save()
    return customer


def customer_phone_add(
    *, staff: Staff, customer_id: int, phone: str, label: str = ""
) -> CustomerPhone:
    """Add a contact number (normalised to E.164, the A7.4 phone key)."""
    _require_write(staff)
    normalised = _normalised_phones([phone])
    if not normalised:
        raise phone_invalid(rules.PhoneNumberInvalid(rules.PhoneProblem.EMPTY, phone))
    raw, e164 = normalised[0]
    with transaction.atomic():
        customer = customer_get_for_user(staff, customer_id)
        if customer.phones.filter(e164=e164).exists():
            raise _phone_duplicate(e164)
        row = _phone_row(customer, raw, e164, label.strip()[:20])
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise _phone_duplicate(e164) from None
    return row


def customer_owner_set(*, company_id: int, customer_id: int, owner: Staff | None) -> None:
    """Record the customer's responsible staff member, as decided by the caller.

    Ownership is decided by the sales app's rules (A7.7–A7.16, A7.20), which record the decision
    and its rule ID; this only stores the result. The owner must belong to the same company.
    """
    if owner is not None and (owner.company_id != company_id or not owner.active):
        raise _owner_invalid()
    # One UPDATE: only the owner changes, so the identity keys ``save()`` derives need no
    # recomputing (that cost a pinyin pass on every ownership decision).
    # (Written by hand: every registration's ownership decision runs it; core/rawsql.py.)
    changed = rawsql.execute(
        Customer,
        f"UPDATE {rawsql.table(Customer)} SET owner_id = %s, updated_at = %s"
        " WHERE company_id = %s AND id = %s",
        [owner.pk if owner is not None else None, timezone.now(), company_id, customer_id],
    )
    if not changed:
        raise CustomerNotFound()


def customer_visit_note(*, company_id: int, customer_id: int, at: dt.datetime) -> None:
    """The sales book registered a visit of the customer at ``at``: their latest visit
    (``Customer.last_visit_at``) becomes ``at`` unless it is later already — it never moves back,
    so it stays at or after every line's time whatever order lines are written in."""
    rawsql.execute(
        Customer,
        f"UPDATE {rawsql.table(Customer)} SET last_visit_at = %s WHERE company_id = %s"
        " AND id = %s AND (last_visit_at IS NULL OR last_visit_at < %s)",
        [at, company_id, customer_id, at],
    )


def family_link_add(
    *, staff: Staff, customer_id: int, relative_id: int, relation: rules.Relation | str
) -> FamilyLink:
    """Record that ``relative`` is ``customer``'s ``relation`` (A7.6 一家人), and the inverse link
    (B is A's parent ⇔ A is B's child) in the same transaction. Both must be visible to staff."""
    _require_write(staff)
    try:
        relation = rules.Relation(relation)
    except ValueError:
        raise KehuError(
            CustomerErrorCode.RELATION_INVALID,
            "亲属关系只可为：祖父母、父母、子女、孙子女、兄弟姐妹、配偶（三代以内直系亲属，A7.6）。",
            "The relation must be grandparent, parent, child, grandchild, sibling or spouse "
            "(direct relatives within three generations, A7.6).",
        ) from None
    if customer_id == relative_id:
        raise KehuError(
            CustomerErrorCode.FAMILY_SELF,
            "不能把客户登记为自己的亲属。",
            "A customer cannot be their own relative.",
        )
    with transaction.atomic():
        customer = customer_get_for_user(staff, customer_id)
        relative = customer_get_for_user(staff, relative_id)
        if FamilyLink.objects.filter(customer=customer, relative=relative).exists():
            raise KehuError(
                CustomerErrorCode.FAMILY_EXISTS,
                f"“{customer}”与“{relative}”的亲属关系已登记。",
                "These two customers are already linked as family.",
            )
        common = {"company_id": customer.company_id, "created_by": staff}
        link = FamilyLink.objects.create(
            customer=customer, relative=relative, relation=relation, **common
        )
        FamilyLink.objects.create(
            customer=relative,
            relative=customer,
            relation=rules.relation_inverse(relation),
            **common,
        )
    return link


def visit_batch_create(
    *,
    staff: Staff,
    visit_date: dt.date,
    customer_ids: Iterable[int],
    site_id: int | None = None,
    note: str = "",
) -> VisitBatch:
    """Record people who visited together (A7.14 一批人): at least two visible customers."""
    _require_write(staff)
    ids = list(dict.fromkeys(customer_ids))
    if len(ids) < 2:
        raise KehuError(
            CustomerErrorCode.BATCH_TOO_SMALL,
            "一批来访客户至少要有两人。",
            "A visiting batch needs at least two customers.",
        )
    with transaction.atomic():
        members = list(customers_visible_to(staff).filter(pk__in=ids))
        if len(members) != len(ids):
            raise CustomerNotFound()
        site = None
        if site_id is not None:
            site = Site.objects.filter(company_id=staff.company_id, pk=site_id).first()
            if site is None:
                raise KehuError(
                    CustomerErrorCode.SITE_INVALID,
                    "找不到该项目/站点。",
                    "No such site in your company.",
                    status=404,
                )
        batch = VisitBatch.objects.create(
            company_id=staff.company_id,
            visit_date=visit_date,
            site=site,
            note=note.strip()[:200],
            created_by=staff,
        )
        VisitBatchMember.objects.bulk_create(
            [
                VisitBatchMember(company_id=staff.company_id, batch=batch, customer=member)
                for member in members
            ]
        )
    return batch


# --- reveals (audited) -----------------------------------------------------------------------


@dataclass(frozen=True)
class RevealedPhone:
    customer_id: int
    phone_id: int
    e164: str
    national: str


def _reveal_denied(
    *, staff: Staff, request: HttpRequest | None, customer: Customer, field: str, perm: str,
    extra: Mapping[str, Any],
) -> None:  # fmt: skip
    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        actor=staff.user,
        company=staff.company,
        request=request,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=customer.pk,
        detail={"field": field, "permission": perm, **extra},
    )


def customer_phone_reveal(
    *, staff: Staff, customer_id: int, phone_id: int, request: HttpRequest | None = None
) -> RevealedPhone:
    """The full number of one of a visible customer's phones, with an audit event (FIELD_REVEAL).

    Without ``customers.reveal_phone`` the attempt is audited (PERMISSION_DENIED, DENIED) and
    ``RevealDenied`` (403) is raised after that record commits.
    """
    with transaction.atomic():
        customer = customer_get_for_user(staff, customer_id)
        phone = next((p for p in customer.phones.all() if p.pk == phone_id), None)
        if phone is None:
            raise CustomerPhoneNotFound()
        extra = {"phone_id": phone.pk, "masked": phone.masked}
        allowed = staff_has_perm(staff, PERM_REVEAL_PHONE)
        if not allowed:
            _reveal_denied(
                staff=staff,
                request=request,
                customer=customer,
                field="phone",
                perm=PERM_REVEAL_PHONE,
                extra=extra,
            )
        else:
            audit_record(
                action=AuditAction.FIELD_REVEAL,
                actor=staff.user,
                company=staff.company,
                request=request,
                object_type=AUDIT_OBJECT_TYPE,
                object_id=customer.pk,
                detail={"field": "phone", **extra},
            )
    if not allowed:
        raise RevealDenied("电话号码", "phone number", PERM_REVEAL_PHONE)
    return RevealedPhone(
        customer_id=customer.pk, phone_id=phone.pk, e164=phone.e164, national=phone.national
    )


def customer_id_number_reveal(
    *, staff: Staff, customer_id: int, request: HttpRequest | None = None
) -> str:
    """A visible customer's decrypted ID number, with an audit event (FIELD_REVEAL).

    Needs ``customers.reveal_id_number``; a denied attempt is audited and ``RevealDenied`` raised.
    """
    with transaction.atomic():
        customer = customer_get_for_user(staff, customer_id)
        extra = {"masked": customer.id_number_masked}
        allowed = staff_has_perm(staff, PERM_REVEAL_ID_NUMBER)
        if not allowed:
            _reveal_denied(
                staff=staff,
                request=request,
                customer=customer,
                field="id_number",
                perm=PERM_REVEAL_ID_NUMBER,
                extra=extra,
            )
            id_number = ""
        else:
            audit_record(
                action=AuditAction.FIELD_REVEAL,
                actor=staff.user,
                company=staff.company,
                request=request,
                object_type=AUDIT_OBJECT_TYPE,
                object_id=customer.pk,
                detail={"field": "id_number", **extra},
            )
            id_number = customer.get_id_number()
    if not allowed:
        raise RevealDenied("身份证号", "ID number", PERM_REVEAL_ID_NUMBER)
    return id_number


def _owner_invalid() -> KehuError:
    return KehuError(
        CustomerErrorCode.OWNER_INVALID,
        "负责员工必须是本公司在职员工。",
        "The owner must be an active staff member of the same company.",
    )


def _phone_duplicate(e164: str) -> KehuError:
    return KehuError(
        CustomerErrorCode.PHONE_DUPLICATE,
        f"该客户已登记号码 {rules.mask_phone(e164)}。",
        f"This customer already has the number {rules.mask_phone(e164)}.",
    )
