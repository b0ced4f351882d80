"""Pages of the sales office's 案场报表（轮排公平、来访→成交、撞单、业绩）.

Under /sales/reports/ (names ``report_*``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import report_views as views

urlpatterns: list[URLPattern] = [
    path("", views.report_index, name="report_index"),
    path("export/<str:kind>.xlsx", views.report_export, name="report_export"),
]
