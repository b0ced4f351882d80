from django.urls import path

from kehu.core.calendar import views

app_name = "calendar"

urlpatterns = [
    path("", views.overrides, name="overrides"),
    path("overrides/<int:override_id>/delete/", views.override_delete, name="override_delete"),
    path("import/", views.overrides_import, name="overrides_import"),
    path("years/declare/", views.year_declare, name="year_declare"),
    path("years/<int:year>/withdraw/", views.year_withdraw, name="year_withdraw"),
    path("due/", views.due, name="due"),
]
