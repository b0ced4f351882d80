"""Placeholder shell views; the web-shell work replaces these with the real pages."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse


class KehuLoginView(LoginView):
    template_name = "web/login.html"


class KehuLogoutView(LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("kehu")
