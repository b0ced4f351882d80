"""Pages of the registration book (客户登记本), the phone-enquiry book and follow-ups.

Each view makes one selector or service call. Who sees what is the selectors' business: the whole
book only for its readers (every read audited), a salesperson their own customers' lines; lines
of another company, or not the caller's to see, are "not found" (404).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.context_processors import request_staff
from kehu.sales import registration_selectors as selectors
from kehu.sales import registration_services as services
from kehu.sales.registration_errors import BookErrorCode
from kehu.sales.registration_forms import (
    BookFilterForm,
    CorrectionForm,
    FollowUpForm,
    PhoneForm,
    RegistrationForm,
    aware,
)

PAGE_SIZE = 50

StaffView = Callable[..., HttpResponse]

# Which form field an error code points at.
_ERROR_FIELDS: dict[str, str] = {
    BookErrorCode.RECEIVER_INVALID: "receiver",
    BookErrorCode.VISIT_IN_FUTURE: "visited_at",
    BookErrorCode.REASON_REQUIRED: "reason",
}


def staff_required(view: StaffView) -> Callable[..., HttpResponse]:
    """Log-in required; the view gets the logged-in ``Staff``. Not-found errors become 404 and
    refusals a 403 page with the reason."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = request_staff(request)
        if staff is None:
            return _error(
                request, 403, "sales.no_staff", _("您的账号未关联在职员工，无法使用案场功能。")
            )
        staff.user = request.user  # type: ignore[assignment]  # reuse its permission cache
        try:
            return view(request, staff, *args, **kwargs)
        except KehuError as exc:
            if exc.status == 404:
                raise Http404(exc.message()) from exc
            if exc.status == 403:
                return _error(request, 403, exc.code, exc.message())
            raise

    return wrapper


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"status": status, "code": code, "message": message},
        status=status,
    )


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string ending in "&", for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


# --- the book ----------------------------------------------------------------------------------


@staff_required
@require_GET
def book_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The whole book for its readers (audited); others go to their own page."""
    if not staff_has_perm(staff, selectors.PERM_BOOK):
        if staff.post == Post.RECEPTIONIST:
            return redirect("sales:book_register")
        return redirect("sales:book_mine")
    form = BookFilterForm(request.GET or None, staff=staff)
    rows = selectors.registration_book_for_user(staff, filters=form.filters(), request=request)
    return render(
        request,
        "sales/book/book.html",
        {
            "form": form,
            "page": _page(request, rows),
            "query": _query_without_page(request),
            "section": "book",
        },
    )


@staff_required
@require_GET
def book_mine(request: HttpRequest, staff: Staff) -> HttpResponse:
    """My customers, those not followed up for N days (A1.4), and my lines of the book."""
    salesperson_id = request.GET.get("salesperson")
    result = selectors.my_customers(
        staff, salesperson_id=int(salesperson_id) if salesperson_id else None
    )
    own = result.salesperson.pk == staff.pk
    lines = selectors.registrations_mine(staff)[:PAGE_SIZE] if own else None
    return render(
        request,
        "sales/book/mine.html",
        {
            "result": result,
            "overdue_ids": {c.pk for c in result.overdue},
            "lines": lines,
            "own": own,
            "salespeople": selectors.salespeople_visible_to(staff),
            "section": "mine",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def book_register(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The registration form with live identity matching (A7.4)."""
    if not staff_has_perm(staff, selectors.PERM_ADD):
        return _error(request, 403, BookErrorCode.PERMISSION_DENIED, _("您的岗位无权登记客户。"))
    form = RegistrationForm(request.POST or None, staff=staff)
    matches: list[selectors.DeskMatch] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.registration_record(
                staff=staff,
                details=form.details(),
                receiver=data["receiver"],
                customer_id=data["customer_id"],
                visited_at=aware(data["visited_at"]),
                request=request,
            )
        except KehuError as exc:
            if exc.status == 403 and exc.code != BookErrorCode.RECEIVER_INVALID:
                raise
            form.add_error(_ERROR_FIELDS.get(exc.code), exc.message())
        else:
            messages.success(request, _register_message(visit))
            return redirect("sales:book_detail", registration_id=visit.registration.pk)
    if form.is_bound:
        matches = _matches_for(staff, request.POST)
    return render(
        request,
        "sales/book/register.html",
        {
            "form": form,
            "matches": matches,
            "chosen": _chosen(request.POST),
            "section": "register",
        },
        status=400 if form.is_bound else 200,
    )


def _register_message(visit: services.RegisteredVisit) -> str:
    parts = [_("已登记 %(name)s。") % {"name": visit.registration.customer_name or _("客户")}]
    if visit.first:
        parts.append(_("这是该客户的首次登记（A1.5）。"))
    if visit.late:
        parts.append(_("超过接待当天才登记，已标记为逾期登记（A1.1）。"))
    if visit.name_matches:
        parts.append(_("有同名客户，已提交销售经理确认是否同一客户（A7.4、A7.20）。"))
    return "".join(parts)


def _chosen(data: Any) -> int | None:
    try:
        return int(data.get("customer_id") or 0) or None
    except (TypeError, ValueError):
        return None


def _matches_for(staff: Staff, data: Any) -> list[selectors.DeskMatch]:
    return selectors.desk_matches(
        staff,
        phone=str(data.get("contact", "")),
        name=str(data.get("customer_name", "")),
        plate=str(data.get("plate", "")),
        car_brand=str(data.get("car_brand", "")),
    )


@staff_required
@require_GET
def book_match(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The live-matching partial (htmx ``hx-get`` while the desk types)."""
    return render(
        request,
        "sales/book/_matches.html",
        {"matches": _matches_for(staff, request.GET), "chosen": _chosen(request.GET)},
    )


@staff_required
@require_GET
def book_detail(request: HttpRequest, staff: Staff, registration_id: int) -> HttpResponse:
    detail = selectors.registration_get_for_user(staff, registration_id, request=request)
    return render(request, "sales/book/detail.html", {"detail": detail, "section": ""})


@staff_required
@require_http_methods(["GET", "POST"])
def book_correct(request: HttpRequest, staff: Staff, registration_id: int) -> HttpResponse:
    detail = selectors.registration_get_for_user(staff, registration_id, request=request)
    current = detail.current
    initial = {
        name: getattr(current, name)
        for name in (
            "customer_name",
            "contact",
            "employer_or_address",
            "car_brand",
            "plate",
            "intention",
            "source",
        )
    }
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.registration_correct(
                staff=staff,
                registration_id=current.pk,
                reason=form.cleaned_data["reason"],
                changes=form.details(),
                request=request,
            )
        except KehuError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(_ERROR_FIELDS.get(exc.code), exc.message())
        else:
            messages.success(request, _("已追加更正登记；原登记保留不变（A1.2）。"))
            return redirect("sales:book_detail", registration_id=row.pk)
    return render(
        request,
        "sales/book/correct.html",
        {"form": form, "detail": detail, "section": ""},
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_GET
def book_confirm_queue(request: HttpRequest, staff: Staff) -> HttpResponse:
    if not staff_has_perm(staff, selectors.PERM_CONFIRM):
        return _error(
            request, 403, BookErrorCode.PERMISSION_DENIED, _("只有项目经理确认客户登记（A1.1）。")
        )
    rows = selectors.confirmation_queue_for(staff)
    return render(
        request,
        "sales/book/confirm_queue.html",
        {"page": _page(request, rows), "section": "confirm"},
    )


@staff_required
@require_POST
def book_confirm(request: HttpRequest, staff: Staff, registration_id: int) -> HttpResponse:
    try:
        services.registration_confirm(
            staff=staff,
            registration_id=registration_id,
            note=request.POST.get("note", ""),
            request=request,
        )
    except KehuError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message())
    else:
        messages.success(request, _("已确认该登记（A1.1）。"))
    target = request.POST.get("next", "")
    if target == "queue":
        return redirect("sales:book_confirm_queue")
    return redirect("sales:book_detail", registration_id=registration_id)


@staff_required
@require_http_methods(["GET", "POST"])
def book_verify(request: HttpRequest, staff: Staff) -> HttpResponse:
    report = (
        selectors.registration_book_verify(staff, request=request)
        if request.method == "POST"
        else None
    )
    if report is None and not (
        staff_has_perm(staff, selectors.PERM_BOOK)
        or staff_has_perm(staff, selectors.PERM_PHONE_BOOK)
    ):
        return _error(
            request, 403, BookErrorCode.PERMISSION_DENIED, _("您的岗位无权校验客户登记本。")
        )
    return render(
        request,
        "sales/book/verify.html",
        {
            "report": report,
            "can_verify_ledger": staff_has_perm(staff, "ledger.verify_ledger"),
            "section": "verify",
        },
    )


# --- the phone-enquiry book (A1.3, A7.5) ---------------------------------------------------------


@staff_required
@require_GET
def phone_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    whole = staff_has_perm(staff, selectors.PERM_PHONE_BOOK)
    rows = (
        selectors.phone_book_for_user(staff, request=request)
        if whole
        else selectors.phone_enquiries_mine(staff)
    )
    return render(
        request,
        "sales/book/phone.html",
        {"page": _page(request, rows), "whole": whole, "section": "phone"},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def phone_record(request: HttpRequest, staff: Staff) -> HttpResponse:
    if not staff_has_perm(staff, selectors.PERM_PHONE_ADD):
        return _error(
            request, 403, BookErrorCode.PERMISSION_DENIED, _("您的岗位无权登记电话咨询。")
        )
    form = PhoneForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.phone_enquiry_record(
                staff=staff,
                details=form.details(),
                desk_owner=form.cleaned_data["desk_owner"],
                called_at=aware(form.cleaned_data["called_at"]),
                request=request,
            )
        except KehuError as exc:
            if exc.status in (403, 404):
                raise
            field = "desk_owner" if exc.code == BookErrorCode.RECEIVER_INVALID else None
            form.add_error(field, exc.message())
        else:
            messages.success(request, _("已登记到电话咨询登记本（不计入客户登记本，A1.3）。"))
            return redirect("sales:phone_index")
    return render(
        request,
        "sales/book/phone_form.html",
        {"form": form, "section": "phone"},
        status=400 if form.is_bound else 200,
    )


# --- follow-ups (A1.4) -------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def followup_customer(request: HttpRequest, staff: Staff, customer_id: int) -> HttpResponse:
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_record(
                staff=staff,
                customer_id=customer_id,
                note=data["note"],
                channel=data["channel"],
                at=aware(data["at"]),
                next_on=data["next_on"],
                request=request,
            )
        except KehuError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(None, exc.message())
        else:
            messages.success(request, _("已记录跟进（A1.4）。"))
            return redirect(reverse("sales:followup_customer", args=[customer_id]))
    result = selectors.follow_ups_for_customer(staff, customer_id)
    return render(
        request,
        "sales/book/followups.html",
        {"result": result, "form": form, "section": "mine"},
        status=400 if form.is_bound else 200,
    )
