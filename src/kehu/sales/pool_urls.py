"""Pages of the sales office's 公客池（无跟进回收、每日认领限额）.

Under /sales/pool/ (names ``pool_*``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import pool_views as views

urlpatterns: list[URLPattern] = [
    path("", views.pool_index, name="pool_index"),
    path("sweep/", views.pool_sweep, name="pool_sweep"),
    path("<int:customer_id>/claim/", views.pool_claim, name="pool_claim"),
]
