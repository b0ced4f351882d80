"""Pages of the sales office's 公客池（未跟进客户回收、每日领取上限）.

Under /sales/pool/ (names ``pool_*``).
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
