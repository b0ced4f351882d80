from django.urls import path

from kehu.core.calendar import views

app_name = "calendar"

urlpatterns = [
    path("", views.overrides, name="overrides"),
    path("overrides/<int:override_id>/delete/", views.override_delete, name="override_delete"),
    path("due/", views.due, name="due"),
]
