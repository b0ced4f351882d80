"""Pages of the sales office's 旧客户登记本导入（试导入报告）.

Under /sales/import/ (names ``import_*``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import import_views as views

urlpatterns: list[URLPattern] = [
    path("", views.import_index, name="import_index"),
    path("template.xlsx", views.import_template, name="import_template"),
    path("check/", views.import_check, name="import_check"),
    path("run/", views.import_run, name="import_run"),
]
