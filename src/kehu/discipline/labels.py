"""The rules' Chinese labels in the page's language.

``rules.py`` is pure (no Django), so its labels (``KIND_LABELS``, ``FAILURE_LABELS``) and its
sentences stay plain Chinese there. They are marked here for the catalogue (``gettext_noop``)
and translated when a page shows them: a fixed sentence as it is, a sentence with values
("2次通报批评记为1次记小过") through ``SENTENCES``, Chinese format strings that mirror the rules'
f-strings. A sentence that matches none (the rules' wording changed) shows as the rules wrote it;
tests/test_translations.py replays a varied ledger to catch that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from kehu.discipline import rules

# Every value of rules.KIND_LABELS and rules.FAILURE_LABELS, the rules' fixed sentences and the
# appeal actions' labels (tests/test_translations.py checks that none is missing).
CATALOGUE: tuple[str, ...] = (
    gettext_noop("通报表扬"),
    gettext_noop("记小功"),
    gettext_noop("记大功"),
    gettext_noop("通报批评"),
    gettext_noop("记小过"),
    gettext_noop("记大过"),
    gettext_noop("解除劳动合同"),
    gettext_noop("罚款"),
    gettext_noop("奖金"),
    gettext_noop("绩效加减分"),
    gettext_noop("专项奖励"),
    gettext_noop("警告"),
    gettext_noop("监督考核不合格"),
    gettext_noop("降职"),
    gettext_noop("调整岗位"),
    gettext_noop("功过相抵"),
    gettext_noop("撤销（申诉成立）"),
    gettext_noop("未按要求完成抽查工作或抽查率未达标"),
    gettext_noop("未建立抽查工作台帐或台帐弄虚作假"),
    gettext_noop("现场核实台帐未保留客户与受检人员签名"),
    gettext_noop("未对存在的问题提出处理意见并逐级上报"),
    gettext_noop("每月未按要求上报班组工作检查情况"),
    gettext_noop("对发现的问题包庇或隐瞒不报"),
    gettext_noop("2次记大过，提请解除劳动合同（须经决定）"),
    gettext_noop("功过相抵未生效：所引用的功或过已被累计转换、抵销或不存在，或级别不同"),
    gettext_noop("年内出现两次警告，提请调整工作岗位或降职"),
    gettext_noop("申诉成立，该条目及其派生结果不再计算"),
    # appeals_services.ACTION_LABELS (Chinese there: the services' messages use them)
    gettext_noop("提出申诉"),
    gettext_noop("补充事实依据"),
    gettext_noop("人力资源调查意见"),
    gettext_noop("申诉成立"),
    gettext_noop("申诉不成立"),
    gettext_noop("向上一级申诉"),
    gettext_noop("撤回申诉"),
)


def kind_label(kind: rules.Kind | str) -> str:
    """通报批评 / Criticism."""
    return gettext(rules.KIND_LABELS[rules.Kind(kind)])


def kind_label_lazy(kind: rules.Kind | str) -> Promise:
    """For choices declared at import time (forms, model fields)."""
    return gettext_lazy(rules.KIND_LABELS[rules.Kind(kind)])


def failure_label(failure_type: int) -> str:
    return (
        gettext(rules.FAILURE_LABELS[failure_type]) if failure_type in rules.FAILURE_LABELS else ""
    )


def failure_label_lazy(failure_type: int) -> Promise:
    return gettext_lazy(rules.FAILURE_LABELS[failure_type])


# The rules' sentences with values. Placeholders: kind, higher, merit, penalty (a kind's label),
# failure (a failure type's label), on (a date), n, count, amount, points (numbers).
SENTENCES: tuple[str, ...] = (
    gettext_noop("%(kind)s（%(on)s）已超出累计期，不再参与累计"),
    gettext_noop("2次%(kind)s记为1次%(higher)s"),
    gettext_noop("2次记大功，一次性奖励%(amount)s元"),
    gettext_noop("经批准，1次%(merit)s抵销1次%(penalty)s"),
    gettext_noop("处分期间有%(merit)s，可酌情抵销1次%(penalty)s（须经理批准）"),
    gettext_noop("警告（本期第%(n)s次）"),
    gettext_noop("%(failure)s（同类第%(count)s次），绩效减%(points)s分"),
    gettext_noop("同类情况第%(count)s次，予以警告"),
    gettext_noop("包庇或隐瞒不报第%(count)s次，提请降职"),
    gettext_noop("%(kind)s%(amount)s元"),
    gettext_noop("绩效加%(points)s分"),
    gettext_noop("绩效减%(points)s分"),
    gettext_noop("决定：%(kind)s"),
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_LABELS = {"kind", "higher", "merit", "penalty", "failure"}


def _alternatives(texts: Iterable[str]) -> str:
    return "|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True))


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    kinds = _alternatives(rules.KIND_LABELS.values())
    groups = {
        **{name: kinds for name in ("kind", "higher", "merit", "penalty")},
        "failure": _alternatives(rules.FAILURE_LABELS.values()),
        "on": r"\d{4}-\d{2}-\d{2}",
    }
    compiled = []
    for sentence in SENTENCES:
        parts = _PLACEHOLDER.split(sentence)  # text, name, text, name, …, text
        regex = "".join(
            f"(?P<{part}>{groups.get(part, r'-?[0-9.]+')})" if index % 2 else re.escape(part)
            for index, part in enumerate(parts)
        )
        compiled.append((sentence, re.compile(regex)))
    return tuple(compiled)


def rules_text(text: str) -> str:
    """A sentence of the rules in the page's language: a label or a fixed sentence through the
    catalogue, a sentence with values through its pattern; anything else as it is."""
    if not text:
        return text
    translated = gettext(text)
    if translated != text:
        return translated
    for sentence, pattern in _patterns():
        match = pattern.fullmatch(text)
        if match:
            values = {
                name: gettext(value) if name in _LABELS else value
                for name, value in match.groupdict().items()
            }
            return gettext(sentence) % values
    return text
