"""Pages of the sales office's 旧客户登记本导入（试导入报告）.

Under /sales/import/ (names ``import_*``).
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
