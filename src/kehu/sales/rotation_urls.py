"""Pages of the rotation (轮排) under /sales/rotation/, in the "sales" namespace (names
``rotation_*``); ``kehu.sales.urls`` includes them."""

from __future__ import annotations

from django.urls import URLPattern, path

from kehu.sales import rotation_views as views

urlpatterns: list[URLPattern] = [
    path("", views.rotation_index, name="rotation_index"),
    path("<int:site_id>/board/", views.rotation_board, name="rotation_board"),
    path("<int:site_id>/board/live/", views.rotation_board_live, name="rotation_board_live"),
    path("<int:site_id>/desk/", views.rotation_desk, name="rotation_desk"),
    path("<int:site_id>/desk/live/", views.rotation_desk_live, name="rotation_desk_live"),
    path("<int:site_id>/desk/arrive/", views.rotation_desk_arrive, name="rotation_desk_arrive"),
    path("<int:site_id>/desk/end/", views.rotation_desk_end, name="rotation_desk_end"),
    path("<int:site_id>/desk/status/", views.rotation_desk_status, name="rotation_desk_status"),
    path("<int:site_id>/manage/", views.rotation_manage, name="rotation_manage"),
    path("<int:site_id>/manage/open/", views.rotation_manage_open, name="rotation_manage_open"),
    path(
        "<int:site_id>/manage/reorder/",
        views.rotation_manage_reorder,
        name="rotation_manage_reorder",
    ),
    path("<int:site_id>/manage/void/", views.rotation_manage_void, name="rotation_manage_void"),
]
