"""The legacy-register import pages (旧客户登记本导入), under /sales/import/.

- ``/sales/import/``                the column layout, the template download and the upload form
- ``/sales/import/template.xlsx``   the template
- ``/sales/import/check/``          POST: the dry run; its report, and a confirm button
- ``/sales/import/run/``            POST: the real run of the file the dry run checked

Between the dry run and the confirmation the uploaded file is kept in the user's session
(server-side, database sessions), under a random token; the confirmation sends the token and
the dry run's plan, and the real run is refused if the plan would change (409).
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.sales import import_rules as rules
from kehu.sales import import_services as services
from kehu.sales.registration_views import staff_required

SESSION_KEY = "sales_import_files"
MAX_KEPT = 3  # dry-run files kept per session


class UploadForm(forms.Form):
    site = forms.TypedChoiceField(label=gettext_lazy("导入到项目"), coerce=int)
    file = forms.FileField(label=gettext_lazy("旧客户登记本（Excel .xlsx）"))

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [  # type: ignore[attr-defined]
            (s.pk, s.name) for s in services.import_sites(staff)
        ]


def _layout() -> list[dict[str, str]]:
    return [{"header": h, "en": rules.COLUMN_EN[h]} for h in rules.HEADERS]


def _require(staff: Staff) -> None:
    if not services.import_sites(staff):
        raise services.import_denied()


@staff_required
@require_GET
def import_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    _require(staff)
    return render(
        request,
        "sales/import/index.html",
        {"form": UploadForm(staff=staff), "layout": _layout(), "max_rows": services.MAX_ROWS},
    )


@staff_required
@require_GET
def import_template(request: HttpRequest, staff: Staff) -> HttpResponse:
    _require(staff)
    response = HttpResponse(
        services.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        'attachment; filename="legacy-register-template.xlsx"; '
        "filename*=UTF-8''%E5%AE%A2%E6%88%B7%E7%99%BB%E8%AE%B0%E6%9C%AC%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


def _keep(request: HttpRequest, content: bytes, site: int, name: str) -> str:
    token = secrets.token_urlsafe(16)
    kept: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    while len(kept) >= MAX_KEPT:
        kept.pop(next(iter(kept)))
    kept[token] = {
        "content": base64.b64encode(content).decode("ascii"),
        "site": site,
        "name": name,
    }
    request.session[SESSION_KEY] = kept
    return token


@staff_required
@require_POST
def import_check(request: HttpRequest, staff: Staff) -> HttpResponse:
    _require(staff)
    form = UploadForm(request.POST, request.FILES, staff=staff)
    if not form.is_valid():
        return render(
            request,
            "sales/import/index.html",
            {"form": form, "layout": _layout(), "max_rows": services.MAX_ROWS},
            status=400,
        )
    upload = form.cleaned_data["file"]
    content = upload.read(services.MAX_BYTES + 1)
    site = form.cleaned_data["site"]
    try:
        report = services.legacy_import_check(
            staff=staff, site=site, content=content, file_name=upload.name
        )
    except KehuError as error:
        if error.status != 400:
            raise
        form.add_error("file", error.message())
        return render(
            request,
            "sales/import/index.html",
            {"form": form, "layout": _layout(), "max_rows": services.MAX_ROWS},
            status=400,
        )
    token = _keep(request, content, site, upload.name) if report.accepted else ""
    return render(request, "sales/import/report.html", {"report": report, "token": token})


@staff_required
@require_POST
def import_run(request: HttpRequest, staff: Staff) -> HttpResponse:
    _require(staff)
    token = request.POST.get("token", "")
    kept: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    entry = kept.get(token)
    if entry is None:
        messages.error(request, _("试导入的文件已过期，请重新上传并试导入。"))
        return HttpResponseRedirect(reverse("sales:import_index"))
    try:
        report = services.legacy_import_run(
            staff=staff,
            site=entry["site"],
            content=base64.b64decode(entry["content"]),
            file_name=entry["name"],
            plan=request.POST.get("plan") or None,
            request=request,
        )
    except KehuError as error:
        if error.status not in (400, 409):
            raise
        messages.error(request, error.message())
        return HttpResponseRedirect(reverse("sales:import_index"))
    kept.pop(token, None)
    request.session[SESSION_KEY] = kept
    return render(request, "sales/import/report.html", {"report": report, "token": ""})
