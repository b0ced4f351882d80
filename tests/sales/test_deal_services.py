"""Deals in the live flow: arrival → registration → deposit and subscription (A7.17) → the
visit decided again with the deal → the commission ledger; conflicts found after the deal
(A7.16), grabs (A7.13), and the A7.19 requests a deal's price depends on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kehu.core.errors import KehuError
from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.sales import deal_services as deals
from kehu.sales import reception_services as reception
from kehu.sales.deal_errors import DealErrorCode
from kehu.sales.deal_selectors import commission_ledger, deal_get_for_user
from kehu.sales.models.deal import CommissionEntry, Deal
from kehu.sales.registration_services import VisitDetails

from .test_reception_services import NOW, Office, make_office, old_registration, open_day


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def office(
    clock: None, cast: object, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> Office:
    return make_office(cast, east, li, zhao, wang, chen)


def walk_in(
    o: Office,
    receiver: Staff,
    name: str,
    phone: str,
    customer_id: int | None = None,
    **extra: object,
) -> reception.RegisterResult:
    """A walk-in received by ``receiver`` (next on the rotation) and registered by the desk."""
    open_day(o, receiver)
    visit = reception.visit_arrive(actor=o.desk, site=o.site, arrival="walk_in")
    assert visit.receiver == receiver
    return reception.visit_register(
        actor=o.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name=name, contact=phone),
        customer_id=customer_id,
        **extra,  # type: ignore[arg-type]
    )


def close_deal(
    o: Office,
    done: reception.RegisterResult,
    *,
    unit: str = "3-1202",
    price: str = "2000000.00",
    subscriber: str = "",
) -> deals.DealResult:
    closer = done.visit.receiver
    now = timezone.now()
    assert done.visit.customer_id is not None
    return deals.deal_record(
        actor=closer,
        customer_id=done.visit.customer_id,
        unit=unit,
        price=price,
        subscriber=subscriber or (done.visit.customer.name if done.visit.customer else "客户"),
        deposit_paid_at=now,
        subscription_signed_at=now,
    )


def paid(deal: Deal) -> dict[int | None, Decimal]:
    """Net commission per salesperson of a deal (reversals included, cancelled lines at 0)."""
    totals: dict[int | None, Decimal] = {}
    for e in CommissionEntry.objects.filter(deal=deal):
        totals[e.salesperson_id] = totals.get(e.salesperson_id, Decimal(0)) + e.amount
    return {k: v for k, v in totals.items() if v != 0}


# --- A7.17 ---------------------------------------------------------------------------------------


def test_a7_17_a_deposit_alone_is_not_a_deal_the_signed_subscription_closes_it(
    office: Office,
) -> None:
    # given 赵强 received and registered a new customer 钱多
    done = walk_in(office, office.zhao, "钱多", "13900000301")
    # when only the deposit is paid (the visit and closer default to the latest visit)
    first = deals.deal_record(
        actor=office.zhao,
        customer_id=done.visit.customer_id or 0,
        unit="5-0801",
        price="1500000",
        deposit_paid_at=timezone.now() - dt.timedelta(minutes=10),
    )
    # then it is not a deal: no closing date, no new decision, nothing on the commission ledger
    deal = first.deal
    assert not first.closed_now and deal.closed_at is None
    assert deal.visit_id == done.visit.pk and deal.closer == office.zhao
    assert not CommissionEntry.objects.filter(deal=deal).exists()
    assert not deal.decisions.exists()
    # when the subscription is signed, naming the subscriber
    signed_at = timezone.now()
    second = deals.deal_step_record(
        actor=office.zhao, deal_id=deal.pk, step="subscription", at=signed_at, subscriber="钱多"
    )
    # then it is a deal on the later date, decided again with the deal, and on the ledger
    assert second.closed_now and second.deal.closed_at == signed_at
    assert second.decision is not None and second.decision.deal_id == deal.pk
    assert "A7.17" in (second.decision.shares or {}).get("rule_ids", [])
    assert paid(deal) == {office.zhao.pk: Decimal("1500000.00")}
    # and each step is on the deals ledger, which verifies
    # (in the stream's order: without it PostgreSQL may return rows in any order — this
    # assertion failed once on a reused test database)
    entries = LedgerEntry.objects.filter(stream="deals").order_by("seq")
    kinds = list(entries.values_list("kind", flat=True))
    assert kinds[:3] == ["deal.recorded", "deal.subscription", "deal.closed"]
    assert "commission.sync" in kinds
    assert ledger_verify(company=office.site.company).ok


def test_a7_17_signing_without_a_subscriber_is_refused_and_writes_nothing(office: Office) -> None:
    done = walk_in(office, office.zhao, "孙无名", "13900000302")
    with pytest.raises(KehuError) as refused:
        deals.deal_record(
            actor=office.zhao,
            customer_id=done.visit.customer_id or 0,
            unit="5-0802",
            price="1000000",
            subscription_signed_at=timezone.now(),
        )
    assert refused.value.code == DealErrorCode.SUBSCRIBER_REQUIRED
    assert "A7.17" in refused.value.message_zh and refused.value.message_en
    assert not Deal.objects.exists()
    assert not LedgerEntry.objects.filter(stream="deals").exists()


def test_a7_17_the_subscriber_is_kept_after_a_transfer(office: Office) -> None:
    # given 钱多 subscribed unit 5-0803
    done = walk_in(office, office.zhao, "钱多多", "13900000303")
    deal = close_deal(office, done, unit="5-0803", subscriber="钱多多").deal
    # when he transfers it and the sales manager approves the rename (转名, A7.19)
    rename = deals.sales_request_submit(
        actor=office.zhao,
        kind="rename",
        deal_id=deal.pk,
        new_subscriber="钱少少",
        reason="客户要求转给亲戚",
    )
    deals.sales_request_decide(actor=office.wang, request_id=rename.pk, approve=True, reason="同意")
    # then the deal customer is still the original subscriber (A7.17)
    deal.refresh_from_db()
    assert deal.subscriber == "钱多多"
    # and no step can rename it either
    with pytest.raises(KehuError) as refused:
        deals.deal_step_record(
            actor=office.zhao,
            deal_id=deal.pk,
            step="subscription",
            at=timezone.now(),
            subscriber="钱少少",
        )
    assert refused.value.code == DealErrorCode.STEP_DONE
    # and the deal page shows the approved rename
    detail = deal_get_for_user(office.zhao, deal.pk)
    assert [r.pk for r in detail.approved] == [rename.pk]
    assert detail.deal.subscriber == "钱多多"


def test_a7_17_signed_first_the_deposit_cannot_rename_the_subscriber(office: Office) -> None:
    # given the subscription was signed by 秦甲 before any deposit
    done = walk_in(office, office.zhao, "秦甲", "13900000305")
    deal = deals.deal_record(
        actor=office.zhao,
        customer_id=done.visit.customer_id or 0,
        unit="8-0201",
        price="1000000",
        subscriber="秦甲",
        subscription_signed_at=timezone.now(),
    ).deal
    # when the deposit is recorded naming someone else, it is refused (A7.17) and nothing changes
    with pytest.raises(KehuError) as refused:
        deals.deal_step_record(
            actor=office.zhao, deal_id=deal.pk, step="deposit", at=timezone.now(), subscriber="秦乙"
        )
    assert refused.value.code == DealErrorCode.SUBSCRIBER_FIXED
    deal.refresh_from_db()
    assert deal.deposit_paid_at is None and deal.subscriber == "秦甲"
    # and with the same name (or none) it closes the deal
    closed = deals.deal_step_record(
        actor=office.zhao, deal_id=deal.pk, step="deposit", at=timezone.now()
    )
    assert closed.closed_now and closed.deal.subscriber == "秦甲"


def test_a7_17_one_deal_per_unit(office: Office) -> None:
    done = walk_in(office, office.zhao, "周一", "13900000304")
    close_deal(office, done, unit="8-0101")
    with pytest.raises(KehuError) as refused:
        close_deal(office, done, unit="8-0101")
    assert refused.value.code == DealErrorCode.UNIT_TAKEN
    assert Deal.objects.count() == 1


# --- A7.16 in the live flow -----------------------------------------------------------------------


def _unknowing_deal_then_conflict(office: Office, days_after: int) -> Deal:
    """李明 registered 郑客 20 days ago; 赵强, not knowing, received him, closed a deal, and
    the conflict was found ``days_after`` days after the deal."""
    old = old_registration(office, office.li, 20, customer_name="郑客", contact="13900000311")
    done = walk_in(office, office.zhao, "郑客", "13900000311", customer_id=old.pk)
    deal = close_deal(office, done, unit=f"9-{days_after:04d}").deal
    later = timezone.now() + dt.timedelta(days=days_after)
    with time_machine.travel(later, tick=True):
        # the conflict decides the visit again and the ledger follows, with no refresh
        reception.conflict_record(
            actor=office.desk, visit_id=done.visit.pk, holder_id=office.li.pk, found_at=later
        )
    return deal


def test_a7_16_conflict_found_within_3_days_of_the_deal_splits_50_50(office: Office) -> None:
    deal = _unknowing_deal_then_conflict(office, days_after=2)
    # then the deal is shared half and half between the closer and the original receiver
    assert paid(deal) == {
        office.zhao.pk: Decimal("1000000.00"),
        office.li.pk: Decimal("1000000.00"),
    }
    live = CommissionEntry.objects.filter(deal=deal, reverses__isnull=True).order_by("-pk")[:2]
    assert all("A7.16" in e.rule_ids for e in live)


def test_a7_16_conflict_found_after_3_days_gives_the_closer_everything(office: Office) -> None:
    deal = _unknowing_deal_then_conflict(office, days_after=5)
    # then the whole performance is the closer's
    assert paid(deal) == {office.zhao.pk: Decimal("2000000.00")}


# --- A7.13 in the live flow -----------------------------------------------------------------------


def test_a7_13_grab_the_grabbers_share_is_cancelled_in_the_ledger(office: Office) -> None:
    # given 李明's customer 孙客; 赵强 found out during the reception and carried on (a grab)
    old = old_registration(office, office.li, 10, customer_name="孙客", contact="13900000321")
    open_day(office, office.zhao)
    visit = reception.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    done = reception.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="孙客", contact="13900000321"),
        customer_id=old.pk,
        found_at=visit.arrived_at,
        handling="continued",
    )
    # when 赵强 closes the deal
    result = close_deal(office, done, unit="6-0606", price="1000000.00")
    # then 李明 keeps 80% and 赵强's 20% is cancelled: on the ledger at 0 yuan
    lines = {e.salesperson_id: e for e in result.entries}
    assert lines[office.li.pk].amount == Decimal("800000.00") and not lines[office.li.pk].cancelled
    assert lines[office.zhao.pk].cancelled and lines[office.zhao.pk].amount == Decimal("0.00")
    assert all("A7.13" in e.rule_ids for e in result.entries)
    # and 赵强's monthly ledger shows the cancelled line
    ledger = commission_ledger(office.zhao, month=deals.month_of(result.deal.closed_at or NOW))
    assert [e.cancelled for e in ledger.lines] == [True]


# --- A7.19 ----------------------------------------------------------------------------------------


def test_a7_19_an_unapproved_discount_cannot_be_applied(office: Office) -> None:
    # given 赵强 asked for a 2% discount on unit 7-0707, not yet decided
    done = walk_in(office, office.zhao, "吴折", "13900000331")
    ask = deals.sales_request_submit(
        actor=office.zhao, kind="discount", unit="7-0707", discount_percent="2", reason="老客户"
    )
    # when he records the deal with it
    with pytest.raises(KehuError) as refused:
        deals.deal_record(
            actor=office.zhao,
            customer_id=done.visit.customer_id or 0,
            unit="7-0707",
            price="1000000",
            deposit_paid_at=timezone.now(),
            discount_request_id=ask.pk,
        )
    # then it is refused, citing A7.19, and nothing is written
    assert refused.value.code == DealErrorCode.DISCOUNT_NOT_APPROVED
    assert "A7.19" in refused.value.message_zh and "A7.19" in refused.value.message_en
    assert not Deal.objects.exists()


def test_a7_19_a_rejected_discount_cannot_be_applied_an_approved_one_can(office: Office) -> None:
    done = walk_in(office, office.zhao, "吴惠", "13900000332")
    deal = deals.deal_record(
        actor=office.zhao,
        customer_id=done.visit.customer_id or 0,
        unit="7-0708",
        price="1000000",
        deposit_paid_at=timezone.now(),
    ).deal
    rejected = deals.sales_request_submit(
        actor=office.zhao, kind="discount", deal_id=deal.pk, discount_amount="50000", reason="试试"
    )
    deals.sales_request_decide(
        actor=office.wang, request_id=rejected.pk, approve=False, reason="幅度过大"
    )
    with pytest.raises(KehuError) as refused:
        deals.deal_discount_apply(actor=office.zhao, deal_id=deal.pk, request_id=rejected.pk)
    assert refused.value.code == DealErrorCode.DISCOUNT_NOT_APPROVED
    # when a smaller discount is approved, it is applied to the price
    approved = deals.sales_request_submit(
        actor=office.zhao, kind="discount", deal_id=deal.pk, discount_percent="1.5", reason="老带新"
    )
    deals.sales_request_decide(actor=office.wang, request_id=approved.pk, approve=True, reason="可")
    applied = deals.deal_discount_apply(actor=office.zhao, deal_id=deal.pk, request_id=approved.pk)
    assert applied.price == Decimal("985000.00")
    assert applied.price_before_discount == Decimal("1000000.00")


def test_a7_19_one_decision_per_request_and_only_the_sales_manager_decides(
    office: Office,
) -> None:
    ask = deals.sales_request_submit(
        actor=office.zhao, kind="hold", unit="2-0202", reason="客户明天来交定金"
    )
    # a salesperson (or the PM) may not decide
    for outsider in (office.li, office.pm):
        with pytest.raises(KehuError) as refused:
            deals.sales_request_decide(actor=outsider, request_id=ask.pk, approve=True, reason="好")
        assert refused.value.status == 403
    # the reason is required
    with pytest.raises(KehuError) as refused:
        deals.sales_request_decide(actor=office.wang, request_id=ask.pk, approve=True, reason=" ")
    assert refused.value.code == DealErrorCode.REASON_REQUIRED
    # the sales manager decides once; a second decision is refused
    deals.sales_request_decide(
        actor=office.wang, request_id=ask.pk, approve=True, reason="保留一天"
    )
    with pytest.raises(KehuError) as refused:
        deals.sales_request_decide(actor=office.wang, request_id=ask.pk, approve=False, reason="改")
    assert refused.value.code == DealErrorCode.REQUEST_DECIDED


def test_x7_3_registering_the_visit_confirms_a_channel_report_still_protected(
    office: Office,
) -> None:
    from kehu.sales import channel_services
    from kehu.sales.models.channel import ChannelConfirmation

    # given an agent reported 钱客's phone this morning (protected 72 hours, visit decides)
    channel = channel_services.channel_company_add(actor=office.pm, name="安居客渠道")
    agent = channel_services.channel_agent_add(actor=office.pm, channel_id=channel.pk, name="马骏")
    report = channel_services.channel_report_create(
        actor=office.pm, agent_id=agent.pk, customer_name="钱客", phone="13900000377"
    )
    # when 钱客 walks in and the desk registers the visit
    walk_in(office, office.zhao, "钱客", "13900000377")
    # then the visit confirmed the agent's report, in the same registration
    confirmation = ChannelConfirmation.objects.get()
    assert confirmation.report == report
