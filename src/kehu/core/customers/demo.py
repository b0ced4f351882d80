"""Demo customers for ``kehu demo``: a few households per company, owned by demo staff.

Fictitious people with common Chinese names. Idempotent: a customer is looked up by company and
name before it is created, and family links and batches only once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kehu.core.customers.models import Customer, FamilyLink, VisitBatchMember
from kehu.core.customers.services import customer_create, family_link_add, visit_batch_create
from kehu.core.org.demo import DemoOrg


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    phone: str
    owner: str  # demo username, "" for none
    employer: str = ""
    address: str = ""
    car_brand: str = ""
    plate: str = ""
    source: str = ""
    intention: str = ""
    id_number: str = ""


# fmt: off
ESTATE = (
    DemoCustomer("张伟", "13812345678", "sales.li", "浙江大学", "杭州市西湖区文三路 120 号",
                 "宝马", "浙A·12345", "朋友介绍", "三居室，预算 500 万", "330106198503150016"),
    DemoCustomer("王芳", "13987654321", "sales.li", "", "杭州市西湖区文三路 120 号",
                 source="朋友介绍", intention="陪同张伟看房"),
    DemoCustomer("张子涵", "13700001111", "sales.li", "", "杭州市西湖区文三路 120 号"),
    DemoCustomer("李强", "15088886666", "sales.zhang", "阿里巴巴", "杭州市余杭区五常街道",
                 "特斯拉", "浙AD88888", "网络广告", "改善型四居"),
    DemoCustomer("刘洋", "18657112233", "sales.zhang", "", "杭州市拱墅区", "大众", "浙A5K321",
                 "路过到访", "刚需两居"),
    DemoCustomer("陈静怡", "13666778899", "sales.wang", "杭州银行", "杭州市上城区",
                 source="老带新", intention="学区房"),
    DemoCustomer("赵敏", "0571-87654321", "sales.wang", "华东医院", "杭州市滨江区",
                 source="电话咨询", intention="投资公寓"),
    DemoCustomer("周杰", "13588990011", "", "", "", "奥迪", "浙A·6Q789", "户外广告"),
)
PROPERTY = (
    DemoCustomer("孙建华", "13911223344", "", "", "华景·云栖府 3 幢 2 单元 1201 室"),
    DemoCustomer("吴晓梅", "13822334455", "", "", "华景·云栖府 5 幢 1 单元 0802 室"),
)
GAS = (
    DemoCustomer("郑国强", "13733445566", "custmgr.cao", "", "杭州市西湖区古荡新村 12 幢 302"),
    DemoCustomer("黄丽", "13644556677", "custmgr.cao", "", "杭州市西湖区古荡新村 15 幢 501"),
    DemoCustomer("杭州味道餐饮有限公司", "0571-86001234", "custmgr.cao", "",
                 "杭州市西湖区天目山路 200 号"),
)
POWER = (
    DemoCustomer("杭州精工机械有限公司", "0571-88112233", "power.tian", "",
                 "杭州市余杭区临平工业园 8 号"),
)
# fmt: on

FAMILY = (("张伟", "王芳", "spouse"), ("张伟", "张子涵", "child"))
BATCH = ("张伟", "王芳", "张子涵")
BATCH_DATE = dt.date(2026, 11, 21)


def _load(
    org: DemoOrg, company_code: str, creator: str, rows: tuple[DemoCustomer, ...]
) -> dict[str, Customer]:
    company = org.companies[company_code]
    staff = org.staff[creator]
    customers: dict[str, Customer] = {}
    for row in rows:
        existing = Customer.objects.filter(company=company, name=row.name).first()
        if existing is None:
            existing = customer_create(
                staff=staff,
                data={
                    "kind": "organisation" if row.name.endswith("公司") else "person",
                    "name": row.name,
                    "phones": [row.phone],
                    "employer": row.employer,
                    "address": row.address,
                    "car_brand": row.car_brand,
                    "plate": row.plate,
                    "source": row.source,
                    "intention": row.intention,
                    "id_number": row.id_number,
                },
                owner=org.staff[row.owner] if row.owner else None,
            )
        customers[row.name] = existing
    return customers


def demo_load(org: DemoOrg) -> None:
    estate = _load(org, "huajing-estate", "salesmgr.zhao", ESTATE)
    _load(org, "huajing-property", "cs.zhou", PROPERTY)
    _load(org, "huajing-gas", "custmgr.cao", GAS)
    _load(org, "huajing-power", "powermgr.song", POWER)
    manager = org.staff["salesmgr.zhao"]
    for name, relative, relation in FAMILY:
        customer, other = estate[name], estate[relative]
        if not FamilyLink.objects.filter(customer=customer, relative=other).exists():
            family_link_add(
                staff=manager, customer_id=customer.pk, relative_id=other.pk, relation=relation
            )
    members = [estate[name].pk for name in BATCH]
    if not VisitBatchMember.objects.filter(customer_id=members[0]).exists():
        visit_batch_create(
            staff=manager,
            visit_date=BATCH_DATE,
            customer_ids=members,
            site_id=org.sites["华景·云栖府售楼处"].pk,
            note="一家三口同来看房",
        )
