"""Posts (岗位) from the rulebook's vocabulary and the permissions each one carries.

A post maps one-to-one to a Django permission group of the same code, so the admin and
``user.has_perm`` work as usual; ``roles_sync`` keeps the groups in line with this table.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation


class Post(models.TextChoices):
    SALESPERSON = "salesperson", "售楼员"
    RECEPTIONIST = "receptionist", "案场前台"
    PROJECT_MANAGER = "project_manager", "项目经理"
    SALES_MANAGER = "sales_manager", "销售经理"
    SALES_DIRECTOR = "sales_director", "销售总监"
    CUSTOMER_SERVICE = "customer_service", "客服"
    HOTLINE_OPERATOR = "hotline_operator", "热线员"
    AUDITOR = "auditor", "稽查员"
    SAFETY_INSPECTOR = "safety_inspector", "安检员"
    REPAIRMAN = "repairman", "维修员"
    BUSINESS_CLERK = "business_clerk", "营业员"
    CUSTOMER_MANAGER = "customer_manager", "客户管理员"
    TEAM_LEADER = "team_leader", "班长"
    SUPERVISOR = "supervisor", "主管"
    DEPUTY_MANAGER = "deputy_manager", "副经理"
    MANAGER = "manager", "经理"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    GENERAL_MANAGER = "general_manager", "总经理"
    DRIVER = "driver", "驾驶员"
    FLEET_LEADER = "fleet_leader", "车管组组长"
    POWER_INSPECTOR = "power_inspector", "用电检查员"
    HR = "hr", "人力资源"
    SYSTEM_ADMIN = "system_admin", "系统管理员"


POST_LABELS_EN: dict[str, str] = {
    Post.SALESPERSON: "Salesperson",
    Post.RECEPTIONIST: "Front desk",
    Post.PROJECT_MANAGER: "Project manager",
    Post.SALES_MANAGER: "Sales manager",
    Post.SALES_DIRECTOR: "Sales director",
    Post.CUSTOMER_SERVICE: "Customer service",
    Post.HOTLINE_OPERATOR: "Hotline operator",
    Post.AUDITOR: "Auditor",
    Post.SAFETY_INSPECTOR: "Safety inspector",
    Post.REPAIRMAN: "Repairman",
    Post.BUSINESS_CLERK: "Business clerk",
    Post.CUSTOMER_MANAGER: "Customer manager",
    Post.TEAM_LEADER: "Team leader",
    Post.SUPERVISOR: "Supervisor",
    Post.DEPUTY_MANAGER: "Deputy manager",
    Post.MANAGER: "Manager",
    Post.DEPARTMENT_HEAD: "Department head",
    Post.GENERAL_MANAGER: "General manager",
    Post.DRIVER: "Driver",
    Post.FLEET_LEADER: "Fleet-group leader",
    Post.POWER_INSPECTOR: "Power-supply inspector",
    Post.HR: "Human resources",
    Post.SYSTEM_ADMIN: "System administrator",
}

# Permissions are "<app_label>.<codename>". Custom codenames are declared in each model's Meta.
_CUSTOMER_READ = "customers.view_customer"
_CUSTOMER_WRITE = "customers.add_customer"
_PHONE_REVEAL = "customers.reveal_phone"
_ID_REVEAL = "customers.reveal_id_number"
_ALL_CUSTOMERS = "customers.view_all_customers"
_POLICY_VIEW = "policy.view_policyversion"
_POLICY_EDIT = "policy.add_policyversion"
_LEDGER_VERIFY = "ledger.verify_ledger"
_AUDIT_VIEW = "audit.view_auditevent"
_CALENDAR_EDIT = "calendar.add_calendaroverride"

_MANAGER_COMMON = [
    _CUSTOMER_READ,
    _CUSTOMER_WRITE,
    _PHONE_REVEAL,
    _ALL_CUSTOMERS,
    _POLICY_VIEW,
    _LEDGER_VERIFY,
]

# Rewards and penalties (discipline app).
_DISC_RECORD = "discipline.add_disciplineentry"
_DISC_TEAM = "discipline.view_team_discipline"
_DISC_COMPANY = "discipline.view_company_discipline"
_DISC_DECIDE = "discipline.decide_discipline"
_REPORTER_IDENTITY = "discipline.view_reporter_identity"
_REPORT_RECEIVE = "discipline.add_customerreport"
_REPORT_VERIFY = "discipline.verify_customer_report"

# Extra permissions by post, merged into POST_PERMISSIONS below: who records entries, who sees a
# team's or the company's ledger, who decides proposals, who may see a whistle-blower (A4 五.6).
_DISCIPLINE_BY_POST: dict[str, list[str]] = {
    Post.PROJECT_MANAGER: [_DISC_RECORD, _DISC_TEAM],
    Post.SALES_MANAGER: [_DISC_RECORD, _DISC_TEAM, _DISC_DECIDE],
    Post.SALES_DIRECTOR: [_DISC_RECORD, _DISC_TEAM, _DISC_COMPANY, _DISC_DECIDE],
    Post.HOTLINE_OPERATOR: [_REPORT_RECEIVE],
    Post.CUSTOMER_SERVICE: [_REPORT_RECEIVE],
    Post.BUSINESS_CLERK: [_REPORT_RECEIVE],
    Post.AUDITOR: [_REPORT_RECEIVE, _REPORT_VERIFY],
    Post.TEAM_LEADER: [_DISC_RECORD, _DISC_TEAM],
    Post.SUPERVISOR: [_DISC_RECORD, _DISC_TEAM],
    Post.DEPUTY_MANAGER: [_DISC_RECORD, _DISC_TEAM, _REPORT_VERIFY],
    Post.MANAGER: [
        _DISC_RECORD,
        _DISC_TEAM,
        _DISC_COMPANY,
        _DISC_DECIDE,
        _REPORTER_IDENTITY,
        _REPORT_RECEIVE,
        _REPORT_VERIFY,
    ],
    Post.DEPARTMENT_HEAD: [_DISC_RECORD, _DISC_TEAM, _DISC_COMPANY, _DISC_DECIDE],
    Post.GENERAL_MANAGER: [
        _DISC_RECORD,
        _DISC_TEAM,
        _DISC_COMPANY,
        _DISC_DECIDE,
        _REPORTER_IDENTITY,
        _REPORT_VERIFY,
    ],
    Post.FLEET_LEADER: [_DISC_RECORD, _DISC_TEAM],
    Post.HR: [_DISC_RECORD, _DISC_COMPANY],
    Post.SYSTEM_ADMIN: [_DISC_COMPANY],
}

# Sales office (sales app): registration book, phone-enquiry book, follow-ups. Reading the whole
# book is limited to the sales manager and the PM who keeps it (A1.2 / A7.21; not the director);
# the PM confirms registrations (A1.1); a salesperson sees only their own customers' rows.
_REG_VIEW = "sales.view_registration"
_REG_ADD = "sales.add_registration"
_REG_BOOK = "sales.view_registration_book"
_REG_CONFIRM = "sales.confirm_registration"
_REG_CORRECT = "sales.correct_registration"
_PHONE_VIEW = "sales.view_phoneenquiry"
_PHONE_ADD = "sales.add_phoneenquiry"
_PHONE_BOOK = "sales.view_phone_book"
_FOLLOW_VIEW = "sales.view_followup"
_FOLLOW_ADD = "sales.add_followup"
_FOLLOW_ALL = "sales.view_all_follow_ups"
# Deals (A7.17), approvals (A7.19), rulings (A7.20), reports, import, channel, pool, alerts.
_DEAL_VIEW = "sales.view_deal"
_DEAL_ADD = "sales.add_deal"
_DEAL_ALL = "sales.view_all_deals"
_REQUEST_APPROVE = "sales.approve_sales_request"
_DISPUTE_RULE = "sales.rule_dispute"
_SALES_REPORTS = "sales.view_sales_reports"
_LEGACY_IMPORT = "sales.import_legacy_register"
_CHANNEL_MANAGE = "sales.manage_channel"
_POOL_CLAIM = "sales.claim_pool_customer"
_SALES_ALERTS = "sales.view_sales_alerts"
_SALES_FRONT_LINE = [
    _REG_VIEW,
    _REG_ADD,
    _PHONE_VIEW,
    _PHONE_ADD,
    _FOLLOW_VIEW,
    _FOLLOW_ADD,
    _DEAL_VIEW,
    _DEAL_ADD,
    _POOL_CLAIM,
]
_SALES_BOOK_KEEPER = [
    _REG_BOOK,
    _REG_CORRECT,
    _PHONE_BOOK,
    _FOLLOW_ALL,
    _DEAL_ALL,
    _SALES_REPORTS,
    _LEGACY_IMPORT,
    _CHANNEL_MANAGE,
    _SALES_ALERTS,
]

_SALES_BY_POST: dict[str, list[str]] = {
    Post.SALESPERSON: [*_SALES_FRONT_LINE],
    Post.RECEPTIONIST: [_REG_VIEW, _REG_ADD, _PHONE_VIEW, _PHONE_ADD],
    Post.PROJECT_MANAGER: [*_SALES_FRONT_LINE, *_SALES_BOOK_KEEPER, _REG_CONFIRM],
    Post.SALES_MANAGER: [
        *_SALES_FRONT_LINE,
        *_SALES_BOOK_KEEPER,
        _REQUEST_APPROVE,
        _DISPUTE_RULE,
    ],
    Post.SALES_DIRECTOR: [
        _REG_VIEW,
        _PHONE_VIEW,
        _FOLLOW_VIEW,
        _DEAL_VIEW,
        _DEAL_ALL,
        _SALES_REPORTS,
        _SALES_ALERTS,
    ],
}

# Complaints (Part C): anyone may take a complaint (one-stop, A3: no permission needed);
# customer service classifies, dispatches and tracks; managers watch breaches and trends.
_COMPLAINT_HANDLE = "complaints.handle_complaints"
_COMPLAINT_DASHBOARD = "complaints.view_complaint_dashboard"
_COMPLAINTS_BY_POST: dict[str, list[str]] = {
    Post.CUSTOMER_SERVICE: [_COMPLAINT_HANDLE, _COMPLAINT_DASHBOARD],
    Post.SUPERVISOR: [_COMPLAINT_DASHBOARD],
    Post.DEPUTY_MANAGER: [_COMPLAINT_DASHBOARD],
    Post.MANAGER: [_COMPLAINT_DASHBOARD],
    Post.DEPARTMENT_HEAD: [_COMPLAINT_DASHBOARD],
    Post.GENERAL_MANAGER: [_COMPLAINT_DASHBOARD],
    Post.SALES_DIRECTOR: [_COMPLAINT_DASHBOARD],
}

POST_PERMISSIONS: dict[str, list[str]] = {
    Post.SALESPERSON: [_CUSTOMER_READ, _CUSTOMER_WRITE, _PHONE_REVEAL],
    Post.RECEPTIONIST: [_CUSTOMER_READ, _CUSTOMER_WRITE],
    Post.PROJECT_MANAGER: [*_MANAGER_COMMON],
    Post.SALES_MANAGER: [*_MANAGER_COMMON, _ID_REVEAL, _AUDIT_VIEW],
    Post.SALES_DIRECTOR: [*_MANAGER_COMMON, _ID_REVEAL, _AUDIT_VIEW, _POLICY_EDIT],
    Post.CUSTOMER_SERVICE: [_CUSTOMER_READ, _CUSTOMER_WRITE, _PHONE_REVEAL, _ALL_CUSTOMERS],
    Post.HOTLINE_OPERATOR: [_CUSTOMER_READ, _CUSTOMER_WRITE, _PHONE_REVEAL, _ALL_CUSTOMERS],
    Post.AUDITOR: [_CUSTOMER_READ, _ALL_CUSTOMERS, _LEDGER_VERIFY],
    Post.SAFETY_INSPECTOR: [_CUSTOMER_READ, _ALL_CUSTOMERS],
    Post.REPAIRMAN: [_CUSTOMER_READ, _ALL_CUSTOMERS],
    Post.BUSINESS_CLERK: [_CUSTOMER_READ, _CUSTOMER_WRITE, _ALL_CUSTOMERS],
    Post.CUSTOMER_MANAGER: [_CUSTOMER_READ, _CUSTOMER_WRITE, _PHONE_REVEAL, _ALL_CUSTOMERS],
    Post.TEAM_LEADER: [*_MANAGER_COMMON],
    Post.SUPERVISOR: [*_MANAGER_COMMON],
    Post.DEPUTY_MANAGER: [*_MANAGER_COMMON, _AUDIT_VIEW],
    Post.MANAGER: [*_MANAGER_COMMON, _ID_REVEAL, _AUDIT_VIEW, _POLICY_EDIT],
    Post.DEPARTMENT_HEAD: [*_MANAGER_COMMON, _AUDIT_VIEW],
    Post.GENERAL_MANAGER: [
        *_MANAGER_COMMON,
        _ID_REVEAL,
        _AUDIT_VIEW,
        _POLICY_EDIT,
        _CALENDAR_EDIT,
    ],
    Post.DRIVER: [],
    Post.FLEET_LEADER: [],
    Post.POWER_INSPECTOR: [_CUSTOMER_READ, _ALL_CUSTOMERS],
    Post.HR: [_AUDIT_VIEW],
    Post.SYSTEM_ADMIN: [
        *_MANAGER_COMMON,
        _ID_REVEAL,
        _AUDIT_VIEW,
        _POLICY_EDIT,
        _CALENDAR_EDIT,
    ],
}


def post_label(post: str, language: str | None = None) -> str:
    """The post's name in the given (default: the active) language; Chinese unless English."""
    lang = language or translation.get_language() or "zh-hans"
    if lang.startswith("en"):
        return POST_LABELS_EN.get(post, post)
    try:
        return str(Post(post).label)
    except ValueError:
        return post


for _post, _extra in _DISCIPLINE_BY_POST.items():
    POST_PERMISSIONS[_post] = [*POST_PERMISSIONS[_post], *_extra]

for _post, _extra in _SALES_BY_POST.items():
    POST_PERMISSIONS[_post] = [*POST_PERMISSIONS[_post], *_extra]

for _post, _extra in _COMPLAINTS_BY_POST.items():
    POST_PERMISSIONS[_post] = [*POST_PERMISSIONS[_post], *_extra]
