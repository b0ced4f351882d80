"""Pages of the sales office's 成交、业绩台账、放盘/转名/折扣申请（A7.17, A7.19）与违规记录.

Under /sales/deals/ (names ``deal_*``).
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
