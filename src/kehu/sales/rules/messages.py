"""Sentences the sales rules speak, as a message key and its parameters.

The rules explain every answer in Chinese (``explanation_zh``: stored with the evidence, never
changed). Next to it they now give the same sentence as a :class:`Msg`: a stable key, whose
template is a Chinese format string (``%(name)s`` placeholders), and the parameters — names as
they are (data), labels from a fixed vocabulary (:class:`Term`, translated when shown), moments
and days (:class:`Moment`, :class:`Day`, written the reader's way), lists (:class:`Seq`) and
nested messages. ``Msg.zh`` renders the Chinese the rules always wrote; ``kehu.sales.labels``
renders a message (or its JSON, as stored) in the page's or the API caller's language through
the catalogue, whose msgids are these Chinese templates (ADR 0003: Chinese is the source).

Keys are stable identifiers, so a stored message still renders after a template's wording
changes; a key this code no longer knows makes :func:`from_json` raise ``KeyError`` and the
caller shows the stored Chinese instead.

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def gettext_noop(text: str) -> str:
    """Marks a Chinese template or label for the catalogue: ``makemessages`` finds the string by
    this function's name. It returns the text unchanged (Django is not imported here)."""
    return text


def pgettext(context: str, text: str) -> str:
    """Marks a label for the catalogue under a context (``makemessages`` finds it by this name),
    for a word whose English in the rules' sentences differs from the UI's (一家人: "Family" as
    a heading, "family" in a sentence). Returns the text unchanged."""
    return text


RULES_CONTEXT = "sales rules"
"""The catalogue context of the rules' words that read differently inside a sentence."""


TEMPLATES: dict[str, str] = {}
"""Every message key the rules use and its Chinese template (the catalogue's msgid)."""

TERMS: set[str] = set()
"""Every label the rules pass as a :class:`Term` (each is a catalogue msgid)."""

CONTEXT_TERMS: set[tuple[str, str]] = set()
"""Labels passed as a :class:`Term` with a context: (msgctxt, msgid)."""


def define(templates: Mapping[str, str]) -> None:
    """Register a module's templates (at import). A key means one template."""
    for key, text in templates.items():
        if TEMPLATES.get(key, text) != text:
            raise ValueError(f"message key {key!r} is defined twice")
        TEMPLATES[key] = text


def terms(labels: Iterable[str]) -> None:
    """Register labels that are passed as :class:`Term` parameters."""
    TERMS.update(labels)


def terms_in(context: str, labels: Iterable[str]) -> None:
    """Register labels that are passed as :class:`Term` parameters under ``context``."""
    CONTEXT_TERMS.update((context, label) for label in labels)


@dataclass(frozen=True)
class Term:
    """A label of the rules' vocabulary (正常休班, 来电登记 …): translated when rendered, under
    ``context`` (a catalogue msgctxt) when it has one."""

    zh: str
    context: str = ""


@dataclass(frozen=True)
class Moment:
    """A point in time, shown on the sales office's wall clock (Asia/Shanghai)."""

    at: dt.datetime


@dataclass(frozen=True)
class Day:
    on: dt.date


Joiner = Literal["list", "clauses", "concat", "label"]


@dataclass(frozen=True)
class Seq:
    """Items joined as a list (、 / ", "), as clauses (； / "; "), as they are (""), or as a
    name and its label (李明正常休班 / "李明: Scheduled day off")."""

    items: tuple[Param, ...]
    joiner: Joiner = "list"


@dataclass(frozen=True)
class Msg:
    key: str
    params: tuple[tuple[str, Param], ...] = ()

    def __post_init__(self) -> None:
        if self.key not in TEMPLATES:
            raise KeyError(f"unknown message key {self.key!r}")

    @property
    def template(self) -> str:
        return TEMPLATES[self.key]

    @property
    def zh(self) -> str:
        """The Chinese sentence, exactly as the rules write it."""
        return render(self, ZH)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "params": {name: _param_json(v) for name, v in self.params}}


Param: TypeAlias = str | int | Term | Moment | Day | Seq | Msg


def msg(key: str, /, **params: Param | Decimal) -> Msg:
    """``msg("rotation.next.rotation", receiver="李明", …)``; Decimals are kept as text."""
    return Msg(key, tuple((n, str(v) if isinstance(v, Decimal) else v) for n, v in params.items()))


def seq(items: Iterable[Param], joiner: Joiner = "list") -> Seq:
    return Seq(tuple(items), joiner)


# --- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How one language writes what the templates leave to the renderer."""

    translate: Callable[[str], str]
    list_sep: str
    clause_sep: str
    label_sep: str
    moment: Callable[[dt.datetime], str]
    day: Callable[[dt.date], str]
    translate_in: Callable[[str, str], str] = lambda context, text: text


def day_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def moment_zh(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"{day_zh(local.date())}{local.hour:02d}:{local.minute:02d}"


def day_iso(day: dt.date) -> str:
    return day.isoformat()


def moment_iso(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _same(text: str) -> str:
    return text


ZH = Style(_same, "、", "；", "", moment_zh, day_zh)


def english(
    translate: Callable[[str], str], translate_in: Callable[[str, str], str] | None = None
) -> Style:
    """The English style, with the catalogue's lookups (``gettext`` and ``pgettext`` under
    English)."""
    return Style(
        translate,
        ", ",
        "; ",
        ": ",
        moment_iso,
        day_iso,
        translate_in or (lambda context, text: translate(text)),
    )


def render(message: Msg, style: Style = ZH) -> str:
    values = {name: _render_param(value, style) for name, value in message.params}
    template = style.translate(message.template)
    try:
        return template % values
    except (KeyError, ValueError, TypeError):
        # a translation that does not fit its template: the Chinese is always right
        return message.template % values


def _render_param(value: Param, style: Style) -> str:
    if isinstance(value, Msg):
        return render(value, style)
    if isinstance(value, Term):
        if value.context:
            return style.translate_in(value.context, value.zh)
        return style.translate(value.zh)
    if isinstance(value, Moment):
        return style.moment(value.at)
    if isinstance(value, Day):
        return style.day(value.on)
    if isinstance(value, Seq):
        sep = {
            "list": style.list_sep,
            "clauses": style.clause_sep,
            "concat": "",
            "label": style.label_sep,
        }[value.joiner]
        return sep.join(_render_param(item, style) for item in value.items)
    return str(value)


# --- JSON (stored with the evidence) --------------------------------------------------------


def _param_json(value: Param) -> Any:
    if isinstance(value, Msg):
        return value.as_json()
    if isinstance(value, Term):
        return {"term": value.zh, "context": value.context} if value.context else {"term": value.zh}
    if isinstance(value, Moment):
        return {"moment": value.at.isoformat()}
    if isinstance(value, Day):
        return {"date": value.on.isoformat()}
    if isinstance(value, Seq):
        return {"seq": [_param_json(item) for item in value.items], "join": value.joiner}
    return value


def from_json(data: Mapping[str, Any]) -> Msg:
    """The message stored as ``{"key", "params"}``; ``KeyError`` for a key not known here,
    ``ValueError`` for a shape that is not a message."""
    key = data["key"]
    params = data.get("params") or {}
    if not isinstance(key, str) or not isinstance(params, Mapping):
        raise ValueError("not a message")
    return Msg(key, tuple((str(n), _param_from_json(v)) for n, v in params.items()))


def _param_from_json(value: Any) -> Param:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str | int):
        return value
    if isinstance(value, Mapping):
        if "key" in value:
            return from_json(value)
        if "term" in value:
            return Term(str(value["term"]), str(value.get("context") or ""))
        if "moment" in value:
            return Moment(dt.datetime.fromisoformat(value["moment"]))
        if "date" in value:
            return Day(dt.date.fromisoformat(value["date"]))
        if "seq" in value:
            joiner = value.get("join", "list")
            if joiner not in ("list", "clauses", "concat", "label"):
                raise ValueError(f"unknown joiner {joiner!r}")
            return Seq(tuple(_param_from_json(v) for v in value["seq"]), joiner)
    if isinstance(value, float | Decimal):
        return str(value)
    raise ValueError(f"not a message parameter: {value!r}")
