"""Pages for customers' hazard and theft reports (A4 五.6): list, receive, detail with verify
and pay, the audited "查看举报人身份" action, the Excel export.

No page shows the reporter's identity except the answer to the reveal action, which only 经理
and 总经理 get and which is audited. The receive form's identity fields are marked sensitive so
Django's error reports never carry them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user
from kehu.discipline import reports_selectors, reports_services
from kehu.discipline.models import (
    HAZARD_SEVERITY_CHOICES,
    CustomerReportKind,
    CustomerReportState,
)
from kehu.discipline.reports_selectors import ReportDetail
from kehu.discipline.reports_services import ReportAccessDenied

PAGE_SIZE = 20
IDENTITY_POST_FIELDS = ("reporter_name", "reporter_phone", "reporter_address")

StaffView = Callable[..., HttpResponse]


def staff_required(view: StaffView) -> Callable[..., HttpResponse]:
    """Log-in required; the view gets the logged-in ``Staff``. A refusal the service has
    already audited becomes the "无权操作" page; "not found" a 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = staff_for_user(request.user)
        if staff is None:
            return HttpResponse(_("您的账号未关联在职员工，无法处理客户举报。"), status=403)
        staff.user = request.user  # type: ignore[assignment]  # reuse its permission cache
        try:
            return view(request, staff, *args, **kwargs)
        except ReportAccessDenied as exc:
            return render(
                request, "discipline/reports/denied.html", {"message": exc.message()}, status=403
            )
        except KehuError as exc:
            if exc.status == 404:
                raise Http404(exc.message()) from exc
            raise

    return wrapper


# --- forms -----------------------------------------------------------------------------------


class ReportReceiveForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("举报类型"), choices=CustomerReportKind.choices)
    reporter_name = forms.CharField(label=gettext_lazy("举报人姓名"), max_length=50)
    reporter_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30)
    reporter_address = forms.CharField(
        label=gettext_lazy("举报人地址"), max_length=200, required=False
    )
    location = forms.CharField(label=gettext_lazy("隐患或盗气地点"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("举报内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("只写隐患或盗气的情况，不要写入举报人的姓名、电话或住址。"),
    )
    own_home = forms.BooleanField(
        label=gettext_lazy("举报人自家的隐患（自家隐患不予奖励）"), required=False
    )

    def to_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReportVerifyForm(forms.Form):
    verified = forms.TypedChoiceField(
        label=gettext_lazy("核实结果"),
        choices=[("1", gettext_lazy("查实")), ("0", gettext_lazy("未查实"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("隐患程度"),
        choices=[("", "—"), *HAZARD_SEVERITY_CHOICES],
        required=False,
    )
    basis_amount = forms.DecimalField(
        label=gettext_lazy("处罚额或追缴气费（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    own_home = forms.BooleanField(label=gettext_lazy("核实为举报人自家隐患"), required=False)
    note = forms.CharField(
        label=gettext_lazy("核实说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("未查实时必填：查了什么、为何不成立。"),
    )


class ReportPayForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("发放情况"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("方式、凭证号、经办人；不要写入举报人身份。"),
    )


_SERVICE_FIELDS = {
    "kind",
    "reporter_name",
    "reporter_phone",
    "reporter_address",
    "location",
    "description",
    "severity",
    "basis_amount",
    "note",
}


def _form_error(form: forms.Form, exc: KehuError) -> None:
    """Show a service's refusal of the input on the form; refusals of the act itself (no
    permission, not found) go on to ``staff_required``."""
    if isinstance(exc, ReportAccessDenied) or exc.status == 404:
        raise exc
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    form.add_error(
        field if field in form.fields and field in _SERVICE_FIELDS else None, exc.message()
    )


# --- pages -----------------------------------------------------------------------------------


@staff_required
@require_GET
def report_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    reports = reports_selectors.customer_report_list_for_user(
        staff, state=state, kind=kind, request=request
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "discipline/reports/list.html",
        {
            "page": page,
            "state": state,
            "kind": kind,
            "states": CustomerReportState.choices,
            "kinds": CustomerReportKind.choices,
            "may_receive": staff.user.has_perm(reports_services.PERM_RECEIVE),
        },
    )


@sensitive_post_parameters(*IDENTITY_POST_FIELDS)
@staff_required
@require_http_methods(["GET", "POST"])
def report_receive(request: HttpRequest, staff: Staff) -> HttpResponse:
    # Posts that may not receive are refused (audited) before any form is shown.
    reports_services.customer_report_receive_require(staff=staff, request=request)
    form = ReportReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = reports_services.customer_report_receive(
                staff=staff, request=request, **form.to_kwargs()
            )
        except KehuError as exc:
            _form_error(form, exc)
        else:
            return redirect("discipline:report_detail", report_id=report.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "discipline/reports/receive.html", {"form": form}, status=status)


def _detail_page(
    request: HttpRequest,
    detail: ReportDetail,
    *,
    verify_form: ReportVerifyForm | None = None,
    pay_form: ReportPayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "discipline/reports/detail.html",
        {
            "detail": detail,
            "report": detail.report,
            "verify_form": verify_form or ReportVerifyForm(),
            "pay_form": pay_form or ReportPayForm(),
        },
        status=status,
    )


@staff_required
@require_GET
def report_detail(request: HttpRequest, staff: Staff, report_id: int) -> HttpResponse:
    detail = reports_selectors.customer_report_detail_for_user(staff, report_id, request=request)
    return _detail_page(request, detail)


@staff_required
@require_POST
def report_verify(request: HttpRequest, staff: Staff, report_id: int) -> HttpResponse:
    form = ReportVerifyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            reports_services.customer_report_verify(
                staff=staff,
                report_id=report_id,
                verified=data["verified"],
                severity=data["severity"] or None,
                basis_amount=data["basis_amount"],
                own_home=data["own_home"],
                note=data["note"],
                request=request,
            )
        except KehuError as exc:
            _form_error(form, exc)
        else:
            return redirect("discipline:report_detail", report_id=report_id)
    detail = reports_selectors.customer_report_detail_for_user(staff, report_id, request=request)
    return _detail_page(request, detail, verify_form=form, status=400)


@staff_required
@require_POST
def report_pay(request: HttpRequest, staff: Staff, report_id: int) -> HttpResponse:
    form = ReportPayForm(request.POST)
    if form.is_valid():
        try:
            reports_services.customer_report_pay(
                staff=staff, report_id=report_id, note=form.cleaned_data["note"], request=request
            )
        except KehuError as exc:
            _form_error(form, exc)
        else:
            return redirect("discipline:report_detail", report_id=report_id)
    detail = reports_selectors.customer_report_detail_for_user(staff, report_id, request=request)
    return _detail_page(request, detail, pay_form=form, status=400)


@staff_required
@require_POST
def report_reveal_identity(request: HttpRequest, staff: Staff, report_id: int) -> HttpResponse:
    """The explicit "查看举报人身份" action: audited, answered with a page that is not cached."""
    identity = reports_services.customer_report_identity_reveal(
        staff=staff, report_id=report_id, request=request
    )
    response = render(
        request,
        "discipline/reports/identity.html",
        {"report_id": report_id, "identity": identity},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_GET
def report_export(request: HttpRequest, staff: Staff) -> HttpResponse:
    export = reports_services.customer_reports_export(
        staff=staff,
        state=request.GET.get("state", ""),
        kind=request.GET.get("kind", ""),
        request=request,
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
