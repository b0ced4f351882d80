"""Customers' hazard and gas-theft reports and their rewards (A4 五.6): receive, verify, pay,
reveal the reporter, export.

The reporter's identity (name, phone, address) is a JSON object encrypted at rest with its own
derived key (purpose ``discipline.reporter_identity``). It is decrypted in one place only,
``customer_report_identity_reveal``, for posts holding ``discipline.view_reporter_identity`` in
the report's company; every reveal writes a FIELD_REVEAL audit event in the same transaction and
every refused attempt a PERMISSION_DENIED event. Ledger rows (stream ``customer_reports``) carry
only a SHA-256 of the ciphertext, which proves the stored identity was not swapped later without
saying whose it is.

Writes are evidenced by the hash-chained ledger row (who, when, what); refusals, reveals and
exports go to the audit trail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from openpyxl import Workbook
from openpyxl.styles import Font

from kehu.core.audit.models import AuditAction, AuditOutcome
from kehu.core.audit.services import audit_record
from kehu.core.customers.crypto import decrypt_field, encrypt_field
from kehu.core.customers.rules import PhoneNumberInvalid, normalise_phone, phone_national
from kehu.core.ledger.services import ledger_append
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.policy.selectors import policy_for
from kehu.discipline import rules
from kehu.discipline.errors import (
    DisciplineError,
    DisciplineErrorCode,
    DisciplineNotFound,
    DisciplinePermissionDenied,
)
from kehu.discipline.models import (
    HAZARD_SEVERITY_CHOICES,
    CustomerReport,
    CustomerReportKind,
    CustomerReportState,
)
from kehu.discipline.policy import DisciplineSettings

PURPOSE_REPORTER_IDENTITY = "discipline.reporter_identity"
LEDGER_STREAM = "customer_reports"
AUDIT_OBJECT_TYPE = "customer_report"
IDENTITY_FIELD = "reporter_identity"

PERM_RECEIVE = "discipline.add_customerreport"
PERM_VERIFY = "discipline.verify_customer_report"
PERM_IDENTITY = "discipline.view_reporter_identity"
# Whoever may receive, verify or reveal may see the reports (never the identity) of their company.
PERMS_SEE = (PERM_RECEIVE, PERM_VERIFY, PERM_IDENTITY)

MAX_NAME = 50
MAX_ADDRESS = 200
MAX_LOCATION = 200
MAX_TEXT = 4000
CENT = Decimal("0.01")
MAX_BASIS = Decimal("9999999999.99")

_SEVERITY_LABELS = dict(HAZARD_SEVERITY_CHOICES)


# --- errors ----------------------------------------------------------------------------------


class ReportAccessDenied(DisciplinePermissionDenied):
    """A refusal that has already been written to the audit trail (PERMISSION_DENIED)."""

    audited = True

    def __init__(self, what_zh: str, what_en: str, perm: str) -> None:
        super().__init__(what_zh, what_en, perm)
        self.message_zh = self.message_zh.rstrip("。") + "；本次请求已记录。"
        self.message_en = self.message_en + " This attempt has been logged."


class CustomerReportNotFound(DisciplineNotFound):
    """Raised for other companies' reports too, so their existence does not leak."""

    def __init__(self) -> None:
        super().__init__("客户举报", "customer report")


def _bad_input(field: str, message_zh: str, message_en: str) -> DisciplineError:
    return DisciplineError(
        DisciplineErrorCode.BAD_INPUT,
        message_zh,
        message_en,
        status=422,
        details={"field": field},
    )


def _bad_transition(report: CustomerReport, action_zh: str, action_en: str) -> DisciplineError:
    state = CustomerReportState(report.state)
    return DisciplineError(
        DisciplineErrorCode.BAD_TRANSITION,
        f"该举报当前状态为“{state.label}”，不能{action_zh}。",
        f"The report is “{state.value}”; it cannot be {action_en}.",
        status=409,
        details={"state": state.value},
    )


# --- permissions -----------------------------------------------------------------------------


def customer_report_may_see(staff: Staff) -> bool:
    return any(staff_has_perm(staff, perm) for perm in PERMS_SEE)


def _deny(
    *,
    staff: Staff,
    request: HttpRequest | None,
    perm: str,
    what_zh: str,
    what_en: str,
    object_id: str | int = "",
    field: str = "",
) -> ReportAccessDenied:
    """Write the refusal to the audit trail in its own transaction, then return the error.

    Called outside the act's transaction, so the record survives the error the caller raises.
    """
    detail: dict[str, Any] = {"permission": perm, "action": what_en}
    if field:
        detail["field"] = field
    with transaction.atomic():
        audit_record(
            action=AuditAction.PERMISSION_DENIED,
            outcome=AuditOutcome.DENIED,
            actor=staff.user,
            company=staff.company,
            request=request,
            object_type=AUDIT_OBJECT_TYPE,
            object_id=object_id,
            detail=detail,
        )
    return ReportAccessDenied(what_zh, what_en, perm)


def _require(
    *,
    staff: Staff,
    request: HttpRequest | None,
    perm: str,
    what_zh: str,
    what_en: str,
    object_id: str | int = "",
) -> None:
    if not staff_has_perm(staff, perm):
        raise _deny(
            staff=staff,
            request=request,
            perm=perm,
            what_zh=what_zh,
            what_en=what_en,
            object_id=object_id,
        )


def customer_report_require_see(*, staff: Staff, request: HttpRequest | None = None) -> None:
    """Refuse (audited) unless ``staff``'s post works with customer reports at all."""
    if not customer_report_may_see(staff):
        raise _deny(
            staff=staff,
            request=request,
            perm=PERM_RECEIVE,
            what_zh="查看客户举报",
            what_en="see customer reports",
        )


def customer_report_receive_require(*, staff: Staff, request: HttpRequest | None = None) -> None:
    """Refuse (audited) unless ``staff`` may receive reports: the receive form's first check."""
    _require(
        staff=staff,
        request=request,
        perm=PERM_RECEIVE,
        what_zh="受理客户举报",
        what_en="receive customer reports",
    )


def _locked_report(staff: Staff, report_id: int) -> CustomerReport:
    report = (
        CustomerReport.objects.select_for_update()
        .filter(company_id=staff.company_id, pk=report_id)
        .first()
    )
    if report is None:
        raise CustomerReportNotFound()
    return report


# --- the identity ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReporterIdentity:
    """Who reported. Its repr never shows the values (tracebacks, debug logs)."""

    name: str = dataclasses.field(repr=False)
    phone: str = dataclasses.field(repr=False)
    address: str = dataclasses.field(repr=False, default="")

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "address": self.address}

    def __str__(self) -> str:
        return "ReporterIdentity(***)"


@sensitive_variables("name", "phone", "address", "identity")
def _clean_identity(*, name: str, phone: str, address: str) -> ReporterIdentity:
    name = " ".join((name or "").split())
    address = " ".join((address or "").split())
    phone = (phone or "").strip()
    if not name:
        raise _bad_input(
            "reporter_name",
            "请填写举报人姓名：核实后发放奖励需要核对身份。",
            "Give the reporter's name: paying the reward needs it.",
        )
    if len(name) > MAX_NAME:
        raise _bad_input(
            "reporter_name",
            f"举报人姓名过长（最多 {MAX_NAME} 个字）。",
            f"The reporter's name is too long (at most {MAX_NAME} characters).",
        )
    if not phone:
        raise _bad_input(
            "reporter_phone",
            "请填写举报人联系电话：核实结果和奖励需要通知举报人。",
            "Give the reporter's phone: the result and the reward must reach them.",
        )
    try:
        phone = phone_national(normalise_phone(phone))
    except PhoneNumberInvalid:
        # The number is not echoed back: error texts can end up in logs.
        raise _bad_input(
            "reporter_phone",
            "举报人联系电话格式不对：手机号为 11 位、以 1 开头；固定电话请带区号"
            "（如 0571-88886666）；境外号码以 + 和国家代码开头。",
            "The reporter's phone is malformed: mainland mobiles have 11 digits starting "
            "with 1; landlines need their area code; foreign numbers start with +.",
        ) from None
    if len(address) > MAX_ADDRESS:
        raise _bad_input(
            "reporter_address",
            f"举报人地址过长（最多 {MAX_ADDRESS} 个字）。",
            f"The reporter's address is too long (at most {MAX_ADDRESS} characters).",
        )
    return ReporterIdentity(name=name, phone=phone, address=address)


@sensitive_variables("identity", "plaintext")
def _encrypt_identity(identity: ReporterIdentity) -> str:
    plaintext = json.dumps(identity.as_dict(), ensure_ascii=False, sort_keys=True)
    return encrypt_field(plaintext, purpose=PURPOSE_REPORTER_IDENTITY)


@sensitive_variables("plaintext", "data")
def _decrypt_identity(token: str) -> ReporterIdentity:
    plaintext = decrypt_field(token, purpose=PURPOSE_REPORTER_IDENTITY)
    data = json.loads(plaintext) if plaintext else {}
    return ReporterIdentity(
        name=str(data.get("name", "")),
        phone=str(data.get("phone", "")),
        address=str(data.get("address", "")),
    )


def identity_fingerprint(token: str) -> str:
    """SHA-256 of the ciphertext: proves which stored token a ledger row saw, reveals nothing
    (a Fernet token carries a random IV, so equal identities give different tokens)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


# --- receive ---------------------------------------------------------------------------------


def _clean_text(field: str, value: str, label_zh: str, label_en: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise _bad_input(field, f"请填写{label_zh}。", f"Give the {label_en}.")
    if len(value) > limit:
        raise _bad_input(
            field,
            f"{label_zh}过长（最多 {limit} 个字）。",
            f"The {label_en} is too long (at most {limit} characters).",
        )
    return value


def _kind(value: str) -> CustomerReportKind:
    try:
        return CustomerReportKind(value)
    except ValueError:
        raise _bad_input(
            "kind",
            "举报类型只能是“安全隐患举报”(hazard) 或“盗气举报”(theft)。",
            "The kind of report is hazard or theft.",
        ) from None


@sensitive_variables("reporter_name", "reporter_phone", "reporter_address", "identity")
def customer_report_receive(
    *,
    staff: Staff,
    kind: str,
    reporter_name: str,
    reporter_phone: str,
    reporter_address: str = "",
    location: str,
    description: str,
    own_home: bool = False,
    request: HttpRequest | None = None,
) -> CustomerReport:
    """Record a customer's report (A4 五.6): the identity encrypted, a ledger row without it.

    Needs ``discipline.add_customerreport`` (hotline, customer service, business clerks,
    auditors, managers); a refusal is audited. ``own_home`` only matters for hazards.
    """
    customer_report_receive_require(staff=staff, request=request)
    report_kind = _kind(kind)
    identity = _clean_identity(name=reporter_name, phone=reporter_phone, address=reporter_address)
    location = _clean_text("location", location, "隐患或盗气地点", "location", MAX_LOCATION)
    description = _clean_text("description", description, "举报内容", "description", MAX_TEXT)
    own_home = bool(own_home) and report_kind == CustomerReportKind.HAZARD
    token = _encrypt_identity(identity)
    with transaction.atomic():
        report = CustomerReport.objects.create(
            company_id=staff.company_id,
            kind=report_kind.value,
            reporter_identity=token,
            location=location,
            description=description,
            own_home=own_home,
            received_at=timezone.now(),
            received_by=staff,
            state=CustomerReportState.RECEIVED,
        )
        ledger_append(
            company=staff.company,
            stream=LEDGER_STREAM,
            kind="customer_report.received",
            payload={
                "report": report.pk,
                "kind": report_kind.value,
                "location": location,
                "description": description,
                "own_home": own_home,
                "received_by": staff.pk,
                "received_by_name": staff.name,
                "identity_sha256": identity_fingerprint(token),
            },
            recorded_by=staff.user,
            subject=report,
        )
    return report


# --- verify and pay --------------------------------------------------------------------------


def _policy(report: CustomerReport) -> tuple[DisciplineSettings, str]:
    """The settings in force when the report was received: the reward a customer is promised
    when they report is the one they get (reading, docs/customer-reports.md)."""
    resolved = policy_for(company=report.company, key="discipline", at=report.received_at)
    return resolved.values_as(DisciplineSettings), resolved.ref


def _severity(value: str | None) -> rules.HazardSeverity:
    try:
        return rules.HazardSeverity(value or "")
    except ValueError:
        choices = "、".join(f"{label}({code})" for code, label in HAZARD_SEVERITY_CHOICES)
        raise _bad_input(
            "severity",
            f"查实的隐患举报须选择隐患程度：{choices}。",
            "A verified hazard report needs its severity: minor, ordinary, major or serious.",
        ) from None


def _basis(value: Decimal | str | None) -> Decimal:
    try:
        basis = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        basis = None
    if basis is None or not basis.is_finite() or basis <= 0 or basis > MAX_BASIS:
        raise _bad_input(
            "basis_amount",
            "查实的盗气举报须填写对盗气客户的处罚额或追缴气费额（元，大于 0）。",
            "A verified theft report needs the fine or the recovered fees (yuan, above 0).",
        )
    return basis.quantize(CENT)


def customer_report_verify(
    *,
    staff: Staff,
    report_id: int,
    verified: bool,
    severity: str | None = None,
    basis_amount: Decimal | str | None = None,
    own_home: bool | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> CustomerReport:
    """The company's finding on a received report, and the reward it earns (A4 五.6).

    Hazard, verified: ``severity`` → the policy amount, none for the reporter's own home
    (``own_home`` corrects what was recorded at receipt). Theft, verified: ``basis_amount`` (the
    fine or the recovered fees) × the policy rate. Not verified: no reward, ``note`` required.
    Needs ``discipline.verify_customer_report``.
    """
    _require(
        staff=staff,
        request=request,
        perm=PERM_VERIFY,
        what_zh="核实客户举报",
        what_en="verify customer reports",
        object_id=report_id,
    )
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise _bad_input("note", "核实说明过长。", "The note is too long.")
    with transaction.atomic():
        report = _locked_report(staff, report_id)
        if report.state != CustomerReportState.RECEIVED:
            raise _bad_transition(report, "再次核实", "verified again")
        settings, policy_ref = _policy(report)
        kind = CustomerReportKind(report.kind)
        if not verified and not note:
            raise _bad_input(
                "note",
                "未查实的举报须写明核实说明（查了什么、为何不成立）。",
                "A report found not verified needs a note: what was checked and why.",
            )
        if kind == CustomerReportKind.HAZARD:
            if own_home is not None:
                report.own_home = bool(own_home)
            # Not verified: the rule ignores the severity, so any value will do.
            level = _severity(severity) if verified else rules.HazardSeverity.MINOR
            decision = rules.hazard_report_reward(
                severity=level,
                own_home=report.own_home,
                verified=verified,
                amounts=settings.hazard_amounts(),
            )
            report.severity = level.value if verified else ""
            report.basis_amount = None
            report.reward_rate = None
        else:
            rate = Decimal(settings.theft_reward_rate)
            basis = _basis(basis_amount) if verified else None
            decision = rules.theft_report_reward(
                basis=basis if basis is not None else Decimal(0),
                rate=rate,
                verified=verified,
            )
            report.severity = ""
            report.basis_amount = basis
            report.reward_rate = rate if verified else None
        report.state = (
            CustomerReportState.VERIFIED if verified else CustomerReportState.NOT_VERIFIED
        )
        report.reward_amount = decision.amount
        report.rule_ids = list(decision.rule_ids)
        report.policy_ref = policy_ref
        report.verified_by = staff
        report.verified_at = timezone.now()
        # The rule's explanation always leads, so the page says why the amount is what it is.
        report.verification_note = (
            f"{decision.explanation_zh}；核实说明：{note}" if note else decision.explanation_zh
        )
        report.save()
        ledger_append(
            company=staff.company,
            stream=LEDGER_STREAM,
            kind="customer_report.verified" if verified else "customer_report.not_verified",
            payload={
                "report": report.pk,
                "kind": kind.value,
                "verified": bool(verified),
                "severity": report.severity,
                "own_home": report.own_home,
                "basis_amount": report.basis_amount,
                "reward_rate": report.reward_rate,
                "reward_amount": report.reward_amount,
                "explanation": decision.explanation_zh,
                "rule_ids": list(decision.rule_ids),
                "policy": policy_ref,
                "note": note,
                "verified_by": staff.pk,
                "verified_by_name": staff.name,
            },
            recorded_by=staff.user,
            subject=report,
        )
    return report


def customer_report_pay(
    *, staff: Staff, report_id: int, note: str, request: HttpRequest | None = None
) -> CustomerReport:
    """Mark a verified report's reward as paid to the reporter (how, by whom: ``note``).

    Needs ``discipline.verify_customer_report``. Only a verified report with a reward above 0
    can be paid, once.
    """
    _require(
        staff=staff,
        request=request,
        perm=PERM_VERIFY,
        what_zh="登记举报奖励发放",
        what_en="record reward payments",
        object_id=report_id,
    )
    note = (note or "").strip()
    if not note:
        raise _bad_input(
            "note",
            "请写明发放情况（方式、凭证号、经办人等），不要填写举报人身份。",
            "Say how the reward was paid (method, voucher, handler); not who the reporter is.",
        )
    if len(note) > MAX_TEXT:
        raise _bad_input("note", "发放说明过长。", "The note is too long.")
    with transaction.atomic():
        report = _locked_report(staff, report_id)
        if report.state != CustomerReportState.VERIFIED:
            raise _bad_transition(report, "登记奖励发放", "paid")
        if not report.reward_amount or report.reward_amount <= 0:
            raise DisciplineError(
                DisciplineErrorCode.BAD_TRANSITION,
                "该举报经核实没有奖励（例如举报的是自家隐患），无需登记发放。",
                "The verified report earns no reward (e.g. the reporter's own home); "
                "there is nothing to pay.",
                status=409,
                details={"state": report.state},
            )
        report.state = CustomerReportState.PAID
        report.save(update_fields=["state"])
        ledger_append(
            company=staff.company,
            stream=LEDGER_STREAM,
            kind="customer_report.paid",
            payload={
                "report": report.pk,
                "reward_amount": report.reward_amount,
                "rule_ids": list(report.rule_ids),
                "note": note,
                "paid_by": staff.pk,
                "paid_by_name": staff.name,
                "paid_at": timezone.now(),
            },
            recorded_by=staff.user,
            subject=report,
        )
    return report


# --- reveal ----------------------------------------------------------------------------------


def customer_report_identity_reveal(
    *, staff: Staff, report_id: int, request: HttpRequest | None = None
) -> ReporterIdentity:
    """The reporter's identity, for 经理 and 总经理 of the report's company (A4 五.6.2).

    The FIELD_REVEAL audit event and the decryption happen in one transaction: no event, no
    identity. Without ``discipline.view_reporter_identity`` the attempt is audited
    (PERMISSION_DENIED) and ``ReportAccessDenied`` raised; another company's report is "not
    found" (and the attempt audited too).
    """
    if not staff_has_perm(staff, PERM_IDENTITY):
        exists = CustomerReport.objects.filter(company_id=staff.company_id, pk=report_id).exists()
        denied = _deny(
            staff=staff,
            request=request,
            perm=PERM_IDENTITY,
            what_zh="查看举报人身份",
            what_en="see a reporter's identity",
            object_id=report_id,
            field=IDENTITY_FIELD,
        )
        if not exists:
            raise CustomerReportNotFound()
        raise denied
    with transaction.atomic():
        report = CustomerReport.objects.filter(company_id=staff.company_id, pk=report_id).first()
        if report is not None:
            audit_record(
                action=AuditAction.FIELD_REVEAL,
                actor=staff.user,
                company=staff.company,
                request=request,
                object_type=AUDIT_OBJECT_TYPE,
                object_id=report.pk,
                detail={"field": IDENTITY_FIELD, "kind": report.kind},
            )
            return _decrypt_identity(report.reporter_identity)
    # Another company's report, or none: audited like a refusal, answered "not found".
    _deny(
        staff=staff,
        request=request,
        perm=PERM_IDENTITY,
        what_zh="查看举报人身份",
        what_en="see a reporter's identity",
        object_id=report_id,
        field=IDENTITY_FIELD,
    )
    raise CustomerReportNotFound()


# --- export ----------------------------------------------------------------------------------

EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("编号", "id"),
    ("类型", "kind"),
    ("受理时间", "received_at"),
    ("受理人", "received_by"),
    ("地点", "location"),
    ("举报内容", "description"),
    ("自家隐患", "own_home"),
    ("状态", "state"),
    ("隐患程度", "severity"),
    ("处罚额或追缴气费（元）", "basis_amount"),
    ("奖励比例", "reward_rate"),
    ("奖励（元）", "reward_amount"),
    ("依据条款", "rule_ids"),
    ("规则版本", "policy_ref"),
    ("核实人", "verified_by"),
    ("核实时间", "verified_at"),
    ("核实说明", "verification_note"),
)
# The identity column is never exported; this is checked by a test and here.
assert all(key != IDENTITY_FIELD for _, key in EXPORT_COLUMNS)


@dataclasses.dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int

    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _export_row(report: CustomerReport) -> list[Any]:
    return [
        report.pk,
        report.get_kind_display(),
        _local(report.received_at),
        report.received_by.name,
        report.location,
        report.description,
        "是" if report.own_home else "否",
        report.get_state_display(),
        _SEVERITY_LABELS.get(report.severity, ""),
        report.basis_amount,
        f"{(report.reward_rate * 100).normalize()}%" if report.reward_rate else "",
        report.reward_amount,
        "，".join(report.rule_ids),
        report.policy_ref,
        report.verified_by.name if report.verified_by else "",
        _local(report.verified_at),
        report.verification_note,
    ]


def customer_reports_export(
    *,
    staff: Staff,
    state: str = "",
    kind: str = "",
    request: HttpRequest | None = None,
) -> ExportFile:
    """An Excel workbook of the company's reports, without the reporters' identities (A4 五.6.2).

    Audited as EXPORT with the filters and the row count. The identity column is not even read.
    """
    from kehu.discipline.reports_selectors import customer_report_list_for_user

    # The permission check comes first, outside the transaction: a refusal's record must stay.
    listed = customer_report_list_for_user(staff, state=state, kind=kind, request=request)
    with transaction.atomic():
        reports = list(listed)
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "客户举报"
        sheet.append([title for title, _ in EXPORT_COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for report in reports:
            sheet.append(_export_row(report))
        buffer = io.BytesIO()
        workbook.save(buffer)
        audit_record(
            action=AuditAction.EXPORT,
            actor=staff.user,
            company=staff.company,
            request=request,
            object_type=AUDIT_OBJECT_TYPE,
            object_id="export",
            detail={
                "format": "xlsx",
                "rows": len(reports),
                "filters": {"state": state, "kind": kind},
                "columns": [key for _, key in EXPORT_COLUMNS],
            },
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(
        filename=f"customer-reports-{stamp}.xlsx", content=buffer.getvalue(), rows=len(reports)
    )
