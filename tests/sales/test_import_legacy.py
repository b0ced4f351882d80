"""Importing a legacy register from Excel (issue #4 item 8): the dry run reports every rejected
row with the column and the reason in Chinese and English and writes nothing; the real run
writes exactly the accepted rows in one transaction, each with its ledger entry, and the book
still verifies (A1.2 / A7.21). Duplicates follow A1.5 (the first registration wins) on the A7.4
identity keys."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from kehu.core.audit.models import AuditEvent
from kehu.core.customers.models import Customer
from kehu.core.errors import KehuError
from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales import import_services as services
from kehu.sales.import_rules import HEADERS, Reason
from kehu.sales.models.registration import Registration, RegistrationKey
from kehu.sales.registration_selectors import registration_book_verify
from kehu.sales.registration_services import registration_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


def workbook(*rows: list[Any], headers: tuple[str, ...] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(
    date: Any = dt.date(2024, 3, 5),
    name: str = "张三",
    phone: str = "13800138000",
    salesperson: str = "李明",
    *,
    brand: str = "",
    plate: str = "",
) -> list[Any]:
    return [date, name, "文三路 1 号", phone, brand, plate, "三居室", "朋友介绍", salesperson]


def site_of(staff: Staff) -> int:
    assert staff.site is not None
    return staff.site.pk


def counts() -> tuple[int, int, int, int]:
    return (
        Registration.objects.count(),
        Customer.objects.count(),
        RegistrationKey.objects.count(),
        LedgerEntry.objects.count(),
    )


BAD_ROWS = [
    row(),  # 2: fine
    row(name="钱七", phone="13900001111", salesperson="不存在的人"),  # 3 unknown salesperson
    row(date="2024-13-45", name="孙八", phone="13900002222"),  # 4 bad date
    row(name="周九", phone="12345"),  # 5 bad phone
    row(name="张三丰", phone="138 0013 8000"),  # 6 duplicate of row 2 (phone)
    row(name="", phone=""),  # 7 missing name and phone
    row(date=None, name="吴十", phone="13900003333"),  # 8 missing date
    row(date=dt.date(2027, 1, 1), name="郑一", phone="13900004444"),  # 9 future date
    row(name="王二", phone="13900005555", brand="宝马", plate="浙A·12345"),  # 10 fine
    row(name="王二", phone="13900006666", brand="BMW", plate="浙a12345"),  # 11 dup car of 10
]


def test_A7_4_dry_run_rejects_each_bad_row_kind_with_its_reason_and_writes_nothing(
    wang: Staff, li: Staff
) -> None:
    # given a register with one row of each bad kind
    before = counts()
    # when the sales manager runs the dry run
    report = services.legacy_import_check(
        staff=wang, site=site_of(li), content=workbook(*BAD_ROWS), file_name="旧登记本.xlsx"
    )
    # then every rejected row is reported with the column and the reason, in both languages
    found = [(p.row, p.column, p.code) for p in report.problems]
    assert found == [
        (3, "接待售楼员", Reason.SALESPERSON_UNKNOWN),
        (4, "接待日期", Reason.DATE_BAD),
        (5, "联系电话", Reason.PHONE_BAD),
        (6, "联系电话", Reason.DUPLICATE_ROW),
        (7, "客户姓名", Reason.NAME_PHONE_MISSING),
        (8, "接待日期", Reason.DATE_MISSING),
        (9, "接待日期", Reason.DATE_FUTURE),
        (11, "车牌号", Reason.DUPLICATE_ROW),
    ]
    messages = {p.row: (p.message_zh, p.message_en) for p in report.problems}
    assert "不存在的人" in messages[3][0] and "No active salesperson" in messages[3][1]
    assert "与第 2 行是同一客户（联系电话相同）" in messages[6][0]
    assert "row 2" in messages[6][1]
    assert "与第 10 行" in messages[11][0] and "车辆品牌+车牌号+姓氏" in messages[11][0]
    assert (report.rows_read, report.accepted, report.rejected) == (10, 2, 8)
    assert report.accepted_rows == [2, 10]
    # and nothing was written
    assert counts() == before


def test_A1_5_a_row_matching_an_existing_registration_is_rejected_naming_who_registered_it(
    wang: Staff, li: Staff, zhao: Staff
) -> None:
    # given 赵强 registered 13800138000 at the desk
    registration_record(staff=zhao, details={"customer_name": "张先生", "contact": "13800138000"})
    # when a legacy row has the same phone
    report = services.legacy_import_check(
        staff=wang, site=site_of(li), content=workbook(row(name="张三", phone="+86 138-0013-8000"))
    )
    # then it is a duplicate of that registration, by the phone key
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.code) == (2, "联系电话", Reason.DUPLICATE_EXISTING)
    assert "赵强" in problem.message_zh and "2026-11-27" in problem.message_zh
    assert "联系电话" in problem.message_zh and "phone" in problem.message_en
    assert report.accepted == 0


def test_A1_2_real_run_writes_exactly_the_accepted_rows_and_the_book_verifies(
    wang: Staff, li: Staff
) -> None:
    # given the dry run's plan
    content = workbook(*BAD_ROWS)
    dry = services.legacy_import_check(staff=wang, site=site_of(li), content=content)
    before = counts()
    # when the sales manager confirms it
    done = services.legacy_import_run(
        staff=wang, site=site_of(li), content=content, file_name="旧登记本.xlsx", plan=dry.plan
    )
    # then exactly the two accepted rows are registrations, owned by their receiver
    assert done.written == 2 and not done.dry_run
    lines = list(Registration.objects.order_by("pk"))
    assert len(lines) - before[0] == 2
    assert [(r.customer_name, r.phone_e164, r.received_on, r.receiver_id) for r in lines] == [
        ("张三", "+8613800138000", dt.date(2024, 3, 5), li.pk),
        ("王二", "+8613900005555", dt.date(2024, 3, 5), li.pk),
    ]
    assert {c.owner_id for c in Customer.objects.all()} == {li.pk}
    assert not any(r.late for r in lines)
    # each line has its ledger entry, marked as imported with the sheet row
    entries = LedgerEntry.objects.filter(kind=services.LEDGER_KIND).order_by("seq")
    assert [e.payload["imported"]["row"] for e in entries] == [2, 10]
    assert {e.payload["imported"]["file_name"] for e in entries} == {"旧登记本.xlsx"}
    # the first-registration keys are claimed (customer, visit day, phone, car)
    assert RegistrationKey.objects.filter(kind="car").count() == 1
    # and the book still verifies, the batch is audited
    verification = registration_book_verify(wang)
    assert verification.ok, verification.row_problems
    assert verification.rows_checked == 2
    event = AuditEvent.objects.get(action="import")
    assert event.detail["written"] == 2 and event.detail["rejected"] == 8


def test_A1_5_a_second_import_of_the_same_file_imports_nothing(wang: Staff, li: Staff) -> None:
    content = workbook(row())
    services.legacy_import_run(staff=wang, site=site_of(li), content=content)
    again = services.legacy_import_check(staff=wang, site=site_of(li), content=content)
    assert [p.code for p in again.problems] == [Reason.DUPLICATE_EXISTING]
    with pytest.raises(KehuError) as refused:
        services.legacy_import_run(staff=wang, site=site_of(li), content=content)
    assert refused.value.code == "sales.import.nothing_accepted"


def test_A1_5_the_earliest_dated_row_is_the_first_registration(wang: Staff, li: Staff) -> None:
    report = services.legacy_import_check(
        staff=wang,
        site=site_of(li),
        content=workbook(row(date="2024-05-01"), row(date="2024/3/1", name="张三")),
    )
    assert [(p.row, p.code) for p in report.problems] == [(2, Reason.DUPLICATE_ROW)]
    assert "第 3 行" in report.problems[0].message_zh


def test_a_real_run_whose_book_changed_since_the_dry_run_is_refused_and_writes_nothing(
    wang: Staff, li: Staff, zhao: Staff
) -> None:
    content = workbook(row(), row(name="王二", phone="13900005555"))
    dry = services.legacy_import_check(staff=wang, site=site_of(li), content=content)
    registration_record(staff=zhao, details={"customer_name": "王先生", "contact": "13900005555"})
    before = counts()
    with pytest.raises(KehuError) as refused:
        services.legacy_import_run(staff=wang, site=site_of(li), content=content, plan=dry.plan)
    assert (refused.value.code, refused.value.status) == ("sales.import.plan_changed", 409)
    assert counts() == before


def test_A7_4_a_full_name_only_match_is_imported_and_kept_for_the_sales_manager(
    wang: Staff, li: Staff, zhao: Staff
) -> None:
    existing = registration_record(
        staff=zhao, details={"customer_name": "张三", "contact": "13700000000"}
    )
    services.legacy_import_run(staff=wang, site=site_of(li), content=workbook(row()))
    line = Registration.objects.exclude(pk=existing.registration.pk).get()
    assert line.name_matches == [existing.customer.pk]
    # and each customer's latest visit is their latest line (a later match compares it with the
    # horizon, so a registration knows which namesakes to read: seen_since_horizon)
    for customer_id, latest in (
        (existing.customer.pk, existing.registration.visited_at),
        (line.customer_id, line.visited_at),
    ):
        assert Customer.objects.get(pk=customer_id).last_visit_at == latest


def test_a_file_without_the_layout_headers_is_refused(wang: Staff, li: Staff) -> None:
    with pytest.raises(KehuError) as refused:
        services.legacy_import_check(
            staff=wang, site=site_of(li), content=workbook(["x"], headers=("日期", "姓名"))
        )
    assert refused.value.code == "sales.import.headers_missing"
    assert "接待售楼员" in refused.value.message_zh
    with pytest.raises(KehuError) as not_excel:
        services.legacy_import_check(staff=wang, site=site_of(li), content=b"not a workbook")
    assert not_excel.value.code == "sales.import.not_xlsx"


def test_the_template_has_the_layout_and_its_example_row_checks(
    wang: Staff, li: Staff, cast: Any, east: Company
) -> None:
    cast.staff(east, "李娜", Post.SALESPERSON, site=li.site)
    content = services.template_workbook()
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == list(HEADERS)
    report = services.legacy_import_check(staff=wang, site=site_of(li), content=content)
    assert (report.accepted, report.problems) == (1, [])


def test_outsiders_a_salesperson_is_refused_and_another_company_finds_no_site(
    li: Staff, chen: Staff, cast: Any, west: Company
) -> None:
    content = workbook(row())
    with pytest.raises(KehuError) as refused:
        services.legacy_import_check(staff=li, site=site_of(li), content=content)
    assert refused.value.status == 403
    west_manager = cast.staff(west, "吴经理", Post.SALES_MANAGER)
    with pytest.raises(KehuError) as hidden:
        services.legacy_import_check(staff=west_manager, site=site_of(li), content=content)
    assert hidden.value.status == 404
    assert Registration.objects.count() == 0


def test_A1_1_an_import_by_the_project_manager_confirms_its_lines_one_by_the_manager_does_not(
    cast: Any, east: Company, wang: Staff, li: Staff
) -> None:
    """Reading of A1.1: the PM who transcribes the paper book has checked it, so the import
    confirms its lines (each with a confirmation and the confirmer in its ledger entry); the
    sales manager may import but not confirm, so their lines wait in the PM's queue."""
    from kehu.sales.models.registration import RegistrationConfirmation
    from kehu.sales.registration_selectors import confirmation_queue_for

    pm = cast.staff(east, "杨经理", Post.PROJECT_MANAGER, site=li.site)
    # when the PM imports one line
    services.legacy_import_run(
        staff=pm, site=site_of(li), content=workbook(row()), file_name="甲.xlsx"
    )
    # then it is confirmed by the PM and the PM's queue stays empty
    confirmation = RegistrationConfirmation.objects.get()
    assert confirmation.confirmed_by == pm
    assert confirmation.note == services.IMPORT_CONFIRMATION_NOTE
    assert list(confirmation_queue_for(pm)) == []
    entry = LedgerEntry.objects.get(kind=services.LEDGER_KIND)
    assert entry.payload["imported"]["confirmed_by_id"] == pm.pk
    # when the sales manager imports another
    services.legacy_import_run(
        staff=wang,
        site=site_of(li),
        content=workbook(row(name="赵六", phone="13900009999")),
        file_name="乙.xlsx",
    )
    # then that line waits for the PM
    assert [r.customer_name for r in confirmation_queue_for(pm)] == ["赵六"]
    assert RegistrationConfirmation.objects.count() == 1
    assert registration_book_verify(wang).ok
