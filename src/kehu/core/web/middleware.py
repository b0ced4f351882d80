"""Request-wide behaviour of the web UI."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kehu.core.errors import KehuError


class ChineseFirstMiddleware:
    """The web UI speaks Chinese unless the user picked English with the switch.

    Staff often use browsers set up in English on shared office machines; their
    ``Accept-Language`` must not turn the UI English behind their back. The API keeps honouring
    ``Accept-Language`` (integrations ask for their language explicitly). Runs before
    ``LocaleMiddleware``; the language cookie still wins there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class KehuErrorPageMiddleware:
    """A ``KehuError`` escaping a web view becomes a page saying what is wrong, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, KehuError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "web/error.html",
            {"code": exception.code, "message": exception.message(), "status": exception.status},
            status=exception.status,
        )
