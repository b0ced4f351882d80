"""Pages of suspicious-pattern alerts under /sales/alerts/ ("sales" namespace).

- ``/sales/alerts/``              alerts, newest first (open ones marked); run the detector now
- ``/sales/alerts/<id>/``         one alert with its evidence rows; acknowledge with a note
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.sales import alert_selectors as selectors
from kehu.sales import alert_services as services
from kehu.sales.channel_views import staff_view


@staff_view
@require_GET
def alert_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    open_only = request.GET.get("open") == "1"
    alerts = selectors.alerts_for_user(staff, open_only=open_only)[:200]
    return render(
        request,
        "sales/alert/index.html",
        {"alerts": alerts, "open_only": open_only, "section": "alerts"},
    )


@staff_view
@require_POST
def alert_run(request: HttpRequest, staff: Staff) -> HttpResponse:
    created = services.alert_detect(company=staff.company, run_by=staff)
    messages.success(request, _("检测完成：新增 %(n)s 条预警。") % {"n": len(created)})
    return redirect("sales:alert_index")


@staff_view
@require_GET
def alert_detail(request: HttpRequest, staff: Staff, alert_id: int) -> HttpResponse:
    detail = selectors.alert_get_for_user(staff, alert_id)
    return render(request, "sales/alert/detail.html", {"detail": detail, "section": "alerts"})


@staff_view
@require_POST
def alert_acknowledge(request: HttpRequest, staff: Staff, alert_id: int) -> HttpResponse:
    try:
        services.alert_acknowledge(
            actor=staff, alert_id=alert_id, note=request.POST.get("note", "")
        )
        messages.success(request, _("已记录处理说明。"))
    except KehuError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message())
    return redirect("sales:alert_detail", alert_id=alert_id)
