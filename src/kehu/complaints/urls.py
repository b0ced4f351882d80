"""Pages of complaints and the service desk under /complaints/ (names ``complaints:*``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.complaints import views

app_name = "complaints"

urlpatterns: list[URLPattern] = [
    path("", views.complaint_desk, name="desk"),
    path("new/", views.complaint_new, name="new"),
    path("inbox/", views.complaint_inbox, name="inbox"),
    path("dashboard/", views.complaint_dashboard, name="dashboard"),
    path("dashboard/export/", views.complaint_export, name="export"),
    path("customer/<int:customer_id>/", views.customer_history, name="customer"),
    path("work-orders/", views.work_orders, name="work_orders"),
    path("work-orders/<int:order_id>/complete/", views.work_order_complete, name="wo_complete"),
    path("work-orders/<int:order_id>/callback/", views.work_order_callback, name="wo_callback"),
    path("groups/", views.groups, name="groups"),
    path("groups/confirm/", views.group_confirm, name="group_confirm"),
    path("groups/<int:group_id>/session/", views.group_session, name="group_session"),
    path("needs/", views.needs, name="needs"),
    path("<int:complaint_id>/", views.complaint_detail, name="detail"),
    path("<int:complaint_id>/action/", views.complaint_action, name="action"),
    path("<int:complaint_id>/meeting/", views.complaint_meeting, name="meeting"),
]
