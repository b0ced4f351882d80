"""The rotation's explanations as messages (key + parameters): the Chinese the rules store is
the message rendered in Chinese, whatever the day (A2.1 / A5.1 / A7.2 / A7.3 skips, A2.5,
A2.2 reorders, A7.7 / A7.9(3) / A7.2 make-ups after the fact), and a message survives its
JSON round trip (stored evidence is rendered again later, in another language)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.sales.rotation_rules import (
    REASONS,
    AfterCause,
    DayState,
    Makeup,
    Member,
    Reason,
    ReceptionKind,
    RotationPolicy,
    SkipMakeup,
    Status,
    makeup_after_fact,
    makeup_text,
    next_receiver,
    reorder,
    skip_makeup,
)
from kehu.sales.rules import messages
from kehu.sales.rules.messages import Day, Moment, Msg, Seq, Term, from_json, msg, seq

NAMES = ["李娜", "张伟", "王芳", "刘洋", "赵强"]


def _upper(text: str) -> str:
    """A stand-in "language": every template and label upper-cased (Chinese is unchanged), so
    rendering through it proves the renderer asks the catalogue for each piece."""
    return f"<{text}>"


FAKE = messages.Style(_upper, " / ", " ;; ", " = ", messages.moment_iso, messages.day_iso)


@st.composite
def members(draw: st.DrawFn) -> tuple[Member, ...]:
    count = draw(st.integers(min_value=0, max_value=len(NAMES)))
    result = []
    for i in range(count):
        status = draw(st.sampled_from(list(Status)))
        reason = (
            None
            if status == Status.FREE
            else draw(st.sampled_from([r for r, s in REASONS.items() if s.status == status]))
        )
        result.append(Member(i + 1, NAMES[i], status, reason))
    return tuple(result)


@st.composite
def day_states(draw: st.DrawFn) -> DayState:
    roster = draw(members())
    pointer = draw(st.integers(min_value=0, max_value=max(len(roster) - 1, 0)))
    makeups = []
    for n, member in enumerate(
        draw(st.lists(st.sampled_from(roster), max_size=3)) if roster else []
    ):
        cause = draw(st.sampled_from([Reason.HELPING, Reason.ASSIGNED_WORK, Reason.OWN_CUSTOMER]))
        text = f"错过轮次：{REASONS[cause].label_zh}"
        makeups.append(Makeup(n + 1, member.staff_id, cause.value, ("A5.1",), text))
    return DayState(members=roster, pointer=pointer, makeups=tuple(makeups))


def _assert_message(message: Msg | None, zh: str) -> None:
    assert message is not None
    assert message.zh == zh
    again = from_json(message.as_json())
    assert again == message
    assert messages.render(again) == zh


@settings(max_examples=150, deadline=None)
@given(
    state=day_states(),
    policy=st.sampled_from([RotationPolicy(skip_makeup=s) for s in SkipMakeup]),
    kind=st.sampled_from(list(ReceptionKind)),
    named=st.integers(min_value=1, max_value=len(NAMES)),
)
def test_a2_1_a5_1_a7_2_every_answer_s_chinese_is_its_message_in_chinese(
    state: DayState, policy: RotationPolicy, kind: ReceptionKind, named: int
) -> None:
    # given any day, policy and kind of arrival
    named_id = named if state.member(named) is not None else None
    effect_named = kind in (ReceptionKind.ASKED_FOR, ReceptionKind.COMPANY_REFERRAL)
    if effect_named and named_id is None:
        return
    # when the rules answer who receives
    answer = next_receiver(state, policy, kind, named_id)
    # then the stored Chinese is the message in Chinese, and so is every skip's
    _assert_message(answer.explanation, answer.explanation_zh)
    for skip in answer.skips:
        _assert_message(skip.text, skip.text_zh)
    # and rendered in another "language", no piece of the Chinese wording is left out of the
    # catalogue's hands: every template is looked up
    assert answer.explanation is not None
    rendered = messages.render(answer.explanation, FAKE)
    assert rendered.startswith("<")


def test_a7_2_every_make_up_wording_is_a_known_message() -> None:
    # given the wordings a make-up can be stored with (missed turns, and after the fact)
    for reason, spec in REASONS.items():
        if spec.makeup_rule is None:
            continue
        skip = next_receiver(
            DayState(members=(Member(1, "李娜", spec.status, reason), Member(2, "张伟")), pointer=0)
        ).skips[0]
        made = skip_makeup(skip, 1)
        # then each is recognised as a message (and shown in the reader's language)
        assert isinstance(makeup_text(made), Msg)
    for cause in AfterCause:
        for skip_policy in SkipMakeup:
            given = makeup_after_fact(cause, RotationPolicy(skip_makeup=skip_policy))
            _assert_message(given.text, given.text_zh)
            assert isinstance(makeup_text(Makeup(1, 1, cause.value, (), given.text_zh)), Msg)
    # and a wording the rules never wrote stays as it is
    assert makeup_text(Makeup(1, 1, "other", (), "手工录入")) == "手工录入"


def test_a2_2_a_reorder_s_explanation_is_its_message() -> None:
    state = DayState(members=(Member(1, "李娜"), Member(2, "张伟")), pointer=1)
    change = reorder(state, [2, 3, 1], [Member(3, "王芳")])
    _assert_message(change.explanation, change.explanation_zh)
    assert change.explanation_zh == (
        "项目经理调整轮排顺序为：张伟、王芳、李娜；新加入：王芳；原本轮到的张伟仍为下一位（A2.2）"
    )


def test_parameters_of_every_kind_survive_json() -> None:
    # given a message with a name, a label, a moment, a day, lists and a nested message
    at = dt.datetime(2026, 11, 27, 2, 5, tzinfo=dt.UTC)
    message = msg(
        "rotation.event.opened",
        names=seq(["李娜", Term("正常休班"), Moment(at), Day(dt.date(2026, 3, 5))]),
        away=msg("rotation.event.opened_away", who=Seq(("王芳", Term("病假")), "label")),
    )
    # when it is stored as JSON and read back
    again = from_json(message.as_json())
    # then it renders the same: moments on the sales office's clock
    assert again == message
    assert again.zh == (
        "开启今日轮排，顺序：李娜、正常休班、2026年11月27日10:05、2026年3月5日；不在岗：王芳病假"
    )
    assert messages.render(again, FAKE) == (
        "<开启今日轮排，顺序：李娜 / <正常休班> / 2026-11-27 10:05 / 2026-03-05"
        "<；不在岗：王芳 = <病假>>>"
    )


def test_an_unknown_key_or_shape_is_refused_so_the_caller_shows_the_stored_chinese() -> None:
    for bad in ({"key": "rotation.no_such"}, {"key": "rotation.event.back", "params": [1]}):
        try:
            from_json(bad)
        except (KeyError, ValueError):
            continue
        raise AssertionError(f"{bad} was accepted")


def test_a_translation_that_does_not_fit_its_template_falls_back_to_chinese() -> None:
    broken = messages.Style(
        lambda t: "%(nope)s", "、", "；", "", messages.moment_zh, messages.day_zh
    )
    message = msg("rotation.event.back", name="李娜")
    assert messages.render(message, broken) == "李娜回到在岗"
