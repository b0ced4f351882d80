"""Reading the registration book, the phone-enquiry book and follow-ups.

Who reads what (A1.2 / A7.21): the whole registration book only staff with
``sales.view_registration_book`` (the sales manager, and the project manager who keeps it), and
every such read is audited (``BOOK_READ``); a salesperson sees only the lines of their own
customers and the lines they received or recorded. The phone-enquiry book likewise
(``sales.view_phone_book``). Another company's rows are "not found" (404), never "forbidden".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.customers import rules as identity_rules
from kehu.core.customers.models import Customer
from kehu.core.customers.selectors import CustomerMatch, customer_match
from kehu.core.errors import KehuError
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.rules import Stream
from kehu.core.ledger.selectors import LedgerReport, ledger_verify
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.core.policy.selectors import ResolvedPolicy, policy_for
from kehu.core.web.queues import queue_counter
from kehu.sales import registration_rules as rules
from kehu.sales.models.registration import (
    FollowUp,
    PhoneEnquiry,
    Registration,
    RegistrationConfirmation,
    RegistrationKey,
    RegistrationKeyKind,
)
from kehu.sales.registration_errors import BookNotFound, BookPermissionDenied

PERM_VIEW = "sales.view_registration"
PERM_ADD = "sales.add_registration"
PERM_BOOK = "sales.view_registration_book"
PERM_CONFIRM = "sales.confirm_registration"
PERM_CORRECT = "sales.correct_registration"
PERM_PHONE_VIEW = "sales.view_phoneenquiry"
PERM_PHONE_ADD = "sales.add_phoneenquiry"
PERM_PHONE_BOOK = "sales.view_phone_book"
PERM_FOLLOW_VIEW = "sales.view_followup"
PERM_FOLLOW_ADD = "sales.add_followup"
PERM_FOLLOW_ALL = "sales.view_all_follow_ups"

# Who may be named as the receiving salesperson (A2.12: the receiver registers the customer).
RECEIVING_POSTS = frozenset({Post.SALESPERSON, Post.PROJECT_MANAGER, Post.SALES_MANAGER})

BOOK_OBJECT = "sales.registration_book"
PHONE_BOOK_OBJECT = "sales.phone_book"
REGISTRATION_SUBJECT = "sales.registration"
CONFIRMATION_SUBJECT = "sales.registrationconfirmation"
PHONE_SUBJECT = "sales.phoneenquiry"


def office_tz() -> ZoneInfo:
    return ZoneInfo(str(timezone.get_current_timezone()))


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now())


def _audit_denied(staff: Staff, request: HttpRequest | None, obj: str, perm: str) -> None:
    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        actor=staff.user,
        company=staff.company,
        request=request,
        object_type=obj,
        object_id=staff.company_id,
        detail={"permission": perm},
    )


# --- the evidence documents (bound to the ledger by their digest) ----------------------------


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def registration_document(row: Registration) -> dict[str, Any]:
    """Every evidence field of a registration line, as JSON (the contact as typed)."""
    return {
        "id": row.pk,
        "company_id": row.company_id,
        "site_id": row.site_id,
        "customer_id": row.customer_id,
        "visited_at": _iso(row.visited_at),
        "received_on": row.received_on.isoformat(),
        "customer_name": row.customer_name,
        "employer_or_address": row.employer_or_address,
        "contact": row.contact,
        "phone_e164": row.phone_e164,
        "car_brand": row.car_brand,
        "plate": row.plate,
        "intention": row.intention,
        "source": row.source,
        "receiver_id": row.receiver_id,
        "recorded_by_id": row.recorded_by_id,
        "recorded_at": _iso(row.recorded_at),
        "late": row.late,
        "name_matches": list(row.name_matches),
        "policy_ref": row.policy_ref,
        "corrects_id": row.corrects_id,
        "original_id": row.original_id,
        "correction_reason": row.correction_reason,
    }


def confirmation_document(row: RegistrationConfirmation) -> dict[str, Any]:
    return {
        "id": row.pk,
        "company_id": row.company_id,
        "registration_id": row.registration_id,
        "confirmed_by_id": row.confirmed_by_id,
        "confirmed_at": _iso(row.confirmed_at),
        "note": row.note,
    }


def phone_enquiry_document(row: PhoneEnquiry) -> dict[str, Any]:
    return {
        "id": row.pk,
        "company_id": row.company_id,
        "site_id": row.site_id,
        "called_at": _iso(row.called_at),
        "desk_owner_id": row.desk_owner_id,
        "answered_by_id": row.answered_by_id,
        "caller_name": row.caller_name,
        "contact": row.contact,
        "phone_e164": row.phone_e164,
        "intention": row.intention,
        "source": row.source,
        "customer_id": row.customer_id,
        "recorded_by_id": row.recorded_by_id,
        "recorded_at": _iso(row.recorded_at),
        "corrects_id": row.corrects_id,
        "correction_reason": row.correction_reason,
    }


def masked_contact(phone_e164: str, contact: str) -> str:
    """The contact as shown to everyone: a phone masked (138****1234), other text as typed."""
    if phone_e164:
        return identity_rules.mask_phone(phone_e164)
    return contact


# --- registration rows ------------------------------------------------------------------------


def _confirmed() -> Exists:
    return Exists(RegistrationConfirmation.objects.filter(registration=OuterRef("pk")))


def _superseded() -> Exists:
    return Exists(Registration.objects.filter(corrects=OuterRef("pk")))


def _phone_superseded() -> Exists:
    return Exists(PhoneEnquiry.objects.filter(corrects=OuterRef("pk")))


def _with_facts(qs: QuerySet[Registration]) -> QuerySet[Registration]:
    """Lines with what every list shows: confirmed, first registration, superseded."""
    return qs.select_related("site", "receiver", "recorded_by", "customer__owner").annotate(
        is_confirmed=_confirmed(),
        is_first=Exists(
            RegistrationKey.objects.filter(
                kind=RegistrationKeyKind.CUSTOMER,
                registration_id=Coalesce(OuterRef("original_id"), OuterRef("pk")),
            )
        ),
        is_superseded=_superseded(),
    )


def _own_lines(staff: Staff) -> Q:
    return Q(customer__owner=staff) | Q(receiver=staff) | Q(recorded_by=staff)


def registrations_visible_to(staff: Staff) -> QuerySet[Registration]:
    """Lines ``staff`` may read: the whole company's for book readers, else their own."""
    qs = Registration.objects.filter(company_id=staff.company_id)
    if staff_has_perm(staff, PERM_BOOK):
        return qs
    if not staff_has_perm(staff, PERM_VIEW):
        return qs.none()
    return qs.filter(_own_lines(staff))


@dataclass(frozen=True)
class BookFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    receiver_id: int | None = None
    site_id: int | None = None
    late: bool | None = None
    unconfirmed: bool = False
    include_superseded: bool = False
    q: str = ""

    def as_detail(self) -> dict[str, Any]:
        """The filters that differ from the defaults (what the audit event records)."""
        defaults = BookFilters()
        return {
            key: (value.isoformat() if isinstance(value, dt.date) else value)
            for key, value in self.__dict__.items()
            if value != getattr(defaults, key)
        }


def _filtered(qs: QuerySet[Registration], filters: BookFilters) -> QuerySet[Registration]:
    if filters.date_from is not None:
        qs = qs.filter(received_on__gte=filters.date_from)
    if filters.date_to is not None:
        qs = qs.filter(received_on__lte=filters.date_to)
    if filters.receiver_id is not None:
        qs = qs.filter(receiver_id=filters.receiver_id)
    if filters.site_id is not None:
        qs = qs.filter(site_id=filters.site_id)
    if filters.late is not None:
        qs = qs.filter(late=filters.late)
    if filters.unconfirmed:
        qs = qs.filter(~_confirmed())
    if not filters.include_superseded:
        qs = qs.filter(~_superseded())
    text = filters.q.strip()
    if text:
        qs = qs.filter(Q(customer_name__contains=text) | Q(customer__name__contains=text))
    return qs


def registration_book_for_user(
    staff: Staff, *, filters: BookFilters | None = None, request: HttpRequest | None = None
) -> QuerySet[Registration]:
    """The whole registration book of the caller's company, newest first (A1.2 / A7.21).

    Needs ``sales.view_registration_book``. Every read is recorded (``BOOK_READ``, with the
    filters); a refusal is recorded as ``PERMISSION_DENIED`` before ``BookPermissionDenied``.
    """
    filters = filters or BookFilters()
    if not staff_has_perm(staff, PERM_BOOK):
        _audit_denied(staff, request, BOOK_OBJECT, PERM_BOOK)
        raise BookPermissionDenied(
            "查阅整本客户登记本", "read the whole registration book", PERM_BOOK
        )
    audit_record(
        action=AuditAction.BOOK_READ,
        actor=staff.user,
        company=staff.company,
        request=request,
        object_type=BOOK_OBJECT,
        object_id=staff.company_id,
        detail={"filters": filters.as_detail()},
    )
    qs = _with_facts(Registration.objects.filter(company_id=staff.company_id))
    return _filtered(qs, filters).order_by("-visited_at", "-id")


def registrations_mine(
    staff: Staff, *, filters: BookFilters | None = None
) -> QuerySet[Registration]:
    """The caller's own lines: their customers', and those they received or recorded."""
    if not staff_has_perm(staff, PERM_VIEW):
        return Registration.objects.none()
    qs = _with_facts(
        Registration.objects.filter(company_id=staff.company_id).filter(_own_lines(staff))
    )
    return _filtered(qs, filters or BookFilters()).order_by("-visited_at", "-id")


def registration_row_for_user(staff: Staff, registration_id: int) -> Registration:
    """One visible line with the list facts (confirmed, first, superseded); 404 otherwise."""
    row = _with_facts(registrations_visible_to(staff)).filter(pk=registration_id).first()
    if row is None:
        raise BookNotFound()
    return row


@dataclass(frozen=True)
class RegistrationDetail:
    registration: Registration
    history: list[Registration]  # the original line and every correction, oldest first
    confirmation: RegistrationConfirmation | None
    first_registration: Registration | None
    ledger_entries: list[LedgerEntry]
    can_confirm: bool
    can_correct: bool

    @property
    def current(self) -> Registration:
        return self.history[-1]


def registration_get_for_user(
    staff: Staff, registration_id: int, *, request: HttpRequest | None = None
) -> RegistrationDetail:
    """One line with its history, confirmation and ledger entries; 404 unless visible.

    A book reader opening a line that is not their own is a read of the book: audited.
    """
    row = _with_facts(registrations_visible_to(staff)).filter(pk=registration_id).first()
    if row is None:
        raise BookNotFound()
    root_id = row.original_id or row.pk
    history = list(
        _with_facts(Registration.objects.filter(company_id=staff.company_id))
        .filter(Q(pk=root_id) | Q(original_id=root_id))
        .order_by("id")
    )
    current = history[-1]
    confirmation = (
        RegistrationConfirmation.objects.filter(registration=row)
        .select_related("confirmed_by")
        .first()
    )
    first_key = (
        RegistrationKey.objects.filter(
            company_id=staff.company_id,
            kind=RegistrationKeyKind.CUSTOMER,
            value=str(row.customer_id),
        )
        .select_related("registration__receiver")
        .first()
    )
    confirmation_ids = RegistrationConfirmation.objects.filter(
        registration_id__in=[h.pk for h in history]
    ).values_list("pk", flat=True)
    entries = list(
        LedgerEntry.objects.filter(company_id=staff.company_id, stream=Stream.REGISTRATION_BOOK)
        .filter(
            Q(subject_type=REGISTRATION_SUBJECT, subject_id__in=[str(h.pk) for h in history])
            | Q(
                subject_type=CONFIRMATION_SUBJECT,
                subject_id__in=[str(pk) for pk in confirmation_ids],
            )
        )
        .order_by("seq")
    )
    own = registrations_mine(staff).filter(pk=row.pk).exists()
    if not own:
        audit_record(
            action=AuditAction.BOOK_READ,
            actor=staff.user,
            company=staff.company,
            request=request,
            object_type=REGISTRATION_SUBJECT,
            object_id=row.pk,
        )
    is_current = current.pk == row.pk
    return RegistrationDetail(
        registration=row,
        history=history,
        confirmation=confirmation,
        first_registration=first_key.registration if first_key else None,
        ledger_entries=entries,
        can_confirm=is_current
        and confirmation is None
        and staff_has_perm(staff, PERM_CONFIRM)
        and _same_site(staff, row),
        can_correct=is_current and may_correct(staff, row),
    )


def may_correct(staff: Staff, row: Registration) -> bool:
    """Book keepers correct any line; the receiver or recorder their own line."""
    if row.company_id != staff.company_id:
        return False
    if staff_has_perm(staff, PERM_CORRECT):
        return True
    return staff_has_perm(staff, PERM_ADD) and staff.pk in (row.receiver_id, row.recorded_by_id)


def _same_site(staff: Staff, row: Registration) -> bool:
    return staff.site_id is None or staff.site_id == row.site_id


# --- the PM's confirmation queue (A1.1) --------------------------------------------------------


def confirmation_queue_for(staff: Staff) -> QuerySet[Registration]:
    """Current lines not yet confirmed, oldest first, at the PM's sales office (A1.1)."""
    if not staff_has_perm(staff, PERM_CONFIRM):
        return Registration.objects.none()
    qs = _with_facts(Registration.objects.filter(company_id=staff.company_id)).filter(
        ~_confirmed(), ~_superseded()
    )
    if staff.site_id is not None:
        qs = qs.filter(site_id=staff.site_id)
    return qs.order_by("visited_at", "id")


@queue_counter("sales.registrations_to_confirm")
def confirmation_queue_count(staff: Staff) -> int:
    return confirmation_queue_for(staff).count()


@queue_counter("sales.register_book")
def book_today_count(staff: Staff) -> int:
    """Lines registered today (the book readers' home-page count; not a read of the book)."""
    if not staff_has_perm(staff, PERM_BOOK):
        return 0
    return Registration.objects.filter(
        company_id=staff.company_id, received_on=local_today(), corrects__isnull=True
    ).count()


# --- identity matching while typing (A7.4) ----------------------------------------------------


@dataclass(frozen=True)
class FirstRegistration:
    registration_id: int
    receiver_name: str
    recorded_at: dt.datetime
    received_on: dt.date


@dataclass(frozen=True)
class DeskMatch:
    """An existing customer the typed details point to, and why (A7.4)."""

    customer: Customer
    match: identity_rules.IdentityMatch
    first: FirstRegistration | None
    protection: rules.Protection | None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(str(k) for k in self.match.keys)

    @property
    def keys_zh(self) -> list[str]:
        return [identity_rules.IDENTITY_KEY_LABELS_ZH[k] for k in self.match.keys]

    @property
    def needs_confirmation(self) -> bool:
        return self.match.needs_confirmation

    @property
    def owner_name(self) -> str:
        return self.customer.owner.name if self.customer.owner is not None else ""


@dataclass(frozen=True)
class ProtectionWindow:
    days: int
    placeholder: bool
    policy_ref: str


def protection_window(staff_or_company: Any, at: dt.datetime) -> ProtectionWindow:
    """The ownership window in days: the "sales" policy's ``new_customer_after_days`` once the
    ownership engine registers it; until then a placeholder of 60 days (A7.15/A7.16), marked."""
    company = getattr(staff_or_company, "company", staff_or_company)
    try:
        resolved = policy_for(company=company, key="sales", at=at)
    except KehuError:
        return ProtectionWindow(rules.PROTECTION_PLACEHOLDER_DAYS, True, "placeholder")
    days = getattr(resolved.values, "new_customer_after_days", None)
    if not isinstance(days, int) or isinstance(days, bool):
        return ProtectionWindow(rules.PROTECTION_PLACEHOLDER_DAYS, True, "placeholder")
    return ProtectionWindow(days, False, resolved.ref)


def full_name_alone_policy(staff: Staff, at: dt.datetime) -> tuple[str, str]:
    """``identity.full_name_alone`` in force, and the policy's ref."""
    return identity_full_name_alone(policy_for(company=staff.company, key="identity", at=at))


def identity_full_name_alone(resolved: ResolvedPolicy[Any]) -> tuple[str, str]:
    """``full_name_alone`` of a resolved ``identity`` policy, and the policy's ref."""
    return str(resolved.values.full_name_alone), resolved.ref


def first_registrations(
    company_id: int, customer_ids: Iterable[int]
) -> dict[int, FirstRegistration]:
    """Each customer's first registration (one query)."""
    keys = RegistrationKey.objects.filter(
        company_id=company_id,
        kind=RegistrationKeyKind.CUSTOMER,
        value__in=[str(i) for i in customer_ids],
    ).select_related("registration__receiver")
    return {
        key.customer_id: FirstRegistration(
            registration_id=key.registration_id,
            receiver_name=key.registration.receiver.name,
            recorded_at=key.registration.recorded_at,
            received_on=key.registration.received_on,
        )
        for key in keys
    }


def desk_matches(
    staff: Staff,
    *,
    phone: str = "",
    name: str = "",
    plate: str = "",
    car_brand: str = "",
    at: dt.datetime | None = None,
    exclude_customer_id: int | None = None,
) -> list[DeskMatch]:
    """Existing customers that share an A7.4 key with what the desk typed, with the key that
    matched, the owner, the first registration and the protection period left.

    One ``customer_match`` query plus one for the first registrations. Needs
    ``sales.add_registration`` (the desk and salespeople register visitors). A phone still being
    typed (not yet a valid number) is ignored rather than refused.
    """
    if not staff_has_perm(staff, PERM_ADD):
        raise BookPermissionDenied("登记客户", "register customers", PERM_ADD)
    now = at or timezone.now()
    phone = phone.strip()
    if phone:
        try:
            identity_rules.normalise_phone(phone)
        except identity_rules.PhoneNumberInvalid:
            phone = ""
    full_name_alone, _ref = full_name_alone_policy(staff, now)
    found: list[CustomerMatch] = customer_match(
        staff.company_id,
        phone=phone or None,
        name=name.strip() or None,
        plate=plate.strip() or None,
        car_brand=car_brand.strip() or None,
        exclude_customer_id=exclude_customer_id,
        full_name_alone=full_name_alone,
    )
    if not found:
        return []
    firsts = first_registrations(staff.company_id, [m.customer.pk for m in found])
    window = protection_window(staff, now)
    today = local_today(now)
    results = []
    for m in found:
        first = firsts.get(m.customer.pk)
        results.append(
            DeskMatch(
                customer=m.customer,
                match=m.match,
                first=first,
                protection=rules.protection(
                    first_registered_on=first.received_on,
                    today=today,
                    window_days=window.days,
                    placeholder=window.placeholder,
                )
                if first is not None
                else None,
            )
        )
    return results


# --- phone-enquiry book (A1.3, A7.5) ----------------------------------------------------------


def _phone_rows(qs: QuerySet[PhoneEnquiry]) -> QuerySet[PhoneEnquiry]:
    return qs.select_related("site", "desk_owner", "answered_by", "customer").annotate(
        is_superseded=Exists(PhoneEnquiry.objects.filter(corrects=OuterRef("pk")))
    )


def phone_book_for_user(
    staff: Staff, *, request: HttpRequest | None = None, include_superseded: bool = False
) -> QuerySet[PhoneEnquiry]:
    """The whole phone-enquiry book of the company (``sales.view_phone_book``), audited."""
    if not staff_has_perm(staff, PERM_PHONE_BOOK):
        _audit_denied(staff, request, PHONE_BOOK_OBJECT, PERM_PHONE_BOOK)
        raise BookPermissionDenied(
            "查阅整本电话咨询登记本", "read the whole phone-enquiry book", PERM_PHONE_BOOK
        )
    audit_record(
        action=AuditAction.BOOK_READ,
        actor=staff.user,
        company=staff.company,
        request=request,
        object_type=PHONE_BOOK_OBJECT,
        object_id=staff.company_id,
    )
    qs = _phone_rows(PhoneEnquiry.objects.filter(company_id=staff.company_id))
    if not include_superseded:
        qs = qs.filter(~_phone_superseded())
    return qs.order_by("-called_at", "-id")


def phone_enquiries_mine(staff: Staff) -> QuerySet[PhoneEnquiry]:
    """Calls at the caller's desk, and those they answered for a colleague (A7.5)."""
    if not staff_has_perm(staff, PERM_PHONE_VIEW):
        return PhoneEnquiry.objects.none()
    qs = PhoneEnquiry.objects.filter(company_id=staff.company_id).filter(
        Q(desk_owner=staff) | Q(answered_by=staff) | Q(recorded_by=staff)
    )
    return _phone_rows(qs).filter(~_phone_superseded()).order_by("-called_at", "-id")


def phone_enquiry_get_for_user(staff: Staff, enquiry_id: int) -> PhoneEnquiry:
    qs = PhoneEnquiry.objects.filter(company_id=staff.company_id, pk=enquiry_id)
    if not staff_has_perm(staff, PERM_PHONE_BOOK):
        if not staff_has_perm(staff, PERM_PHONE_VIEW):
            raise BookNotFound("电话咨询记录", "phone enquiry")
        qs = qs.filter(Q(desk_owner=staff) | Q(answered_by=staff) | Q(recorded_by=staff))
    row = _phone_rows(qs).first()
    if row is None:
        raise BookNotFound("电话咨询记录", "phone enquiry")
    return row


# --- follow-ups (A1.4) ------------------------------------------------------------------------


def follow_up_customers_visible_to(staff: Staff) -> QuerySet[Customer]:
    """Customers whose follow-ups ``staff`` may read and write: their own; everyone's for staff
    with ``sales.view_all_follow_ups``."""
    qs = Customer.objects.filter(company_id=staff.company_id)
    if staff_has_perm(staff, PERM_FOLLOW_ALL):
        return qs
    if not staff_has_perm(staff, PERM_FOLLOW_VIEW):
        return qs.none()
    return qs.filter(owner=staff)


@dataclass(frozen=True)
class CustomerFollowUps:
    customer: Customer
    follow_ups: list[FollowUp]
    registrations: list[Registration]
    can_record: bool


def follow_ups_for_customer(staff: Staff, customer_id: int) -> CustomerFollowUps:
    customer = (
        follow_up_customers_visible_to(staff).select_related("owner").filter(pk=customer_id).first()
    )
    if customer is None:
        raise BookNotFound("客户", "customer")
    follow_ups = list(
        FollowUp.objects.filter(company_id=staff.company_id, customer=customer)
        .select_related("salesperson")
        .order_by("-at", "-id")
    )
    registrations = list(
        _with_facts(Registration.objects.filter(company_id=staff.company_id, customer=customer))
        .filter(~_superseded())
        .order_by("-visited_at", "-id")
    )
    return CustomerFollowUps(
        customer=customer,
        follow_ups=follow_ups,
        registrations=registrations,
        can_record=staff_has_perm(staff, PERM_FOLLOW_ADD)
        and (customer.owner_id == staff.pk or staff_has_perm(staff, PERM_FOLLOW_ALL)),
    )


def follow_up_days(staff: Staff, at: dt.datetime) -> tuple[int, str]:
    """N of A1.4 from the policy ``customers.follow_up_days`` in force, and the policy's ref."""
    resolved = policy_for(company=staff.company, key="customers", at=at)
    return int(resolved.values.follow_up_days), resolved.ref


def _with_last_contact(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    last_follow_up = (
        FollowUp.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(m=Max("at"))
        .values("m")
    )
    # the latest visit is the customer's own column (``Customer.last_visit_at``, the book's
    # latest line: registering raises it, migration sales/0019 filled it in)
    return qs.annotate(last_follow_up_at=Subquery(last_follow_up))


@dataclass(frozen=True)
class MyCustomers:
    salesperson: Staff
    customers: list[Customer]  # annotated: last_follow_up_at, last_contact_at
    overdue: list[Customer]
    days: int
    policy_ref: str
    cutoff: dt.datetime


def _last_contact(customer: Customer) -> dt.datetime:
    moments = [
        m
        for m in (
            getattr(customer, "last_follow_up_at", None),
            getattr(customer, "last_visit_at", None),
            customer.created_at,
        )
        if m is not None
    ]
    return max(moments)


def _not_followed_up_since(cutoff: dt.datetime) -> Q:
    return (
        (Q(last_follow_up_at__isnull=True) | Q(last_follow_up_at__lt=cutoff))
        & (Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=cutoff))
        & Q(created_at__lt=cutoff)
    )


def salespeople_visible_to(staff: Staff) -> QuerySet[Staff]:
    """Whose customer lists ``staff`` may open: everyone's with view_all_follow_ups, else own."""
    qs = Staff.objects.filter(company_id=staff.company_id, active=True)
    if staff_has_perm(staff, PERM_FOLLOW_ALL):
        return qs.filter(post__in=RECEIVING_POSTS).order_by("name", "id")
    return qs.filter(pk=staff.pk)


def my_customers(
    staff: Staff, *, salesperson_id: int | None = None, at: dt.datetime | None = None
) -> MyCustomers:
    """A salesperson's customers, each with the last follow-up and visit, and those with no
    contact for N days (A1.4; N = policy ``customers.follow_up_days``), most neglected first.

    ``salesperson_id`` (default: the caller) needs ``sales.view_all_follow_ups`` for others.
    """
    now = at or timezone.now()
    target = salespeople_visible_to(staff).filter(pk=salesperson_id or staff.pk).first()
    if target is None or not staff_has_perm(staff, PERM_FOLLOW_VIEW):
        raise BookNotFound("售楼员", "salesperson")
    days, ref = follow_up_days(staff, now)
    cutoff = rules.follow_up_cutoff(now, days)
    base = _with_last_contact(
        Customer.objects.filter(company_id=staff.company_id, owner=target).select_related("owner")
    )
    customers = list(base.order_by("-created_at", "-id"))
    overdue_ids = set(base.filter(_not_followed_up_since(cutoff)).values_list("pk", flat=True))
    for customer in customers:
        customer.last_contact_at = _last_contact(customer)  # type: ignore[attr-defined]
    overdue = sorted(
        (c for c in customers if c.pk in overdue_ids),
        key=lambda c: (c.last_contact_at, c.pk),  # type: ignore[attr-defined]
    )
    return MyCustomers(
        salesperson=target,
        customers=customers,
        overdue=overdue,
        days=days,
        policy_ref=ref,
        cutoff=cutoff,
    )


def not_followed_up_count(staff: Staff, *, at: dt.datetime | None = None) -> int:
    now = at or timezone.now()
    days, _ = follow_up_days(staff, now)
    cutoff = rules.follow_up_cutoff(now, days)
    return (
        _with_last_contact(Customer.objects.filter(company_id=staff.company_id, owner=staff))
        .filter(_not_followed_up_since(cutoff))
        .count()
    )


@queue_counter("sales.follow_ups_due")
def follow_ups_due_count(staff: Staff) -> int:
    if not staff_has_perm(staff, PERM_FOLLOW_VIEW):
        return 0
    return not_followed_up_count(staff)


@queue_counter("sales.registrations_due")
def registrations_due_count(staff: Staff) -> int:
    """Unconfirmed lines the salesperson received (A1.1: submitted to the PM, not yet confirmed)."""
    if not staff_has_perm(staff, PERM_VIEW):
        return 0
    return (
        _with_facts(Registration.objects.filter(company_id=staff.company_id, receiver=staff))
        .filter(~_confirmed(), ~_superseded())
        .count()
    )


# --- verification (A1.2 / A7.21: the book must be verifiable) --------------------------------


@dataclass(frozen=True)
class RowProblem:
    table: str
    row_id: int
    problem: str  # "missing_entry" | "digest_mismatch"

    @property
    def problem_zh(self) -> str:
        return {"missing_entry": "账本中无对应记录", "digest_mismatch": "内容与账本记录不符"}[
            self.problem
        ]


@dataclass(frozen=True)
class BookVerification:
    ledger: LedgerReport
    rows_checked: int
    row_problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ledger.ok and not self.row_problems


def _entry_digests(company_id: int, stream: str, subject_type: str) -> dict[str, str]:
    digests: dict[str, str] = {}
    for subject_id, payload in LedgerEntry.objects.filter(
        company_id=company_id, stream=stream, subject_type=subject_type
    ).values_list("subject_id", "payload"):
        if isinstance(payload, dict):
            digests[subject_id] = str(payload.get("digest", ""))
    return digests


def _row_problems(
    table: str, rows: Sequence[Any], digests: dict[str, str], document: Any
) -> list[RowProblem]:
    problems = []
    for row in rows:
        stored = digests.get(str(row.pk))
        if stored is None:
            problems.append(RowProblem(table, row.pk, "missing_entry"))
        elif stored != rules.document_digest(document(row)):
            problems.append(RowProblem(table, row.pk, "digest_mismatch"))
    return problems


def registration_book_verify(
    staff: Staff, *, request: HttpRequest | None = None
) -> BookVerification:
    """Prove the books unaltered: the ledger chains of ``registration_book`` and ``phone_book``
    verify, and every line, confirmation and phone enquiry still gives the digest its ledger
    entry recorded. Anyone who may read the whole book may run it (A1.2 / A7.21)."""
    if not (staff_has_perm(staff, PERM_BOOK) or staff_has_perm(staff, PERM_PHONE_BOOK)):
        _audit_denied(staff, request, BOOK_OBJECT, PERM_BOOK)
        raise BookPermissionDenied("校验客户登记本", "verify the registration book", PERM_BOOK)
    company_id = staff.company_id
    report = ledger_verify(company=staff.company, stream=Stream.REGISTRATION_BOOK)
    phone_report = ledger_verify(company=staff.company, stream=Stream.PHONE_BOOK)
    merged = LedgerReport(
        checked_at=report.checked_at,
        streams=[*report.streams, *phone_report.streams],
        unguarded_tables=sorted({*report.unguarded_tables, *phone_report.unguarded_tables}),
    )
    registrations = list(Registration.objects.filter(company_id=company_id))
    confirmations = list(RegistrationConfirmation.objects.filter(company_id=company_id))
    calls = list(PhoneEnquiry.objects.filter(company_id=company_id))
    problems = [
        *_row_problems(
            "sales_registration",
            registrations,
            _entry_digests(company_id, Stream.REGISTRATION_BOOK, REGISTRATION_SUBJECT),
            registration_document,
        ),
        *_row_problems(
            "sales_registrationconfirmation",
            confirmations,
            _entry_digests(company_id, Stream.REGISTRATION_BOOK, CONFIRMATION_SUBJECT),
            confirmation_document,
        ),
        *_row_problems(
            "sales_phoneenquiry",
            calls,
            _entry_digests(company_id, Stream.PHONE_BOOK, PHONE_SUBJECT),
            phone_enquiry_document,
        ),
    ]
    return BookVerification(
        ledger=merged,
        rows_checked=len(registrations) + len(confirmations) + len(calls),
        row_problems=problems,
    )


def receivers_for(staff: Staff) -> QuerySet[Staff]:
    """Who may be named as the receiving salesperson (A2.12), same company, active."""
    return Staff.objects.filter(
        company_id=staff.company_id, active=True, post__in=RECEIVING_POSTS
    ).order_by("name", "id")
