"""Pages of deals (成交, A7.17), the commission ledger, A7.19 requests and conduct records, under
/sales/deals/ ("sales" namespace, names ``deal_*``).

- ``/sales/deals/``                     deals the caller may see; ``new/`` records one
- ``/sales/deals/<id>/``                a deal: its steps, its split with the rule behind it, the
                                        commission lines, the approved requests
- ``/sales/deals/commission/``          the commission ledger of a month (own lines only for a
                                        salesperson), with ``export/`` (Excel, audited)
- ``/sales/deals/requests/``            hold / rename / discount requests and the sales manager's
                                        queue; ``requests/<id>/`` decides
- ``/sales/deals/conduct/``             conduct records; ``conduct/<id>/`` forwards one

Each view makes one selector or service call for its work; refusals and not-found come from the
selectors and services (another company's rows: 404).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.context_processors import request_staff
from kehu.sales import deal_selectors as selectors
from kehu.sales import deal_services as services
from kehu.sales.deal_export import commission_ledger_export
from kehu.sales.deal_forms import (
    ConductForm,
    DealCustomerForm,
    DealForm,
    DecideForm,
    DiscountApplyForm,
    ForwardForm,
    RequestForm,
    StepForm,
    discount_label,
)

StaffView = Callable[..., HttpResponse]

# Which form field an error code points at.
_FIELDS: dict[str, str] = {
    "deal.unit_taken": "unit",
    "deal.subscriber_required": "subscriber",
    "deal.subscriber_fixed": "subscriber",
    "deal.discount_not_approved": "discount_request",
    "deal.discount_used": "discount_request",
    "deal.no_visit": "visit",
}


def staff_required(view: StaffView) -> Callable[..., HttpResponse]:
    """Log-in required; the view gets the logged-in ``Staff``. Not found → 404, refusals → a 403
    page with the reason."""

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


def _form_error(form: Any, exc: KehuError) -> None:
    name = _FIELDS.get(exc.code)
    form.add_error(name if name in form.fields else None, exc.message())


# --- deals -------------------------------------------------------------------------------------


@staff_required
@require_GET
def deal_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    rows = selectors.deals_for_user(staff)[:200]
    return render(
        request,
        "sales/deal/list.html",
        {"deals": rows, "section": "deals", "may_add": staff_has_perm(staff, services.PERM_ADD)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def deal_new(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Step one: pick the customer; step two: the visit (default: the latest registered one),
    the closer (default: its receiver), unit, price, subscriber and the step times."""
    if not staff_has_perm(staff, services.PERM_ADD):
        return _error(request, 403, "deal.permission_denied", _("您的岗位无权登记成交。"))
    chooser = DealCustomerForm(request.GET or None, staff=staff)
    if not chooser.is_valid():
        return render(
            request,
            "sales/deal/new.html",
            {"chooser": chooser, "form": None, "section": "new"},
        )
    customer = chooser.cleaned_data["customer"]
    form = DealForm(request.POST or None, staff=staff, customer_id=customer.pk)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            closer = data.get("closer")
            try:
                done = services.deal_record(
                    actor=staff,
                    customer_id=customer.pk,
                    visit_id=data["visit"],
                    closer_id=closer.pk if closer is not None else None,
                    unit=data["unit"],
                    price=data["price"],
                    subscriber=data["subscriber"],
                    deposit_paid_at=data["deposit_paid_at"],
                    subscription_signed_at=data["subscription_signed_at"],
                    discount_request_id=data["discount_request"],
                )
            except KehuError as exc:
                if exc.status in (403, 404):
                    raise
                _form_error(form, exc)
            else:
                messages.success(request, _deal_message(done))
                return redirect("sales:deal_detail", deal_id=done.deal.pk)
    return render(
        request,
        "sales/deal/new.html",
        {"chooser": chooser, "form": form, "customer": customer, "section": "new"},
        status=status,
    )


def _deal_message(done: services.DealResult) -> str:
    if done.closed_now:
        return _("已成交：已交定金并签认购书（A7.17），业绩分成已记入业绩台账。")
    return _("已登记。交定金并签认购书后才算成交（A7.17）。")


@staff_required
@require_GET
def deal_detail(request: HttpRequest, staff: Staff, deal_id: int) -> HttpResponse:
    detail = selectors.deal_get_for_user(staff, deal_id)
    discount_choices = [(r.pk, discount_label(r)) for r in detail.approved_discounts]
    return render(
        request,
        "sales/deal/detail.html",
        {
            "d": detail,
            "deal": detail.deal,
            "step_forms": [
                StepForm(initial={"step": step}, auto_id=f"id_{step}_%s")
                for step in detail.steps_missing
            ],
            "discount_form": DiscountApplyForm(choices=discount_choices)
            if discount_choices
            else None,
            "see_all": selectors.may_see_all(staff),
            "section": "deals",
        },
    )


@staff_required
@require_POST
def deal_step(request: HttpRequest, staff: Staff, deal_id: int) -> HttpResponse:
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            done = services.deal_step_record(
                actor=staff,
                deal_id=deal_id,
                step=form.cleaned_data["step"],
                at=form.cleaned_data["at"],
                subscriber=form.cleaned_data["subscriber"],
            )
        except KehuError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, exc.message())
        else:
            messages.success(request, _deal_message(done))
    else:
        messages.error(request, _("请填写时间。"))
    return redirect("sales:deal_detail", deal_id=deal_id)


@staff_required
@require_POST
def deal_discount(request: HttpRequest, staff: Staff, deal_id: int) -> HttpResponse:
    try:
        services.deal_discount_apply(
            actor=staff, deal_id=deal_id, request_id=int(request.POST.get("request") or 0)
        )
    except KehuError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message())
    else:
        messages.success(request, _("已按批准的折扣调整成交价（A7.19）。"))
    return redirect("sales:deal_detail", deal_id=deal_id)


@staff_required
@require_POST
def deal_refresh(request: HttpRequest, staff: Staff, deal_id: int) -> HttpResponse:
    try:
        services.deal_commission_refresh(actor=staff, deal_id=deal_id)
    except KehuError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message())
    else:
        messages.success(request, _("业绩台账已按最新的归属决定更新。"))
    return redirect("sales:deal_detail", deal_id=deal_id)


# --- the commission ledger ----------------------------------------------------------------------


def _salesperson_param(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("salesperson") or 0) or None
    except ValueError:
        return None


@staff_required
@require_GET
def deal_commission(request: HttpRequest, staff: Staff) -> HttpResponse:
    month_text = request.GET.get("month", "")
    try:
        month = selectors.parse_month(month_text)
    except KehuError as exc:
        messages.error(request, exc.message())
        month = selectors.parse_month("")
    ledger = selectors.commission_ledger(
        staff, month=month, salesperson_id=_salesperson_param(request)
    )
    return render(
        request,
        "sales/deal/ledger.html",
        {
            "ledger": ledger,
            "months": selectors.ledger_months(staff),
            "month_text": month.strftime("%Y-%m"),
            "role_labels": selectors.ROLE_LABELS,
            "section": "commission",
        },
    )


@staff_required
@require_GET
def deal_commission_export(request: HttpRequest, staff: Staff) -> HttpResponse:
    exported = commission_ledger_export(
        viewer=staff,
        month_text=request.GET.get("month", ""),
        salesperson_id=_salesperson_param(request),
        request=request,
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"commission.xlsx\"; filename*=UTF-8''{quote(exported.filename)}"
    )
    return response


# --- A7.19 requests ------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def deal_requests(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The requests the caller may see, the sales manager's queue first, and the request form."""
    may_request = staff_has_perm(staff, services.PERM_ADD)
    initial = {"deal": request.GET.get("deal"), "unit": request.GET.get("unit", "")}
    form = RequestForm(request.POST or None, initial=initial) if may_request else None
    status = 200
    if request.method == "POST":
        if form is None:
            return _error(request, 403, "deal.permission_denied", _("您的岗位无权提出申请。"))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.sales_request_submit(
                    actor=staff,
                    kind=data["kind"],
                    reason=data["reason"],
                    unit=data["unit"],
                    deal_id=data["deal"],
                    discount_amount=data["discount_amount"],
                    discount_percent=data["discount_percent"],
                    new_subscriber=data["new_subscriber"],
                    hold_until=data["hold_until"],
                )
            except KehuError as exc:
                if exc.status in (403, 404):
                    raise
                form.add_error(None, exc.message())
            else:
                messages.success(request, _("申请已提交，等待销售经理审批（A7.19）。"))
                return redirect("sales:deal_request", request_id=row.pk)
    approver = staff_has_perm(staff, services.PERM_APPROVE)
    return render(
        request,
        "sales/deal/requests.html",
        {
            "form": form,
            "queue": list(selectors.requests_for_user(staff, pending=True)) if approver else [],
            "rows": selectors.requests_for_user(staff)[:200],
            "approver": approver,
            "section": "requests",
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def deal_request(request: HttpRequest, staff: Staff, request_id: int) -> HttpResponse:
    row = selectors.request_get_for_user(staff, request_id)
    approver = staff_has_perm(staff, services.PERM_APPROVE)
    decided = getattr(row, "decision", None) is not None
    form = DecideForm(request.POST or None) if approver and not decided else None
    status = 200
    if request.method == "POST":
        if form is None:
            return _error(
                request, 403, "deal.permission_denied", _("该申请已审批，或您的岗位无权审批。")
            )
        status = 400
        if form.is_valid():
            try:
                services.sales_request_decide(
                    actor=staff,
                    request_id=row.pk,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                )
            except KehuError as exc:
                if exc.status == 404:
                    raise
                form.add_error(None, exc.message())
            else:
                messages.success(request, _("已审批。"))
                return redirect("sales:deal_request", request_id=row.pk)
    return render(
        request,
        "sales/deal/request.html",
        {"row": row, "form": form, "section": "requests"},
        status=status,
    )


# --- conduct records ------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def deal_conduct(request: HttpRequest, staff: Staff) -> HttpResponse:
    manager = selectors.may_see_all(staff)
    form = ConductForm(request.POST or None, staff=staff) if manager else None
    status = 200
    if request.method == "POST":
        if form is None:
            return _error(request, 403, "deal.permission_denied", _("您的岗位无权记录违规。"))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.conduct_record(
                    actor=staff,
                    salesperson_id=data["salesperson"].pk,
                    rule_id=data["rule_id"],
                    facts=data["facts"],
                    occurred_at=data["occurred_at"],
                )
            except KehuError as exc:
                if exc.status in (403, 404):
                    raise
                form.add_error(None, exc.message())
            else:
                messages.success(request, _("违规记录已保存（仅作记录，可转交奖惩台账）。"))
                return redirect("sales:deal_conduct_detail", record_id=row.pk)
    return render(
        request,
        "sales/deal/conduct.html",
        {
            "form": form,
            "rows": selectors.conduct_for_user(staff)[:200],
            "manager": manager,
            "section": "conduct",
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def deal_conduct_detail(request: HttpRequest, staff: Staff, record_id: int) -> HttpResponse:
    row = selectors.conduct_get_for_user(staff, record_id)
    manager = selectors.may_see_all(staff)
    forwarded = getattr(row, "forward", None) is not None
    kinds = selectors.conduct_forward_kinds()
    form = ForwardForm(request.POST or None, kinds=kinds) if manager and not forwarded else None
    status = 200
    if request.method == "POST":
        if form is None:
            return _error(
                request, 403, "deal.permission_denied", _("该记录已转交，或您的岗位无权转交。")
            )
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.conduct_forward(
                    actor=staff,
                    record_id=row.pk,
                    kind=data["kind"],
                    low=data["low"],
                    high=data["high"],
                    note=data["note"],
                )
            except KehuError as exc:
                if exc.status == 404:
                    raise
                form.add_error(None, exc.message())
            else:
                messages.success(request, _("已转交奖惩台账，由有权决定的管理人员处理。"))
                return redirect("sales:deal_conduct_detail", record_id=row.pk)
    return render(
        request,
        "sales/deal/conduct_detail.html",
        {"row": row, "form": form, "section": "conduct"},
        status=status,
    )
