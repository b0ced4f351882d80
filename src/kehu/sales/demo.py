"""Demo lines of the registration book and the phone-enquiry book for ``kehu demo``.

华景·云栖府售楼处 (华景置业): the front desk 陈静 registers today's visitors for the receiving
salespeople, one of them a visit from yesterday registered late (A1.1); the PM 杨帆 confirms two
lines; 张浩 (salesperson) corrects a line by a new one; two phone enquiries, one answered by a
colleague for the desk owner (A7.5); a few follow-ups (A1.4).

Everything goes through the services, so every line has its ledger entry. Idempotent: nothing is
added once the company's book has a line. Visits are placed earlier today (the services refuse
visits in the future), so the lines are on time except the one deliberately late.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.org.demo import DemoOrg
from kehu.sales.models.registration import Registration
from kehu.sales.registration_services import (
    CallDetails,
    VisitDetails,
    follow_up_record,
    phone_enquiry_record,
    registration_confirm,
    registration_correct,
    registration_record,
)

COMPANY = "huajing-estate"
SITE = "华景·云栖府售楼处"

# (customer on file, receiver, minutes before now at most, intention, source)
OLD_ON_FILE = (
    ("张伟", "sales.li", 300, "三居室，预算 500 万，关注学区", "朋友介绍"),
    ("李强", "sales.zhang", 240, "改善型四居，想看样板间", "网络广告"),
    ("刘洋", "sales.zhang", 180, "刚需两居", "路过到访"),
    ("陈静怡", "sales.wang", 120, "学区房", "老带新"),
)


def earlier_today(now: dt.datetime, minutes: int) -> dt.datetime:
    """``minutes`` before now, but not before today's local midnight (stays on today's page, so
    a demo loaded just after midnight does not register yesterday's visits late) and never
    after now (the services refuse visits in the future)."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - dt.timedelta(minutes=minutes), min(now, start + dt.timedelta(minutes=1)))


def demo_load(org: DemoOrg) -> None:
    """The book first, then each area's demo rows (each loader is idempotent on its own)."""
    from kehu.sales.channel_demo import demo_load_channel
    from kehu.sales.deal_demo import demo_load_deals
    from kehu.sales.dispute_demo import demo_load_disputes
    from kehu.sales.import_demo import demo_load_import

    demo_load_book(org)
    demo_load_disputes(org)
    demo_load_deals(org)
    demo_load_channel(org)
    demo_load_import(org)


def demo_load_book(org: DemoOrg) -> None:
    company = org.companies.get(COMPANY)
    if company is None or Registration.objects.filter(company=company).exists():
        return
    desk = org.staff["front.chen"]
    pm = org.staff["pm.yang"]
    site = org.sites[SITE]
    now = timezone.now()
    lines: dict[str, Registration] = {}
    for name, receiver, minutes, intention, source in OLD_ON_FILE:
        customer = Customer.objects.filter(company=company, name=name).first()
        if customer is None:
            continue
        phone = customer.phones.order_by("id").first()
        visit = registration_record(
            staff=desk,
            receiver=org.staff[receiver],
            customer_id=customer.pk,
            site_id=site.pk,
            visited_at=earlier_today(now, minutes),
            details=VisitDetails(
                customer_name=name,
                contact=phone.raw if phone else "",
                employer_or_address=customer.employer or customer.address,
                car_brand=customer.car_brand,
                plate=customer.plate,
                intention=intention,
                source=source,
            ),
        )
        lines[name] = visit.registration
    # a new walk-in, registered by the salesperson who received her
    lines["孙婷"] = registration_record(
        staff=org.staff["sales.liu"],
        site_id=site.pk,
        visited_at=earlier_today(now, 60),
        details=VisitDetails(
            customer_name="孙婷",
            contact="13555550001",
            employer_or_address="杭州市西湖区文一路",
            intention="两居或小三居，首付 120 万",
            source="路过到访",
        ),
    ).registration
    # yesterday's visitor, registered only today: flagged late (A1.1)
    zhou = Customer.objects.filter(company=company, name="周杰").first()
    if zhou is not None:
        yesterday = timezone.localtime(now) - dt.timedelta(days=1)
        registration_record(
            staff=desk,
            receiver=org.staff["sales.liu"],
            customer_id=zhou.pk,
            site_id=site.pk,
            visited_at=yesterday.replace(hour=16, minute=30, second=0, microsecond=0),
            details=VisitDetails(
                customer_name="周杰",
                contact="13588990011",
                car_brand="奥迪",
                plate="浙A·6Q789",
                intention="看过沙盘，下周带家人再来",
                source="户外广告",
            ),
        )
    # the PM confirms two lines (A1.1)
    for name in ("张伟", "李强"):
        if name in lines:
            registration_confirm(staff=pm, registration_id=lines[name].pk, note="已核实来访登记表")
    # a correction by a new line (A1.2)
    if "刘洋" in lines:
        registration_correct(
            staff=org.staff["sales.zhang"],
            registration_id=lines["刘洋"].pk,
            reason="客户补充：预算提高，改看三居",
            changes=VisitDetails(
                customer_name="刘洋",
                contact="18657112233",
                car_brand="大众",
                plate="浙A5K321",
                intention="三居，预算 350 万",
                source="路过到访",
            ),
        )
    # phone enquiries (A1.3: not in the registration book; A7.5: the desk owner's)
    zhao_min = Customer.objects.filter(company=company, name="赵敏").first()
    phone_enquiry_record(
        staff=org.staff["sales.wang"],
        site_id=site.pk,
        called_at=earlier_today(now, 200),
        customer_id=zhao_min.pk if zhao_min else None,
        details=CallDetails(
            caller_name="赵敏", contact="0571-87654321", intention="问公寓价格", source="报纸广告"
        ),
    )
    phone_enquiry_record(
        staff=org.staff["sales.zhang"],
        desk_owner=org.staff["sales.li"],
        site_id=site.pk,
        called_at=earlier_today(now, 90),
        details=CallDetails(
            caller_name="钱女士", contact="13666660002", intention="问开盘时间", source="朋友圈"
        ),
    )
    # follow-ups (A1.4)
    for name, who, note in (
        ("张伟", "sales.li", "电话回访，约周六带家人看样板间"),
        ("李强", "sales.zhang", "微信发送四居户型图"),
    ):
        customer = Customer.objects.filter(company=company, name=name).first()
        if customer is not None and customer.owner_id == org.staff[who].pk:
            follow_up_record(
                staff=org.staff[who],
                customer_id=customer.pk,
                note=note,
                at=earlier_today(now, 30),
            )
