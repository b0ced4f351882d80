"""kehu's URLs plus a few views that fail on purpose, for the error-handling tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI, Schema

from kehu.core.errors import KehuError
from kehu.core.web.api_support import (
    BearerTokenAuth,
    KehuJSONRenderer,
    StaffSessionAuth,
    install_error_handlers,
    request_require_perm,
)
from kehu.urls import handler403, handler404, handler500
from kehu.urls import urlpatterns as kehu_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def forbidden_view(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("只有销售经理可以查阅客户登记本（A1.2）")


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internals: password=hunter2")


probe_api = NinjaAPI(
    title="probe",
    urls_namespace="probe_api",
    auth=[BearerTokenAuth(), StaffSessionAuth()],
    renderer=KehuJSONRenderer(),
    docs_url=None,
)
install_error_handlers(probe_api)


class EchoIn(Schema):
    name: str
    amount: int


@probe_api.post("/echo")
def echo(request: HttpRequest, payload: EchoIn) -> dict[str, object]:
    return {"name": payload.name, "amount": payload.amount}


@probe_api.get("/kehu-error")
def kehu_error(request: HttpRequest) -> dict[str, object]:
    raise KehuError(
        "probe.year_not_covered",
        "2031 年的工作日历尚未维护。",
        "The working calendar does not cover 2031 yet.",
        status=409,
        details={"year": 2031},
    )


@probe_api.get("/boom")
def boom(request: HttpRequest) -> dict[str, object]:
    raise RuntimeError("secret internals: password=hunter2")


@probe_api.get("/needs-perm")
def needs_perm(request: HttpRequest) -> dict[str, object]:
    staff = request_require_perm(request, "customers.view_all_customers")
    return {"name": staff.name}


@probe_api.get("/forbidden")
def forbidden(request: HttpRequest) -> dict[str, object]:
    raise PermissionDenied("nope")


urlpatterns = [
    path("test/forbidden/", forbidden_view),
    path("test/broken/", broken_view),
    path("api/probe/", probe_api.urls),
    *kehu_urlpatterns,
]
