"""Pages of the sales office's 异常行为提醒（频繁修改、频繁变更归属）.

Under /sales/alerts/ (names ``alert_*``).
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
