"""Demo of the legacy-register import for ``kehu demo`` (the lead wires it in):
``demo_load_import(org)``.

华景·云栖府售楼处's sales manager 赵磊 imports the old paper book's last pages (2025): the dry
run rejects the rows a real book has — a salesperson who has left, a mistyped phone, a date
that is not one, a customer written twice — and the real run writes the rest, each line with
its ledger entry marked with the file and the sheet row. ``demo_legacy_register()`` is the same
workbook, for trying the import page by hand. Idempotent: nothing is imported once the ledger
holds an imported line of the company.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.demo import DemoOrg
from kehu.sales import import_services
from kehu.sales.import_rules import HEADERS

COMPANY = "huajing-estate"
SITE = "华景·云栖府售楼处"
FILE_NAME = "云栖府客户登记本-2025.xlsx"

ROWS: tuple[tuple[Any, ...], ...] = (
    (
        dt.date(2025, 3, 2),
        "钱文博",
        "杭州市拱墅区莫干山路 18 号",
        "139 5718 2201",
        "",
        "",
        "三居",
        "朋友介绍",
        "李娜",
    ),
    (
        dt.date(2025, 3, 2),
        "孙雅琴",
        "浙江大学",
        "13857120033",
        "宝马",
        "浙A·3B721",
        "学区房",
        "网络",
        "张浩",
    ),
    (dt.date(2025, 3, 9), "周立群", "", "0571-88776655", "", "", "商铺", "报纸广告", "王佳琪"),
    (
        dt.date(2025, 3, 9),
        "吴思远",
        "滨江区江南大道",
        "13605710044",
        "",
        "",
        "大平层",
        "路过",
        "陈老师",
    ),
    ("2025-02-30", "郑晓东", "", "13705710055", "", "", "两居", "户外广告", "刘子轩"),
    (
        dt.date(2025, 3, 16),
        "冯佳",
        "西湖区天目山路",
        "1380013",
        "",
        "",
        "两居",
        "老客户介绍",
        "李娜",
    ),
    (
        dt.date(2025, 3, 23),
        "钱文博",
        "",
        "+86 139-5718-2201",
        "",
        "",
        "三居，带父母",
        "朋友介绍",
        "张浩",
    ),
    (dt.date(2025, 4, 6), "陈美玲", "", "", "奥迪", "浙A5C888", "改善", "电台", "王佳琪"),
    (dt.date(2025, 4, 6), "", "", "", "", "", "", "", "刘子轩"),
    (
        dt.date(2025, 4, 13),
        "何建国",
        "余杭区文一西路",
        "18968120066",
        "",
        "",
        "投资",
        "网络",
        "刘子轩",
    ),
)


def demo_legacy_register() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户登记本"
    sheet.append(list(HEADERS))
    for row in ROWS:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def demo_load_import(org: DemoOrg) -> None:
    company = org.companies.get(COMPANY)
    site = org.sites.get(SITE)
    manager = org.staff.get("salesmgr.zhao")
    if company is None or site is None or manager is None:
        return
    if LedgerEntry.objects.filter(company=company, kind=import_services.LEDGER_KIND).exists():
        return
    content = demo_legacy_register()
    dry = import_services.legacy_import_check(
        staff=manager, site=site.pk, content=content, file_name=FILE_NAME
    )
    if dry.accepted:
        import_services.legacy_import_run(
            staff=manager, site=site.pk, content=content, file_name=FILE_NAME, plan=dry.plan
        )
