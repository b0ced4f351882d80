"""Work queues (待办): what each post sees on its home page.

The table says which queues a post has; the apps that own the work fill in the numbers by
registering a counter for a queue key, for example in their ``apps.py``::

    from kehu.core.web.queues import queue_counter

    @queue_counter("sales.registrations_to_confirm")
    def _registrations_to_confirm(staff: Staff) -> int:
        return registration_count_unconfirmed(staff=staff)   # a selector of the app

A queue without a counter shows 0 and 暂无 (nothing yet). A queue may also name the page that
lists its items (``url``), a path string so the web shell does not import the app's URLconf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import CompanyKind, Staff
from kehu.core.org.posts import Post

QueueCounter = Callable[[Staff], int]


@dataclass(frozen=True)
class WorkQueue:
    key: str  # stable "<area>.<name>": the id apps register counters for
    label: str | Promise
    rule_ids: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class QueueState:
    queue: WorkQueue
    count: int

    @property
    def is_empty(self) -> bool:
        return self.count == 0


def _q(key: str, label: str | Promise, *rule_ids: str, url: str = "") -> WorkQueue:
    return WorkQueue(key=key, label=label, rule_ids=rule_ids, url=url)


# --- the queues (one definition each, shared between posts) -----------------------------------
TODAY_RECEPTIONS = _q(
    "sales.today_receptions", _("今日接待"), "A2.12", "A7.6", url="/sales/rotation/"
)
REGISTRATIONS_DUE = _q(
    "sales.registrations_due", _("待登记客户"), "A1.1", url="/sales/book/register/"
)
FOLLOW_UPS_DUE = _q("sales.follow_ups_due", _("待跟进客户"), "A1.4", url="/sales/book/mine/")
TODAY_VISITORS = _q("sales.today_visitors", _("今日来访"), "A1.1", url="/sales/rotation/")
ROTATION = _q("sales.rotation", _("轮排表"), "A2.1", "A2.2", url="/sales/rotation/")
REGISTRATIONS_TO_CONFIRM = _q(
    "sales.registrations_to_confirm", _("待确认登记"), "A1.1", url="/sales/book/confirm/"
)
REFERRALS_TO_ASSIGN = _q("sales.referrals_to_assign", _("公司转介待分配"), "A1.6")
DISPUTES = _q("sales.disputes", _("撞单待裁决"), "A7.20", url="/sales/disputes/")
REGISTER_BOOK = _q("sales.register_book", _("客户登记本"), "A1.2", "A7.21", url="/sales/book/")
SALES_APPROVALS = _q(
    "sales.approvals", _("放盘、转名、折扣待审批"), "A2.10", "A7.19", url="/sales/deals/requests/"
)
DOCUMENT_LOANS = _q("sales.document_loans", _("资料借阅待审批"), "A8.1")
SITE_COMPLAINTS_OPEN = _q(
    "sales.site_complaints_open", _("案场投诉当日未结"), "A8.2", url="/complaints/"
)
CHANNEL_EXPIRING = _q(
    "sales.channel_expiring", _("渠道报备即将到期"), url="/sales/channel/expiring/"
)
SALES_ALERTS = _q("sales.alerts_open", _("异常行为提醒"), url="/sales/alerts/")

COMPLAINTS_TO_DISPATCH = _q(
    "complaints.to_dispatch", _("待分派投诉"), "A3", url="/complaints/#stage-at_service"
)
COMPLAINTS_DUE_SOON = _q("complaints.due_soon", _("即将超时"), "A3", url="/complaints/")
SERVICE_CALLBACKS = _q(
    "complaints.service_callbacks", _("待回访服务"), "A9", url="/complaints/work-orders/"
)
REPAIR_REQUESTS = _q(
    "complaints.repair_requests", _("待处理报修"), "A9", url="/complaints/work-orders/"
)
WORK_ORDERS = _q("complaints.work_orders", _("待处理工单"), "A4", url="/complaints/work-orders/")
WORK_ORDER_CALLBACKS = _q(
    "complaints.work_order_callbacks", _("待回访工单"), "A4", url="/complaints/work-orders/"
)

SAMPLING_PLAN = _q("gas.sampling_plan", _("本月抽查计划"), "A4")
VIOLATIONS_TO_INVESTIGATE = _q("gas.violations_to_investigate", _("违章待调查"), "A4")
CHECKED_RECORDS = _q("gas.checked_records", _("被抽查记录"), "A4")
GAS_RECTIFICATIONS = _q("gas.rectifications", _("隐患整改跟踪"), "A4")
WEEKLY_CHECKS = _q("gas.weekly_checks", _("本周检查计划"), "A4")
MONTHLY_CHECKS = _q("gas.monthly_checks", _("本月检查计划"), "A4")

DISCIPLINE_SUMMARY = _q("discipline.summary", _("奖惩汇总"), "A4 五")
APPEALS_TO_INVESTIGATE = _q("discipline.appeals", _("申诉待调查"), "A4 四.七")

TRIPS = _q("fleet.trips", _("出车记录"), "A12")
FUEL_LOG = _q("fleet.fuel", _("加油记录"), "A12")
FLEET_ASSESSMENT = _q("fleet.assessment", _("月度考核"), "A12")
FLEET_REPAIRS = _q("fleet.repair_requests", _("维修申请待审"), "A12")
DISPATCH_APPROVALS = _q("fleet.dispatch_approvals", _("派车审批"), "A12")

POWER_INSPECTION_PLAN = _q("power.inspection_plan", _("检查计划"), "A13.7")
POWER_RECTIFICATIONS = _q("power.rectifications", _("整改跟踪"), "A13.5")
POWER_DESIGN_REVIEWS = _q("power.design_reviews", _("设计审核待答复"), "A13.4.2")


POST_QUEUES: dict[str, tuple[WorkQueue, ...]] = {
    Post.SALESPERSON: (TODAY_RECEPTIONS, REGISTRATIONS_DUE, FOLLOW_UPS_DUE),
    Post.RECEPTIONIST: (TODAY_VISITORS, ROTATION),
    Post.PROJECT_MANAGER: (
        REGISTRATIONS_TO_CONFIRM,
        ROTATION,
        REFERRALS_TO_ASSIGN,
        CHANNEL_EXPIRING,
    ),
    Post.SALES_MANAGER: (DISPUTES, REGISTER_BOOK, SALES_APPROVALS, SALES_ALERTS),
    Post.SALES_DIRECTOR: (DOCUMENT_LOANS, SITE_COMPLAINTS_OPEN),
    Post.CUSTOMER_SERVICE: (COMPLAINTS_TO_DISPATCH, COMPLAINTS_DUE_SOON, SERVICE_CALLBACKS),
    Post.HOTLINE_OPERATOR: (WORK_ORDER_CALLBACKS, SAMPLING_PLAN),
    Post.AUDITOR: (SAMPLING_PLAN, VIOLATIONS_TO_INVESTIGATE),
    Post.SAFETY_INSPECTOR: (CHECKED_RECORDS, GAS_RECTIFICATIONS),
    Post.REPAIRMAN: (WORK_ORDERS, CHECKED_RECORDS),
    Post.BUSINESS_CLERK: (CHECKED_RECORDS,),
    Post.CUSTOMER_MANAGER: (CHECKED_RECORDS,),
    Post.TEAM_LEADER: (WEEKLY_CHECKS, CHECKED_RECORDS),
    Post.SUPERVISOR: (WEEKLY_CHECKS, CHECKED_RECORDS),
    Post.DEPUTY_MANAGER: (WEEKLY_CHECKS, DISCIPLINE_SUMMARY),
    Post.MANAGER: (WEEKLY_CHECKS, DISCIPLINE_SUMMARY),
    Post.DEPARTMENT_HEAD: (MONTHLY_CHECKS, DISCIPLINE_SUMMARY),
    Post.GENERAL_MANAGER: (MONTHLY_CHECKS, DISCIPLINE_SUMMARY),
    Post.DRIVER: (TRIPS, FUEL_LOG),
    Post.FLEET_LEADER: (FLEET_ASSESSMENT, FLEET_REPAIRS, FUEL_LOG),
    Post.POWER_INSPECTOR: (POWER_INSPECTION_PLAN, POWER_RECTIFICATIONS),
    Post.HR: (APPEALS_TO_INVESTIGATE,),
    Post.SYSTEM_ADMIN: (),
}

# The same post does different work in different kinds of company (a property company's
# 维修员 handles 报修, a gas company's handles work orders and is sampled); these win over
# POST_QUEUES.
KIND_POST_QUEUES: dict[tuple[str, str], tuple[WorkQueue, ...]] = {
    (CompanyKind.PROPERTY, Post.REPAIRMAN): (REPAIR_REQUESTS,),
    (CompanyKind.PROPERTY, Post.SUPERVISOR): (
        COMPLAINTS_TO_DISPATCH,
        COMPLAINTS_DUE_SOON,
        SERVICE_CALLBACKS,
    ),
    (CompanyKind.PROPERTY, Post.MANAGER): (COMPLAINTS_DUE_SOON, DISCIPLINE_SUMMARY),
    (CompanyKind.POWER, Post.MANAGER): (POWER_DESIGN_REVIEWS, POWER_INSPECTION_PLAN),
    (CompanyKind.TOBACCO, Post.DEPARTMENT_HEAD): (DISPATCH_APPROVALS, DISCIPLINE_SUMMARY),
}

_COUNTERS: dict[str, QueueCounter] = {}


def queue_counter(key: str) -> Callable[[QueueCounter], QueueCounter]:
    """Register the function that counts a queue's items for a staff member (one per key)."""

    def register(counter: QueueCounter) -> QueueCounter:
        _COUNTERS[key] = counter
        return counter

    return register


def queues_for_post(*, post: str, company_kind: str) -> tuple[WorkQueue, ...]:
    return KIND_POST_QUEUES.get((company_kind, post), POST_QUEUES.get(post, ()))


def queue_states_for_staff(*, staff: Staff) -> list[QueueState]:
    """The staff member's queues with their current counts (0 until an app counts them)."""
    states = []
    for queue in queues_for_post(post=staff.post, company_kind=staff.company.kind):
        counter = _COUNTERS.get(queue.key)
        states.append(QueueState(queue=queue, count=counter(staff) if counter else 0))
    return states
