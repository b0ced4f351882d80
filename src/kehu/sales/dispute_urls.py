"""Pages of the sales office's 归属争议与裁决（A7.20）.

Under /sales/disputes/ (names ``dispute_*``).
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
