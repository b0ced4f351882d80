"""Legacy register import (旧客户登记本导入): pure checks of the sheet's rows.

No Django, no I/O, no clock: the caller passes the rows as read from the workbook, today's
date, the company's salespeople by name and the identity policy, and gets back the rows it may
write and every rejected row with the column and the reason in Chinese and English.

The column layout (row of headers, any order; other columns are ignored) — the A7.4 fields:

    接待日期 | 客户姓名 | 工作单位或住址 | 联系电话 | 车辆品牌 | 车牌号 |
    购楼意向 | 信息来源 | 接待售楼员

Rules applied to each row (rule IDs in brackets):
- 接待日期 is required: a date cell, or text such as 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日,
  20240305; not later than today (A1.1: a registration records the reception date).
- 客户姓名 or 联系电话 is required (A7.4: incomplete registrations are allowed, but the
  customer must be identifiable).
- 联系电话, when given, must be a phone number (normalised to E.164 as the book does, A7.4).
- 接待售楼员 must name exactly one active salesperson (or PM, sales manager) of the company
  (A7.4 records the receiving salesperson; A2.12).
- Text longer than the book's columns is refused rather than cut.
- Duplicates (A1.5, the first registration wins; A7.4 identity keys): a row sharing a deciding
  key — the phone; the car brand + plate + surname; the full name only when the policy
  ``identity.full_name_alone`` is ``decides`` — with an earlier row of the sheet (earlier date,
  then earlier row) is rejected as a duplicate of that row; a row sharing one with a customer
  already in kehu is rejected as a duplicate of that customer's registration (found by the
  caller, see ``existing``). Full-name-only matches are not rejected: the line keeps them for
  the sales manager (A7.4 reading, A7.20), as a desk registration does.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kehu.core.customers import rules as identity_rules

# (header, field of the registration, longest text the book keeps)
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("接待日期", "received_on", None),
    ("客户姓名", "customer_name", 100),
    ("工作单位或住址", "employer_or_address", 200),
    ("联系电话", "contact", 100),
    ("车辆品牌", "car_brand", 50),
    ("车牌号", "plate", 20),
    ("购楼意向", "intention", 2000),
    ("信息来源", "source", 200),
    ("接待售楼员", "receiver", 100),
)
HEADERS: tuple[str, ...] = tuple(c[0] for c in COLUMNS)
FIELD_HEADER: dict[str, str] = {c[1]: c[0] for c in COLUMNS}
COLUMN_EN: dict[str, str] = {
    "接待日期": "reception date",
    "客户姓名": "customer name",
    "工作单位或住址": "employer or address",
    "联系电话": "contact phone",
    "车辆品牌": "car brand",
    "车牌号": "licence plate",
    "购楼意向": "purchase intention",
    "信息来源": "information source",
    "接待售楼员": "receiving salesperson",
}
RULE_FIELDS = "A7.4"
RULE_SAME_DAY = "A1.1"
RULE_FIRST_WINS = "A1.5"
RULE_RECEIVER = "A2.12"
KEY_LABELS: dict[str, tuple[str, str]] = {
    "phone": ("联系电话", "phone"),
    "car": ("车辆品牌+车牌号+姓氏", "car brand + plate + surname"),
    "full_name": ("姓名全称", "full name"),
}
# Excel's day zero (dates stored as serial numbers in a "general" cell).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class Reason:
    """Codes of rejected rows (stable, for the API and tests)."""

    DATE_MISSING = "date_missing"
    DATE_BAD = "date_bad"
    DATE_FUTURE = "date_future"
    NAME_PHONE_MISSING = "name_phone_missing"
    PHONE_BAD = "phone_bad"
    SALESPERSON_MISSING = "salesperson_missing"
    SALESPERSON_UNKNOWN = "salesperson_unknown"
    SALESPERSON_AMBIGUOUS = "salesperson_ambiguous"
    TOO_LONG = "too_long"
    DUPLICATE_ROW = "duplicate_row"
    DUPLICATE_EXISTING = "duplicate_existing"


@dataclass(frozen=True)
class Problem:
    row: int  # the sheet's row number, as Excel shows it
    column: str  # the Chinese header
    code: str
    message_zh: str
    message_en: str
    rule_ids: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "column_en": COLUMN_EN.get(self.column, self.column),
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "rule_ids": list(self.rule_ids),
        }


@dataclass(frozen=True)
class AcceptedRow:
    """A row the import may write: cleaned text, the normalised keys, the receiver's id."""

    row: int
    received_on: dt.date
    customer_name: str
    employer_or_address: str
    contact: str
    phone_e164: str
    car_brand: str
    plate: str
    intention: str
    source: str
    receiver_id: int
    keys: identity_rules.IdentityKeys
    claims: tuple[tuple[str, str], ...]  # (kind, value) of the deciding keys, sorted

    @property
    def full_name_key(self) -> str:
        return self.keys.full_name


@dataclass(frozen=True)
class ExistingHolder:
    """A customer already in kehu holding a key (what the caller found in the database)."""

    customer_id: int
    registered_by: str  # the first registration's receiver, "" if never registered
    registered_on: dt.date | None


@dataclass
class Checked:
    accepted: list[AcceptedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


# --- cell values -------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: NFKC-normalised and stripped (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value: Any) -> dt.date | None:
    """A reception date from a cell, or None when it cannot be read."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:  # an Excel serial date (1954–2119)
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value))
    text = cell_text(value)
    if not text:
        return None
    text = re.sub(r"\s+", "", text)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def header_map(row: Sequence[Any]) -> dict[str, int]:
    """Header → column index of a header row (the first occurrence of each)."""
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        text = re.sub(r"\s+", "", cell_text(value))
        if text in HEADERS and text not in found:
            found[text] = index
    return found


def missing_headers(found: Mapping[str, int]) -> list[str]:
    return [h for h in HEADERS if h not in found]


# --- one row -----------------------------------------------------------------------------------

_PHONE_PROBLEM_ZH: dict[str, str] = {
    "not_digits": "含有数字以外的字符",
    "mobile_length": "手机号应为 11 位",
    "mobile_prefix": "不是有效的手机号段",
    "landline_needs_area_code": "固定电话须带区号",
}


def _phone_problem(error: identity_rules.PhoneNumberInvalid) -> tuple[str, str]:
    problem = str(error.problem)
    return _PHONE_PROBLEM_ZH.get(problem, "无法识别"), problem.replace("_", " ")


def identity_claims(
    keys: identity_rules.IdentityKeys, *, full_name_decides: bool
) -> tuple[tuple[str, str], ...]:
    """(kind, value) of the deciding keys, as ``registration_services`` claims them."""
    claims = [("phone", p) for p in keys.phones]
    if keys.has_car_key:
        claims.append(("car", f"{keys.car_brand}|{keys.plate}|{keys.surname}"[:120]))
    if full_name_decides and keys.full_name:
        claims.append(("full_name", keys.full_name[:120]))
    return tuple(sorted(claims))


def check_row(
    number: int,
    values: Mapping[str, Any],
    *,
    today: dt.date,
    salespeople: Mapping[str, Sequence[int]],
    full_name_decides: bool,
) -> AcceptedRow | list[Problem]:
    """One row's own checks (not duplicates). ``values``: header → cell value;
    ``salespeople``: name (NFKC, no spaces) → ids of active receiving staff of that name."""
    problems: list[Problem] = []

    def fail(column: str, code: str, zh: str, en: str, *rule_ids: str) -> None:
        problems.append(Problem(number, column, code, zh, en, tuple(rule_ids or (RULE_FIELDS,))))

    text: dict[str, str] = {}
    for header, name, limit in COLUMNS:
        if name == "received_on":
            continue
        text[name] = cell_text(values.get(header))
        if limit is not None and len(text[name]) > limit:
            fail(
                header,
                Reason.TOO_LONG,
                f"“{header}”最多 {limit} 个字符（现有 {len(text[name])} 个）。",
                f"“{COLUMN_EN[header]}” is at most {limit} characters ({len(text[name])} given).",
            )
    raw_date = values.get("接待日期")
    received_on = parse_date(raw_date)
    if received_on is None:
        if cell_text(raw_date):
            fail(
                "接待日期",
                Reason.DATE_BAD,
                f"接待日期“{cell_text(raw_date)}”无法识别，请写成 2024-03-05 这样的日期。",
                f"The reception date “{cell_text(raw_date)}” is not a date (write 2024-03-05).",
                RULE_SAME_DAY,
            )
        else:
            fail(
                "接待日期",
                Reason.DATE_MISSING,
                "缺少接待日期。",
                "The reception date is missing.",
                RULE_SAME_DAY,
            )
    elif received_on > today:
        fail(
            "接待日期",
            Reason.DATE_FUTURE,
            f"接待日期 {received_on.isoformat()} 晚于今天。",
            f"The reception date {received_on.isoformat()} is after today.",
            RULE_SAME_DAY,
        )
    phone_e164 = ""
    if text["contact"]:
        try:
            phone_e164 = identity_rules.normalise_phone(text["contact"])
        except identity_rules.PhoneNumberInvalid as error:
            zh, en = _phone_problem(error)
            fail(
                "联系电话",
                Reason.PHONE_BAD,
                f"联系电话“{text['contact']}”无效：{zh}。",
                f"The phone “{text['contact']}” is not valid: {en}.",
            )
    if not text["customer_name"] and not text["contact"]:
        fail(
            "客户姓名",
            Reason.NAME_PHONE_MISSING,
            "客户姓名和联系电话都没有填写，至少要有一项（A7.4）。",
            "Neither the customer's name nor the phone is given; one is needed (A7.4).",
        )
    receiver_id = 0
    receiver_name = text.pop("receiver")
    if not receiver_name:
        fail(
            "接待售楼员",
            Reason.SALESPERSON_MISSING,
            "缺少接待售楼员。",
            "The receiving salesperson is missing.",
            RULE_FIELDS,
            RULE_RECEIVER,
        )
    else:
        ids = salespeople.get(staff_name_key(receiver_name), ())
        if not ids:
            fail(
                "接待售楼员",
                Reason.SALESPERSON_UNKNOWN,
                f"本公司没有名为“{receiver_name}”的在职售楼员。",
                f"No active salesperson named “{receiver_name}” in your company.",
                RULE_FIELDS,
                RULE_RECEIVER,
            )
        elif len(ids) > 1:
            fail(
                "接待售楼员",
                Reason.SALESPERSON_AMBIGUOUS,
                f"本公司有 {len(ids)} 位名为“{receiver_name}”的售楼员，无法确定是哪一位。",
                f"{len(ids)} salespeople are named “{receiver_name}”; which one is unclear.",
                RULE_FIELDS,
                RULE_RECEIVER,
            )
        else:
            receiver_id = ids[0]
    if problems:
        return problems
    assert received_on is not None
    keys = identity_rules.IdentityKeys.from_raw(
        name=text["customer_name"],
        phones=[phone_e164] if phone_e164 else [],
        car_brand=text["car_brand"],
        plate=text["plate"],
    )
    return AcceptedRow(
        row=number,
        received_on=received_on,
        phone_e164=phone_e164,
        receiver_id=receiver_id,
        keys=keys,
        claims=identity_claims(keys, full_name_decides=full_name_decides),
        **text,
    )


def staff_name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


# --- the whole sheet ---------------------------------------------------------------------------


def _key_text(kind: str) -> tuple[str, str]:
    return KEY_LABELS.get(kind, (kind, kind))


def check_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    today: dt.date,
    salespeople: Mapping[str, Sequence[int]],
    full_name_decides: bool,
) -> Checked:
    """Every row's own checks, then duplicates within the sheet (A1.5: of rows sharing a
    deciding key, the earliest date — then the earliest row — is the first registration)."""
    checked = Checked()
    candidates: list[AcceptedRow] = []
    for number, values in rows:
        checked.rows_read += 1
        result = check_row(
            number,
            values,
            today=today,
            salespeople=salespeople,
            full_name_decides=full_name_decides,
        )
        if isinstance(result, AcceptedRow):
            candidates.append(result)
        else:
            checked.problems.extend(result)
    holders: dict[tuple[str, str], int] = {}
    for row in sorted(candidates, key=lambda r: (r.received_on, r.row)):
        clash = next(((k, holders[k]) for k in row.claims if k in holders), None)
        if clash is not None:
            (kind, _value), first = clash
            zh, en = _key_text(kind)
            checked.problems.append(
                Problem(
                    row.row,
                    _column_of(kind),
                    Reason.DUPLICATE_ROW,
                    f"与第 {first} 行是同一客户（{zh}相同），以先登记者为准。",
                    f"The same customer as row {first} (same {en}); the first registration wins.",
                    (RULE_FIELDS, RULE_FIRST_WINS),
                )
            )
            continue
        for key in row.claims:
            holders[key] = row.row
        checked.accepted.append(row)
    checked.accepted.sort(key=lambda r: r.row)
    checked.problems.sort(key=lambda p: (p.row, HEADERS.index(p.column)))
    return checked


def _column_of(kind: str) -> str:
    return {"phone": "联系电话", "car": "车牌号", "full_name": "客户姓名"}.get(kind, "客户姓名")


def reject_existing(
    checked: Checked, existing: Mapping[tuple[str, str], ExistingHolder]
) -> Checked:
    """Move the accepted rows that share a deciding key with a customer already in kehu to
    the rejected ones (A1.5: that customer's registration came first)."""
    kept: list[AcceptedRow] = []
    for row in checked.accepted:
        clash = next(((k, existing[k]) for k in row.claims if k in existing), None)
        if clash is None:
            kept.append(row)
            continue
        (kind, _value), holder = clash
        zh, en = _key_text(kind)
        if holder.registered_by:
            on = holder.registered_on.isoformat() if holder.registered_on else ""
            message_zh = (
                f"与已有登记重复（{zh}相同）：客户 #{holder.customer_id} 已由 "
                f"{holder.registered_by} 于 {on} 登记，以先登记者为准。"
            )
            message_en = (
                f"Duplicate of an existing registration (same {en}): customer "
                f"#{holder.customer_id}, registered by {holder.registered_by} on {on}."
            )
        else:
            message_zh = f"与已有客户 #{holder.customer_id} 是同一客户（{zh}相同）。"
            message_en = f"The same customer as existing customer #{holder.customer_id} ({en})."
        checked.problems.append(
            Problem(
                row.row,
                _column_of(kind),
                Reason.DUPLICATE_EXISTING,
                message_zh,
                message_en,
                (RULE_FIELDS, RULE_FIRST_WINS),
            )
        )
    checked.accepted = kept
    checked.problems.sort(key=lambda p: (p.row, HEADERS.index(p.column)))
    return checked
