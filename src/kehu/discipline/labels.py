"""The rules' Chinese labels in the page's language.

``rules.py`` is pure (no Django), so its labels (``KIND_LABELS``, ``FAILURE_LABELS``) and its
fixed explanation sentences stay plain Chinese there. They are marked here for the catalogue
(``gettext_noop``) and translated when a page shows them. Texts the rules build with numbers
("2次通报批评记为1次记小过") are not msgids and show as the rules wrote them.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from kehu.discipline import rules

# Every value of rules.KIND_LABELS, rules.FAILURE_LABELS and the rules' fixed sentences
# (tests/test_translations.py checks that none is missing).
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


def rules_text(text: str) -> str:
    """A sentence of the rules in the page's language when it is one of the fixed ones."""
    return gettext(text) if text else text
