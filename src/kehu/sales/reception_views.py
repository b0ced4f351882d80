"""Pages of the reception flow (案场接待) under /sales/receptions/ ("sales" namespace).

- ``/sales/receptions/<visit>/``        one reception on the desk's tablet: the arrival answer,
  the registration form (identity matching while typing: the book's ``book_match`` partial),
  conflict found, consent, handed back / continued, came for X, found public, end; and the
  ownership decisions (owner, clause, rule IDs with titles, turns, explanation), newest first
- ``/sales/receptions/<visit>/<step>/``  POST of one step; back to the visit page
- ``/sales/receptions/customers/<id>/decisions/``  a customer's ownership decisions (read-only)

The desk's list of today's receptions is on the rotation desk page (``rotation_desk``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kehu.core.customers.models import Customer
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.web.context_processors import request_staff
from kehu.sales import labels, rules
from kehu.sales import reception_selectors as selectors
from kehu.sales import reception_services as services
from kehu.sales.reception_services import ReceptionError
from kehu.sales.registration_forms import LocalDateTimeInput, VisitFieldsForm, aware
from kehu.sales.registration_selectors import desk_matches
from kehu.sales.rotation_selectors import rotation_may_operate

VisitView = Callable[..., HttpResponse]

ARRIVAL_CHOICES: list[tuple[str, Any]] = [
    (rules.Arrival.WALK_IN.value, gettext_lazy("新客户，未点名（按轮排）")),
    (rules.Arrival.ASKED_FOR.value, gettext_lazy("点名找某售楼员（A7.9(2)、A7.12(2)）")),
    (rules.Arrival.PHONE_CUSTOMER.value, gettext_lazy("来电客户，找接电话的售楼员（A7.12）")),
    (rules.Arrival.WITH_OLD_CUSTOMER.value, gettext_lazy("老客户带来的新客户（A7.9(1)）")),
    (rules.Arrival.PUBLIC.value, gettext_lazy("公共客户（A7.6 a–d，A7.7）")),
    (rules.Arrival.GROUP_BUY.value, gettext_lazy("团购客户（A7.18）")),
    (rules.Arrival.COMPANY_REFERRAL.value, gettext_lazy("公司转介（项目经理指派，A1.6）")),
]
PUBLIC_KIND_CHOICES: list[tuple[str, Any]] = [
    (rules.PublicKind.PEER.value, gettext_lazy("a. 明确自己是同行且其他同事知情")),
    (rules.PublicKind.DEVELOPER_GUEST.value, gettext_lazy("b. 甲方领导引领单纯参观")),
    (
        rules.PublicKind.AGENCY_GUEST.value,
        gettext_lazy("c. 乙方营销部领导引领或事先说明情况的特殊客户"),
    ),
    (rules.PublicKind.SOLICITOR.value, gettext_lazy("d. 单纯拉业务而无购房意向，客户主动说明")),
]
TURN_LABELS = {
    "consumed": gettext_lazy("占用接待名额"),
    "not_consumed": gettext_lazy("不占用接待名额"),
    "makeup_earned": gettext_lazy("补接名额一次"),
}
HANDLING_LABELS = {
    rules.Handling.HANDED_BACK.value: gettext_lazy("已交回原售楼员"),
    rules.Handling.CONTINUED.value: gettext_lazy("继续接待"),
}


class RegisterForm(VisitFieldsForm):
    """The book's A7.4 fields; ``customer_id`` comes from the live-match radio buttons (the
    book's ``_matches.html`` partial)."""


def _moment_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("不填为现在"),
    )


def _error_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"status": status, "code": code, "message": message},
        status=status,
    )


def visit_view(view: VisitView) -> Callable[..., HttpResponse]:
    """Log-in required; the view gets the staff member and the visit's id (another company's
    visit: 404; a refusal: the 403 page with the reason)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, visit_id: int) -> HttpResponse:
        staff = request_staff(request)
        if staff is None:
            return _error_page(
                request, 403, "sales.no_staff", _("您的账号未关联在职员工，无法使用案场功能。")
            )
        try:
            return view(request, staff, visit_id)
        except KehuError as error:
            if error.status == 404:
                raise Http404(error.message()) from error
            if error.status == 403:
                return _error_page(request, 403, error.code, error.message())
            raise

    return wrapper


def _back(visit_id: int, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("sales:reception_visit", args=[visit_id])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _when(request: HttpRequest, name: str) -> dt.datetime | None:
    field = _moment_field("")
    try:
        return aware(field.clean(request.POST.get(name) or None))
    except forms.ValidationError:
        raise services.ReceptionError(
            "reception.bad_input", "时间格式有误。", "The time is not valid.", status=422
        ) from None


def _said(request: HttpRequest, done: services.RecordResult, saved: str) -> None:
    if done.redecided is None:
        messages.success(request, saved)
        return
    decision = done.redecided.decision
    messages.success(
        request,
        _("%(saved)s已按记录的事实重新决定归属：%(clause)s。")
        % {"saved": saved, "clause": decision.clause},
    )


# --- the visit page ----------------------------------------------------------------------------


def _decision_view(row: Any, names: dict[str, str]) -> dict[str, Any]:
    def who(owner: dict[str, str] | None) -> str:
        if not owner:
            return "—"
        if owner.get("kind") == "salesperson":
            return names.get(owner.get("salesperson", ""), owner.get("salesperson", ""))
        return str(rules.OWNER_KIND_LABELS[rules.OwnerKind(owner["kind"])])

    return {
        "row": row,
        "owner_before": who(row.owner_before),
        "owner_after": who(row.owner_after),
        "rules": [(rule_id, labels.rule_title(rule_id)) for rule_id in row.rule_ids],
        "explanation": labels.explanation(row.detail or {"explanation_zh": row.explanation_zh}),
        "turns": [
            {
                "name": names.get(str(t.get("salesperson")), t.get("salesperson")),
                "label": TURN_LABELS.get(str(t.get("outcome")), t.get("outcome")),
                "rule_ids": t.get("rule_ids", []),
                "explanation": t.get("explanation_zh", ""),
            }
            for t in row.turn_effects
        ],
        "shares": (row.shares or {}).get("shares", []),
        "fine": (row.detail or {}).get("fine"),
        "flags": [str(rules.FLAG_LABELS.get(rules.Flag(f), f)) for f in row.flags],
    }


def _visit_context(
    request: HttpRequest, staff: Staff, visit_id: int, form: RegisterForm | None = None
) -> dict[str, Any]:
    detail = selectors.visit_detail_for_user(staff=staff, visit_id=visit_id)
    visit = detail.visit
    colleagues = list(selectors.reception_colleagues(staff=staff, site=visit.site))
    names = {str(s.pk): s.name for s in colleagues}
    names.update({str(visit.receiver_id): visit.receiver.name})
    for decision in detail.decisions:
        for turn in decision.turn_effects:
            names.setdefault(str(turn.get("salesperson")), str(turn.get("salesperson")))
    missing = [int(k) for k, v in names.items() if k == v and k.isdigit()]
    if missing:
        names.update(
            {
                str(pk): name
                for pk, name in Staff.objects.filter(
                    company_id=staff.company_id, pk__in=missing
                ).values_list("pk", "name")
            }
        )
    holders = [c.holder for c in detail.conflicts if c.holder is not None]
    return {
        "detail": detail,
        "visit": visit,
        "site": visit.site,
        "arrival_label": dict(ARRIVAL_CHOICES).get(visit.arrival, visit.arrival),
        "public_kind_label": dict(PUBLIC_KIND_CHOICES).get(visit.public_kind, ""),
        "rotation_rules": [
            (rule_id, labels.rule_title(rule_id)) for rule_id in visit.rotation_rule_ids
        ],
        "rotation_explanation": labels.event_explanation(
            visit.rotation_message, visit.rotation_explanation
        ),
        "decisions": [_decision_view(d, names) for d in detail.decisions],
        "handling_now": HANDLING_LABELS.get(detail.handling[-1]["handling"])
        if detail.handling
        else None,
        "form": form or RegisterForm(),
        "matches": [],
        "chosen": None,
        "colleagues": [c for c in colleagues if c.pk != visit.receiver_id],
        "holders": list({h.pk: h for h in holders}.values()),
        "public_kinds": PUBLIC_KIND_CHOICES,
        "may_desk": rotation_may_operate(staff, visit.site),
        "open": visit.ended_at is None,
    }


@visit_view
@require_GET
def reception_visit(request: HttpRequest, staff: Staff, visit_id: int) -> HttpResponse:
    return render(request, "sales/reception/visit.html", _visit_context(request, staff, visit_id))


@visit_view
@require_POST
def reception_register(request: HttpRequest, staff: Staff, visit_id: int) -> HttpResponse:
    form = RegisterForm(request.POST)
    if form.is_valid():
        try:
            done = services.visit_register(
                actor=staff,
                visit_id=visit_id,
                details=form.details(),
                customer_id=_int(request.POST.get("customer_id")),
            )
        except KehuError as error:
            if error.status in (403, 404):
                raise
            form.add_error(None, error.message())
        else:
            messages.success(
                request,
                _("已登记，归属决定：%(clause)s。") % {"clause": done.decision.clause},
            )
            return _back(visit_id, "decision")
    context = _visit_context(request, staff, visit_id, form)
    context["chosen"] = _int(request.POST.get("customer_id"))
    try:
        context["matches"] = desk_matches(
            staff,
            phone=request.POST.get("contact", ""),
            name=request.POST.get("customer_name", ""),
            plate=request.POST.get("plate", ""),
            car_brand=request.POST.get("car_brand", ""),
        )
    except KehuError:
        context["matches"] = []  # a malformed phone: the form says so
    return render(request, "sales/reception/visit.html", context, status=400)


def _step(view: Callable[[HttpRequest, Staff, int], str]) -> Callable[..., HttpResponse]:
    """A one-step POST: the service's refusal shows as a message on the visit page."""

    @visit_view
    @require_POST
    @functools.wraps(view)
    def wrapper(request: HttpRequest, staff: Staff, visit_id: int) -> HttpResponse:
        try:
            anchor = view(request, staff, visit_id)
        except ReceptionError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, error.message())
            return _back(visit_id)
        except KehuError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, error.message())
            return _back(visit_id)
        return _back(visit_id, anchor)

    return wrapper


@_step
def reception_conflict(request: HttpRequest, staff: Staff, visit_id: int) -> str:
    during = request.POST.get("during_reception")
    done = services.conflict_record(
        actor=staff,
        visit_id=visit_id,
        holder_id=_int(request.POST.get("holder_id")) or 0,
        found_at=_when(request, "found_at"),
        during_reception=None if during in (None, "") else during == "1",
        holder_on_site=request.POST.get("holder_on_site") == "1",
        holder_reachable=request.POST.get("holder_reachable") == "1",
        note=request.POST.get("note", ""),
    )
    _said(request, done, _("已记录撞单。"))
    return "decision" if done.redecided else "conflict"


@_step
def reception_consent(request: HttpRequest, staff: Staff, visit_id: int) -> str:
    done = services.consent_record(
        actor=staff,
        visit_id=visit_id,
        holder_id=_int(request.POST.get("holder_id")) or 0,
        given=request.POST.get("given") == "1",
        answered_at=_when(request, "answered_at"),
        note=request.POST.get("note", ""),
    )
    _said(request, done, _("已记录原售楼员的答复。"))
    return "decision" if done.redecided else "conflict"


@_step
def reception_handling(request: HttpRequest, staff: Staff, visit_id: int) -> str:
    done = services.handling_record(
        actor=staff, visit_id=visit_id, handling=request.POST.get("handling", "")
    )
    _said(request, done, _("已记录处理方式。"))
    return "decision" if done.redecided else "conflict"


@_step
def reception_came_for(request: HttpRequest, staff: Staff, visit_id: int) -> str:
    done = services.came_for_record(
        actor=staff, visit_id=visit_id, staff_id=_int(request.POST.get("staff_id")) or 0
    )
    _said(request, done, _("已记录客户表示专程来找的售楼员（A7.9(3)）。"))
    return "decision" if done.redecided else "came-for"


@_step
def reception_public_found(request: HttpRequest, staff: Staff, visit_id: int) -> str:
    done = services.public_found_record(
        actor=staff, visit_id=visit_id, public_kind=request.POST.get("public_kind", "")
    )
    _said(request, done, _("已记录为公共客户（A7.7）。"))
    return "decision" if done.redecided else "public"


@_step
def reception_end(request: HttpRequest, staff: Staff, visit_id: int) -> str:
    services.visit_end(actor=staff, visit_id=visit_id)
    messages.success(request, _("接待结束，接待人恢复空闲（A2.5）。"))
    return ""


@_step
def reception_redecide(request: HttpRequest, staff: Staff, visit_id: int) -> str:
    services.visit_redecide_by_desk(
        actor=staff, visit_id=visit_id, cause=request.POST.get("cause", "desk")
    )
    messages.success(request, _("已按记录的事实重新决定归属。"))
    return "decision"


# --- a customer's decisions -------------------------------------------------------------------


@login_required
@require_GET
def reception_decisions(request: HttpRequest, customer_id: int) -> HttpResponse:
    staff = request_staff(request)
    if staff is None:
        raise Http404
    try:
        rows = list(selectors.decisions_for_customer(staff=staff, customer_id=customer_id))
    except ReceptionError as error:
        raise Http404 from error
    customer = Customer.objects.get(company_id=staff.company_id, pk=customer_id)
    return render(
        request,
        "sales/reception/decisions.html",
        {
            "customer": customer,
            "decisions": [
                (row, labels.explanation(row.detail or {"explanation_zh": row.explanation_zh}))
                for row in rows
            ],
        },
    )
