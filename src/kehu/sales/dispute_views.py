"""Pages of the dispute queue and rulings (A7.20) under /sales/disputes/ (names ``dispute_*``).

- ``/sales/disputes/``                      the sales manager's queue (others: their own page)
- ``/sales/disputes/<decision_id>/``        one decision: visit, customer, competing claims with
  the A7.4 keys that matched, provisional owner and clause, facts, disputes; the ruling form
  (sales manager) or the ruling and the decision it produced
- ``/sales/disputes/<decision_id>/raise/``  a salesperson disputes a decision about their customer
- ``/sales/disputes/mine/``                 a salesperson's decisions and disputes

Each view makes one selector or service call; errors come back in the page in Chinese first.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.web.context_processors import request_staff
from kehu.sales import dispute_selectors as selectors
from kehu.sales import dispute_services as services
from kehu.sales.dispute_forms import DisputeForm, RulingForm
from kehu.sales.models.reception import RulingKindChoice

StaffView = Callable[..., HttpResponse]

# Which form field an error code points at.
_RULING_FIELDS: dict[str, str] = {
    "dispute.reason_required": "reason",
    "dispute.kind_invalid": "kind",
    "dispute.no_name_match": "kind",
    "dispute.claim_unknown": "claim_id",
    "dispute.owner_required": "owner",
    "dispute.owner_invalid": "owner",
    "dispute.not_for_award": "kind",
}


def error_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"status": status, "code": code, "message": message},
        status=status,
    )


def staff_page(view: StaffView) -> Callable[..., HttpResponse]:
    """Log-in required; the view gets the ``Staff``. Not found → 404, refused → 403 page."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = request_staff(request)
        if staff is None:
            return error_page(
                request, 403, "sales.no_staff", _("您的账号未关联在职员工，无法使用案场功能。")
            )
        staff.user = request.user  # type: ignore[assignment]  # reuse its permission cache
        try:
            return view(request, staff, *args, **kwargs)
        except KehuError as exc:
            if exc.status == 404:
                raise Http404(exc.message()) from exc
            if exc.status == 403:
                return error_page(request, 403, exc.code, exc.message())
            raise

    return wrapper


@staff_page
@require_GET
def dispute_queue(request: HttpRequest, staff: Staff) -> HttpResponse:
    if not selectors.may_rule(staff):
        return redirect("sales:dispute_mine")
    items = selectors.dispute_queue_for(staff)
    return render(request, "sales/dispute/queue.html", {"items": items})


@staff_page
@require_GET
def dispute_mine(request: HttpRequest, staff: Staff) -> HttpResponse:
    items = selectors.disputes_mine(staff)
    raisable = {i.decision.pk for i in items if i.disputable and not i.disputed_by(staff.pk)}
    return render(request, "sales/dispute/mine.html", {"items": items, "raisable": raisable})


def _facts_text(item: selectors.DisputeItem) -> str:
    facts = item.decision.facts or {}
    return json.dumps(facts, ensure_ascii=False, indent=2, sort_keys=True) if facts else ""


@staff_page
@require_http_methods(["GET", "POST"])
def dispute_detail(request: HttpRequest, staff: Staff, decision_id: int) -> HttpResponse:
    item = selectors.dispute_item_get(staff, decision_id)
    can_rule = selectors.may_rule(staff) and item.open
    form: RulingForm | None = None
    if can_rule:
        form = RulingForm(
            request.POST or None,
            item=item,
            salespeople=list(selectors.salespeople_for_award(staff)),
        )
    if request.method == "POST":
        if not selectors.may_rule(staff):
            return error_page(
                request, 403, "dispute.may_not_rule", _("只有销售经理可以裁决归属争议（A7.20）。")
            )
        if form is None:
            # already ruled (final) or superseded: the service gives the exact reason
            form = RulingForm(request.POST, item=item, salespeople=[])
        if form.is_valid():
            data = form.cleaned_data
            is_award = data["kind"] == RulingKindChoice.AWARD.value
            try:
                done = services.dispute_rule(
                    actor=staff,
                    decision_id=item.decision.pk,
                    kind=data["kind"],
                    reason=data["reason"],
                    claim_id=data.get("claim_id") or "",
                    owner=services.owner_from_choice(data.get("owner") or "") if is_award else None,
                    shares=services.shares_from_input(form.shares_input()) if is_award else (),
                    request=request,
                )
            except KehuError as exc:
                if exc.status in (403, 404):
                    raise
                form.add_error(_RULING_FIELDS.get(exc.code), exc.message())
            else:
                messages.success(request, _ruled_message(done))
                return redirect("sales:dispute_detail", decision_id=item.decision.pk)
    return render(
        request,
        "sales/dispute/detail.html",
        {
            "item": item,
            "form": form,
            "can_rule": can_rule,
            "can_raise": _can_raise(staff, item),
            "facts_text": _facts_text(item),
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _ruled_message(done: services.RulingResult) -> str:
    text = _("裁决已记录，为最终裁决（A7.20）。")
    if done.decision is not None:
        text += _("按裁决重新作出的归属决定：%(clause)s。") % {"clause": done.decision.clause}
    if done.commission_synced:
        text += _("成交业绩已按新决定重新计算。")
    return text


def _can_raise(staff: Staff, item: selectors.DisputeItem) -> bool:
    return not selectors.may_rule(staff) and item.disputable and not item.disputed_by(staff.pk)


@staff_page
@require_http_methods(["GET", "POST"])
def dispute_raise(request: HttpRequest, staff: Staff, decision_id: int) -> HttpResponse:
    item = selectors.dispute_item_get(staff, decision_id)
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_raise(
                actor=staff,
                decision_id=item.decision.pk,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except KehuError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(None, exc.message())
        else:
            messages.success(request, _("异议已提交，等待销售经理裁决（A7.20）。"))
            return redirect("sales:dispute_detail", decision_id=item.decision.pk)
    return render(
        request,
        "sales/dispute/raise.html",
        {"item": item, "form": form},
        status=400 if form.is_bound else 200,
    )
