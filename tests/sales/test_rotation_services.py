"""The rotation's services against the database (SQLite and PostgreSQL): opening the day,
arrivals, receptions, statuses, make-ups, the PM's reorder (A2.2), the history and the ledger;
and two desks racing on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.core.policy.errors import PolicyKeyUnknown
from kehu.core.policy.registry import policy_schema
from kehu.core.policy.selectors import policy_for
from kehu.core.policy.services import policy_version_create
from kehu.sales import rotation_rules as rules
from kehu.sales import rotation_selectors as selectors
from kehu.sales import rotation_services as services
from kehu.sales.models.rotation import DutyRow, MakeupTurn, RotationDay, RotationEvent
from kehu.sales.rotation_rules import Reason, ReceptionKind, Status
from kehu.sales.rotation_selectors import RotationError

from .test_rotation_cast import TODAY, Office, make_office


@pytest.fixture
def office(cast: object, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff) -> Office:
    return make_office(cast, east, li, zhao, wang, chen)


NEW = ReceptionKind.NEW


def assign(o: Office, kind: ReceptionKind = NEW, **extra: object) -> services.Assignment:
    return services.rotation_assign(
        actor=o.desk,
        site=o.site,
        kind=kind,
        on=TODAY,
        **extra,  # type: ignore[arg-type]
    )


def end(o: Office, staff_id: int) -> None:
    services.rotation_reception_end(actor=o.desk, site=o.site, staff_id=staff_id, on=TODAY)


def set_status(o: Office, staff_id: int, status: Status, reason: Reason | None = None) -> None:
    services.rotation_status_set(
        actor=o.desk, site=o.site, staff_id=staff_id, status=status, reason=reason, on=TODAY
    )


def test_opening_the_day_puts_the_pms_order_on_the_board(office: Office) -> None:
    # given the PM opens today with 孙 resting
    office.open(away={office.sun.pk: Reason.REST})
    # then the roster is in the PM's order, 李 is next, 孙 is away (正常休班)
    board = selectors.rotation_board(site=office.site, on=TODAY)
    assert [r.name for r in board.rows] == ["李明", "赵强", "钱芳", "孙磊"]
    assert [r.status for r in board.rows] == ["free", "free", "free", "away"]
    assert board.rows[3].reason_label == "正常休班"
    assert board.rows[0].is_next and board.next_answer.receiver is not None
    event = RotationEvent.objects.get()
    assert event.kind == "opened" and event.actor == office.pm
    assert "孙磊正常休班" in event.explanation
    # and a second opening of the same day is refused
    with pytest.raises(RotationError) as refused:
        office.open()
    assert refused.value.code == "rotation.already_open"


def test_a7_1_walk_ins_round_robin_and_a2_5_busy_are_skipped(office: Office) -> None:
    office.open()
    first = assign(office)
    second = assign(office)
    assert (first.receiver, second.receiver) == (office.li, office.zhao)
    assert first.consumed and "A7.1" in first.rule_ids
    assert "轮到李明接待" in first.explanation_zh
    # 李 and 赵 are receiving; 钱 and 孙 follow; then nobody is free (A2.5)
    assert assign(office).receiver == office.qian
    assert assign(office).receiver == office.sun
    with pytest.raises(RotationError) as refused:
        assign(office)
    assert refused.value.code == "rotation.nobody_free" and refused.value.status == 409
    assert "A2.5" in refused.value.details["rule_ids"]
    # when 赵's reception ends, 赵 is the only one free and receives the next customer
    end(office, office.zhao.pk)
    nxt = assign(office)
    assert nxt.receiver == office.zhao
    assert [s["staff_id"] for s in nxt.event.detail["skips"]] == [office.li.pk]
    assert nxt.event.detail["skips"][0]["makeup_owed"] is False  # busy with a rotation customer


def test_a7_2_4_assigned_work_earns_a_make_up_served_first_when_back(office: Office) -> None:
    office.open()
    set_status(office, office.li.pk, Status.AWAY, Reason.ASSIGNED_WORK)
    got = assign(office)
    assert got.receiver == office.zhao
    (makeup,) = got.makeups_earned
    assert makeup.staff == office.li and makeup.rule_ids == ["A5.1", "A7.2(4)"]
    assert "项目组另外安排工作" in makeup.text
    set_status(office, office.li.pk, Status.FREE)
    back = assign(office)
    assert back.receiver == office.li and back.answer.via == "makeup"
    makeup.refresh_from_db()
    assert makeup.served_at is not None and makeup.served_day is not None
    # the pointer did not move for the make-up: 钱 is next
    assert selectors.rotation_next(site=office.site, on=TODAY).receiver.name == "钱芳"  # type: ignore[union-attr]


@pytest.mark.parametrize("reason", [Reason.REST, Reason.PERSONAL_LEAVE, Reason.SICK_LEAVE])
def test_a7_3_leave_earns_no_make_up(office: Office, reason: Reason) -> None:
    office.open()
    set_status(office, office.li.pk, Status.AWAY, reason)
    got = assign(office)
    assert got.receiver == office.zhao and got.makeups_earned == []
    assert "A7.3" in got.event.detail["skips"][0]["rule_ids"]
    assert not MakeupTurn.objects.exists()


def test_a2_1_policy_none_skips_without_make_up(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        services,
        "rotation_policy_for",
        lambda **_: (rules.RotationPolicy(skip_makeup=rules.SkipMakeup.NONE), "sales@v9"),
    )
    office.open()
    set_status(office, office.li.pk, Status.AWAY, Reason.ASSIGNED_WORK)
    got = assign(office)
    assert got.receiver == office.zhao and got.makeups_earned == []
    assert got.event.policy_ref == "sales@v9"
    assert got.event.detail["skip_makeup"] == "none"
    assert "A2.1" in got.event.detail["skips"][0]["rule_ids"]


def test_the_default_policy_is_owed_until_the_sales_policy_says_otherwise(office: Office) -> None:
    policy, ref = selectors.rotation_policy_for(company=office.site.company, at=_now())
    try:
        policy_for(company=office.site.company, key="sales", at=_now())
    except PolicyKeyUnknown:
        assert ref == "sales@default"
    assert policy.skip_makeup == rules.SkipMakeup.OWED


def test_a2_1_the_companys_sales_policy_none_is_obeyed(office: Office, cast: Any) -> None:
    try:
        policy_schema("sales")
    except PolicyKeyUnknown:
        pytest.skip("the sales policy schema is not registered")
    director = cast.staff(office.site.company, "孙总监", Post.SALES_DIRECTOR)
    version = policy_version_create(
        staff=director,
        key="sales",
        values={"skip_makeup": "none"},
        effective_from=_now() - dt.timedelta(minutes=1),
        note="本项目执行跳过不接（第2篇第1条）",
        allow_backdate=True,
    )
    office.open()
    set_status(office, office.li.pk, Status.AWAY, Reason.ASSIGNED_WORK)
    got = assign(office)
    assert got.makeups_earned == [] and "A2.1" in got.event.detail["skips"][0]["rule_ids"]
    assert got.event.policy_ref == f"sales@v{version.version}"


def _now() -> dt.datetime:
    return timezone.now()


def test_receptions_that_consume_no_turn_keep_the_receivers_place(office: Office) -> None:
    office.open()
    public = assign(office, ReceptionKind.PUBLIC, visit_ref="visit-1")
    assert public.receiver == office.li and not public.consumed
    assert "A7.7" in public.rule_ids
    row = DutyRow.objects.get(staff=office.li)
    assert (row.status, row.reason, row.visit_ref) == ("busy", "public", "visit-1")
    end(office, office.li.pk)
    assert assign(office).receiver == office.li  # still next


def test_asked_for_salesperson_busy_is_refused_a2_5_and_absent_means_helping(
    office: Office,
) -> None:
    office.open()
    assign(office)  # 李 receives
    with pytest.raises(RotationError) as refused:
        assign(office, ReceptionKind.ASKED_FOR, named_staff_id=office.li.pk)
    assert refused.value.code == "rotation.nobody_free"
    assert "A2.5" in refused.value.details["rule_ids"]
    set_status(office, office.qian.pk, Status.AWAY, Reason.PERSONAL_LEAVE)
    helped = assign(office, ReceptionKind.ASKED_FOR, named_staff_id=office.qian.pk)
    assert helped.receiver == office.zhao and helped.answer.kind == ReceptionKind.HELPING
    assert helped.event.detail["on_behalf_of"] == office.qian.pk
    assert "A7.12(3)" in helped.rule_ids


def test_a1_6_company_referral_needs_the_pm(office: Office) -> None:
    office.open()
    with pytest.raises(RotationError) as refused:
        assign(office, ReceptionKind.COMPANY_REFERRAL, named_staff_id=office.sun.pk)
    assert refused.value.status == 403
    got = services.rotation_assign(
        actor=office.pm,
        site=office.site,
        kind=ReceptionKind.COMPANY_REFERRAL,
        named_staff_id=office.sun.pk,
        on=TODAY,
    )
    assert got.receiver == office.sun and got.rule_ids == ("A1.6",)


def test_a2_5_cannot_go_away_in_the_middle_of_a_reception(office: Office) -> None:
    office.open()
    assign(office)
    with pytest.raises(RotationError) as refused:
        set_status(office, office.li.pk, Status.AWAY, Reason.ASSIGNED_WORK)
    assert refused.value.code == "rotation.receiver_busy"
    with pytest.raises(RotationError) as bad:
        set_status(office, office.zhao.pk, Status.AWAY, None)
    assert bad.value.status == 422


def test_a2_2_reorder_is_recorded_with_who_when_and_why(office: Office) -> None:
    services.rotation_day_open(
        actor=office.pm,
        site=office.site,
        order=[office.li.pk, office.zhao.pk, office.qian.pk],
        on=TODAY,
    )
    assign(office)  # 李; 赵 is next
    with pytest.raises(RotationError) as no_reason:
        services.rotation_reorder(
            pm=office.pm, site=office.site, new_order=[office.qian.pk], reason=" ", on=TODAY
        )
    assert no_reason.value.code == "rotation.reason_required"
    event = services.rotation_reorder(
        pm=office.pm,
        site=office.site,
        new_order=[office.qian.pk, office.sun.pk, office.zhao.pk, office.li.pk],
        reason="孙磊下午到岗，钱芳昨日接待少",
        on=TODAY,
    )
    assert event.kind == "reordered" and event.actor == office.pm and event.at is not None
    assert event.note == "孙磊下午到岗，钱芳昨日接待少" and event.rule_ids == ["A2.2"]
    assert event.detail["added"] == [office.sun.pk]
    board = selectors.rotation_board(site=office.site, on=TODAY)
    assert [r.name for r in board.rows] == ["钱芳", "孙磊", "赵强", "李明"]
    assert next(r for r in board.rows if r.is_next).name == "赵强"  # the turn stays
    # a desk may not reorder
    with pytest.raises(RotationError) as denied:
        services.rotation_reorder(
            pm=office.desk, site=office.site, new_order=[], reason="x", on=TODAY
        )
    assert denied.value.status == 403


def test_a7_7_found_public_afterwards_grants_a_make_up_and_the_pm_can_void_it(
    office: Office,
) -> None:
    office.open()
    got = assign(office, visit_ref="visit-7")
    end(office, office.li.pk)
    event = services.rotation_makeup_grant(
        actor=office.desk,
        site=office.site,
        staff_id=got.receiver.pk,
        cause=rules.AfterCause.FOUND_PUBLIC,
        visit_ref="visit-7",
        on=TODAY,
    )
    assert "A7.7" in event.rule_ids and event.detail["owed"] is True
    makeup = MakeupTurn.objects.get()
    assert makeup.staff == office.li and makeup.cause == "found_public"
    assert assign(office).receiver == office.li  # served ahead of 赵
    second = services.rotation_makeup_grant(
        actor=office.desk,
        site=office.site,
        staff_id=office.zhao.pk,
        cause=rules.AfterCause.COLLEAGUE_CUSTOMER,
        on=TODAY,
    )
    voided = services.rotation_makeup_void(
        pm=office.pm,
        site=office.site,
        makeup_id=second.detail["makeup_id"],
        reason="查明不是同事的老客户",
        on=TODAY,
    )
    assert voided.kind == "makeup_voided"
    assert selectors.open_makeups(office.site) == []


def test_make_ups_carry_over_to_the_next_day(office: Office) -> None:
    office.open()
    set_status(office, office.li.pk, Status.AWAY, Reason.ASSIGNED_WORK)
    assign(office)
    tomorrow = TODAY + dt.timedelta(days=1)
    services.rotation_day_open(
        actor=office.pm, site=office.site, order=[s.pk for s in office.sellers], on=tomorrow
    )
    # the make-up 李 earned yesterday is served by tomorrow's first new customer
    first = services.rotation_assign(actor=office.desk, site=office.site, on=tomorrow)
    assert first.receiver == office.li and first.answer.via == "makeup"
    assert selectors.open_makeups(office.site) == []


def test_the_day_must_be_open_and_outsiders_see_nothing(office: Office) -> None:
    with pytest.raises(RotationError) as closed:
        assign(office)
    assert closed.value.code == "rotation.not_open"
    office.open()
    with pytest.raises(RotationError) as outsider:
        services.rotation_assign(actor=office.chen, site=office.site, on=TODAY)
    assert outsider.value.status == 404
    with pytest.raises(RotationError) as not_found:
        selectors.rotation_site_get(staff=office.chen, site_id=office.site.pk)
    assert not_found.value.status == 404
    with pytest.raises(RotationError) as salesperson:
        services.rotation_assign(actor=office.li, site=office.site, on=TODAY)
    assert salesperson.value.status == 403  # A2.4: salespeople do not pick customers


def test_every_change_is_an_append_only_event_and_a_ledger_entry(office: Office) -> None:
    office.open()
    assign(office)
    end(office, office.li.pk)
    events = list(RotationEvent.objects.order_by("pk"))
    assert [e.kind for e in events] == ["opened", "assigned", "reception_end"]
    ledger = list(LedgerEntry.objects.filter(stream="rotation").order_by("seq"))
    assert [e.kind for e in ledger] == [f"rotation.{e.kind}" for e in events]
    assert ledger[1].payload["rule_ids"] == events[1].rule_ids
    with pytest.raises(IntegrityError), transaction.atomic():
        RotationEvent.objects.filter(pk=events[0].pk).update(note="改")
    with pytest.raises(IntegrityError), transaction.atomic():
        RotationEvent.objects.filter(pk=events[0].pk).delete()


# --- two desks at once --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_desks_assigning_at_once_get_different_receivers(office: Office) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads race on PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE")
    office.open()
    desks = [office.desk, office.pm, office.wang, office.desk, office.pm, office.wang]
    start = threading.Barrier(len(desks))
    got: list[int] = []
    errors: list[BaseException] = []

    def desk(actor: object) -> None:
        try:
            start.wait()
            result = services.rotation_assign(actor=actor, site=office.site, on=TODAY)  # type: ignore[arg-type]
            got.append(result.receiver.pk)
        except RotationError as error:
            errors.append(error)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=desk, args=(a,)) for a in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # four salespeople: four desks got four different receivers, two were told nobody is free
    assert sorted(got) == sorted(s.pk for s in office.sellers)
    assert len(errors) == 2
    assert all(getattr(e, "code", "") == "rotation.nobody_free" for e in errors)
    day = RotationDay.objects.get()
    assert RotationEvent.objects.filter(day=day, kind="assigned").count() == 4
