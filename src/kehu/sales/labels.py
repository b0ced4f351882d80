"""The sales rules' explanations and labels in the reader's language.

The rules (``rotation_rules``, ``rules/``) are pure and write Chinese; every explanation is also
a message — a stable key and its parameters (``kehu.sales.rules.messages``) — stored next to the
Chinese (a rotation event's ``detail``, an ownership decision's ``explanation_key`` and
``explanation_params``). This module renders a message in the active language (the page's, or
the API caller's Accept-Language): in Chinese exactly the stored sentence, in English through
the catalogue, whose msgids are the Chinese templates and labels (``gettext_noop`` in the rules
marks them for ``makemessages``). Something stored before messages existed, or with a key this
code no longer knows, shows as the stored Chinese (ADR 0003: Chinese rather than nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, pgettext

from kehu.sales import rotation_rules
from kehu.sales.rules import RULE_TITLES_EN, RULE_TITLES_ZH, messages
from kehu.sales.rules.messages import Msg


def is_english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


def style() -> messages.Style:
    """How the active language writes the rules' sentences."""
    return messages.english(gettext, pgettext) if is_english() else messages.ZH


def render(message: Msg | str | None) -> str:
    """A message in the active language; plain text (stored Chinese) as it is."""
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    return messages.render(message, style())


def render_json(key: object, params: object, fallback_zh: str = "") -> str:
    """A stored message (``key`` and ``params`` as JSON) in the active language, or
    ``fallback_zh`` when there is none or it cannot be read."""
    if not isinstance(key, str) or not key:
        return fallback_zh
    try:
        message = messages.from_json({"key": key, "params": params or {}})
    except (KeyError, ValueError, TypeError):
        return fallback_zh
    return render(message)


# --- rotation -----------------------------------------------------------------------------------


def answer_explanation(answer: rotation_rules.NextAnswer) -> str:
    """Who is next and why, in the active language."""
    return render(answer.explanation or answer.explanation_zh)


def skip_text(skip: rotation_rules.Skip) -> str:
    return render(skip.text or skip.text_zh)


def makeup_text(text_zh: str, cause: str = "") -> str:
    """An owed turn's wording (stored in Chinese; the rules write few) in the active language."""
    return render(rotation_rules.makeup_text(rotation_rules.Makeup(0, 0, cause, (), text_zh)))


def event_explanation(detail: Mapping[str, Any] | None, explanation_zh: str) -> str:
    """A rotation event's explanation in the active language (``detail`` as stored)."""
    detail = detail or {}
    return render_json(
        detail.get("explanation_key"), detail.get("explanation_params"), explanation_zh
    )


def event_message(detail: Mapping[str, Any] | None) -> tuple[str | None, dict[str, Any] | None]:
    """The stored message of a rotation event: (key, params), or (None, None)."""
    detail = detail or {}
    key = detail.get("explanation_key")
    params = detail.get("explanation_params")
    if not isinstance(key, str):
        return None, None
    return key, params if isinstance(params, dict) else {}


# --- ownership ----------------------------------------------------------------------------------


def explanation(decision_json: Mapping[str, Any], language: str | None = None) -> str:
    """An ownership decision's explanation (``decision_as_json``, or a stored decision's
    ``detail``) in ``language`` (default: the active one). Decisions stored before the engine
    kept its explanation as a message show their Chinese."""
    fallback = str(decision_json.get("explanation_zh") or "")
    key = decision_json.get("explanation_key")
    params = decision_json.get("explanation_params")
    if language is None:
        return render_json(key, params, fallback)
    with translation.override(language):
        return render_json(key, params, fallback)


def rule_title(rule_id: str) -> str:
    """One line on a clause (``RULE_TITLES_ZH``) in the active language."""
    if is_english():
        return RULE_TITLES_EN.get(rule_id, RULE_TITLES_ZH.get(rule_id, ""))
    return RULE_TITLES_ZH.get(rule_id, "")


# Every Chinese template and label the rules render through the catalogue
# (tests/test_translations.py checks that the catalogue holds each one).
def catalogue() -> tuple[str, ...]:
    return tuple(sorted({*messages.TEMPLATES.values(), *messages.TERMS}))
