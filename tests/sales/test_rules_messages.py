"""The ownership engine's explanation as a message: for every decision the stored Chinese
(``explanation_zh``, A7.20's "recorded with its reason" and every clause's wording) is the
message rendered in Chinese, ``decision_as_json`` keeps every key it had and adds
``explanation_key`` and ``explanation_params``, and the JSON renders back to the same Chinese
(stored decisions are shown again later, in another language)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings

from kehu.sales.rules import (
    RULE_TITLES_EN,
    RULE_TITLES_ZH,
    OwnershipDecision,
    OwnershipFacts,
    OwnershipPolicy,
    decide_ownership,
    decision_as_json,
    messages,
)
from kehu.sales.rules.messages import Msg, Seq, Term, from_json
from kehu.sales.rules.windows import window_check

from .test_rules_properties import facts, policies
from .test_rules_support import NAMES

KEYS_BEFORE = {
    "visit_id",
    "at",
    "outcome",
    "decided_by",
    "clause",
    "owner_before",
    "owner_after",
    "turns",
    "deal",
    "flags",
    "fine",
    "group_buy_weight",
    "claim_id",
    "pending_claim_ids",
    "provisional_by",
    "overridden",
    "rule_ids",
    "explanation_zh",
}


def _bracketed(text: str) -> str:
    return f"<{text}>"


# A stand-in language that marks every catalogue lookup, so that a piece of Chinese wording that
# escaped the catalogue (left in a parameter as plain text) shows up unmarked.
MARKED = messages.Style(
    _bracketed,
    " / ",
    " ;; ",
    " = ",
    messages.moment_iso,
    messages.day_iso,
    lambda context, text: f"<{context}|{text}>",
)


def _plain_chinese(message: Msg) -> list[str]:
    """Parameters that are Chinese text outside the catalogue: names are data (the cast's),
    everything else the rules write must be a template or a Term."""
    found: list[str] = []
    data = set(NAMES.values())

    def walk(value: object) -> None:
        if isinstance(value, Msg):
            for _name, param in value.params:
                walk(param)
        elif isinstance(value, Seq):
            for item in value.items:
                walk(item)
        elif (
            isinstance(value, str)
            and value not in data
            and any("\u4e00" <= ch <= "\u9fff" for ch in value)
        ):
            found.append(value)

    walk(message)
    return found


def _ruling_reasons(f: OwnershipFacts) -> set[str]:
    return {r.reason for r in f.rulings}


@settings(max_examples=300, deadline=None)
@given(facts(), policies)
def test_a7_20_every_decision_s_chinese_is_its_message_in_chinese(
    f: OwnershipFacts, policy: OwnershipPolicy
) -> None:
    # given any facts and policy, when the engine decides
    d: OwnershipDecision = decide_ownership(f, policy, NAMES)
    # then the explanation is a message whose Chinese is the stored sentence
    assert d.explanation is not None
    assert d.explanation.zh == d.explanation_zh
    for turn in d.turns:
        assert turn.explanation is not None and turn.explanation.zh == turn.explanation_zh
    if d.deal is not None:
        assert d.deal.explanation is not None and d.deal.explanation.zh == d.deal.explanation_zh
    if d.fine is not None:
        assert d.fine.reason is not None and d.fine.reason.zh == d.fine.reason_zh
    # and the JSON keeps every key it had, plus the message, which reads back the same
    as_json = decision_as_json(d)
    assert set(as_json) == KEYS_BEFORE | {"explanation_key", "explanation_params"}
    again = from_json({"key": as_json["explanation_key"], "params": as_json["explanation_params"]})
    assert again == d.explanation and messages.render(again) == d.explanation_zh
    # and nothing Chinese escapes the catalogue but names and the manager's stated reasons
    leftovers = [text for text in _plain_chinese(d.explanation) if text not in _ruling_reasons(f)]
    assert not leftovers, leftovers
    assert messages.render(d.explanation, MARKED).startswith("<")


def test_a7_14_a7_15_a_window_s_sentence_is_a_message_with_its_days() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    check = window_check(
        "A7.15",
        dt.datetime(2026, 1, 1, 10, 0, tzinfo=shanghai),
        dt.datetime(2026, 3, 2, 10, 0, tzinfo=shanghai),
        60,
    )
    text = check.text("原始登记", "本次来访")
    assert text.zh == check.text_zh("原始登记", "本次来访")
    assert text.zh == "原始登记2026年1月1日至本次来访2026年3月2日相隔60天，未超过60天"
    # the ends are the rules' words, looked up under their context; the dates are the reader's
    assert messages.render(text, MARKED) == (
        "<<sales rules|原始登记>2026-01-01至<sales rules|本次来访>2026-03-02相隔60天，未超过60天>"
    )


def test_terms_with_a_context_survive_json() -> None:
    message = messages.msg(
        "own.claim",
        holder="李明",
        kind=Term("一家人", messages.RULES_CONTEXT),
        since=messages.Moment(dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)),
        verb=Term("首次接待", messages.RULES_CONTEXT),
        by="",
    )
    assert from_json(message.as_json()) == message
    assert message.zh == "李明的一家人（2026年1月1日10:00首次接待）"


def test_every_rule_title_has_an_english_title() -> None:
    assert set(RULE_TITLES_EN) == set(RULE_TITLES_ZH)
    assert all(
        title and not any("\u4e00" <= c <= "\u9fff" for c in title)
        for title in RULE_TITLES_EN.values()
    )
