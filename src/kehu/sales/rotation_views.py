"""Pages of the rotation (轮排): the wall screen (大屏), the front desk's tablet page and the
project manager's page. Each view makes one selector or service call and arranges the answer;
who may see or do what is the selectors' and services' business.

- ``/sales/rotation/``                       the company's sales offices
- ``/sales/rotation/<site>/board/``          the wall screen; its body reloads itself every 3 s
  (htmx ``hx-trigger="every 3s"`` on ``…/board/live/``). Any logged-in staff member of the
  company may show it: the screen runs under a board account, i.e. a staff login of the company
- ``/sales/rotation/<site>/desk/``           arrivals, reception end, away / back
- ``/sales/rotation/<site>/manage/``         open the day, reorder with a reason, make-ups, history
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Site, Staff
from kehu.core.web.context_processors import request_staff
from kehu.sales import labels, reception_selectors, reception_services, reception_views
from kehu.sales import rotation_rules as rules
from kehu.sales import rotation_selectors as selectors
from kehu.sales import rotation_services as services
from kehu.sales.models.rotation import DutyReason, RotationEvent

SiteView = Callable[..., HttpResponse]
StrOrPromise = str | Promise

POLL_SECONDS = 3
DESK_POLL_SECONDS = 5
STATUS_REASONS: list[tuple[str, StrOrPromise, str]] = [
    (r.value, DutyReason(r.value).label, rules.REASONS[r].status.value)
    for r in (*rules.AWAY_REASONS, *rules.MANUAL_BUSY_REASONS)
]


def _no_staff(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "status": 403,
            "code": "rotation.no_staff",
            "message": _("您的账号未关联在职员工，无法查看轮排。"),
        },
        status=403,
    )


def site_view(view: SiteView) -> Callable[..., HttpResponse]:
    """Login required; the view receives the staff member and the site they may see (another
    company's site: 404)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, site_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = request_staff(request)
        if staff is None:
            return _no_staff(request)
        try:
            site = selectors.rotation_site_get(staff=staff, site_id=site_id)
        except KehuError:
            raise Http404 from None
        return view(request, staff, site, *args, **kwargs)

    return wrapper


def _back(request: HttpRequest, name: str, site: Site, **query: Any) -> HttpResponseRedirect:
    url = reverse(f"sales:{name}", args=[site.pk])
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


def _int(value: object) -> int | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _fail(request: HttpRequest, error: KehuError) -> None:
    rule_ids = error.details.get("rule_ids") if isinstance(error.details, dict) else None
    suffix = (
        f"（{'、'.join(rule_ids)}）" if rule_ids and error.code == "rotation.nobody_free" else ""
    )
    messages.error(request, f"{error.message()}{suffix}")


# --- index -------------------------------------------------------------------------------------


@login_required
@require_GET
def rotation_index(request: HttpRequest) -> HttpResponse:
    staff = request_staff(request)
    if staff is None:
        return _no_staff(request)
    sites = [
        (
            site,
            selectors.rotation_may_operate(staff, site),
            selectors.rotation_may_manage(staff, site),
        )
        for site in selectors.rotation_sites_for(staff)
    ]
    return render(request, "sales/rotation/index.html", {"sites": sites})


# --- the wall screen -------------------------------------------------------------------------


def _board_context(site: Site) -> dict[str, Any]:
    board = selectors.rotation_board(site=site, recent=0)
    rendered_at = timezone.localtime(timezone.now(), selectors.LOCAL_TZ)
    offset = rendered_at.utcoffset()
    return {
        "site": site,
        "board": board,
        "poll_seconds": POLL_SECONDS,
        "rendered_at": rendered_at,
        "utc_offset_minutes": int(offset.total_seconds() // 60) if offset else 0,
    }


@site_view
@require_GET
def rotation_board(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    return render(request, "sales/rotation/board.html", _board_context(site))


@require_GET
def rotation_board_live(request: HttpRequest, site_id: int) -> HttpResponse:
    """The wall screen's body, polled by htmx. A logged-out poll reloads the whole page (which
    then asks to log in) instead of swapping a login form into the board."""
    if not request.user.is_authenticated:
        return HttpResponse(status=200, headers={"HX-Refresh": "true"})
    return _board_live(request, site_id)


@site_view
def _board_live(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    return render(request, "sales/rotation/_board.html", _board_context(site))


# --- the front desk ----------------------------------------------------------------------------


def _desk_context(request: HttpRequest, staff: Staff, site: Site) -> dict[str, Any]:
    board = selectors.rotation_board(site=site, recent=6)
    result = None
    event_id = _int(request.GET.get("event"))
    if event_id is not None:
        result = RotationEvent.objects.filter(
            pk=event_id, day__site=site, company_id=staff.company_id
        ).first()
    visits = reception_selectors.visits_of_day(staff=staff, site=site, on=board.on)
    arrived = None
    visit_id = _int(request.GET.get("visit"))
    if visit_id is not None:
        arrived = next((v for v in visits if v.pk == visit_id), None)
    return {
        "site": site,
        "board": board,
        "result": result,
        "result_explanation": (
            labels.event_explanation(result.detail, result.explanation) if result else ""
        ),
        "arrived": arrived,
        "arrived_explanation": (
            labels.event_explanation(arrived.rotation_message, arrived.rotation_explanation)
            if arrived
            else ""
        ),
        "arrived_rules": [
            (rule_id, labels.rule_title(rule_id)) for rule_id in arrived.rotation_rule_ids
        ]
        if arrived
        else [],
        "visits": visits,
        "arrival_labels": dict(reception_views.ARRIVAL_CHOICES),
        "may_operate": selectors.rotation_may_operate(staff, site),
        "may_manage": selectors.rotation_may_manage(staff, site),
        "desk_kinds": reception_views.ARRIVAL_CHOICES[1:],
        "public_kinds": reception_views.PUBLIC_KIND_CHOICES,
        "colleagues": reception_selectors.reception_colleagues(staff=staff, site=site),
        "status_reasons": STATUS_REASONS,
        "poll_seconds": DESK_POLL_SECONDS,
    }


@site_view
@require_GET
def rotation_desk(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    return render(request, "sales/rotation/desk.html", _desk_context(request, staff, site))


@site_view
@require_GET
def rotation_desk_live(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    return render(request, "sales/rotation/_desk_live.html", _desk_context(request, staff, site))


@site_view
@require_POST
def rotation_desk_arrive(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    """A visitor arrives: a Visit with its receiver and rule (``visit_arrive``); the page then
    shows who receives and why, and the visit among today's receptions."""
    try:
        visit = reception_services.visit_arrive(
            actor=staff,
            site=site,
            arrival=request.POST.get("arrival") or "walk_in",
            named_staff_id=_int(request.POST.get("named_staff_id")),
            public_kind=request.POST.get("public_kind") or "",
            business_card_given=request.POST.get("business_card_given") == "1",
        )
    except KehuError as error:
        _fail(request, error)
        return _back(request, "rotation_desk", site)
    return _back(request, "rotation_desk", site, visit=visit.pk)


@site_view
@require_POST
def rotation_desk_end(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    """End a reception: the salesperson's open visit of today if there is one (``visit_end``),
    else their rotation reception (a reception recorded on the board only)."""
    staff_id = _int(request.POST.get("staff_id")) or 0
    visit_id = _int(request.POST.get("visit_id"))
    try:
        if visit_id is None:
            today = selectors.local_today()
            open_visit = next(
                (
                    v
                    for v in reception_selectors.visits_of_day(staff=staff, site=site, on=today)
                    if v.receiver_id == staff_id and v.ended_at is None
                ),
                None,
            )
            visit_id = open_visit.pk if open_visit else None
        if visit_id is not None:
            visit = reception_services.visit_end(actor=staff, visit_id=visit_id)
            messages.success(
                request,
                _("%(name)s 接待结束，恢复空闲（A2.5）。") % {"name": visit.receiver.name},
            )
            return _back(request, "rotation_desk", site)
        event = services.rotation_reception_end(actor=staff, site=site, staff_id=staff_id)
    except KehuError as error:
        _fail(request, error)
        return _back(request, "rotation_desk", site)
    messages.success(request, event.explanation)
    return _back(request, "rotation_desk", site)


@site_view
@require_POST
def rotation_desk_status(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    reason_code = request.POST.get("reason") or ""
    try:
        reason = rules.Reason(reason_code) if reason_code else None
        status = rules.Status.FREE if reason is None else rules.REASONS[reason].status
        event = services.rotation_status_set(
            actor=staff,
            site=site,
            staff_id=_int(request.POST.get("staff_id")) or 0,
            status=status,
            reason=reason,
            note=(request.POST.get("note") or "")[:500],
        )
    except ValueError:
        messages.error(request, _("请选择原因。"))
        return _back(request, "rotation_desk", site)
    except KehuError as error:
        _fail(request, error)
        return _back(request, "rotation_desk", site)
    messages.success(request, event.explanation)
    return _back(request, "rotation_desk", site)


# --- the project manager ---------------------------------------------------------------------


def _deny(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "status": 403,
            "code": "rotation.permission_denied",
            "message": _("只有项目经理、销售经理和销售总监可以开启和调整轮排（A2.2）。"),
        },
        status=403,
    )


@site_view
@require_GET
def rotation_manage(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    if not selectors.rotation_may_manage(staff, site):
        return _deny(request)
    board = selectors.rotation_board(site=site, recent=0)
    on_roster = {row.staff_id for row in board.rows}
    candidates = selectors.rotation_default_order(site, board.on)
    joining = [s for s in candidates if s.pk not in on_roster]
    return render(
        request,
        "sales/rotation/manage.html",
        {
            "site": site,
            "board": board,
            "candidates": candidates,
            "joining": joining,
            "away_reasons": [(v, label) for v, label, s in STATUS_REASONS if s == "away"],
            "events": selectors.rotation_events(site=site, on=board.on),
        },
    )


@site_view
@require_POST
def rotation_manage_open(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    order, away = _order_from_post(request, "pos")
    try:
        services.rotation_day_open(actor=staff, site=site, order=order, away=away)
    except KehuError as error:
        _fail(request, error)
    else:
        messages.success(request, _("今日轮排已开启。"))
    return _back(request, "rotation_manage", site)


@site_view
@require_POST
def rotation_manage_reorder(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    order, _away = _order_from_post(request, "pos")
    try:
        event = services.rotation_reorder(
            pm=staff, site=site, new_order=order, reason=request.POST.get("reason") or ""
        )
    except KehuError as error:
        _fail(request, error)
    else:
        messages.success(request, event.explanation)
    return _back(request, "rotation_manage", site)


@site_view
@require_POST
def rotation_manage_void(request: HttpRequest, staff: Staff, site: Site) -> HttpResponse:
    try:
        services.rotation_makeup_void(
            pm=staff,
            site=site,
            makeup_id=_int(request.POST.get("makeup_id")) or 0,
            reason=request.POST.get("reason") or "",
        )
    except KehuError as error:
        _fail(request, error)
    else:
        messages.success(request, _("补接名额已作废。"))
    return _back(request, "rotation_manage", site)


def _order_from_post(
    request: HttpRequest, prefix: str
) -> tuple[list[int], dict[int, rules.Reason]]:
    """``pos-<staff id>`` = a place number (blank: not on the rotation) and ``away-<staff id>``
    = an absence reason, from the open and reorder forms; sorted by place, then by id."""
    places: list[tuple[int, int]] = []
    away: dict[int, rules.Reason] = {}
    for key, value in request.POST.items():
        if not key.startswith(f"{prefix}-"):
            continue
        staff_id, place = _int(key.removeprefix(f"{prefix}-")), _int(value)
        if staff_id is None or place is None:
            continue
        places.append((place, staff_id))
        reason = request.POST.get(f"away-{staff_id}") or ""
        if reason in {r.value for r in rules.AWAY_REASONS}:
            away[staff_id] = rules.Reason(reason)
    return [staff_id for _place, staff_id in sorted(places)], away
