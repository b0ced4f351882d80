"""Pages of the reception flow (案场接待) under /sales/receptions/ ("sales" namespace).

- ``/sales/receptions/customers/<id>/decisions/``  a customer's ownership decisions, each with
  its clause, rule IDs, policy version and Chinese explanation (read-only).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kehu.core.customers.models import Customer
from kehu.core.web.context_processors import request_staff
from kehu.sales import reception_selectors as selectors
from kehu.sales.reception_services import ReceptionError


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
        {"customer": customer, "decisions": rows},
    )
