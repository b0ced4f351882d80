"""Pages of the sales office's 异常预警（频繁修改、归属频繁变更）.

Under /sales/alerts/ (names ``alert_*``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import alert_views as views

urlpatterns: list[URLPattern] = [
    path("", views.alert_index, name="alert_index"),
    path("run/", views.alert_run, name="alert_run"),
    path("<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
