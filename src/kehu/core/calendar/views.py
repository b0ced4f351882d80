"""Web pages: the company calendar (list, add and bulk-import overrides; declare the years the
official data lacks) and a "compute a due time" form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.calendar import selectors, services
from kehu.core.calendar.errors import CalendarImportRejected
from kehu.core.calendar.forms import DeclareForm, DueForm, ImportForm, OverrideForm
from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user


def _staff_or_403(request: HttpRequest) -> Staff | HttpResponse:
    staff = staff_for_user(request.user)
    if staff is None:
        return HttpResponseForbidden(_("此账号不是在职员工，无法使用公司日历。"))
    return staff


def _message(request: HttpRequest, error: KehuError) -> str:
    """The error in the page's language; a refusal (403) is written to the audit trail too,
    as the API does for its 403s."""
    if error.status == 403:
        audit_record(
            action=AuditAction.PERMISSION_DENIED,
            outcome=AuditOutcome.DENIED,
            actor=request.user,
            request=request,
            object_type="path",
            object_id=request.path[:64],
            detail={
                "method": request.method,
                "path": request.path,
                "reason": error.message_en,
                "code": error.code,
            },
        )
    return error.message(get_language())


def _overrides_page(
    request: HttpRequest,
    staff: Staff,
    *,
    form: OverrideForm | None = None,
    import_form: ImportForm | None = None,
    preview: selectors.ImportPreview | None = None,
    status: int = 200,
) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    return render(
        request,
        "calendar/overrides.html",
        {
            "overrides": selectors.calendar_overrides_for_company(company=staff.company, year=year),
            "coverage": selectors.calendar_coverage(company=staff.company),
            "year": year,
            "form": form or OverrideForm(),
            "import_form": import_form or ImportForm(),
            "preview": preview,
            "may_edit": request.user.has_perm(services.EDIT_PERMISSION),
        },
        status=status,
    )


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
            form.add_error(None, _message(request, error))
        else:
            messages.success(request, _("已保存公司日历例外。"))
            return redirect("calendar:overrides")
    return _overrides_page(request, staff, form=form, status=400 if form.errors else 200)


@login_required
@require_POST
def overrides_import(request: HttpRequest) -> HttpResponse:
    """Paste many overrides: ``action=preview`` shows what would happen and saves nothing;
    ``action=import`` saves every line or, if any line is rejected, none."""
    staff = _staff_or_403(request)
    if isinstance(staff, HttpResponse):
        return staff
    import_form = ImportForm(request.POST)
    dry_run = request.POST.get("action") != "import"
    if not import_form.is_valid():
        return _overrides_page(request, staff, import_form=import_form, status=400)
    text = import_form.cleaned_data["text"]
    try:
        preview = services.calendar_overrides_import(
            company=staff.company, text=text, dry_run=dry_run, actor=request.user, request=request
        )
    except CalendarImportRejected as error:
        # Show every line again, read and rejected, so the paste can be corrected in one go.
        import_form.add_error(None, _message(request, error))
        preview = services.calendar_overrides_import(
            company=staff.company, text=text, dry_run=True, actor=request.user, request=request
        )
        return _overrides_page(request, staff, import_form=import_form, preview=preview, status=400)
    except KehuError as error:
        import_form.add_error(None, _message(request, error))
        if error.status == 403:
            raise  # the error page says why (the import form is not shown to non-editors)
        return _overrides_page(request, staff, import_form=import_form, status=400)
    if dry_run:
        return _overrides_page(
            request,
            staff,
            import_form=import_form,
            preview=preview,
            status=200 if preview.ok else 400,
        )
    messages.success(
        request,
        _("已导入：新增 %(created)s 条，替换 %(replaced)s 条，不变 %(unchanged)s 条。")
        % {
            "created": preview.count("create"),
            "replaced": preview.count("replace"),
            "unchanged": preview.count("unchanged"),
        },
    )
    for year in preview.years:
        if not year.official and not year.declared:
            messages.info(
                request,
                _("%(year)s 年不在官方数据中且尚未声明：录入完整后，请在下方声明该年安排。")
                % {"year": year.year},
            )
    return redirect("calendar:overrides")


@login_required
@require_POST
def year_declare(request: HttpRequest) -> HttpResponse:
    staff = _staff_or_403(request)
    if isinstance(staff, HttpResponse):
        return staff
    form = DeclareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要声明的年份。"))
        return redirect("calendar:overrides")
    try:
        declaration = services.calendar_year_declare(
            company=staff.company,
            year=form.cleaned_data["year"],
            note=form.cleaned_data["note"],
            actor=request.user,
            request=request,
        )
    except KehuError as error:
        messages.error(request, _message(request, error))
    else:
        messages.success(
            request,
            _(
                "已声明 %(year)s 年安排已录入完整："
                "该年没有例外的日期按周一至周五上班、周末休息计算。"
            )
            % {"year": declaration.year},
        )
    return redirect("calendar:overrides")


@login_required
@require_POST
def year_withdraw(request: HttpRequest, year: int) -> HttpResponse:
    staff = _staff_or_403(request)
    if isinstance(staff, HttpResponse):
        return staff
    try:
        services.calendar_year_withdraw(
            company=staff.company, year=year, actor=request.user, request=request
        )
    except KehuError as error:
        messages.error(request, _message(request, error))
    else:
        messages.success(request, _("已撤回 %(year)s 年的年度声明。") % {"year": year})
    return redirect("calendar:overrides")


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
        messages.error(request, _message(request, error))
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
            error_message = _message(request, error)
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
