"""The web shell: login and logout, the home page per post, and the error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from kehu.core.web.api_support import (
    NOT_FOUND,
    PERMISSION_DENIED,
    SERVER_ERROR,
    audit_permission_denied,
    error_json,
)
from kehu.core.web.context_processors import request_staff
from kehu.core.web.queues import queue_states_for_staff

logger = logging.getLogger("kehu.web")


class KehuAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "用户名或密码不正确（区分大小写）。连续输错 %(limit)s 次后，账户将被暂时锁定。"
        ),
        "inactive": _("此账户已停用，请联系系统管理员。"),
    }

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


class KehuLoginView(LoginView):
    template_name = "web/login.html"
    authentication_form = KehuAuthenticationForm
    redirect_authenticated_user = True


class KehuLogoutView(LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("您已退出登录。"))
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    staff = request_staff(request)
    if staff is None:
        # Superusers and bare accounts have no post and no queues; the admin is their place.
        return render(request, "web/home_no_staff.html")
    return render(
        request,
        "web/home.html",
        {"queues": queue_states_for_staff(staff=staff), "member": staff},
    )


# --- error pages (wired as handler403/404/500 and CSRF_FAILURE_VIEW) ---------------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception is not None and str(exception) else ""
    audit_permission_denied(request, reason, "permission_denied")
    if _wants_json(request):
        return error_json(PERMISSION_DENIED)
    return render(request, "403.html", {"reason": reason}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    audit_permission_denied(request, f"CSRF: {reason}", "csrf_failed")
    return render(request, "web/csrf_failure.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return error_json(NOT_FOUND)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponseBase:
    # Rendered without the request's context: whatever failed (often the database) must not
    # be needed to say that something failed.
    if _wants_json(request):
        return error_json(SERVER_ERROR)
    return HttpResponse(render_to_string("500.html"), status=500)
