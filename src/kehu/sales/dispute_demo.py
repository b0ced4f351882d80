"""Demo rows for the dispute queue (A7.20) and pre-registrations (A7.10):
``demo_load_disputes(org)``.

华景·云栖府售楼处 (华景置业), today: the front desk 陈静 receives three walk-ins in rotation —
a second 张伟 (another phone: only the full name matches 李娜's 张伟, so the decision waits for
the sales manager), 周杰 again (刘子轩's customer, so the rules keep him with 刘子轩 and 王佳琪,
who received him, disputes it), and a second 李强 on whom 赵经理 has already ruled "not the
same customer". 李娜 pre-registers two people her customer 张伟 will bring.

Everything goes through the services (rotation, reception, disputes, pre-registrations), so
every row has its ledger entry. Idempotent: nothing is added once the company has a dispute or
a pre-registration.
"""

from __future__ import annotations

import contextlib

from kehu.core.customers.models import Customer
from kehu.core.errors import KehuError
from kehu.core.org.demo import DemoOrg
from kehu.core.org.models import Staff
from kehu.sales import reception_services as reception
from kehu.sales.dispute_services import dispute_raise, dispute_rule
from kehu.sales.models.dispute import DisputeRequest
from kehu.sales.models.reception import OwnershipDecision, PreRegistration
from kehu.sales.prereg_services import IntroducedPerson, preregistration_record
from kehu.sales.registration_services import VisitDetails
from kehu.sales.rotation_services import rotation_day_open

COMPANY = "huajing-estate"
SITE = "华景·云栖府售楼处"
ORDER = ("sales.zhang", "sales.wang", "sales.liu", "sales.li")


def _walk_in(
    org: DemoOrg, details: VisitDetails, customer: Customer | None = None
) -> OwnershipDecision:
    desk = org.staff["front.chen"]
    visit = reception.visit_arrive(actor=desk, site=org.sites[SITE], arrival="walk_in")
    done = reception.visit_register(
        actor=desk,
        visit_id=visit.pk,
        details=details,
        customer_id=customer.pk if customer is not None else None,
    )
    reception.visit_end(actor=desk, visit_id=visit.pk)
    return done.decision


def demo_load_disputes(org: DemoOrg) -> None:
    company = org.companies.get(COMPANY)
    if company is None or SITE not in org.sites:
        return
    if (
        DisputeRequest.objects.filter(company=company).exists()
        or PreRegistration.objects.filter(company=company).exists()
    ):
        return
    # today's rotation may already be open: then receive in its order
    with contextlib.suppress(KehuError):
        rotation_day_open(
            actor=org.staff["pm.yang"],
            site=org.sites[SITE],
            order=[org.staff[name].pk for name in ORDER],
        )
    # a second 张伟: only the full name matches 李娜's customer (A7.4 reading → A7.20 queue)
    _walk_in(
        org,
        VisitDetails(
            customer_name="张伟",
            contact="13912340000",
            employer_or_address="杭州市拱墅区莫干山路",
            intention="小三居，自住",
            source="路过到访",
        ),
    )
    # 周杰 again: 刘子轩's customer; the receiver disputes the rules' answer
    zhou_jie = Customer.objects.filter(company=company, name="周杰").order_by("pk").first()
    zhou = _walk_in(
        org,
        VisitDetails(customer_name="周杰", contact="13588990011", intention="带家人看样板间"),
        zhou_jie,
    )
    receiver = Staff.objects.get(pk=zhou.visit.receiver_id)
    if str(receiver.pk) != (zhou.owner_after or {}).get("salesperson"):
        dispute_raise(
            actor=receiver,
            decision_id=zhou.pk,
            reason="客户说上次只是路过看沙盘，这次专程来找我，希望销售经理裁定",
        )
    # a second 李强, already ruled: not the same customer (final, A7.20)
    li_qiang = _walk_in(
        org,
        VisitDetails(customer_name="李强", contact="13700009999", intention="公寓投资"),
    )
    if li_qiang.outcome == "pending":
        dispute_rule(
            actor=org.staff["salesmgr.zhao"],
            decision_id=li_qiang.pk,
            kind="different_customer",
            reason="电话、单位、年龄均不同，与张浩的李强不是同一人",
        )
    # 李娜 pre-registers two people her customer 张伟 will bring (A7.10)
    zhang_wei = (
        Customer.objects.filter(company=company, name="张伟", owner=org.staff["sales.li"])
        .order_by("pk")
        .first()
    )
    if zhang_wei is None:
        return
    for person, note in (
        (IntroducedPerson(name="孙小雨", contact="13900009991"), "张伟的同事，周末一起来"),
        (
            IntroducedPerson(name="钱多多", car_brand="宝马", plate="浙A·88Z66"),
            "张伟的邻居，只留了车牌",
        ),
    ):
        preregistration_record(
            actor=org.staff["sales.li"], introducer_id=zhang_wei.pk, person=person, note=note
        )
