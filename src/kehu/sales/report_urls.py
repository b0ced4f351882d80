"""Pages of the sales office's 案场报表（轮排公平、来访→成交、撞单、业绩）.

Under /sales/reports/ (names ``report_*``).
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
