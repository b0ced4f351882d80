"""Pages of the sales office's 归属争议与裁决（A7.20）and 预先登记（A7.10）.

Under /sales/disputes/ (names ``dispute_*``); pre-registrations under
/sales/disputes/preregistrations/ (names ``prereg_*``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import dispute_views as views
from kehu.sales import prereg_views

urlpatterns: list[URLPattern] = [
    path("", views.dispute_queue, name="dispute_queue"),
    path("mine/", views.dispute_mine, name="dispute_mine"),
    path("<int:decision_id>/", views.dispute_detail, name="dispute_detail"),
    path("<int:decision_id>/raise/", views.dispute_raise, name="dispute_raise"),
    path("preregistrations/", prereg_views.prereg_list, name="prereg_list"),
    path("preregistrations/new/", prereg_views.prereg_new, name="prereg_new"),
]
