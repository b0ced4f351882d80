"""Pages of the sales office's 渠道报备（保护期、到访为王）.

Under /sales/channel/ (names ``channel_*``).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import channel_views as views

urlpatterns: list[URLPattern] = [
    path("", views.channel_index, name="channel_index"),
    path("expiring/", views.channel_expiring, name="channel_expiring"),
    path("agents/", views.channel_agents, name="channel_agents"),
    path("<int:report_id>/", views.channel_report, name="channel_report"),
    path("<int:report_id>/confirm/", views.channel_report_confirm, name="channel_report_confirm"),
    path("customers/<int:customer_id>/", views.channel_customer, name="channel_customer"),
]
