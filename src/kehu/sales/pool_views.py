"""Pages of the public pool (公客池) under /sales/pool/ ("sales" namespace).

- ``/sales/pool/``          the customers in the pool, today's quota, claim buttons; the PM and
                            the sales manager also run the sweep and read the history
- ``/sales/pool/<id>/claim/``  POST: claim a customer
- ``/sales/pool/sweep/``    POST: run the sweep now (PM, sales manager)
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.sales import pool_selectors as selectors
from kehu.sales import pool_services as services
from kehu.sales.channel_views import staff_view


@staff_view
@require_GET
def pool_index(request: HttpRequest, staff: Staff) -> HttpResponse:
    rows = selectors.pool_customers_for_user(staff)
    oversee = selectors.can_oversee(staff)
    history = selectors.pool_history_for_user(staff, limit=30) if oversee else ([], [])
    return render(
        request,
        "sales/pool/index.html",
        {
            "rows": rows,
            "quota": selectors.pool_quota_for(staff),
            "mine": selectors.my_claims_today(staff),
            "can_claim": selectors.can_claim(staff),
            "can_oversee": oversee,
            "returns": history[0],
            "claims": history[1],
            "section": "pool",
        },
    )


@staff_view
@require_POST
def pool_claim(request: HttpRequest, staff: Staff, customer_id: int) -> HttpResponse:
    try:
        claim = services.pool_claim(actor=staff, customer_id=customer_id)
        messages.success(
            request,
            _("已认领 %(name)s（今天第 %(slot)s 个，限额 %(quota)s 个）。")
            % {"name": claim.customer.name, "slot": claim.slot, "quota": claim.quota},
        )
    except KehuError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message())
    return redirect("sales:pool_index")


@staff_view
@require_POST
def pool_sweep(request: HttpRequest, staff: Staff) -> HttpResponse:
    returned = services.pool_sweep(company=staff.company, run_by=staff)
    messages.success(request, _("回收完成：%(n)s 位客户退回公客池。") % {"n": len(returned)})
    return redirect("sales:pool_index")
