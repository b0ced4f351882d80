"""Web pages for appeals (A4 四.七): 我的申诉, 待我处理的申诉, the appeal with its timeline and
the action forms that apply to the viewer, and the evidence download (access-checked).

Each view makes one selector or service call. A refused action re-renders the appeal with the
reason; an appeal the viewer may not see is "not found".
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_for_user
from kehu.discipline import appeals_selectors as selectors
from kehu.discipline import appeals_services as services
from kehu.discipline.errors import DisciplineError, DisciplineErrorCode
from kehu.discipline.models import AppealEvidence

StaffView = Callable[..., HttpResponseBase]
TEXT_MAX = 5000
ACCEPT = ",".join(sorted(services.EVIDENCE_TYPES))


def staff_required(view: StaffView) -> Callable[..., HttpResponseBase]:
    """Log-in required; the view receives the logged-in ``Staff`` after the request."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        staff = staff_for_user(request.user)
        if staff is None:
            return HttpResponse(_("您的账号未关联在职员工，无法使用申诉功能。"), status=403)
        staff.user = request.user  # type: ignore[assignment]  # reuse its permission cache
        return view(request, staff, *args, **kwargs)

    return wrapper


# --- forms ------------------------------------------------------------------------------------


class AppealCreateForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    statement = forms.CharField(
        label=gettext_lazy("申诉理由"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("对哪一项考核结果有异议，为什么。"),
    )
    evidence_text = forms.CharField(
        label=gettext_lazy("事实依据"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "申诉必须提供具体的事实依据（A4 四.七.3）：在此写明，或在下方上传证明材料，或两者都有。"
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(
        max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceForm(forms.Form):
    text = forms.CharField(
        max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingsForm(forms.Form):
    findings = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


def _files(request: HttpRequest) -> list[Any]:
    return list(request.FILES.getlist("files"))


def _form_error(form: forms.Form) -> DisciplineError:
    first = next(iter(form.errors.values()))[0] if form.errors else ""
    return DisciplineError(
        DisciplineErrorCode.BAD_INPUT,
        _("请检查填写的内容：%(error)s") % {"error": first},
        f"Check the form: {first}",
        status=422,
    )


# --- lists ------------------------------------------------------------------------------------


@staff_required
@require_GET
def appeal_mine(request: HttpRequest, staff: Staff) -> HttpResponse:
    rows = selectors.appeal_rows(selectors.appeals_mine(staff=staff))
    entries = selectors.appeal_entries_appealable(staff=staff)
    return render(request, "discipline/appeals/mine.html", {"rows": rows, "entries": entries})


@staff_required
@require_GET
def appeal_queue(request: HttpRequest, staff: Staff) -> HttpResponse:
    rows = selectors.appeal_rows(selectors.appeals_queue(staff=staff))
    return render(request, "discipline/appeals/queue.html", {"rows": rows})


# --- filing -----------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def appeal_create(request: HttpRequest, staff: Staff) -> HttpResponse:
    entry_id = request.POST.get("entry") or request.GET.get("entry") or ""
    if not entry_id.isdigit():
        # No entry chosen: the list of entries that can be appealed is on 我的申诉.
        return redirect("discipline:appeal_mine")
    entry = selectors.appeal_entry_for_new(staff=staff, entry_id=int(entry_id))
    form = AppealCreateForm(request.POST or None, initial={"entry": entry.pk})
    error = ""
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise _form_error(form)
            appeal = services.appeal_submit(
                appellant=staff,
                entry_id=entry.pk,
                statement=form.cleaned_data["statement"],
                evidence_text=form.cleaned_data["evidence_text"],
                files=_files(request),
            )
        except KehuError as exc:
            if exc.status == 404:
                raise
            error = exc.message()
        else:
            messages.success(request, _("申诉已提交，等待主管领导处理。"))
            return redirect("discipline:appeal_detail", appeal_id=appeal.pk)
    context = {
        "form": form,
        "entry": entry,
        "entry_summary": selectors.entry_summary(entry),
        "supervisor": selectors.appeal_supervisor_for(staff=staff),
        "error": error,
        "accept": ACCEPT,
        "max_mb": services.EVIDENCE_MAX_BYTES // (1024 * 1024),
        "max_files": services.EVIDENCE_MAX_FILES,
    }
    status = 422 if error else 200
    return render(request, "discipline/appeals/create.html", context, status=status)


# --- one appeal -------------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    staff: Staff,
    appeal_id: int,
    *,
    error: str = "",
    failed_action: str = "",
    status: int = 200,
) -> HttpResponse:
    detail = selectors.appeal_detail_for_user(staff=staff, appeal_id=appeal_id)
    context = {
        "detail": detail,
        "appeal": detail.appeal,
        "entry_summary": selectors.entry_summary(detail.appeal.entry),
        "error": error,
        "failed_action": failed_action,
        "posted": request.POST if error else {},
        "accept": ACCEPT,
        "max_mb": services.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "discipline/appeals/detail.html", context, status=status)


@staff_required
@require_GET
def appeal_detail(request: HttpRequest, staff: Staff, appeal_id: int) -> HttpResponse:
    return _detail_page(request, staff, appeal_id)


def _act(
    request: HttpRequest,
    staff: Staff,
    appeal_id: int,
    action: services.AppealAction,
    form: forms.Form,
    call: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    try:
        if not form.is_valid():
            raise _form_error(form)
        call(form.cleaned_data)
    except KehuError as exc:
        if exc.status == 404:
            raise
        return _detail_page(
            request,
            staff,
            appeal_id,
            error=exc.message(),
            failed_action=action.value,
            status=exc.status,
        )
    messages.success(request, done)
    return redirect("discipline:appeal_detail", appeal_id=appeal_id)


@staff_required
@require_POST
def appeal_uphold(request: HttpRequest, staff: Staff, appeal_id: int) -> HttpResponse:
    return _act(
        request,
        staff,
        appeal_id,
        services.AppealAction.UPHOLD,
        ReasonForm(request.POST),
        lambda data: services.appeal_uphold(
            actor=staff, appeal_id=appeal_id, reason=data["reason"]
        ),
        _("已认定申诉成立，原记录已撤销。"),
    )


@staff_required
@require_POST
def appeal_reject(request: HttpRequest, staff: Staff, appeal_id: int) -> HttpResponse:
    return _act(
        request,
        staff,
        appeal_id,
        services.AppealAction.REJECT,
        ReasonForm(request.POST),
        lambda data: services.appeal_reject(
            actor=staff, appeal_id=appeal_id, reason=data["reason"]
        ),
        _("已认定申诉不成立。"),
    )


@staff_required
@require_POST
def appeal_escalate(request: HttpRequest, staff: Staff, appeal_id: int) -> HttpResponse:
    return _act(
        request,
        staff,
        appeal_id,
        services.AppealAction.ESCALATE,
        ReasonForm(request.POST),
        lambda data: services.appeal_escalate(
            actor=staff, appeal_id=appeal_id, reason=data["reason"]
        ),
        _("已向上一级领导申诉，由人力资源部门调查协调。"),
    )


@staff_required
@require_POST
def appeal_withdraw(request: HttpRequest, staff: Staff, appeal_id: int) -> HttpResponse:
    return _act(
        request,
        staff,
        appeal_id,
        services.AppealAction.WITHDRAW,
        NoteForm(request.POST),
        lambda data: services.appeal_withdraw(actor=staff, appeal_id=appeal_id, note=data["note"]),
        _("申诉已撤回。"),
    )


@staff_required
@require_POST
def appeal_evidence_add(request: HttpRequest, staff: Staff, appeal_id: int) -> HttpResponse:
    return _act(
        request,
        staff,
        appeal_id,
        services.AppealAction.ADD_EVIDENCE,
        EvidenceForm(request.POST),
        lambda data: services.appeal_evidence_add(
            actor=staff, appeal_id=appeal_id, text=data["text"], files=_files(request)
        ),
        _("已补充事实依据。"),
    )


@staff_required
@require_POST
def appeal_findings(request: HttpRequest, staff: Staff, appeal_id: int) -> HttpResponse:
    return _act(
        request,
        staff,
        appeal_id,
        services.AppealAction.HR_FINDINGS,
        FindingsForm(request.POST),
        lambda data: services.appeal_findings_record(
            actor=staff, appeal_id=appeal_id, findings=data["findings"], files=_files(request)
        ),
        _("已记录调查意见。"),
    )


# --- evidence files ---------------------------------------------------------------------------


def evidence_file_response(evidence: AppealEvidence) -> FileResponse:
    """The stored file, as a download, after checking it still has its recorded SHA-256."""
    selectors.appeal_evidence_check_intact(evidence)
    name = os.path.basename(evidence.file.name)
    ext = os.path.splitext(name)[1].lower()
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=services.EVIDENCE_TYPES.get(ext, "application/octet-stream"),
    )
    response["X-Content-SHA256"] = evidence.file_sha256
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def appeal_evidence_file(
    request: HttpRequest, staff: Staff, appeal_id: int, evidence_id: int
) -> HttpResponseBase:
    evidence = selectors.appeal_evidence_for_user(
        staff=staff, appeal_id=appeal_id, evidence_id=evidence_id
    )
    return evidence_file_response(evidence)
