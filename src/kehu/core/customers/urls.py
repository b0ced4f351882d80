from django.urls import path

from kehu.core.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path(
        "<int:customer_id>/phones/<int:phone_id>/reveal/",
        views.phone_reveal,
        name="phone_reveal",
    ),
    path("<int:customer_id>/id-number/reveal/", views.id_number_reveal, name="id_number_reveal"),
]
