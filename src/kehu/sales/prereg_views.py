"""Pages of pre-registered introductions (A7.10), under /sales/disputes/preregistrations/.

- ``preregistrations/``      the caller's pre-registrations with their validity (names
  ``prereg_list``); the book's keepers see the company's
- ``preregistrations/new/``  register an introduction before the person visits (``prereg_new``)
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.sales import prereg_selectors as selectors
from kehu.sales import prereg_services as services
from kehu.sales.dispute_views import error_page, staff_page
from kehu.sales.prereg_forms import PreRegistrationForm

_FIELDS: dict[str, str] = {
    "prereg.introducer_not_found": "introducer",
    "prereg.introducer_not_yours": "introducer",
    "prereg.salesperson_invalid": "salesperson",
    "prereg.phone_invalid": "contact",
    "prereg.car_incomplete": "plate",
}


@staff_page
@require_GET
def prereg_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    rows = selectors.preregistrations_for_user(staff)
    return render(
        request,
        "sales/prereg/list.html",
        {"rows": rows, "is_keeper": staff_has_perm(staff, services.PERM_BOOK)},
    )


@staff_page
@require_http_methods(["GET", "POST"])
def prereg_new(request: HttpRequest, staff: Staff) -> HttpResponse:
    if not selectors.may_preregister(staff):
        return error_page(
            request, 403, "prereg.not_allowed", _("您的岗位不能预先登记介绍客户（A7.10）。")
        )
    keeper = staff_has_perm(staff, services.PERM_BOOK)
    chosen = None
    if keeper and request.POST.get("salesperson", "").isdigit():
        chosen = (
            selectors.salespeople_for(staff).filter(pk=int(request.POST["salesperson"])).first()
        )
    form = PreRegistrationForm(
        request.POST or None,
        introducers=(
            selectors.introducers_for(staff, chosen)
            if not keeper or chosen
            else selectors.introducers_for_keeper(staff)
        ),
        salespeople=selectors.salespeople_for(staff),
        choose_salesperson=keeper,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.preregistration_record(
                actor=staff,
                introducer_id=data["introducer"].pk,
                person=services.IntroducedPerson(
                    name=data["name"],
                    contact=data["contact"],
                    car_brand=data["car_brand"],
                    plate=data["plate"],
                ),
                note=data["note"],
                salesperson_id=data["salesperson"].pk if data.get("salesperson") else None,
            )
        except KehuError as exc:
            if exc.status in (403, 404) and exc.code not in _FIELDS:
                raise
            form.add_error(_FIELDS.get(exc.code), exc.message())
        else:
            messages.success(
                request,
                _("已预先登记 %(name)s 的介绍；被介绍人来访登记后7天内可认定（A7.10）。")
                % {"name": row.name or row.contact or row.plate},
            )
            return redirect("sales:prereg_list")
    return render(
        request,
        "sales/prereg/form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )
