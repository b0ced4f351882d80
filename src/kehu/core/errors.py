"""The one error shape kehu shows users, the API and the CLI.

Each app declares its codes in its own ``errors.py`` and raises ``KehuError`` (or a subclass)
with a Chinese and an English message; the API turns it into
``{"error": {"code", "message", "details"}}`` in the caller's language.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation


class KehuError(Exception):
    """A problem the user can understand and fix. ``code`` is stable; messages are for people."""

    status: int = 400

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        *,
        status: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        if status is not None:
            self.status = status
        self.details = details

    def message(self, language: str | None = None) -> str:
        lang = language or translation.get_language() or "zh-hans"
        return self.message_en if lang.startswith("en") else self.message_zh

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        return {"code": self.code, "message": self.message(language), "details": self.details}


class NotFound(KehuError):
    status = 404


class PermissionDenied(KehuError):
    status = 403
