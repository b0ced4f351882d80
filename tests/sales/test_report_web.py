"""The reports page, its Excel exports and the API: the same numbers everywhere (exports open
in openpyxl), charts passed through json_script with no inline script, exports audited, and
outsiders — a salesperson (403), another company (its own empty numbers; our site: 404)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehu.core.audit.models import AuditEvent
from kehu.core.org.models import Company, Staff

from .test_report_support import Dataset, make_dataset

pytestmark = pytest.mark.django_db

RANGE = "start=2026-10-01&end=2026-11-30"


@pytest.fixture
def data(cast: Any, east: Company, west: Company, li: Staff, zhao: Staff, wang: Staff) -> Dataset:
    return make_dataset(cast, east, west, li, zhao, wang)


def login(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def sheet_rows(content: bytes, title: str) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book[title].iter_rows(min_row=2, values_only=True)]


def test_the_reports_page_shows_the_four_reports_with_charts_and_no_inline_script(
    data: Dataset,
) -> None:
    response = login(data.wang).get(f"/sales/reports/?{RANGE}")
    assert response.status_code == 200
    page = response.content.decode()
    for chart in ("chart-fairness", "chart-by-period", "chart-funnel", "chart-conflicts",
                  "chart-commission"):  # fmt: skip
        assert f'data-chart-option="{chart}"' in page
        assert f'<script id="{chart}" type="application/json">' in page
    assert "vendor/echarts.min.js" in page
    assert "<script>" not in page  # only src= scripts and json_script data
    assert "A7.13" in page and "钱芳" in page
    assert "13000.00" in page.replace(",", "").replace("\u202f", "").replace("\xa0", "")


def test_the_funnel_export_opens_in_openpyxl_with_the_same_numbers_and_is_audited(
    data: Dataset,
) -> None:
    response = login(data.director).get(f"/sales/reports/export/funnel.xlsx?{RANGE}")
    assert response.status_code == 200
    assert sheet_rows(response.content, "转化") == [
        ("来访", 5, None),
        ("已登记的来访", 4, 80),
        ("登记客户", 3, 75),
        ("成交客户", 2, 66.7),
    ]
    event = AuditEvent.objects.get(action="export", object_type="sales.report")
    assert event.detail["report"] == "funnel" and event.detail["start"] == "2026-10-01"


def test_the_other_exports_carry_the_report_numbers(data: Dataset) -> None:
    client = login(data.wang)
    receptions = client.get(f"/sales/reports/export/receptions.xlsx?{RANGE}").content
    assert sheet_rows(receptions, "按日接待")[2] == ("2026-11-02", "赵强", 2, 1, 1, 1, 1)
    fairness = sheet_rows(receptions, "轮排公平")
    assert fairness[-2][:3] == ("平均占用名额", None, 1.33)
    assert fairness[-1][:3] == ("极差（最多减最少）", None, 2)
    conflicts = client.get(f"/sales/reports/export/conflicts.xlsx?{RANGE}").content
    assert sheet_rows(conflicts, "撞单") == [
        ("2026-10", "A7.20", 1),
        ("2026-11", "A1.5", 1),
        ("2026-11", "A7.13", 1),
    ]
    commission = client.get(f"/sales/reports/export/commission.xlsx?{RANGE}").content
    assert sheet_rows(commission, "业绩") == [
        ("2026-10", "李明", 5000, 1),
        ("2026-11", "李明", 8000, 1),
        ("2026-11", "赵强", 0, 3),
        ("合计", None, 13000, 5),
    ]


def test_the_api_gives_the_same_numbers(data: Dataset) -> None:
    client = login(data.wang)
    funnel = client.get(f"/api/v1/sales/reports/funnel?{RANGE}").json()
    assert [s["count"] for s in funnel["stages"]] == [5, 4, 3, 2]
    receptions = client.get(f"/api/v1/sales/reports/receptions?{RANGE}&period=month").json()
    assert Decimal(receptions["mean_consumed"]) == Decimal("1.33") and receptions["spread"] == 2
    assert len(receptions["rows"]) == 4
    conflicts = client.get(f"/api/v1/sales/reports/conflicts?{RANGE}").json()
    assert [(r["clause"], r["count"]) for r in conflicts["rows"]] == [
        ("A7.20", 1),
        ("A1.5", 1),
        ("A7.13", 1),
    ]
    commission = client.get(f"/api/v1/sales/reports/commission?{RANGE}").json()
    assert Decimal(commission["total"]) == Decimal("13000.00")
    exported = client.get(f"/api/v1/sales/reports/commission/export?{RANGE}")
    assert exported.status_code == 200
    assert sheet_rows(exported.content, "业绩")[-1] == ("合计", None, 13000, 5)


def test_outsiders_a_salesperson_is_refused_on_page_export_and_api(data: Dataset) -> None:
    client = login(data.li)
    assert client.get("/sales/reports/").status_code == 403
    assert client.get("/sales/reports/export/funnel.xlsx").status_code == 403
    response = client.get("/api/v1/sales/reports/funnel")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "sales.report.permission_denied"


def test_outsiders_another_company_sees_only_its_own_numbers_and_not_our_site(
    data: Dataset,
) -> None:
    client = login(data.west_manager)
    own = client.get(f"/api/v1/sales/reports/commission?{RANGE}").json()
    assert {r["name"] for r in own["rows"]} == {"西李", "西赵"}
    assert client.get(f"/api/v1/sales/reports/funnel?site_id={data.site.pk}").status_code == 404
    foreign = client.get(f"/sales/reports/?site={data.site.pk}&{RANGE}").content.decode()
    assert "李明" not in foreign  # not one of their sites: the filter is refused
    page = client.get(f"/sales/reports/?{RANGE}").content.decode()
    assert "李明" not in page and "西李" in page


def test_a_bad_range_on_the_page_is_shown_as_a_form_error(data: Dataset) -> None:
    response = login(data.wang).get("/sales/reports/?start=2026-11-30&end=2026-10-01")
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_a_bad_range_is_a_clear_bilingual_error(data: Dataset) -> None:
    response = login(data.wang).get(
        "/api/v1/sales/reports/funnel?start=2026-11-30&end=2026-10-01",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"]["code"] == "sales.report.bad_range"
    assert "end date" in body["error"]["message"]
