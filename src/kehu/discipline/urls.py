"""Pages of the rewards-and-penalties app, mounted at /discipline/ (namespace "discipline").

The appeal pages (``appeals_urls``, names ``appeal_*``) live under /discipline/appeals/ and the
customers' hazard and theft reports (``reports_urls``, names ``report_*``) under
/discipline/reports/, in the same namespace; each is included once its module exists.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.urls import URLPattern, URLResolver, include, path

from kehu.discipline import views

app_name = "discipline"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("me/", views.my_standing, name="me"),
    path("staff/<int:staff_id>/", views.staff_standing, name="staff"),
    path("team/", views.team, name="team"),
    path("record/", views.record, name="record"),
    path("record/fields/", views.record_fields, name="record_fields"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/decide/", views.decide, name="decide"),
    path("report/", views.company_report, name="company_report"),
    path("report/export.xlsx", views.company_report_export, name="company_report_export"),
]

for _prefix, _module in (("appeals/", "appeals_urls"), ("reports/", "reports_urls")):
    _name = f"kehu.discipline.{_module}"
    if importlib.util.find_spec(_name) is not None:
        urlpatterns.append(path(_prefix, include(importlib.import_module(_name).urlpatterns)))
