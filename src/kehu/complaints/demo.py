"""Demo complaints for ``kehu demo``: the property company's desk with every stage, a group
about one problem, work orders waiting for callbacks; the gas hotline's leak report; a
same-day complaint at the sales office (A8.2).

Everything goes through the services with the times the steps happened (earlier today or in
the last days), so the history, deadlines and sweep verdicts are the real ones. Idempotent:
nothing is added once a demo company has a complaint.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kehu.complaints import services
from kehu.complaints.models import Complaint
from kehu.core.org.demo import DemoOrg
from kehu.core.org.models import Department, Staff

PROPERTY = "huajing-property"
GAS = "huajing-gas"
ESTATE = "huajing-estate"


def _ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def _receive(actor: Staff, hours_ago: float, **fields: object) -> Complaint:
    return services.complaint_receive(actor=actor, received_at=_ago(hours_ago), **fields)  # type: ignore[arg-type]


def _act(
    actor: Staff, complaint: Complaint, hours_ago: float, action: str, **extra: object
) -> Complaint:
    return services.complaint_act(
        actor=actor,
        complaint_id=complaint.pk,
        action=action,
        at=_ago(hours_ago),
        **extra,  # type: ignore[arg-type]
    )


def demo_load(org: DemoOrg) -> None:
    company = org.companies.get(PROPERTY)
    if company is None or Complaint.objects.filter(company=company).exists():
        return
    desk = org.staff["cs.zhou"]
    colleague = org.staff["cs.wu"]
    fitter = org.staff["proprepair.ma"]
    engineering = Department.objects.get(company=company, name="工程维修部")

    # 1. taken at the property office an hour ago, still to be passed on (A3: 24 hours)
    _receive(
        colleague,
        1,
        channel="property_office",
        customer_name="郑先生",
        contact="139****2210",
        category="噪音",
        subject="楼上夜间装修噪音",
        description="业主反映 5 栋 1201 晚上十点后仍在施工。",
        place="5栋",
    )
    # 2. with customer service for 20 hours: in the warning band (80% of 24 hours)
    waiting = _receive(
        colleague,
        21,
        channel="hotline",
        customer_name="孙女士",
        category="绿化",
        subject="草坪长期无人修剪",
        description="东门草坪杂草过膝，影响通行。",
        place="东门",
    )
    _act(colleague, waiting, 20, "forward")
    # 3. dispatched to engineering two days ago: due at the end of the 3rd day
    leak = _receive(
        desk,
        50,
        channel="service_centre",
        customer_name="钱先生",
        category="漏水",
        subject="卫生间天花板渗水",
        description="3 栋 502 卫生间天花板渗水，怀疑楼上防水层破损。",
        place="3栋",
    )
    leak = _act(desk, leak, 49, "forward")
    _act(desk, leak, 48, "dispatch", department_id=engineering.pk)
    # 4. a second water complaint in building 3 — the desk is offered to group them (A3)
    second = _receive(
        desk,
        26,
        channel="hotline",
        customer_name="冯女士",
        category="漏水",
        subject="厨房墙面渗水",
        description="3 栋 402 厨房墙面渗水发霉。",
        place="3栋",
    )
    _act(desk, second, 25, "forward")
    # 5. cannot be solved soon: explained, new date agreed (the agreed date is the deadline)
    lift = _receive(
        desk,
        80,
        channel="website",
        customer_name="褚先生",
        category="电梯",
        subject="电梯频繁停运",
        description="2 栋电梯一周内停运三次，要求更换主板。",
        place="2栋",
    )
    lift = _act(desk, lift, 79, "forward")
    lift = _act(desk, lift, 78, "dispatch", department_id=engineering.pk)
    lift = _act(fitter, lift, 60, "report_not_soon", note="主板需厂家订货，约两周到货")
    agreed = (timezone.localtime(timezone.now()) + dt.timedelta(days=12)).date()
    _act(desk, lift, 58, "agree_date", note="已电话向业主解释并约定日期", agreed_date=agreed)
    # 6. closed yesterday, with its repair order completed and waiting for the callback
    door = _receive(
        desk,
        30,
        channel="property_office",
        customer_name="卫女士",
        category="门禁",
        subject="单元门禁刷卡失灵",
        description="1 栋 2 单元门禁刷卡无反应。",
        place="1栋",
    )
    door = _act(desk, door, 29, "forward")
    door = _act(desk, door, 28, "dispatch", department_id=engineering.pk)
    door = _act(fitter, door, 22, "report_result", note="已更换读卡器")
    _act(desk, door, 21, "tell_customer")
    order = services.work_order_open(
        actor=desk,
        kind="repair",
        customer_name="卫女士",
        address="1栋2单元",
        description="更换门禁读卡器",
        assignee_id=fitter.pk,
    )
    services.work_order_complete(actor=fitter, work_order_id=order.pk)
    services.need_record(actor=desk, text="希望增加夜间巡逻", need_class="management", topic="环境")
    services.need_record(actor=desk, text="咨询小区团购家电活动", need_class="business")

    gas = org.companies.get(GAS)
    if gas is not None:
        # the hotline takes a leak report: an urgent work order at once (A4)
        _receive(
            org.staff["hotline.zheng"],
            0.5,
            channel="hotline",
            customer_name="何师傅",
            category="漏气",
            subject="厨房有燃气味",
            description="客户闻到厨房燃气味，已关闭总阀。",
            place="秋涛路 215 号 3 单元 101",
            leak=True,
            address="秋涛路 215 号 3 单元 101",
        )
    estate = org.companies.get(ESTATE)
    if estate is not None:
        # a same-day complaint at the sales office (A8.2), held by the front desk
        _receive(
            org.staff["front.chen"],
            2,
            channel="sales_office",
            customer_name="蒋先生",
            category="合同",
            subject="认购书补充条款与销售承诺不一致",
            description="客户认为车位赠送未写入补充条款。",
        )
    services.complaint_sweep_all()
