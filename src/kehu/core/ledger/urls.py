from django.urls import path

from kehu.core.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.home, name="home"),
    path("verify/", views.verify, name="verify"),
]
