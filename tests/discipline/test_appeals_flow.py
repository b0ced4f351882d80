"""Appeals (考核申诉, A4 四.七): the workflow through its services.

A4 四.七.2: the employee appeals to the supervisor, who coordinates; if still disputed, to the
next level up, where HR investigates. A4 四.七.3: concrete factual evidence is required. An upheld
appeal reverses the entry by a new entry, never by editing it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.calendar.errors import CalendarYearNotCovered
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.posts import Post
from kehu.discipline import appeals_services as services
from kehu.discipline.appeals_selectors import (
    appeal_count_to_investigate,
    appeal_detail_for_user,
    appeal_entries_appealable,
    appeals_mine,
    appeals_overdue,
    appeals_queue,
)
from kehu.discipline.errors import DisciplineError
from kehu.discipline.models import Appeal, AppealEvent, AppealEvidence, DisciplineEntry
from kehu.discipline.rules import Kind
from kehu.discipline.services import discipline_entry_post

from .test_appeals_support import (  # noqa: F401  (the *_fixture names register fixtures)
    MONDAY_MORNING,
    Org,
    appeals_ledger,
    criticism,
    frozen_fixture,
    media_fixture,
    org_fixture,
    pdf,
    shanghai,
    standing_of,
)

pytestmark = pytest.mark.usefixtures("frozen")


def submit(org: Org, entry: DisciplineEntry, **extra: Any) -> Appeal:
    return services.appeal_submit(
        appellant=org.li,
        entry_id=entry.pk,
        statement=extra.pop("statement", "当天我在案场接待客户，登记资料已交给前台"),
        evidence_text=extra.pop("evidence_text", "前台陈静当天的签收记录第 12 行"),
        **extra,
    )


# --- the whole flow -----------------------------------------------------------------------------


def test_li_appeals_a_criticism_through_both_levels_and_the_upheld_appeal_reverses_it(
    org: Org, frozen: time_machine.Coordinates
) -> None:
    # Given 杨经理 criticised 李 (通报批评) and the criticism counts on 李's standing
    entry = criticism(org)
    assert standing_of(org.li, dt.date(2026, 11, 2)).counts["criticism"] == 1

    # When 李 appeals to his supervisor 杨经理 with a statement and evidence (A4 四.七.2–3)
    appeal = submit(org, entry, files=[pdf()])
    # Then the appeal waits for 杨经理, due in 5 working days (policy appeal_supervisor_workdays)
    assert appeal.state == "supervisor_review" and appeal.handler == org.yang
    assert appeal.due_at == shanghai(2026, 11, 9, 23, 59, 59, 999999)
    assert list(appeals_queue(staff=org.yang)) == [appeal]

    # When 杨经理 rejects it with a reason
    frozen.shift(dt.timedelta(days=1))
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="签收记录无李明签名")
    appeal.refresh_from_db()
    assert appeal.state == "rejected" and appeal.closed_at is not None
    # and 李 still disputes it: the appeal goes to the next level, 王经理, and HR investigates
    services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="前台可以作证")
    appeal.refresh_from_db()
    assert appeal.state == "escalated" and appeal.handler == org.wang
    assert appeal.closed_at is None
    # due in 10 working days from the escalation (policy appeal_hr_workdays)
    assert appeal.due_at == shanghai(2026, 11, 17, 23, 59, 59, 999999)
    assert list(appeals_queue(staff=org.wang)) == [appeal]
    assert list(appeals_queue(staff=org.hr)) == [appeal]
    assert appeal_count_to_investigate(org.hr) == 1

    # When HR records its findings and 王经理 upholds the appeal
    services.appeal_findings_record(
        actor=org.hr, appeal_id=appeal.pk, findings="前台陈静确认当天收到资料，系交接遗漏"
    )
    services.appeal_uphold(
        actor=org.wang, appeal_id=appeal.pk, reason="经人力资源调查，资料已按时交回"
    )
    appeal.refresh_from_db()

    # Then the appeal is upheld and a REVERSAL entry, citing A4 四.七 and the appeal, exists
    assert appeal.state == "upheld" and appeal.closed_at is not None
    reversal = DisciplineEntry.objects.get(kind=Kind.REVERSAL, employee=org.li)
    assert reversal.refs == [entry.pk] and reversal.rule_ids == ["A4 四.七"]
    assert (reversal.source_type, reversal.source_id) == ("discipline.appeal", str(appeal.pk))
    assert reversal.recorded_by == org.wang and reversal.on == dt.date(2026, 11, 3)
    # and the criticism no longer counts on 李's standing
    after = standing_of(org.li, dt.date(2026, 11, 3))
    assert after.counts["criticism"] == 0 and str(entry.pk) in after.ignored_ids
    # and the original entry is untouched (reversed by a new entry, never edited)
    assert DisciplineEntry.objects.get(pk=entry.pk).reason == entry.reason

    # Every transition left one event and one ledger row in stream "appeals", in order
    actions = ["submit", "reject", "escalate", "hr_findings", "uphold"]
    assert [e.action for e in appeal.events.order_by("pk")] == actions
    assert [row.kind for row in appeals_ledger(appeal)] == [f"appeal.{a}" for a in actions]
    assert ledger_verify().ok
    # and the queues are empty again
    assert not appeals_queue(staff=org.wang).exists() and not appeals_queue(staff=org.hr).exists()


def test_the_ledger_rows_hold_digests_not_the_appeals_texts(org: Org) -> None:
    appeal = submit(org, criticism(org), files=[pdf()])
    submit_row = appeals_ledger(appeal)[0]
    payload = submit_row.payload
    assert payload["to_state"] == "supervisor_review" and payload["handler"] == org.yang.pk
    assert payload["rule_ids"] == ["A4 四.七"] and payload["policy"] == "discipline@default"
    assert len(payload["statement_sha256"]) == 64
    assert {item.get("name") for item in payload["evidence"]} == {None, "考勤记录.pdf"}
    assert "签收记录" not in str(payload)


def test_a_rejection_at_the_first_level_can_be_final_if_li_does_not_escalate(org: Org) -> None:
    appeal = submit(org, criticism(org))
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="理由不成立")
    detail = appeal_detail_for_user(staff=org.li, appeal_id=appeal.pk)
    assert detail.actions == ["escalate"] and detail.level == 1
    assert standing_of(org.li, dt.date(2026, 11, 2)).counts["criticism"] == 1


def test_the_supervisor_upholds_at_the_first_level(org: Org) -> None:
    entry = criticism(org)
    appeal = submit(org, entry)
    services.appeal_uphold(actor=org.yang, appeal_id=appeal.pk, reason="核实后确属误记")
    assert Appeal.objects.get(pk=appeal.pk).state == "upheld"
    assert DisciplineEntry.objects.filter(kind="reversal", refs=[entry.pk]).count() == 1
    assert standing_of(org.li, dt.date(2026, 11, 2)).counts["criticism"] == 0


def test_a_reversed_criticism_no_longer_pairs_into_a_minor_demerit(org: Org) -> None:
    # Given two criticisms, which make one minor demerit (A4 五.5.5)
    first = criticism(org, dt.date(2026, 10, 1), "迟到")
    criticism(org, dt.date(2026, 10, 20), "未按时交回资料")
    assert standing_of(org.li, dt.date(2026, 11, 2)).counts["minor_demerit"] == 1
    # When the appeal against the first is upheld
    appeal = submit(org, first)
    services.appeal_uphold(actor=org.yang, appeal_id=appeal.pk, reason="迟到系公司班车故障")
    # Then one criticism stands and there is no minor demerit
    standing = standing_of(org.li, dt.date(2026, 11, 2))
    assert standing.counts["criticism"] == 1 and standing.counts["minor_demerit"] == 0


# --- evidence is required (A4 四.七.3) ----------------------------------------------------------


def test_an_appeal_without_evidence_is_refused_with_a_clear_chinese_message(org: Org) -> None:
    entry = criticism(org)
    with pytest.raises(DisciplineError) as caught:
        submit(org, entry, evidence_text="  ")
    assert caught.value.code == "discipline.evidence_required" and caught.value.status == 422
    assert "事实依据" in caught.value.message_zh and "A4 四.七.3" in caught.value.message_zh
    assert not Appeal.objects.exists()


def test_a_file_alone_is_enough_evidence(org: Org) -> None:
    appeal = submit(org, criticism(org), evidence_text="", files=[pdf()])
    assert AppealEvidence.objects.filter(appeal=appeal).count() == 1


def test_an_appeal_without_a_statement_is_refused(org: Org) -> None:
    with pytest.raises(DisciplineError) as caught:
        submit(org, criticism(org), statement="")
    assert caught.value.code == "discipline.reason_required"


def test_added_evidence_needs_text_or_a_file(org: Org) -> None:
    appeal = submit(org, criticism(org))
    with pytest.raises(DisciplineError) as caught:
        services.appeal_evidence_add(actor=org.li, appeal_id=appeal.pk, text="")
    assert caught.value.code == "discipline.evidence_required"
    services.appeal_evidence_add(actor=org.li, appeal_id=appeal.pk, text="补充：考勤机记录")
    assert appeal.events.filter(action="add_evidence").count() == 1


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["li", "wang", "hr", "zhao"])
def test_only_the_handler_decides(org: Org, who: str) -> None:
    appeal = submit(org, criticism(org))
    actor = getattr(org, who)
    # 王经理 (the next level) and 赵 do not see an appeal at the first level; 李 and HR do
    expected = "discipline.not_found" if who in ("zhao", "wang") else "discipline.permission_denied"
    for decide in (services.appeal_uphold, services.appeal_reject):
        with pytest.raises(DisciplineError) as caught:
            decide(actor=actor, appeal_id=appeal.pk, reason="我来决定")
        assert caught.value.code == expected
    assert Appeal.objects.get(pk=appeal.pk).state == "supervisor_review"


def test_only_the_employee_whose_entry_it_is_can_appeal(org: Org) -> None:
    entry = criticism(org)
    with pytest.raises(DisciplineError) as caught:
        services.appeal_submit(
            appellant=org.zhao, entry_id=entry.pk, statement="替他申诉", evidence_text="x"
        )
    assert caught.value.code == "discipline.not_found" and caught.value.status == 404


def test_an_outsider_from_another_company_sees_nothing(org: Org) -> None:
    appeal = submit(org, criticism(org))
    with pytest.raises(DisciplineError) as caught:
        appeal_detail_for_user(staff=org.chen, appeal_id=appeal.pk)
    assert caught.value.status == 404
    with pytest.raises(DisciplineError) as caught:
        services.appeal_withdraw(actor=org.chen, appeal_id=appeal.pk)
    assert caught.value.status == 404
    assert not appeals_queue(staff=org.chen).exists()


def test_the_next_level_decides_only_after_hr_has_recorded_findings(org: Org) -> None:
    appeal = submit(org, criticism(org))
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="不成立")
    services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="仍有异议")
    with pytest.raises(DisciplineError) as caught:
        services.appeal_uphold(actor=org.wang, appeal_id=appeal.pk, reason="成立")
    assert caught.value.code == "discipline.bad_transition"
    assert "人力资源" in caught.value.message_zh
    assert appeal_detail_for_user(staff=org.wang, appeal_id=appeal.pk).actions == []
    # HR may not decide; 王经理 may not record HR's findings
    with pytest.raises(DisciplineError) as caught:
        services.appeal_findings_record(actor=org.wang, appeal_id=appeal.pk, findings="我查过了")
    assert caught.value.code == "discipline.permission_denied"
    services.appeal_findings_record(actor=org.hr, appeal_id=appeal.pk, findings="查明：……")
    with pytest.raises(DisciplineError) as caught:
        services.appeal_reject(actor=org.hr, appeal_id=appeal.pk, reason="不成立")
    assert caught.value.code == "discipline.permission_denied"
    services.appeal_reject(actor=org.wang, appeal_id=appeal.pk, reason="维持原处理")
    assert Appeal.objects.get(pk=appeal.pk).state == "rejected"


def test_without_hr_staff_the_next_level_decides_alone(org: Org) -> None:
    org.hr.active = False
    org.hr.save(update_fields=["active"])
    appeal = submit(org, criticism(org))
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="不成立")
    services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="仍有异议")
    services.appeal_uphold(actor=org.wang, appeal_id=appeal.pk, reason="成立")
    assert Appeal.objects.get(pk=appeal.pk).state == "upheld"


def test_hr_findings_are_only_for_escalated_appeals(org: Org) -> None:
    appeal = submit(org, criticism(org))
    with pytest.raises(DisciplineError) as caught:
        services.appeal_findings_record(actor=org.hr, appeal_id=appeal.pk, findings="提前调查")
    assert caught.value.code == "discipline.bad_transition"


def test_the_first_level_supervisor_keeps_sight_of_an_appeal_after_escalation(org: Org) -> None:
    appeal = submit(org, criticism(org))
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="不成立")
    services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="仍有异议")
    detail = appeal_detail_for_user(staff=org.yang, appeal_id=appeal.pk)
    assert detail.actions == [] and detail.level == 2
    assert not appeals_queue(staff=org.yang).exists()


# --- one open appeal per entry, and transitions refused -----------------------------------------


def test_no_second_open_appeal_on_the_same_entry(org: Org) -> None:
    entry = criticism(org)
    first = submit(org, entry)
    with pytest.raises(DisciplineError) as caught:
        submit(org, entry)
    assert (
        caught.value.code == "discipline.bad_transition"
        and f"#{first.pk}" in caught.value.message_zh
    )
    # and the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            company=org.company, entry=entry, appellant=org.li, state="escalated", statement="x"
        )


def test_a_withdrawn_appeal_may_be_filed_again_but_a_decided_one_not(org: Org) -> None:
    entry = criticism(org)
    first = submit(org, entry)
    services.appeal_withdraw(actor=org.li, appeal_id=first.pk, note="先与主管沟通")
    assert Appeal.objects.get(pk=first.pk).state == "withdrawn"
    second = submit(org, entry)
    services.appeal_reject(actor=org.yang, appeal_id=second.pk, reason="不成立")
    with pytest.raises(DisciplineError) as caught:
        submit(org, entry)
    assert "向上一级领导申诉" in caught.value.message_zh
    services.appeal_escalate(actor=org.li, appeal_id=second.pk, reason="仍有异议")
    services.appeal_findings_record(actor=org.hr, appeal_id=second.pk, findings="查明")
    services.appeal_reject(actor=org.wang, appeal_id=second.pk, reason="维持")
    with pytest.raises(DisciplineError) as caught:
        submit(org, entry)
    assert "最终结论" in caught.value.message_zh


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        # a rejected appeal cannot be decided again, nor withdrawn
        (["reject"], "uphold"),
        (["reject"], "withdraw"),
        # an appeal under the supervisor's review cannot be escalated yet
        ([], "escalate"),
        # a closed appeal takes no more evidence
        (["withdraw"], "add_evidence"),
        (["uphold"], "reject"),
        (["uphold"], "escalate"),
        # escalation happens once: after the second level's decision it is final
        (["reject", "escalate", "hr_findings", "reject"], "escalate"),
    ],
)
def test_transitions_outside_the_table_are_refused(org: Org, steps: list[str], action: str) -> None:
    appeal = submit(org, criticism(org))
    run = {
        "reject": lambda who: services.appeal_reject(actor=who, appeal_id=appeal.pk, reason="r"),
        "uphold": lambda who: services.appeal_uphold(actor=who, appeal_id=appeal.pk, reason="r"),
        "escalate": lambda who: services.appeal_escalate(
            actor=who, appeal_id=appeal.pk, reason="r"
        ),
        "withdraw": lambda who: services.appeal_withdraw(actor=who, appeal_id=appeal.pk),
        "add_evidence": lambda who: services.appeal_evidence_add(
            actor=who, appeal_id=appeal.pk, text="t"
        ),
        "hr_findings": lambda who: services.appeal_findings_record(
            actor=who, appeal_id=appeal.pk, findings="f"
        ),
    }

    def actor_for(step: str) -> Any:
        current = Appeal.objects.get(pk=appeal.pk)
        if step in ("escalate", "withdraw", "add_evidence"):
            return org.li
        if step == "hr_findings":
            return org.hr
        return current.handler

    for step in steps:
        run[step](actor_for(step))
    state_before = Appeal.objects.get(pk=appeal.pk).state
    events_before = appeal.events.count()
    with pytest.raises(DisciplineError) as caught:
        run[action](actor_for(action))
    assert caught.value.code == "discipline.bad_transition" and caught.value.status == 409
    assert Appeal.objects.get(pk=appeal.pk).state == state_before
    assert appeal.events.count() == events_before == len(appeals_ledger(appeal))


def test_the_transition_table_names_who_may_do_each_move() -> None:
    table = {
        (state, action.value): (t.to_state, t.role.value)
        for (state, action), t in services.TRANSITIONS.items()
    }
    assert table[("", "submit")] == ("supervisor_review", "appellant")
    assert table[("supervisor_review", "uphold")] == ("upheld", "handler")
    assert table[("rejected", "escalate")] == ("escalated", "appellant")
    assert table[("escalated", "hr_findings")] == ("escalated", "hr")
    assert table[("escalated", "reject")] == ("rejected", "handler")
    # no move leaves a closed state except the one escalation after a first-level rejection
    assert {state for state, _ in table if state in ("upheld", "withdrawn")} == set()


# --- what can be appealed ---------------------------------------------------------------------


def test_rewards_cannot_be_appealed(org: Org) -> None:
    praise = discipline_entry_post(
        employee=org.li,
        on=dt.date(2026, 10, 30),
        kind="commendation",
        reason="客户表扬信",
        rule_ids=["A4 五.5.1"],
        recorded_by=org.yang,
    )
    with pytest.raises(DisciplineError) as caught:
        submit(org, praise)
    assert (
        caught.value.code == "discipline.bad_transition" and "不是处罚类" in caught.value.message_zh
    )
    assert praise not in appeal_entries_appealable(staff=org.li)


def test_negative_points_can_be_appealed_positive_not(org: Org) -> None:
    minus, _plus = (
        discipline_entry_post(
            employee=org.li,
            on=dt.date(2026, 10, 30),
            kind="points",
            points=points,
            reason="月度考核",
            rule_ids=["A4 五.5.3"],
            recorded_by=org.yang,
        )
        for points in (-3, 2)
    )
    assert appeal_entries_appealable(staff=org.li) == [minus]
    assert submit(org, minus).state == "supervisor_review"


def test_an_appealed_entry_leaves_the_list_of_appealable_entries(org: Org) -> None:
    entry = criticism(org)
    assert appeal_entries_appealable(staff=org.li) == [entry]
    appeal = submit(org, entry)
    assert appeal_entries_appealable(staff=org.li) == []
    services.appeal_withdraw(actor=org.li, appeal_id=appeal.pk)
    assert appeal_entries_appealable(staff=org.li) == [entry]
    assert list(appeals_mine(staff=org.li)) == [appeal]


def test_without_a_supervisor_there_is_nobody_to_appeal_to(org: Org) -> None:
    org.li.supervisor = None
    org.li.save(update_fields=["supervisor"])
    with pytest.raises(DisciplineError) as caught:
        submit(org, criticism(org))
    assert (
        caught.value.code == "discipline.bad_transition" and "主管领导" in caught.value.message_zh
    )


def test_an_inactive_supervisor_is_skipped(org: Org) -> None:
    org.yang.active = False
    org.yang.save(update_fields=["active"])
    appeal = submit(org, criticism(org))
    assert appeal.handler == org.wang


def test_escalation_needs_someone_above_the_supervisor(org: Org) -> None:
    org.yang.supervisor = None
    org.yang.save(update_fields=["supervisor"])
    appeal = submit(org, criticism(org))
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="不成立")
    with pytest.raises(DisciplineError) as caught:
        services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="仍有异议")
    assert (
        caught.value.code == "discipline.bad_transition" and "上一级领导" in caught.value.message_zh
    )
    assert Appeal.objects.get(pk=appeal.pk).state == "rejected"


# --- deadlines on the working calendar -----------------------------------------------------------


def test_the_supervisors_deadline_skips_the_national_day_holiday(org: Org) -> None:
    entry = criticism(org, dt.date(2026, 9, 20))
    # Given it is Wednesday 30 September 2026, the day before the National Day holiday
    with time_machine.travel(shanghai(2026, 9, 30, 10, 0), tick=False):
        appeal = submit(org, entry)
    # Then the five working days are 8, 9, 10 (an adjusted working Saturday), 12 and 13 October
    assert appeal.due_at == shanghai(2026, 10, 13, 23, 59, 59, 999999)


def test_the_deadline_also_skips_the_mid_autumn_weekend(org: Org) -> None:
    entry = criticism(org, dt.date(2026, 9, 20))
    with time_machine.travel(shanghai(2026, 9, 25, 17, 0), tick=False):
        appeal = submit(org, entry)
    assert appeal.due_at == shanghai(2026, 10, 9, 23, 59, 59, 999999)


def test_a_deadline_in_a_year_the_calendar_does_not_cover_is_not_guessed(org: Org) -> None:
    entry = criticism(org, dt.date(2026, 12, 20))
    # Given the installed holiday data ends with 2026 and the company declared nothing for 2027
    with (
        time_machine.travel(shanghai(2026, 12, 28, 10, 0), tick=False),
        pytest.raises(CalendarYearNotCovered) as caught,
    ):
        submit(org, entry)
    # Then the calendar's own explanation reaches the user and nothing is filed
    assert caught.value.code == "calendar.year_not_covered" and "2027" in caught.value.message_zh
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()


def test_overdue_appeals_are_listed_for_the_company(org: Org) -> None:
    late = submit(org, criticism(org))
    other = submit(org, criticism(org, dt.date(2026, 10, 29), "另一次"))
    services.appeal_withdraw(actor=org.li, appeal_id=other.pk)
    assert not appeals_overdue(company=org.company, now=shanghai(2026, 11, 9, 23, 0)).exists()
    after = shanghai(2026, 11, 10, 0, 0)
    assert list(appeals_overdue(company=org.company, now=after)) == [late]
    assert list(appeals_overdue(company=org.company, now=after, handler=org.wang)) == []
    with time_machine.travel(after, tick=False):
        assert appeal_detail_for_user(staff=org.yang, appeal_id=late.pk).due == "overdue"


def test_the_overdue_query_is_served_by_the_partial_index_on_postgresql(org: Org) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    submit(org, criticism(org))
    query = appeals_overdue(company=org.company, now=MONDAY_MORNING, handler=org.yang)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "discipline_appeal_open_due" in plan


# --- invariant: every transition leaves an event and a ledger row --------------------------------

MOVES = ["uphold", "reject", "escalate", "withdraw", "add_evidence", "hr_findings", "resubmit"]
ACTORS = ["li", "yang", "wang", "hr", "zhao"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(MOVES), st.sampled_from(ACTORS)), max_size=8))
def test_any_sequence_of_attempts_keeps_events_ledger_and_state_in_step(
    org: Org, attempts: list[tuple[str, str]]
) -> None:
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            entry = criticism(org)
            appeal = submit(org, entry)
            for move, who in attempts:
                actor = getattr(org, who)
                before = Appeal.objects.get(pk=appeal.pk).state
                try:
                    if move == "resubmit":
                        appeal = services.appeal_submit(
                            appellant=actor, entry_id=entry.pk, statement="s", evidence_text="e"
                        )
                    elif move == "withdraw":
                        services.appeal_withdraw(actor=actor, appeal_id=appeal.pk)
                    elif move == "add_evidence":
                        services.appeal_evidence_add(actor=actor, appeal_id=appeal.pk, text="t")
                    elif move == "hr_findings":
                        services.appeal_findings_record(
                            actor=actor, appeal_id=appeal.pk, findings="f"
                        )
                    else:
                        getattr(services, f"appeal_{move}")(
                            actor=actor, appeal_id=appeal.pk, reason="r"
                        )
                except DisciplineError:
                    assert Appeal.objects.get(pk=appeal.pk).state == before
                # invariants after every attempt, successful or not
                for each in Appeal.objects.filter(entry=entry):
                    events = list(each.events.order_by("pk"))
                    assert len(events) == len(appeals_ledger(each))
                    assert events[-1].to_state == each.state
                    for event in events:
                        key = (event.from_state, services.AppealAction(event.action))
                        assert services.TRANSITIONS[key].to_state == event.to_state
                open_count = Appeal.objects.filter(
                    entry=entry, state__in=["supervisor_review", "escalated"]
                ).count()
                assert open_count <= 1
                reversals = DisciplineEntry.objects.filter(kind="reversal", employee=org.li)
                upheld = Appeal.objects.filter(entry=entry, state="upheld").count()
                assert reversals.count() == upheld <= 1
            assert ledger_verify().ok
            raise Rollback
    except Rollback:
        pass


def test_hr_is_the_company_hr_post_only(org: Org, cast: Any) -> None:
    other_hr = cast.staff(org.chen.company, "西湖人事", Post.HR)
    appeal = submit(org, criticism(org))
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="不成立")
    services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="仍有异议")
    with pytest.raises(DisciplineError) as caught:
        services.appeal_findings_record(actor=other_hr, appeal_id=appeal.pk, findings="越权")
    assert caught.value.status == 404
    assert not appeals_queue(staff=other_hr).exists()
