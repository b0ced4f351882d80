"""Writing the registration book, the phone-enquiry book and follow-ups.

Each use-case is one transaction: the row, and its ledger entry in the company's stream
(``registration_book`` or ``phone_book``) whose payload carries the row's digest, commit together.

**First registration (A1.5, issue item 10).** A registration that is the customer's first claims
the customer and each deciding identity key (phone; car brand + plate + surname; the full name
only when ``identity.full_name_alone`` is ``decides``) in ``RegistrationKey``, unique per
(company, kind, value). Two desks registering the same new customer at the same moment: the
database lets one insert its keys, makes the other wait for that transaction and then refuses it;
the loser's whole transaction rolls back and it is told who registered first and when
("已由 李娜 于 10:02 登记"). Keys are inserted in sorted order so racing desks cannot deadlock;
the ledger is appended last (its lock order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from kehu.core import rawsql
from kehu.core.customers import rules as identity_rules
from kehu.core.customers.models import Customer
from kehu.core.customers.selectors import CustomerIdMatch, customer_match, customer_match_ids
from kehu.core.customers.services import customer_create, customer_visit_note
from kehu.core.errors import KehuError
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.rules import Stream
from kehu.core.ledger.services import LedgerItem, ledger_append, ledger_append_or_defer
from kehu.core.org.models import Site, Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.core.policy.selectors import ResolvedPolicy
from kehu.core.unsaved import unsaved
from kehu.sales import registration_rules as rules
from kehu.sales.models.registration import (
    FollowUp,
    FollowUpChannel,
    PhoneEnquiry,
    Registration,
    RegistrationConfirmation,
    RegistrationKey,
    RegistrationKeyKind,
)
from kehu.sales.registration_errors import (
    AlreadyRegistered,
    BookError,
    BookErrorCode,
    BookNotFound,
    BookPermissionDenied,
    bad_input,
    customer_exists,
)
from kehu.sales.registration_selectors import (
    CONFIRMATION_SUBJECT,
    PERM_ADD,
    PERM_CONFIRM,
    PERM_FOLLOW_ADD,
    PERM_FOLLOW_ALL,
    PERM_PHONE_ADD,
    PHONE_SUBJECT,
    RECEIVING_POSTS,
    REGISTRATION_SUBJECT,
    confirmation_document,
    follow_up_customers_visible_to,
    full_name_alone_policy,
    identity_full_name_alone,
    masked_contact,
    may_correct,
    office_tz,
    phone_enquiry_document,
    registration_document,
    registrations_visible_to,
)

# A visit cannot be registered before it happens; this much clock skew between desks is allowed.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitDetails:
    """What the desk writes in the book (A7.4; incomplete details are allowed)."""

    customer_name: str = ""
    employer_or_address: str = ""
    contact: str = ""
    car_brand: str = ""
    plate: str = ""
    intention: str = ""
    source: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> VisitDetails:
        return cls(**{k: str(data.get(k) or "").strip() for k in cls.__dataclass_fields__})

    def cleaned(self) -> VisitDetails:
        limits = {
            "customer_name": 100,
            "employer_or_address": 200,
            "contact": 100,
            "car_brand": 50,
            "plate": 20,
            "source": 200,
        }
        values = {k: str(getattr(self, k) or "").strip() for k in self.__dataclass_fields__}
        for name, limit in limits.items():
            if len(values[name]) > limit:
                raise bad_input(
                    f"“{name}”最多 {limit} 个字符。", f"{name} is at most {limit} characters.", name
                )
        return VisitDetails(**values)


@dataclass(frozen=True)
class RegisteredVisit:
    """What ``registration_record`` did, for the reception flow and the ownership engine."""

    registration: Registration
    customer: Customer
    customer_created: bool
    first: bool  # this line is the customer's first registration (A1.5)
    late: bool  # A1.1
    name_matches: list[int]  # full-name-only matches: the sales manager confirms (A7.4, A7.20)
    conflicts: list[dict[str, Any]]  # other customers sharing a deciding key (撞单, for A7.x)
    ledger_entry: LedgerEntry | None  # None: the caller appends it (``ledger_items``)
    rule_ids: list[str] = field(default_factory=list)
    # asked with ``namesakes_since``: the name matches seen (latest visit) at or after it — the
    # ownership facts read earlier receivers of only these (None: not asked)
    recent_name_matches: frozenset[int] | None = None
    namesakes_since: dt.datetime | None = None
    full_name_alone: str = identity_rules.FULL_NAME_ALONE_NEEDS_CONFIRMATION  # policy in force


# --- helpers -----------------------------------------------------------------------------------


def _phone_e164(contact: str) -> str:
    """The contact's E.164 form when it is a phone number, else "" (a WeChat id, an e-mail)."""
    if not contact or not any(ch.isdigit() for ch in contact):
        return ""
    try:
        return identity_rules.normalise_phone(contact)
    except identity_rules.PhoneNumberInvalid:
        return ""


def _require(staff: Staff, perm: str, what_zh: str, what_en: str) -> None:
    if not staff_has_perm(staff, perm):
        raise BookPermissionDenied(what_zh, what_en, perm)


def _site_for(staff: Staff, receiver: Staff, site_id: int | None) -> Site:
    if site_id is not None:
        site = Site.objects.filter(company_id=staff.company_id, pk=site_id).first()
        if site is None:
            raise BookNotFound("项目", "site")
        return site
    site = receiver.site or staff.site
    if site is None or site.company_id != staff.company_id:
        raise BookError(
            BookErrorCode.SITE_REQUIRED,
            "请选择接待的项目（售楼处）。",
            "Choose the site (sales office) of the visit.",
        )
    return site


def _check_receiver(staff: Staff, receiver: Staff) -> None:
    if (
        receiver.company_id != staff.company_id
        or not receiver.active
        or receiver.post not in RECEIVING_POSTS
    ):
        raise BookError(
            BookErrorCode.RECEIVER_INVALID,
            "接待人员必须是本公司在职的售楼员（或项目经理、销售经理）。",
            "The receiver must be an active salesperson (or PM, sales manager) of your company.",
        )
    if staff.post == Post.SALESPERSON and receiver.pk != staff.pk:
        raise BookError(
            BookErrorCode.RECEIVER_INVALID,
            "售楼员只能登记自己接待的客户（A2.12）；替同事登记请由前台或项目经理办理。",
            "A salesperson registers only customers they received (A2.12).",
            status=403,
        )


def _moment(value: dt.datetime | None, now: dt.datetime, what: str) -> dt.datetime:
    if value is None:
        return now
    if value.tzinfo is None or value.utcoffset() is None:
        value = timezone.make_aware(value)
    if value > now + FUTURE_TOLERANCE:
        raise BookError(
            BookErrorCode.VISIT_IN_FUTURE,
            f"{what}不能晚于现在。",
            f"The {'visit' if what == '接待时间' else 'time'} cannot be in the future.",
        )
    return value


def _local_text(moment: dt.datetime, now: dt.datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate(now):
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def _keys_text(kinds: Iterable[str]) -> tuple[str, str]:
    labels: dict[str, tuple[str, str]] = {
        RegistrationKeyKind.CUSTOMER: ("同一客户档案", "customer record"),
        RegistrationKeyKind.PHONE: ("联系电话", "phone"),
        RegistrationKeyKind.FULL_NAME: ("姓名全称", "full name"),
        RegistrationKeyKind.CAR: ("车辆品牌+车牌号+姓氏", "car brand + plate + surname"),
        RegistrationKeyKind.VISIT: ("同一客户当天已登记", "the customer's line of the day"),
        identity_rules.IdentityKey.PHONE: ("联系电话", "phone"),
        identity_rules.IdentityKey.FULL_NAME: ("姓名全称", "full name"),
        identity_rules.IdentityKey.CAR_PLATE_SURNAME: (
            "车辆品牌+车牌号+姓氏",
            "car brand + plate + surname",
        ),
    }
    pairs = [labels.get(k, (k, k)) for k in dict.fromkeys(kinds)]
    return "、".join(p[0] for p in pairs), ", ".join(p[1] for p in pairs)


def _already_registered(key: RegistrationKey, kinds: Iterable[str], now: dt.datetime) -> KehuError:
    first = key.registration
    keys_zh, keys_en = _keys_text(kinds)
    return AlreadyRegistered(
        by_name=first.receiver.name,
        at_text=_local_text(first.recorded_at, now),
        keys_zh=keys_zh,
        keys_en=keys_en,
        details={
            "customer_id": key.customer_id,
            "registration_id": first.pk,
            "registered_by": first.receiver.name,
            "registered_by_id": first.receiver_id,
            "recorded_by_id": first.recorded_by_id,
            "registered_at": first.recorded_at.isoformat(),
            "keys": list(dict.fromkeys(str(k) for k in kinds)),
            "rule_ids": [rules.RULE_IDENTITY, rules.RULE_FIRST_WINS],
        },
    )


def _identity_claims(
    keys: identity_rules.IdentityKeys, *, full_name_decides: bool
) -> list[tuple[str, str]]:
    """(kind, value) of the deciding keys a first registration claims, in lock order."""
    claims = [(RegistrationKeyKind.PHONE.value, p) for p in keys.phones]
    if keys.has_car_key:
        claims.append(
            (RegistrationKeyKind.CAR.value, f"{keys.car_brand}|{keys.plate}|{keys.surname}"[:120])
        )
    if full_name_decides and keys.full_name:
        claims.append((RegistrationKeyKind.FULL_NAME.value, keys.full_name[:120]))
    return sorted(claims)


def _holder(company_id: int, kind: str, value: str) -> RegistrationKey | None:
    return (
        RegistrationKey.objects.filter(company_id=company_id, kind=kind, value=value)
        .select_related("registration__receiver")
        .first()
    )


def _registration_payload(
    row: Registration, *, first: bool, conflicts: list[dict[str, Any]], rule_ids: list[str]
) -> dict[str, Any]:
    return {
        "registration_id": row.pk,
        "customer_id": row.customer_id,
        "site_id": row.site_id,
        "site": row.site.name,
        "visited_at": row.visited_at,
        "received_on": row.received_on,
        "customer_name": row.customer_name,
        "employer_or_address": row.employer_or_address,
        "contact": masked_contact(row.phone_e164, row.contact),
        "intention": row.intention,
        "source": row.source,
        "receiver_id": row.receiver_id,
        "receiver": row.receiver.name,
        "recorded_by_id": row.recorded_by_id,
        "late": row.late,
        "first": first,
        "name_matches": list(row.name_matches),
        "conflicts": conflicts,
        "policy_ref": row.policy_ref,
        "rule_ids": rule_ids,
        "digest": rules.document_digest(registration_document(row)),
    }


# --- registration (A1.1, A7.4, A1.5) -----------------------------------------------------------


def registration_record(
    *,
    staff: Staff,
    details: VisitDetails | Mapping[str, Any],
    receiver: Staff | None = None,
    customer_id: int | None = None,
    site_id: int | None = None,
    visited_at: dt.datetime | None = None,
    set_owner: bool = True,
    request: HttpRequest | None = None,
    site: Site | None = None,
    savepoint: bool = True,
    identity_policy: ResolvedPolicy[Any] | None = None,
    ledger_items: list[tuple[str, LedgerItem]] | None = None,
    namesakes_since: dt.datetime | None = None,
) -> RegisteredVisit:
    """Write one line of the registration book (A7.4) and its ledger entry.

    - ``customer_id`` names an existing customer (an old customer's visit, or one on file from a
      phone enquiry); without it the desk registers a **new** customer, which is refused (409)
      when a deciding A7.4 key already belongs to a customer: ``AlreadyRegistered`` ("已由 李娜
      于 10:02 登记") if that customer was registered, ``customer_exists`` (409) otherwise.
    - Full-name-only matches do not refuse (``identity.full_name_alone`` =
      ``needs_confirmation``): they are kept on the line for the sales manager (A7.4, A7.20).
    - ``late`` (A1.1): recorded after the end of the visit's local day.
    - ``set_owner``: a new customer's owner becomes the receiver (A2.12, A1.5). The ownership
      engine passes False and stores its own decision with ``customer_owner_set``. Existing
      customers' owners are never changed here.
    - ``site``: the site itself, when the caller has it already checked (the reception flow's
      visit); otherwise ``site_id`` is looked up in the staff's company.
    - ``savepoint=False``: the caller's own transaction is all-or-nothing and lets errors
      through (the reception flow), so no savepoint of its own (two round trips saved).
    - ``identity_policy``: the ``identity`` policy, when the caller read it already (the
      reception flow reads it with ``sales`` in one statement); otherwise read here.
    - ``ledger_items``: the caller appends the line's ledger entry itself, later in its own
      transaction, with its other entries (``ledger_append_streams``: the reception flow's book
      line and decision in three statements): the item is added to this list and
      ``ledger_entry`` is None.
    - ``namesakes_since``: the ownership facts' namesake horizon, when the caller decides next
      (the reception flow): the match also says which full-name-only matches were seen since
      (``RegisteredVisit.recent_name_matches``).
    """
    _require(staff, PERM_ADD, "登记客户", "register customers")
    receiver = receiver or staff
    _check_receiver(staff, receiver)
    if not isinstance(details, VisitDetails):
        details = VisitDetails.from_mapping(details)
    details = details.cleaned()
    now = timezone.now()
    visited_at = _moment(visited_at, now, "接待时间")
    phone_e164 = _phone_e164(details.contact)
    if customer_id is None and not (details.customer_name or phone_e164):
        raise bad_input(
            "请至少填写客户姓名或电话（A7.4：信息不全也可登记，但须能识别客户）。",
            "Give at least the customer's name or phone (A7.4).",
            "customer_name",
        )
    if site is None or site.company_id != staff.company_id:
        site = _site_for(staff, receiver, site_id)
    if identity_policy is None:
        full_name_alone, policy_ref = full_name_alone_policy(staff, now)
    else:
        full_name_alone, policy_ref = identity_full_name_alone(identity_policy)
    full_name_decides = full_name_alone == identity_rules.FULL_NAME_ALONE_DECIDES
    keys = identity_rules.IdentityKeys.from_raw(
        name=details.customer_name,
        phones=[phone_e164] if phone_e164 else [],
        car_brand=details.car_brand,
        plate=details.plate,
    )
    tz = office_tz()
    with transaction.atomic(savepoint=savepoint):
        # ids and keys only: a common name matches hundreds (their ids go on the line); a
        # deciding match's file and owner are read when the registration is refused
        matches: list[CustomerIdMatch] = (
            customer_match_ids(
                staff.company_id,
                phone=phone_e164 or None,
                name=details.customer_name or None,
                plate=details.plate or None,
                car_brand=details.car_brand or None,
                exclude_customer_id=customer_id,
                full_name_alone=full_name_alone,
                visited_since=namesakes_since,
            )
            if not keys.is_empty
            else []
        )
        deciding = [m for m in matches if m.match.decides]
        name_matches = [m.customer_id for m in matches if m.match.needs_confirmation]
        recent_name_matches = (
            frozenset(m.customer_id for m in matches if m.match.needs_confirmation and m.seen_since)
            if namesakes_since is not None
            else None
        )
        created = False
        if customer_id is not None:
            found = rawsql.select(
                Customer, "company_id = %s AND id = %s", [staff.company_id, customer_id]
            )
            if not found:
                raise BookNotFound("客户", "customer")
            customer = found[0]
            # the latest visit never moves back (a line for an earlier visit leaves it)
            customer_visit_note(company_id=staff.company_id, customer_id=customer.pk, at=visited_at)
        else:
            if deciding:
                _refuse_existing(staff.company_id, deciding[0], now)
            customer = customer_create(
                staff=staff,
                data={
                    "name": details.customer_name,
                    "phones": [details.contact] if phone_e164 else [],
                    "employer": details.employer_or_address,
                    "car_brand": details.car_brand,
                    "plate": details.plate,
                    "source": details.source,
                    "intention": details.intention,
                },
                owner=receiver if set_owner else None,
                savepoint=savepoint,
                last_visit_at=visited_at,
            )
            created = True
        recorded_at = timezone.now()
        # the book's busiest write: inserted without building the query (core/rawsql.py)
        row = rawsql.insert(
            unsaved(
                Registration,
                company_id=staff.company_id,
                site=site,
                customer=customer,
                visited_at=visited_at,
                received_on=rules.visit_local_day(visited_at, tz),
                customer_name=details.customer_name,
                employer_or_address=details.employer_or_address,
                contact=details.contact,
                phone_e164=phone_e164,
                car_brand=details.car_brand,
                plate=details.plate,
                intention=details.intention,
                source=details.source,
                receiver=receiver,
                recorded_by=staff,
                recorded_at=recorded_at,
                late=rules.registration_is_late(
                    visited_at=visited_at, recorded_at=recorded_at, tz=tz
                ),
                name_matches=name_matches,
                policy_ref=policy_ref,
            )
        )
        first = _claim_first(
            row=row,
            customer=customer,
            claims=_identity_claims(keys, full_name_decides=full_name_decides),
            created=created,
            now=now,
        )
        conflicts = [
            {"customer_id": m.customer_id, "keys": [str(k) for k in m.match.keys]} for m in deciding
        ]
        rule_ids = [rules.RULE_IDENTITY, rules.RULE_SAME_DAY]
        if first:
            rule_ids.append(rules.RULE_FIRST_WINS)
        if name_matches:
            rule_ids.append(rules.RULE_MANAGER_RULING)
        item = LedgerItem(
            kind="registration",
            payload=_registration_payload(row, first=first, conflicts=conflicts, rule_ids=rule_ids),
            recorded_by=staff.user,
            subject=(REGISTRATION_SUBJECT, row.pk),
        )
        entry = ledger_append_or_defer(
            company=staff.company, stream=Stream.REGISTRATION_BOOK, item=item, deferred=ledger_items
        )
    return RegisteredVisit(
        registration=row,
        customer=customer,
        customer_created=created,
        first=first,
        late=row.late,
        name_matches=name_matches,
        conflicts=conflicts,
        recent_name_matches=recent_name_matches,
        namesakes_since=namesakes_since,
        ledger_entry=entry,
        rule_ids=rule_ids,
        full_name_alone=full_name_alone,
    )


def _refuse_existing(company_id: int, match: CustomerIdMatch, now: dt.datetime) -> None:
    kinds = [str(k) for k in match.match.keys]
    holder = _holder(company_id, RegistrationKeyKind.CUSTOMER, str(match.customer_id))
    if holder is not None:
        raise _already_registered(holder, kinds, now)
    keys_zh, keys_en = _keys_text(kinds)
    owner = (
        Customer.objects.filter(company_id=company_id, pk=match.customer_id)
        .values_list("owner__name", flat=True)
        .first()
    )
    raise customer_exists(
        owner_name=owner or "未分配",
        keys_zh=keys_zh,
        keys_en=keys_en,
        customer_id=match.customer_id,
    )


def visit_key(customer_id: int, day: dt.date) -> str:
    return f"{customer_id}|{day.isoformat()}"


def _claim_free(
    *, company_id: int, keys: list[tuple[str, str]], customer_id: int, registration: Registration
) -> set[tuple[str, str]]:
    """Insert ``keys`` (sorted: the lock order) in one statement; the keys it won. A key another
    registration holds is skipped, not an error (``rawsql.insert_new``)."""
    won = rawsql.insert_new(
        RegistrationKey,
        [
            unsaved(
                RegistrationKey,
                company_id=company_id,
                kind=kind,
                value=value,
                customer_id=customer_id,
                registration=registration,
                claimed_at=registration.recorded_at,
            )
            for kind, value in keys
        ],
        returning=("kind", "value"),
    )
    return {(kind, value) for kind, value in won}


def _refuse_key(company_id: int, kind: str, value: str, now: dt.datetime) -> KehuError:
    holder = _holder(company_id, kind, value)
    if holder is None:  # the winner rolled back after all; the key is free again
        return KehuError(
            "sales.book.retry",
            "另一台登记同时进行，请重试。",
            "Another desk registered at the same moment; try again.",
            status=409,
        )
    return _already_registered(holder, [kind], now)


def _claim_first(
    *,
    row: Registration,
    customer: Customer,
    claims: list[tuple[str, str]],
    created: bool,
    now: dt.datetime,
) -> bool:
    """Claim the first registration of ``customer`` and its deciding keys (see module doc).

    Every line must win its customer's key of the visit day. A new customer must win every
    key (else the racing winner is named). A customer on file: the line is their first
    registration when it wins their customer key, a later visit when the key is held (also when
    a desk registering them for another day committed a moment before); identity keys are
    claimed where free.

    One multi-row insert claims every key the line may take, in sorted order (the lock order),
    and skips each key a registration holds already (``ON CONFLICT DO NOTHING``; on PostgreSQL
    after waiting for a desk that is inserting it at the same moment). The keys it won say the
    rest: a key the line must win that was skipped is refused, naming its holder; a skipped
    customer key means the customer was registered before (a later visit, not first). No read
    before the insert (benchmarked: the read was a statement of its own, and a key a desk took
    between the read and the insert needed the same answer anyway); a refused line's whole
    transaction rolls back, keys included.
    """
    company_id = row.company_id
    customer_key = (RegistrationKeyKind.CUSTOMER.value, str(customer.pk))
    # One line per customer per visit day (A1.1): a second desk registering the same visitor
    # the same day is refused, whether or not the customer was registered before.
    visit = (RegistrationKeyKind.VISIT.value, visit_key(customer.pk, row.received_on))
    won = _claim_free(
        company_id=company_id,
        keys=sorted({visit, customer_key, *claims}),
        customer_id=customer.pk,
        registration=row,
    )
    first = customer_key in won
    must_win = [visit, *(claims if created else [])]
    for kind, value in sorted(must_win):
        if (kind, value) not in won:
            raise _refuse_key(company_id, kind, value, now)
    return first


# --- corrections (A1.2 / A7.21) ----------------------------------------------------------------


def registration_correct(
    *,
    staff: Staff,
    registration_id: int,
    reason: str,
    changes: VisitDetails | Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Registration:
    """Correct a line by a new line that references it and says why; the old line stays as it
    was. Only the current line of a chain can be corrected. Book keepers may correct any line,
    the receiver or the recorder their own. ``changes``: the whole corrected content."""
    reason = (reason or "").strip()
    if not reason:
        raise BookError(
            BookErrorCode.REASON_REQUIRED,
            "更正登记必须说明理由（A1.2：不得涂改，更正须另起一条并注明原因）。",
            "A correction needs a reason (A1.2: no alteration; a correction is a new line).",
        )
    if not isinstance(changes, VisitDetails):
        changes = VisitDetails.from_mapping(changes)
    changes = changes.cleaned()
    with transaction.atomic():
        old = (
            Registration.objects.select_related("site", "receiver")
            .filter(company_id=staff.company_id, pk=registration_id)
            .first()
        )
        if old is None or not may_correct(staff, old):
            if old is not None and old.company_id == staff.company_id and _sees(staff, old):
                raise BookPermissionDenied(
                    "更正此登记", "correct this line", "sales.correct_registration"
                )
            raise BookNotFound()
        if Registration.objects.filter(corrects=old).exists():
            raise BookError(
                BookErrorCode.SUPERSEDED,
                "此登记已被更正，请更正最新的一条。",
                "This line was corrected already; correct the latest line.",
                status=409,
            )
        previous_entry = LedgerEntry.objects.filter(
            company_id=staff.company_id,
            stream=Stream.REGISTRATION_BOOK,
            subject_type=REGISTRATION_SUBJECT,
            subject_id=str(old.pk),
        ).first()
        row = Registration.objects.create(
            company_id=old.company_id,
            site=old.site,
            customer_id=old.customer_id,
            visited_at=old.visited_at,
            received_on=old.received_on,
            customer_name=changes.customer_name,
            employer_or_address=changes.employer_or_address,
            contact=changes.contact,
            phone_e164=_phone_e164(changes.contact),
            car_brand=changes.car_brand,
            plate=changes.plate,
            intention=changes.intention,
            source=changes.source,
            receiver=old.receiver,
            recorded_by=staff,
            recorded_at=timezone.now(),
            late=old.late,
            name_matches=list(old.name_matches),
            policy_ref=old.policy_ref,
            corrects=old,
            original_id=old.original_id or old.pk,
            correction_reason=reason,
        )
        ledger_append(
            company=staff.company,
            stream=Stream.REGISTRATION_BOOK,
            kind="registration.correction",
            payload={
                **_registration_payload(row, first=False, conflicts=[], rule_ids=[rules.RULE_BOOK]),
                "corrects_registration_id": old.pk,
            },
            recorded_by=staff.user,
            subject=(REGISTRATION_SUBJECT, row.pk),
            corrects=previous_entry,
            reason=reason,
        )
    return row


def _sees(staff: Staff, row: Registration) -> bool:
    return registrations_visible_to(staff).filter(pk=row.pk).exists()


# --- PM confirmation (A1.1) --------------------------------------------------------------------


def registration_confirm(
    *, staff: Staff, registration_id: int, note: str = "", request: HttpRequest | None = None
) -> RegistrationConfirmation:
    """The project manager verifies and confirms a line (A1.1): a record of its own, never an
    edit of the line. A line is confirmed once; a corrected line's correction is confirmed anew."""
    _require(staff, PERM_CONFIRM, "确认客户登记", "confirm registrations")
    with transaction.atomic():
        row = (
            Registration.objects.select_for_update()
            .filter(company_id=staff.company_id, pk=registration_id)
            .first()
        )
        if row is None or (staff.site_id is not None and row.site_id != staff.site_id):
            raise BookNotFound()
        if Registration.objects.filter(corrects=row).exists():
            raise BookError(
                BookErrorCode.SUPERSEDED,
                "此登记已被更正，请确认更正后的登记。",
                "This line was corrected; confirm the corrected line.",
                status=409,
            )
        try:
            with transaction.atomic():
                confirmation = RegistrationConfirmation.objects.create(
                    company_id=staff.company_id,
                    registration=row,
                    confirmed_by=staff,
                    confirmed_at=timezone.now(),
                    note=(note or "").strip()[:200],
                )
        except IntegrityError:
            raise BookError(
                BookErrorCode.ALREADY_CONFIRMED,
                "此登记已经确认过。",
                "This line is confirmed already.",
                status=409,
            ) from None
        ledger_append(
            company=staff.company,
            stream=Stream.REGISTRATION_BOOK,
            kind=CONFIRMATION_KIND,
            payload=confirmation_payload(confirmation, staff),
            recorded_by=staff.user,
            subject=(CONFIRMATION_SUBJECT, confirmation.pk),
        )
    return confirmation


CONFIRMATION_KIND = "registration.confirmed"


def confirmation_payload(confirmation: RegistrationConfirmation, by: Staff) -> dict[str, Any]:
    """A confirmation's ledger payload (A1.1), with the digest the book's verification checks;
    the legacy import writes the same for the lines it confirms."""
    return {
        "registration_id": confirmation.registration_id,
        "confirmed_by_id": by.pk,
        "confirmed_by": by.name,
        "confirmed_at": confirmation.confirmed_at,
        "note": confirmation.note,
        "rule_ids": [rules.RULE_SAME_DAY],
        "digest": rules.document_digest(confirmation_document(confirmation)),
    }


# --- phone-enquiry book (A1.3, A7.5) -----------------------------------------------------------


@dataclass(frozen=True)
class CallDetails:
    caller_name: str = ""
    contact: str = ""
    intention: str = ""
    source: str = ""


def phone_enquiry_record(
    *,
    staff: Staff,
    details: CallDetails | Mapping[str, Any],
    desk_owner: Staff | None = None,
    called_at: dt.datetime | None = None,
    customer_id: int | None = None,
    site_id: int | None = None,
    request: HttpRequest | None = None,
) -> PhoneEnquiry:
    """Log a phone enquiry in the phone-enquiry book — never in the registration book (A1.3).

    ``desk_owner`` is whose phone rang (default: the person answering). A7.5: the phone customer
    belongs to the desk owner, even when a colleague answered for them (Reading). The caller is
    linked to the customer file: the given customer, else the first customer a deciding A7.4
    key matches, else a new customer owned by the desk owner (自有资源).
    """
    _require(staff, PERM_PHONE_ADD, "登记电话咨询", "log phone enquiries")
    desk_owner = desk_owner or staff
    if (
        desk_owner.company_id != staff.company_id
        or not desk_owner.active
        or desk_owner.post not in RECEIVING_POSTS
    ):
        raise BookError(
            BookErrorCode.RECEIVER_INVALID,
            "电话所属人必须是本公司在职的售楼员。",
            "The desk owner must be an active salesperson of your company.",
        )
    if not isinstance(details, CallDetails):
        details = CallDetails(
            **{k: str(details.get(k) or "").strip() for k in CallDetails.__dataclass_fields__}
        )
    caller_name = details.caller_name.strip()[:100]
    contact = details.contact.strip()[:100]
    now = timezone.now()
    called_at = _moment(called_at, now, "来电时间")
    phone_e164 = _phone_e164(contact)
    owner = rules.phone_call_belongs_to(desk_owner_id=desk_owner.pk, answered_by_id=staff.pk)
    site = _site_for(staff, desk_owner, site_id)
    full_name_alone, _ref = full_name_alone_policy(staff, now)
    with transaction.atomic():
        customer: Customer | None = None
        if customer_id is not None:
            customer = Customer.objects.filter(company_id=staff.company_id, pk=customer_id).first()
            if customer is None:
                raise BookNotFound("客户", "customer")
        elif caller_name or phone_e164:
            matches = customer_match(
                staff.company_id,
                phone=phone_e164 or None,
                name=caller_name or None,
                full_name_alone=full_name_alone,
            )
            deciding = [m for m in matches if m.match.decides]
            if deciding:
                customer = deciding[0].customer
            else:
                customer = customer_create(
                    staff=staff,
                    data={
                        "name": caller_name,
                        "phones": [contact] if phone_e164 else [],
                        "source": details.source.strip()[:200],
                        "intention": details.intention.strip(),
                    },
                    owner=desk_owner,
                )
        row = PhoneEnquiry.objects.create(
            company_id=staff.company_id,
            site=site,
            called_at=called_at,
            desk_owner_id=owner.owner_id,
            answered_by=staff,
            caller_name=caller_name,
            contact=contact,
            phone_e164=phone_e164,
            intention=details.intention.strip(),
            source=details.source.strip()[:200],
            customer=customer,
            recorded_by=staff,
            recorded_at=timezone.now(),
        )
        ledger_append(
            company=staff.company,
            stream=Stream.PHONE_BOOK,
            kind="phone_enquiry",
            payload={
                "phone_enquiry_id": row.pk,
                "called_at": row.called_at,
                "desk_owner_id": owner.owner_id,
                "desk_owner": desk_owner.name,
                "answered_by_id": staff.pk,
                "helped": owner.helped_by_id is not None,
                "caller_name": caller_name,
                "contact": masked_contact(phone_e164, contact),
                "customer_id": row.customer_id,
                "rule_ids": [rules.RULE_PHONE_NOT_IN_BOOK, *owner.rule_ids],
                "digest": rules.document_digest(phone_enquiry_document(row)),
            },
            recorded_by=staff.user,
            subject=(PHONE_SUBJECT, row.pk),
        )
    return row


# --- follow-ups (A1.4) -------------------------------------------------------------------------


def follow_up_record(
    *,
    staff: Staff,
    customer_id: int,
    note: str,
    channel: str = FollowUpChannel.PHONE,
    at: dt.datetime | None = None,
    next_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    """Record that ``staff`` followed up their customer (A1.4). Salespeople follow up their own
    customers; staff with ``sales.view_all_follow_ups`` may record for any customer."""
    _require(staff, PERM_FOLLOW_ADD, "记录跟进", "record follow-ups")
    note = (note or "").strip()
    if not note:
        raise bad_input("请填写跟进内容。", "Write what the follow-up was about.", "note")
    if channel not in FollowUpChannel.values:
        raise bad_input("跟进方式无效。", "Unknown follow-up channel.", "channel")
    now = timezone.now()
    at = _moment(at, now, "跟进时间")
    with transaction.atomic():
        customer = follow_up_customers_visible_to(staff).filter(pk=customer_id).first()
        if customer is None:
            raise BookNotFound("客户", "customer")
        if customer.owner_id != staff.pk and not staff_has_perm(staff, PERM_FOLLOW_ALL):
            raise BookNotFound("客户", "customer")
        return FollowUp.objects.create(
            company_id=staff.company_id,
            customer=customer,
            salesperson=staff,
            at=at,
            channel=channel,
            note=note,
            next_on=next_on,
            recorded_at=now,
        )
