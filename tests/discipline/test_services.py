"""Recording entries by hand, proposals from other apps, and managers' decisions (A4 五.5,
A4 四.六, A7.13). Every approval is a new entry; a refusal is audited; a key is decided once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.discipline import selectors
from kehu.discipline.errors import DisciplineError
from kehu.discipline.models import DisciplineEntry, ProposalDecision
from kehu.discipline.rules import Kind
from kehu.discipline.services import (
    ProposalRequest,
    discipline_entry_post,
    discipline_entry_record,
    discipline_proposal_post,
    discipline_proposals_post,
    proposal_decide,
)

D = dt.date
TODAY = D(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    # 10:00 in Shanghai on 27 Nov 2026: decisions are dated today.
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def team(wang: Staff, li: Staff) -> Staff:
    """李 reports to 王经理 (sales manager: records, sees the team, decides)."""
    li.supervisor = wang
    li.save()
    return li


@pytest.fixture
def hr(cast: Any, east: Company) -> Staff:
    return cast.staff(east, "人事刘", Post.HR)


@pytest.fixture
def gm(cast: Any, east: Company) -> Staff:
    return cast.staff(east, "总经理周", Post.GENERAL_MANAGER)


@pytest.fixture
def west_manager(cast: Any, west: Company) -> Staff:
    return cast.staff(west, "西湖经理", Post.MANAGER)


def post(
    employee: Staff, kind: Kind | str, on: dt.date, by: Staff, **extra: Any
) -> DisciplineEntry:
    return discipline_entry_post(
        employee=employee,
        on=on,
        kind=kind,
        reason=extra.pop("reason", "测试"),
        rule_ids=extra.pop("rule_ids", []),
        recorded_by=by,
        **extra,
    )


def keys(queue: list[selectors.QueueItem]) -> list[str]:
    return [item.key for item in queue]


# --- recording by hand ---------------------------------------------------------------------


def test_a_manager_records_a_criticism_citing_the_default_clause(team: Staff, wang: Staff) -> None:
    entry = discipline_entry_record(
        recorder=wang, employee=team, on=D(2026, 11, 20), kind="criticism", reason="迟到三次"
    )
    assert entry.rule_ids == ["A4 五.5.1"] and entry.recorded_by == wang
    assert LedgerEntry.objects.filter(kind="discipline.criticism").count() == 1


def test_a_supervision_failure_by_hand_cites_its_type(team: Staff, wang: Staff) -> None:
    entry = discipline_entry_record(
        recorder=wang,
        employee=team,
        on=D(2026, 11, 20),
        kind="supervision_failure",
        failure_type=5,
        reason="未上报班组检查情况",
    )
    assert entry.rule_ids == ["A4 四.六.5"]


def test_a_salesperson_may_not_record_and_the_refusal_is_audited(li: Staff, zhao: Staff) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_entry_record(
            recorder=zhao, employee=li, on=D(2026, 11, 20), kind="criticism", reason="x"
        )
    assert caught.value.status == 403
    assert caught.value.code == "discipline.permission_denied"
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.detail["permission"] == "discipline.add_disciplineentry"
    assert not DisciplineEntry.objects.exists()


def test_nobody_records_on_their_own_ledger(wang: Staff) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_entry_record(
            recorder=wang, employee=wang, on=D(2026, 11, 20), kind="bonus",
            amount=Decimal("500"), reason="自己奖励自己",
        )  # fmt: skip
    assert caught.value.status == 403
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1


def test_another_companys_manager_finds_no_such_employee(li: Staff, west_manager: Staff) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_entry_record(
            recorder=west_manager, employee=li, on=D(2026, 11, 20), kind="criticism", reason="x"
        )
    assert caught.value.status == 404


@pytest.mark.parametrize("kind", ["offset", "reversal", "termination", "demotion", "reassignment"])
def test_decisions_and_corrections_cannot_be_recorded_by_hand(
    team: Staff, wang: Staff, kind: str
) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_entry_record(
            recorder=wang, employee=team, on=D(2026, 11, 20), kind=kind, reason="x"
        )
    assert caught.value.status == 422 and caught.value.code == "discipline.bad_entry"
    assert "不能直接录入" in caught.value.message_zh


def test_an_unknown_kind_is_a_clear_error(team: Staff, wang: Staff) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_entry_record(
            recorder=wang, employee=team, on=D(2026, 11, 20), kind="medal", reason="x"
        )
    assert caught.value.status == 422 and "medal" in caught.value.message_en


def test_refs_to_entries_the_rules_derived_are_accepted_for_offsets(
    team: Staff, wang: Staff
) -> None:
    c1 = post(team, "commendation", D(2026, 3, 1), wang)
    c2 = post(team, "commendation", D(2026, 3, 2), wang)
    demerit = post(team, "minor_demerit", D(2026, 3, 3), wang)
    offset = post(
        team, "offset", D(2026, 3, 4), wang, refs=[f"commendation-pair:{c1.pk}+{c2.pk}", demerit.pk]
    )
    assert offset.refs == [f"commendation-pair:{c1.pk}+{c2.pk}", demerit.pk]
    with pytest.raises(DisciplineError):
        post(team, "offset", D(2026, 3, 4), wang, refs=["commendation-pair:999998+999999", 1])


# --- proposals from other apps (A7.13) -------------------------------------------------------


def grab_fine(employee: Staff, proposer: Staff, **extra: Any) -> Any:
    return discipline_proposal_post(
        employee=employee,
        kind="fine_in_range",
        on=D(2026, 11, 20),
        low=Decimal("200"),
        high=Decimal("500"),
        reason="抢客户：未经原售楼员同意继续接待",
        rule_ids=["A7.13"],
        source_type="sales.deal",
        source_id=42,
        proposed_by=proposer,
        **extra,
    )


def test_a_fine_proposal_from_sales_reaches_the_managers_queue(team: Staff, wang: Staff) -> None:
    proposal = grab_fine(team, wang, decider_post=Post.SALES_MANAGER)
    queue = selectors.proposals_queue_for(wang)
    assert keys(queue) == [f"stored:{proposal.pk}"]
    assert queue[0].low == Decimal("200.00") and queue[0].high == Decimal("500.00")
    assert LedgerEntry.objects.filter(kind="discipline.proposal").count() == 1


def test_a_proposal_for_another_post_is_not_in_a_team_deciders_queue(
    team: Staff, wang: Staff, gm: Staff
) -> None:
    proposal = grab_fine(team, wang, decider_post=Post.SALES_DIRECTOR)
    assert selectors.proposals_queue_for(wang) == []
    # the general manager decides company-wide
    assert keys(selectors.proposals_queue_for(gm)) == [f"stored:{proposal.pk}"]


@pytest.mark.parametrize(
    ("low", "high"),
    [(None, Decimal("500")), (Decimal("600"), Decimal("500")), (Decimal("-1"), Decimal("5"))],
)
def test_a_fine_proposal_needs_a_sensible_range(
    team: Staff, wang: Staff, low: Decimal | None, high: Decimal | None
) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_proposal_post(
            employee=team, kind="fine_in_range", on=D(2026, 11, 20), low=low, high=high,
            reason="x", rule_ids=["A7.13"], source_type="sales.deal", source_id=1,
        )  # fmt: skip
    assert caught.value.status == 422


def test_offsets_are_never_posted_as_proposals(team: Staff) -> None:
    with pytest.raises(DisciplineError):
        discipline_proposal_post(
            employee=team, kind="offset", on=D(2026, 11, 20), low=None, high=None,
            reason="x", rule_ids=[], source_type="", source_id="",
        )  # fmt: skip


def late_fine(employee: Staff, amount: str, source_id: int, **extra: Any) -> ProposalRequest:
    return ProposalRequest(
        employee=employee, kind="fine_in_range", on=TODAY, low=Decimal(amount),
        high=Decimal(amount), reason="投诉未当天处理", rule_ids=("A8.2",),
        source_type="complaints.complaint", source_id=source_id, **extra,
    )  # fmt: skip


def test_many_proposals_are_posted_as_one_by_one_posts_would_be(
    cast: Any, team: Staff, wang: Staff, west: Company, django_assert_max_num_queries: Any
) -> None:
    # given fines for two of 华东置业's staff and one of 西湖燃气's, as a midnight sweep posts
    gas = cast.staff(west, "燃气张", Post.SALESPERSON)
    requests = [
        late_fine(team, "100", 1),
        late_fine(wang, "50", 1, proposed_by=wang),
        late_fine(gas, "100", 2),
        *[late_fine(team, "100", n) for n in range(3, 23)],
    ]
    # when they are posted at once: one insert, then per company one ledger append (lock the
    # head, insert the entries, move the head; + 4 where the company's stream is new) — 15
    # statements for 23 proposals, where one by one took about seven each
    with django_assert_max_num_queries(15):
        proposals = discipline_proposals_post(requests)
    # then each is stored, in order, with its own ledger entry about it
    assert [p.pk for p in proposals] == sorted(p.pk for p in proposals)
    assert [(p.employee_id, p.high, p.source_id) for p in proposals[:3]] == [
        (team.pk, Decimal("100.00"), "1"),
        (wang.pk, Decimal("50.00"), "1"),
        (gas.pk, Decimal("100.00"), "2"),
    ]
    entries = LedgerEntry.objects.filter(kind="discipline.proposal")
    assert sorted(int(e.subject_id) for e in entries) == sorted(p.pk for p in proposals)
    by_subject = {int(e.subject_id): e for e in entries}
    assert by_subject[proposals[1].pk].recorded_by_id == wang.user.pk
    assert by_subject[proposals[2].pk].company_id == west.pk
    assert by_subject[proposals[2].pk].payload["employee_name"] == "燃气张"
    # and they reach the deciders' queues like any other, and the chain verifies
    assert f"stored:{proposals[0].pk}" in keys(selectors.proposals_queue_for(wang))
    assert ledger_verify().ok


def test_one_bad_request_among_many_posts_nothing(team: Staff, wang: Staff) -> None:
    requests = [late_fine(team, "100", 1), late_fine(wang, "100", 2, decider_post="nobody")]
    with pytest.raises(DisciplineError) as caught:
        discipline_proposals_post(requests)
    assert caught.value.status == 422
    assert "nobody" in caught.value.message_en
    assert not selectors.proposals_queue_for(wang)
    assert not LedgerEntry.objects.filter(kind="discipline.proposal").exists()


# --- deciding: fines within range (A7.13) ----------------------------------------------------


def test_approving_a_fine_within_range_writes_the_fine(team: Staff, wang: Staff) -> None:
    proposal = grab_fine(team, wang)
    decision = proposal_decide(
        decider=wang,
        proposal_key=f"stored:{proposal.pk}",
        outcome="approved",
        amount=Decimal("300"),
        reason="首次，按 300 元",
    )
    entry = decision.resulting_entry
    assert entry is not None
    assert (entry.kind, entry.amount, entry.on) == ("fine", Decimal("300.00"), TODAY)
    assert entry.rule_ids == ["A7.13"]
    assert (entry.source_type, entry.source_id) == ("sales.deal", "42")
    assert decision.proposal == proposal and decision.amount == Decimal("300.00")
    assert selectors.proposals_queue_for(wang) == []
    assert ledger_verify().ok


@pytest.mark.parametrize("amount", [Decimal("199.99"), Decimal("500.01"), None])
def test_a_fine_outside_the_range_is_refused_naming_the_range(
    team: Staff, wang: Staff, amount: Decimal | None
) -> None:
    proposal = grab_fine(team, wang)
    with pytest.raises(DisciplineError) as caught:
        proposal_decide(
            decider=wang,
            proposal_key=f"stored:{proposal.pk}",
            outcome="approved",
            amount=amount,
            reason="x",
        )
    assert caught.value.code == "discipline.amount_out_of_range"
    assert "200.00–500.00 元" in caught.value.message_zh and "A7.13" in caught.value.message_zh
    assert not ProposalDecision.objects.exists() and not DisciplineEntry.objects.exists()


@pytest.mark.parametrize("amount", [Decimal("200"), Decimal("500")])
def test_the_range_includes_its_ends(team: Staff, wang: Staff, amount: Decimal) -> None:
    proposal = grab_fine(team, wang)
    decision = proposal_decide(
        decider=wang,
        proposal_key=f"stored:{proposal.pk}",
        outcome="approved",
        amount=amount,
        reason="x",
    )
    assert decision.amount == amount


def test_rejecting_writes_only_the_decision(team: Staff, wang: Staff) -> None:
    proposal = grab_fine(team, wang)
    decision = proposal_decide(
        decider=wang, proposal_key=f"stored:{proposal.pk}", outcome="rejected", reason="查无实据"
    )
    assert decision.resulting_entry is None
    assert not DisciplineEntry.objects.exists()
    assert LedgerEntry.objects.filter(kind="discipline.decision").count() == 1


# --- deciding: derived proposals ---------------------------------------------------------------


def test_termination_is_proposed_on_two_major_demerits_and_decided_by_a_manager(
    team: Staff, wang: Staff
) -> None:
    m1 = post(team, "major_demerit", D(2026, 5, 1), wang)
    m2 = post(team, "major_demerit", D(2026, 6, 1), wang)
    key = f"termination:{m1.pk}+{m2.pk}"
    assert keys(selectors.proposals_queue_for(wang)) == [key]
    decision = proposal_decide(
        decider=wang, proposal_key=key, outcome="approved", reason="经研究决定解除"
    )
    entry = decision.resulting_entry
    assert entry is not None and entry.kind == "termination"
    assert entry.rule_ids == ["A4 五.5.5(惩罚)"]
    assert selectors.proposals_queue_for(wang) == []


def test_a_cover_up_twice_brings_a_demotion_decision(team: Staff, wang: Staff) -> None:
    f1 = post(team, "supervision_failure", D(2026, 2, 1), wang, failure_type=6)
    f2 = post(team, "supervision_failure", D(2026, 3, 1), wang, failure_type=6)
    key = f"demotion:{f1.pk}+{f2.pk}"
    decision = proposal_decide(decider=wang, proposal_key=key, outcome="approved", reason="降职")
    assert decision.resulting_entry is not None
    assert decision.resulting_entry.kind == "demotion"
    assert decision.resulting_entry.rule_ids == ["A4 四.六.6"]


def test_two_warnings_bring_reassignment_or_demotion_as_the_manager_chooses(
    team: Staff, wang: Staff
) -> None:
    w1 = post(team, "warning", D(2026, 2, 1), wang)
    w2 = post(team, "warning", D(2026, 9, 1), wang)
    key = f"reassignment_or_demotion:{w1.pk}+{w2.pk}"
    decision = proposal_decide(
        decider=wang, proposal_key=key, outcome="approved", reason="降职处理", measure="demotion"
    )
    assert decision.resulting_entry is not None
    assert decision.resulting_entry.kind == "demotion"
    assert decision.resulting_entry.rule_ids == ["A4 四.六.7"]


def test_reassignment_is_the_default_measure(team: Staff, wang: Staff) -> None:
    w1 = post(team, "warning", D(2026, 2, 1), wang)
    w2 = post(team, "warning", D(2026, 9, 1), wang)
    decision = proposal_decide(
        decider=wang,
        proposal_key=f"reassignment_or_demotion:{w1.pk}+{w2.pk}",
        outcome="approved",
        reason="调岗",
    )
    assert decision.resulting_entry is not None
    assert decision.resulting_entry.kind == "reassignment"


def test_an_offset_is_only_proposed_until_a_manager_approves_it(team: Staff, wang: Staff) -> None:
    # Given a criticism in March and a commendation in June (within the penalty's period)
    criticism = post(team, "criticism", D(2026, 3, 1), wang)
    commendation = post(team, "commendation", D(2026, 6, 1), wang)
    # Then the standing still counts both, and proposes the offset (A4 五.5.6)
    before = selectors.standing_for_employee(viewer=wang, employee=team).standing
    assert before.counts["criticism"] == 1 and before.counts["commendation"] == 1
    key = f"offset:{'+'.join(sorted([str(commendation.pk), str(criticism.pk)]))}"
    assert keys(selectors.proposals_queue_for(wang)) == [key]
    # When the manager approves it
    decision = proposal_decide(decider=wang, proposal_key=key, outcome="approved", reason="酌情")
    # Then an OFFSET entry cites (merit, penalty) and both counts drop to 0
    entry = decision.resulting_entry
    assert entry is not None and entry.kind == "offset"
    assert entry.refs == [commendation.pk, criticism.pk]
    after = selectors.standing_for_employee(viewer=wang, employee=team).standing
    assert after.counts["criticism"] == 0 and after.counts["commendation"] == 0
    assert selectors.proposals_queue_for(wang) == []


def test_a_rejected_offset_leaves_the_counts_and_leaves_the_queue(team: Staff, wang: Staff) -> None:
    post(team, "criticism", D(2026, 3, 1), wang)
    post(team, "commendation", D(2026, 6, 1), wang)
    (item,) = selectors.proposals_queue_for(wang)
    proposal_decide(decider=wang, proposal_key=item.key, outcome="rejected", reason="不予抵销")
    after = selectors.standing_for_employee(viewer=wang, employee=team).standing
    assert after.counts["criticism"] == 1 and after.counts["commendation"] == 1
    assert selectors.proposals_queue_for(wang) == []


def test_an_offset_of_a_merit_the_rules_derived_is_approved_too(team: Staff, wang: Staff) -> None:
    # two commendations make a minor merit, which may cancel a minor demerit
    demerit = post(team, "minor_demerit", D(2026, 3, 1), wang)
    c1 = post(team, "commendation", D(2026, 4, 1), wang)
    c2 = post(team, "commendation", D(2026, 5, 1), wang)
    (item,) = selectors.proposals_queue_for(wang)
    assert item.from_ids == (f"commendation-pair:{c1.pk}+{c2.pk}", str(demerit.pk))
    proposal_decide(decider=wang, proposal_key=item.key, outcome="approved", reason="酌情")
    after = selectors.standing_for_employee(viewer=wang, employee=team).standing
    assert after.counts["minor_demerit"] == 0 and after.counts["minor_merit"] == 0


# --- one decision per key, and only by those who decide ----------------------------------------


def test_a_second_decision_on_the_same_key_is_already_decided(team: Staff, wang: Staff) -> None:
    proposal = grab_fine(team, wang)
    key = f"stored:{proposal.pk}"
    proposal_decide(decider=wang, proposal_key=key, outcome="rejected", reason="x")
    with pytest.raises(DisciplineError) as caught:
        proposal_decide(
            decider=wang, proposal_key=key, outcome="approved", amount=Decimal("300"), reason="y"
        )
    assert caught.value.code == "discipline.already_decided" and caught.value.status == 409
    assert ProposalDecision.objects.count() == 1 and not DisciplineEntry.objects.exists()


def test_a_race_lost_at_the_unique_constraint_is_already_decided(
    team: Staff, wang: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a rival decision committed between the check and the insert
    proposal = grab_fine(team, wang)
    key = f"stored:{proposal.pk}"
    from kehu.discipline import services

    monkeypatch.setattr(services, "_refuse_if_decided", lambda decider, key: None)
    proposal_decide(decider=wang, proposal_key=key, outcome="rejected", reason="先到")
    with pytest.raises(DisciplineError) as caught:
        proposal_decide(
            decider=wang, proposal_key=key, outcome="approved", amount=Decimal("300"), reason="后到"
        )
    # Then the unique constraint turns the second into already_decided, and no fine remains
    assert caught.value.code == "discipline.already_decided"
    assert not DisciplineEntry.objects.filter(kind="fine").exists()


def test_the_unique_constraint_itself_refuses_a_second_decision(team: Staff, wang: Staff) -> None:
    from django.db import transaction

    proposal = grab_fine(team, wang)
    proposal_decide(
        decider=wang, proposal_key=f"stored:{proposal.pk}", outcome="rejected", reason="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalDecision.objects.create(
            company=team.company, employee=team, proposal_key=f"stored:{proposal.pk}",
            outcome="approved", reason="y", decided_by=wang,
        )  # fmt: skip


def test_a_decider_without_the_permission_is_refused_and_audited(
    team: Staff, wang: Staff, hr: Staff
) -> None:
    proposal = grab_fine(team, wang)
    with pytest.raises(DisciplineError) as caught:
        proposal_decide(
            decider=hr, proposal_key=f"stored:{proposal.pk}", outcome="rejected", reason="x"
        )
    assert caught.value.status == 403
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1


def test_a_manager_outside_the_chain_finds_no_such_proposal(
    cast: Any, east: Company, team: Staff, wang: Staff
) -> None:
    other_manager = cast.staff(east, "孙经理", Post.SALES_MANAGER)
    proposal = grab_fine(team, wang)
    assert selectors.proposals_queue_for(other_manager) == []
    with pytest.raises(DisciplineError) as caught:
        proposal_decide(
            decider=other_manager, proposal_key=f"stored:{proposal.pk}", outcome="rejected",
            reason="x",
        )  # fmt: skip
    assert caught.value.status == 404


def test_another_companys_decider_finds_no_such_proposal(
    team: Staff, wang: Staff, west_manager: Staff
) -> None:
    m1 = post(team, "major_demerit", D(2026, 5, 1), wang)
    m2 = post(team, "major_demerit", D(2026, 6, 1), wang)
    proposal = grab_fine(team, wang)
    assert selectors.proposals_queue_for(west_manager) == []
    for key in (f"termination:{m1.pk}+{m2.pk}", f"stored:{proposal.pk}"):
        with pytest.raises(DisciplineError) as caught:
            proposal_decide(decider=west_manager, proposal_key=key, outcome="rejected", reason="x")
        assert caught.value.status == 404


def test_a_key_the_ledger_does_not_support_is_not_found(team: Staff, wang: Staff) -> None:
    # a client invents a termination from one major demerit and one criticism
    m1 = post(team, "major_demerit", D(2026, 5, 1), wang)
    c1 = post(team, "criticism", D(2026, 6, 1), wang)
    with pytest.raises(DisciplineError) as caught:
        proposal_decide(
            decider=wang, proposal_key=f"termination:{m1.pk}+{c1.pk}", outcome="approved",
            reason="x",
        )  # fmt: skip
    assert caught.value.status == 404
    assert not ProposalDecision.objects.exists()


def test_nobody_decides_their_own_proposals(cast: Any, east: Company, wang: Staff) -> None:
    director = cast.staff(east, "总监吴", Post.SALES_DIRECTOR)
    proposal = grab_fine(director, wang)
    assert selectors.proposals_queue_for(director) == []
    with pytest.raises(DisciplineError):
        proposal_decide(
            decider=director, proposal_key=f"stored:{proposal.pk}", outcome="rejected", reason="x"
        )


def test_amounts_and_measures_only_where_they_belong(team: Staff, wang: Staff) -> None:
    m1 = post(team, "major_demerit", D(2026, 5, 1), wang)
    m2 = post(team, "major_demerit", D(2026, 6, 1), wang)
    key = f"termination:{m1.pk}+{m2.pk}"
    for extra in ({"amount": Decimal("100")}, {"measure": "demotion"}):
        with pytest.raises(DisciplineError) as caught:
            proposal_decide(decider=wang, proposal_key=key, outcome="approved", reason="x", **extra)
        assert caught.value.code == "discipline.bad_input"
    assert not ProposalDecision.objects.exists()
