"""The company report as Excel: Chinese headers, one row per department and month, a total row,
the company and the year in the file name, an audit event per export, and only for
``discipline.view_company_discipline``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company, Department, Staff
from kehu.core.org.posts import Post
from kehu.discipline.export import HEADERS, report_filename
from kehu.discipline.rules import Kind
from kehu.discipline.services import discipline_entry_post

pytestmark = pytest.mark.django_db

D = dt.date
EXPORT = "/discipline/report/export.xlsx"


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def sun(cast: Any, east: Company) -> Staff:
    """孙总监, the sales director: reads and exports the company report."""
    return cast.staff(east, "孙总监", Post.SALES_DIRECTOR)


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post(employee: Staff, kind: Kind, on: dt.date, by: Staff, **extra: Any) -> None:
    discipline_entry_post(
        employee=employee,
        on=on,
        kind=kind,
        reason="测试",
        rule_ids=extra.pop("rule_ids", []),
        recorded_by=by,
        **extra,
    )


@pytest.fixture
def ledger(cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff) -> None:
    """营销部: 李 criticised and fined in March, 赵 commended in May; 客服部: 钱 bonus in May."""
    service = Department.objects.create(company=east, name="客服部")
    qian = cast.staff(east, "钱客服", Post.CUSTOMER_SERVICE, department=service)
    post(li, Kind.CRITICISM, D(2026, 3, 2), wang)
    post(li, Kind.FINE, D(2026, 3, 9), wang, amount=Decimal("300"), rule_ids=["A7.13"])
    post(zhao, Kind.COMMENDATION, D(2026, 5, 1), wang)
    post(zhao, Kind.POINTS, D(2026, 5, 31), wang, points=-3)
    post(qian, Kind.BONUS, D(2026, 5, 20), wang, amount=Decimal("500"))
    post(li, Kind.CRITICISM, D(2025, 12, 30), wang)  # last year: not in 2026's report


def test_the_workbook_has_chinese_headers_and_a_row_per_department_and_month(
    sun: Staff, ledger: None
) -> None:
    # When 孙总监 exports 2026
    response = as_staff(sun).get(EXPORT, {"year": "2026"})
    # Then an .xlsx comes back, named after the company and the year
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "华东置业-奖惩报表-2026.xlsx"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == HEADERS
    assert rows[0][:4] == ["部门", "月份", "惩罚（次）", "奖励（次）"]
    body = {(r[0], r[1]): r[2:] for r in rows[1:-1]}
    assert body == {
        ("客服部", "2026-05"): [0, 1, 0, 500, 0, 0],
        ("营销部", "2026-03"): [2, 0, 300, 0, 0, 0],
        ("营销部", "2026-05"): [1, 1, 0, 0, 0, 3],
    }
    assert rows[-1] == ["合计", "2026", 3, 2, 300, 500, 0, 3]


def test_each_export_is_audited(sun: Staff, ledger: None) -> None:
    as_staff(sun).get(EXPORT, {"year": "2026"})
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor_id == sun.user.pk and event.company_id == sun.company_id
    assert event.object_type == "discipline.company_report" and event.object_id == "2026"
    assert event.detail["rows"] == 3 and event.detail["format"] == "xlsx"


def test_the_export_is_refused_without_the_company_view(
    wang: Staff, li: Staff, ledger: None
) -> None:
    for staff in (wang, li):
        assert as_staff(staff).get(EXPORT, {"year": "2026"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_another_companys_export_has_none_of_these_rows(
    cast: Any, west: Company, ledger: None
) -> None:
    manager = cast.staff(west, "西湖经理", Post.MANAGER)
    response = as_staff(manager).get(EXPORT, {"year": "2026"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "合计" and rows[1][2] == 0


def test_the_file_name_keeps_to_what_file_systems_allow() -> None:
    assert report_filename("华景燃气有限公司", 2026) == "华景燃气有限公司-奖惩报表-2026.xlsx"
    assert "/" not in report_filename("A/B 公司", 2026)
