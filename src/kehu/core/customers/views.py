"""Web pages for customers: list with live search, detail with audited reveals, create form.

Each view makes one selector or service call. Phones and ID numbers are masked on every page;
"显示" posts to a reveal view, which audits the reveal and returns the full value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.customers import selectors, services
from kehu.core.customers.errors import RevealDenied
from kehu.core.customers.forms import ERROR_FIELDS, CustomerCreateForm
from kehu.core.customers.panels import customer_panels
from kehu.core.errors import KehuError, NotFound
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user

PAGE_SIZE = 20

StaffView = Callable[..., HttpResponse]


def staff_required(view: StaffView) -> Callable[..., HttpResponse]:
    """Log-in required; the view receives the logged-in ``Staff`` after the request."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = staff_for_user(request.user)
        if staff is None:
            return HttpResponse(_("您的账号未关联在职员工，无法使用客户功能。"), status=403)
        staff.user = request.user  # type: ignore[assignment]  # reuse its permission cache
        try:
            return view(request, staff, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message()) from exc

    return wrapper


@staff_required
def customer_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    customers = selectors.customer_list_for_user(staff, query=query)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query}
    if getattr(request, "htmx", False):
        return render(request, "customers/_results.html", context)
    return render(request, "customers/list.html", context)


@staff_required
def customer_detail(request: HttpRequest, staff: Staff, customer_id: int) -> HttpResponse:
    detail = selectors.customer_detail_for_user(staff, customer_id)
    panels = [
        render_to_string(panel.template, dict(panel.context), request=request)
        for panel in customer_panels(staff, detail.customer)
    ]
    return render(
        request,
        "customers/detail.html",
        {"detail": detail, "customer": detail.customer, "panels": panels},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = CustomerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(staff=staff, data=form.to_data())
        except KehuError as exc:
            if exc.status == 403:
                return render(
                    request, "customers/denied.html", {"message": exc.message()}, status=403
                )
            form.add_error(ERROR_FIELDS.get(exc.code), exc.message())
        else:
            return redirect("customers:detail", customer_id=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/create.html", {"form": form}, status=status)


def _reveal_response(
    request: HttpRequest,
    *,
    customer_id: int,
    target_id: str,
    value: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "target_id": target_id,
        "value": value,
        "error": error,
        "back_url": reverse("customers:detail", args=[customer_id]),
    }
    if getattr(request, "htmx", False):
        # htmx swaps only 2xx responses, so a refusal is sent as 200 with the message in it.
        return render(request, "customers/_revealed.html", context)
    return render(request, "customers/revealed.html", context, status=status)


@staff_required
@require_POST
def phone_reveal(
    request: HttpRequest, staff: Staff, customer_id: int, phone_id: int
) -> HttpResponse:
    target = f"phone-{phone_id}"
    try:
        revealed = services.customer_phone_reveal(
            staff=staff, customer_id=customer_id, phone_id=phone_id, request=request
        )
    except RevealDenied as exc:
        return _reveal_response(
            request, customer_id=customer_id, target_id=target, error=exc.message(), status=403
        )
    return _reveal_response(
        request, customer_id=customer_id, target_id=target, value=revealed.national
    )


@staff_required
@require_POST
def id_number_reveal(request: HttpRequest, staff: Staff, customer_id: int) -> HttpResponse:
    target = "id-number"
    try:
        id_number = services.customer_id_number_reveal(
            staff=staff, customer_id=customer_id, request=request
        )
    except RevealDenied as exc:
        return _reveal_response(
            request, customer_id=customer_id, target_id=target, error=exc.message(), status=403
        )
    return _reveal_response(request, customer_id=customer_id, target_id=target, value=id_number)
