"""Pages of channel reports (渠道报备) under /sales/channel/ ("sales" namespace).

- ``/sales/channel/``                        reports with their countdowns; a new report form
- ``/sales/channel/expiring/``               reports whose protection ends within N hours
- ``/sales/channel/agents/``                 the PM's list of channel companies and agents
- ``/sales/channel/<id>/``                   one report; the PM confirms the customer's visit
- ``/sales/channel/customers/<id>/``         a customer's channel panel (ownership countdown)

Each view makes one selector or service call; errors come back as a message on the page (bad
input, duplicates) or as 404 (not found, another company) and 403 (the post may not).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.web.context_processors import request_staff
from kehu.sales import channel_rules as rules
from kehu.sales import channel_selectors as selectors
from kehu.sales import channel_services as services

StaffView = Callable[..., HttpResponse]


def staff_view(view: StaffView) -> Callable[..., HttpResponse]:
    """Log-in required; the view gets the ``Staff``. 404 and 403 errors become those pages."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = request_staff(request)
        if staff is None:
            raise Http404
        staff.user = request.user  # type: ignore[assignment]  # reuse its permission cache
        try:
            return view(request, staff, *args, **kwargs)
        except KehuError as exc:
            if exc.status == 404:
                raise Http404(exc.message()) from exc
            if exc.status == 403:
                return render(
                    request,
                    "web/error.html",
                    {"status": 403, "code": exc.code, "message": exc.message()},
                    status=403,
                )
            raise

    return wrapper


def form_moment(raw: str | None) -> dt.datetime | None:
    """A ``datetime-local`` field's value as an aware moment in the office's time zone."""
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@staff_view
@require_http_methods(["GET", "POST"])
def channel_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    if request.method == "POST":
        try:
            report = services.channel_report_create(
                actor=staff,
                agent_id=int(request.POST.get("agent") or 0),
                customer_name=request.POST.get("customer_name", ""),
                phone=request.POST.get("phone", ""),
                note=request.POST.get("note", ""),
            )
        except KehuError as exc:
            if exc.status in (403, 404) and exc.code != "sales.channel.not_found":
                raise
            messages.error(request, exc.message())
            return redirect("sales:channel_index")
        messages.success(
            request,
            _("已报备 %(name)s，保护期至 %(until)s。")
            % {
                "name": report.customer_name,
                "until": f"{timezone.localtime(report.protected_until):%Y-%m-%d %H:%M}",
            },
        )
        return redirect("sales:channel_index")
    status = request.GET.get("status", "")
    rows = selectors.channel_reports_for_user(staff, status=status)
    return render(
        request,
        "sales/channel/index.html",
        {
            "rows": rows,
            "agents": selectors.channel_agents_for_user(staff),
            "status": status,
            "statuses": list(rules.STATUS_LABELS.items()),
            "settings": selectors.sales_settings(staff.company, timezone.now())[0],
            "can_manage": selectors.can_manage(staff),
            "section": "reports",
            "can_report": True,
        },
    )


@staff_view
@require_GET
def channel_expiring(request: HttpRequest, staff: Staff) -> HttpResponse:
    hours = request.GET.get("hours")
    rows, within = selectors.channel_expiring_for_user(
        staff, within_hours=int(hours) if hours and hours.isdigit() else None
    )
    return render(
        request,
        "sales/channel/expiring.html",
        {"rows": rows, "within": within, "section": "expiring", "can_report": True},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def channel_agents(request: HttpRequest, staff: Staff) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "company":
                services.channel_company_add(
                    actor=staff,
                    name=request.POST.get("name", ""),
                    contact_person=request.POST.get("contact_person", ""),
                    phone=request.POST.get("phone", ""),
                )
            elif action in ("leave", "back"):
                services.channel_agent_set_active(
                    actor=staff,
                    agent_id=int(request.POST.get("agent") or 0),
                    active=action == "back",
                )
            else:
                services.channel_agent_add(
                    actor=staff,
                    channel_id=int(request.POST.get("channel") or 0),
                    name=request.POST.get("name", ""),
                    phone=request.POST.get("phone", ""),
                )
            messages.success(request, _("已保存。"))
        except KehuError as exc:
            if exc.status == 403:
                raise
            messages.error(request, exc.message())
        return redirect("sales:channel_agents")
    return render(
        request,
        "sales/channel/agents.html",
        {
            "companies": selectors.channel_companies_for_user(staff),
            "can_manage": selectors.can_manage(staff),
            "section": "agents",
            "can_report": True,
        },
    )


@staff_view
@require_GET
def channel_report(request: HttpRequest, staff: Staff, report_id: int) -> HttpResponse:
    row = selectors.channel_report_get_for_user(staff, report_id)
    return render(
        request, "sales/channel/report.html", {"row": row, "section": "reports", "can_report": True}
    )


@staff_view
@require_POST
def channel_report_confirm(request: HttpRequest, staff: Staff, report_id: int) -> HttpResponse:
    try:
        services.channel_report_visit_confirm(
            actor=staff,
            report_id=report_id,
            visited_at=form_moment(request.POST.get("visited_at")),
        )
        messages.success(request, _("已确认到访。"))
    except KehuError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message())
    return redirect("sales:channel_report", report_id=report_id)


@staff_view
@require_GET
def channel_customer(request: HttpRequest, staff: Staff, customer_id: int) -> HttpResponse:
    channel = selectors.channel_countdown_for_customer(staff, customer_id)
    return render(request, "sales/channel/customer.html", {"channel": channel})
