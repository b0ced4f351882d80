"""Pages of the reception flow under /sales/receptions/ (names ``reception_*``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import reception_views as views

urlpatterns: list[URLPattern] = [
    path("<int:visit_id>/", views.reception_visit, name="reception_visit"),
    path("<int:visit_id>/register/", views.reception_register, name="reception_register"),
    path("<int:visit_id>/conflict/", views.reception_conflict, name="reception_conflict"),
    path("<int:visit_id>/consent/", views.reception_consent, name="reception_consent"),
    path("<int:visit_id>/handling/", views.reception_handling, name="reception_handling"),
    path("<int:visit_id>/came-for/", views.reception_came_for, name="reception_came_for"),
    path(
        "<int:visit_id>/public-found/",
        views.reception_public_found,
        name="reception_public_found",
    ),
    path("<int:visit_id>/end/", views.reception_end, name="reception_end"),
    path("<int:visit_id>/redecide/", views.reception_redecide, name="reception_redecide"),
    path(
        "customers/<int:customer_id>/decisions/",
        views.reception_decisions,
        name="reception_decisions",
    ),
]
