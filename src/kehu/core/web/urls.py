from django.urls import path

from kehu.core.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.KehuLoginView.as_view(), name="login"),
    path("logout/", views.KehuLogoutView.as_view(), name="logout"),
]
