"""What the customer-report tests share: the cast, a reporter, and a URLconf.

The URLconf mounts the report pages under /discipline/reports/ (namespace "discipline") and the
report API under /api/v1/discipline/customer-reports/, where kehu.urls and kehu.api mount them,
so the tests do not depend on that wiring. It holds no tests.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.core.web.api_support import (
    BearerTokenAuth,
    KehuJSONRenderer,
    StaffSessionAuth,
    install_error_handlers,
)
from kehu.discipline import reports_admin as _reports_admin  # registers the admin
from kehu.discipline import reports_api, reports_services
from kehu.discipline.models import CustomerReport

assert _reports_admin.CustomerReportAdmin

URLCONF = __name__
PAGES = "/discipline/reports/"
API = "/api/v1/discipline/customer-reports/"

# The reporter: none of these may appear anywhere but the audited reveal.
NAME = "张秀英"
PHONE = "13912345678"
ADDRESS = "幸福里小区7栋302室"
SECRETS = (NAME, PHONE, "139 1234 5678", ADDRESS)

test_api = NinjaAPI(
    title="customer reports (test mount)",
    urls_namespace="customer_reports_test_api",
    auth=[BearerTokenAuth(), StaffSessionAuth()],
    renderer=KehuJSONRenderer(),
    docs_url=None,
    openapi_url="/customer-reports-openapi.json",
)
install_error_handlers(test_api)
test_api.add_router("/discipline/customer-reports/", reports_api.router)

# Only what the report pages and base.html need, so that other discipline pages being built
# at the same time cannot break these tests.
urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),  # built here: the report admin registers on import above
    path("api/v1/", test_api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "discipline/",
        include(([path("reports/", include("kehu.discipline.reports_urls"))], "discipline")),
    ),
    path("", include("kehu.core.web.urls")),
]
handler403 = "kehu.core.web.views.permission_denied"
handler404 = "kehu.core.web.views.page_not_found"
handler500 = "kehu.core.web.views.server_error"


@dataclasses.dataclass
class Team:
    """Who does what with reports at 华东置业, plus an outsider at 西湖燃气."""

    hotline: Staff  # 热线员: receives
    auditor: Staff  # 稽查员: receives and verifies, may not see the reporter
    deputy: Staff  # 副经理: verifies, may not see the reporter
    manager: Staff  # 经理: everything, including the reporter
    general_manager: Staff  # 总经理: verifies and sees the reporter
    salesperson: Staff  # 售楼员: nothing to do with reports
    outsider_manager: Staff  # 西湖燃气's 经理: everything, but only in their company


def make_team(cast: Any, east: Company, west: Company) -> Team:
    return Team(
        hotline=cast.staff(east, "热线小周", Post.HOTLINE_OPERATOR),
        auditor=cast.staff(east, "稽查老吴", Post.AUDITOR),
        deputy=cast.staff(east, "郑副经理", Post.DEPUTY_MANAGER),
        manager=cast.staff(east, "孙经理", Post.MANAGER),
        general_manager=cast.staff(east, "钱总", Post.GENERAL_MANAGER),
        salesperson=cast.staff(east, "李明", Post.SALESPERSON),
        outsider_manager=cast.staff(west, "冯经理", Post.MANAGER),
    )


def receive(staff: Staff, kind: str = "hazard", **extra: Any) -> CustomerReport:
    data: dict[str, Any] = {
        "kind": kind,
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "reporter_address": ADDRESS,
        "location": "幸福里小区5栋楼道" if kind == "hazard" else "幸福里小区9栋101室",
        "description": "楼道燃气立管锈蚀，有气味" if kind == "hazard" else "疑似绕表用气",
        "own_home": False,
    }
    data.update(extra)
    return reports_services.customer_report_receive(staff=staff, **data)


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def assert_no_secret(text: str, where: str = "") -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in {where}"
