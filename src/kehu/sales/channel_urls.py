"""Pages of the sales office's 渠道报备（保护期、到访为王）.

Under /sales/channel/ (names ``channel_*``).
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
