"""Pages of complaints and the service desk (Part C).

- ``/complaints/``                  the desk: open complaints by stage, coloured by time left
  (customer service); everyone else: what they hold and their department's inbox
- ``/complaints/new/``              take a complaint — any staff member (one-stop, A3)
- ``/complaints/<id>/``             one complaint: deadline and why, history, one-click actions
- ``/complaints/inbox/``            the department's complaints waiting for its result
- ``/complaints/customer/<id>/``    a customer's complaint history
- ``/complaints/dashboard/``        breaches and trends (ECharts) and the Excel export
- ``/complaints/work-orders/``       work orders, completion, callbacks (100%)
- ``/complaints/groups/``            suggested groups, confirmed groups and explanation sessions
- ``/complaints/needs/``             classify needs (A11) and the month's analysis

Each view makes one service or selector call and arranges the answer; ``KehuError`` becomes a
message on the page (or the error page for a 404).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.complaints import export, forms, rules, selectors, services
from kehu.complaints.models import Complaint, ComplaintGroup
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.context_processors import request_staff

StaffView = Callable[..., HttpResponse]

# What the history shows for the events that are not stage actions.
EVENT_LABELS = {
    services.EVENT_RECEIVE: gettext_lazy("受理"),
    services.EVENT_WARNING: gettext_lazy("超时预警"),
    services.EVENT_BREACH: gettext_lazy("超时，催办"),
    services.EVENT_ESCALATE: gettext_lazy("逐级督办"),
    services.EVENT_FINES: gettext_lazy("罚款提议（A8.2）"),
    services.EVENT_GROUPED: gettext_lazy("归并为同一问题"),
    services.EVENT_SESSION: gettext_lazy("统一解释会"),
    services.EVENT_MEETING: gettext_lazy("协调会"),
    services.EVENT_WORK_ORDER: gettext_lazy("生成工单"),
}


def bilingual(pair: tuple[str, str]) -> str:
    """The engine's labels carry both languages: pick the page's."""
    return pair[1] if (get_language() or "").startswith("en") else pair[0]


def _event_label(action: str) -> str:
    if action in EVENT_LABELS:
        return str(EVENT_LABELS[action])
    try:
        return bilingual(rules.ACTION_LABELS[rules.Action(action)])
    except ValueError:
        return action


def _stage_label(stage: str) -> str:
    try:
        return bilingual(rules.STAGE_LABELS[rules.Stage(stage)])
    except ValueError:
        return stage


def staff_required(view: StaffView) -> Callable[..., HttpResponse]:
    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = request_staff(request)
        if staff is None or not staff.active:
            return render(
                request,
                "web/error.html",
                {
                    "status": 403,
                    "code": "complaints.no_staff",
                    "message": _("您的账号未关联在职员工，无法使用投诉功能。"),
                },
                status=403,
            )
        try:
            return view(request, staff, *args, **kwargs)
        except KehuError as error:
            if error.status == 404:
                raise Http404(error.message_zh) from error
            return render(
                request,
                "web/error.html",
                {"status": error.status, "code": error.code, "message": error.message_zh},
                status=error.status,
            )

    return wrapper


def _since(request: HttpRequest) -> dt.datetime:
    try:
        months = max(1, min(int(request.GET.get("months", "12")), 36))
    except ValueError:
        months = 12
    return timezone.now() - dt.timedelta(days=31 * months)


def _rows(complaints: list[Complaint]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [{"c": c, "time": selectors.time_left_class(c, now)} for c in complaints]


@require_GET
@staff_required
def complaint_desk(request: HttpRequest, staff: Staff) -> HttpResponse:
    handles = staff_has_perm(staff, services.HANDLE)
    context: dict[str, Any] = {"handles": handles}
    if handles:
        context["queues"] = [
            {
                "stage": q.stage.value,
                "label": bilingual((q.label_zh, q.label_en)),
                "rows": _rows(q.complaints),
            }
            for q in selectors.desk_queues(staff)
        ]
        context["suggested_groups"] = len(selectors.group_suggestions(staff))
    else:
        held = list(
            selectors.complaints_for_staff(staff)
            .filter(handler=staff)
            .exclude(stage=rules.Stage.CLOSED.value)
            .order_by("due_at")[:100]
        )
        context["held"] = _rows(held)
        context["inbox"] = _rows(list(selectors.department_inbox(staff)[:100]))
    return render(request, "complaints/desk.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def complaint_new(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = forms.ReceiveForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_receive(
                actor=staff,
                channel=data["channel"],
                customer_name=data["customer_name"],
                contact=data["contact"],
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                site_id=data["site"].pk if data["site"] else None,
                place=data["place"],
                own_solution=data["own_solution"],
                leak=data["leak"],
                address=data["address"],
                received_at=data["received_at"],
            )
        except KehuError as error:
            field = (error.details or {}).get("field")
            form.add_error(field if field in form.fields else None, error.message_zh)
        else:
            messages.success(request, _("投诉已受理，请在时限内处理。"))
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return render(request, "complaints/new.html", {"form": form})


def _action_choices(staff: Staff, complaint: Complaint) -> list[dict[str, Any]]:
    allowed = rules.allowed_actions(rules.Profile(complaint.profile), rules.Stage(complaint.stage))
    return [
        {"value": a.value, "label": bilingual(rules.ACTION_LABELS[a])}
        for a in allowed
        if services.may_act(staff, complaint, a)
    ]


@require_GET
@staff_required
def complaint_detail(request: HttpRequest, staff: Staff, complaint_id: int) -> HttpResponse:
    complaint = selectors.complaint_get_for_staff(staff, complaint_id)
    events = list(selectors.complaint_events(complaint))
    explanation = next(
        (
            e.detail.get("explanation_zh")
            for e in reversed(events)
            if e.detail.get("explanation_zh")
        ),
        "",
    )
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "time": selectors.time_left_class(complaint),
            "events": [
                {"e": e, "action": _event_label(e.action), "stage": _stage_label(e.to_stage)}
                for e in events
            ],
            "explanation": explanation,
            "actions": _action_choices(staff, complaint),
            "action_form": forms.ActionForm(staff=staff),
            "handles": staff_has_perm(staff, services.HANDLE),
            "meeting_form": forms.MeetingForm(),
            "need_form": forms.NeedForm(),
            "meetings": complaint.meetings.all(),
            "work_orders": complaint.work_orders.all(),
        },
    )


@require_POST
@staff_required
def complaint_action(request: HttpRequest, staff: Staff, complaint_id: int) -> HttpResponse:
    selectors.complaint_get_for_staff(staff, complaint_id)
    form = forms.ActionForm(request.POST, staff=staff)
    if not form.is_valid():
        messages.error(
            request,
            _("请检查填写的内容：")
            + "; ".join(
                f"{field}: {', '.join(str(e) for e in errs)}" for field, errs in form.errors.items()
            ),
        )
        return redirect("complaints:detail", complaint_id=complaint_id)
    data = form.cleaned_data
    try:
        services.complaint_act(
            actor=staff,
            complaint_id=complaint_id,
            action=data["action"],
            note=data["note"],
            department_id=data["department"].pk if data["department"] else None,
            handler_id=data["handler"].pk if data["handler"] else None,
            agreed_date=data["agreed_date"],
        )
    except KehuError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message_zh)
    else:
        messages.success(
            request,
            _("已办理：%(action)s")
            % {"action": bilingual(rules.ACTION_LABELS[rules.Action(data["action"])])},
        )
    return redirect("complaints:detail", complaint_id=complaint_id)


@require_POST
@staff_required
def complaint_meeting(request: HttpRequest, staff: Staff, complaint_id: int) -> HttpResponse:
    form = forms.MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_record(actor=staff, complaint_id=complaint_id, **form.cleaned_data)
        except KehuError as error:
            if error.status == 404:
                raise
            messages.error(request, error.message_zh)
        else:
            messages.success(request, _("协调会已记录。"))
    else:
        messages.error(request, _("请填写时间、参加部门和会议记录。"))
    return redirect("complaints:detail", complaint_id=complaint_id)


@require_GET
@staff_required
def complaint_inbox(request: HttpRequest, staff: Staff) -> HttpResponse:
    rows = _rows(list(selectors.department_inbox(staff)[:200]))
    return render(request, "complaints/inbox.html", {"rows": rows})


@require_GET
@staff_required
def customer_history(request: HttpRequest, staff: Staff, customer_id: int) -> HttpResponse:
    rows = _rows(list(selectors.customer_history(staff, customer_id)[:200]))
    return render(request, "complaints/customer.html", {"rows": rows, "customer_id": customer_id})


@require_GET
@staff_required
def complaint_dashboard(request: HttpRequest, staff: Staff) -> HttpResponse:
    since = _since(request)
    board = selectors.dashboard(staff, since=since)
    months = [m["month"] for m in board.by_month]
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("受理"), _("曾超时")]},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": _("受理"), "type": "bar", "data": [m["received"] for m in board.by_month]},
            {"name": _("曾超时"), "type": "line", "data": [m["breached"] for m in board.by_month]},
        ],
    }
    stages = [
        {"label": bilingual(rules.STAGE_LABELS[s]), "count": board.by_stage.get(s.value, 0)}
        for s in rules.OPEN_STAGES
    ]
    return render(
        request,
        "complaints/dashboard.html",
        {
            "board": board,
            "chart": chart,
            "stages": stages,
            "months": request.GET.get("months", "12"),
        },
    )


@require_GET
@staff_required
def complaint_export(request: HttpRequest, staff: Staff) -> HttpResponse:
    name, content = export.complaints_export(staff=staff, since=_since(request), request=request)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def work_orders(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = forms.WorkOrderForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.work_order_open(
                actor=staff,
                kind=data["kind"],
                customer_name=data["customer_name"],
                contact=data["contact"],
                address=data["address"],
                description=data["description"],
                assignee_id=data["assignee"].pk if data["assignee"] else None,
            )
        except KehuError as error:
            messages.error(request, error.message_zh)
        else:
            messages.success(request, _("工单已开出。"))
            return redirect("complaints:work_orders")
    rows = selectors.work_orders_for_staff(staff).order_by("status", "-urgent", "-created_at")[:200]
    return render(
        request,
        "complaints/work_orders.html",
        {"form": form, "rows": rows, "callback_form": forms.CallbackForm()},
    )


@require_POST
@staff_required
def work_order_complete(request: HttpRequest, staff: Staff, order_id: int) -> HttpResponse:
    try:
        services.work_order_complete(actor=staff, work_order_id=order_id)
    except KehuError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message_zh)
    else:
        messages.success(request, _("工单已完成，等待回访。"))
    return redirect("complaints:work_orders")


@require_POST
@staff_required
def work_order_callback(request: HttpRequest, staff: Staff, order_id: int) -> HttpResponse:
    form = forms.CallbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择客户是否满意。"))
        return redirect("complaints:work_orders")
    try:
        callback = services.callback_record(
            actor=staff, work_order_id=order_id, **form.cleaned_data
        )
    except KehuError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message_zh)
    else:
        if callback.satisfied:
            messages.success(request, _("回访完成，工单关闭。"))
        else:
            messages.warning(request, _("客户不满意：工单已重新打开。"))
    return redirect("complaints:work_orders")


@require_GET
@staff_required
def groups(request: HttpRequest, staff: Staff) -> HttpResponse:
    suggestions = [
        {
            "ids": ",".join(str(c.pk) for c in group),
            "complaints": group,
            "form": forms.GroupForm(initial={"complaint_ids": ",".join(str(c.pk) for c in group)}),
        }
        for group in selectors.group_suggestions(staff)
    ]
    confirmed = ComplaintGroup.objects.filter(company_id=staff.company_id).prefetch_related(
        "complaints", "sessions"
    )[:50]
    return render(
        request,
        "complaints/groups.html",
        {
            "suggestions": suggestions,
            "confirmed": confirmed,
            "handles": staff_has_perm(staff, services.HANDLE),
        },
    )


@require_POST
@staff_required
def group_confirm(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = forms.GroupForm(request.POST)
    if form.is_valid():
        try:
            services.group_confirm(
                actor=staff,
                complaint_ids=form.cleaned_data["complaint_ids"],
                title=form.cleaned_data["title"],
            )
        except KehuError as error:
            messages.error(request, error.message_zh)
        else:
            messages.success(request, _("已归并为同一问题，可安排统一解释。"))
    else:
        messages.error(request, _("请写明共同的问题。"))
    return redirect("complaints:groups")


@require_http_methods(["GET", "POST"])
@staff_required
def group_session(request: HttpRequest, staff: Staff, group_id: int) -> HttpResponse:
    group = ComplaintGroup.objects.filter(company_id=staff.company_id, pk=group_id).first()
    if group is None:
        raise Http404
    members = list(group.complaints.all())
    form = forms.SessionForm(request.POST or None)
    attended = form.fields["attended"]
    assert isinstance(attended, django_forms.MultipleChoiceField)
    attended.choices = [(str(c.pk), f"{c.customer_name}（{c.subject}）") for c in members]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_record(
                actor=staff,
                group_id=group.pk,
                held_at=data["held_at"],
                location=data["location"],
                explanation=data["explanation"],
                attended_complaint_ids=[int(x) for x in data["attended"]],
            )
        except KehuError as error:
            messages.error(request, error.message_zh)
        else:
            messages.success(request, _("统一解释会已记录。"))
            return redirect("complaints:groups")
    return render(
        request,
        "complaints/session.html",
        {"group": group, "members": members, "form": form, "sessions": group.sessions.all()},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def needs(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = forms.NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint_id = request.POST.get("complaint_id")
            need = services.need_record(
                actor=staff,
                complaint_id=int(complaint_id) if complaint_id else None,
                **form.cleaned_data,
            )
        except (KehuError, ValueError) as error:
            messages.error(request, getattr(error, "message_zh", str(error)))
        else:
            unit = bilingual(rules.NEED_UNIT_LABELS[rules.NeedUnit(need.routed_to)])
            messages.success(request, _("已记录，转%(unit)s处理（A11）。") % {"unit": unit})
            if complaint_id:
                return redirect("complaints:detail", complaint_id=int(complaint_id))
            return redirect("complaints:needs")
    analysis = None
    if selectors.sees_all(staff):
        try:
            month = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError:
            month = timezone.localdate().replace(day=1)
        analysis = selectors.needs_analysis(staff, month=month)
    return render(
        request,
        "complaints/needs.html",
        {
            "form": form,
            "analysis": analysis,
            "class_labels": {k.value: bilingual(v) for k, v in rules.NEED_CLASS_LABELS.items()},
            "unit_labels": {k.value: bilingual(v) for k, v in rules.NEED_UNIT_LABELS.items()},
            "topics": rules.NEED_TOPICS,
            "detail_url": reverse("complaints:needs"),
        },
    )
