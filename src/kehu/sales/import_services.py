"""Importing a legacy register (旧客户登记本) from Excel: the dry run and the real run.

``legacy_import_check`` (the dry run) reads the workbook, checks every row
(``import_rules``), looks the deciding identity keys up in the book and answers with every
rejected row and why; it writes nothing. ``legacy_import_run`` does the same checks again
inside one transaction and writes **all** accepted rows or none:

- a customer per row (identity keys derived exactly as ``Customer.save`` derives them), owned
  by the receiving salesperson — a first registration (A1.5, A2.12);
- the registration line with the A7.4 fields, the reception date at 00:00 local time (the
  legacy book has no time), ``late`` false (the paper book's timeliness cannot be judged
  afterwards), full-name-only matches kept for the sales manager (A7.4 reading, A7.20), and the
  ``identity.full_name_alone`` policy reference in force;
- the first-registration keys (customer, visit day, phone, car, full name when it decides) in
  ``RegistrationKey``: the unique constraint that makes two desks racing on one customer
  produce one first registration also stops an import racing a desk — the loser rolls back
  whole and is told to retry;
- **one ledger entry per line** in the ``registration_book`` stream, kind
  ``registration.imported``, carrying the line's digest (as a desk registration does, so
  ``registration_book_verify`` still proves the book) and the import's marks: file name,
  SHA-256 and sheet row. They are appended in one go under the stream's head lock
  (``_ledger_append_many``: the same sealing as ``ledger_append``, one INSERT per thousand
  entries instead of three statements per entry);
- **confirmation (A1.1)**: an import run by someone who may confirm lines (the project manager)
  confirms them in the same transaction — a ``RegistrationConfirmation`` per line with its own
  ``registration.confirmed`` ledger entry (as ``registration_confirm`` writes), and the line's
  entry says who confirmed (``imported.confirmed_by_id``). Reading: the PM's
  confirmation queue is for the day's registrations; the PM who transcribes the paper book
  has checked it, and a 100,000-line import must not bury the queue. An import by the sales
  manager (who may import but not confirm, A1.1) leaves its lines for the PM;
- an audit event (``import``) for the batch.

A real run can carry the dry run's ``plan`` (a digest of the file and of the accepted row
numbers): if the book changed in between so that other rows would be written, it is refused
(409) and the user runs the dry run again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.customers import rules as identity_rules
from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.errors import KehuError
from kehu.core.ledger import rules as ledger_rules
from kehu.core.ledger.models import LedgerEntry, LedgerStream
from kehu.core.ledger.rules import Stream
from kehu.core.org.models import Company, Site, SiteKind, Staff
from kehu.core.org.posts import Post
from kehu.core.org.selectors import staff_has_perm
from kehu.sales import import_rules as rules
from kehu.sales import registration_rules
from kehu.sales.models.registration import (
    Registration,
    RegistrationConfirmation,
    RegistrationKey,
    RegistrationKeyKind,
)
from kehu.sales.registration_selectors import (
    CONFIRMATION_SUBJECT,
    PERM_CONFIRM,
    RECEIVING_POSTS,
    REGISTRATION_SUBJECT,
    full_name_alone_policy,
    local_today,
    masked_contact,
    office_tz,
    registration_document,
)
from kehu.sales.registration_services import CONFIRMATION_KIND, confirmation_payload

PERM_IMPORT = "sales.import_legacy_register"
AUDIT_OBJECT_TYPE = "sales.legacy_import"
LEDGER_KIND = "registration.imported"
IMPORT_CONFIRMATION_NOTE = "旧登记本导入，由导入人核实（A1.1）"
MAX_BYTES = 20 * 1024 * 1024  # an .xlsx of ~200,000 rows
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 5
_CHUNK = 500  # keys per IN (…) lookup
_BATCH = 1000  # rows per INSERT


class ImportError_(KehuError):
    """A legacy-import error (codes ``sales.import.*``)."""


def import_denied() -> KehuError:
    return ImportError_(
        "sales.import.permission_denied",
        f"您的岗位无权导入旧客户登记本（需要权限 {PERM_IMPORT}）。",
        f"Your post may not import a legacy register (needs permission {PERM_IMPORT}).",
        status=403,
        details={"permission": PERM_IMPORT},
    )


def site_not_found() -> KehuError:
    return ImportError_(
        "sales.import.site_not_found",
        "找不到该项目（售楼处），或您无权导入到该项目。",
        "No such site (sales office), or you may not import into it.",
        status=404,
    )


def _file_error(code: str, zh: str, en: str, **details: Any) -> KehuError:
    return ImportError_(f"sales.import.{code}", zh, en, status=400, details=details or None)


# --- the report --------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a dry run (or a real run) found: counts, every rejected row with its reasons."""

    site_id: int
    site: str
    file_name: str
    sha256: str
    rows_read: int
    accepted: int
    problems: list[rules.Problem]
    plan: str  # digest of the file and the accepted rows: a real run may require it unchanged
    accepted_rows: list[int] = field(default_factory=list)
    written: int = 0  # registrations written (a real run)
    dry_run: bool = True

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems})

    def as_json(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "site": self.site,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "written": self.written,
            "plan": self.plan,
            "problems": [p.as_json() for p in self.problems],
            "rule_ids": [rules.RULE_FIELDS, rules.RULE_FIRST_WINS],
        }


# --- reading the workbook ----------------------------------------------------------------------


def read_sheet(content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, header → value) for each non-empty row under the header row of the
    workbook's first sheet. Raises a 400 error for a file that is not .xlsx, or whose header
    row lacks a column of the layout."""
    if len(content) > MAX_BYTES:
        raise _file_error(
            "too_large",
            f"文件太大（上限 {MAX_BYTES // 1024 // 1024} MB），请分成几个文件导入。",
            f"The file is too large (limit {MAX_BYTES // 1024 // 1024} MB); split it.",
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _file_error(
            "not_xlsx",
            "无法读取该文件：请上传 Excel 工作簿（.xlsx），可先下载模板。",
            "Cannot read the file: upload an Excel workbook (.xlsx); the template helps.",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        columns: dict[str, int] = {}
        header_row = 0
        for header_row, row in enumerate(rows, start=1):
            columns = rules.header_map(row)
            if len(columns) == len(rules.HEADERS) or header_row >= HEADER_SEARCH_ROWS:
                break
        missing = rules.missing_headers(columns)
        if missing:
            raise _file_error(
                "headers_missing",
                f"表头缺少以下列：{'、'.join(missing)}。请使用模板的表头。",
                f"The header row lacks the columns {', '.join(missing)}; use the template.",
                missing=missing,
            )
        read = 0
        for number, row in enumerate(rows, start=header_row + 1):
            values = {h: (row[i] if i < len(row) else None) for h, i in columns.items()}
            if all(rules.cell_text(v) == "" for v in values.values()):
                continue
            read += 1
            if read > MAX_ROWS:
                raise _file_error(
                    "too_many_rows",
                    f"一次最多导入 {MAX_ROWS} 行，请分成几个文件。",
                    f"At most {MAX_ROWS} rows per import; split the file.",
                )
            yield number, values
    finally:
        workbook.close()


def template_workbook() -> bytes:
    """The downloadable template: the header row, one example row and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "客户登记本"
    sheet.append(list(rules.HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        [
            dt.date(2024, 3, 5),
            "张三",
            "杭州市西湖区文三路 1 号",
            "138 0013 8000",
            "宝马",
            "浙A·12345",
            "三居室，预算 300 万",
            "朋友介绍",
            "李娜",
        ]
    )
    sheet.cell(row=2, column=1).number_format = "yyyy-mm-dd"
    for index, width in enumerate((12, 10, 28, 16, 10, 12, 24, 12, 12), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    for line in (
        ("列", "说明"),
        ("接待日期", "必填。日期格式，如 2024-03-05；不能晚于今天。"),
        ("客户姓名", "客户姓名和联系电话至少填一项（A7.4）。"),
        ("工作单位或住址", "选填。"),
        ("联系电话", "选填；填了必须是有效号码（手机 11 位，固话带区号）。"),
        ("车辆品牌、车牌号", "选填；品牌+车牌号+姓氏是判断同一客户的依据之一（A7.4）。"),
        ("购楼意向、信息来源", "选填。"),
        ("接待售楼员", "必填。须与本公司在职售楼员的姓名完全一致。"),
        ("重复", "同一客户（电话、车辆+姓氏相同）只导入最早的一行，以先登记者为准（A1.5）。"),
        ("试导入", "先试导入：列出每一行被拒绝的原因，不写入任何数据。"),
    ):
        notes.append(list(line))
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- what the database knows ---------------------------------------------------------------------


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _salespeople(company_id: int) -> tuple[dict[str, list[int]], dict[int, str]]:
    by_name: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    for pk, name in Staff.objects.filter(
        company_id=company_id, active=True, post__in=RECEIVING_POSTS
    ).values_list("pk", "name"):
        by_name.setdefault(rules.staff_name_key(name), []).append(pk)
        names[pk] = name
    return by_name, names


def _existing_holders(
    company_id: int, accepted: Sequence[rules.AcceptedRow], *, full_name_decides: bool
) -> dict[tuple[str, str], rules.ExistingHolder]:
    """The deciding keys of the accepted rows that a customer already in kehu holds: claimed
    in ``RegistrationKey`` (a registration's), or on a customer's record (a phone, a car +
    surname; a full name when it decides) — e.g. a phone-enquiry customer never registered."""
    claims = sorted({c for row in accepted for c in row.claims})
    found: dict[tuple[str, str], int] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, value in claims:
        by_kind.setdefault(kind, []).append(value)
    for kind, values in by_kind.items():
        for chunk in _chunks(values):
            for value, customer_id in RegistrationKey.objects.filter(
                company_id=company_id, kind=kind, value__in=chunk
            ).values_list("value", "customer_id"):
                found[(kind, value)] = customer_id
    for chunk in _chunks(by_kind.get("phone", [])):
        for e164, customer_id in CustomerPhone.objects.filter(
            company_id=company_id, e164__in=chunk
        ).values_list("e164", "customer_id"):
            found.setdefault(("phone", e164), customer_id)
    cars = by_kind.get("car", [])
    plates = sorted({value.split("|")[1] for value in cars})
    wanted = set(cars)
    for chunk in _chunks(plates):
        for pk, brand, plate, surname in Customer.objects.filter(
            company_id=company_id, plate_key__in=chunk
        ).values_list("pk", "car_brand_key", "plate_key", "surname"):
            value = f"{brand}|{plate}|{surname}"[:120]
            if value in wanted:
                found.setdefault(("car", value), pk)
    if full_name_decides:
        for chunk in _chunks(by_kind.get("full_name", [])):
            for pk, key in Customer.objects.filter(
                company_id=company_id, full_name_key__in=chunk
            ).values_list("pk", "full_name_key"):
                found.setdefault(("full_name", key), pk)
    firsts = _first_registrations(company_id, set(found.values()))
    return {
        key: rules.ExistingHolder(customer_id, *firsts.get(customer_id, ("", None)))
        for key, customer_id in found.items()
    }


def _first_registrations(
    company_id: int, customer_ids: set[int]
) -> dict[int, tuple[str, dt.date | None]]:
    values = sorted(str(pk) for pk in customer_ids)
    firsts: dict[int, tuple[str, dt.date | None]] = {}
    for chunk in _chunks(values):
        for customer_id, name, on in RegistrationKey.objects.filter(
            company_id=company_id, kind=RegistrationKeyKind.CUSTOMER, value__in=chunk
        ).values_list("customer_id", "registration__receiver__name", "registration__received_on"):
            firsts[customer_id] = (name, on)
    return firsts


def _name_matches(company_id: int, accepted: Sequence[rules.AcceptedRow]) -> dict[str, list[int]]:
    """Customers already in kehu with each row's full name (full-name-only matches)."""
    names = sorted({row.full_name_key for row in accepted if row.full_name_key})
    matches: dict[str, list[int]] = {}
    for chunk in _chunks(names):
        for pk, key in (
            Customer.objects.filter(company_id=company_id, full_name_key__in=chunk)
            .order_by("pk")
            .values_list("pk", "full_name_key")
        ):
            matches.setdefault(key, []).append(pk)
    return matches


# --- the checks (dry run) ------------------------------------------------------------------------


@dataclass
class _Plan:
    report: ImportReport
    accepted: list[rules.AcceptedRow]
    names: dict[int, str]
    site: Site
    full_name_decides: bool
    policy_ref: str


def _require(staff: Staff) -> None:
    if not staff_has_perm(staff, PERM_IMPORT):
        raise import_denied()


def import_sites(staff: Staff) -> list[Site]:
    """The sales offices ``staff`` may import into (a PM: their own office)."""
    if not staff_has_perm(staff, PERM_IMPORT):
        return []
    qs = Site.objects.filter(company_id=staff.company_id, kind=SiteKind.SALES_OFFICE)
    if staff.post == Post.PROJECT_MANAGER and staff.site_id is not None:
        qs = qs.filter(pk=staff.site_id)
    return list(qs.order_by("name", "pk"))


def _site(staff: Staff, site: int | str) -> Site:
    sites = import_sites(staff)
    text = str(site).strip()
    match = [s for s in sites if str(s.pk) == text or s.name == text]
    if len(match) != 1:
        raise site_not_found()
    return match[0]


def _plan_digest(sha256: str, site_id: int, rows: Iterable[int]) -> str:
    text = f"{sha256}|{site_id}|" + ",".join(str(r) for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _check(staff: Staff, *, site: int | str, content: bytes, file_name: str) -> _Plan:
    _require(staff)
    the_site = _site(staff, site)
    sha256 = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    full_name_alone, policy_ref = full_name_alone_policy(staff, now)
    full_name_decides = full_name_alone == identity_rules.FULL_NAME_ALONE_DECIDES
    by_name, names = _salespeople(staff.company_id)
    checked = rules.check_rows(
        read_sheet(content),
        today=local_today(now),
        salespeople=by_name,
        full_name_decides=full_name_decides,
    )
    existing = _existing_holders(
        staff.company_id, checked.accepted, full_name_decides=full_name_decides
    )
    checked = rules.reject_existing(checked, existing)
    accepted_rows = [row.row for row in checked.accepted]
    report = ImportReport(
        site_id=the_site.pk,
        site=the_site.name,
        file_name=(file_name or "").strip()[:200],
        sha256=sha256,
        rows_read=checked.rows_read,
        accepted=len(checked.accepted),
        problems=checked.problems,
        plan=_plan_digest(sha256, the_site.pk, accepted_rows),
        accepted_rows=accepted_rows,
    )
    return _Plan(report, checked.accepted, names, the_site, full_name_decides, policy_ref)


def legacy_import_check(
    *, staff: Staff, site: int | str, content: bytes, file_name: str = ""
) -> ImportReport:
    """The dry run: every rejected row and why; nothing is written."""
    return _check(staff, site=site, content=content, file_name=file_name).report


# --- the real run ------------------------------------------------------------------------------


def plan_changed() -> KehuError:
    return ImportError_(
        "sales.import.plan_changed",
        "试导入之后文件或客户登记本有了变化，将写入的行与试导入报告不同。请重新试导入。",
        "The file or the book changed since the dry run, so other rows would be written. "
        "Run the dry run again.",
        status=409,
    )


def nothing_to_import() -> KehuError:
    return ImportError_(
        "sales.import.nothing_accepted",
        "没有可以导入的行。",
        "No row can be imported.",
        status=400,
    )


def legacy_import_run(
    *,
    staff: Staff,
    site: int | str,
    content: bytes,
    file_name: str = "",
    plan: str | None = None,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Write every accepted row (see the module docstring) in one transaction, or none."""
    try:
        with transaction.atomic():
            checked = _check(staff, site=site, content=content, file_name=file_name)
            report = checked.report
            if plan is not None and plan != report.plan:
                raise plan_changed()
            if not checked.accepted:
                raise nothing_to_import()
            report.written = _write(staff, checked)
            report.dry_run = False
            audit_record(
                action=AuditAction.IMPORT,
                actor=staff.user,
                company=staff.company,
                request=request,
                object_type=AUDIT_OBJECT_TYPE,
                object_id=report.sha256[:16],
                detail={
                    "site_id": report.site_id,
                    "file_name": report.file_name,
                    "sha256": report.sha256,
                    "rows_read": report.rows_read,
                    "written": report.written,
                    "rejected": report.rejected,
                    "plan": report.plan,
                },
            )
    except IntegrityError:
        raise ImportError_(
            "sales.import.retry",
            "导入时另一台登记同时登记了其中的客户，本次导入未写入任何数据，请重新试导入。",
            "A desk registered one of these customers at the same moment; nothing was "
            "imported. Run the dry run again.",
            status=409,
        ) from None
    return report


def _write(staff: Staff, plan: _Plan) -> int:
    now = timezone.now()
    tz = office_tz()
    company_id = staff.company_id
    rows = plan.accepted
    # full-name matches among the customers already there (before this import adds its own)
    existing_names = _name_matches(company_id, rows)
    customer_ids = _new_ids(Customer, len(rows))
    customers = []
    for row, pk in zip(rows, customer_ids, strict=True):
        customer = Customer(
            pk=pk,
            company_id=company_id,
            name=row.customer_name,
            employer=row.employer_or_address,
            car_brand=row.car_brand,
            plate=row.plate,
            source=row.source,
            intention=row.intention,
            owner_id=row.receiver_id,
            created_by=staff,
            created_at=now,
            updated_at=now,
            # the customer's one line (below) is their latest visit
            last_visit_at=dt.datetime.combine(row.received_on, dt.time(), tzinfo=tz),
        )
        customer.derive_keys()
        customers.append(customer)
    _insert(Customer, (_values(customer) for customer in customers), with_ids=True)
    _insert(
        CustomerPhone,
        (
            {
                "company_id": company_id,
                "customer_id": customer.pk,
                "raw": row.contact[:40],
                "e164": row.phone_e164,
                "last4": identity_rules.phone_last4(row.phone_e164),
                "label": "",
                "created_at": now,
            }
            for row, customer in zip(rows, customers, strict=True)
            if row.phone_e164
        ),
    )
    earlier: dict[str, list[int]] = {}
    name_matches: dict[int, list[int]] = {}
    for row, customer in sorted(
        zip(rows, customers, strict=True), key=lambda rc: (rc[0].received_on, rc[0].row)
    ):
        key = row.full_name_key
        if not key:
            continue
        others = [pk for pk in existing_names.get(key, []) if pk != customer.pk]
        name_matches[row.row] = (others + earlier.get(key, []))[:20]
        earlier.setdefault(key, []).append(customer.pk)
    line_ids = _new_ids(Registration, len(rows))
    lines = [
        Registration(
            pk=pk,
            company_id=company_id,
            site=plan.site,
            customer=customer,
            visited_at=dt.datetime.combine(row.received_on, dt.time(), tzinfo=tz),
            received_on=row.received_on,
            customer_name=row.customer_name,
            employer_or_address=row.employer_or_address,
            contact=row.contact,
            phone_e164=row.phone_e164,
            car_brand=row.car_brand,
            plate=row.plate,
            intention=row.intention,
            source=row.source,
            receiver_id=row.receiver_id,
            recorded_by=staff,
            recorded_at=now,
            late=False,
            name_matches=name_matches.get(row.row, []),
            policy_ref=plan.policy_ref,
        )
        for row, customer, pk in zip(rows, customers, line_ids, strict=True)
    ]
    _insert(Registration, (_values(line) for line in lines), with_ids=True)
    keys = []
    for row, line in zip(rows, lines, strict=True):
        claims = [
            (RegistrationKeyKind.CUSTOMER.value, str(line.customer_id)),
            (RegistrationKeyKind.VISIT.value, f"{line.customer_id}|{row.received_on.isoformat()}"),
            *row.claims,
        ]
        keys += [
            {
                "company_id": company_id,
                "kind": kind,
                "value": value,
                "customer_id": line.customer_id,
                "registration_id": line.pk,
                "claimed_at": now,
            }
            for kind, value in sorted(claims)
        ]
    _insert(RegistrationKey, keys)
    confirmer = staff if staff_has_perm(staff, PERM_CONFIRM) else None
    confirmations: list[RegistrationConfirmation] = []
    if confirmer is not None:
        confirmations = [
            RegistrationConfirmation(
                pk=pk,
                company_id=company_id,
                registration=line,
                confirmed_by=confirmer,
                confirmed_at=now,
                note=IMPORT_CONFIRMATION_NOTE,
            )
            for line, pk in zip(lines, _new_ids(RegistrationConfirmation, len(lines)), strict=True)
        ]
        _insert(RegistrationConfirmation, (_values(c) for c in confirmations), with_ids=True)
    report = plan.report
    entries = []
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        entries.append(
            (
                LEDGER_KIND,
                _line_payload(line, row, plan, report, confirmer),
                (REGISTRATION_SUBJECT, str(line.pk)),
            )
        )
        if confirmer is not None:
            confirmation = confirmations[i]
            entries.append(
                (
                    CONFIRMATION_KIND,
                    confirmation_payload(confirmation, confirmer),
                    (CONFIRMATION_SUBJECT, str(confirmation.pk)),
                )
            )
    _ledger_append_many(
        company=staff.company,
        stream=Stream.REGISTRATION_BOOK,
        entries=entries,
        recorded_by=staff.user,
        at=now,
    )
    return len(lines)


def _line_payload(
    line: Registration,
    row: rules.AcceptedRow,
    plan: _Plan,
    report: ImportReport,
    confirmer: Staff | None,
) -> dict[str, Any]:
    """A desk registration's ledger payload, plus the import's marks."""
    return {
        "registration_id": line.pk,
        "customer_id": line.customer_id,
        "site_id": plan.site.pk,
        "site": plan.site.name,
        "visited_at": line.visited_at,
        "received_on": line.received_on,
        "customer_name": line.customer_name,
        "employer_or_address": line.employer_or_address,
        "contact": masked_contact(line.phone_e164, line.contact),
        "intention": line.intention,
        "source": line.source,
        "receiver_id": line.receiver_id,
        "receiver": plan.names.get(line.receiver_id, ""),
        "recorded_by_id": line.recorded_by_id,
        "late": False,
        "first": True,
        "name_matches": list(line.name_matches),
        "conflicts": [],
        "policy_ref": line.policy_ref,
        "rule_ids": [rules.RULE_FIELDS, rules.RULE_FIRST_WINS],
        "digest": registration_rules.document_digest(registration_document(line)),
        "imported": {
            "file_name": report.file_name,
            "sha256": report.sha256,
            "row": row.row,
            "confirmed_by_id": confirmer.pk if confirmer is not None else None,
        },
    }


def _new_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, taken inside the import's transaction:
    PostgreSQL hands them out from the table's sequence (``nextval``, never reused); on SQLite
    the transaction holds the database's write lock, so the ids after the highest one ever
    given (``sqlite_sequence``: AUTOINCREMENT never reuses) are ours."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM "
            f"{connection.ops.quote_name(table)} UNION ALL "
            "SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        top = cursor.fetchone()[0] or 0
    return list(range(top + 1, top + 1 + count))


def _values(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _insert(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, with_ids: bool = False
) -> None:
    """INSERT rows (dicts by field ``attname``) with ``executemany``, skipping the ORM's
    per-value compilation of ``bulk_create`` (the import's rows are many and their ids known:
    ``_new_ids``, or not needed back). Values are prepared by the model's own fields, as
    ``bulk_create`` would."""
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    prepared = {
        f.attname: f
        for f in fields
        if f.get_internal_type() in {"DateTimeField", "DateField", "JSONField"}
    }
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})"
    params = [
        [
            prepared[f.attname].get_db_prep_save(row[f.attname], connection)
            if f.attname in prepared
            else row[f.attname]
            for f in fields
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), _BATCH * 10):
            cursor.executemany(sql, params[start : start + _BATCH * 10])


def _ledger_append_many(
    *,
    company: Company,
    stream: str,
    entries: Sequence[tuple[str, Mapping[str, Any], tuple[str, str]]],
    recorded_by: AbstractBaseUser | None,
    at: dt.datetime,
) -> None:
    """Append ``entries`` (kind, payload, subject) to the stream, in order, as
    ``kehu.core.ledger.services.ledger_append`` would one by one: the head row locked once,
    each entry normalised and sealed onto the previous hash, inserted in batches, the head
    moved once. Call it last in the transaction (the ledger's lock order)."""
    head, _created = LedgerStream.objects.select_for_update().get_or_create(
        company=company, name=stream
    )
    seq, prev = head.last_seq, head.last_hash
    user_id = recorded_by.pk if recorded_by is not None else None
    rows = []
    for kind, payload, (subject_type, subject_id) in entries:
        seq += 1
        clean = ledger_rules.normalise(payload)
        sealed = ledger_rules.seal(
            ledger_rules.EntryFacts(
                company_id=company.pk,
                stream=stream,
                seq=seq,
                recorded_at=at,
                kind=kind,
                payload=clean,
                prev_hash=prev,
                subject_type=subject_type,
                subject_id=subject_id,
                recorded_by_id=user_id,
            )
        )
        rows.append(
            {
                "company_id": company.pk,
                "stream": stream,
                "seq": seq,
                "recorded_at": at,
                "kind": kind,
                "payload": clean,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "corrects_id": None,
                "reason": "",
                "recorded_by_id": user_id,
                "prev_hash": prev,
                "hash": sealed.hash,
            }
        )
        prev = sealed.hash
    _insert(LedgerEntry, rows)
    LedgerStream.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=prev, updated_at=at)
