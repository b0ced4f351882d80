"""Demo rows for deals, the commission ledger, A7.19 requests and conduct records:
``demo_load_deals(org)``.

华景·云栖府售楼处 (华景置业), today:

- a walk-in 冯晓 received in rotation pays the deposit and signs the subscription: a deal
  (A7.17) whose whole performance goes to the receiver;
- 卫东 asks for 李娜, who is out on assigned work: the on-duty salesperson helps and closes the
  deal, split closer 20% / 李娜 80% (A7.9(2));
- a deposit alone for 褚云 (not a deal yet);
- requests to the sales manager (A7.19): a discount approved, a hold rejected, a rename waiting;
- a conduct record (A7.11) by the sales manager.

Everything goes through the services. Idempotent: nothing is added once the company has a deal.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

from kehu.core.errors import KehuError
from kehu.core.org.demo import DemoOrg
from kehu.sales import deal_services as deals
from kehu.sales import reception_services as reception
from kehu.sales import rotation_rules
from kehu.sales.models.deal import Deal
from kehu.sales.registration_services import VisitDetails
from kehu.sales.rotation_services import rotation_day_open, rotation_status_set

COMPANY = "huajing-estate"
SITE = "华景·云栖府售楼处"
ORDER = ("sales.wang", "sales.liu", "sales.li", "sales.zhang")


def _walk_in(
    org: DemoOrg, details: VisitDetails, customer_id: int | None = None
) -> reception.RegisterResult:
    desk = org.staff["front.chen"]
    visit = reception.visit_arrive(actor=desk, site=org.sites[SITE], arrival="walk_in")
    done = reception.visit_register(
        actor=desk, visit_id=visit.pk, details=details, customer_id=customer_id
    )
    reception.visit_end(actor=desk, visit_id=visit.pk)
    return done


def demo_load_deals(org: DemoOrg) -> None:
    company = org.companies.get(COMPANY)
    if company is None or SITE not in org.sites:
        return
    if Deal.objects.filter(company=company).exists():
        return
    manager = org.staff["salesmgr.zhao"]
    with contextlib.suppress(KehuError):
        rotation_day_open(
            actor=org.staff["pm.yang"],
            site=org.sites[SITE],
            order=[org.staff[name].pk for name in ORDER],
        )
    now = timezone.now()
    # 1. a new customer's deal: all to the receiver
    feng = _walk_in(
        org, VisitDetails(customer_name="冯晓", contact="13811112222", intention="两居，首付已备")
    )
    closer = feng.visit.receiver
    discount = deals.sales_request_submit(
        actor=closer,
        kind="discount",
        unit="7-1801",
        discount_percent="1",
        reason="客户当天交定金签约，申请 1% 折扣",
    )
    deals.sales_request_decide(
        actor=manager, request_id=discount.pk, approve=True, reason="当天签约，同意 1%"
    )
    deals.deal_record(
        actor=closer,
        customer_id=feng.visit.customer_id or 0,
        unit="7-1801",
        price="2680000.00",
        subscriber="冯晓",
        deposit_paid_at=timezone.now(),
        subscription_signed_at=timezone.now(),
        discount_request_id=discount.pk,
    )
    # 2. 卫东 asks for 李娜, who is out on assigned work: the on-duty salesperson helps and
    #    closes; the deal splits closer 20% / 李娜 80% (A7.9(2))
    li = org.staff["sales.li"]
    site = org.sites[SITE]
    with contextlib.suppress(KehuError):
        rotation_status_set(
            actor=org.staff["pm.yang"],
            site=site,
            staff_id=li.pk,
            status=rotation_rules.Status.AWAY,
            reason=rotation_rules.Reason.ASSIGNED_WORK,
            note="去银行办按揭资料",
        )
    desk = org.staff["front.chen"]
    visit = reception.visit_arrive(actor=desk, site=site, arrival="asked_for", named_staff_id=li.pk)
    wei = reception.visit_register(
        actor=desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="卫东", contact="13833334444", intention="四居，改善"),
    )
    reception.visit_end(actor=desk, visit_id=visit.pk)
    if wei.visit.receiver_id != li.pk:
        deals.deal_record(
            actor=wei.visit.receiver,
            customer_id=wei.visit.customer_id or 0,
            unit="3-0902",
            price="3150000.00",
            subscriber="卫东",
            deposit_paid_at=timezone.now(),
            subscription_signed_at=timezone.now(),
        )
    with contextlib.suppress(KehuError):
        rotation_status_set(
            actor=org.staff["pm.yang"], site=site, staff_id=li.pk, status=rotation_rules.Status.FREE
        )
    # 3. a deposit alone: not a deal yet (A7.17)
    chu = _walk_in(org, VisitDetails(customer_name="褚云", contact="13822223333"))
    deals.deal_record(
        actor=chu.visit.receiver,
        customer_id=chu.visit.customer_id or 0,
        unit="5-0501",
        price="1980000.00",
        deposit_paid_at=timezone.now(),
    )
    # 4. requests: a hold rejected, a rename waiting (A7.19)
    hold = deals.sales_request_submit(
        actor=org.staff["sales.li"],
        kind="hold",
        unit="7-1802",
        hold_until=(now + dt.timedelta(days=3)).date(),
        reason="张伟想和家人商量，申请保留三天",
    )
    deals.sales_request_decide(
        actor=manager, request_id=hold.pk, approve=False, reason="热销房源，最多保留到明天中午"
    )
    deals.sales_request_submit(
        actor=chu.visit.receiver,
        kind="rename",
        unit="5-0501",
        new_subscriber="褚云、褚雷",
        reason="客户要求加上弟弟的名字",
    )
    # 5. a conduct record (A7.11)
    deals.conduct_record(
        actor=manager,
        salesperson_id=org.staff["sales.liu"].pk,
        rule_id="A7.11",
        facts="王佳琪接待冯晓时，刘子轩上前询问客户是否自己的来电客户",
        occurred_at=now - dt.timedelta(minutes=20),
    )
