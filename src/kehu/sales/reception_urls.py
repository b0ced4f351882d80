"""Pages of the reception flow under /sales/receptions/ (names ``reception_*``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import reception_views as views

urlpatterns: list[URLPattern] = [
    path(
        "customers/<int:customer_id>/decisions/",
        views.reception_decisions,
        name="reception_decisions",
    ),
]
