"""The sales manager's dispute queue and rulings (A7.20) against the database: a full-name-only
match waits for 王经理; his ruling is final, cites A7.20, and the visit is decided again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.customers.models import Customer
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.sales import dispute_selectors as selectors
from kehu.sales import dispute_services as services
from kehu.sales import reception_services as reception
from kehu.sales.dispute_errors import DisputeError
from kehu.sales.models.dispute import DisputeRequest
from kehu.sales.models.reception import DecisionOutcome, OwnershipDecision, RulingRecord
from kehu.sales.registration_services import VisitDetails, registration_record
from kehu.sales.rotation_services import rotation_day_open
from kehu.sales.rules import SALES_DEPARTMENT, Owner

from .test_rotation_cast import Office, make_office

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def office(
    clock: None, cast: object, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> Office:
    return make_office(cast, east, li, zhao, wang, chen)


def open_day(o: Office, first: Staff) -> None:
    order = [first.pk] + [s.pk for s in o.sellers if s.pk != first.pk]
    rotation_day_open(actor=o.pm, site=o.site, order=order)


def old_registration(o: Office, by: Staff, days_ago: int, **details: str) -> Customer:
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        done = registration_record(staff=by, details=VisitDetails(**details), receiver=by)
    return done.customer


def namesake_visit(o: Office) -> OwnershipDecision:
    """李明 registered 张伟 ten days ago; a 张伟 with another phone walks in, 赵强 receives him:
    only the full name matches, so the decision waits for the sales manager (A7.4, A7.20)."""
    old_registration(o, o.li, 10, customer_name="张伟", contact="13900000004")
    open_day(o, o.zhao)
    visit = reception.visit_arrive(actor=o.desk, site=o.site, arrival="walk_in")
    done = reception.visit_register(
        actor=o.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="张伟", contact="13900000005"),
    )
    assert done.decision.outcome == DecisionOutcome.PENDING
    return done.decision


def plain_visit(o: Office, *, open_the_day: bool = True) -> OwnershipDecision:
    """A new walk-in received by 赵强: decided by the rules (A1.5), nobody disputes yet."""
    if open_the_day:
        open_day(o, o.zhao)
    visit = reception.visit_arrive(actor=o.desk, site=o.site, arrival="walk_in")
    done = reception.visit_register(
        actor=o.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="周新", contact="13900000021"),
    )
    assert done.decision.outcome == DecisionOutcome.DECIDED
    return done.decision


def test_a7_20_a_full_name_only_match_is_on_the_sales_managers_queue(office: Office) -> None:
    # given a decision the rules could not settle (full name only)
    pending = namesake_visit(office)
    # when 王经理 opens his queue
    items = selectors.dispute_queue_for(office.wang)
    # then it is there, with the competing claim of 李明 and the key that matched (A7.4)
    assert [i.decision.pk for i in items] == [pending.pk]
    claims = items[0].pending_claims
    assert claims and claims[0].holder_name == "李明"
    assert claims[0].view.keys == ("full_name",) and "姓名全称" in claims[0].key_labels
    # and the provisional owner is the receiver, by the clause the rules would use
    assert items[0].provisional_owner == "赵强"
    assert items[0].provisional_clause.startswith("A1.5")
    # and the home-page counter says one
    assert selectors.dispute_count_pending(office.wang) == 1
    assert selectors.dispute_count_pending(office.zhao) == 0


def test_a7_20_same_customer_ruling_decides_for_the_earlier_holder(office: Office) -> None:
    # given 张伟's visit waits for a ruling
    pending = namesake_visit(office)
    # when 王经理 rules it is the same customer, with his reason
    done = services.dispute_rule(
        actor=office.wang,
        decision_id=pending.pk,
        kind="same_customer",
        reason="核对身份证，确为同一人",
    )
    # then the ruling is recorded, final, and the visit is decided again citing A7.20
    assert done.ruling.kind == "same_customer" and done.ruling.ruled_by == office.wang
    new = done.decision
    assert new is not None and new.ruling_id == done.ruling.pk
    assert new.supersedes_id == pending.pk
    assert new.outcome == DecisionOutcome.DECIDED
    assert "A7.20" in new.rule_ids
    # and 李明, who registered him first, keeps him (A7.15: within 60 days)
    assert new.owner_after == {"kind": "salesperson", "salesperson": str(office.li.pk)}
    customer = Customer.objects.get(pk=new.customer_id or 0)
    assert customer.owner == office.li
    # and the queue is empty again
    assert selectors.dispute_queue_for(office.wang) == []
    assert ledger_verify(company=office.site.company).ok


def test_a7_20_different_customer_ruling_leaves_the_receiver_his_customer(office: Office) -> None:
    pending = namesake_visit(office)
    done = services.dispute_rule(
        actor=office.wang,
        decision_id=pending.pk,
        kind="different_customer",
        reason="电话和住址均不同，是两个人",
    )
    new = done.decision
    assert new is not None and new.outcome == DecisionOutcome.DECIDED
    assert "A7.20" in new.rule_ids
    assert new.owner_after == {"kind": "salesperson", "salesperson": str(office.zhao.pk)}
    assert Customer.objects.get(pk=new.customer_id or 0).owner == office.zhao


def test_a7_20_an_award_names_the_owner_and_shares_summing_to_100(office: Office) -> None:
    pending = namesake_visit(office)
    done = services.dispute_rule(
        actor=office.wang,
        decision_id=pending.pk,
        kind="award",
        reason="两人共同跟进，协商后裁定",
        owner=Owner.of(str(office.li.pk)),
        shares=[
            (Owner.of(str(office.li.pk)), Decimal("60")),
            (Owner.of(str(office.zhao.pk)), Decimal("40")),
        ],
    )
    record = done.ruling
    assert record.owner == {"kind": "salesperson", "salesperson": str(office.li.pk)}
    assert [Decimal(s["percent"]) for s in record.shares] == [60, 40]
    assert [s["role"] for s in record.shares] == ["owner", "closer"]
    new = done.decision
    assert new is not None and new.clause == "A7.20" and new.rule_ids[0] == "A7.20"
    assert new.owner_after["salesperson"] == str(office.li.pk)
    # audited, in the same transaction
    event = AuditEvent.objects.get(action=AuditAction.OWNERSHIP_RULING)
    assert (
        event.object_id == str(record.pk) and event.detail["reason"] == "两人共同跟进，协商后裁定"
    )
    # and the ledger has the ruling
    assert LedgerEntry.objects.filter(kind="ownership_ruling").count() == 1


def test_a7_20_an_award_to_the_sales_department(office: Office) -> None:
    pending = namesake_visit(office)
    done = services.dispute_rule(
        actor=office.wang,
        decision_id=pending.pk,
        kind="award",
        reason="同行，按公共客户处理",
        owner=SALES_DEPARTMENT,
    )
    assert done.decision is not None
    assert done.decision.owner_after == {"kind": "sales_department", "salesperson": ""}


def test_a7_20_shares_that_do_not_add_up_to_100_are_refused_and_nothing_is_written(
    office: Office,
) -> None:
    pending = namesake_visit(office)
    with pytest.raises(DisputeError) as refused:
        services.dispute_rule(
            actor=office.wang,
            decision_id=pending.pk,
            kind="award",
            reason="试分",
            owner=Owner.of(str(office.li.pk)),
            shares=[
                (Owner.of(str(office.li.pk)), Decimal("60")),
                (Owner.of(str(office.zhao.pk)), Decimal("30")),
            ],
        )
    assert refused.value.code == "dispute.shares_invalid" and "90%" in refused.value.message_zh
    assert "90%" in refused.value.message_en
    assert not RulingRecord.objects.exists()


def test_a7_20_a_ruling_states_its_reason(office: Office) -> None:
    pending = namesake_visit(office)
    with pytest.raises(DisputeError) as refused:
        services.dispute_rule(
            actor=office.wang, decision_id=pending.pk, kind="same_customer", reason="   "
        )
    assert refused.value.code == "dispute.reason_required" and refused.value.status == 422
    assert not RulingRecord.objects.exists()


def test_a7_20_the_ruling_is_final_a_second_one_is_refused(office: Office) -> None:
    pending = namesake_visit(office)
    services.dispute_rule(
        actor=office.wang, decision_id=pending.pk, kind="same_customer", reason="同一人"
    )
    # when 王经理 (or anyone) tries to rule on the same decision again
    with pytest.raises(DisputeError) as refused:
        services.dispute_rule(
            actor=office.wang, decision_id=pending.pk, kind="different_customer", reason="改判"
        )
    # then it is refused with a clear message naming who ruled and when
    assert refused.value.code == "dispute.ruling_final" and refused.value.status == 409
    assert "王经理" in refused.value.message_zh and "A7.20" in refused.value.message_zh
    assert "final" in refused.value.message_en
    assert RulingRecord.objects.count() == 1


def test_a7_20_a_salesperson_cannot_rule(office: Office) -> None:
    pending = namesake_visit(office)
    with pytest.raises(DisputeError) as refused:
        services.dispute_rule(
            actor=office.zhao, decision_id=pending.pk, kind="different_customer", reason="我的"
        )
    assert refused.value.status == 403
    with pytest.raises(DisputeError):
        selectors.dispute_queue_for(office.zhao)
    assert not RulingRecord.objects.exists()


def test_a7_20_another_company_sees_nothing(office: Office, cast: object, west: Company) -> None:
    from kehu.core.org.posts import Post

    pending = namesake_visit(office)
    west_manager = cast.staff(west, "外司经理", Post.SALES_MANAGER)  # type: ignore[attr-defined]
    assert selectors.dispute_queue_for(west_manager) == []
    with pytest.raises(DisputeError) as hidden:
        selectors.dispute_item_get(west_manager, pending.pk)
    assert hidden.value.status == 404
    with pytest.raises(DisputeError) as refused:
        services.dispute_rule(
            actor=west_manager, decision_id=pending.pk, kind="same_customer", reason="x"
        )
    assert refused.value.status == 404


def test_a7_20_a_decision_the_rules_settled_needs_no_ruling(office: Office) -> None:
    decided = plain_visit(office)
    with pytest.raises(DisputeError) as refused:
        services.dispute_rule(
            actor=office.wang,
            decision_id=decided.pk,
            kind="award",
            reason="x",
            owner=Owner.of(str(office.li.pk)),
        )
    assert refused.value.code == "dispute.nothing_to_rule"


def test_a7_20_same_customer_needs_a_full_name_match(office: Office) -> None:
    decided = plain_visit(office)
    services.dispute_raise(actor=office.zhao, decision_id=decided.pk, reason="应归我")
    with pytest.raises(DisputeError) as refused:
        services.dispute_rule(
            actor=office.wang, decision_id=decided.pk, kind="same_customer", reason="x"
        )
    assert refused.value.code == "dispute.no_name_match"


# --- a salesperson's dispute ------------------------------------------------------------------


def test_a7_20_a_salesperson_disputes_a_decision_and_it_joins_the_queue(office: Office) -> None:
    # given the rules gave 周新 to 赵强
    decided = plain_visit(office)
    assert selectors.dispute_queue_for(office.wang) == []
    # when 赵强, whose customer it is about, disputes it with a reason
    row = services.dispute_raise(
        actor=office.zhao, decision_id=decided.pk, reason="客户是我上月电话约来的"
    )
    # then it is recorded (append-only, in the ledger) and the sales manager sees it
    assert row.raised_by == office.zhao and row.decision_id == decided.pk
    items = selectors.dispute_queue_for(office.wang)
    assert [i.decision.pk for i in items] == [decided.pk]
    assert items[0].disputes[0].reason == "客户是我上月电话约来的"
    assert LedgerEntry.objects.filter(kind="ownership_dispute").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database trigger refuses
        DisputeRequest.objects.update(reason="改")
    # and an award settles it
    done = services.dispute_rule(
        actor=office.wang,
        decision_id=decided.pk,
        kind="award",
        reason="核实通话记录",
        owner=Owner.of(str(office.li.pk)),
    )
    assert done.decision is not None and done.decision.owner_after["salesperson"] == str(
        office.li.pk
    )
    assert selectors.dispute_queue_for(office.wang) == []


def test_a7_20_a_salesperson_not_involved_cannot_dispute(office: Office) -> None:
    decided = plain_visit(office)
    with pytest.raises(DisputeError) as hidden:
        services.dispute_raise(actor=office.qian, decision_id=decided.pk, reason="我也想要")
    assert hidden.value.status == 404
    assert not DisputeRequest.objects.exists()


def test_a7_20_one_dispute_per_salesperson_and_decision(office: Office) -> None:
    decided = plain_visit(office)
    services.dispute_raise(actor=office.zhao, decision_id=decided.pk, reason="一")
    with pytest.raises(DisputeError) as again:
        services.dispute_raise(actor=office.zhao, decision_id=decided.pk, reason="二")
    assert again.value.code == "dispute.already_raised"


def test_a7_20_a_decision_that_follows_a_ruling_cannot_be_disputed(office: Office) -> None:
    pending = namesake_visit(office)
    done = services.dispute_rule(
        actor=office.wang, decision_id=pending.pk, kind="different_customer", reason="两个人"
    )
    assert done.decision is not None
    with pytest.raises(DisputeError) as refused:
        services.dispute_raise(actor=office.zhao, decision_id=done.decision.pk, reason="再议")
    assert refused.value.code == "dispute.ruled_decision_final"
    # and the superseded one cannot be disputed either
    with pytest.raises(DisputeError) as old:
        services.dispute_raise(actor=office.zhao, decision_id=pending.pk, reason="再议")
    assert old.value.code in ("dispute.superseded", "dispute.ruled_decision_final")


def test_a7_20_disputes_mine_lists_the_salespersons_decisions(office: Office) -> None:
    decided = plain_visit(office)
    mine = selectors.disputes_mine(office.zhao)
    assert [i.decision.pk for i in mine] == [decided.pk]
    assert selectors.disputes_mine(office.qian) == []


def test_a7_20_an_award_on_a_visit_with_a_deal_writes_the_commission_ledger(
    office: Office,
) -> None:
    from kehu.sales.deal_services import deal_record
    from kehu.sales.models.deal import CommissionEntry

    # given the namesake 张伟 signs and pays while his decision waits for the sales manager
    pending = namesake_visit(office)
    closed = deal_record(
        actor=office.wang,
        customer_id=pending.customer_id or 0,
        visit_id=pending.visit_id,
        unit="3-1201",
        price="2000000",
        subscriber="张伟",
        deposit_paid_at=timezone.now(),
        subscription_signed_at=timezone.now(),
    )
    assert closed.decision is not None and closed.decision.outcome == DecisionOutcome.PENDING
    [item] = selectors.dispute_queue_for(office.wang)
    # when 王经理 awards the customer to 李明 with 70/30 shares
    done = services.dispute_rule(
        actor=office.wang,
        decision_id=item.decision.pk,
        kind="award",
        reason="同一客户，李明先接待；赵强促成成交",
        owner=Owner.of(str(office.li.pk)),
        shares=[
            (Owner.of(str(office.li.pk)), Decimal("70")),
            (Owner.of(str(office.zhao.pk)), Decimal("30")),
        ],
    )
    # then the commission ledger follows the ruling: 70% and 30% of the price
    assert done.commission_synced
    lines = CommissionEntry.objects.filter(decision=done.decision, reverses__isnull=True)
    amounts = {line.salesperson_id: line.amount for line in lines}
    assert amounts == {office.li.pk: Decimal("1400000.00"), office.zhao.pk: Decimal("600000.00")}
