"""Complaints through the services, with frozen time: intake at any unit (one-stop), stage
deadlines, the sweep's warnings, breaches and escalations, A8.2 fines reaching the discipline
ledger, grouping, 100% callbacks and reopening (Part C)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.complaints import rules, services
from kehu.complaints.models import Complaint, ComplaintCheck, ComplaintEvent, WorkOrder
from kehu.core.calendar.rules import LOCAL_TZ
from kehu.core.errors import KehuError
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Department, Post, Staff
from kehu.discipline.models import DisciplineProposal

pytestmark = pytest.mark.django_db


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def engineering(west: Company) -> Department:
    return Department.objects.create(company=west, name="工程部")


@pytest.fixture
def fitter(cast, west: Company, engineering: Department) -> Staff:  # type: ignore[no-untyped-def]
    return cast.staff(west, "周工", Post.REPAIRMAN, department=engineering)


@pytest.fixture
def clerk(cast, west: Company) -> Staff:  # type: ignore[no-untyped-def]
    """A business clerk at a counter: not customer service, but must accept (one-stop)."""
    return cast.staff(west, "吴营业", Post.BUSINESS_CLERK)


def receive(actor: Staff, **extra: object) -> Complaint:
    fields: dict[str, object] = {
        "channel": "department",
        "customer_name": "刘女士",
        "category": "燃气表",
        "subject": "燃气表走字快",
        "description": "客户反映燃气表走字异常",
    }
    fields.update(extra)
    return services.complaint_receive(actor=actor, **fields)  # type: ignore[arg-type]


def act(actor: Staff, complaint: Complaint, action: str, **extra: object) -> Complaint:
    return services.complaint_act(
        actor=actor,
        complaint_id=complaint.pk,
        action=action,
        **extra,  # type: ignore[arg-type]
    )


def test_a3_any_unit_accepts_and_must_forward_within_24_hours(clerk: Staff) -> None:
    # given a clerk at a counter, who is not customer service
    with time_machine.travel(local("2025-09-30T20:00"), tick=False):
        # when a customer complains to them
        complaint = receive(clerk)
    # then the complaint is taken, held by the clerk, due at customer service in 24 clock hours
    assert complaint.stage == rules.Stage.RECEIVED
    assert complaint.handler == clerk
    assert complaint.due_at == local("2025-10-01T20:00")
    event = complaint.events.get()
    assert rules.A3_ONE_STOP in event.rule_ids and rules.A3_FORWARD in event.rule_ids


def test_a3_the_whole_path_with_a_department_and_the_customer_told(
    clerk: Staff, chen: Staff, fitter: Staff, engineering: Department
) -> None:
    with time_machine.travel(local("2026-03-02T09:00"), tick=False):
        complaint = receive(clerk)
    with time_machine.travel(local("2026-03-02T10:00"), tick=False):
        complaint = act(clerk, complaint, "forward")
    assert complaint.stage == rules.Stage.AT_SERVICE
    assert complaint.due_at == local("2026-03-03T10:00")
    with time_machine.travel(local("2026-03-02T11:00"), tick=False):
        complaint = act(chen, complaint, "dispatch", department_id=engineering.pk)
    assert complaint.stage == rules.Stage.DISPATCHED
    assert complaint.due_at == local("2026-03-05T23:59:59.999999")  # 3 calendar days
    with time_machine.travel(local("2026-03-04T15:00"), tick=False):
        complaint = act(fitter, complaint, "report_result", note="已更换燃气表")
    assert complaint.stage == rules.Stage.RESULT
    assert complaint.due_at == local("2026-03-06T23:59:59.999999")  # told within 2 days
    with time_machine.travel(local("2026-03-05T09:00"), tick=False):
        complaint = act(chen, complaint, "tell_customer")
    assert complaint.stage == rules.Stage.CLOSED
    assert complaint.due_at is None
    assert not ComplaintCheck.objects.filter(complaint=complaint).exists()  # no more sweeping
    assert [e.action for e in complaint.events.all()] == [
        "receive",
        "forward",
        "dispatch",
        "report_result",
        "tell_customer",
    ]


def test_a3_a_department_cannot_close_and_an_outsider_cannot_act(
    clerk: Staff, chen: Staff, fitter: Staff, engineering: Department, cast, east: Company
) -> None:  # type: ignore[no-untyped-def]
    complaint = receive(clerk)
    complaint = act(clerk, complaint, "forward")
    with pytest.raises(KehuError) as denied:
        act(fitter, complaint, "dispatch", department_id=engineering.pk)
    assert denied.value.code == "complaints.permission_denied"
    outsider = cast.staff(east, "外人", Post.CUSTOMER_SERVICE)
    with pytest.raises(KehuError) as missing:
        act(outsider, complaint, "dispatch", department_id=engineering.pk)
    assert missing.value.code == "complaints.not_found"


def test_a3_an_action_out_of_order_says_what_is_possible(clerk: Staff, chen: Staff) -> None:
    complaint = receive(clerk)
    with pytest.raises(KehuError) as refused:
        act(chen, complaint, "tell_customer")
    assert refused.value.code == "complaints.bad_transition"
    assert refused.value.details["allowed"] == ["forward"]
    assert "转客服中心" in refused.value.message_zh
    complaint.refresh_from_db()
    assert complaint.stage == rules.Stage.RECEIVED  # nothing half-written
    assert complaint.events.count() == 1


def test_a3_cannot_solve_soon_then_the_agreed_date_is_the_deadline(
    clerk: Staff, chen: Staff, fitter: Staff, engineering: Department
) -> None:
    complaint = act(clerk, receive(clerk), "forward")
    complaint = act(chen, complaint, "dispatch", department_id=engineering.pk)
    with time_machine.travel(local("2026-04-01T10:00"), tick=False):
        complaint = act(fitter, complaint, "report_not_soon", note="需更换整段管线")
    assert complaint.due_at == local("2026-04-04T23:59:59.999999")
    with time_machine.travel(local("2026-04-02T10:00"), tick=False):
        with pytest.raises(KehuError) as missing:
            act(chen, complaint, "agree_date", note="已向客户解释")
        assert missing.value.code == "complaints.field_required"
        complaint = act(
            chen, complaint, "agree_date", note="已向客户解释", agreed_date=dt.date(2026, 4, 20)
        )
    assert complaint.stage == rules.Stage.AGREED
    assert complaint.due_at == local("2026-04-20T23:59:59.999999")
    assert complaint.agreed_date == dt.date(2026, 4, 20)


def test_a3_working_day_policy_counts_the_adjusted_saturday_before_spring_festival(
    clerk: Staff, chen: Staff, engineering: Department, cast, west: Company
) -> None:  # type: ignore[no-untyped-def]
    from kehu.core.policy.services import policy_version_create

    boss = cast.staff(west, "总经理", Post.GENERAL_MANAGER)
    policy_version_create(
        staff=boss,
        key="complaints",
        values={"result_amount": 2, "result_unit": "workday"},
        effective_from=local("2026-01-01T00:00"),
        note="责任部门按工作日计",
        allow_backdate=True,
    )
    complaint = act(clerk, receive(clerk), "forward")
    with time_machine.travel(local("2026-02-13T15:00"), tick=False):
        complaint = act(chen, complaint, "dispatch", department_id=engineering.pk)
    # Saturday 14 February is worked (调休); 15–23 February are the holiday
    assert complaint.due_at == local("2026-02-24T23:59:59.999999")


# --- the sweep ------------------------------------------------------------------------------


def test_sweep_warns_at_80_percent_breaches_after_the_deadline_and_escalates(
    cast,
    west: Company,  # type: ignore[no-untyped-def]
) -> None:
    boss = cast.staff(west, "钱经理", Post.MANAGER)
    lead = cast.staff(west, "孙主管", Post.SUPERVISOR, supervisor=boss)
    clerk = cast.staff(west, "吴营业", Post.BUSINESS_CLERK, supervisor=lead)
    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        complaint = receive(clerk)  # due 2026-03-03 08:00, warning from 03:12
    result = services.complaint_sweep(now=local("2026-03-03T03:00"))
    assert result.looked_at == 0  # nothing to look at yet: the index finds no row
    result = services.complaint_sweep(now=local("2026-03-03T03:12"))
    assert (result.warnings, result.breaches) == (1, 0)
    result = services.complaint_sweep(now=local("2026-03-03T08:00:01"))
    assert (result.breaches, result.escalations) == (1, 0)  # 催办 the clerk
    result = services.complaint_sweep(now=local("2026-03-04T08:00:01"))
    assert result.escalations == 1  # 督办 one level up
    result = services.complaint_sweep(now=local("2026-03-05T09:00"))
    assert result.escalations == 1
    complaint.refresh_from_db()
    assert complaint.time_state == "breached" and complaint.escalation_level == 3
    escalations = ComplaintEvent.objects.filter(complaint=complaint, action="escalate")
    assert [e.detail["escalated_to"] for e in escalations] == [lead.pk, boss.pk]
    breach = ComplaintEvent.objects.get(complaint=complaint, action="breach")
    assert breach.detail["chased_staff_id"] == clerk.pk and breach.actor is None


def test_sweep_ignores_closed_complaints_and_a_step_resets_the_clock(
    clerk: Staff, chen: Staff
) -> None:
    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        complaint = receive(clerk)
    with time_machine.travel(local("2026-03-02T09:00"), tick=False):
        complaint = act(clerk, complaint, "forward")
    result = services.complaint_sweep(now=local("2026-03-03T03:12"))
    assert result.looked_at == 0  # the forward started a new 24 hours at 09:00
    assert services.sweep_candidates(now=local("2026-03-10T00:00")) == [complaint.pk]


def test_a8_2_an_unsettled_sales_office_complaint_fines_service_and_the_director(
    cast,
    east: Company,  # type: ignore[no-untyped-def]
) -> None:
    director = cast.staff(east, "孙总监", Post.SALES_DIRECTOR)
    desk = cast.staff(east, "郑客服", Post.CUSTOMER_SERVICE, supervisor=director)
    with time_machine.travel(local("2026-05-08T10:00"), tick=False):
        complaint = receive(desk, channel="sales_office", category="合同", subject="合同条款")
    assert complaint.profile == rules.Profile.A8_2
    assert complaint.due_at == local("2026-05-08T23:59:59.999999")
    result = services.complaint_sweep(now=local("2026-05-09T00:00:01"))
    assert (result.breaches, result.fines) == (1, 2)
    proposals = DisciplineProposal.objects.filter(source_id=str(complaint.pk))
    assert {(p.employee_id, p.low, p.high) for p in proposals} == {
        (desk.pk, 100, 100),
        (director.pk, 50, 50),
    }
    assert all(p.rule_ids == ["A8.2"] for p in proposals)
    fines = ComplaintEvent.objects.get(complaint=complaint, action="a8_2_fines")
    assert "director_assistant" in fines.note  # no such post: recorded as unassigned
    # once per complaint
    services.complaint_sweep(now=local("2026-05-10T12:00"))
    assert DisciplineProposal.objects.filter(source_id=str(complaint.pk)).count() == 2


def test_a8_2_one_midnight_sweep_fines_every_unsettled_complaint_once_reading_people_once(
    cast,
    east: Company,  # type: ignore[no-untyped-def]
) -> None:
    # given three sales-office complaints held by one desk and one by another, none settled
    director = cast.staff(east, "孙总监", Post.SALES_DIRECTOR)
    desk = cast.staff(east, "郑客服", Post.CUSTOMER_SERVICE, supervisor=director)
    other = cast.staff(east, "冯客服", Post.CUSTOMER_SERVICE, supervisor=director)
    with time_machine.travel(local("2026-05-08T10:00"), tick=False):
        held = [receive(desk, channel="sales_office", subject=f"合同{i}") for i in range(3)]
        held.append(receive(other, channel="sales_office", subject="合同3"))
    # when the first sweep after midnight runs
    with CaptureQueriesContext(connection) as captured:
        result = services.complaint_sweep(now=local("2026-05-09T00:00:01"))
    # then each complaint breached and posted its two fines (A8.2), flagged and recorded once
    assert (result.breaches, result.fines) == (4, 8)
    for complaint in held:
        complaint.refresh_from_db()
        assert complaint.penalised
        assert ComplaintEvent.objects.filter(complaint=complaint, action="a8_2_fines").count() == 1
        assert {
            p.employee_id for p in DisciplineProposal.objects.filter(source_id=str(complaint.pk))
        } == {complaint.received_by_id, director.pk}
    # and the desks and their supervisor chains were read once for the sweep, not per complaint
    staff_reads = [q for q in captured.captured_queries if 'FROM "org_staff"' in q["sql"]]
    assert len(staff_reads) <= 2, len(staff_reads)  # per level of the chains: desks, director
    subject_reads = [q for q in captured.captured_queries if '"subject" FROM' in q["sql"]]
    assert len(subject_reads) == 1, len(subject_reads)
    # and the eight fines were posted at once: one insert of proposals, one of ledger entries
    # (on PostgreSQL the entries, too many for one cached statement, go in by COPY)
    writes = ("INSERT", "COPY")
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(writes)]
    assert sum('"discipline_disciplineproposal"' in q for q in inserts) == 1
    assert sum('"ledger_ledgerentry"' in q for q in inserts) == 1
    assert ledger_verify().ok
    # and a later sweep posts nothing again
    services.complaint_sweep(now=local("2026-05-10T12:00"))
    assert DisciplineProposal.objects.filter(source_type="complaints.complaint").count() == 8


def test_the_job_sweeps_in_batches_of_its_own_transaction_until_none_is_left(
    clerk: Staff,
) -> None:
    # given five complaints received at the same hour: all in their warning band at 03:12
    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        complaints = [receive(clerk, subject=f"噪音{i}") for i in range(5)]
    # when the job sweeps in batches of two
    result = services.complaint_sweep_all(now=local("2026-03-03T03:12"), batch=2)
    # then three batches looked at each complaint once and warned it once
    assert (result.batches, result.looked_at, result.warnings) == (3, 5, 5)
    assert sorted(result.complaint_ids) == sorted(c.pk for c in complaints)
    warned = ComplaintEvent.objects.filter(action="warning", complaint__in=complaints)
    assert sorted(warned.values_list("complaint_id", flat=True)) == sorted(result.complaint_ids)
    assert result.slowest_batch_seconds > 0
    # and the same minute again finds nothing left (one batch, empty)
    again = services.complaint_sweep_all(now=local("2026-03-03T03:12:30"), batch=2)
    assert (again.batches, again.looked_at) == (1, 0)


def test_the_job_stops_after_its_batch_limit_and_the_next_run_goes_on(clerk: Staff) -> None:
    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        for i in range(5):
            receive(clerk, subject=f"噪音{i}")
    first = services.complaint_sweep_all(now=local("2026-03-03T03:12"), batch=2, max_batches=1)
    assert (first.batches, first.looked_at, first.more_due) == (1, 2, True)
    rest = services.complaint_sweep_all(now=local("2026-03-03T03:13"), batch=2)
    assert (rest.batches, rest.looked_at, rest.warnings, rest.more_due) == (2, 3, 3, False)


def test_the_sweep_command_drains_and_says_what_it_did_in_chinese(clerk: Staff) -> None:
    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        for i in range(3):
            receive(clerk, subject=f"噪音{i}")
    out = io.StringIO()
    call_command("complaints_sweep", "--at", "2026-03-03T03:12", stdout=out)
    said = out.getvalue()
    assert said.startswith("检查 3 件：预警 3，超时 0，督办 0，罚款提议 0（1 批，最慢一批 ")


def test_the_sweeps_read_goes_through_the_checks_index(clerk: Staff) -> None:
    receive(clerk)
    if connection.vendor != "sqlite":
        pytest.skip("the plan text checked here is SQLite's")
    with CaptureQueriesContext(connection) as captured:
        services.sweep_candidates(now=local("2026-03-03T00:00"))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {captured.captured_queries[-1]['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "complaint_check_due" in plan


def _check_of(complaint: Complaint) -> dt.datetime | None:
    check = ComplaintCheck.objects.filter(complaint=complaint).first()
    return check.next_check_at if check is not None else None


def test_an_open_complaint_has_one_check_at_its_warning_time_and_a_closed_one_none(
    clerk: Staff, chen: Staff, engineering: Department
) -> None:
    # each stage entered sets the sweep's next look at its warning time (80 % of the stage)
    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        complaint = receive(clerk)
    assert _check_of(complaint) == complaint.warn_at == local("2026-03-03T03:12")
    with time_machine.travel(local("2026-03-02T09:00"), tick=False):
        complaint = act(clerk, complaint, "forward")
    assert _check_of(complaint) == complaint.warn_at == local("2026-03-03T04:12")
    # the sweep moves it on: past the warning, the next look is just after the deadline
    services.complaint_sweep(now=local("2026-03-03T05:00"))
    assert _check_of(complaint) == local("2026-03-03T09:00") + dt.timedelta(microseconds=1)
    with time_machine.travel(local("2026-03-03T06:00"), tick=False):
        complaint = act(chen, complaint, "dispatch", department_id=engineering.pk)
    assert _check_of(complaint) == complaint.warn_at
    assert ComplaintCheck.objects.count() == 1
    # closing removes it: nothing left for the sweep to look at
    with time_machine.travel(local("2026-03-03T07:00"), tick=False):
        complaint = act(chen, complaint, "report_result", note="已处理")
        complaint = act(chen, complaint, "tell_customer")
    assert complaint.stage == rules.Stage.CLOSED
    assert _check_of(complaint) is None
    assert services.sweep_candidates(now=local("2027-01-01T00:00")) == []


def _sweep_written_columns() -> list[str]:
    return [part.split("=")[0].strip() for part in services._SWEEP_SET.split(",")]


def test_no_index_of_the_complaints_table_names_a_column_the_sweep_writes() -> None:
    # (an index on one of them — or a partial index's condition — would make every sweep
    # update add an entry to every index of the table again, instead of staying in place)
    table = Complaint._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        definitions = [text for (text,) in cursor.fetchall()]
    assert len(definitions) >= 5  # the table's own indexes were read
    written = _sweep_written_columns()
    assert written == ["time_state", "escalation_level", "penalised"]
    assert not [d for d in definitions if any(column in d for column in written)]


def test_the_sweeps_updates_of_complaints_stay_in_place_on_postgresql(clerk: Staff) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("in-place (HOT) updates are PostgreSQL's")
    with time_machine.travel(local("2026-03-02T08:00"), tick=False):
        for i in range(5):
            receive(clerk, subject=f"噪音{i}")

    def updates() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_updated(%s::regclass), "
                "pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
                [Complaint._meta.db_table] * 2,
            )
            updated, in_place = cursor.fetchone()
        return int(updated), int(in_place)

    before = updates()
    result = services.complaint_sweep(now=local("2026-03-03T03:12"))
    after = updates()
    assert result.warnings == 5
    assert (after[0] - before[0], after[1] - before[1]) == (5, 5)


# --- groups, work orders, callbacks, needs --------------------------------------------------------


def test_a3_complaints_about_one_problem_get_one_explanation_session(
    clerk: Staff, chen: Staff
) -> None:
    first = receive(clerk, place="3栋", category="停气")
    second = receive(clerk, place="3栋", category="停气", customer_name="马先生")
    group = services.group_confirm(
        actor=chen, complaint_ids=[first.pk, second.pk], title="3栋计划停气未通知"
    )
    session = services.session_record(
        actor=chen,
        group_id=group.pk,
        held_at=local("2026-06-05T19:00"),
        location="3栋会所",
        explanation="管线改造，已补发通知",
        attended_complaint_ids=[first.pk],
    )
    assert {(a.complaint_id, a.attended) for a in session.attendance.all()} == {
        (first.pk, True),
        (second.pk, False),
    }
    with pytest.raises(KehuError):
        services.group_confirm(actor=clerk, complaint_ids=[first.pk, second.pk], title="x")


def test_a4_a_leak_report_becomes_an_urgent_work_order_at_once(clerk: Staff) -> None:
    complaint = receive(clerk, category="漏气", subject="厨房有燃气味", leak=True, address="3栋201")
    order = WorkOrder.objects.get(complaint=complaint)
    assert order.urgent and order.kind == "leak"
    assert ComplaintEvent.objects.filter(complaint=complaint, action="work_order").exists()


def test_a9_every_completed_order_gets_a_callback_and_an_unhappy_customer_reopens_it(
    clerk: Staff, chen: Staff, fitter: Staff
) -> None:
    complaint = receive(clerk, category="漏气", subject="燃气味", leak=True, address="3栋201")
    order = WorkOrder.objects.get(complaint=complaint)
    services.work_order_complete(actor=fitter, work_order_id=order.pk)
    callback = services.callback_record(
        actor=chen, work_order_id=order.pk, satisfied=False, note="仍有气味"
    )
    order.refresh_from_db()
    assert order.status == "open" and order.reopened_count == 1
    assert callback.rule_ids == [rules.A4_HOTLINE]
    with pytest.raises(KehuError):
        services.callback_record(actor=chen, work_order_id=order.pk, satisfied=True)
    services.work_order_complete(actor=fitter, work_order_id=order.pk)
    services.callback_record(actor=chen, work_order_id=order.pk, satisfied=True)
    order.refresh_from_db()
    assert order.status == "closed"


def test_a11_needs_are_classified_and_routed(clerk: Staff) -> None:
    need = services.need_record(actor=clerk, text="小区绿化缺乏维护", need_class="management")
    business = services.need_record(actor=clerk, text="想了解团购活动", need_class="business")
    assert need.routed_to == "management_office"
    assert business.routed_to == "business_services"


def test_bad_input_is_refused_whole(clerk: Staff) -> None:
    with pytest.raises(KehuError) as missing:
        receive(clerk, description="  ")
    assert missing.value.code == "complaints.field_required"
    assert missing.value.details == {"field": "description"}
    assert Complaint.objects.count() == 0


def test_a3_a_complaint_entered_later_runs_from_when_the_customer_complained(
    clerk: Staff, chen: Staff
) -> None:
    with time_machine.travel(local("2026-03-02T15:00"), tick=False):
        # given a paper form filled at 09:00, entered at 15:00
        complaint = receive(clerk, received_at=local("2026-03-02T09:00"))
        assert complaint.due_at == local("2026-03-03T09:00")
        # a step recorded afterwards keeps its own time, never before its stage began
        with pytest.raises(KehuError) as early:
            act(clerk, complaint, "forward", at=local("2026-03-02T08:00"))
        assert early.value.code == "complaints.bad_time"
        with pytest.raises(KehuError) as future:
            receive(clerk, received_at=local("2026-03-02T16:00"))
        assert future.value.code == "complaints.bad_time"
        complaint = act(clerk, complaint, "forward", at=local("2026-03-02T10:00"))
    assert complaint.due_at == local("2026-03-03T10:00")


def test_a3_a_complex_complaint_gets_a_coordination_meeting_on_its_history(
    clerk: Staff, chen: Staff
) -> None:
    complaint = receive(clerk)
    meeting = services.meeting_record(
        actor=chen,
        complaint_id=complaint.pk,
        held_at=local("2026-03-03T14:00"),
        departments="工程部、客户服务中心",
        minutes="约定本周内更换燃气表并复核读数",
    )
    assert meeting.complaint == complaint
    assert ComplaintEvent.objects.filter(
        complaint=complaint, action="coordination_meeting"
    ).exists()
    with pytest.raises(KehuError) as denied:  # only customer service organises them (A3)
        services.meeting_record(
            actor=clerk,
            complaint_id=complaint.pk,
            held_at=local("2026-03-03T14:00"),
            departments="工程部",
            minutes="x",
        )
    assert denied.value.code == "complaints.permission_denied"
