"""Web pages: the company calendar (list and add overrides) and a "compute a due time" form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.calendar import selectors, services
from kehu.core.calendar.forms import DueForm, OverrideForm
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user


def _staff_or_403(request: HttpRequest) -> Staff | HttpResponse:
    staff = staff_for_user(request.user)
    if staff is None:
        return HttpResponseForbidden(_("此账号不是在职员工，无法使用公司日历。"))
    return staff


def _message(error: KehuError) -> str:
    return error.message(get_language())


@login_required
def overrides(request: HttpRequest) -> HttpResponse:
    staff = _staff_or_403(request)
    if isinstance(staff, HttpResponse):
        return staff
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_override_set(
                company=staff.company,
                date=form.cleaned_data["date"],
                is_working_day=form.cleaned_data["is_working_day"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except KehuError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("已保存公司日历例外。"))
            return redirect("calendar:overrides")
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    return render(
        request,
        "calendar/overrides.html",
        {
            "overrides": selectors.calendar_overrides_for_company(company=staff.company, year=year),
            "coverage": selectors.calendar_coverage(company=staff.company),
            "year": year,
            "form": form,
            "may_edit": request.user.has_perm(services.EDIT_PERMISSION),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def override_delete(request: HttpRequest, override_id: int) -> HttpResponse:
    staff = _staff_or_403(request)
    if isinstance(staff, HttpResponse):
        return staff
    try:
        services.calendar_override_delete(
            company=staff.company, override_id=override_id, actor=request.user, request=request
        )
    except KehuError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("已删除公司日历例外。"))
    return redirect("calendar:overrides")


@login_required
def due(request: HttpRequest) -> HttpResponse:
    staff = _staff_or_403(request)
    if isinstance(staff, HttpResponse):
        return staff
    form = DueForm(request.GET or None)
    decision = None
    error_message = ""
    if form.is_valid():
        try:
            decision = selectors.due_at_for_company(
                company=staff.company,
                start=form.cleaned_data["start"],
                amount=form.cleaned_data["amount"],
                unit=form.cleaned_data["unit"],
            )
        except KehuError as error:
            error_message = _message(error)
    english = (get_language() or "").startswith("en")
    return render(
        request,
        "calendar/due.html",
        {
            "form": form,
            "decision": decision,
            "explanation": (
                (decision.explanation_en if english else decision.explanation_zh)
                if decision
                else ""
            ),
            "english": english,
            "error_message": error_message,
        },
    )
