from django.urls import path

from kehu.core.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.policy_index, name="index"),
    path("versions/<int:version_id>/", views.policy_version_detail, name="version"),
    path("<slug:key>/", views.policy_detail, name="detail"),
    path("<slug:key>/edit/", views.policy_edit, name="edit"),
    path("<slug:key>/compare/", views.policy_compare_view, name="compare"),
]
