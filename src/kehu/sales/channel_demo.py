"""Demo rows for channel reports, the public pool and alerts (``demo_load_channel(org)``).

华景·云栖府售楼处 (华景置业): the PM 杨帆 keeps two channel companies with their agents and enters
their reports — one just made, one about to expire, one that lapsed without a visit (到访为王),
one whose customer visited and confirmed it; two long-neglected customers of 刘子轩 go back to
the public pool and 李娜 claims one; 张浩's many corrections of one line raise an alert.

Everything goes through the services, except that the two neglected customers are backdated
(their ``created_at``, which ``customer_create`` always sets to now) so the sweep has something
to return. Idempotent: nothing is added once the company has a channel company.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kehu.core.customers.models import Customer
from kehu.core.customers.services import customer_create
from kehu.core.org.demo import DemoOrg
from kehu.sales.alert_services import alert_detect
from kehu.sales.channel_services import (
    channel_agent_add,
    channel_company_add,
    channel_report_create,
    channel_visit_confirm,
)
from kehu.sales.demo import earlier_today
from kehu.sales.models.channel import ChannelCompany
from kehu.sales.models.registration import Registration
from kehu.sales.pool_services import pool_claim, pool_sweep
from kehu.sales.registration_services import (
    VisitDetails,
    registration_correct,
    registration_record,
)

COMPANY = "huajing-estate"
SITE = "华景·云栖府售楼处"

# (agent index, customer, phone, hours ago)
REPORTS = (
    (0, "王芳", "13900001111", 1),
    (1, "赵雷", "13900002222", 62),
    (0, "钱进", "13900003333", 80),
    (2, "周敏", "13900004444", 20),
    (1, "吴昊", "13900005555", 30),
)


def demo_load_channel(org: DemoOrg) -> None:
    company = org.companies.get(COMPANY)
    if company is None or ChannelCompany.objects.filter(company=company).exists():
        return
    pm = org.staff["pm.yang"]
    site = org.sites.get(SITE)
    now = timezone.now()
    lianjia = channel_company_add(actor=pm, name="安家房产经纪", contact_person="孔经理")
    haofang = channel_company_add(actor=pm, name="好房通分销", contact_person="曹总")
    agents = [
        channel_agent_add(actor=pm, channel_id=lianjia.pk, name="马骏", phone="13700007001"),
        channel_agent_add(actor=pm, channel_id=haofang.pk, name="邓丽", phone="13700007002"),
        channel_agent_add(actor=pm, channel_id=lianjia.pk, name="韩梅", phone="13700007003"),
    ]
    for agent, name, phone, hours in REPORTS:
        channel_report_create(
            actor=pm,
            agent_id=agents[agent].pk,
            customer_name=name,
            phone=phone,
            site_id=site.pk if site else None,
            reported_at=now - dt.timedelta(hours=hours),
        )
    # 周敏 visits (registered by the front desk): the visit confirms 韩梅's report (X7.3)
    visited_at = earlier_today(now, 40)
    visit = registration_record(
        staff=org.staff["front.chen"],
        receiver=org.staff["sales.li"],
        site_id=site.pk if site else None,
        visited_at=visited_at,
        details=VisitDetails(
            customer_name="周敏", contact="13900004444", intention="渠道带看，两居", source="渠道"
        ),
    )
    channel_visit_confirm(
        actor=org.staff["front.chen"], customer=visit.registration.customer, visited_at=visited_at
    )
    _pool(org, now)
    _corrections(org)
    alert_detect(company=company)


def _pool(org: DemoOrg, now: dt.datetime) -> None:
    liu = org.staff["sales.liu"]
    neglected = []
    for name, phone in (("郑凯", "13600006001"), ("冯雪", "13600006002")):
        customer = customer_create(
            staff=liu, data={"name": name, "phones": [phone], "source": "老客户"}, owner=liu
        )
        neglected.append(customer.pk)
    # backdated: last contact 40 days ago (the demo's only write outside the services)
    Customer.objects.filter(pk__in=neglected).update(created_at=now - dt.timedelta(days=40))
    pool_sweep(company=liu.company, now=now)
    pool_claim(actor=org.staff["sales.li"], customer_id=neglected[0])


def _corrections(org: DemoOrg) -> None:
    zhang = org.staff["sales.zhang"]
    line = (
        Registration.objects.filter(company=zhang.company, receiver=zhang, customer_name="李强")
        .order_by("pk")
        .first()
    )
    if line is None:
        return
    for n in range(5):
        line = registration_correct(
            staff=zhang,
            registration_id=line.pk,
            reason=f"客户补充信息（第{n + 1}次）",
            changes=VisitDetails(
                customer_name="李强",
                contact=line.contact,
                intention=f"改善型四居，预算调整 {n + 1}",
                source=line.source,
            ),
        )
