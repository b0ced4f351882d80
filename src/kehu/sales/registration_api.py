"""API of the registration book, the phone-enquiry book and follow-ups, mounted at
/api/v1/sales/book/.

``GET  /``                         the whole book (sales manager, PM; every read audited, A1.2)
``GET  /mine``                     the caller's own lines (a salesperson's customers)
``POST /``                         register a visit (A7.4); 409 "已由 李娜 于 10:02 登记" (A1.5)
``GET  /match?phone=&name=&plate=&brand=``  live matching: key, owner, protection left (A7.4)
``GET  /confirmations``            the PM's queue of unconfirmed lines (A1.1)
``GET  /verify``                   prove the books unaltered (ledger chains + row digests)
``GET  /{id}``                     a line with its history, confirmation and ledger entries
``POST /{id}/confirmation``        the PM confirms a line (A1.1)
``POST /{id}/corrections``         correct a line by a new one, with a reason (A1.2)
``GET  /phone``, ``/phone/mine``, ``POST /phone``  the phone-enquiry book (A1.3, A7.5)
``GET  /customers[?salesperson_id=]``  my customers and those not followed up for N days (A1.4)
``GET/POST /customers/{customer_id}/follow-ups``  follow-up records (A1.4)

Another company's lines, or lines the caller may not see, are "not found" (404).
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import codes_4xx

from kehu.core.org.models import Staff
from kehu.core.web.api_support import (
    ErrorOut,
    PageParams,
    request_language,
    request_staff,
)
from kehu.sales import registration_selectors as selectors
from kehu.sales import registration_services as services
from kehu.sales.models.registration import FollowUp, PhoneEnquiry, Registration
from kehu.sales.registration_errors import BookNotFound, BookPermissionDenied

router = Router(tags=["sales 客户登记本"])


# --- schemas ---------------------------------------------------------------------------------


_ERRORS: dict[Any, Any] = {codes_4xx: ErrorOut}


class StaffRef(Schema):
    id: int
    name: str


class SiteRef(Schema):
    id: int
    name: str


class RegistrationOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    employer_or_address: str
    contact: str = Field(description="联络方式（电话已打码）/ contact, phones masked")
    car_brand: str
    plate: str
    intention: str
    source: str
    site: SiteRef
    receiver: StaffRef
    recorded_by: StaffRef
    owner: StaffRef | None = Field(description="客户当前负责人 / the customer's current owner")
    visited_at: dt.datetime
    received_on: dt.date = Field(description="接待日期（售楼处当地日期）/ local reception date")
    recorded_at: dt.datetime
    late: bool = Field(description="A1.1 超过接待当天才登记 / registered after the visit's day")
    confirmed: bool
    first: bool = Field(description="A1.5 该客户的首次登记 / the customer's first registration")
    superseded: bool
    corrects_id: int | None
    original_id: int | None
    correction_reason: str
    name_matches: list[int] = Field(
        description="仅全名相同的客户，待销售经理确认（A7.4, A7.20）/ full-name-only matches"
    )


class BookParams(PageParams):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    receiver_id: int | None = None
    site_id: int | None = None
    late: bool | None = None
    unconfirmed: bool = False
    include_superseded: bool = False
    q: str = Field("", max_length=100)

    def filters(self) -> selectors.BookFilters:
        values = self.dict()
        values.pop("page", None)
        values.pop("page_size", None)
        return selectors.BookFilters(**values)


class RegistrationPage(Schema):
    items: list[RegistrationOut]
    count: int = Field(description="总条数 / total number of items")
    page: int
    page_size: int


class RegisterIn(Schema):
    customer_name: str = Field("", max_length=100)
    employer_or_address: str = Field("", max_length=200)
    contact: str = Field("", max_length=100, description="电话或其他联络方式 / phone or other")
    car_brand: str = Field("", max_length=50)
    plate: str = Field("", max_length=20)
    intention: str = Field("", max_length=2000)
    source: str = Field("", max_length=200)
    receiver_id: int | None = Field(None, description="接待的售楼员；不填为本人 / default: you")
    customer_id: int | None = Field(None, description="老客户（匹配结果中的客户）/ existing")
    site_id: int | None = None
    visited_at: dt.datetime | None = Field(None, description="接待时间；不填为现在 / default: now")


class ConflictOut(Schema):
    customer_id: int
    keys: list[str]


class RegisteredOut(Schema):
    registration: RegistrationOut
    customer_created: bool
    first: bool
    late: bool
    name_matches: list[int]
    conflicts: list[ConflictOut]
    rule_ids: list[str]
    ledger_seq: int


class FirstRegistrationOut(Schema):
    registration_id: int
    receiver: str
    recorded_at: dt.datetime
    received_on: dt.date


class ProtectionOut(Schema):
    first_registered_on: dt.date
    days_since: int
    window_days: int
    days_left: int
    placeholder: bool = Field(
        description="true：期限为暂定值（待归属规则设置）/ the window is a placeholder"
    )


class MatchOut(Schema):
    customer_id: int
    name: str
    owner: StaffRef | None
    keys: list[str]
    keys_zh: list[str]
    needs_confirmation: bool
    rule_ids: list[str]
    first_registration: FirstRegistrationOut | None
    protection: ProtectionOut | None


class MatchParams(Schema):
    phone: str = Field("", max_length=40)
    name: str = Field("", max_length=100)
    plate: str = Field("", max_length=20)
    brand: str = Field("", max_length=50)


class ConfirmationOut(Schema):
    id: int
    registration_id: int
    confirmed_by: StaffRef
    confirmed_at: dt.datetime
    note: str


class ConfirmIn(Schema):
    note: str = Field("", max_length=200)


class CorrectIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="更正理由 / why")
    customer_name: str = Field("", max_length=100)
    employer_or_address: str = Field("", max_length=200)
    contact: str = Field("", max_length=100)
    car_brand: str = Field("", max_length=50)
    plate: str = Field("", max_length=20)
    intention: str = Field("", max_length=2000)
    source: str = Field("", max_length=200)


class LedgerEntryOut(Schema):
    seq: int
    kind: str
    recorded_at: dt.datetime
    hash: str
    corrects_seq: int | None


class RegistrationDetailOut(Schema):
    registration: RegistrationOut
    history: list[RegistrationOut]
    confirmation: ConfirmationOut | None
    first_registration_id: int | None
    ledger: list[LedgerEntryOut]
    can_confirm: bool
    can_correct: bool


class StreamOut(Schema):
    stream: str
    ok: bool
    count: int
    problem: str | None
    seq: int | None
    detail_zh: str | None


class RowProblemOut(Schema):
    table: str
    row_id: int
    problem: str
    problem_zh: str


class VerifyOut(Schema):
    ok: bool
    checked_at: dt.datetime
    rows_checked: int
    streams: list[StreamOut]
    row_problems: list[RowProblemOut]
    unguarded_tables: list[str]
    rule_ids: list[str]


class PhoneEnquiryOut(Schema):
    id: int
    site: SiteRef
    called_at: dt.datetime
    desk_owner: StaffRef = Field(description="A7.5 来电客户归属 / the call belongs to them")
    answered_by: StaffRef
    helped: bool = Field(description="同事代接 / a colleague answered for the desk owner")
    caller_name: str
    contact: str
    intention: str
    source: str
    customer_id: int | None
    recorded_at: dt.datetime


class PhoneEnquiryPage(Schema):
    items: list[PhoneEnquiryOut]
    count: int
    page: int
    page_size: int


class PhoneIn(Schema):
    caller_name: str = Field("", max_length=100)
    contact: str = Field("", max_length=100)
    intention: str = Field("", max_length=2000)
    source: str = Field("", max_length=200)
    desk_owner_id: int | None = Field(None, description="谁的电话；不填为本人 / whose desk")
    customer_id: int | None = None
    called_at: dt.datetime | None = None
    site_id: int | None = None


class FollowUpOut(Schema):
    id: int
    customer_id: int
    salesperson: StaffRef
    at: dt.datetime
    channel: str
    note: str
    next_on: dt.date | None
    recorded_at: dt.datetime


class FollowUpIn(Schema):
    note: str = Field(min_length=1, max_length=4000)
    channel: Literal["phone", "wechat", "visit", "message", "other"] = "phone"
    at: dt.datetime | None = None
    next_on: dt.date | None = None


class MyCustomerOut(Schema):
    id: int
    name: str
    created_at: dt.datetime
    last_follow_up_at: dt.datetime | None
    last_visit_at: dt.datetime | None
    last_contact_at: dt.datetime
    overdue: bool


class MyCustomersOut(Schema):
    salesperson: StaffRef
    days: int = Field(description="A1.4 N（规则 customers.follow_up_days）")
    policy_ref: str
    cutoff: dt.datetime
    customers: list[MyCustomerOut]
    overdue: list[MyCustomerOut]
    rule_ids: list[str]


class MyCustomersParams(Schema):
    salesperson_id: int | None = None


class CustomerFollowUpsOut(Schema):
    customer_id: int
    name: str
    owner: StaffRef | None
    follow_ups: list[FollowUpOut]
    registrations: list[RegistrationOut]


# --- shaping ---------------------------------------------------------------------------------


def _ref(staff: Staff | None) -> dict[str, Any] | None:
    return {"id": staff.pk, "name": staff.name} if staff is not None else None


def registration_out(row: Registration) -> dict[str, Any]:
    return {
        "id": row.pk,
        "customer_id": row.customer_id,
        "customer_name": row.customer_name,
        "employer_or_address": row.employer_or_address,
        "contact": selectors.masked_contact(row.phone_e164, row.contact),
        "car_brand": row.car_brand,
        "plate": row.plate,
        "intention": row.intention,
        "source": row.source,
        "site": {"id": row.site_id, "name": row.site.name},
        "receiver": _ref(row.receiver),
        "recorded_by": _ref(row.recorded_by),
        "owner": _ref(row.customer.owner),
        "visited_at": row.visited_at,
        "received_on": row.received_on,
        "recorded_at": row.recorded_at,
        "late": row.late,
        "confirmed": bool(getattr(row, "is_confirmed", False)),
        "first": bool(getattr(row, "is_first", False)),
        "superseded": bool(getattr(row, "is_superseded", False)),
        "corrects_id": row.corrects_id,
        "original_id": row.original_id,
        "correction_reason": row.correction_reason,
        "name_matches": list(row.name_matches),
    }


def _phone_out(row: PhoneEnquiry) -> dict[str, Any]:
    return {
        "id": row.pk,
        "site": {"id": row.site_id, "name": row.site.name},
        "called_at": row.called_at,
        "desk_owner": _ref(row.desk_owner),
        "answered_by": _ref(row.answered_by),
        "helped": row.desk_owner_id != row.answered_by_id,
        "caller_name": row.caller_name,
        "contact": selectors.masked_contact(row.phone_e164, row.contact),
        "intention": row.intention,
        "source": row.source,
        "customer_id": row.customer_id,
        "recorded_at": row.recorded_at,
    }


def _follow_up_out(row: FollowUp) -> dict[str, Any]:
    return {
        "id": row.pk,
        "customer_id": row.customer_id,
        "salesperson": _ref(row.salesperson),
        "at": row.at,
        "channel": row.channel,
        "note": row.note,
        "next_on": row.next_on,
        "recorded_at": row.recorded_at,
    }


def match_out(m: selectors.DeskMatch) -> dict[str, Any]:
    first = m.first
    p = m.protection
    return {
        "customer_id": m.customer.pk,
        "name": m.customer.name,
        "owner": _ref(m.customer.owner),
        "keys": list(m.keys),
        "keys_zh": m.keys_zh,
        "needs_confirmation": m.needs_confirmation,
        "rule_ids": list(m.match.rule_ids),
        "first_registration": {
            "registration_id": first.registration_id,
            "receiver": first.receiver_name,
            "recorded_at": first.recorded_at,
            "received_on": first.received_on,
        }
        if first
        else None,
        "protection": {
            "first_registered_on": p.first_registered_on,
            "days_since": p.days_since,
            "window_days": p.window_days,
            "days_left": p.days_left,
            "placeholder": p.placeholder,
        }
        if p
        else None,
    }


def _paged(rows: Any, page: PageParams, shape: Any) -> dict[str, Any]:
    """One page of a list, shaped row by row (only the page's rows are loaded)."""
    offset = (page.page - 1) * page.page_size
    return {
        "items": [shape(row) for row in rows[offset : offset + page.page_size]],
        "count": rows.count(),
        "page": page.page,
        "page_size": page.page_size,
    }


def _denied(exc: BookPermissionDenied) -> Status[dict[str, Any]]:
    # The selector audited this refusal already; answering here keeps the API root's error
    # handler from auditing it a second time.
    return Status(exc.status, {"error": exc.as_dict(request_language())})


def _staff_in_company(caller: Staff, staff_id: int | None) -> Staff | None:
    if staff_id is None:
        return None
    staff = (
        Staff.objects.select_related("site", "company")
        .filter(company_id=caller.company_id, pk=staff_id)
        .first()
    )
    if staff is None:
        raise BookNotFound("员工", "staff member")
    return staff


# --- the registration book -------------------------------------------------------------------


@router.get(
    "/",
    response={200: RegistrationPage, **_ERRORS},
    summary="整本客户登记本（查阅留痕）/ the whole registration book (audited)",
)
def book_list(request: HttpRequest, params: Query[BookParams]) -> Any:
    try:
        rows = selectors.registration_book_for_user(
            request_staff(request), filters=params.filters(), request=request
        )
    except BookPermissionDenied as exc:
        return _denied(exc)
    return _paged(rows, params, registration_out)


@router.get(
    "/mine",
    response={200: RegistrationPage, **_ERRORS},
    summary="我的客户的登记 / lines of my customers",
)
def book_mine(request: HttpRequest, params: Query[BookParams]) -> Any:
    rows = selectors.registrations_mine(request_staff(request), filters=params.filters())
    return _paged(rows, params, registration_out)


@router.post(
    "/",
    response={201: RegisteredOut, **_ERRORS},
    summary="登记来访客户 / register a visit",
)
def book_register(request: HttpRequest, payload: RegisterIn) -> Any:
    staff = request_staff(request)
    visit = services.registration_record(
        staff=staff,
        details=services.VisitDetails.from_mapping(payload.dict()),
        receiver=_staff_in_company(staff, payload.receiver_id),
        customer_id=payload.customer_id,
        site_id=payload.site_id,
        visited_at=payload.visited_at,
        request=request,
    )
    entry = visit.ledger_entry
    assert entry is not None  # registration_record appended it (no ledger_items given)
    return Status(
        201,
        {
            "registration": registration_out(
                selectors.registration_row_for_user(staff, visit.registration.pk)
            ),
            "customer_created": visit.customer_created,
            "first": visit.first,
            "late": visit.late,
            "name_matches": visit.name_matches,
            "conflicts": visit.conflicts,
            "rule_ids": visit.rule_ids,
            "ledger_seq": entry.seq,
        },
    )


@router.get(
    "/match",
    response={200: list[MatchOut], **_ERRORS},
    summary="登记时的身份匹配（A7.4）/ identity matching while typing",
)
def book_match(request: HttpRequest, params: Query[MatchParams]) -> Any:
    matches = selectors.desk_matches(
        request_staff(request),
        phone=params.phone,
        name=params.name,
        plate=params.plate,
        car_brand=params.brand,
    )
    return [match_out(m) for m in matches]


@router.get(
    "/confirmations",
    response={200: RegistrationPage, **_ERRORS},
    summary="待项目经理确认的登记（A1.1）/ lines awaiting the PM's confirmation",
)
def book_confirmation_queue(request: HttpRequest, page: Query[PageParams]) -> Any:
    rows = selectors.confirmation_queue_for(request_staff(request))
    return _paged(rows, page, registration_out)


@router.get(
    "/verify",
    response={200: VerifyOut, **_ERRORS},
    summary="校验登记本与电话咨询登记本 / verify the books",
)
def book_verify(request: HttpRequest) -> Any:
    try:
        report = selectors.registration_book_verify(request_staff(request), request=request)
    except BookPermissionDenied as exc:
        return _denied(exc)
    return {
        "ok": report.ok,
        "checked_at": report.ledger.checked_at,
        "rows_checked": report.rows_checked,
        "streams": [
            {
                "stream": check.stream,
                "ok": check.ok,
                "count": check.result.count,
                "problem": str(check.finding.problem) if check.finding else None,
                "seq": check.finding.seq if check.finding else None,
                "detail_zh": check.finding.detail_zh if check.finding else None,
            }
            for check in report.ledger.streams
        ],
        "row_problems": [
            {"table": p.table, "row_id": p.row_id, "problem": p.problem, "problem_zh": p.problem_zh}
            for p in report.row_problems
        ],
        "unguarded_tables": report.ledger.unguarded_tables,
        "rule_ids": ["A1.2", "A7.21"],
    }


@router.get(
    "/{int:registration_id}",
    response={200: RegistrationDetailOut, **_ERRORS},
    summary="一条登记及其更正、确认、账本记录 / a line with its history",
)
def book_detail(request: HttpRequest, registration_id: int) -> Any:
    detail = selectors.registration_get_for_user(
        request_staff(request), registration_id, request=request
    )
    seqs = {e.pk: e.seq for e in detail.ledger_entries}
    confirmation = detail.confirmation
    return {
        "registration": registration_out(detail.registration),
        "history": [registration_out(r) for r in detail.history],
        "confirmation": {
            "id": confirmation.pk,
            "registration_id": confirmation.registration_id,
            "confirmed_by": _ref(confirmation.confirmed_by),
            "confirmed_at": confirmation.confirmed_at,
            "note": confirmation.note,
        }
        if confirmation
        else None,
        "first_registration_id": detail.first_registration.pk
        if detail.first_registration
        else None,
        "ledger": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "recorded_at": e.recorded_at,
                "hash": e.hash,
                "corrects_seq": seqs.get(e.corrects_id) if e.corrects_id else None,
            }
            for e in detail.ledger_entries
        ],
        "can_confirm": detail.can_confirm,
        "can_correct": detail.can_correct,
    }


@router.post(
    "/{int:registration_id}/confirmation",
    response={201: ConfirmationOut, **_ERRORS},
    summary="项目经理确认登记（A1.1）/ the PM confirms a line",
)
def book_confirm(request: HttpRequest, registration_id: int, payload: ConfirmIn) -> Any:
    confirmation = services.registration_confirm(
        staff=request_staff(request),
        registration_id=registration_id,
        note=payload.note,
        request=request,
    )
    return Status(
        201,
        {
            "id": confirmation.pk,
            "registration_id": confirmation.registration_id,
            "confirmed_by": _ref(confirmation.confirmed_by),
            "confirmed_at": confirmation.confirmed_at,
            "note": confirmation.note,
        },
    )


@router.post(
    "/{int:registration_id}/corrections",
    response={201: RegistrationOut, **_ERRORS},
    summary="更正登记：另起一条并注明理由（A1.2）/ correct a line by a new one",
)
def book_correct(request: HttpRequest, registration_id: int, payload: CorrectIn) -> Any:
    staff = request_staff(request)
    data = payload.dict()
    reason = data.pop("reason")
    row = services.registration_correct(
        staff=staff,
        registration_id=registration_id,
        reason=reason,
        changes=services.VisitDetails.from_mapping(data),
        request=request,
    )
    return Status(201, registration_out(selectors.registration_row_for_user(staff, row.pk)))


# --- the phone-enquiry book (A1.3, A7.5) -------------------------------------------------------


@router.get(
    "/phone",
    response={200: PhoneEnquiryPage, **_ERRORS},
    summary="整本电话咨询登记本（查阅留痕）/ the whole phone-enquiry book (audited)",
)
def phone_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    try:
        rows = selectors.phone_book_for_user(request_staff(request), request=request)
    except BookPermissionDenied as exc:
        return _denied(exc)
    return _paged(rows, page, _phone_out)


@router.get(
    "/phone/mine",
    response={200: PhoneEnquiryPage, **_ERRORS},
    summary="我的来电（本人电话及代接）/ calls at my desk and those I answered",
)
def phone_mine(request: HttpRequest, page: Query[PageParams]) -> Any:
    rows = selectors.phone_enquiries_mine(request_staff(request))
    return _paged(rows, page, _phone_out)


@router.post(
    "/phone",
    response={201: PhoneEnquiryOut, **_ERRORS},
    summary="登记电话咨询（不计入客户登记本，A1.3）/ log a phone enquiry",
)
def phone_record(request: HttpRequest, payload: PhoneIn) -> Any:
    staff = request_staff(request)
    row = services.phone_enquiry_record(
        staff=staff,
        details=services.CallDetails(
            caller_name=payload.caller_name,
            contact=payload.contact,
            intention=payload.intention,
            source=payload.source,
        ),
        desk_owner=_staff_in_company(staff, payload.desk_owner_id),
        called_at=payload.called_at,
        customer_id=payload.customer_id,
        site_id=payload.site_id,
        request=request,
    )
    return Status(201, _phone_out(selectors.phone_enquiry_get_for_user(staff, row.pk)))


# --- follow-ups (A1.4) --------------------------------------------------------------------------


def _my_customer_out(customer: Any, overdue_ids: set[int]) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "name": customer.name,
        "created_at": customer.created_at,
        "last_follow_up_at": customer.last_follow_up_at,
        "last_visit_at": customer.last_visit_at,
        "last_contact_at": customer.last_contact_at,
        "overdue": customer.pk in overdue_ids,
    }


@router.get(
    "/customers",
    response={200: MyCustomersOut, **_ERRORS},
    summary="我的客户及超过 N 天未跟进的客户（A1.4）/ my customers and those not followed up",
)
def customers_mine(request: HttpRequest, params: Query[MyCustomersParams]) -> Any:
    result = selectors.my_customers(request_staff(request), salesperson_id=params.salesperson_id)
    overdue_ids = {c.pk for c in result.overdue}
    return {
        "salesperson": _ref(result.salesperson),
        "days": result.days,
        "policy_ref": result.policy_ref,
        "cutoff": result.cutoff,
        "customers": [_my_customer_out(c, overdue_ids) for c in result.customers],
        "overdue": [_my_customer_out(c, overdue_ids) for c in result.overdue],
        "rule_ids": ["A1.4"],
    }


@router.get(
    "/customers/{int:customer_id}/follow-ups",
    response={200: CustomerFollowUpsOut, **_ERRORS},
    summary="客户的跟进记录 / a customer's follow-ups",
)
def follow_ups_list(request: HttpRequest, customer_id: int) -> Any:
    result = selectors.follow_ups_for_customer(request_staff(request), customer_id)
    return {
        "customer_id": result.customer.pk,
        "name": result.customer.name,
        "owner": _ref(result.customer.owner),
        "follow_ups": [_follow_up_out(f) for f in result.follow_ups],
        "registrations": [registration_out(r) for r in result.registrations],
    }


@router.post(
    "/customers/{int:customer_id}/follow-ups",
    response={201: FollowUpOut, **_ERRORS},
    summary="记录跟进（A1.4）/ record a follow-up",
)
def follow_up_create(request: HttpRequest, customer_id: int, payload: FollowUpIn) -> Any:
    row = services.follow_up_record(
        staff=request_staff(request),
        customer_id=customer_id,
        note=payload.note,
        channel=payload.channel,
        at=payload.at,
        next_on=payload.next_on,
        request=request,
    )
    return Status(201, _follow_up_out(row))
