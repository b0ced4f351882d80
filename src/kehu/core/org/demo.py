"""Demo data: one group, five companies, their sites, departments, teams and staff.

``kehu demo`` (``org/management/commands/demo.py``) calls :func:`demo_load`, which makes the
organisation and then gives every other installed app its turn: an app that wants demo rows
puts ``def demo_load(org: DemoOrg) -> None`` in ``kehu/<…>/<app>/demo.py`` (see
:data:`DEMO_LOADER_MODULE`). Loaders run in INSTALLED_APPS order, in one transaction, and must
be idempotent (get-or-create by a natural key): running the command twice changes nothing.

Everything here is fictitious; the names are common Chinese names.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from kehu.core.org.models import (
    Company,
    CompanyGroup,
    CompanyKind,
    Department,
    Site,
    SiteKind,
    Staff,
    Team,
)
from kehu.core.org.posts import Post
from kehu.core.org.services import roles_sync, staff_assign_post_group

DEMO_PASSWORD = "kehu-demo-2026"  # published on purpose: demo databases only
DEMO_ADMIN_USERNAME = "admin"
DEMO_EMAIL_DOMAIN = "huajing.example.cn"
DEMO_GROUP_NAME = "华景控股集团"
# The module each app may provide; its ``demo_load(org)`` is called after the organisation.
DEMO_LOADER_MODULE = "demo"


@dataclass(frozen=True)
class CompanySpec:
    code: str
    name: str
    kind: str
    sites: tuple[tuple[str, str, str], ...]  # (name, SiteKind, address)
    departments: tuple[str, ...]
    teams: tuple[tuple[str, str], ...]  # (department, team)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    name: str
    post: str
    company: str  # CompanySpec.code
    department: str
    team: str = ""
    supervisor: str = ""  # username; supervisors are listed before their reports
    phone: str = ""
    site: str = ""  # defaults to the company's first site


COMPANIES: tuple[CompanySpec, ...] = (
    CompanySpec(
        code="huajing-estate",
        name="华景置业有限公司",
        kind=CompanyKind.REAL_ESTATE,
        sites=(("华景·云栖府售楼处", SiteKind.SALES_OFFICE, "杭州市西湖区云栖路 88 号"),),
        departments=("营销部",),
        teams=(("营销部", "销售一组"), ("营销部", "销售二组")),
    ),
    CompanySpec(
        code="huajing-property",
        name="华景物业服务有限公司",
        kind=CompanyKind.PROPERTY,
        sites=(("云栖府物业服务中心", SiteKind.PROPERTY, "杭州市西湖区云栖路 90 号"),),
        departments=("客户服务部", "工程维修部"),
        teams=(("客户服务部", "客服班"), ("工程维修部", "维修班")),
    ),
    CompanySpec(
        code="huajing-gas",
        name="华景燃气有限公司",
        kind=CompanyKind.GAS,
        sites=(("城东燃气营业所", SiteKind.GAS_DISTRICT, "杭州市上城区秋涛路 215 号"),),
        departments=("客户服务中心", "安全稽查部", "安检维修部", "客户管理部", "综合管理部"),
        teams=(
            ("客户服务中心", "热线班"),
            ("客户服务中心", "营业班"),
            ("安检维修部", "安检一班"),
            ("安检维修部", "维修班"),
            ("客户管理部", "抄表班"),
        ),
    ),
    CompanySpec(
        code="huajing-power",
        name="华景供电服务有限公司",
        kind=CompanyKind.POWER,
        sites=(("城西供电营业所", SiteKind.POWER_DISTRICT, "杭州市拱墅区莫干山路 1020 号"),),
        departments=("用电检查部",),
        teams=(("用电检查部", "用电检查班"),),
    ),
    CompanySpec(
        code="huajing-logistics",
        name="华景烟草物流配送有限公司",
        kind=CompanyKind.TOBACCO,
        sites=(("城北卷烟配送站", SiteKind.DEPOT, "杭州市拱墅区石祥路 566 号"),),
        departments=("物流配送部",),
        teams=(("物流配送部", "车管组"),),
    ),
)

ESTATE, PROPERTY, GAS, POWER, LOGISTICS = (c.code for c in COMPANIES)
P = Post

# Columns: username, name, post, company, department, team, supervisor (a username).
# Supervisors come before their reports. Chains:
#   售楼员/案场前台 → 项目经理 → 销售经理 → 销售总监;  客服 → 主管 → 经理,  维修员 → 经理;
#   gas, after A4's levels: 安检员/维修员 → 班长 → 副经理;
#   热线员/稽查员/营业员/客户管理员 → 主管 → 经理;  副经理/经理/人力资源 → 总经理;
#   用电检查员 → 经理;  驾驶员 → 车管组组长 → 部门负责人.
# fmt: off
STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("director.sun", "孙丽华", P.SALES_DIRECTOR, ESTATE, "营销部"),
    StaffSpec("salesmgr.zhao", "赵磊", P.SALES_MANAGER, ESTATE, "营销部", "", "director.sun"),
    StaffSpec("pm.yang", "杨帆", P.PROJECT_MANAGER, ESTATE, "营销部", "", "salesmgr.zhao"),
    StaffSpec("sales.li", "李娜", P.SALESPERSON, ESTATE, "营销部", "销售一组", "pm.yang"),
    StaffSpec("sales.zhang", "张浩", P.SALESPERSON, ESTATE, "营销部", "销售一组", "pm.yang"),
    StaffSpec("sales.wang", "王佳琪", P.SALESPERSON, ESTATE, "营销部", "销售二组", "pm.yang"),
    StaffSpec("sales.liu", "刘子轩", P.SALESPERSON, ESTATE, "营销部", "销售二组", "pm.yang"),
    StaffSpec("front.chen", "陈静", P.RECEPTIONIST, ESTATE, "营销部", "", "pm.yang"),

    StaffSpec("propmgr.he", "何建国", P.MANAGER, PROPERTY, "客户服务部"),
    StaffSpec("propsup.xu", "徐慧", P.SUPERVISOR, PROPERTY, "客户服务部", "客服班", "propmgr.he"),
    StaffSpec("cs.zhou", "周敏", P.CUSTOMER_SERVICE, PROPERTY, "客户服务部", "客服班",
              "propsup.xu"),
    StaffSpec("cs.wu", "吴婷", P.CUSTOMER_SERVICE, PROPERTY, "客户服务部", "客服班", "propsup.xu"),
    StaffSpec("proprepair.ma", "马超", P.REPAIRMAN, PROPERTY, "工程维修部", "维修班", "propmgr.he"),

    StaffSpec("gm.cheng", "程建华", P.GENERAL_MANAGER, GAS, "综合管理部"),
    StaffSpec("gasdeputy.lu", "卢海燕", P.DEPUTY_MANAGER, GAS, "安检维修部", "", "gm.cheng"),
    StaffSpec("gasmgr.xiao", "肖明", P.MANAGER, GAS, "客户服务中心", "", "gm.cheng"),
    StaffSpec("hr.yuan", "袁芳", P.HR, GAS, "综合管理部", "", "gm.cheng"),
    StaffSpec("gaslead.deng", "邓勇", P.TEAM_LEADER, GAS, "安检维修部", "安检一班", "gasdeputy.lu"),
    StaffSpec("gassup.peng", "彭志强", P.SUPERVISOR, GAS, "客户服务中心", "", "gasmgr.xiao"),
    StaffSpec("hotline.zheng", "郑丽", P.HOTLINE_OPERATOR, GAS, "客户服务中心", "热线班",
              "gassup.peng"),
    StaffSpec("audit.feng", "冯刚", P.AUDITOR, GAS, "安全稽查部", "", "gassup.peng"),
    StaffSpec("clerk.tang", "唐晓燕", P.BUSINESS_CLERK, GAS, "客户服务中心", "营业班",
              "gassup.peng"),
    StaffSpec("custmgr.cao", "曹敏", P.CUSTOMER_MANAGER, GAS, "客户管理部", "抄表班",
              "gassup.peng"),
    StaffSpec("safety.jiang", "蒋涛", P.SAFETY_INSPECTOR, GAS, "安检维修部", "安检一班",
              "gaslead.deng"),
    StaffSpec("gasrepair.han", "韩军", P.REPAIRMAN, GAS, "安检维修部", "维修班", "gaslead.deng"),

    StaffSpec("powermgr.song", "宋文斌", P.MANAGER, POWER, "用电检查部"),
    StaffSpec("power.tian", "田野", P.POWER_INSPECTOR, POWER, "用电检查部", "用电检查班",
              "powermgr.song"),
    StaffSpec("power.hu", "胡晓东", P.POWER_INSPECTOR, POWER, "用电检查部", "用电检查班",
              "powermgr.song"),

    StaffSpec("depot.guo", "郭志刚", P.DEPARTMENT_HEAD, LOGISTICS, "物流配送部"),
    StaffSpec("fleet.lin", "林建平", P.FLEET_LEADER, LOGISTICS, "物流配送部", "车管组",
              "depot.guo"),
    StaffSpec("driver.luo", "罗斌", P.DRIVER, LOGISTICS, "物流配送部", "车管组", "fleet.lin"),
    StaffSpec("driver.xie", "谢小龙", P.DRIVER, LOGISTICS, "物流配送部", "车管组", "fleet.lin"),
)
# fmt: on


@dataclass
class DemoOrg:
    """Handles to the demo organisation for app loaders: by company code and by username."""

    group: CompanyGroup
    companies: dict[str, Company] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)  # by site name

    def staff_of(self, company_code: str, post: str) -> list[Staff]:
        return [s for s in self.staff.values() if s.company.code == company_code and s.post == post]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    name: str
    post: str
    company: str


DemoLoader = Callable[[DemoOrg], None]


def _demo_user(username: str, full_name: str, *, superuser: bool = False) -> User:
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(
            username=username,
            first_name=full_name,
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            is_staff=superuser,
            is_superuser=superuser,
        )
        validate_password(DEMO_PASSWORD, user)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def org_demo_load() -> DemoOrg:
    """Create (or find) the demo organisation; changes nothing when it already exists."""
    roles_sync()
    group, _ = CompanyGroup.objects.get_or_create(name=DEMO_GROUP_NAME)
    org = DemoOrg(group=group)
    departments: dict[tuple[str, str], Department] = {}
    teams: dict[tuple[str, str, str], Team] = {}
    first_site: dict[str, Site] = {}
    for spec in COMPANIES:
        company, _ = Company.objects.get_or_create(
            code=spec.code, defaults={"group": group, "name": spec.name, "kind": spec.kind}
        )
        org.companies[spec.code] = company
        for site_name, site_kind, address in spec.sites:
            site, _ = Site.objects.get_or_create(
                company=company, name=site_name, defaults={"kind": site_kind, "address": address}
            )
            org.sites[site_name] = site
            first_site.setdefault(spec.code, site)
        for dept_name in spec.departments:
            departments[(spec.code, dept_name)], _ = Department.objects.get_or_create(
                company=company, name=dept_name
            )
        for dept_name, team_name in spec.teams:
            teams[(spec.code, dept_name, team_name)], _ = Team.objects.get_or_create(
                company=company, department=departments[(spec.code, dept_name)], name=team_name
            )

    for person in STAFF:
        user = _demo_user(person.username, person.name)
        company = org.companies[person.company]
        staff = Staff.objects.filter(user=user).first()
        if staff is None:
            staff = Staff.objects.create(
                company=company,
                user=user,
                name=person.name,
                post=person.post,
                site=org.sites[person.site] if person.site else first_site[person.company],
                department=departments[(person.company, person.department)],
                team=teams[(person.company, person.department, person.team)]
                if person.team
                else None,
                supervisor=org.staff[person.supervisor] if person.supervisor else None,
                phone=person.phone,
            )
        staff_assign_post_group(staff=staff)
        org.staff[person.username] = staff

    _demo_user(DEMO_ADMIN_USERNAME, "系统管理员", superuser=True)
    return org


def app_demo_loaders() -> list[tuple[str, DemoLoader]]:
    """``(app label, demo_load)`` of every kehu app (but org) that has a demo module."""
    loaders: list[tuple[str, DemoLoader]] = []
    for config in apps.get_app_configs():
        if config.label == "org" or not config.name.startswith("kehu."):
            continue
        module_name = f"{config.name}.{DEMO_LOADER_MODULE}"
        if importlib.util.find_spec(module_name) is None:
            continue
        loader = getattr(importlib.import_module(module_name), "demo_load", None)
        if callable(loader):
            loaders.append((config.label, loader))
    return loaders


@transaction.atomic
def demo_load() -> tuple[DemoOrg, list[str]]:
    """The organisation, then each app's demo rows. Returns the org and the apps that loaded."""
    org = org_demo_load()
    loaded = []
    for label, loader in app_demo_loaders():
        loader(org)
        loaded.append(label)
    return org, loaded


def demo_logins(org: DemoOrg) -> list[DemoLogin]:
    """One login per post in each company (the first person listed), plus the admin."""
    seen: set[tuple[str, str]] = set()
    logins = []
    company_order = [c.code for c in COMPANIES]
    post_order = list(Post)
    people = sorted(
        STAFF, key=lambda p: (company_order.index(p.company), post_order.index(Post(p.post)))
    )
    for person in people:
        if (person.company, person.post) in seen:
            continue
        seen.add((person.company, person.post))
        staff = org.staff[person.username]
        logins.append(
            DemoLogin(
                username=person.username,
                password=DEMO_PASSWORD,
                name=staff.name,
                post=staff.get_post_display(),
                company=staff.company.name,
            )
        )
    logins.append(
        DemoLogin(
            username=DEMO_ADMIN_USERNAME,
            password=DEMO_PASSWORD,
            name="系统管理员",
            post="（/admin/ 超级用户）",
            company=org.group.name,
        )
    )
    return logins
