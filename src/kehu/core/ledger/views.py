"""Web page: each stream's head, and a "verify now" button that shows the result."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from kehu.core.errors import KehuError
from kehu.core.ledger import selectors
from kehu.core.ledger.errors import LedgerNotStaff
from kehu.core.ledger.selectors import LedgerReport
from kehu.core.org.selectors import staff_for_user


def _denied(request: HttpRequest, error: KehuError) -> HttpResponse:
    return render(
        request,
        "ledger/denied.html",
        {"message": error.message(get_language())},
        status=error.status,
    )


def _page(request: HttpRequest, report: LedgerReport | None) -> HttpResponse:
    staff = staff_for_user(request.user)
    try:
        if staff is None:
            raise LedgerNotStaff()
        if report is None:
            heads = selectors.ledger_heads_for_staff(staff=staff, request=request)
        else:
            heads = selectors.ledger_heads(company=staff.company)
    except KehuError as error:
        return _denied(request, error)
    english = (get_language() or "").startswith("en")
    return render(
        request,
        "ledger/home.html",
        {"heads": heads, "report": report, "english": english},
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, None)


@login_required
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    staff = staff_for_user(request.user)
    try:
        if staff is None:
            raise LedgerNotStaff()
        report = selectors.ledger_verify_for_staff(staff=staff, request=request)
    except KehuError as error:
        return _denied(request, error)
    return _page(request, report)
