"""Pages of the sales office's 成交、业绩台账、放盘/转名/折扣申请（A7.17, A7.19）与违规记录.

Under /sales/deals/ (names ``deal_*``). Importing the views imports ``deal_selectors``, which
registers the sales manager's request-queue counter (``sales.approvals``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import deal_views as views

urlpatterns: list[URLPattern] = [
    path("", views.deal_index, name="deal_index"),
    path("new/", views.deal_new, name="deal_new"),
    path("<int:deal_id>/", views.deal_detail, name="deal_detail"),
    path("<int:deal_id>/step/", views.deal_step, name="deal_step"),
    path("<int:deal_id>/discount/", views.deal_discount, name="deal_discount"),
    path("<int:deal_id>/refresh/", views.deal_refresh, name="deal_refresh"),
    path("commission/", views.deal_commission, name="deal_commission"),
    path("commission/export/", views.deal_commission_export, name="deal_commission_export"),
    path("requests/", views.deal_requests, name="deal_requests"),
    path("requests/<int:request_id>/", views.deal_request, name="deal_request"),
    path("conduct/", views.deal_conduct, name="deal_conduct"),
    path("conduct/<int:record_id>/", views.deal_conduct_detail, name="deal_conduct_detail"),
]
