"""The sales rules' explanations in the reader's language (ADR 0003; kehu.sales.labels): the
rotation's answers and events (A2.1 / A5.1 / A7.2 / A7.3 / A2.5 / A2.2) and the ownership
engine's decisions (A7.7 … A1.5, A7.20) read English through the catalogue, Chinese exactly as
stored, and a decision stored before the engine kept its message still shows its Chinese."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from hypothesis import given, settings

import kehu
from kehu.core.org.models import Company, Staff
from kehu.sales import labels
from kehu.sales import rotation_services as services
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
    next_receiver,
    reorder,
)
from kehu.sales.rules import (
    OwnershipFacts,
    OwnershipPolicy,
    decide_ownership,
    decision_as_json,
    messages,
)

from .test_rotation_cast import TODAY, Office, make_office
from .test_rules_properties import facts, policies
from .test_rules_support import NAMES

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
SELLERS = ["李娜", "张伟", "王芳", "刘洋"]
API = "/api/v1/sales/rotation"


@pytest.fixture(autouse=True)
def language_restored() -> Iterator[None]:
    """A request in English leaves English active in this thread (LocaleMiddleware): put the
    language back so that later tests see what they expect."""
    before = translation.get_language()
    yield
    if before:
        translation.activate(before)
    else:
        translation.deactivate()


def english_leftovers(text: str, data: list[str]) -> list[str]:
    """Chinese (characters or full-width punctuation) left in an English text once the data
    (names, the manager's reasons) is taken out."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    return CJK.findall(text)


# --- the catalogue holds every template and label -------------------------------------------


def _catalogue_keys() -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for path in Path(kehu.__file__).resolve().parent.glob("**/locale/en/LC_MESSAGES/django.po"):
        context = ""
        for line in path.read_text(encoding="utf-8").split("\n\n"):
            ctx = re.search(r'^msgctxt "(.*)"$', line, re.M)
            mid = re.search(r'^msgid ((?:".*"\n?)+)', line, re.M)
            if not mid:
                continue
            context = ctx.group(1) if ctx else ""
            text = "".join(re.findall(r'"(.*)"', mid.group(1)))
            keys.add((context, text.encode().decode("unicode_escape").encode("latin-1").decode()))
    return keys


def test_every_template_and_label_of_the_rules_is_in_the_catalogue() -> None:
    keys = _catalogue_keys()
    missing = [text for text in labels.catalogue() if ("", text) not in keys]
    missing += [f"{c}|{t}" for c, t in messages.CONTEXT_TERMS if (c, t) not in keys]
    assert not missing, missing


# --- rotation ---------------------------------------------------------------------------------


def _days() -> Iterator[tuple[DayState, RotationPolicy, ReceptionKind, int | None]]:
    """Days that make the rotation write each kind of sentence: skips for every reason under
    both policies, make-ups served and waiting, nobody free, named receptions."""
    for skip_policy in SkipMakeup:
        policy = RotationPolicy(skip_makeup=skip_policy)
        for reason, spec in REASONS.items():
            roster = (Member(1, "李娜", spec.status, reason), Member(2, "张伟"), Member(3, "王芳"))
            state = DayState(members=roster, pointer=0)
            for kind in ReceptionKind:
                named = 1 if kind in (ReceptionKind.ASKED_FOR, ReceptionKind.HELPING) else None
                if kind == ReceptionKind.COMPANY_REFERRAL:
                    named = 2
                yield state, policy, kind, named
        waiting = DayState(
            members=(
                Member(1, "李娜", Status.BUSY, Reason.HELPING),
                Member(2, "张伟"),
                Member(3, "王芳", Status.AWAY, Reason.REST),
            ),
            pointer=2,
            makeups=(
                Makeup(7, 1, "helping", ("A5.1", "A7.2(3)"), "错过轮次：帮助同事接待"),
                Makeup(
                    8,
                    2,
                    "found_public",
                    ("A7.7",),
                    "事后确定为公共客户，按补客户处理，记补接名额一次",
                ),
            ),
        )
        yield waiting, policy, ReceptionKind.NEW, None
        nobody = DayState(members=(Member(1, "李娜", Status.AWAY, Reason.SICK_LEAVE),))
        yield nobody, policy, ReceptionKind.NEW, None
        yield DayState(members=()), policy, ReceptionKind.NEW, None


def test_a2_1_a5_1_a7_2_a7_3_every_rotation_sentence_reads_english() -> None:
    texts = []
    for state, policy, kind, named in _days():
        answer = next_receiver(state, policy, kind, named)
        texts.append((answer.explanation, answer.explanation_zh))
        texts.extend((s.text, s.text_zh) for s in answer.skips)
    for cause in AfterCause:
        for skip_policy in SkipMakeup:
            given = makeup_after_fact(cause, RotationPolicy(skip_makeup=skip_policy))
            texts.append((given.text, given.text_zh))
    change = reorder(DayState(members=(Member(1, "李娜"),)), [2, 1], [Member(2, "张伟")])
    texts.append((change.explanation, change.explanation_zh))
    with translation.override("zh-hans"):
        assert all(labels.render(m) == zh for m, zh in texts)
    with translation.override("en"):
        chinese = [
            labels.render(m) for m, _ in texts if english_leftovers(labels.render(m), SELLERS)
        ]
    assert not chinese, chinese


@pytest.fixture
def office(
    cast: object, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> Iterator[Office]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield make_office(cast, east, li, zhao, wang, chen)


def _api(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


@pytest.mark.django_db
def test_a7_2_4_the_api_explains_in_the_caller_s_language_and_keeps_the_chinese(
    office: Office,
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        # given 李明 is away on assigned work and 赵强 received the first walk-in
        office.open()
        desk = office.desk
        services.rotation_status_set(
            actor=desk,
            site=office.site,
            staff_id=office.li.pk,
            status=Status.AWAY,
            reason=Reason.ASSIGNED_WORK,
            on=TODAY,
        )
        assigned = services.rotation_assign(actor=desk, site=office.site, on=TODAY)
        names = [s.name for s in office.sellers]
        client = _api(desk)
        site = office.site.pk
        # when the board and the history are asked for in English
        board = client.get(f"{API}/{site}/board", HTTP_ACCEPT_LANGUAGE="en").json()
        events = client.get(f"{API}/{site}/events", HTTP_ACCEPT_LANGUAGE="en").json()["items"]
        chinese = client.get(f"{API}/{site}/events").json()["items"]
    # then the explanations are English, the Chinese is as stored, and the message is there
    stored = assigned.event
    (line,) = [e for e in events if e["id"] == stored.pk]
    assert line["explanation_zh"] == stored.explanation == assigned.explanation_zh
    assert line["explanation_key"] and line["explanation_params"]
    assert not english_leftovers(line["explanation"], names), line["explanation"]
    assert "make-up" in line["explanation"]
    assert [e["explanation"] for e in chinese] == [e["explanation_zh"] for e in chinese]
    assert not english_leftovers(board["next"]["explanation"], names)
    assert board["next"]["explanation_zh"] == board["next"]["explanation_zh"].strip()
    assert HAN.search(board["next"]["explanation_zh"])
    (makeup,) = board["makeups"]
    assert makeup["text"] == "Missed turn: Assigned other work by the project team"
    assert makeup["text_zh"] == "错过轮次：项目组另外安排工作"


@pytest.mark.django_db
def test_an_event_stored_without_a_message_shows_its_chinese(office: Office) -> None:
    with translation.override("en"):
        assert labels.event_explanation({}, "李明回到在岗") == "李明回到在岗"
        assert labels.event_explanation({"explanation_key": "no.such"}, "旧") == "旧"
        assert (
            labels.event_explanation(
                {"explanation_key": "rotation.event.back", "explanation_params": {"name": "李明"}},
                "李明回到在岗",
            )
            == "李明 is back on duty"
        )


# --- ownership --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(facts(), policies)
def test_a7_7_to_a1_5_and_a7_20_every_decision_reads_english(
    f: OwnershipFacts, policy: OwnershipPolicy
) -> None:
    # given any decision of the engine, as the API and the replay print it
    as_json = decision_as_json(decide_ownership(f, policy, NAMES))
    # then in Chinese it is the stored sentence, and in English no Chinese is left but names
    # and the sales manager's reasons (data)
    assert labels.explanation(as_json, "zh-hans") == as_json["explanation_zh"]
    english = labels.explanation(as_json, "en")
    data = [*NAMES.values(), *(r.reason for r in f.rulings), *(c.id for c in f.claims)]
    assert not english_leftovers(english, data), english


def test_a_decision_stored_before_messages_shows_its_chinese() -> None:
    old = {
        "explanation_zh": "新客户，按轮排由李明接待登记，无在先登记，以先登记者为准，客户归李明。"
    }
    assert labels.explanation(old, "en") == old["explanation_zh"]


def test_rule_titles_follow_the_language() -> None:
    with translation.override("en"):
        assert (
            labels.rule_title("A1.5") == "When registrations conflict, the first registration wins"
        )
    with translation.override("zh-hans"):
        assert labels.rule_title("A1.5") == "客户登记有冲突的，以先登记者为准"


@pytest.mark.django_db
def test_a2_1_a_visit_s_rotation_explanation_in_the_caller_s_language(office: Office) -> None:
    """The visit keeps its rotation explanation as a message too: the API answers in English
    when asked, and the Chinese stays as stored."""
    from kehu.sales import reception_services

    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        office.open()
        visit = reception_services.visit_arrive(
            actor=office.desk, site=office.site, arrival="walk_in"
        )
        client = _api(office.desk)
        url = f"/api/v1/sales/receptions/{visit.pk}"
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["visit"]
        chinese = client.get(url).json()["visit"]
    assert visit.rotation_message["explanation_key"]
    assert chinese["rotation_explanation"] == visit.rotation_explanation
    assert HAN.search(chinese["rotation_explanation"])
    names = [s.name for s in office.sellers]
    assert not english_leftovers(english["rotation_explanation"], names)
