from django.contrib import admin
from django.urls import include, path

from kehu.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("calendar/", include("kehu.core.calendar.urls")),
    path("customers/", include("kehu.core.customers.urls")),
    path("ledger/", include("kehu.core.ledger.urls")),
    path("policy/", include("kehu.core.policy.urls")),
    path("discipline/", include("kehu.discipline.urls")),
    path("sales/", include("kehu.sales.urls")),
    path("complaints/", include("kehu.complaints.urls")),
    path("", include("kehu.core.web.urls")),
]

# Chinese error pages; a 403 is also written to the audit trail. Under /api/ they answer JSON
# in the API's error format.
handler403 = "kehu.core.web.views.permission_denied"
handler404 = "kehu.core.web.views.page_not_found"
handler500 = "kehu.core.web.views.server_error"
