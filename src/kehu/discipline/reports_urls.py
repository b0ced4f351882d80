"""Pages for customers' hazard and theft reports (A4 五.6).

Included under /discipline/reports/ in the "discipline" namespace (no app_name here), so the
names are ``discipline:report_list`` and so on.
"""

from django.urls import URLPattern, path

from kehu.discipline import reports_views

urlpatterns: list[URLPattern] = [
    path("", reports_views.report_list, name="report_list"),
    path("new/", reports_views.report_receive, name="report_receive"),
    path("export.xlsx", reports_views.report_export, name="report_export"),
    path("<int:report_id>/", reports_views.report_detail, name="report_detail"),
    path("<int:report_id>/verify/", reports_views.report_verify, name="report_verify"),
    path("<int:report_id>/pay/", reports_views.report_pay, name="report_pay"),
    path(
        "<int:report_id>/reveal-identity/",
        reports_views.report_reveal_identity,
        name="report_reveal_identity",
    ),
]
